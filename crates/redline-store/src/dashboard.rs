//! Read-only aggregate queries for the public dashboard: counts grouped in SQL (by severity, by
//! month, by reporter) and short lists, over the incidents of one TLP label.
//!
//! The store holds no rule about what is public: the node passes the label (`clear`) in. JSON
//! fields are read with each database's own JSON functions (`json_extract` on SQLite, `jsonb`
//! operators on PostgreSQL), so no request ever loads every incident into memory.

use sqlx::{AssertSqlSafe, Row};

// Every SQL text below is assembled from constant fragments chosen by the backend; values are
// always bound as parameters, never formatted in, so the texts are safe to assert.

use async_trait::async_trait;

use crate::StoreError;
use crate::sql_helpers::Backend;

/// The dashboard's read-only aggregates over incidents of one TLP label and the hotline.
#[async_trait]
pub trait DashboardStore: Send + Sync {
    /// Changes whenever an incident or an assessment is written (for caches).
    async fn dashboard_fingerprint(&self) -> Result<DashboardFingerprint, StoreError>;
    /// Incidents labelled `tlp`, counted by the severity of their latest assessment.
    async fn dashboard_counts_by_severity(
        &self,
        tlp: &str,
    ) -> Result<Vec<SeverityCount>, StoreError>;
    /// Incidents labelled `tlp`, counted by the month (`YYYY-MM`, UTC) they were first observed.
    async fn dashboard_counts_by_month(&self, tlp: &str) -> Result<Vec<(String, u64)>, StoreError>;
    /// Incidents labelled `tlp`, counted by reporter and by suspected state.
    async fn dashboard_counts_by_party(
        &self,
        tlp: &str,
    ) -> Result<std::collections::BTreeMap<String, PartyIncidentCounts>, StoreError>;
    /// A page of incidents with the fields a dashboard listing shows, newest first.
    async fn dashboard_list_incidents(
        &self,
        query: &DashboardIncidentQuery,
    ) -> Result<Vec<DashboardIncidentRow>, StoreError>;
    /// Changes whenever the hotline writes (for caches of its figures).
    async fn dashboard_hotline_fingerprint(
        &self,
    ) -> Result<DashboardHotlineFingerprint, StoreError>;
    /// Acknowledgement and communication-check timeliness at `now_us`: counts and times only.
    async fn dashboard_hotline_figures(
        &self,
        now_us: i64,
    ) -> Result<DashboardHotlineFigures, StoreError>;
    /// The sequence of a party's newest hotline event, 0 when it has none.
    async fn dashboard_latest_event_sequence(&self, party: &str) -> Result<i64, StoreError>;
}

/// The dashboard's queries over the store's read connections.
pub(crate) struct DashboardReads<'a> {
    pub(crate) pool: &'a sqlx::AnyPool,
    pub(crate) backend: Backend,
}

// The hotline's deadline outcome (`redline_hotline::deadline::deadline_outcome`: met, late,
// missed, pending) as SQL predicates over a done-at column and a deadline column, with `$1`
// the time "now" (all integer microseconds). Kept in SQL so the figures are counted by the
// database; `deadline_predicates_agree_with_the_hotline_rule` runs them over a table of cases
// beside the Rust function. Each expands to a string literal, so queries stay `&'static str`.

/// The matter is due: done, or its deadline has passed (outcome is not `pending`).
macro_rules! deadline_is_due {
    ($done:literal, $deadline:literal) => {
        concat!("(", $done, " IS NOT NULL OR ", $deadline, " < $1)")
    };
}

/// The duty was done, on time or late (`met` or `late`).
macro_rules! deadline_is_done {
    ($done:literal, $deadline:literal) => {
        concat!("(", $done, " IS NOT NULL)")
    };
}

/// The duty was done at or before its deadline (`met`).
macro_rules! deadline_is_met {
    ($done:literal, $deadline:literal) => {
        concat!(
            "(",
            $done,
            " IS NOT NULL AND ",
            $done,
            " <= ",
            $deadline,
            ")"
        )
    };
}

