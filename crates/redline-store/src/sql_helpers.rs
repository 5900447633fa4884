//! The SQL helpers every area of the store shares: the backend, reading columns back (times,
//! JSON), turning database refusals into the store's own words, and multi-row placeholders.
//! This module imports no area of the store, so no area needs another to reach them.

use sqlx::AnyConnection;

use crate::StoreError;
use redline_model::Timestamp;

/// The database behind a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

pub(crate) fn corrupt(what: impl Into<String>, message: impl ToString) -> StoreError {
    StoreError::Corrupt {
        what: what.into(),
        message: message.to_string(),
    }
}

pub(crate) fn timestamp_from_column(
    what: &str,
    microseconds: i64,
) -> Result<Timestamp, StoreError> {
    Timestamp::from_microseconds(microseconds).map_err(|message| corrupt(what, message))
}

pub(crate) fn to_json_text<T: serde::Serialize>(
    what: &str,
    value: &T,
) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|error| corrupt(what, error))
}

pub(crate) fn from_json_text<T: serde::de::DeserializeOwned>(
    what: &str,
    text: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|error| corrupt(what, error))
}

/// Turns database refusals into the store's own words.
pub(crate) fn classify(error: sqlx::Error, what: impl Fn() -> String) -> StoreError {
    if let sqlx::Error::Database(database_error) = &error {
        if database_error.is_unique_violation() {
            return StoreError::Conflict(format!("{} exists already", what()));
        }
        if database_error.is_foreign_key_violation() {
            return StoreError::NotFound(format!(
                "{} refers to a record that does not exist",
                what()
            ));
        }
    }
    StoreError::from(error)
}

/// How many small rows (outbox entries, ids to delete, sector and reader pairs) one statement
/// writes or deletes.
pub(crate) const ROWS_PER_STATEMENT: usize = 400;

