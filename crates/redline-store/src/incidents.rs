//! Incidents with every version, norms documents and their adoptions, and assessments in the
//! SQL store: the [`IncidentStore`] area. An incident row carries, beside its JSON record, the
//! columns lists filter on (victim, reporter, status, sectors, readers) and a summary of its
//! latest assessment the dashboard counts (migration 0008), and the vulnerabilities its current
//! version names as exploited (`incident_vulnerabilities`, SQLite 0018, PostgreSQL 0019), which a
//! disclosure case's incidents are found by.

use async_trait::async_trait;
use sqlx::{AnyConnection, Row};

use crate::sql_helpers::{
    AnyQuery, ROWS_PER_STATEMENT, classify, corrupt, from_json_text, timestamp_from_column,
    to_json_text, value_placeholders,
};
use crate::{
    IncidentPage, IncidentQuery, IncidentWrite, IncidentsNamingVulnerabilityQuery, NormsAdoption,
    StoreError, StoredAssessment, StoredNormsDocument,
};
use redline_model::{Incident, IncidentId, PartyId};

/// Incidents, the norms documents they are assessed against, and the assessments.
#[async_trait]
pub trait IncidentStore: Send + Sync {
    /// Stores version 1 of a new incident. Conflict if the id exists.
    async fn insert_incident(&self, write: &IncidentWrite) -> Result<(), StoreError>;
    /// Replaces the current version with `write` (whose version must be one more than
    /// `expected_version`), keeping every earlier version. Conflict if the stored version is not
    /// `expected_version`.
    async fn update_incident(
        &self,
        write: &IncidentWrite,
        expected_version: u32,
    ) -> Result<(), StoreError>;
    async fn get_incident(&self, id: &IncidentId) -> Result<Option<Incident>, StoreError>;
    /// Every stored version of an incident, oldest first.
    async fn list_incident_versions(&self, id: &IncidentId) -> Result<Vec<Incident>, StoreError>;
    async fn list_incidents(&self, query: &IncidentQuery) -> Result<IncidentPage, StoreError>;
    async fn count_incidents(&self) -> Result<u64, StoreError>;
    /// The incidents whose current version names the disclosure case, or its CVE id, as
    /// exploited, newest first, filtered by readers and label as the query says.
    async fn list_incidents_naming_vulnerability(
        &self,
        query: &IncidentsNamingVulnerabilityQuery,
    ) -> Result<Vec<Incident>, StoreError>;

    /// Stores a norms document. Conflict if a document with the same SHA-256 is stored.
    async fn insert_norms_document(&self, document: &StoredNormsDocument)
    -> Result<(), StoreError>;
    async fn get_norms_document(
        &self,
        sha256: &str,
    ) -> Result<Option<StoredNormsDocument>, StoreError>;
    /// Every stored document, oldest first.
    async fn list_norms_documents(&self) -> Result<Vec<StoredNormsDocument>, StoreError>;
    async fn insert_norms_adoption(&self, adoption: &NormsAdoption) -> Result<(), StoreError>;
    /// Every adoption, oldest first.
    async fn list_norms_adoptions(&self) -> Result<Vec<NormsAdoption>, StoreError>;
    /// Stores an assessment, replacing one of the same incident version and document.
    async fn put_assessment(&self, assessment: &StoredAssessment) -> Result<(), StoreError>;
    /// The assessment of the newest assessed version of an incident, newest first.
    async fn get_latest_assessment(
        &self,
        incident: &IncidentId,
    ) -> Result<Option<StoredAssessment>, StoreError>;
    /// The first assessment made of one version of an incident (the one made when it came).
    async fn get_first_assessment(
        &self,
        incident: &IncidentId,
        version: u32,
    ) -> Result<Option<StoredAssessment>, StoreError>;
}