/// `SUM(CASE WHEN <predicate> THEN 1 ELSE 0 END)`.
macro_rules! count_where {
    ($predicate:expr) => {
        concat!("SUM(CASE WHEN ", $predicate, " THEN 1 ELSE 0 END)")
    };
}

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

/// A per-party aggregate: the public incidents it reported. (A reporter's suspected origin is
/// never counted in public: a state is named only through an attribution claim.)
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PartyIncidentCounts {
    pub reported: u64,
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

impl DashboardReads<'_> {
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
        .fetch_one(self.pool)
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
        let rows = sqlx::query(
            "SELECT latest_severity_level, COALESCE(latest_severity_name, ''), COALESCE(latest_severity_colour, ''), COUNT(*) \
             FROM incidents WHERE tlp = $1 GROUP BY 1, 2, 3",
        )
        .bind(tlp)
        .fetch_all(self.pool)
        .await?;
        let mut counts = Vec::with_capacity(rows.len());
        for row in rows {
            counts.push(SeverityCount {
                level: row
                    .try_get::<Option<i64>, _>(0)?
                    .and_then(|level| u8::try_from(level).ok()),
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
            "SELECT {month}, COUNT(*) FROM incidents i WHERE i.tlp = $1 GROUP BY 1 ORDER BY 1",
            month = month_of(self.backend, "i.first_observed_us"),
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(tlp)
            .fetch_all(self.pool)
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
        let reported = sqlx::query(
            "SELECT i.reported_by, COUNT(*) FROM incidents i WHERE i.tlp = $1 GROUP BY 1",
        )
        .bind(tlp)
        .fetch_all(self.pool)
        .await?;
        for row in reported {
            let party: String = row.try_get(0)?;
            counts.entry(party).or_default().reported = to_count(row.try_get(1)?);
        }
        Ok(counts)
    }

    pub(crate) async fn dashboard_list_incidents_query(
        &self,
        query: &DashboardIncidentQuery,
    ) -> Result<Vec<DashboardIncidentRow>, StoreError> {
        let backend = self.backend;
        // The filters read the summary columns; only the page's own rows (at most `limit`)
        // have their report and latest assessment opened for the title and the red lines.
        let title = json_text(backend, "f.record", &["report", "title"]);
        let confidence = json_text(
            backend,
            "f.record",
            &["report", "suspected_origin", "confidence"],
        );
        let red_lines = match backend {
            Backend::Sqlite => format!("json_extract({LATEST_ASSESSMENT}, '$.red_lines')"),
            Backend::Postgres => {
                format!("CAST(CAST({LATEST_ASSESSMENT} AS jsonb) -> 'red_lines' AS TEXT)")
            }
        };
        let sql = format!(
            "SELECT i.sequence, i.id, {title}, i.reported_by, i.victim, i.first_observed_us, i.suspected_state, {confidence}, \
                    i.latest_severity_level, i.latest_severity_name, i.latest_severity_colour, i.latest_legal_certainty, {red_lines} \
             FROM ( \
               SELECT f.sequence, f.record FROM incidents f \
               WHERE f.tlp = $1 \
                 AND ($2 IS NULL OR f.suspected_state = $2) \
                 AND ($3 IS NULL OR f.reported_by = $3) \
                 AND ($4 = 0 OR f.latest_red_line_count > 0) \
                 AND ($5 IS NULL OR f.sequence < $5) \
               ORDER BY f.sequence DESC LIMIT $6) f \
             JOIN incidents i ON i.sequence = f.sequence \
             ORDER BY i.sequence DESC"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(query.tlp.as_str())
            .bind(query.attributed_to.as_deref())
            .bind(query.reported_by.as_deref())
            .bind(i64::from(query.crossing_red_lines))
            .bind(query.before_sequence)
            .bind(i64::from(query.limit))
            .fetch_all(self.pool)
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
                severity_level: row
                    .try_get::<Option<i64>, _>(8)?
                    .and_then(|level| u8::try_from(level).ok()),
                severity_name: row.try_get(9)?,
                severity_colour: row.try_get(10)?,
                certainty: row.try_get(11)?,
                red_lines_json: row.try_get(12)?,
            });
        }
        Ok(listing)
    }
}

