//! Read-only aggregate queries for the public dashboard: counts grouped in SQL (by severity, by
//! month, by reporter, by suspected state) and short lists, over the incidents of one TLP label.
//!
//! The store holds no rule about what is public: the node passes the label (`clear`) in. JSON
//! fields are read with each database's own JSON functions (`json_extract` on SQLite, `jsonb`
//! operators on PostgreSQL), so no request ever loads every incident into memory.

use sqlx::{AssertSqlSafe, Row};

// Every SQL text below is assembled from constant fragments chosen by the backend; values are
// always bound as parameters, never formatted in, so the texts are safe to assert.

use crate::{Backend, SqlStore, StoreError};

/// What changes whenever an incident or an assessment is written: a cache built from the
/// aggregate queries is current while the fingerprint is unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DashboardFingerprint {
    pub incidents: i64,
    pub incident_versions: i64,
    pub assessments: i64,
    pub adoptions: i64,
}

/// How many incidents were assessed at one severity level (from each incident's latest
/// assessment); `level` is `None` for incidents without an assessment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeverityCount {
    pub level: Option<u8>,
    pub name: String,
    pub colour: String,
    pub count: u64,
}

/// A per-party aggregate: incidents it reported, incidents whose suspected origin is it, and of
/// those how many crossed at least one red line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PartyIncidentCounts {
    pub reported: u64,
    pub attributed: u64,
    pub attributed_crossing_red_lines: u64,
}

/// One incident as a dashboard listing shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardIncidentRow {
    pub sequence: i64,
    pub id: String,
    pub title: String,
    pub reported_by: String,
    pub victim: String,
    pub first_observed_us: i64,
    pub suspected_state: Option<String>,
    pub confidence: Option<String>,
    pub severity_level: Option<u8>,
    pub severity_name: Option<String>,
    pub severity_colour: Option<String>,
    /// The latest assessment's legal certainty (`low`, `medium`, `high`).
    pub certainty: Option<String>,
    /// The latest assessment's `red_lines` array as JSON text (`[]` when none).
    pub red_lines_json: Option<String>,
}

/// Which incidents a dashboard listing returns.
#[derive(Debug, Clone, Default)]
pub struct DashboardIncidentQuery {
    /// Only incidents with this TLP label (the node passes `clear`).
    pub tlp: String,
    /// Only incidents whose suspected origin is this state.
    pub attributed_to: Option<String>,
    /// Only incidents reported by this party.
    pub reported_by: Option<String>,
    /// Only incidents whose latest assessment crossed at least one red line.
    pub crossing_red_lines: bool,
    /// Continue after this sequence (newest first).
    pub before_sequence: Option<i64>,
    pub limit: u32,
}

fn json_text(backend: Backend, expression: &str, path: &[&str]) -> String {
    match backend {
        Backend::Sqlite => format!(
            "CAST(json_extract({expression}, '$.{}') AS TEXT)",
            path.join(".")
        ),
        Backend::Postgres => format!("(CAST({expression} AS jsonb) #>> '{{{}}}')", path.join(",")),
    }
}

fn json_array_length(backend: Backend, expression: &str, field: &str) -> String {
    match backend {
        Backend::Sqlite => format!("COALESCE(json_array_length({expression}, '$.{field}'), 0)"),
        Backend::Postgres => {
            format!("COALESCE(jsonb_array_length(CAST({expression} AS jsonb) -> '{field}'), 0)")
        }
    }
}

fn month_of(backend: Backend, microseconds: &str) -> String {
    match backend {
        Backend::Sqlite => format!("strftime('%Y-%m', {microseconds} / 1000000, 'unixepoch')"),
        Backend::Postgres => format!(
            "to_char(to_timestamp({microseconds} / 1000000.0) AT TIME ZONE 'UTC', 'YYYY-MM')"
        ),
    }
}