/// The columns of an incident row, in the order [`bind_incident_columns`] binds them: the
/// report's own, then the dashboard's summary of its latest assessment (migration 0008).
const INCIDENT_COLUMNS: &str = "id, version, reported_by, victim, status, restricted, first_observed_us, updated_at_us, record, \
     tlp, suspected_state, latest_severity_level, latest_severity_name, latest_severity_colour, latest_red_line_count, latest_legal_certainty";
/// How many values [`bind_incident_columns`] binds.
const INCIDENT_COLUMN_COUNT: usize = 16;
const INSERT_INCIDENT: &str = "INSERT INTO incidents (id, version, reported_by, victim, status, restricted, first_observed_us, updated_at_us, record, \
     tlp, suspected_state, latest_severity_level, latest_severity_name, latest_severity_colour, latest_red_line_count, latest_legal_certainty) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)";
/// An update without an assessment keeps the summary of the latest one ($17 says which).
const UPDATE_INCIDENT: &str = "UPDATE incidents SET version = $2, reported_by = $3, victim = $4, status = $5, restricted = $6, first_observed_us = $7, updated_at_us = $8, record = $9, \
     tlp = $10, suspected_state = $11, \
     latest_severity_level = CASE WHEN $17 = 1 THEN $12 ELSE latest_severity_level END, \
     latest_severity_name = CASE WHEN $17 = 1 THEN $13 ELSE latest_severity_name END, \
     latest_severity_colour = CASE WHEN $17 = 1 THEN $14 ELSE latest_severity_colour END, \
     latest_red_line_count = CASE WHEN $17 = 1 THEN $15 ELSE latest_red_line_count END, \
     latest_legal_certainty = CASE WHEN $17 = 1 THEN $16 ELSE latest_legal_certainty END \
     WHERE id = $1 AND version = $18";
/// A new assessment of an incident's current version becomes its latest, unless one of that
/// version assessed later is stored already (the same order the dashboard used to compute).
const SET_LATEST_ASSESSMENT: &str = "UPDATE incidents SET latest_severity_level = $3, latest_severity_name = $4, latest_severity_colour = $5, \
     latest_red_line_count = $6, latest_legal_certainty = $7 WHERE id = $1 AND version = $2 \
     AND NOT EXISTS (SELECT 1 FROM assessments a WHERE a.incident_id = $1 AND a.incident_version = $2 AND a.assessed_at_us > $8)";
const INSERT_INCIDENT_VERSION: &str = "INSERT INTO incident_versions (incident_id, version, updated_at_us, record) VALUES ($1, $2, $3, $4)";

// ------------------------------------------------------------------------------------------
// Writes, inside the writer's transaction

pub(crate) async fn insert_incident(
    connection: &mut AnyConnection,
    write: &IncidentWrite,
) -> Result<(), StoreError> {
    let incident = &write.incident;
    let what = || format!("incident {}", incident.id);
    bind_incident_columns(sqlx::query(INSERT_INCIDENT), write)?
        .execute(&mut *connection)
        .await
        .map_err(|error| classify(error, what))?;
    insert_incident_details(connection, write).await
}

pub(crate) async fn update_incident(
    connection: &mut AnyConnection,
    write: &IncidentWrite,
    expected_version: u32,
) -> Result<(), StoreError> {
    let incident = &write.incident;
    let result = bind_incident_columns(sqlx::query(UPDATE_INCIDENT), write)?
        .bind(i64::from(write.assessment.is_some()))
        .bind(i64::from(expected_version))
        .execute(&mut *connection)
        .await?;
    if result.rows_affected() == 0 {
        let stored: Option<i64> = sqlx::query_scalar("SELECT version FROM incidents WHERE id = $1")
            .bind(incident.id.as_str())
            .fetch_optional(&mut *connection)
            .await?;
        return Err(match stored {
            None => StoreError::NotFound(format!("incident {}", incident.id)),
            Some(version) => StoreError::Conflict(format!(
                "incident {} is at version {version}, not {expected_version}",
                incident.id
            )),
        });
    }
    sqlx::query("DELETE FROM incident_sectors WHERE incident_id = $1")
        .bind(incident.id.as_str())
        .execute(&mut *connection)
        .await?;
    sqlx::query("DELETE FROM incident_readers WHERE incident_id = $1")
        .bind(incident.id.as_str())
        .execute(&mut *connection)
        .await?;
    sqlx::query("DELETE FROM incident_vulnerabilities WHERE incident_id = $1")
        .bind(incident.id.as_str())
        .execute(&mut *connection)
        .await?;
    insert_incident_details(connection, write).await
}