// --- hotline figures ------------------------------------------------------------------------------
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
impl DashboardReads<'_> {
    pub(crate) async fn dashboard_hotline_fingerprint_query(
        &self,
    ) -> Result<DashboardHotlineFingerprint, StoreError> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM hotline_messages), (SELECT COUNT(*) FROM hotline_events)",
        )
        .fetch_one(self.pool)
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
        let threads = sqlx::query(concat!(
            "SELECT COALESCE(",
            count_where!(deadline_is_due!("acknowledged_at_us", "acknowledge_by_us")),
            ", 0), COALESCE(",
            count_where!(deadline_is_met!("acknowledged_at_us", "acknowledge_by_us")),
            ", 0) FROM hotline_threads WHERE acknowledge_by_us IS NOT NULL AND exercise = 0"
        ))
        .bind(now_us)
        .fetch_one(self.pool)
        .await?;
        figures.notifications_due = to_count(threads.try_get(0)?);
        figures.notifications_acknowledged_on_time = to_count(threads.try_get(1)?);

        // Per recipient of a thread that asks for an acknowledgement (a participant row with
        // `acknowledge_by_us`; migration 0009 says which count): due, acknowledged, on time.
        let per_party = sqlx::query(
            concat!(
                "SELECT party_id, ",
                count_where!(deadline_is_due!("acknowledged_at_us", "acknowledge_by_us")),
                ", ",
                count_where!(deadline_is_done!("acknowledged_at_us", "acknowledge_by_us")),
                ", ",
                count_where!(deadline_is_met!("acknowledged_at_us", "acknowledge_by_us")),
                " FROM hotline_thread_participants WHERE acknowledge_by_us IS NOT NULL GROUP BY party_id"
            ),
        )
        .bind(now_us)
        .fetch_all(self.pool)
        .await?;
        for row in per_party {
            let party: String = row.try_get(0)?;
            let entry = figures.by_party.entry(party).or_default();
            entry.acknowledgements_due = to_count(row.try_get(1)?);
            entry.acknowledged = to_count(row.try_get(2)?);
            entry.acknowledged_on_time = to_count(row.try_get(3)?);
        }

        // The lower median per party: the ((n + 1) / 2)-th smallest delay of its n
        // acknowledgements, one seek into the delay index each.
        for (party, entry) in &mut figures.by_party {
            if entry.acknowledged == 0 {
                continue;
            }
            let position = i64::try_from(entry.acknowledged.div_ceil(2) - 1).unwrap_or(0);
            let delay: Option<i64> = sqlx::query(
                "SELECT acknowledgement_delay_us FROM hotline_thread_participants \
                 WHERE acknowledge_by_us IS NOT NULL AND acknowledgement_delay_us IS NOT NULL AND party_id = $1 \
                 ORDER BY acknowledgement_delay_us LIMIT 1 OFFSET $2",
            )
            .bind(party.as_str())
            .bind(position)
            .fetch_optional(self.pool)
            .await?
            .map(|row| row.try_get(0))
            .transpose()?;
            entry.median_microseconds_to_acknowledge = delay.map(|delay| delay.max(0));
        }

        let checks = sqlx::query(concat!(
            "SELECT x.party_id, ",
            count_where!(deadline_is_due!("x.answered_at_us", "c.reply_by_us")),
            ", ",
            count_where!(deadline_is_done!("x.answered_at_us", "c.reply_by_us")),
            ", ",
            count_where!(deadline_is_met!("x.answered_at_us", "c.reply_by_us")),
            " FROM communication_check_targets x JOIN communication_checks c ON c.id = x.check_id \
                 WHERE c.exercise = 0 \
                 GROUP BY x.party_id"
        ))
        .bind(now_us)
        .fetch_all(self.pool)
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

