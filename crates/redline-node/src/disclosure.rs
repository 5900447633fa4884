//! Coordinated vulnerability disclosure: the use cases over `redline-disclosure` (the rules)
//! and the store (the records).
//!
//! - Opening and updating a case ([`Node::file_disclosure_case`]) and recording an action
//!   ([`Node::record_disclosure_action`]): each a DSSE-signed record, checked against its
//!   author's key current at signing (`check_author`, the one DSSE module underneath), applied
//!   to the case's state as the core replays it, stored byte for byte with the case's summary
//!   and one transparency-log entry (a digest of the envelope; `disclosure-embargo` for every
//!   embargo change), in one commit.
//! - Reading ([`Node::disclosure_case`], [`Node::list_disclosure_cases`]): before the embargo
//!   ends (by the node's clock) only the coordinator, the reporting party, the vendor parties
//!   and the operator read a case; after it, everyone. Vendor contacts are shown to the
//!   coordinator and the operator only, and an anonymous reporter to the coordinator, the
//!   reporter and the operator only.
//! - The public advisory ([`Node::public_disclosure_advisory`]): CSAF 2.0 or 2.1, only once
//!   public.
//! - The policy ([`Node::disclosure_policy`]): the deadlines and default embargo come from the
//!   `[disclosure]` table of the norms document that governs the case — the one its coordinator
//!   adopted last, else the baseline (`redline_norms::applicable::disclosure_document`).
//! - A case's view lists the incidents that name it or its CVE id which the reader may read
//!   (`vulnerability_links.rs`, which also decides what an incident may name).
//! - Deadlines ([`Node::fire_due_disclosure_deadlines`], run by the deadline scheduler): a
//!   vendor that has not acknowledged or answered in time gets a `disclosure-reminder` event
//!   and the coordinator a `disclosure-escalation`; each deadline fires once (a row per
//!   firing). At the embargo's end the case's STIX `vulnerability` goes to the shared TAXII
//!   collection (a `publication` firing row, once), and follows later changes there.

use std::collections::BTreeSet;

use redline_disclosure::{
    ACTION_PAYLOAD_TYPE, AdvisoryFacts, AdvisoryPublisher, CASE_PAYLOAD_TYPE, CaseState,
    CsafVersion, DisclosureAction, DisclosureCase, EmbargoChange, ProductStatus, VendorDeadline,
    WorkflowError, render_csaf, vendor_deadlines,
};
use redline_model::DisclosurePolicy;
use redline_model::{PartyId, PartyKind, Timestamp};
use redline_store::{
    DisclosureCaseQuery, DisclosureCaseSummary, DisclosureDeadlineFiring, DisclosureRecord,
    DisclosureRecordKind, HotlineEvent, StoreError, StoreWrite,
};
use serde::Serialize;
use uuid::Uuid;

use crate::log::{LogEntry, LogEntryKind};
use crate::signed_records::open_record;
use crate::{Caller, Node, NodeError};

/// One write at a time per node: a case's next record is decided on the state it was read in.
static DISCLOSURE_WRITES: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A case as a reader may see it.
#[derive(Debug, Clone, Serialize)]
pub struct DisclosureCaseView {
    pub id: Uuid,
    pub version: u32,
    pub title: String,
    pub description: String,
    pub coordinator: PartyId,
    /// `None` when the reporter is anonymous to this reader.
    pub reporter: Option<ReporterView>,
    pub vendors: Vec<VendorView>,
    pub cvss_v4: CvssView,
    pub cvss_v3: Option<CvssView>,
    pub cwe: Option<CweView>,
    pub cve: Option<String>,
    pub reported_at: Timestamp,
    /// The embargo's end in UTC (pages also show it in the reader's local time).
    pub embargo_end: Timestamp,
    /// Whether the embargo has ended by the node's clock.
    pub public: bool,
    pub embargo_changes: Vec<EmbargoChangeView>,
    /// How many products are in each status.
    pub status_counts: std::collections::BTreeMap<String, usize>,
    pub updated_at: Timestamp,
    /// Every signed record of the case (digests; the envelopes are the coordinator's).
    pub records: Vec<RecordView>,
    /// The policy the deadlines follow, and the norms document it comes from.
    pub policy: AppliedDisclosurePolicy,
    /// The incidents whose current version names this case, or its CVE id, as exploited, that
    /// the reader may read, newest first (at most [`LINKED_INCIDENTS_SHOWN`]).
    pub incidents: Vec<crate::vulnerability_links::LinkedIncidentView>,
}