pub(crate) async fn insert_norms_document(
    connection: &mut AnyConnection,
    document: &StoredNormsDocument,
) -> Result<(), StoreError> {
    sqlx::query(INSERT_NORMS_DOCUMENT)
        .bind(document.sha256.as_str())
        .bind(document.document_id.as_str())
        .bind(document.version.as_str())
        .bind(document.title.as_str())
        .bind(document.file_name.as_str())
        .bind(document.text.as_str())
        .bind(document.added_at.as_microseconds())
        .execute(&mut *connection)
        .await
        .map_err(|error| classify(error, || format!("norms document {}", document.sha256)))?;
    Ok(())
}

pub(crate) async fn insert_norms_adoption(
    connection: &mut AnyConnection,
    adoption: &NormsAdoption,
) -> Result<(), StoreError> {
    let parties: Vec<&str> = adoption.parties.iter().map(PartyId::as_str).collect();
    sqlx::query(INSERT_NORMS_ADOPTION)
        .bind(adoption.document_sha256.as_str())
        .bind(to_json_text("adoption", &parties)?)
        .bind(adoption.adopted_at.as_microseconds())
        .bind(i64::from(adoption.signed))
        .execute(&mut *connection)
        .await
        .map_err(|error| {
            classify(error, || {
                format!("adoption of {}", adoption.document_sha256)
            })
        })?;
    Ok(())
}

/// How many incidents one multi-row statement inserts (16 parameters each: 3,200, under every
/// database's limit).
const INCIDENTS_PER_STATEMENT: usize = 200;