/// The placeholders of a statement whose parameters are `rows` groups of `per_row` values,
/// bound in order: `($1, $2), ($3, $4)` (without parentheses when `per_row` is 1).
///
/// On SQLite they are anonymous `?` instead. sqlx asks SQLite for every parameter's name when
/// it binds, and SQLite finds a name by walking the list of all named parameters, so binding
/// the `$N` parameters of one statement costs O(n²) in their number: 45% of a 100,000-object
/// TAXII ingest went there. Anonymous parameters have no names, and binding is linear.
pub(crate) fn value_placeholders(
    connection: &AnyConnection,
    rows: usize,
    per_row: usize,
) -> String {
    let anonymous = connection.backend_name() == "SQLite";
    (0..rows)
        .map(|row| {
            let columns: Vec<String> = (0..per_row)
                .map(|column| {
                    if anonymous {
                        "?".to_string()
                    } else {
                        format!("${}", 1 + row * per_row + column)
                    }
                })
                .collect();
            if per_row == 1 {
                columns.join(", ")
            } else {
                format!("({})", columns.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A query of the `Any` driver, as the binding helpers take and give it back.
pub(crate) type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// A `WHERE` clause built of conditions whose values are numbered placeholders (`$1`, `$2`, …),
/// and the values to bind to them in order. Statements built with it hold constants and
/// placeholders only.
#[derive(Debug, Default)]
pub(crate) struct SqlFilter {
    conditions: Vec<String>,
    values: Vec<String>,
}

impl SqlFilter {
    /// Keeps `value` for binding and gives its placeholder.
    pub(crate) fn placeholder(&mut self, value: impl Into<String>) -> String {
        self.values.push(value.into());
        format!("${}", self.values.len())
    }

    /// Adds a condition written by the caller (with placeholders from [`Self::placeholder`]).
    pub(crate) fn condition(&mut self, condition: impl Into<String>) {
        self.conditions.push(condition.into());
    }

    /// `column = value`.
    pub(crate) fn equals(&mut self, column: &str, value: impl Into<String>) {
        let placeholder = self.placeholder(value);
        self.condition(format!("{column} = {placeholder}"));
    }

    /// `column IN (values)`; nothing when `values` is empty.
    pub(crate) fn one_of(&mut self, column: &str, values: impl IntoIterator<Item = String>) {
        let placeholders: Vec<String> = values
            .into_iter()
            .map(|value| self.placeholder(value))
            .collect();
        if !placeholders.is_empty() {
            self.condition(format!("{column} IN ({})", placeholders.join(", ")));
        }
    }

    /// The TLP rule for a signed-in `party` (`Tlp::is_restricted`): a record whose label is not
    /// restricted, or one `party` is a reader of. `tlp_column` holds the label;
    /// `reader_exists` gives, for the party's placeholder, the `EXISTS (…)` that finds it among
    /// the record's readers.
    pub(crate) fn readable_by(
        &mut self,
        party: &redline_model::PartyId,
        tlp_column: &str,
        reader_exists: impl FnOnce(&str) -> String,
    ) {
        let placeholder = self.placeholder(party.as_str());
        self.condition(format!(
            "({tlp_column} IN ({}) OR {})",
            unrestricted_tlp_labels(),
            reader_exists(&placeholder)
        ));
    }

    /// `WHERE a AND b …`, or nothing.
    pub(crate) fn where_clause(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.conditions.join(" AND "))
        }
    }

    /// Runs `statement` (built with [`Self::where_clause`]) with the values bound in order.
    pub(crate) async fn fetch_all(
        &self,
        pool: &sqlx::AnyPool,
        statement: String,
    ) -> Result<Vec<sqlx::any::AnyRow>, StoreError> {
        // Built from constants and numbered placeholders; every value is bound.
        let mut select = sqlx::query(sqlx::AssertSqlSafe(statement));
        for value in &self.values {
            select = select.bind(value.as_str());
        }
        Ok(select.fetch_all(pool).await?)
    }
}

/// The readers of a restricted record: the `party_id`s `statement` selects for `id` (its one
/// parameter).
pub(crate) async fn readers_of(
    pool: &sqlx::AnyPool,
    what: &'static str,
    statement: &'static str,
    id: &str,
) -> Result<std::collections::BTreeSet<redline_model::PartyId>, StoreError> {
    sqlx::query(statement)
        .bind(id)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|row| Columns::of(row, what).party_id())
        .collect()
}

/// The labels every signed-in party reads, as an SQL list: `'clear', 'green'`, from
/// `Tlp::is_restricted`, so that the store's queries and the model keep one rule.
pub(crate) fn unrestricted_tlp_labels() -> String {
    redline_model::Tlp::ALL
        .iter()
        .filter(|tlp| !tlp.is_restricted())
        .map(|tlp| format!("'{}'", tlp.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One row's columns read as the model's types; a value the model refuses is a corrupt row of
/// `what` (the store wrote it, so it should never be).
pub(crate) struct Columns<'row> {
    row: &'row sqlx::any::AnyRow,
    what: &'static str,
}

impl<'row> Columns<'row> {
    pub(crate) fn of(row: &'row sqlx::any::AnyRow, what: &'static str) -> Columns<'row> {
        Columns { row, what }
    }

    /// A column as it is stored (text, a number, a flag).
    pub(crate) fn get<T>(&self, column: &str) -> Result<T, StoreError>
    where
        T: for<'value> sqlx::Decode<'value, sqlx::Any> + sqlx::Type<sqlx::Any>,
    {
        use sqlx::Row;
        Ok(self.row.try_get(column)?)
    }

    /// A party id.
    pub(crate) fn party(&self, column: &str) -> Result<redline_model::PartyId, StoreError> {
        let text: String = self.get(column)?;
        redline_model::PartyId::parse(&text).map_err(|error| corrupt(self.what, error))
    }

    /// A time kept as microseconds since the epoch.
    pub(crate) fn timestamp(&self, column: &str) -> Result<Timestamp, StoreError> {
        timestamp_from_column(self.what, self.get(column)?)
    }

    /// The same, where the column may be NULL.
    pub(crate) fn optional_timestamp(&self, column: &str) -> Result<Option<Timestamp>, StoreError> {
        let value: Option<i64> = self.get(column)?;
        value
            .map(|value| timestamp_from_column(self.what, value))
            .transpose()
    }

    /// A column of text the model parses (`IncidentId::parse`, `CountryCode::parse`, …).
    pub(crate) fn parsed<T, E: ToString>(
        &self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, StoreError> {
        let text: String = self.get(column)?;
        parse(&text).map_err(|error| corrupt(self.what, error))
    }

    /// The same, where the column may be NULL.
    pub(crate) fn optional_parsed<T, E: ToString>(
        &self,
        column: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<Option<T>, StoreError> {
        let text: Option<String> = self.get(column)?;
        text.map(|text| parse(&text).map_err(|error| corrupt(self.what, error)))
            .transpose()
    }

    /// A word of one of the model's vocabularies (`ClaimStatus::parse`, …); `name` names the
    /// vocabulary in the error.
    pub(crate) fn word<T>(
        &self,
        column: &str,
        name: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<T, StoreError> {
        let text: String = self.get(column)?;
        parse(&text).ok_or_else(|| corrupt(self.what, format!("unknown {name} `{text}`")))
    }

    /// A UUID kept as text.
    pub(crate) fn uuid(&self, column: &str) -> Result<uuid::Uuid, StoreError> {
        self.parsed(column, uuid::Uuid::try_parse)
    }

    /// A count or version kept as an integer.
    pub(crate) fn count(&self, column: &str) -> Result<u32, StoreError> {
        let value: i64 = self.get(column)?;
        u32::try_from(value).map_err(|error| corrupt(self.what, error))
    }

    /// A TLP label.
    pub(crate) fn tlp(&self, column: &str) -> Result<redline_model::Tlp, StoreError> {
        let text: String = self.get(column)?;
        redline_model::Tlp::parse(&text)
            .ok_or_else(|| corrupt(self.what, format!("unknown TLP `{text}`")))
    }

    /// The party id of `party_id`, parsed.
    pub(crate) fn party_id(&self) -> Result<redline_model::PartyId, StoreError> {
        self.party("party_id")
    }

    /// An NCISS severity level (0 to 5), kept as an integer.
    pub(crate) fn severity_level(&self, column: &str) -> Result<u8, StoreError> {
        let value: i64 = self.get(column)?;
        u8::try_from(value).map_err(|error| corrupt(self.what, error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unrestricted_labels_are_clear_and_green() {
        assert_eq!(unrestricted_tlp_labels(), "'clear', 'green'");
    }

    #[test]
    fn a_filter_numbers_its_placeholders_in_binding_order() {
        let mut filter = SqlFilter::default();
        assert_eq!(filter.where_clause(), "");
        filter.equals("c.incident_id", "i-1");
        filter.one_of("r.kind", ["claim".to_string(), "decision".to_string()]);
        filter.one_of("r.kind", Vec::new());
        let party = redline_model::PartyId::parse("EE").expect("a party id");
        filter.readable_by(&party, "c.tlp", |placeholder| {
            format!("EXISTS (SELECT 1 FROM readers WHERE party_id = {placeholder})")
        });
        assert_eq!(
            filter.where_clause(),
            "WHERE c.incident_id = $1 AND r.kind IN ($2, $3) AND (c.tlp IN ('clear', 'green') OR EXISTS (SELECT 1 FROM readers WHERE party_id = $4))"
        );
        assert_eq!(filter.values, ["i-1", "claim", "decision", "EE"]);
    }
}
