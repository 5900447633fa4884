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