/// Stores new incidents (version 1, its details and assessment) with a few multi-row
/// statements: the writer's path for a batch of submissions. One failure (an id that exists,
/// say) fails the whole call; the writer then retries each write alone for its own answer.
pub(crate) async fn insert_incidents_together(
    connection: &mut AnyConnection,
    writes: &[&IncidentWrite],
) -> Result<(), StoreError> {
    let records: Vec<String> = writes
        .iter()
        .map(|write| to_json_text("incident", &write.incident))
        .collect::<Result<_, _>>()?;
    let conflict = || "an incident of this batch".to_string();
    for (chunk, chunk_records) in writes
        .chunks(INCIDENTS_PER_STATEMENT)
        .zip(records.chunks(INCIDENTS_PER_STATEMENT))
    {
        let statement = format!(
            "INSERT INTO incidents ({INCIDENT_COLUMNS}) VALUES {}",
            value_placeholders(connection, chunk.len(), INCIDENT_COLUMN_COUNT)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(statement));
        for (write, record) in chunk.iter().zip(chunk_records) {
            query = bind_incident_row(query, write, record.clone());
        }
        query
            .execute(&mut *connection)
            .await
            .map_err(|error| classify(error, conflict))?;

        let statement = format!(
            "INSERT INTO incident_versions (incident_id, version, updated_at_us, record) VALUES {}",
            value_placeholders(connection, chunk.len(), 4)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(statement));
        for (write, record) in chunk.iter().zip(chunk_records) {
            let incident = &write.incident;
            query = query
                .bind(incident.id.as_str())
                .bind(i64::from(incident.version))
                .bind(incident.updated_at.as_microseconds())
                .bind(record.as_str());
        }
        query
            .execute(&mut *connection)
            .await
            .map_err(|error| classify(error, conflict))?;

        let assessments: Vec<&StoredAssessment> = chunk
            .iter()
            .filter_map(|write| write.assessment.as_ref())
            .collect();
        if !assessments.is_empty() {
            let statement = format!(
                "INSERT INTO assessments (incident_id, incident_version, norms_sha256, assessed_at_us, assessment) VALUES {}",
                value_placeholders(connection, assessments.len(), 5)
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(statement));
            for assessment in assessments {
                query = query
                    .bind(assessment.incident_id.as_str())
                    .bind(i64::from(assessment.incident_version))
                    .bind(assessment.norms_sha256.as_str())
                    .bind(assessment.assessed_at.as_microseconds())
                    .bind(assessment.assessment_json.as_str());
            }
            query
                .execute(&mut *connection)
                .await
                .map_err(|error| classify(error, conflict))?;
        }

        let mut sector_rows: Vec<(&str, &'static str)> = Vec::new();
        let mut reader_rows: Vec<(&str, &str)> = Vec::new();
        for write in chunk {
            let id = write.incident.id.as_str();
            for sector in write.incident.report.sectors() {
                sector_rows.push((id, sector.as_str()));
            }
            for reader in write.readers.iter().flatten() {
                reader_rows.push((id, reader.as_str()));
            }
        }
        insert_incident_pairs(connection, "incident_sectors", "sector", &sector_rows).await?;
        insert_incident_pairs(connection, "incident_readers", "party_id", &reader_rows).await?;
        let vulnerability_rows: Vec<VulnerabilityRow<'_>> = chunk
            .iter()
            .flat_map(|write| vulnerability_rows(&write.incident))
            .collect();
        insert_vulnerability_rows(connection, &vulnerability_rows).await?;
    }
    Ok(())
}

/// One row of `incident_vulnerabilities`: the incident, the entry's position, its CVE id and
/// its case id.
type VulnerabilityRow<'a> = (&'a str, i64, Option<&'a str>, Option<String>);

/// The rows of the vulnerabilities an incident's report names, in the report's order.
fn vulnerability_rows(incident: &Incident) -> Vec<VulnerabilityRow<'_>> {
    incident
        .report
        .exploited_vulnerabilities
        .iter()
        .enumerate()
        .map(|(position, entry)| {
            (
                incident.id.as_str(),
                i64::try_from(position).unwrap_or(i64::MAX),
                entry.cve.as_ref().map(|cve| cve.as_str()),
                entry.case.map(|case| case.hyphenated().to_string()),
            )
        })
        .collect()
}

/// Inserts vulnerability rows of several incidents, a hundred per statement.
async fn insert_vulnerability_rows(
    connection: &mut AnyConnection,
    rows: &[VulnerabilityRow<'_>],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT / 4) {
        let statement = format!(
            "INSERT INTO incident_vulnerabilities (incident_id, position, cve, case_id) VALUES {}",
            value_placeholders(connection, chunk.len(), 4)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(statement));
        for (incident_id, position, cve, case_id) in chunk {
            query = query
                .bind(*incident_id)
                .bind(*position)
                .bind(cve.map(str::to_string))
                .bind(case_id.clone());
        }
        query.execute(&mut *connection).await?;
    }
    Ok(())
}

/// Inserts `(incident_id, value)` rows of several incidents, a few hundred per statement.
async fn insert_incident_pairs(
    connection: &mut AnyConnection,
    table: &'static str,
    column: &'static str,
    rows: &[(&str, &str)],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let statement = format!(
            "INSERT INTO {table} (incident_id, {column}) VALUES {}",
            value_placeholders(connection, chunk.len(), 2)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(statement));
        for (incident_id, value) in chunk {
            query = query.bind(*incident_id).bind(*value);
        }
        query.execute(&mut *connection).await?;
    }
    Ok(())
}

const INSERT_NORMS_DOCUMENT: &str = "INSERT INTO norms_documents (sha256, document_id, version, title, file_name, text, added_at_us) VALUES ($1, $2, $3, $4, $5, $6, $7)";
const INSERT_NORMS_ADOPTION: &str = "INSERT INTO norms_adoptions (document_sha256, parties, adopted_at_us, signed) VALUES ($1, $2, $3, $4)";
const PUT_ASSESSMENT: &str = "INSERT INTO assessments (incident_id, incident_version, norms_sha256, assessed_at_us, assessment) VALUES ($1, $2, $3, $4, $5) \
    ON CONFLICT (incident_id, incident_version, norms_sha256) DO UPDATE SET assessed_at_us = excluded.assessed_at_us, assessment = excluded.assessment";

