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

// --- hotline figures (issue 7) -------------------------------------------------------------------
//
// Counts and times only: no query below reads a message's envelope, a thread's incident or its
// TLP label, so nothing of what a thread is about can reach a public page.

/// What changes whenever the hotline writes (a message, a delivery, a deadline, a check answer):
/// every hotline write adds at least one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DashboardHotlineFingerprint {
    pub messages: i64,
    pub events: i64,
}

/// One party's timeliness on the hotline.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PartyHotlineFigures {
    /// Notifications addressed to the party whose acknowledgement is in or whose deadline has
    /// passed.
    pub acknowledgements_due: u64,
    /// Of those, acknowledged by the party itself.
    pub acknowledged: u64,
    /// Of those, acknowledged by the party by the deadline.
    pub acknowledged_on_time: u64,
    /// The (lower) median time from the notification's arrival to the party's acknowledgement.
    pub median_microseconds_to_acknowledge: Option<i64>,
    /// Communication checks sent to the party that it answered or whose deadline has passed.
    pub checks_due: u64,
    pub checks_answered: u64,
    pub checks_answered_in_time: u64,
}

/// The hotline's public figures: per notification thread, per communication-check target, and
/// per party.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DashboardHotlineFigures {
    /// Notification threads whose acknowledgement is in or whose deadline has passed.
    pub notifications_due: u64,
    /// Of those, acknowledged (by any recipient) by the deadline.
    pub notifications_acknowledged_on_time: u64,
    /// Check targets that answered or whose deadline has passed.
    pub checks_due: u64,
    pub checks_answered_in_time: u64,
    pub by_party: std::collections::BTreeMap<String, PartyHotlineFigures>,
}

/// Exercise threads and checks are never counted: an exercise must not pass for a real record.
///
/// Per recipient of a thread that asks for an acknowledgement: when the thread opened, its
/// deadline, and the recipient's first acknowledgement (a derived table `x`). What acknowledges is
/// what the thread machine counts: an acknowledgement or a clarification request. In a thread of
/// two participants the only recipient's first one is the thread's own `acknowledged_at_us`, read
/// from the thread row; only threads with more recipients look at the messages (whose rows carry
/// the envelopes and are large). `CASE` evaluates the subquery only when needed, on both
/// databases.
const RECIPIENT_ACKNOWLEDGEMENTS: &str = "SELECT p.party_id AS party, t.opened_at_us AS opened_at_us, t.acknowledge_by_us AS acknowledge_by_us, \
       CASE WHEN (SELECT COUNT(*) FROM hotline_thread_participants q WHERE q.thread_id = t.id) = 2 \
            THEN t.acknowledged_at_us \
            ELSE (SELECT MIN(m.received_at_us) FROM hotline_messages m \
                   WHERE m.thread_id = t.id AND m.from_party = p.party_id \
                     AND m.kind IN ('acknowledgement', 'clarification-request')) END AS acknowledged_at_us \
     FROM hotline_threads t JOIN hotline_thread_participants p ON p.thread_id = t.id \
     WHERE t.acknowledge_by_us IS NOT NULL AND p.party_id <> t.opened_by AND t.exercise = 0";

