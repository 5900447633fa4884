//! Norms at the node: which documents it holds, which one applies to an incident, assessing
//! incidents with it and keeping the assessments current.
//!
//! The node always holds the shipped baseline. An operator adds further documents and records
//! adoptions ("these parties adopted that document"); which document applies to an incident is
//! `redline_norms::applicable` (the latest adoption naming the victim state, otherwise the
//! latest naming the reporter, otherwise the baseline). Adoptions are unsigned until the
//! hotline's signing lands (see `signed`).

use std::{collections::HashMap, sync::Arc};

use redline_model::{Incident, IncidentId, IncidentReport, PartyId, ValidationIssue};
use redline_norms::applicable::{self, Adoption};
use redline_norms::{Assessment, NormsDocument, NormsErrors};
use redline_store::{NormsAdoption, StoredAssessment, StoredNormsDocument};

use crate::{Caller, Node, NodeError};

/// What the node knows about norms, loaded from the store at start and kept in step with it.
#[derive(Default)]
pub(crate) struct NormsState {
    documents: HashMap<String, Arc<NormsDocument>>,
    pub(crate) adoptions: Vec<NormsAdoption>,
    baseline_sha256: String,
}

/// A norms document as the API lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NormsDocumentSummary {
    pub id: String,
    pub version: String,
    pub title: String,
    pub sha256: String,
    pub file_name: String,
    /// Parties whose latest adoption names this document.
    pub adopted_by: Vec<PartyId>,
}

fn norms_issues(errors: &NormsErrors) -> Vec<ValidationIssue> {
    errors
        .errors
        .iter()
        .map(|error| {
            ValidationIssue::new(
                format!("{}:{}:{}", error.file, error.line, error.column),
                error.message.clone(),
            )
        })
        .collect()
}

fn parse_document(text: &str, file_name: &str) -> Result<NormsDocument, NodeError> {
    NormsDocument::parse(text, file_name)
        .map_err(|errors| NodeError::Invalid(norms_issues(&errors)))
}

/// A parsed document as the store keeps it: its exact text, named by its SHA-256.
fn stored_document(
    document: &NormsDocument,
    text: &str,
    added_at: redline_model::Timestamp,
) -> StoredNormsDocument {
    StoredNormsDocument {
        sha256: document.sha256.clone(),
        document_id: document.id.clone(),
        version: document.version.clone(),
        title: document.title.clone(),
        file_name: document.file_name.clone(),
        text: text.to_string(),
        added_at,
    }
}

impl Node {
    /// Loads the stored documents and adoptions, storing the shipped baseline if it is new.
    pub async fn load_norms(&self) -> Result<(), NodeError> {
        let baseline =
            parse_document(redline_norms::baseline(), "norms/baseline.toml").map_err(|error| {
                NodeError::Internal(format!("the shipped baseline is invalid: {error}"))
            })?;
        if self
            .store
            .get_norms_document(&baseline.sha256)
            .await?
            .is_none()
        {
            self.store_document(&baseline, redline_norms::baseline())
                .await?;
        }
        let mut documents = HashMap::new();
        for stored in self.store.list_norms_documents().await? {
            match NormsDocument::parse(&stored.text, &stored.file_name) {
                Ok(document) => {
                    documents.insert(stored.sha256.clone(), Arc::new(document));
                }
                Err(errors) => tracing::error!(
                    document = %stored.sha256,
                    %errors,
                    "a stored norms document no longer parses; it is ignored"
                ),
            }
        }
        // Commitments: signed withdrawals end the adoptions before them.
        let adoptions = self.adoptions_in_force().await?;
        let mut state = self.norms.write().await;
        state.baseline_sha256 = baseline.sha256.clone();
        state.documents = documents;
        state.adoptions = adoptions;
        Ok(())
    }

    /// Stores a document with its `norms-document-added` log entry (the shipped baseline too:
    /// assessments name documents by SHA-256, and the log should show each one). A document
    /// stored already is left as it is and not logged again.
    async fn store_document(&self, document: &NormsDocument, text: &str) -> Result<(), NodeError> {
        let now = self.now();
        let added = self
            .commit_logged(
                vec![redline_store::StoreWrite::InsertNormsDocument(
                    stored_document(document, text, now),
                )],
                vec![crate::log::LogEntry::new(
                    crate::log::LogEntryKind::NormsDocumentAdded,
                    None,
                    document.sha256.clone(),
                    now,
                    text.as_bytes(),
                )],
            )
            .await;
        match added {
            Ok(()) | Err(NodeError::Conflict(_)) => Ok(()),
            Err(error) => Err(error),
        }
    }