pub(crate) async fn put_assessment(
    connection: &mut AnyConnection,
    assessment: &StoredAssessment,
) -> Result<(), StoreError> {
    insert_assessment(connection, assessment).await?;
    AssessmentSummary::of(&assessment.assessment_json)
        .bind(
            sqlx::query(SET_LATEST_ASSESSMENT)
                .bind(assessment.incident_id.as_str())
                .bind(i64::from(assessment.incident_version)),
        )
        .bind(assessment.assessed_at.as_microseconds())
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// Stores an assessment (the incident row's summary is the caller's business).
async fn insert_assessment(
    connection: &mut AnyConnection,
    assessment: &StoredAssessment,
) -> Result<(), StoreError> {
    sqlx::query(PUT_ASSESSMENT)
        .bind(assessment.incident_id.as_str())
        .bind(i64::from(assessment.incident_version))
        .bind(assessment.norms_sha256.as_str())
        .bind(assessment.assessed_at.as_microseconds())
        .bind(assessment.assessment_json.as_str())
        .execute(&mut *connection)
        .await
        .map_err(|error| {
            classify(error, || {
                format!(
                    "assessment of {} v{}",
                    assessment.incident_id, assessment.incident_version
                )
            })
        })?;
    Ok(())
}

fn norms_document_from_row(row: &sqlx::any::AnyRow) -> Result<StoredNormsDocument, StoreError> {
    Ok(StoredNormsDocument {
        sha256: row.try_get("sha256")?,
        document_id: row.try_get("document_id")?,
        version: row.try_get("version")?,
        title: row.try_get("title")?,
        file_name: row.try_get("file_name")?,
        text: row.try_get("text")?,
        added_at: timestamp_from_column("norms document", row.try_get("added_at_us")?)?,
    })
}

fn assessment_from_row(row: &sqlx::any::AnyRow) -> Result<StoredAssessment, StoreError> {
    let incident_text: String = row.try_get("incident_id")?;
    let version: i64 = row.try_get("incident_version")?;
    Ok(StoredAssessment {
        incident_id: IncidentId::parse(&incident_text)
            .map_err(|message| corrupt("assessment", message))?,
        incident_version: u32::try_from(version).map_err(|error| corrupt("assessment", error))?,
        norms_sha256: row.try_get("norms_sha256")?,
        assessed_at: timestamp_from_column("assessment", row.try_get("assessed_at_us")?)?,
        assessment_json: row.try_get("assessment")?,
    })
}

fn bind_incident_columns<'q>(
    query: AnyQuery<'q>,
    write: &'q IncidentWrite,
) -> Result<AnyQuery<'q>, StoreError> {
    let record = to_json_text("incident", &write.incident)?;
    Ok(bind_incident_row(query, write, record))
}

/// Binds the [`INCIDENT_COLUMNS`] of one incident row, its JSON `record` given.
fn bind_incident_row<'q>(
    query: AnyQuery<'q>,
    write: &'q IncidentWrite,
    record: String,
) -> AnyQuery<'q> {
    let incident = &write.incident;
    let summary = write
        .assessment
        .as_ref()
        .map(|assessment| AssessmentSummary::of(&assessment.assessment_json))
        .unwrap_or_default();
    summary.bind(
        query
            .bind(incident.id.as_str())
            .bind(i64::from(incident.version))
            .bind(incident.report.reported_by.as_str())
            .bind(incident.report.victim.as_str())
            .bind(incident.report.status.as_str())
            .bind(i64::from(write.readers.is_some()))
            .bind(incident.report.first_observed.as_microseconds())
            .bind(incident.updated_at.as_microseconds())
            .bind(record)
            .bind(incident.report.tlp.as_str())
            .bind(
                incident
                    .report
                    .suspected_origin
                    .as_ref()
                    .map(|origin| origin.state.as_str().to_string()),
            ),
    )
}