impl DashboardReads<'_> {
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
        .fetch_one(self.pool)
        .await?;
        Ok(row.try_get(0)?)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use redline_hotline::deadline::{DeadlineOutcome, deadline_outcome};
    use redline_model::Timestamp;
    use sqlx::{Connection, Row};

    /// "Now" for every case, in microseconds.
    const NOW: i64 = 1_700_000_000_000_000;

    /// (deadline, done at) in microseconds around `NOW`: before, at and after the deadline,
    /// with the deadline before, at and after now.
    const CASES: &[(i64, Option<i64>)] = &[
        (NOW - 10, Some(NOW - 20)),
        (NOW - 10, Some(NOW - 10)),
        (NOW - 10, Some(NOW - 9)),
        (NOW - 10, None),
        (NOW, None),
        (NOW, Some(NOW)),
        (NOW, Some(NOW + 1)),
        (NOW + 10, None),
        (NOW + 10, Some(NOW - 5)),
        (NOW + 10, Some(NOW + 10)),
        (NOW + 10, Some(NOW + 11)),
        (NOW + 1, None),
        (NOW - 1, None),
    ];

    fn rust_outcome(deadline: i64, done_at: Option<i64>) -> DeadlineOutcome {
        let at = |microseconds| Timestamp::from_microseconds(microseconds).unwrap();
        deadline_outcome(at(deadline), done_at.map(at), at(NOW))
    }

    /// The outcome of every case by the SQL predicates, as the dashboard's queries count them.
    async fn sql_outcomes(connection: &mut sqlx::AnyConnection) -> Vec<DeadlineOutcome> {
        sqlx::query(
            "CREATE TEMPORARY TABLE deadline_cases \
             (position BIGINT NOT NULL, done_us BIGINT, deadline_us BIGINT NOT NULL)",
        )
        .execute(&mut *connection)
        .await
        .unwrap();
        for (position, (deadline, done_at)) in CASES.iter().enumerate() {
            sqlx::query(
                "INSERT INTO deadline_cases (position, done_us, deadline_us) VALUES ($1, $2, $3)",
            )
            .bind(position as i64)
            .bind(*done_at)
            .bind(*deadline)
            .execute(&mut *connection)
            .await
            .unwrap();
        }
        let rows = sqlx::query(concat!(
            "SELECT position, ",
            count_where!(deadline_is_due!("done_us", "deadline_us")),
            ", ",
            count_where!(deadline_is_done!("done_us", "deadline_us")),
            ", ",
            count_where!(deadline_is_met!("done_us", "deadline_us")),
            " FROM deadline_cases GROUP BY position ORDER BY position"
        ))
        .bind(NOW)
        .fetch_all(&mut *connection)
        .await
        .unwrap();
        rows.iter()
            .map(|row| {
                let flags = (
                    row.try_get::<i64, _>(1).unwrap() == 1,
                    row.try_get::<i64, _>(2).unwrap() == 1,
                    row.try_get::<i64, _>(3).unwrap() == 1,
                );
                match flags {
                    (true, true, true) => DeadlineOutcome::Met,
                    (true, true, false) => DeadlineOutcome::Late,
                    (true, false, false) => DeadlineOutcome::Missed,
                    (false, false, false) => DeadlineOutcome::Pending,
                    other => panic!("the SQL predicates contradict each other: {other:?}"),
                }
            })
            .collect()
    }

    async fn check_on(url: &str) {
        sqlx::any::install_default_drivers();
        let mut connection = sqlx::AnyConnection::connect(url).await.unwrap();
        let by_sql = sql_outcomes(&mut connection).await;
        connection.close().await.unwrap();
        let by_rust: Vec<DeadlineOutcome> = CASES
            .iter()
            .map(|(deadline, done_at)| rust_outcome(*deadline, *done_at))
            .collect();
        assert_eq!(by_sql, by_rust, "on {url}, cases {CASES:?}");
        for outcome in DeadlineOutcome::ALL {
            assert!(by_rust.contains(outcome), "no case gives {outcome:?}");
        }
    }

    #[tokio::test]
    async fn deadline_predicates_agree_with_the_hotline_rule() {
        check_on("sqlite::memory:").await;
        match std::env::var("TEST_POSTGRES_URL") {
            Ok(url) => check_on(&url).await,
            Err(_) => assert!(
                std::env::var("REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "REQUIRE_POSTGRES=1 but TEST_POSTGRES_URL is not set"
            ),
        }
    }
}