/// The latest assessment of the incident `i` (a correlated subquery).
const LATEST_ASSESSMENT: &str = "(SELECT a.assessment FROM assessments a WHERE a.incident_id = i.id ORDER BY a.incident_version DESC, a.assessed_at_us DESC LIMIT 1)";

fn to_count(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

fn parse_level(text: Option<String>) -> Option<u8> {
    text.and_then(|text| text.trim().parse().ok())
}

impl SqlStore {
    fn tlp_of_incident(&self) -> String {
        json_text(self.backend, "i.record", &["report", "tlp"])
    }

    pub(crate) async fn dashboard_fingerprint_query(
        &self,
    ) -> Result<DashboardFingerprint, StoreError> {
        // Counts only: they are answered from the smallest index, never by reading the large
        // record columns. Every submit and update adds an incident version and an assessment;
        // re-assessments follow adoptions, which the node counts itself.
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM incidents), \
                    (SELECT COUNT(*) FROM incident_versions), \
                    (SELECT COUNT(*) FROM assessments), \
                    (SELECT COUNT(*) FROM norms_adoptions)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(DashboardFingerprint {
            incidents: row.try_get(0)?,
            incident_versions: row.try_get(1)?,
            assessments: row.try_get(2)?,
            adoptions: row.try_get(3)?,
        })
    }

    pub(crate) async fn dashboard_counts_by_severity_query(
        &self,
        tlp: &str,
    ) -> Result<Vec<SeverityCount>, StoreError> {
        let level = json_text(self.backend, "latest.assessment", &["severity", "level"]);
        let name = json_text(self.backend, "latest.assessment", &["severity", "name"]);
        let colour = json_text(self.backend, "latest.assessment", &["severity", "colour"]);
        let sql = format!(
            "SELECT {level}, COALESCE({name}, ''), COALESCE({colour}, ''), COUNT(*) FROM \
               (SELECT {LATEST_ASSESSMENT} AS assessment FROM incidents i WHERE {tlp_of} = $1) latest \
             GROUP BY 1, 2, 3",
            tlp_of = self.tlp_of_incident()
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(tlp)
            .fetch_all(&self.pool)
            .await?;
        let mut counts = Vec::with_capacity(rows.len());
        for row in rows {
            counts.push(SeverityCount {
                level: parse_level(row.try_get(0)?),
                name: row.try_get(1)?,
                colour: row.try_get(2)?,
                count: to_count(row.try_get(3)?),
            });
        }
        counts.sort_by_key(|count| count.level);
        Ok(counts)
    }

    pub(crate) async fn dashboard_counts_by_month_query(
        &self,
        tlp: &str,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        let sql = format!(
            "SELECT {month}, COUNT(*) FROM incidents i WHERE {tlp_of} = $1 GROUP BY 1 ORDER BY 1",
            month = month_of(self.backend, "i.first_observed_us"),
            tlp_of = self.tlp_of_incident()
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(tlp)
            .fetch_all(&self.pool)
            .await?;
        let mut counts = Vec::with_capacity(rows.len());
        for row in rows {
            counts.push((row.try_get(0)?, to_count(row.try_get(1)?)));
        }
        Ok(counts)
    }

    pub(crate) async fn dashboard_counts_by_party_query(
        &self,
        tlp: &str,
    ) -> Result<std::collections::BTreeMap<String, PartyIncidentCounts>, StoreError> {
        let mut counts: std::collections::BTreeMap<String, PartyIncidentCounts> =
            Default::default();
        let tlp_of = self.tlp_of_incident();
        let reported = sqlx::query(AssertSqlSafe(format!(
            "SELECT i.reported_by, COUNT(*) FROM incidents i WHERE {tlp_of} = $1 GROUP BY 1"
        )))
        .bind(tlp)
        .fetch_all(&self.pool)
        .await?;
        for row in reported {
            let party: String = row.try_get(0)?;
            counts.entry(party).or_default().reported = to_count(row.try_get(1)?);
        }
        let state = json_text(
            self.backend,
            "i.record",
            &["report", "suspected_origin", "state"],
        );
        let crossed = json_array_length(self.backend, LATEST_ASSESSMENT, "red_lines");
        let attributed = sqlx::query(AssertSqlSafe(format!(
            "SELECT {state}, COUNT(*), SUM(CASE WHEN {crossed} > 0 THEN 1 ELSE 0 END) \
             FROM incidents i WHERE {tlp_of} = $1 AND {state} IS NOT NULL GROUP BY 1"
        )))
        .bind(tlp)
        .fetch_all(&self.pool)
        .await?;
        for row in attributed {
            let party: String = row.try_get(0)?;
            let entry = counts.entry(party).or_default();
            entry.attributed = to_count(row.try_get(1)?);
            entry.attributed_crossing_red_lines = to_count(row.try_get(2)?);
        }
        Ok(counts)
    }

    pub(crate) async fn dashboard_list_incidents_query(
        &self,
        query: &DashboardIncidentQuery,
    ) -> Result<Vec<DashboardIncidentRow>, StoreError> {
        let backend = self.backend;
        let tlp_of = self.tlp_of_incident();
        let title = json_text(backend, "i.record", &["report", "title"]);
        let state = json_text(
            backend,
            "i.record",
            &["report", "suspected_origin", "state"],
        );
        let confidence = json_text(
            backend,
            "i.record",
            &["report", "suspected_origin", "confidence"],
        );
        let crossed = json_array_length(backend, LATEST_ASSESSMENT, "red_lines");
        let level = json_text(backend, "f.assessment", &["severity", "level"]);
        let name = json_text(backend, "f.assessment", &["severity", "name"]);
        let colour = json_text(backend, "f.assessment", &["severity", "colour"]);
        let certainty = json_text(backend, "f.assessment", &["legal", "certainty"]);
        let red_lines = match backend {
            Backend::Sqlite => "json_extract(f.assessment, '$.red_lines')".to_string(),
            Backend::Postgres => "CAST(CAST(f.assessment AS jsonb) -> 'red_lines' AS TEXT)".into(),
        };
        let sql = format!(
            "SELECT f.sequence, f.id, f.title, f.reported_by, f.victim, f.first_observed_us, f.state, f.confidence, \
                    {level}, {name}, {colour}, {certainty}, {red_lines} FROM ( \
               SELECT i.sequence, i.id, {title} AS title, i.reported_by, i.victim, i.first_observed_us, \
                      {state} AS state, {confidence} AS confidence, {LATEST_ASSESSMENT} AS assessment \
               FROM incidents i \
               WHERE {tlp_of} = $1 \
                 AND ($2 IS NULL OR {state} = $2) \
                 AND ($3 IS NULL OR i.reported_by = $3) \
                 AND ($4 = 0 OR {crossed} > 0) \
                 AND ($5 IS NULL OR i.sequence < $5) \
               ORDER BY i.sequence DESC LIMIT $6) f \
             ORDER BY f.sequence DESC"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(query.tlp.as_str())
            .bind(query.attributed_to.as_deref())
            .bind(query.reported_by.as_deref())
            .bind(i64::from(query.crossing_red_lines))
            .bind(query.before_sequence)
            .bind(i64::from(query.limit))
            .fetch_all(&self.pool)
            .await?;
        let mut listing = Vec::with_capacity(rows.len());
        for row in rows {
            listing.push(DashboardIncidentRow {
                sequence: row.try_get(0)?,
                id: row.try_get(1)?,
                title: row.try_get::<Option<String>, _>(2)?.unwrap_or_default(),
                reported_by: row.try_get(3)?,
                victim: row.try_get(4)?,
                first_observed_us: row.try_get(5)?,
                suspected_state: row.try_get(6)?,
                confidence: row.try_get(7)?,
                severity_level: parse_level(row.try_get(8)?),
                severity_name: row.try_get(9)?,
                severity_colour: row.try_get(10)?,
                certainty: row.try_get(11)?,
                red_lines_json: row.try_get(12)?,
            });
        }
        Ok(listing)
    }
}