/// What the dashboard counts of an assessment (its severity, how many red lines it found
/// crossed, its legal certainty), read from the JSON once, when the assessment is stored.
#[derive(Debug, Default)]
struct AssessmentSummary {
    severity_level: Option<i64>,
    severity_name: Option<String>,
    severity_colour: Option<String>,
    red_line_count: Option<i64>,
    legal_certainty: Option<String>,
}

impl AssessmentSummary {
    /// Reads only the fields it needs (the writer runs this for every incident it stores, so
    /// it does not build the whole JSON tree of a 5 KB assessment).
    fn of(assessment_json: &str) -> AssessmentSummary {
        #[derive(serde::Deserialize)]
        struct Severity {
            level: Option<i64>,
            name: Option<String>,
            colour: Option<String>,
        }
        #[derive(serde::Deserialize)]
        struct Legal {
            certainty: Option<String>,
        }
        #[derive(serde::Deserialize)]
        struct Fields {
            severity: Option<Severity>,
            #[serde(default)]
            red_lines: Vec<serde::de::IgnoredAny>,
            legal: Option<Legal>,
        }
        let Ok(fields) = serde_json::from_str::<Fields>(assessment_json) else {
            return AssessmentSummary::default();
        };
        let severity = fields.severity;
        AssessmentSummary {
            severity_level: severity.as_ref().and_then(|severity| severity.level),
            severity_name: severity.as_ref().and_then(|severity| severity.name.clone()),
            severity_colour: severity.and_then(|severity| severity.colour),
            red_line_count: Some(fields.red_lines.len() as i64),
            legal_certainty: fields.legal.and_then(|legal| legal.certainty),
        }
    }

    /// Binds the five `latest_*` columns, in their order.
    fn bind<'q>(self, query: AnyQuery<'q>) -> AnyQuery<'q> {
        query
            .bind(self.severity_level)
            .bind(self.severity_name)
            .bind(self.severity_colour)
            .bind(self.red_line_count)
            .bind(self.legal_certainty)
    }
}

async fn insert_incident_details(
    connection: &mut AnyConnection,
    write: &IncidentWrite,
) -> Result<(), StoreError> {
    let incident = &write.incident;
    let what = || format!("version {} of incident {}", incident.version, incident.id);
    sqlx::query(INSERT_INCIDENT_VERSION)
        .bind(incident.id.as_str())
        .bind(i64::from(incident.version))
        .bind(incident.updated_at.as_microseconds())
        .bind(to_json_text("incident", incident)?)
        .execute(&mut *connection)
        .await
        .map_err(|error| classify(error, what))?;
    if let Some(assessment) = &write.assessment {
        // The incident row carries this assessment's summary already.
        insert_assessment(connection, assessment).await?;
    }
    let id = incident.id.as_str();
    let sectors: Vec<(&str, &str)> = incident
        .report
        .sectors()
        .into_iter()
        .map(|sector| (id, sector.as_str()))
        .collect();
    insert_incident_pairs(connection, "incident_sectors", "sector", &sectors).await?;
    let readers: Vec<(&str, &str)> = write
        .readers
        .iter()
        .flatten()
        .map(|reader| (id, reader.as_str()))
        .collect();
    insert_incident_pairs(connection, "incident_readers", "party_id", &readers).await?;
    insert_vulnerability_rows(connection, &vulnerability_rows(incident)).await?;
    Ok(())
}

// ------------------------------------------------------------------------------------------
// Reads

