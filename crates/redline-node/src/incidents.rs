//! Incidents: submit, update (keeping every earlier version), read and list, with TLP applied.
//! The disclosure cases a report names are checked by `vulnerability_links.rs`.

use base64::Engine;

use redline_model::{
    CountryCode, Incident, IncidentId, IncidentReport, IncidentStatus, PartyId, Sector, Timestamp,
    ValidationIssue, parse_incident_report,
};
use redline_store::{IncidentQuery, IncidentWrite, StoreWrite};

use crate::{Caller, Node, NodeError, random_bytes};

/// The default and largest page sizes of incident listings.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
pub use crate::paging::MAXIMUM_PAGE_SIZE;

/// Filters of an incident listing, as a caller gives them.
#[derive(Debug, Clone, Default)]
pub struct IncidentFilter {
    pub victim: Option<CountryCode>,
    pub reported_by: Option<PartyId>,
    pub sector: Option<Sector>,
    pub status: Option<IncidentStatus>,
    pub observed_since: Option<Timestamp>,
    pub observed_until: Option<Timestamp>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

/// One page of a listing.
#[derive(Debug, Clone, serde::Serialize)]
pub struct IncidentListing {
    pub incidents: Vec<Incident>,
    /// Pass this as `cursor` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

fn encode_cursor(sequence: i64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("incidents:{sequence}"))
}

fn decode_cursor(cursor: &str) -> Result<i64, NodeError> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix("incidents:")?.parse().ok())
        .ok_or_else(|| {
            NodeError::invalid(
                "cursor",
                "not a cursor this node gave out; pass next_cursor from the previous page",
            )
        })
}

impl Node {
    /// Parses, validates and stores a new incident report sent as JSON.
    pub async fn submit_incident_json(
        &self,
        caller: &Caller,
        bytes: &[u8],
    ) -> Result<Incident, NodeError> {
        let report = parse_incident_report(bytes, self.now())?;
        self.submit_incident(caller, report).await
    }

    /// Stores a new incident: version 1, with an id assigned if the report has none.
    pub async fn submit_incident(
        &self,
        caller: &Caller,
        mut report: IncidentReport,
    ) -> Result<Incident, NodeError> {
        let now = self.now();
        let issues = report.validate(now);
        if !issues.is_empty() {
            return Err(NodeError::Invalid(issues));
        }
        if let Caller::Party(party) = caller
            && party != &report.reported_by
        {
            return Err(NodeError::Forbidden(format!(
                "reported_by: you are signed in as {party} and cannot report as {}",
                report.reported_by
            )));
        }
        self.check_parties_exist(caller, &report).await?;
        self.check_exploited_vulnerabilities(&report).await?;
        let id = match &report.id {
            Some(id) => id.clone(),
            None => IncidentId::from_random_bytes(random_bytes::<16>()?),
        };
        report.id = Some(id.clone());
        let incident = Incident {
            id,
            version: 1,
            submitted_by: report.reported_by.clone(),
            received_at: now,
            updated_at: now,
            report,
        };
        let mut write = IncidentWrite::new(incident.clone());
        write.assessment = self.assessment_for_new(&incident).await;
        // Transparency log: the submission and its assessment, hashes only.
        let log_entries = crate::log::incident_entries(
            crate::log::LogEntryKind::IncidentSubmitted,
            caller,
            &incident,
            write.assessment.as_ref(),
        );
        // The reporter's notify duties, fixed when it reports (duties kept).
        let notify_duties = self
            .notify_duties_for(&incident, write.assessment.as_ref())
            .await?;
        let mut writes = vec![StoreWrite::InsertIncident(write)];
        if !notify_duties.is_empty() {
            writes.push(StoreWrite::InsertNotifyDuties(notify_duties));
        }
        self.commit_logged(writes, log_entries)
            .await
            .map_err(|error| match error {
                // One answer whether or not the caller may read the incident that holds the id,
                // so the refusal says nothing the public log does not (it lists every id).
                NodeError::Conflict(_) => NodeError::Conflict(format!(
                    "id: {} is taken; leave `id` out to have one assigned, or update your own incident with PUT",
                    incident.id
                )),
                other => other,
            })?;
        tracing::info!(incident = %incident.id, reported_by = %incident.submitted_by, "incident submitted");
        Ok(incident)
    }

    /// Replaces an incident's report with a new version (reporter or operator only). With
    /// `expected_version`, the update fails with a conflict if someone else updated first.
    pub async fn update_incident_json(
        &self,
        caller: &Caller,
        id: &IncidentId,
        bytes: &[u8],
        expected_version: Option<u32>,
    ) -> Result<Incident, NodeError> {
        let report = parse_incident_report(bytes, self.now())?;
        self.update_incident(caller, id, report, expected_version)
            .await
    }