    /// The document that applies to a report: the latest adoption naming the victim, else the
    /// reporter, else the baseline (`redline_norms::applicable::applicable_document`).
    pub(crate) async fn applicable_document(
        &self,
        report: &IncidentReport,
    ) -> Option<Arc<NormsDocument>> {
        let state = self.norms.read().await;
        let adoptions = state.adoptions();
        let applicable = applicable::applicable_document(
            &adoptions,
            &PartyId::from(report.victim.clone()),
            &report.reported_by,
            &state.baseline_sha256,
        );
        // Adoptions name only documents the node holds, so the lookup finds it.
        state
            .documents
            .get(applicable.document_sha256)
            .or_else(|| state.documents.get(&state.baseline_sha256))
            .cloned()
    }

    /// The document that governs disclosure cases coordinated by `coordinator`: the latest
    /// adoption naming it, else the baseline (`redline_norms::applicable::disclosure_document`).
    pub(crate) async fn disclosure_document(
        &self,
        coordinator: &PartyId,
    ) -> Option<Arc<NormsDocument>> {
        let state = self.norms.read().await;
        let adoptions = state.adoptions();
        let sha256 =
            applicable::disclosure_document(&adoptions, coordinator, &state.baseline_sha256);
        state
            .documents
            .get(sha256)
            .or_else(|| state.documents.get(&state.baseline_sha256))
            .cloned()
    }

    /// A loaded document by the SHA-256 of its text.
    pub(crate) async fn norms_document_by_sha(&self, sha256: &str) -> Option<Arc<NormsDocument>> {
        self.norms.read().await.documents.get(sha256).cloned()
    }

    /// The document the latest adoption naming `party` names, if any.
    pub(crate) async fn document_adopted_by(&self, party: &PartyId) -> Option<Arc<NormsDocument>> {
        let state = self.norms.read().await;
        applicable::adopted_by(&state.adoptions(), party)
            .and_then(|sha256| state.documents.get(sha256))
            .cloned()
    }

    /// Assesses a stored incident with the document that applies to it and its published
    /// attribution claims, ready to store.
    pub(crate) async fn assessment_for(&self, incident: &Incident) -> Option<StoredAssessment> {
        self.assessment_reading_claims(incident, true).await
    }

    /// Assesses an incident being submitted: a new incident has no claims yet.
    pub(crate) async fn assessment_for_new(&self, incident: &Incident) -> Option<StoredAssessment> {
        self.assessment_reading_claims(incident, false).await
    }

    async fn assessment_reading_claims(
        &self,
        incident: &Incident,
        with_claims: bool,
    ) -> Option<StoredAssessment> {
        let document = self.applicable_document(&incident.report).await?;
        let (attribution_claim, prior_consultation) = if with_claims {
            match self
                .attribution_circumstances(
                    &incident.id,
                    crate::attribution::ClaimVisibility::EveryParty,
                )
                .await
            {
                Ok(found) => found,
                Err(error) => {
                    tracing::error!(%error, incident = %incident.id, "reading the claims of an incident failed; assessing without them");
                    (None, false)
                }
            }
        } else {
            (None, false)
        };
        let assessment = redline_norms::assess_with(
            &incident.report,
            &document,
            &redline_norms::Circumstances {
                prior_consultation,
                withhold_suspected_state: false,
                attribution_claim,
            },
        );
        Some(StoredAssessment {
            incident_id: incident.id.clone(),
            incident_version: incident.version,
            norms_sha256: document.sha256.clone(),
            assessed_at: self.now(),
            assessment_json: String::from_utf8_lossy(&assessment.to_json_bytes()).into_owned(),
        })
    }