const LIST_INCIDENTS: &str = "SELECT sequence, record FROM incidents \
    WHERE ($1 IS NULL OR victim = $1) \
      AND ($2 IS NULL OR reported_by = $2) \
      AND ($3 IS NULL OR status = $3) \
      AND ($4 IS NULL OR first_observed_us >= $4) \
      AND ($5 IS NULL OR first_observed_us < $5) \
      AND ($6 IS NULL OR sequence < $6) \
      AND ($7 IS NULL OR EXISTS (SELECT 1 FROM incident_sectors s WHERE s.incident_id = incidents.id AND s.sector = $7)) \
      AND ($8 IS NULL OR restricted = 0 OR EXISTS (SELECT 1 FROM incident_readers r WHERE r.incident_id = incidents.id AND r.party_id = $8)) \
    ORDER BY sequence DESC LIMIT $9";

pub(crate) async fn get_incident(
    pool: &sqlx::AnyPool,
    id: &IncidentId,
) -> Result<Option<Incident>, StoreError> {
    let record: Option<String> = sqlx::query_scalar("SELECT record FROM incidents WHERE id = $1")
        .bind(id.as_str())
        .fetch_optional(pool)
        .await?;
    record
        .map(|text| from_json_text("incident", &text))
        .transpose()
}

pub(crate) async fn list_incident_versions(
    pool: &sqlx::AnyPool,
    id: &IncidentId,
) -> Result<Vec<Incident>, StoreError> {
    let records: Vec<String> = sqlx::query_scalar(
        "SELECT record FROM incident_versions WHERE incident_id = $1 ORDER BY version",
    )
    .bind(id.as_str())
    .fetch_all(pool)
    .await?;
    records
        .iter()
        .map(|text| from_json_text("incident version", text))
        .collect()
}

pub(crate) async fn list_incidents(
    pool: &sqlx::AnyPool,
    query: &IncidentQuery,
) -> Result<IncidentPage, StoreError> {
    let limit = query.limit.clamp(1, 1000);
    let rows = sqlx::query(LIST_INCIDENTS)
        .bind(
            query
                .victim
                .as_ref()
                .map(|victim| victim.as_str().to_string()),
        )
        .bind(
            query
                .reported_by
                .as_ref()
                .map(|party| party.as_str().to_string()),
        )
        .bind(query.status.map(|status| status.as_str()))
        .bind(query.observed_since.map(|at| at.as_microseconds()))
        .bind(query.observed_until.map(|at| at.as_microseconds()))
        .bind(query.after_cursor)
        .bind(query.sector.map(|sector| sector.as_str()))
        .bind(
            query
                .visible_to
                .as_ref()
                .map(|party| party.as_str().to_string()),
        )
        .bind(i64::from(limit) + 1)
        .fetch_all(pool)
        .await?;
    let mut incidents = Vec::with_capacity(rows.len().min(limit as usize));
    let mut next_cursor = None;
    for (index, row) in rows.iter().enumerate() {
        if index == limit as usize {
            break;
        }
        let record: String = row.try_get("record")?;
        incidents.push(from_json_text("incident", &record)?);
        if index + 1 == limit as usize && rows.len() > limit as usize {
            next_cursor = Some(row.try_get::<i64, _>("sequence")?);
        }
    }
    Ok(IncidentPage {
        incidents,
        next_cursor,
    })
}

/// The incidents naming a case ($1) or a CVE id ($2), newest first: readers as in
/// [`LIST_INCIDENTS`] ($3), only one label when the node asks for it ($4).
const LIST_INCIDENTS_NAMING_VULNERABILITY: &str = "SELECT record FROM incidents \
    WHERE EXISTS (SELECT 1 FROM incident_vulnerabilities v WHERE v.incident_id = incidents.id \
                  AND (v.case_id = $1 OR ($2 IS NOT NULL AND v.cve = $2))) \
      AND ($3 IS NULL OR restricted = 0 OR EXISTS (SELECT 1 FROM incident_readers r WHERE r.incident_id = incidents.id AND r.party_id = $3)) \
      AND ($4 IS NULL OR tlp = $4) \
    ORDER BY sequence DESC LIMIT $5";