    pub async fn update_incident(
        &self,
        caller: &Caller,
        id: &IncidentId,
        mut report: IncidentReport,
        expected_version: Option<u32>,
    ) -> Result<Incident, NodeError> {
        let now = self.now();
        let current = self.get_incident(caller, id).await?;
        if let Caller::Party(party) = caller
            && party != &current.report.reported_by
        {
            return Err(NodeError::Forbidden(format!(
                "only the reporter ({}) may update {id}",
                current.report.reported_by
            )));
        }
        let mut issues = report.validate(now);
        if let Some(given) = &report.id
            && given != id
        {
            issues.push(ValidationIssue::new(
                "id",
                format!("the report is {given}, not {id}"),
            ));
        }
        // Tabletop exercises: an exercise report stays one, and a real one never becomes one.
        if report.exercise != current.report.exercise {
            issues.push(ValidationIssue::new(
                "exercise",
                format!(
                    "{id} is {}an exercise report; `exercise` cannot change",
                    if current.report.exercise { "" } else { "not " }
                ),
            ));
        }
        if report.reported_by != current.report.reported_by {
            issues.push(ValidationIssue::new(
                "reported_by",
                format!(
                    "the reporter cannot change (it is {})",
                    current.report.reported_by
                ),
            ));
        }
        if !issues.is_empty() {
            return Err(NodeError::Invalid(issues));
        }
        if let Some(expected) = expected_version
            && expected != current.version
        {
            return Err(NodeError::Conflict(format!(
                "{id} is at version {}, not {expected}",
                current.version
            )));
        }
        self.check_parties_exist(caller, &report).await?;
        self.check_exploited_vulnerabilities(&report).await?;
        report.id = Some(id.clone());
        let updated = Incident {
            id: id.clone(),
            version: current.version + 1,
            submitted_by: current.submitted_by.clone(),
            received_at: current.received_at,
            updated_at: now,
            report,
        };
        let mut write = IncidentWrite::new(updated.clone());
        write.assessment = self.assessment_for(&updated).await;
        // Transparency log: the update and its assessment, hashes only.
        let log_entries = crate::log::incident_entries(
            crate::log::LogEntryKind::IncidentUpdated,
            caller,
            &updated,
            write.assessment.as_ref(),
        );
        self.commit_logged(
            vec![StoreWrite::UpdateIncident {
                write,
                expected_version: current.version,
            }],
            log_entries,
        )
        .await?;
        tracing::info!(incident = %id, version = updated.version, "incident updated");
        Ok(updated)
    }

    /// Reads an incident the caller may see; one it may not see is reported as not found.
    pub async fn get_incident(
        &self,
        caller: &Caller,
        id: &IncidentId,
    ) -> Result<Incident, NodeError> {
        match self.store.get_incident(id).await? {
            Some(incident) if incident.admits(caller.reader()) => Ok(incident),
            _ => Err(NodeError::NotFound(format!("incident {id}"))),
        }
    }

    /// The versions of an incident the caller may read, oldest first. Each version keeps its
    /// own readers: a version labelled `red` stays closed to a party that may read a later
    /// `clear` one, and a party added to `shared_with` later does not gain the earlier
    /// versions. No readable version at all is "not found".
    pub async fn list_incident_versions(
        &self,
        caller: &Caller,
        id: &IncidentId,
    ) -> Result<Vec<Incident>, NodeError> {
        let readable: Vec<Incident> = self
            .store
            .list_incident_versions(id)
            .await?
            .into_iter()
            .filter(|version| version.admits(caller.reader()))
            .collect();
        if readable.is_empty() {
            return Err(NodeError::NotFound(format!("incident {id}")));
        }
        Ok(readable)
    }

    /// One page of the incidents the caller may see, newest first.
    pub async fn list_incidents(
        &self,
        caller: &Caller,
        filter: &IncidentFilter,
    ) -> Result<IncidentListing, NodeError> {
        let limit = crate::paging::checked_page_size(
            filter.limit.unwrap_or(DEFAULT_PAGE_SIZE),
            MAXIMUM_PAGE_SIZE,
        )?;
        let after_cursor = filter.cursor.as_deref().map(decode_cursor).transpose()?;
        let page = self
            .store
            .list_incidents(&IncidentQuery {
                visible_to: caller.party().cloned(),
                victim: filter.victim.clone(),
                reported_by: filter.reported_by.clone(),
                sector: filter.sector,
                status: filter.status,
                observed_since: filter.observed_since,
                observed_until: filter.observed_until,
                after_cursor,
                limit,
            })
            .await?;
        Ok(IncidentListing {
            incidents: page.incidents,
            next_cursor: page.next_cursor.map(encode_cursor),
        })
    }

    /// The reporter and every party the report is shared with must be parties of this node.
    /// A party signed in as the reporter is known to exist (its token belongs to it).
    async fn check_parties_exist(
        &self,
        caller: &Caller,
        report: &IncidentReport,
    ) -> Result<(), NodeError> {
        let mut wanted: Vec<PartyId> = report.shared_with.clone();
        if caller.party() != Some(&report.reported_by) {
            wanted.push(report.reported_by.clone());
        }
        let missing = self.missing_parties(&wanted).await?;
        let mut issues = Vec::new();
        if missing.contains(&report.reported_by) {
            issues.push(ValidationIssue::new(
                "reported_by",
                format!("{} is not a party of this node", report.reported_by),
            ));
        }
        for (index, party) in report.shared_with.iter().enumerate() {
            if missing.contains(party) {
                issues.push(ValidationIssue::new(
                    format!("shared_with[{index}]"),
                    format!("{party} is not a party of this node"),
                ));
            }
        }
        if issues.is_empty() {
            Ok(())
        } else {
            Err(NodeError::Invalid(issues))
        }
    }
}