    /// Assesses a report without storing anything: with a shipped document by name
    /// (`baseline`), a stored one by SHA-256, or the one that would apply to it.
    pub async fn assess_report_json(
        &self,
        bytes: &[u8],
        norms: Option<&str>,
    ) -> Result<Assessment, NodeError> {
        let report = redline_model::parse_incident_report(bytes, self.now())?;
        let document = match norms {
            None => self.applicable_document(&report).await,
            Some(name) => self.document_named(name).await?,
        }
        .ok_or_else(|| NodeError::Internal("no norms document is loaded".into()))?;
        Ok(redline_norms::assess(&report, &document))
    }

    async fn document_named(&self, name: &str) -> Result<Option<Arc<NormsDocument>>, NodeError> {
        if let Some(document) = self.norms.read().await.documents.get(name) {
            return Ok(Some(document.clone()));
        }
        match redline_norms::shipped_document(name) {
            Some(shipped) => Ok(Some(Arc::new(parse_document(
                shipped.text,
                shipped.file_name,
            )?))),
            None => Err(NodeError::invalid(
                "norms",
                format!(
                    "`{name}` is neither a shipped document ({}) nor the SHA-256 of a stored one",
                    redline_norms::SHIPPED_DOCUMENTS
                        .iter()
                        .map(|document| document.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }

    /// The stored assessment of the current version of an incident the caller may see.
    pub async fn get_assessment_json(
        &self,
        caller: &Caller,
        id: &IncidentId,
    ) -> Result<String, NodeError> {
        let incident = self.get_incident(caller, id).await?;
        if let Some(for_reader) = self.assessment_for_reader(caller, &incident).await? {
            return Ok(for_reader);
        }
        self.store
            .get_latest_assessment(id)
            .await?
            .map(|stored| stored.assessment_json)
            .ok_or_else(|| NodeError::NotFound(format!("no assessment of {id} yet")))
    }

    /// Adds a norms document (operator only); every problem is reported with file, line and
    /// column. Returns its SHA-256.
    pub async fn add_norms_document(
        &self,
        caller: &Caller,
        text: &str,
        file_name: &str,
    ) -> Result<NormsDocumentSummary, NodeError> {
        Self::require_operator(caller, "add norms documents")?;
        let document = parse_document(text, file_name)?;
        self.store_document(&document, text).await?;
        let summary = NormsDocumentSummary {
            id: document.id.clone(),
            version: document.version.clone(),
            title: document.title.clone(),
            sha256: document.sha256.clone(),
            file_name: document.file_name.clone(),
            adopted_by: Vec::new(),
        };
        self.norms
            .write()
            .await
            .documents
            .insert(document.sha256.clone(), Arc::new(document));
        self.publish_notice(redline_store::Notice::Norms).await;
        Ok(summary)
    }

    /// Records that `parties` adopted a stored document (operator only) and re-assesses every
    /// incident whose applicable document changed. Returns how many were re-assessed.
    pub async fn adopt_norms_document(
        &self,
        caller: &Caller,
        sha256: &str,
        parties: &[PartyId],
    ) -> Result<u64, NodeError> {
        Self::require_operator(caller, "record adoptions")?;
        let Some(document) = self.norms_document_by_sha256(sha256).await else {
            return Err(NodeError::NotFound(format!("norms document {sha256}")));
        };
        if parties.is_empty() {
            return Err(NodeError::invalid(
                "parties",
                "name at least one adopting party",
            ));
        }
        let missing = self.missing_parties(parties).await?;
        if let Some(party) = missing.first() {
            return Err(NodeError::invalid(
                "parties",
                format!("{party} is not a party of this node"),
            ));
        }
        let adoption = NormsAdoption {
            sequence: 0,
            document_sha256: sha256.to_string(),
            parties: parties.to_vec(),
            adopted_at: self.now(),
            signed: false,
        };
        // Transparency log: the adoption (document and parties).
        let entry = crate::log::LogEntry::new(
            crate::log::LogEntryKind::NormsDocumentAdopted,
            None,
            sha256.to_string(),
            adoption.adopted_at,
            parties
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
                .as_bytes(),
        );
        // Each adopting party owes the document's review by its `review_by`; a party whose
        // adoption is already in force keeps the deadline it has (and its reminders sent).
        let in_force = self.adoptions_in_force().await?;
        let review_clauses = parties
            .iter()
            .filter(|party| {
                !in_force.iter().any(|adoption| {
                    adoption.document_sha256 == sha256 && adoption.parties.contains(party)
                })
            })
            .filter_map(|party| {
                crate::commitments::review_clause_deadline(
                    sha256,
                    document.review_by.as_deref(),
                    party,
                )
            });
        let writes = std::iter::once(redline_store::StoreWrite::InsertNormsAdoption(adoption))
            .chain(review_clauses)
            .collect();
        self.commit_logged(writes, vec![entry]).await?;
        let adoptions = self.adoptions_in_force().await?;
        self.norms.write().await.adoptions = adoptions;
        self.publish_notice(redline_store::Notice::Norms).await;
        self.reassess_incidents_of(parties).await
    }

    /// Re-assesses the current version of every incident whose victim or reporter is one of
    /// `parties`, with the document that now applies.
    pub(crate) async fn reassess_incidents_of(
        &self,
        parties: &[PartyId],
    ) -> Result<u64, NodeError> {
        let mut cursor = None;
        let mut reassessed = 0;
        loop {
            let page = self
                .list_incidents(
                    &Caller::Operator,
                    &crate::IncidentFilter {
                        cursor: cursor.clone(),
                        limit: Some(crate::incidents::MAXIMUM_PAGE_SIZE),
                        ..Default::default()
                    },
                )
                .await?;
            for incident in &page.incidents {
                let victim = PartyId::from(incident.report.victim.clone());
                if !(parties.contains(&victim) || parties.contains(&incident.report.reported_by)) {
                    continue;
                }
                if let Some(assessment) = self.assessment_for(incident).await {
                    // Transparency log.
                    let entry = crate::log::assessment_entry(None, &assessment)
                        .exercise(incident.report.exercise);
                    self.commit_logged(
                        vec![redline_store::StoreWrite::PutAssessment(assessment)],
                        vec![entry],
                    )
                    .await?;
                    reassessed += 1;
                }
            }
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(reassessed),
            }
        }
    }

    /// Every stored document with the parties that currently apply it.
    pub async fn list_norms_documents(&self) -> Result<Vec<NormsDocumentSummary>, NodeError> {
        let state = self.norms.read().await;
        let mut latest_by_party: HashMap<&PartyId, &str> = HashMap::new();
        for adoption in &state.adoptions {
            for party in &adoption.parties {
                latest_by_party.insert(party, adoption.document_sha256.as_str());
            }
        }
        let mut summaries: Vec<NormsDocumentSummary> = state
            .documents
            .values()
            .map(|document| {
                let mut adopted_by: Vec<PartyId> = latest_by_party
                    .iter()
                    .filter(|(_, sha256)| **sha256 == document.sha256)
                    .map(|(party, _)| (*party).clone())
                    .collect();
                adopted_by.sort();
                NormsDocumentSummary {
                    id: document.id.clone(),
                    version: document.version.clone(),
                    title: document.title.clone(),
                    sha256: document.sha256.clone(),
                    file_name: document.file_name.clone(),
                    adopted_by,
                }
            })
            .collect();
        summaries
            .sort_by(|left, right| (&left.id, &left.version).cmp(&(&right.id, &right.version)));
        Ok(summaries)
    }
}

// Read access to the loaded documents, for the pure rules and the dashboard.
impl NormsState {
    /// The adoptions, oldest first, as the pure rules take them.
    fn adoptions(&self) -> Vec<Adoption<'_>> {
        self.adoptions
            .iter()
            .map(|adoption| Adoption {
                document_sha256: &adoption.document_sha256,
                parties: &adoption.parties,
            })
            .collect()
    }

    pub(crate) fn adoption_count(&self) -> usize {
        self.adoptions.len()
    }
}

impl Node {
    /// The shipped baseline as the node loaded it.
    pub(crate) async fn baseline_document(&self) -> Option<Arc<NormsDocument>> {
        let state = self.norms.read().await;
        state.documents.get(&state.baseline_sha256).cloned()
    }

    /// A loaded document by the SHA-256 of its text.
    pub async fn norms_document_by_sha256(&self, sha256: &str) -> Option<Arc<NormsDocument>> {
        self.norms.read().await.documents.get(sha256).cloned()
    }
}