pub(crate) async fn list_incidents_naming_vulnerability(
    pool: &sqlx::AnyPool,
    query: &IncidentsNamingVulnerabilityQuery,
) -> Result<Vec<Incident>, StoreError> {
    let records: Vec<String> = sqlx::query_scalar(LIST_INCIDENTS_NAMING_VULNERABILITY)
        .bind(query.case_id.hyphenated().to_string())
        .bind(query.cve.as_ref().map(|cve| cve.as_str().to_string()))
        .bind(
            query
                .visible_to
                .as_ref()
                .map(|party| party.as_str().to_string()),
        )
        .bind(query.tlp.map(|tlp| tlp.as_str()))
        .bind(i64::from(query.limit.clamp(1, 1000)))
        .fetch_all(pool)
        .await?;
    records
        .iter()
        .map(|text| from_json_text("incident", text))
        .collect()
}

pub(crate) async fn count_incidents(pool: &sqlx::AnyPool) -> Result<u64, StoreError> {
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM incidents")
        .fetch_one(pool)
        .await?;
    Ok(u64::try_from(count).unwrap_or(0))
}

pub(crate) async fn get_norms_document(
    pool: &sqlx::AnyPool,
    sha256: &str,
) -> Result<Option<StoredNormsDocument>, StoreError> {
    let row = sqlx::query(
        "SELECT sha256, document_id, version, title, file_name, text, added_at_us FROM norms_documents WHERE sha256 = $1",
    )
    .bind(sha256)
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(norms_document_from_row).transpose()
}

pub(crate) async fn list_norms_documents(
    pool: &sqlx::AnyPool,
) -> Result<Vec<StoredNormsDocument>, StoreError> {
    let rows = sqlx::query(
        "SELECT sha256, document_id, version, title, file_name, text, added_at_us FROM norms_documents ORDER BY added_at_us, sha256",
    )
    .fetch_all(pool)
    .await?;
    rows.iter().map(norms_document_from_row).collect()
}

pub(crate) async fn list_norms_adoptions(
    pool: &sqlx::AnyPool,
) -> Result<Vec<NormsAdoption>, StoreError> {
    let rows = sqlx::query(
        "SELECT sequence, document_sha256, parties, adopted_at_us, signed FROM norms_adoptions ORDER BY sequence",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let parties_text: String = row.try_get("parties")?;
            let party_texts: Vec<String> = from_json_text("adoption", &parties_text)?;
            let parties = party_texts
                .iter()
                .map(|text| PartyId::parse(text).map_err(|message| corrupt("adoption", message)))
                .collect::<Result<Vec<_>, _>>()?;
            let signed: i64 = row.try_get("signed")?;
            Ok(NormsAdoption {
                sequence: row.try_get("sequence")?,
                document_sha256: row.try_get("document_sha256")?,
                parties,
                adopted_at: timestamp_from_column("adoption", row.try_get("adopted_at_us")?)?,
                signed: signed != 0,
            })
        })
        .collect()
}

pub(crate) async fn get_first_assessment(
    pool: &sqlx::AnyPool,
    incident: &IncidentId,
    version: u32,
) -> Result<Option<StoredAssessment>, StoreError> {
    let row = sqlx::query(
        "SELECT incident_id, incident_version, norms_sha256, assessed_at_us, assessment FROM assessments WHERE incident_id = $1 AND incident_version = $2 ORDER BY assessed_at_us, norms_sha256 LIMIT 1",
    )
    .bind(incident.as_str())
    .bind(i64::from(version))
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(assessment_from_row).transpose()
}

pub(crate) async fn get_latest_assessment(
    pool: &sqlx::AnyPool,
    incident: &IncidentId,
) -> Result<Option<StoredAssessment>, StoreError> {
    let row = sqlx::query(
        "SELECT incident_id, incident_version, norms_sha256, assessed_at_us, assessment FROM assessments WHERE incident_id = $1 ORDER BY incident_version DESC, assessed_at_us DESC LIMIT 1",
    )
    .bind(incident.as_str())
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(assessment_from_row).transpose()
}