impl SqlStore {
    pub(crate) async fn dashboard_hotline_fingerprint_query(
        &self,
    ) -> Result<DashboardHotlineFingerprint, StoreError> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM hotline_messages), (SELECT COUNT(*) FROM hotline_events)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(DashboardHotlineFingerprint {
            messages: row.try_get(0)?,
            events: row.try_get(1)?,
        })
    }

    /// The hotline's figures at `now_us` (a deadline that has passed by then counts as due).
    pub(crate) async fn dashboard_hotline_figures_query(
        &self,
        now_us: i64,
    ) -> Result<DashboardHotlineFigures, StoreError> {
        let mut figures = DashboardHotlineFigures::default();
        let threads = sqlx::query(
            "SELECT COALESCE(SUM(CASE WHEN acknowledged_at_us IS NOT NULL OR acknowledge_by_us < $1 THEN 1 ELSE 0 END), 0), \
                    COALESCE(SUM(CASE WHEN acknowledged_at_us IS NOT NULL AND acknowledged_at_us <= acknowledge_by_us THEN 1 ELSE 0 END), 0) \
             FROM hotline_threads WHERE acknowledge_by_us IS NOT NULL AND exercise = 0",
        )
        .bind(now_us)
        .fetch_one(&self.pool)
        .await?;
        figures.notifications_due = to_count(threads.try_get(0)?);
        figures.notifications_acknowledged_on_time = to_count(threads.try_get(1)?);

        let per_party = sqlx::query(AssertSqlSafe(format!(
            "SELECT x.party, \
                    SUM(CASE WHEN x.acknowledged_at_us IS NOT NULL OR x.acknowledge_by_us < $1 THEN 1 ELSE 0 END), \
                    SUM(CASE WHEN x.acknowledged_at_us IS NOT NULL THEN 1 ELSE 0 END), \
                    SUM(CASE WHEN x.acknowledged_at_us IS NOT NULL AND x.acknowledged_at_us <= x.acknowledge_by_us THEN 1 ELSE 0 END) \
             FROM ({RECIPIENT_ACKNOWLEDGEMENTS}) x GROUP BY x.party"
        )))
        .bind(now_us)
        .fetch_all(&self.pool)
        .await?;
        for row in per_party {
            let party: String = row.try_get(0)?;
            let entry = figures.by_party.entry(party).or_default();
            entry.acknowledgements_due = to_count(row.try_get(1)?);
            entry.acknowledged = to_count(row.try_get(2)?);
            entry.acknowledged_on_time = to_count(row.try_get(3)?);
        }

        // The lower median per party, with window functions (SQLite 3.25+ and PostgreSQL).
        let medians = sqlx::query(AssertSqlSafe(format!(
            "SELECT r.party, r.delay FROM ( \
               SELECT x.party AS party, x.acknowledged_at_us - x.opened_at_us AS delay, \
                      ROW_NUMBER() OVER (PARTITION BY x.party ORDER BY x.acknowledged_at_us - x.opened_at_us) AS position, \
                      COUNT(*) OVER (PARTITION BY x.party) AS total \
               FROM ({RECIPIENT_ACKNOWLEDGEMENTS}) x WHERE x.acknowledged_at_us IS NOT NULL) r \
             WHERE r.position = (r.total + 1) / 2"
        )))
        .fetch_all(&self.pool)
        .await?;
        for row in medians {
            let party: String = row.try_get(0)?;
            let delay: i64 = row.try_get(1)?;
            figures
                .by_party
                .entry(party)
                .or_default()
                .median_microseconds_to_acknowledge = Some(delay.max(0));
        }

        let checks = sqlx::query(
            "SELECT x.party_id, \
                    SUM(CASE WHEN x.answered_at_us IS NOT NULL OR c.reply_by_us < $1 THEN 1 ELSE 0 END), \
                    SUM(CASE WHEN x.answered_at_us IS NOT NULL THEN 1 ELSE 0 END), \
                    SUM(CASE WHEN x.answered_at_us IS NOT NULL AND x.answered_at_us <= c.reply_by_us THEN 1 ELSE 0 END) \
             FROM communication_check_targets x JOIN communication_checks c ON c.id = x.check_id \
             WHERE c.exercise = 0 \
             GROUP BY x.party_id",
        )
        .bind(now_us)
        .fetch_all(&self.pool)
        .await?;
        for row in checks {
            let party: String = row.try_get(0)?;
            let entry = figures.by_party.entry(party).or_default();
            entry.checks_due = to_count(row.try_get(1)?);
            entry.checks_answered = to_count(row.try_get(2)?);
            entry.checks_answered_in_time = to_count(row.try_get(3)?);
            figures.checks_due += entry.checks_due;
            figures.checks_answered_in_time += entry.checks_answered_in_time;
        }
        Ok(figures)
    }
}

impl SqlStore {
    /// The sequence of `party`'s newest event (0 when it has none), so a console page can
    /// follow the stream from now on without replaying its history.
    pub(crate) async fn dashboard_latest_event_sequence_query(
        &self,
        party: &str,
    ) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT COALESCE(MAX(sequence), 0) FROM hotline_events WHERE party_id = $1",
        )
        .bind(party)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get(0)?)
    }
}