/// The disclosure policy a case follows: the `[disclosure]` table of the norms document that
/// governs it (adopted last by its coordinator, else the baseline), with its basis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppliedDisclosurePolicy {
    #[serde(flatten)]
    pub policy: DisclosurePolicy,
    pub basis: String,
    /// The governing document: its id, version and the SHA-256 of its text.
    pub document_id: String,
    pub document_version: String,
    pub document_sha256: String,
}

/// The most linked incidents a case's view lists.
pub const LINKED_INCIDENTS_SHOWN: u32 = 100;

#[derive(Debug, Clone, Serialize)]
pub struct ReporterView {
    pub party: Option<PartyId>,
    pub name: Option<String>,
    pub anonymous_to_vendors: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct VendorView {
    pub id: String,
    pub name: String,
    pub party: Option<PartyId>,
    /// Shown to the coordinator and the operator only.
    pub contact: Option<String>,
    pub contacted_at: Option<Timestamp>,
    pub acknowledged_at: Option<Timestamp>,
    pub unresponsive_at: Option<Timestamp>,
    pub deadlines: Vec<DeadlineView>,
    pub products: Vec<ProductView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeadlineView {
    /// `acknowledgement` or `status`.
    pub duty: String,
    pub due_at: Timestamp,
    pub met: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProductView {
    pub id: String,
    pub name: String,
    /// `purl` or `cpe`.
    pub identifier_kind: String,
    pub identifier: String,
    /// `not-contacted`, `under-investigation`, `affected`, `not-affected`, `fixed`,
    /// `unresponsive`.
    pub status: String,
    pub contacted_at: Option<Timestamp>,
    pub answered_at: Option<Timestamp>,
    pub statement: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CvssView {
    /// In canonical order.
    pub vector: String,
    pub score: f64,
    pub severity: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CweView {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct EmbargoChangeView {
    pub from: Timestamp,
    pub to: Timestamp,
    pub reason: String,
    pub by: PartyId,
    pub at: Timestamp,
}

#[derive(Debug, Clone, Serialize)]
pub struct RecordView {
    /// `case` or `action`.
    pub kind: String,
    /// The action's kind (`vendor-contacted`, `embargo-changed`, …), for actions.
    pub action: Option<String>,
    pub party: PartyId,
    pub payload_digest: String,
    pub recorded_at: Timestamp,
}

/// One case in a list.
#[derive(Debug, Clone, Serialize)]
pub struct DisclosureCaseListItem {
    pub id: Uuid,
    pub title: String,
    pub coordinator: PartyId,
    pub vendor_count: usize,
    pub product_count: usize,
    pub embargo_end: Timestamp,
    pub public: bool,
    pub cve: Option<String>,
    pub severity: String,
    pub score: f64,
    pub status_counts: std::collections::BTreeMap<String, usize>,
}

/// A case's state with the records it was replayed from.
struct CaseRecords {
    state: CaseState,
    records: Vec<(DisclosureRecord, Option<String>)>,
}

impl CaseRecords {
    /// A signed record is stored once: the same payload again is a replay.
    fn refuse_replay(&self, digest: &str) -> Result<(), NodeError> {
        if self
            .records
            .iter()
            .any(|(record, _)| record.payload_digest == digest)
        {
            return Err(NodeError::Conflict(
                "this signed record is stored already (a replay)".to_string(),
            ));
        }
        Ok(())
    }
}

fn corrupt(what: &str, error: impl std::fmt::Display) -> NodeError {
    NodeError::Internal(format!("a stored {what} no longer parses: {error}"))
}

fn not_found(case_id: impl std::fmt::Display) -> NodeError {
    NodeError::NotFound(format!("disclosure case {case_id}"))
}

fn workflow_error(error: WorkflowError) -> NodeError {
    match error {
        WorkflowError::NotAllowed(message) => NodeError::Forbidden(message),
        WorkflowError::Invalid { path, message } => NodeError::invalid(path, message),
        WorkflowError::Conflict(message) => NodeError::Conflict(message),
    }
}

/// What a reader may see of a case, besides the case itself.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReaderRights {
    sees_contacts: bool,
    sees_anonymous_reporter: bool,
}

impl Node {
    /// The disclosure policy of the cases `coordinator` coordinates: the `[disclosure]` table of
    /// the norms document it adopted last, else the baseline's (redline's defaults when the
    /// document has no table: 7 days to acknowledge, 30 to report a status, a 90-day embargo).
    pub async fn disclosure_policy(&self, coordinator: &PartyId) -> AppliedDisclosurePolicy {
        match self.disclosure_document(coordinator).await {
            Some(document) => AppliedDisclosurePolicy {
                policy: document.disclosure.policy,
                basis: document.disclosure.basis.clone(),
                document_id: document.id.clone(),
                document_version: document.version.clone(),
                document_sha256: document.sha256.clone(),
            },
            // Only before the norms are loaded (the baseline is always held after).
            None => {
                let table = redline_norms::document::DisclosureTable::default_table();
                AppliedDisclosurePolicy {
                    policy: table.policy,
                    basis: table.basis,
                    document_id: String::new(),
                    document_version: String::new(),
                    document_sha256: String::new(),
                }
            }
        }
    }

    /// A case's state if `caller` may read it (`None`: an anonymous visitor), else `None` —
    /// the same answer for a missing case and one embargoed from the caller.
    pub(crate) async fn readable_disclosure_case(
        &self,
        caller: Option<&Caller>,
        case_id: Uuid,
    ) -> Result<Option<CaseState>, NodeError> {
        let Some(records) = self.disclosure_records(case_id).await? else {
            return Ok(None);
        };
        Ok(self
            .reader_rights(caller, &records.state)
            .map(|_| records.state))
    }

    /// Every record of a case replayed into its state, or `None` if there is no such case.
    async fn disclosure_records(&self, case_id: Uuid) -> Result<Option<CaseRecords>, NodeError> {
        let rows = self.store.list_disclosure_records(case_id).await?;
        let mut state: Option<CaseState> = None;
        let mut records = Vec::with_capacity(rows.len());
        for row in rows {
            let envelope = redline_hotline::Envelope::parse(row.envelope.as_bytes())
                .map_err(|error| corrupt("disclosure envelope", error))?;
            let mut action_kind = None;
            match row.kind {
                DisclosureRecordKind::Case => {
                    let case = DisclosureCase::parse(&envelope.payload)
                        .map_err(|error| corrupt("disclosure case", error))?;
                    match state.as_mut() {
                        None => {
                            state = Some(
                                CaseState::open(case, row.recorded_at)
                                    .map_err(|error| corrupt("disclosure case", error))?,
                            );
                        }
                        Some(current) => current
                            .apply_version(case, row.recorded_at)
                            .map_err(|error| corrupt("disclosure case", error))?,
                    }
                }
                DisclosureRecordKind::Notice | DisclosureRecordKind::NoticeAcknowledgement => {
                    return Err(corrupt(
                        "disclosure case",
                        format!("{case_id} holds a supply-chain notice's record"),
                    ));
                }
                DisclosureRecordKind::Action => {
                    let action = DisclosureAction::parse(&envelope.payload)
                        .map_err(|error| corrupt("disclosure action", error))?;
                    action_kind = Some(action.action.kind().to_string());
                    state
                        .as_mut()
                        .ok_or_else(|| corrupt("disclosure action", "it precedes its case"))?
                        .apply_action(&action, row.recorded_at)
                        .map_err(|error| corrupt("disclosure action", error))?;
                }
            }
            records.push((row, action_kind));
        }
        Ok(state.map(|state| CaseRecords { state, records }))
    }

    /// What `caller` may see of the case, or "not found" when it may not read it at all (an
    /// embargoed case is as absent as a missing one to anybody else). The one reading rule of
    /// cases: every read, and every link from an incident, goes through it.
    pub(crate) fn reader_rights(
        &self,
        caller: Option<&Caller>,
        state: &CaseState,
    ) -> Option<ReaderRights> {
        let now = self.now();
        let case = &state.case;
        match caller {
            Some(Caller::Operator) => Some(ReaderRights {
                sees_contacts: true,
                sees_anonymous_reporter: true,
            }),
            Some(Caller::Party(party)) => {
                let is_coordinator = party == &case.coordinator;
                let is_reporter = case.reporter.party.as_ref() == Some(party);
                if !state.is_public(now) && !state.embargo_readers().contains(party) {
                    return None;
                }
                Some(ReaderRights {
                    sees_contacts: is_coordinator,
                    sees_anonymous_reporter: is_coordinator || is_reporter,
                })
            }
            None => state.is_public(now).then_some(ReaderRights {
                sees_contacts: false,
                sees_anonymous_reporter: false,
            }),
        }
    }

    fn disclosure_view(
        &self,
        records: &CaseRecords,
        rights: ReaderRights,
        policy: AppliedDisclosurePolicy,
    ) -> DisclosureCaseView {
        let state = &records.state;
        let case = &state.case;
        let deadlines = vendor_deadlines(state, &policy.policy);
        let reporter = (!case.reporter.anonymous_to_vendors || rights.sees_anonymous_reporter)
            .then(|| ReporterView {
                party: case.reporter.party.clone(),
                name: case.reporter.name.clone(),
                anonymous_to_vendors: case.reporter.anonymous_to_vendors,
            });
        let vendors = case
            .vendors
            .iter()
            .map(|vendor| {
                let vendor_state = state.vendors.get(&vendor.id).cloned().unwrap_or_default();
                VendorView {
                    id: vendor.id.clone(),
                    name: vendor.name.clone(),
                    party: vendor.party.clone(),
                    contact: vendor.contact.clone().filter(|_| rights.sees_contacts),
                    contacted_at: vendor_state.contacted_at,
                    acknowledged_at: vendor_state.acknowledged_at,
                    unresponsive_at: vendor_state.unresponsive_at,
                    deadlines: deadlines
                        .iter()
                        .filter(|deadline| deadline.vendor == vendor.id)
                        .map(|deadline| DeadlineView {
                            duty: deadline.duty.as_str().to_string(),
                            due_at: deadline.due_at,
                            met: deadline.met,
                        })
                        .collect(),
                    products: vendor
                        .products
                        .iter()
                        .map(|product| {
                            let product_state =
                                state.products.get(&(vendor.id.clone(), product.id.clone()));
                            ProductView {
                                id: product.id.clone(),
                                name: product.name.clone(),
                                identifier_kind: match product.identifier {
                                    redline_disclosure::ProductIdentifier::Purl(_) => "purl",
                                    redline_disclosure::ProductIdentifier::Cpe(_) => "cpe",
                                }
                                .to_string(),
                                identifier: product.identifier.as_str().to_string(),
                                status: product_state
                                    .map_or(ProductStatus::NotContacted, |state| state.status)
                                    .as_str()
                                    .to_string(),
                                contacted_at: product_state.and_then(|state| state.contacted_at),
                                answered_at: product_state.and_then(|state| state.answered_at),
                                statement: product_state.and_then(|state| state.statement.clone()),
                            }
                        })
                        .collect(),
                }
            })
            .collect();
        DisclosureCaseView {
            id: case.id,
            version: case.version,
            title: case.title.clone(),
            description: case.description.clone(),
            coordinator: case.coordinator.clone(),
            reporter,
            vendors,
            cvss_v4: CvssView {
                vector: case.cvss_v4.as_str().to_string(),
                score: case.cvss_v4.score(),
                severity: case.cvss_v4.severity().to_string(),
            },
            cvss_v3: case.cvss_v3.as_ref().map(|vector| CvssView {
                vector: vector.as_str().to_string(),
                score: vector.score(),
                severity: vector.severity().to_string(),
            }),
            cwe: case.cwe.as_ref().map(|cwe| CweView {
                id: cwe.id.clone(),
                name: cwe.name.clone(),
            }),
            cve: state.cve.as_ref().map(|cve| cve.as_str().to_string()),
            reported_at: case.reported_at,
            embargo_end: state.embargo_end,
            public: state.is_public(self.now()),
            embargo_changes: state
                .embargo_changes
                .iter()
                .map(|change: &EmbargoChange| EmbargoChangeView {
                    from: change.from,
                    to: change.to,
                    reason: change.reason.clone(),
                    by: change.by.clone(),
                    at: change.at,
                })
                .collect(),
            status_counts: status_counts(state),
            updated_at: state.updated_at,
            records: records
                .records
                .iter()
                .map(|(record, action)| RecordView {
                    kind: record.kind.as_str().to_string(),
                    action: action.clone(),
                    party: record.party.clone(),
                    payload_digest: record.payload_digest.clone(),
                    recorded_at: record.recorded_at,
                })
                .collect(),
            policy,
            incidents: Vec::new(),
        }
    }

    fn list_item(&self, state: &CaseState) -> DisclosureCaseListItem {
        DisclosureCaseListItem {
            id: state.case.id,
            title: state.case.title.clone(),
            coordinator: state.case.coordinator.clone(),
            vendor_count: state.case.vendors.len(),
            product_count: state.products.len(),
            embargo_end: state.embargo_end,
            public: state.is_public(self.now()),
            cve: state.cve.as_ref().map(|cve| cve.as_str().to_string()),
            severity: state.case.cvss_v4.severity().to_string(),
            score: state.case.cvss_v4.score(),
            status_counts: status_counts(state),
        }
    }

    /// The summary row of a case after a change, with the next deadline still to fire.
    async fn disclosure_summary(
        &self,
        state: &CaseState,
        extra_firing: Option<&DisclosureDeadlineFiring>,
    ) -> Result<DisclosureCaseSummary, NodeError> {
        let mut fired: BTreeSet<(String, String, Timestamp)> = self
            .store
            .disclosure_deadline_firings(state.case.id)
            .await?
            .into_iter()
            .map(|firing| (firing.vendor_id, firing.duty, firing.due_at))
            .collect();
        if let Some(firing) = extra_firing {
            fired.insert((firing.vendor_id.clone(), firing.duty.clone(), firing.due_at));
        }
        let policy = self.disclosure_policy(&state.case.coordinator).await.policy;
        let next_deadline = vendor_deadlines(state, &policy)
            .into_iter()
            .filter(|deadline| {
                !deadline.met
                    && !fired.contains(&(
                        deadline.vendor.clone(),
                        deadline.duty.as_str().to_string(),
                        deadline.due_at,
                    ))
            })
            .map(|deadline| deadline.due_at)
            // The embargo's end is due too, until the case was shared at it (`publish_case`).
            .chain((!fired.contains(&publication_key(state))).then_some(state.embargo_end))
            .min();
        Ok(DisclosureCaseSummary {
            case_id: state.case.id,
            coordinator: state.case.coordinator.clone(),
            latest_version: state.case.version,
            embargo_end: state.embargo_end,
            vendor_count: u32::try_from(state.case.vendors.len()).unwrap_or(u32::MAX),
            product_count: u32::try_from(state.products.len()).unwrap_or(u32::MAX),
            readers: state.embargo_readers(),
            next_deadline,
            updated_at: state.updated_at,
        })
    }

    /// Stores one signed record with the case's new summary and its log entry, in one commit.
    async fn commit_disclosure_record(
        &self,
        record: DisclosureRecord,
        log_kind: LogEntryKind,
        state_after: &CaseState,
        told: Vec<HotlineEvent>,
    ) -> Result<(), NodeError> {
        let summary = self.disclosure_summary(state_after, None).await?;
        let entry = LogEntry::new(
            log_kind,
            Some(record.party.as_str().to_string()),
            record.case_id.to_string(),
            record.recorded_at,
            record.envelope.as_bytes(),
        );
        let parties: Vec<PartyId> = told.iter().map(|event| event.party.clone()).collect();
        let mut writes = vec![
            StoreWrite::InsertDisclosureRecord(record),
            StoreWrite::PutDisclosureCaseSummary(summary),
        ];
        if !told.is_empty() {
            writes.push(StoreWrite::InsertHotlineEvents(told));
        }
        self.commit_logged(writes, vec![entry])
            .await
            .map_err(|error| match error {
                NodeError::Conflict(_) => NodeError::Conflict(
                    "this signed record is stored already (a replay)".to_string(),
                ),
                other => other,
            })?;
        if !parties.is_empty() {
            self.announce(parties).await;
        }
        Ok(())
    }

    /// Files a case version signed by its coordinator: version 1 opens the case, each next
    /// version updates it (vendors and products may be added, none removed).
    pub async fn file_disclosure_case(
        &self,
        caller: &Caller,
        bytes: &[u8],
    ) -> Result<DisclosureCaseView, NodeError> {
        let crate::signed_records::OpenedRecord {
            payload,
            digest,
            envelope_text,
        } = open_record(bytes, CASE_PAYLOAD_TYPE)?;
        let case = DisclosureCase::parse(&payload)?;
        self.check_author(
            caller,
            &case.coordinator,
            bytes,
            case.signed_at,
            "coordinator",
            "signed_at",
        )
        .await?;
        let coordinator = self
            .store
            .get_party(&case.coordinator)
            .await?
            .ok_or_else(|| not_found(case.id))?;
        if coordinator.kind != PartyKind::Cert {
            return Err(NodeError::invalid(
                "coordinator",
                format!(
                    "{} is a {}: a case is coordinated by a CERT party",
                    case.coordinator,
                    coordinator.kind.as_str()
                ),
            ));
        }
        let named: Vec<PartyId> = case.embargo_readers().into_iter().collect();
        let missing = self.missing_parties(&named).await?;
        if let Some(first) = missing.first() {
            return Err(NodeError::invalid(
                "vendors",
                format!(
                    "{first} is not a party of this node; name an outside vendor by its contact instead"
                ),
            ));
        }
        let _guard = DISCLOSURE_WRITES.lock().await;
        let now = self.now();
        let existing = self.disclosure_records(case.id).await?;
        if let Some(records) = &existing {
            records.refuse_replay(&digest)?;
        }
        let state = match existing {
            None => CaseState::open(case.clone(), now).map_err(workflow_error)?,
            Some(mut records) => {
                if records.state.case.coordinator != case.coordinator {
                    return Err(not_found(case.id));
                }
                records
                    .state
                    .apply_version(case.clone(), now)
                    .map_err(workflow_error)?;
                records.state
            }
        };
        let record = DisclosureRecord {
            sequence: 0,
            payload_digest: digest,
            case_id: case.id,
            kind: DisclosureRecordKind::Case,
            party: case.coordinator.clone(),
            recorded_at: now,
            envelope: envelope_text,
        };
        let told = case_events(&state, &case.coordinator, "case", now);
        self.commit_disclosure_record(record, LogEntryKind::DisclosureCase, &state, told)
            .await?;
        tracing::info!(case = %case.id, version = case.version, "disclosure case filed");
        self.disclosure_case(Some(caller), case.id).await
    }

    /// Records a signed action on a case (the author must be allowed to take it).
    pub async fn record_disclosure_action(
        &self,
        caller: &Caller,
        case_id: Uuid,
        bytes: &[u8],
    ) -> Result<DisclosureCaseView, NodeError> {
        let crate::signed_records::OpenedRecord {
            payload,
            digest,
            envelope_text,
        } = open_record(bytes, ACTION_PAYLOAD_TYPE)?;
        let action = DisclosureAction::parse(&payload)?;
        if action.case != case_id {
            return Err(NodeError::invalid(
                "case",
                format!("the action is about case {}, not {case_id}", action.case),
            ));
        }
        self.check_author(
            caller,
            &action.author,
            bytes,
            action.signed_at,
            "author",
            "signed_at",
        )
        .await?;
        let _guard = DISCLOSURE_WRITES.lock().await;
        let mut records = self
            .disclosure_records(case_id)
            .await?
            .ok_or_else(|| not_found(case_id))?;
        records.refuse_replay(&digest)?;
        // Somebody who may not read the embargoed case learns nothing of it, not even that it
        // exists.
        if self
            .reader_rights(Some(&Caller::Party(action.author.clone())), &records.state)
            .is_none()
        {
            return Err(not_found(case_id));
        }
        let now = self.now();
        records
            .state
            .apply_action(&action, now)
            .map_err(workflow_error)?;
        let log_kind = match action.action {
            redline_disclosure::ActionBody::EmbargoChanged { .. } => {
                LogEntryKind::DisclosureEmbargo
            }
            _ => LogEntryKind::DisclosureAction,
        };
        let record = DisclosureRecord {
            sequence: 0,
            payload_digest: digest,
            case_id,
            kind: DisclosureRecordKind::Action,
            party: action.author.clone(),
            recorded_at: now,
            envelope: envelope_text,
        };
        let told = case_events(&records.state, &action.author, action.action.kind(), now);
        self.commit_disclosure_record(record, log_kind, &records.state, told)
            .await?;
        tracing::info!(case = %case_id, action = action.action.kind(), "disclosure action recorded");
        // A public case's vulnerability follows its changes on TAXII.
        self.share_case_in_taxii(&records.state).await;
        self.disclosure_case(Some(caller), case_id).await
    }

    /// A case as `caller` may see it (`None`: an anonymous visitor), or "not found".
    pub async fn disclosure_case(
        &self,
        caller: Option<&Caller>,
        case_id: Uuid,
    ) -> Result<DisclosureCaseView, NodeError> {
        let records = self
            .disclosure_records(case_id)
            .await?
            .ok_or_else(|| not_found(case_id))?;
        let rights = self
            .reader_rights(caller, &records.state)
            .ok_or_else(|| not_found(case_id))?;
        let policy = self
            .disclosure_policy(&records.state.case.coordinator)
            .await;
        let mut view = self.disclosure_view(&records, rights, policy);
        view.incidents = self
            .incidents_naming_case(caller, &records.state, LINKED_INCIDENTS_SHOWN)
            .await?;
        Ok(view)
    }

    /// The cases `caller` may read (`None`: public cases only), latest embargo end first.
    pub async fn list_disclosure_cases(
        &self,
        caller: Option<&Caller>,
        limit: u32,
    ) -> Result<Vec<DisclosureCaseListItem>, NodeError> {
        let query = DisclosureCaseQuery {
            visible_to: match caller {
                Some(Caller::Operator) => None,
                Some(Caller::Party(party)) => Some(Some(party.clone())),
                None => Some(None),
            },
            now: self.now(),
            public_only: caller.is_none(),
            limit,
        };
        let mut items = Vec::new();
        for summary in self.store.list_disclosure_case_summaries(&query).await? {
            if let Some(records) = self.disclosure_records(summary.case_id).await?
                && self.reader_rights(caller, &records.state).is_some()
            {
                items.push(self.list_item(&records.state));
            }
        }
        Ok(items)
    }

    /// The CSAF advisory of a case in `version` (2.0, the API's default, or 2.1). Anybody reads
    /// it once the embargo has ended; before that, the case's readers may read the draft.
    pub async fn disclosure_advisory(
        &self,
        caller: Option<&Caller>,
        case_id: Uuid,
        namespace: &str,
        version: CsafVersion,
    ) -> Result<serde_json::Value, NodeError> {
        let records = self
            .disclosure_records(case_id)
            .await?
            .ok_or_else(|| not_found(case_id))?;
        self.reader_rights(caller, &records.state)
            .ok_or_else(|| not_found(case_id))?;
        let coordinator = self
            .store
            .get_party(&records.state.case.coordinator)
            .await?
            .map_or_else(
                || records.state.case.coordinator.as_str().to_string(),
                |party| party.name,
            );
        let publisher = AdvisoryPublisher {
            name: coordinator,
            namespace: namespace.to_string(),
        };
        Ok(render_csaf(
            &AdvisoryFacts::of_case(&records.state, &publisher),
            version,
        ))
    }

    /// The case's CVE JSON 5 record for the CNA `assigner` (the case's readers before the
    /// embargo ends, anybody after); "not found" without a CVE id yet.
    pub async fn disclosure_cve_record(
        &self,
        caller: Option<&Caller>,
        case_id: Uuid,
        assigner: &redline_disclosure::CveAssigner,
        namespace: &str,
    ) -> Result<serde_json::Value, NodeError> {
        let records = self
            .disclosure_records(case_id)
            .await?
            .ok_or_else(|| not_found(case_id))?;
        self.reader_rights(caller, &records.state)
            .ok_or_else(|| not_found(case_id))?;
        let advisory_url = format!(
            "{}/dashboard/advisories/{case_id}",
            namespace.trim_end_matches('/')
        );
        redline_disclosure::cve_record(&records.state, assigner, &advisory_url).ok_or_else(|| {
            NodeError::NotFound(format!(
                "disclosure case {case_id} has no CVE id yet (record one with cve-assigned)"
            ))
        })
    }

    /// The public advisory of a case whose embargo has ended, in `version`, or "not found".
    pub async fn public_disclosure_advisory(
        &self,
        case_id: Uuid,
        namespace: &str,
        version: CsafVersion,
    ) -> Result<serde_json::Value, NodeError> {
        self.disclosure_advisory(None, case_id, namespace, version)
            .await
    }

    /// Fires every vendor deadline that passed unmet, each once: a reminder to the vendor's
    /// party and an escalation to the coordinator. Returns how many fired.
    pub async fn fire_due_disclosure_deadlines(&self) -> Result<u32, NodeError> {
        let now = self.now();
        let mut fired = 0;
        for case_id in self.store.disclosure_cases_with_deadlines_due(now).await? {
            let _guard = DISCLOSURE_WRITES.lock().await;
            let Some(records) = self.disclosure_records(case_id).await? else {
                continue;
            };
            let already: BTreeSet<(String, String, Timestamp)> = self
                .store
                .disclosure_deadline_firings(case_id)
                .await?
                .into_iter()
                .map(|firing| (firing.vendor_id, firing.duty, firing.due_at))
                .collect();
            let policy = self
                .disclosure_policy(&records.state.case.coordinator)
                .await
                .policy;
            let due: Vec<VendorDeadline> =
                redline_disclosure::missed_deadlines(&records.state, &policy, now)
                    .into_iter()
                    .filter(|deadline| {
                        !already.contains(&(
                            deadline.vendor.clone(),
                            deadline.duty.as_str().to_string(),
                            deadline.due_at,
                        ))
                    })
                    .collect();
            for deadline in due {
                let firing = DisclosureDeadlineFiring {
                    case_id,
                    vendor_id: deadline.vendor.clone(),
                    duty: deadline.duty.as_str().to_string(),
                    due_at: deadline.due_at,
                    fired_at: now,
                };
                let events = deadline_events(&records.state, &deadline, now);
                let parties: Vec<PartyId> =
                    events.iter().map(|event| event.party.clone()).collect();
                let summary = self
                    .disclosure_summary(&records.state, Some(&firing))
                    .await?;
                let writes = vec![
                    StoreWrite::InsertDisclosureDeadlineFiring(firing),
                    StoreWrite::PutDisclosureCaseSummary(summary),
                    StoreWrite::InsertHotlineEvents(events),
                ];
                match self.store.commit(writes, Vec::new()).await {
                    Ok(_) => {
                        fired += 1;
                        tracing::info!(case = %case_id, vendor = %deadline.vendor, duty = deadline.duty.as_str(), "disclosure deadline passed");
                        self.announce(parties).await;
                    }
                    Err(StoreError::Conflict(_)) => {}
                    Err(other) => return Err(other.into()),
                }
            }
            if records.state.is_public(now) && !already.contains(&publication_key(&records.state)) {
                self.publish_case(&records.state, now).await?;
                fired += 1;
            }
            // A case whose deadlines all fired, or were met meanwhile, leaves the scheduler's
            // list.
            let summary = self.disclosure_summary(&records.state, None).await?;
            self.store
                .commit(
                    vec![StoreWrite::PutDisclosureCaseSummary(summary)],
                    Vec::new(),
                )
                .await?;
        }
        Ok(fired)
    }

    /// At the embargo's end: the case's STIX `vulnerability` goes to the shared TAXII
    /// collection (when the node has one), and a firing row records that it was shared at this
    /// embargo end, so it happens once.
    async fn publish_case(&self, state: &CaseState, now: Timestamp) -> Result<(), NodeError> {
        self.share_case_in_taxii(state).await;
        let (vendor_id, duty, due_at) = publication_key(state);
        let firing = DisclosureDeadlineFiring {
            case_id: state.case.id,
            vendor_id,
            duty,
            due_at,
            fired_at: now,
        };
        let summary = self.disclosure_summary(state, Some(&firing)).await?;
        match self
            .store
            .commit(
                vec![
                    StoreWrite::InsertDisclosureDeadlineFiring(firing),
                    StoreWrite::PutDisclosureCaseSummary(summary),
                ],
                Vec::new(),
            )
            .await
        {
            Ok(_) | Err(StoreError::Conflict(_)) => {
                tracing::info!(case = %state.case.id, "disclosure case public: shared over TAXII");
                Ok(())
            }
            Err(other) => Err(other.into()),
        }
    }

    /// Adds the public case's `vulnerability` (a new version when it changed) to the shared
    /// TAXII collection, if there is one. Never called before the embargo ends.
    async fn share_case_in_taxii(&self, state: &CaseState) {
        if !state.is_public(self.now()) {
            return;
        }
        let Ok(Some(_)) = self
            .store
            .get_taxii_collection(crate::sharing::SHARED_COLLECTION_ID)
            .await
        else {
            return;
        };
        let vulnerability = redline_disclosure::case_vulnerability(
            state,
            &format!("/dashboard/advisories/{}", state.case.id),
        );
        let envelope = serde_json::json!({ "objects": [vulnerability] });
        if let Err(error) = self
            .add_objects(
                &Caller::Operator,
                crate::sharing::SHARED_COLLECTION_ID,
                envelope.to_string().as_bytes(),
            )
            .await
        {
            tracing::error!(%error, case = %state.case.id, "sharing a disclosure case over TAXII failed");
        }
    }

    /// The earliest vendor deadline still to fire.
    pub async fn next_disclosure_deadline(&self) -> Result<Option<Timestamp>, NodeError> {
        Ok(self.store.earliest_disclosure_deadline().await?)
    }
}

/// The firing row that records a case shared at its current embargo end.
fn publication_key(state: &CaseState) -> (String, String, Timestamp) {
    (String::new(), "publication".to_string(), state.embargo_end)
}

fn status_counts(state: &CaseState) -> std::collections::BTreeMap<String, usize> {
    state
        .status_counts()
        .into_iter()
        .map(|(status, count)| (status.as_str().to_string(), count))
        .collect()
}

/// The events telling a case's readers (but not the author) that it changed. The detail names
/// the case and the kind of change only.
fn case_events(
    state: &CaseState,
    author: &PartyId,
    change: &str,
    now: Timestamp,
) -> Vec<HotlineEvent> {
    let detail = serde_json::json!({ "case": state.case.id, "change": change }).to_string();
    state
        .embargo_readers()
        .into_iter()
        .filter(|party| party != author)
        .map(|party| HotlineEvent {
            sequence: 0,
            party,
            kind: "disclosure".to_string(),
            thread_id: state.case.id,
            message_id: None,
            created_at: now,
            detail: detail.clone(),
        })
        .collect()
}

/// A missed deadline's reminder to the vendor's party (if it is one) and escalation to the
/// coordinator.
fn deadline_events(
    state: &CaseState,
    deadline: &VendorDeadline,
    now: Timestamp,
) -> Vec<HotlineEvent> {
    let detail = |role: &str| {
        serde_json::json!({
            "case": state.case.id,
            "vendor": deadline.vendor,
            "duty": deadline.duty.as_str(),
            "due_at": deadline.due_at,
            "role": role,
        })
        .to_string()
    };
    let mut events = vec![HotlineEvent {
        sequence: 0,
        party: state.case.coordinator.clone(),
        kind: "disclosure-escalation".to_string(),
        thread_id: state.case.id,
        message_id: None,
        created_at: now,
        detail: detail("coordinator"),
    }];
    if let Some(party) = state
        .case
        .vendor(&deadline.vendor)
        .and_then(|vendor| vendor.party.clone())
    {
        events.push(HotlineEvent {
            sequence: 0,
            party,
            kind: "disclosure-reminder".to_string(),
            thread_id: state.case.id,
            message_id: None,
            created_at: now,
            detail: detail("vendor"),
        });
    }
    events
}
