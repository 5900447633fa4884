//! Commitments and their record: the use cases of signed adoptions and withdrawals of norms
//! documents, national implementation reports, and peer-review rounds (open, review, answer,
//! close with a published summary), with their deadlines on the node's clock; and the public
//! record of what each party committed to and how it kept it (the commitments pages and their
//! JSON export).
//!
//! Every record is a DSSE envelope signed by its author's hotline key
//! (`redline_hotline::signed_record`: a key of the author current when it signed), stored byte
//! for byte and logged as the hash of its envelope — in one commit. A report is read under its
//! TLP (`ImplementationReport::readership`); of a restricted report only its author's public
//! summary reaches a public page. A round's working records (opening, reviews, answers) are read
//! by its participants only; its closing is `TLP:CLEAR`, and a closed round's published summary
//! is its closing text, the tally of ratings (`tally_round_ratings`, never a comment) and
//! whether each duty was met. Deadlines (reminder, then overdue) are fired by the node's
//! deadline scheduler (`deadlines.rs`) through `fire_due_commitment_deadlines`.
//!
//! Duties kept: each hotline duty of the norms document a party owed — notify, acknowledge,
//! initial reply, status update, answer to assistance — per party and incident (or thread and
//! request), met, late, missed or pending on the node's clock, by the rules of
//! `redline_hotline::duties_kept` over the timings the store keeps (`hotline_duties_of` for the
//! party itself; counts by month and kind for everyone).

use std::collections::{BTreeMap, BTreeSet};

use redline_hotline::deadline::{DutiesTable, deadline_outcome};
use redline_hotline::duties_kept::{
    DutyDue, acknowledged_at, notify_deadline, status_update_duties,
};
use redline_model::commitments::{
    ADOPTION_PAYLOAD_TYPE, AdoptionAction, AdoptionStatement, CAPACITY_BUILDING_PAYLOAD_TYPE,
    CapacityBuildingEntry, CapacityBuildingKind, IMPLEMENTATION_REPORT_PAYLOAD_TYPE,
    ImplementationLevel, ImplementationReport, PEER_REVIEW_PAYLOAD_TYPE, PeerReview,
    PublicNormLevel, PublicSummary, REVIEW_ANSWER_PAYLOAD_TYPE, REVIEW_ROUND_CLOSING_PAYLOAD_TYPE,
    REVIEW_ROUND_OPENING_PAYLOAD_TYPE, ReviewAnswer, ReviewRoundClosing, ReviewRoundOpening,
    RoundRatingCount, tally_round_ratings,
};
use redline_model::implementation_survey::GgeNorm;
use redline_model::{DutyKind, PartyId, Timestamp, Tlp};
use redline_norms::applicable::{Withdrawal, parties_in_force};
use redline_store::{
    CommitmentDeadline, CommitmentQuery, CommitmentRecord, CommitmentRecordKind, HotlineEvent,
    HotlineRequestQuery, NormsAdoption, NotifyDutyRow, StoreWrite, StoredAssessment,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::log::{LogEntry, LogEntryKind};
use crate::signed_records::{OpenedRecord, open_record};
use crate::{Caller, Node, NodeError};

/// Commitment writes of this process, one at a time: each reads a subject's records before it
/// writes the next (versions, a round's state).
static COMMITMENT_WRITES: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The most records one read gathers.
const READ_LIMIT: u32 = 100_000;
/// How long before a document's `review_by` its adopters are reminded.
const REVIEW_CLAUSE_REMINDER_DAYS: i64 = 30;

/// How the node runs commitments.
#[derive(Debug, Clone, Default)]
pub struct CommitmentSettings {
    /// The party (the regional secretariat) that runs this node: it is told, with each adopting
    /// party, when a document's review clause comes due and when the review is overdue. Unset:
    /// only the adopting parties are told.
    pub secretariat: Option<PartyId>,
}

/// The duty of a reviewer (review every reviewed party but itself) in a round.
pub const REVIEW_DUTY: &str = "review";
/// The duty of a reviewed party (answer the reviews) in a round.
pub const ANSWER_DUTY: &str = "answer";
/// The duty of an adopting party to review a document by its `review_by`.
pub const REVIEW_CLAUSE_DUTY: &str = "review-clause";

/// One signed record as a reader sees it: the payload, its digest, when the node took it, who
/// signed it, and the envelope to check the signature offline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedView<T> {
    pub record: T,
    pub payload_digest: String,
    pub recorded_at: Timestamp,
    pub signed_by: PartyId,
    /// `verified`: the node checked the signature against the signer's key current at signing
    /// before it stored the record (it refuses any other).
    pub signature: String,
    pub envelope: serde_json::Value,
}

/// An adoption of a norms document as the record shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdoptionView {
    pub party: PartyId,
    pub document: String,
    pub document_title: String,
    pub document_version: String,
    pub adopted_at: Timestamp,
    /// `signed` (a DSSE adoption by the party, verified) or `unsigned` (recorded by the
    /// operator).
    pub signature: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload_digest: Option<String>,
    pub in_force: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn_at: Option<Timestamp>,
    /// The document's review clause (`review_by`), as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_by: Option<String>,
    /// Whether `review_by` has passed on the node's clock while the adoption is in force.
    pub review_overdue: bool,
}

/// One version of a report.
pub type ReportVersionView = SignedView<ImplementationReport>;

/// A report with every version the reader may read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportView {
    pub id: Uuid,
    pub party: PartyId,
    /// Oldest first; the last is the current version.
    pub versions: Vec<ReportVersionView>,
}

/// A report as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportSummaryView {
    pub id: Uuid,
    pub party: PartyId,
    pub version: u32,
    pub period: String,
    pub tlp: Tlp,
    pub recorded_at: Timestamp,
    /// The norms whose level shows a gap (for capacity building).
    pub gaps: Vec<String>,
}

/// Where a round stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoundStatus {
    Open,
    Closed,
}

/// One duty with a deadline and whether it was kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DutyView {
    pub party: PartyId,
    pub duty: String,
    pub remind_at: Timestamp,
    pub due_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminded_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_at: Option<Timestamp>,
    /// `met`, `late`, `missed` or `pending` on the node's clock (`deadline_outcome`).
    pub outcome: String,
}

/// A peer-review round as a participant sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundView {
    pub id: Uuid,
    pub status: RoundStatus,
    pub opening: SignedView<ReviewRoundOpening>,
    pub reviews: Vec<SignedView<PeerReview>>,
    pub answers: Vec<SignedView<ReviewAnswer>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closing: Option<SignedView<ReviewRoundClosing>>,
    pub duties: Vec<DutyView>,
    pub tally: Vec<RoundRatingCount>,
}

/// What a closed round publishes: who, which norms, the summary, the tally, the duties kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedRound {
    pub id: Uuid,
    pub title: String,
    pub secretariat: PartyId,
    pub reviewed: Vec<PartyId>,
    pub reviewers: Vec<PartyId>,
    pub norms: Vec<GgeNorm>,
    pub deadline: Timestamp,
    pub closed_at: Timestamp,
    pub summary: String,
    pub tally: Vec<RoundRatingCount>,
    pub duties: Vec<DutyView>,
    /// The closing's signed envelope (`TLP:CLEAR`), to check offline.
    pub closing_envelope: serde_json::Value,
}

/// One party's round, as its commitments page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyRoundStatus {
    pub round: Uuid,
    pub title: String,
    /// `reviewed`, `reviewer` or `secretariat`.
    pub role: String,
    pub status: RoundStatus,
    pub deadline: Timestamp,
    /// This party's duties in the round.
    pub duties: Vec<DutyView>,
}

/// One norm's level as a reader may see it for one party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NormLevelView {
    pub norm: GgeNorm,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<ImplementationLevel>,
}

/// What one party committed to and how it kept it, as a reader may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyCommitments {
    pub party: PartyId,
    pub name: String,
    pub adoptions: Vec<AdoptionView>,
    /// The eleven norms in order, each with the level of the latest report the reader may read
    /// (a public reader: a `clear` report, or a restricted report's public summary).
    pub norms: Vec<NormLevelView>,
    pub reports: Vec<ReportSummaryView>,
    /// Public summaries of restricted reports, in their author's words.
    pub public_summaries: Vec<String>,
    pub rounds: Vec<PartyRoundStatus>,
    /// Its requests and offers in the capacity-building register, latest versions.
    pub capacity_building: Vec<CapacityBuildingView>,
    /// Its duties kept, by month and kind: its hotline duties (notify, acknowledge, initial
    /// reply, status update, answer to assistance) and its peer-review duties in the rounds
    /// listed (counts only; no incident, thread or request).
    pub duties_kept: Vec<DutyMonthCount>,
}

/// One hotline duty of one party, kept or not: the reporter's notify duty to an affected party
/// (per incident), a recipient's acknowledgement, initial reply and status updates (per thread),
/// or its answer to an assistance or mitigation request (per request).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HotlineDutyView {
    /// The party that owes the duty.
    pub party: PartyId,
    /// `notify`, `acknowledge`, `initial-reply`, `status-update` or `assistance-answer`.
    pub duty: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<String>,
    /// Whom the duty is owed to: the affected party to notify, the party that made a request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counterpart: Option<PartyId>,
    /// The assistance or mitigation request an answer is owed to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<Uuid>,
    /// The duty of the norms document that set the deadline, when it is another than `duty`:
    /// `initial-reply` for an answer to a request where the document defines no
    /// `assistance-answer` duty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_from: Option<String>,
    pub due_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_at: Option<Timestamp>,
    /// `met`, `late`, `missed` or `pending` (`deadline_outcome`).
    pub outcome: String,
    /// The recipient's latest structured outcome of the request it answers, if it gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_outcome: Option<redline_hotline::RequestOutcomeKind>,
}

impl HotlineDutyView {
    fn new(party: &PartyId, duty: DutyKind, due: DutyDue) -> Self {
        Self {
            party: party.clone(),
            duty: duty.as_str().to_string(),
            thread: None,
            incident: None,
            counterpart: None,
            request: None,
            deadline_from: None,
            due_at: due.due_at,
            done_at: due.done_at,
            outcome: due.outcome.as_str().to_string(),
            request_outcome: None,
        }
    }
}

/// How many duties of one kind falling due in one month were met, late, missed or pending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DutyMonthCount {
    /// `YYYY-MM` of the deadline (UTC).
    pub month: String,
    pub duty: String,
    pub met: u64,
    pub late: u64,
    pub missed: u64,
    pub pending: u64,
}

/// Counts by month of the deadline and duty kind, oldest month first.
pub fn count_duties_by_month<'a>(
    duties: impl Iterator<Item = (&'a str, Timestamp, &'a str)>,
) -> Vec<DutyMonthCount> {
    let mut counts: BTreeMap<(String, String), DutyMonthCount> = BTreeMap::new();
    for (duty, due_at, outcome) in duties {
        let month = due_at.as_jiff().strftime("%Y-%m").to_string();
        let row = counts
            .entry((month.clone(), duty.to_string()))
            .or_insert(DutyMonthCount {
                month,
                duty: duty.to_string(),
                met: 0,
                late: 0,
                missed: 0,
                pending: 0,
            });
        match outcome {
            "met" => row.met += 1,
            "late" => row.late += 1,
            "missed" => row.missed += 1,
            _ => row.pending += 1,
        }
    }
    counts.into_values().collect()
}

/// One entry of the capacity-building register: its latest version and when it was recorded.
pub type CapacityBuildingView = SignedView<CapacityBuildingEntry>;

/// The comparison across parties.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitmentsComparison {
    pub generated_at: Timestamp,
    pub norms: Vec<GgeNorm>,
    pub parties: Vec<PartyCommitments>,
    pub published_rounds: Vec<PublishedRound>,
    /// Every party's duties kept, by month and kind (counts only).
    pub duties_over_time: Vec<DutyMonthCount>,
}

fn envelope_json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or(serde_json::Value::Null)
}

fn corrupt(what: &str, error: impl std::fmt::Display) -> NodeError {
    NodeError::Internal(format!("a stored {what} no longer parses: {error}"))
}

/// Reads a stored record's payload back.
fn stored_payload<T>(
    record: &CommitmentRecord,
    parse: impl Fn(&[u8]) -> Result<T, redline_model::ModelError>,
) -> Result<SignedView<T>, NodeError> {
    let envelope = redline_hotline::Envelope::parse(record.envelope.as_bytes())
        .map_err(|error| corrupt("commitment envelope", error))?;
    let payload = parse(&envelope.payload).map_err(|error| corrupt("commitment record", error))?;
    Ok(SignedView {
        record: payload,
        payload_digest: record.payload_digest.clone(),
        recorded_at: record.recorded_at,
        signed_by: record.party.clone(),
        signature: "verified".to_string(),
        envelope: envelope_json(&record.envelope),
    })
}

/// Who may read what, as a store query.
fn visible_to(caller: Option<&Caller>) -> Option<Option<PartyId>> {
    match caller {
        None => Some(None),
        Some(Caller::Operator) => None,
        Some(Caller::Party(party)) => Some(Some(party.clone())),
    }
}

fn round_participants(opening: &ReviewRoundOpening) -> BTreeSet<PartyId> {
    std::iter::once(opening.secretariat.clone())
        .chain(opening.reviewed.iter().cloned())
        .chain(opening.reviewers.iter().cloned())
        .collect()
}

fn duty_view(deadline: &CommitmentDeadline, now: Timestamp) -> DutyView {
    DutyView {
        party: deadline.party.clone(),
        duty: deadline.duty.clone(),
        remind_at: deadline.remind_at,
        due_at: deadline.due_at,
        reminded_at: deadline.reminded_at,
        done_at: deadline.done_at,
        outcome: deadline_outcome(deadline.due_at, deadline.done_at, now)
            .as_str()
            .to_string(),
    }
}

/// The review clause's reminder and deadline for `party`, which adopts the document
/// `document_sha256` (none when the document has no `review_by`).
pub(crate) fn review_clause_deadline(
    document_sha256: &str,
    review_by: Option<&str>,
    party: &PartyId,
) -> Option<StoreWrite> {
    let due_at = review_by.and_then(review_by_instant)?;
    Some(StoreWrite::PutCommitmentDeadline(CommitmentDeadline {
        subject: document_sha256.to_string(),
        party: party.clone(),
        duty: REVIEW_CLAUSE_DUTY.to_string(),
        remind_at: due_at
            .plus_seconds(-REVIEW_CLAUSE_REMINDER_DAYS * 86_400)
            .unwrap_or(due_at),
        due_at,
        reminded_at: None,
        overdue_at: None,
        done_at: None,
    }))
}

/// `review_by` (`YYYY-MM-DD`, or an RFC 3339 time) as the end of that day in UTC.
fn review_by_instant(review_by: &str) -> Option<Timestamp> {
    if let Ok(at) = Timestamp::parse(review_by) {
        return Some(at);
    }
    let date: jiff::civil::Date = review_by.parse().ok()?;
    let end_of_day = date
        .at(23, 59, 59, 0)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .ok()?;
    Some(Timestamp::from_jiff(end_of_day.timestamp()))
}

impl Node {
    /// Every party in `parties` exists, else an error at `path`.
    async fn check_named_parties_exist(
        &self,
        parties: &[PartyId],
        path: &str,
    ) -> Result<(), NodeError> {
        let missing = self.missing_parties(parties).await?;
        match missing.first() {
            Some(party) => Err(NodeError::invalid(
                path,
                format!("{party} is not a party of this node"),
            )),
            None => Ok(()),
        }
    }

    /// Stores one signed record (and any other writes) with its log entry, in one commit.
    async fn commit_commitment(
        &self,
        record: CommitmentRecord,
        log_kind: LogEntryKind,
        mut other_writes: Vec<StoreWrite>,
    ) -> Result<(), NodeError> {
        let entry = LogEntry::new(
            log_kind,
            Some(record.party.to_string()),
            record.subject.clone(),
            record.recorded_at,
            record.envelope.as_bytes(),
        );
        let mut writes = vec![StoreWrite::InsertCommitmentRecord(record)];
        writes.append(&mut other_writes);
        self.commit_logged(writes, vec![entry]).await
    }

    fn record_of(
        opened: OpenedRecord,
        kind: CommitmentRecordKind,
        subject: String,
        party: PartyId,
        recorded_at: Timestamp,
        tlp: Tlp,
        readers: BTreeSet<PartyId>,
    ) -> CommitmentRecord {
        CommitmentRecord {
            sequence: 0,
            payload_digest: opened.digest,
            kind,
            subject,
            party,
            recorded_at,
            tlp,
            readers: if tlp.is_restricted() {
                readers
            } else {
                BTreeSet::new()
            },
            public_summary: None,
            envelope: opened.envelope_text,
        }
    }

    // ---- Adoptions ------------------------------------------------------------------------

    /// Every adoption, oldest first, with the parties that withdrew since taken off (the pure
    /// rule `redline_norms::applicable::parties_in_force`); what the applicable document reads.
    pub(crate) async fn adoptions_in_force(&self) -> Result<Vec<NormsAdoption>, NodeError> {
        let adoptions = self.store.list_norms_adoptions().await?;
        let withdrawals = self
            .store
            .list_commitment_records(&CommitmentQuery {
                kinds: vec![CommitmentRecordKind::Withdrawal],
                limit: READ_LIMIT,
                ..Default::default()
            })
            .await?;
        if withdrawals.is_empty() {
            return Ok(adoptions);
        }
        let withdrawals: Vec<Withdrawal<'_>> = withdrawals
            .iter()
            .map(|record| Withdrawal {
                document_sha256: &record.subject,
                party: &record.party,
                at: record.recorded_at,
            })
            .collect();
        Ok(adoptions
            .into_iter()
            .map(|adoption| NormsAdoption {
                parties: parties_in_force(
                    &adoption.document_sha256,
                    &adoption.parties,
                    adoption.adopted_at,
                    &withdrawals,
                ),
                ..adoption
            })
            .collect())
    }

    /// Records a party's signed adoption or withdrawal of a norms document it holds; re-assesses
    /// the incidents the change moves; an adoption of a document with a `review_by` schedules
    /// the review clause's reminder and deadline for the party.
    pub async fn record_adoption_statement(
        &self,
        caller: &Caller,
        bytes: &[u8],
    ) -> Result<AdoptionView, NodeError> {
        let opened = open_record(bytes, ADOPTION_PAYLOAD_TYPE)?;
        let statement = AdoptionStatement::parse(&opened.payload)?;
        self.check_author(
            caller,
            &statement.party,
            bytes,
            statement.signed_at,
            "party",
            "signed_at",
        )
        .await?;
        let document = self
            .norms_document_by_sha256(&statement.document)
            .await
            .ok_or_else(|| NodeError::NotFound(format!("norms document {}", statement.document)))?;
        let _guard = COMMITMENT_WRITES.lock().await;
        let now = self.now();
        let in_force = self.adoptions_in_force().await?;
        let adopted_now = in_force.iter().any(|adoption| {
            adoption.document_sha256 == statement.document
                && adoption.parties.contains(&statement.party)
        });
        let mut writes = Vec::new();
        let kind = match statement.action {
            AdoptionAction::Adopt => {
                writes.push(StoreWrite::InsertNormsAdoption(NormsAdoption {
                    sequence: 0,
                    document_sha256: statement.document.clone(),
                    parties: vec![statement.party.clone()],
                    adopted_at: now,
                    signed: true,
                }));
                // A party whose adoption is already in force keeps the deadline it has.
                if !adopted_now {
                    writes.extend(review_clause_deadline(
                        &statement.document,
                        document.review_by.as_deref(),
                        &statement.party,
                    ));
                }
                CommitmentRecordKind::Adoption
            }
            AdoptionAction::Withdraw => {
                if !adopted_now {
                    return Err(NodeError::Conflict(format!(
                        "{} has no adoption of {} in force to withdraw",
                        statement.party, statement.document
                    )));
                }
                CommitmentRecordKind::Withdrawal
            }
        };
        let record = Self::record_of(
            opened,
            kind,
            statement.document.clone(),
            statement.party.clone(),
            now,
            Tlp::Clear,
            BTreeSet::new(),
        );
        let digest = record.payload_digest.clone();
        self.commit_commitment(record, LogEntryKind::NormsAdoptionStatement, writes)
            .await?;
        let adoptions = self.adoptions_in_force().await?;
        self.norms.write().await.adoptions = adoptions;
        self.publish_notice(redline_store::Notice::Norms).await;
        self.reassess_incidents_of(std::slice::from_ref(&statement.party))
            .await?;
        tracing::info!(party = %statement.party, document = %statement.document, action = %statement.action, "signed adoption statement recorded");
        Ok(AdoptionView {
            party: statement.party,
            document: statement.document,
            document_title: document.title.clone(),
            document_version: document.version.clone(),
            adopted_at: now,
            signature: "signed".to_string(),
            payload_digest: Some(digest),
            in_force: statement.action == AdoptionAction::Adopt,
            withdrawn_at: (statement.action == AdoptionAction::Withdraw).then_some(now),
            review_by: document.review_by.clone(),
            review_overdue: false,
        })
    }

    /// Every adoption (signed or not) of every party, with its signature status, whether it is
    /// in force and whether its review clause is overdue. Adoptions are public.
    pub async fn list_adoptions(&self) -> Result<Vec<AdoptionView>, NodeError> {
        let now = self.now();
        let adoptions = self.store.list_norms_adoptions().await?;
        let statements = self
            .store
            .list_commitment_records(&CommitmentQuery {
                kinds: vec![
                    CommitmentRecordKind::Adoption,
                    CommitmentRecordKind::Withdrawal,
                ],
                limit: READ_LIMIT,
                ..Default::default()
            })
            .await?;
        let in_force = self.adoptions_in_force().await?;
        // The latest adoption in force per party (the one the applicable document reads).
        let mut current: BTreeMap<&PartyId, i64> = BTreeMap::new();
        for adoption in &in_force {
            for party in &adoption.parties {
                current.insert(party, adoption.sequence);
            }
        }
        let mut views = Vec::new();
        for adoption in &adoptions {
            let document = self
                .norms_document_by_sha256(&adoption.document_sha256)
                .await;
            for party in &adoption.parties {
                let statement = statements.iter().find(|record| {
                    adoption.signed
                        && record.kind == CommitmentRecordKind::Adoption
                        && &record.party == party
                        && record.subject == adoption.document_sha256
                        && record.recorded_at == adoption.adopted_at
                });
                let withdrawn_at = statements
                    .iter()
                    .find(|record| {
                        record.kind == CommitmentRecordKind::Withdrawal
                            && &record.party == party
                            && record.subject == adoption.document_sha256
                            && record.recorded_at >= adoption.adopted_at
                    })
                    .map(|record| record.recorded_at);
                let in_force = current.get(party) == Some(&adoption.sequence);
                let review_by = document
                    .as_ref()
                    .and_then(|document| document.review_by.clone());
                let review_overdue = in_force
                    && review_by
                        .as_deref()
                        .and_then(review_by_instant)
                        .is_some_and(|due| due < now);
                views.push(AdoptionView {
                    party: party.clone(),
                    document: adoption.document_sha256.clone(),
                    document_title: document
                        .as_ref()
                        .map(|document| document.title.clone())
                        .unwrap_or_default(),
                    document_version: document
                        .as_ref()
                        .map(|document| document.version.clone())
                        .unwrap_or_default(),
                    adopted_at: adoption.adopted_at,
                    signature: if statement.is_some() {
                        "signed"
                    } else {
                        "unsigned"
                    }
                    .to_string(),
                    payload_digest: statement.map(|record| record.payload_digest.clone()),
                    in_force,
                    withdrawn_at,
                    review_by,
                    review_overdue,
                });
            }
        }
        Ok(views)
    }

    // ---- Implementation reports -------------------------------------------------------------

    /// Files a version of a national implementation report, signed by the reporting party.
    pub async fn file_implementation_report(
        &self,
        caller: &Caller,
        bytes: &[u8],
    ) -> Result<ReportView, NodeError> {
        let opened = open_record(bytes, IMPLEMENTATION_REPORT_PAYLOAD_TYPE)?;
        let report = ImplementationReport::parse(&opened.payload)?;
        self.check_author(
            caller,
            &report.party,
            bytes,
            report.signed_at,
            "party",
            "signed_at",
        )
        .await?;
        self.check_named_parties_exist(&report.shared_with, "shared_with")
            .await?;
        if let Some(sha256) = &report.document {
            let document = self.norms_document_by_sha256(sha256).await.ok_or_else(|| {
                NodeError::invalid("document", format!("no norms document {sha256} here"))
            })?;
            for (index, entry) in report.red_lines.iter().enumerate() {
                if !document
                    .red_lines
                    .iter()
                    .any(|red_line| red_line.id == entry.red_line)
                {
                    return Err(NodeError::invalid(
                        format!("red_lines[{index}].red_line"),
                        format!(
                            "`{}` is not a red line of {} (its red lines: {})",
                            entry.red_line,
                            document.title,
                            document
                                .red_lines
                                .iter()
                                .map(|red_line| red_line.id.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
            }
        }
        let _guard = COMMITMENT_WRITES.lock().await;
        let existing = self
            .store
            .list_commitment_records(&CommitmentQuery {
                kinds: vec![CommitmentRecordKind::ImplementationReport],
                subject: Some(report.id.to_string()),
                limit: READ_LIMIT,
                ..Default::default()
            })
            .await?;
        let current = match existing.last() {
            Some(record) => Some(stored_payload(record, ImplementationReport::parse)?),
            None => None,
        };
        match &current {
            None if report.version != 1 => {
                return Err(NodeError::invalid(
                    "version",
                    format!(
                        "report {} does not exist yet: its first version is 1",
                        report.id
                    ),
                ));
            }
            None => {}
            Some(current) => {
                if current.record.party != report.party {
                    return Err(NodeError::NotFound(format!(
                        "implementation report {}",
                        report.id
                    )));
                }
                if report.version != current.record.version + 1 {
                    return Err(NodeError::invalid(
                        "version",
                        format!(
                            "the next version of report {} is {}, not {}",
                            report.id,
                            current.record.version + 1,
                            report.version
                        ),
                    ));
                }
            }
        }
        let now = self.now();
        let public_summary = match (&report.public_summary, report.tlp) {
            (Some(summary), tlp) if tlp != Tlp::Clear => Some(
                serde_json::to_string(summary)
                    .map_err(|error| NodeError::Internal(error.to_string()))?,
            ),
            _ => None,
        };
        let readers = report
            .readership()
            .restricted_to()
            .cloned()
            .unwrap_or_default();
        let mut record = Self::record_of(
            opened,
            CommitmentRecordKind::ImplementationReport,
            report.id.to_string(),
            report.party.clone(),
            now,
            report.tlp,
            readers,
        );
        record.public_summary = public_summary;
        self.commit_commitment(record, LogEntryKind::ImplementationReport, Vec::new())
            .await?;
        tracing::info!(report = %report.id, version = report.version, party = %report.party, "implementation report filed");
        self.get_implementation_report(caller, report.id).await
    }

    /// A report with every version the caller may read; "not found" when it may read none.
    pub async fn get_implementation_report(
        &self,
        caller: &Caller,
        id: Uuid,
    ) -> Result<ReportView, NodeError> {
        self.implementation_report_for(Some(caller), id).await
    }

    /// A report's `clear` versions, for anyone.
    pub async fn public_implementation_report(&self, id: Uuid) -> Result<ReportView, NodeError> {
        self.implementation_report_for(None, id).await
    }

    async fn implementation_report_for(
        &self,
        caller: Option<&Caller>,
        id: Uuid,
    ) -> Result<ReportView, NodeError> {
        let records = self
            .store
            .list_commitment_records(&CommitmentQuery {
                visible_to: visible_to(caller),
                kinds: vec![CommitmentRecordKind::ImplementationReport],
                subject: Some(id.to_string()),
                limit: READ_LIMIT,
                ..Default::default()
            })
            .await?;
        let versions = records
            .iter()
            .map(|record| stored_payload(record, ImplementationReport::parse))
            .collect::<Result<Vec<_>, _>>()?;
        let party = versions
            .first()
            .map(|version| version.record.party.clone())
            .ok_or_else(|| NodeError::NotFound(format!("implementation report {id}")))?;
        Ok(ReportView {
            id,
            party,
            versions,
        })
    }

    /// The latest version the caller may read of each report, optionally of one party.
    pub async fn list_implementation_reports(
        &self,
        caller: &Caller,
        party: Option<PartyId>,
    ) -> Result<Vec<ReportSummaryView>, NodeError> {
        let records = self
            .store
            .list_commitment_records(&CommitmentQuery {
                visible_to: visible_to(Some(caller)),
                kinds: vec![CommitmentRecordKind::ImplementationReport],
                party,
                limit: READ_LIMIT,
                ..Default::default()
            })
            .await?;
        Ok(latest_report_summaries(&records)?
            .into_values()
            .map(|(summary, _)| summary)
            .collect())
    }

    // ---- Peer-review rounds -----------------------------------------------------------------

    /// Opens a round: the secretariat signs who is reviewed, who reviews, which norms and by
    /// when; each reviewer's review and each reviewed party's answer gets a reminder and a
    /// deadline for the scheduler.
    pub async fn open_review_round(
        &self,
        caller: &Caller,
        bytes: &[u8],
    ) -> Result<RoundView, NodeError> {
        let opened = open_record(bytes, REVIEW_ROUND_OPENING_PAYLOAD_TYPE)?;
        let opening = ReviewRoundOpening::parse(&opened.payload)?;
        self.check_author(
            caller,
            &opening.secretariat,
            bytes,
            opening.signed_at,
            "secretariat",
            "signed_at",
        )
        .await?;
        self.check_named_parties_exist(&opening.reviewed, "reviewed")
            .await?;
        self.check_named_parties_exist(&opening.reviewers, "reviewers")
            .await?;
        let now = self.now();
        if opening.deadline <= now {
            return Err(NodeError::invalid(
                "deadline",
                format!(
                    "{} has passed (the node's clock reads {now})",
                    opening.deadline
                ),
            ));
        }
        if opening.reviewers.len() == 1 && opening.reviewed == opening.reviewers {
            return Err(NodeError::invalid(
                "reviewers",
                "a party does not review itself: name another reviewer",
            ));
        }
        let _guard = COMMITMENT_WRITES.lock().await;
        if !self.round_records(None, opening.round).await?.is_empty() {
            return Err(NodeError::Conflict(format!(
                "round {} exists already",
                opening.round
            )));
        }
        let participants = round_participants(&opening);
        let remind_at = opening.reminder_at().max(now);
        let deadline = |party: &PartyId, duty: &str| {
            StoreWrite::PutCommitmentDeadline(CommitmentDeadline {
                subject: opening.round.to_string(),
                party: party.clone(),
                duty: duty.to_string(),
                remind_at,
                due_at: opening.deadline,
                reminded_at: None,
                overdue_at: None,
                done_at: None,
            })
        };
        let mut writes: Vec<StoreWrite> = opening
            .reviewers
            .iter()
            .map(|reviewer| deadline(reviewer, REVIEW_DUTY))
            .collect();
        writes.extend(
            opening
                .reviewed
                .iter()
                .map(|reviewed| deadline(reviewed, ANSWER_DUTY)),
        );
        let record = Self::record_of(
            opened,
            CommitmentRecordKind::RoundOpening,
            opening.round.to_string(),
            opening.secretariat.clone(),
            now,
            Tlp::Amber,
            participants.clone(),
        );
        self.commit_commitment(record, LogEntryKind::PeerReview, writes)
            .await?;
        self.announce(participants.into_iter().collect()).await;
        tracing::info!(round = %opening.round, "peer-review round opened");
        self.get_review_round(caller, opening.round).await
    }

    /// The records of a round the reader may read (`None`: the operator), oldest first.
    async fn round_records(
        &self,
        caller: Option<&Caller>,
        round: Uuid,
    ) -> Result<Vec<CommitmentRecord>, NodeError> {
        Ok(self
            .store
            .list_commitment_records(&CommitmentQuery {
                visible_to: caller.and_then(|caller| visible_to(Some(caller))),
                kinds: vec![
                    CommitmentRecordKind::RoundOpening,
                    CommitmentRecordKind::PeerReview,
                    CommitmentRecordKind::ReviewAnswer,
                    CommitmentRecordKind::RoundClosing,
                ],
                subject: Some(round.to_string()),
                limit: READ_LIMIT,
                ..Default::default()
            })
            .await?)
    }

    /// The whole round as stored (for the node's own rules).
    async fn round_state(&self, round: Uuid) -> Result<RoundView, NodeError> {
        let records = self.round_records(None, round).await?;
        self.round_view(round, &records).await
    }

    async fn round_view(
        &self,
        round: Uuid,
        records: &[CommitmentRecord],
    ) -> Result<RoundView, NodeError> {
        let mut opening = None;
        let mut reviews = Vec::new();
        let mut answers = Vec::new();
        let mut closing = None;
        for record in records {
            match record.kind {
                CommitmentRecordKind::RoundOpening => {
                    opening = Some(stored_payload(record, ReviewRoundOpening::parse)?);
                }
                CommitmentRecordKind::PeerReview => {
                    reviews.push(stored_payload(record, PeerReview::parse)?);
                }
                CommitmentRecordKind::ReviewAnswer => {
                    answers.push(stored_payload(record, ReviewAnswer::parse)?);
                }
                CommitmentRecordKind::RoundClosing => {
                    closing = Some(stored_payload(record, ReviewRoundClosing::parse)?);
                }
                _ => {}
            }
        }
        let opening =
            opening.ok_or_else(|| NodeError::NotFound(format!("review round {round}")))?;
        let now = self.now();
        let duties = self
            .store
            .commitment_deadlines_of(&round.to_string())
            .await?
            .iter()
            .map(|deadline| duty_view(deadline, now))
            .collect();
        let review_payloads: Vec<PeerReview> =
            reviews.iter().map(|review| review.record.clone()).collect();
        Ok(RoundView {
            id: round,
            status: if closing.is_some() {
                RoundStatus::Closed
            } else {
                RoundStatus::Open
            },
            tally: tally_round_ratings(&opening.record, &review_payloads),
            opening,
            reviews,
            answers,
            closing,
            duties,
        })
    }

    /// A round as the caller may see it: its participants (and the operator) see every record;
    /// anyone else is told "not found".
    pub async fn get_review_round(
        &self,
        caller: &Caller,
        round: Uuid,
    ) -> Result<RoundView, NodeError> {
        let records = self.round_records(Some(caller), round).await?;
        if !records
            .iter()
            .any(|record| record.kind == CommitmentRecordKind::RoundOpening)
        {
            return Err(NodeError::NotFound(format!("review round {round}")));
        }
        self.round_view(round, &records).await
    }

    /// The round must be open, and the author a participant in the role named.
    async fn open_round_for(
        &self,
        round: Uuid,
        author: &PartyId,
        allowed: impl Fn(&ReviewRoundOpening) -> bool,
        role: &str,
    ) -> Result<RoundView, NodeError> {
        let view = self.round_state(round).await?;
        if !round_participants(&view.opening.record).contains(author) {
            return Err(NodeError::NotFound(format!("review round {round}")));
        }
        if !allowed(&view.opening.record) {
            return Err(NodeError::Forbidden(format!(
                "{author} is not {role} in round {round}"
            )));
        }
        if view.status == RoundStatus::Closed {
            return Err(NodeError::Conflict(format!("round {round} is closed")));
        }
        Ok(view)
    }

    fn check_round_norms(
        opening: &ReviewRoundOpening,
        norms: impl Iterator<Item = GgeNorm>,
        path: &str,
    ) -> Result<(), NodeError> {
        for (index, norm) in norms.enumerate() {
            if !opening.norms.contains(&norm) {
                return Err(NodeError::invalid(
                    format!("{path}[{index}].norm"),
                    format!(
                        "norm {norm} is not under review in this round (its norms: {})",
                        opening
                            .norms
                            .iter()
                            .map(GgeNorm::as_str)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The duty row of `party` in a round, marked done now (once).
    async fn duty_done(
        &self,
        round: Uuid,
        party: &PartyId,
        duty: &str,
        now: Timestamp,
    ) -> Result<Option<StoreWrite>, NodeError> {
        Ok(self
            .store
            .commitment_deadlines_of(&round.to_string())
            .await?
            .into_iter()
            .find(|deadline| &deadline.party == party && deadline.duty == duty)
            .filter(|deadline| deadline.done_at.is_none())
            .map(|deadline| {
                StoreWrite::PutCommitmentDeadline(CommitmentDeadline {
                    done_at: Some(now),
                    ..deadline
                })
            }))
    }

    /// A reviewer's signed review of one reviewed party. Its duty is done once it has reviewed
    /// every reviewed party but itself; after the deadline a review is still taken, late.
    pub async fn submit_peer_review(
        &self,
        caller: &Caller,
        bytes: &[u8],
    ) -> Result<RoundView, NodeError> {
        let opened = open_record(bytes, PEER_REVIEW_PAYLOAD_TYPE)?;
        let review = PeerReview::parse(&opened.payload)?;
        self.check_author(
            caller,
            &review.reviewer,
            bytes,
            review.signed_at,
            "reviewer",
            "signed_at",
        )
        .await?;
        let _guard = COMMITMENT_WRITES.lock().await;
        let view = self
            .open_round_for(
                review.round,
                &review.reviewer,
                |opening| opening.reviewers.contains(&review.reviewer),
                "a reviewer",
            )
            .await?;
        let opening = &view.opening.record;
        if !opening.reviewed.contains(&review.reviewed) {
            return Err(NodeError::invalid(
                "reviewed",
                format!("{} is not reviewed in this round", review.reviewed),
            ));
        }
        Self::check_round_norms(
            opening,
            review.ratings.iter().map(|rating| rating.norm),
            "ratings",
        )?;
        let now = self.now();
        let mut reviewed_now: BTreeSet<&PartyId> = view
            .reviews
            .iter()
            .filter(|existing| existing.record.reviewer == review.reviewer)
            .map(|existing| &existing.record.reviewed)
            .collect();
        reviewed_now.insert(&review.reviewed);
        let all_reviewed = opening
            .reviewed
            .iter()
            .filter(|party| *party != &review.reviewer)
            .all(|party| reviewed_now.contains(party));
        let mut writes = Vec::new();
        if all_reviewed
            && let Some(done) = self
                .duty_done(review.round, &review.reviewer, REVIEW_DUTY, now)
                .await?
        {
            writes.push(done);
        }
        let record = Self::record_of(
            opened,
            CommitmentRecordKind::PeerReview,
            review.round.to_string(),
            review.reviewer.clone(),
            now,
            Tlp::Amber,
            round_participants(opening),
        );
        self.commit_commitment(record, LogEntryKind::PeerReview, writes)
            .await?;
        self.get_review_round(caller, review.round).await
    }

    /// The reviewed party's signed answer to the reviews.
    pub async fn answer_peer_review(
        &self,
        caller: &Caller,
        bytes: &[u8],
    ) -> Result<RoundView, NodeError> {
        let opened = open_record(bytes, REVIEW_ANSWER_PAYLOAD_TYPE)?;
        let answer = ReviewAnswer::parse(&opened.payload)?;
        self.check_author(
            caller,
            &answer.party,
            bytes,
            answer.signed_at,
            "party",
            "signed_at",
        )
        .await?;
        let _guard = COMMITMENT_WRITES.lock().await;
        let view = self
            .open_round_for(
                answer.round,
                &answer.party,
                |opening| opening.reviewed.contains(&answer.party),
                "reviewed",
            )
            .await?;
        Self::check_round_norms(
            &view.opening.record,
            answer.answers.iter().map(|entry| entry.norm),
            "answers",
        )?;
        let now = self.now();
        let writes = self
            .duty_done(answer.round, &answer.party, ANSWER_DUTY, now)
            .await?
            .into_iter()
            .collect();
        let record = Self::record_of(
            opened,
            CommitmentRecordKind::ReviewAnswer,
            answer.round.to_string(),
            answer.party.clone(),
            now,
            Tlp::Amber,
            round_participants(&view.opening.record),
        );
        self.commit_commitment(record, LogEntryKind::PeerReview, writes)
            .await?;
        self.get_review_round(caller, answer.round).await
    }

    /// The secretariat closes the round with the summary it publishes (`TLP:CLEAR`).
    pub async fn close_review_round(
        &self,
        caller: &Caller,
        bytes: &[u8],
    ) -> Result<PublishedRound, NodeError> {
        let opened = open_record(bytes, REVIEW_ROUND_CLOSING_PAYLOAD_TYPE)?;
        let closing = ReviewRoundClosing::parse(&opened.payload)?;
        self.check_author(
            caller,
            &closing.secretariat,
            bytes,
            closing.signed_at,
            "secretariat",
            "signed_at",
        )
        .await?;
        let _guard = COMMITMENT_WRITES.lock().await;
        self.open_round_for(
            closing.round,
            &closing.secretariat,
            |opening| opening.secretariat == closing.secretariat,
            "the secretariat",
        )
        .await?;
        let now = self.now();
        let record = Self::record_of(
            opened,
            CommitmentRecordKind::RoundClosing,
            closing.round.to_string(),
            closing.secretariat.clone(),
            now,
            Tlp::Clear,
            BTreeSet::new(),
        );
        self.commit_commitment(record, LogEntryKind::PeerReview, Vec::new())
            .await?;
        tracing::info!(round = %closing.round, "peer-review round closed");
        self.published_round(closing.round).await
    }

    /// A closed round's published summary, for anyone; an open round is "not found".
    pub async fn published_round(&self, round: Uuid) -> Result<PublishedRound, NodeError> {
        let view = self.round_state(round).await?;
        let closing = view
            .closing
            .ok_or_else(|| NodeError::NotFound(format!("published review round {round}")))?;
        let opening = view.opening.record;
        Ok(PublishedRound {
            id: round,
            title: opening.title,
            secretariat: opening.secretariat,
            reviewed: opening.reviewed,
            reviewers: opening.reviewers,
            norms: opening.norms,
            deadline: opening.deadline,
            closed_at: closing.recorded_at,
            summary: closing.record.summary,
            tally: view.tally,
            duties: view.duties,
            closing_envelope: closing.envelope,
        })
    }

    // ---- The capacity-building register -------------------------------------------------

    /// Records a version of a request or offer of capacity building, signed by its party. A
    /// request that names its report asks only for help with what that report shows as a gap
    /// (each norm and item is partly implemented, planned or not implemented in the report's
    /// latest version).
    pub async fn record_capacity_building(
        &self,
        caller: &Caller,
        bytes: &[u8],
    ) -> Result<CapacityBuildingView, NodeError> {
        let opened = open_record(bytes, CAPACITY_BUILDING_PAYLOAD_TYPE)?;
        let entry = CapacityBuildingEntry::parse(&opened.payload)?;
        self.check_author(
            caller,
            &entry.party,
            bytes,
            entry.signed_at,
            "party",
            "signed_at",
        )
        .await?;
        if let Some(counterpart) = &entry.counterpart {
            self.check_named_parties_exist(std::slice::from_ref(counterpart), "counterpart")
                .await?;
        }
        if let Some(report_id) = entry.report {
            let author = Caller::Party(entry.party.clone());
            let report = self
                .get_implementation_report(&author, report_id)
                .await
                .map_err(|_| {
                    NodeError::invalid(
                        "report",
                        format!("no report {report_id} of {}", entry.party),
                    )
                })?;
            let Some(latest) = report
                .versions
                .last()
                .filter(|_| report.party == entry.party)
            else {
                return Err(NodeError::invalid(
                    "report",
                    format!("report {report_id} is not a report of {}", entry.party),
                ));
            };
            if entry.kind == CapacityBuildingKind::Request {
                let gaps = latest.record.gaps();
                let named = entry
                    .norms
                    .iter()
                    .map(|norm| ("norms", norm.as_str()))
                    .chain(entry.items.iter().map(|item| ("items", item.as_str())));
                for (index, (field, name)) in named.enumerate() {
                    if !gaps.iter().any(|gap| gap == name) {
                        return Err(NodeError::invalid(
                            field,
                            format!(
                                "report {report_id} shows no gap in `{name}` (entry {index}); its gaps: {}",
                                gaps.join(", ")
                            ),
                        ));
                    }
                }
            }
        }
        let _guard = COMMITMENT_WRITES.lock().await;
        let existing = self
            .store
            .list_commitment_records(&CommitmentQuery {
                kinds: vec![CommitmentRecordKind::CapacityBuilding],
                subject: Some(entry.id.to_string()),
                limit: READ_LIMIT,
                ..Default::default()
            })
            .await?;
        let current = match existing.last() {
            Some(record) => Some(stored_payload(record, CapacityBuildingEntry::parse)?),
            None => None,
        };
        let expected = current
            .as_ref()
            .map_or(1, |current| current.record.version + 1);
        if let Some(current) = &current
            && current.record.party != entry.party
        {
            return Err(NodeError::NotFound(format!(
                "capacity-building entry {}",
                entry.id
            )));
        }
        if entry.version != expected {
            return Err(NodeError::invalid(
                "version",
                format!("the next version of entry {} is {expected}", entry.id),
            ));
        }
        let now = self.now();
        let record = Self::record_of(
            opened,
            CommitmentRecordKind::CapacityBuilding,
            entry.id.to_string(),
            entry.party.clone(),
            now,
            entry.tlp,
            BTreeSet::new(),
        );
        let view = stored_payload(&record, CapacityBuildingEntry::parse)?;
        self.commit_commitment(record, LogEntryKind::CapacityBuilding, Vec::new())
            .await?;
        tracing::info!(entry = %entry.id, version = entry.version, status = %entry.status, "capacity-building entry recorded");
        Ok(view)
    }

    /// The latest version of each register entry the reader may read (`None`: the public).
    pub async fn list_capacity_building(
        &self,
        caller: Option<&Caller>,
    ) -> Result<Vec<CapacityBuildingView>, NodeError> {
        let records = self
            .store
            .list_commitment_records(&CommitmentQuery {
                visible_to: visible_to(caller),
                kinds: vec![CommitmentRecordKind::CapacityBuilding],
                limit: READ_LIMIT,
                ..Default::default()
            })
            .await?;
        let mut latest: BTreeMap<String, CapacityBuildingView> = BTreeMap::new();
        for record in &records {
            latest.insert(
                record.subject.clone(),
                stored_payload(record, CapacityBuildingEntry::parse)?,
            );
        }
        let mut entries: Vec<CapacityBuildingView> = latest.into_values().collect();
        entries.sort_by_key(|entry| entry.recorded_at);
        Ok(entries)
    }

    // ---- Deadlines ----------------------------------------------------------------------------

    pub fn commitment_settings(&self) -> CommitmentSettings {
        self.commitment_settings
            .lock()
            .map(|guard| guard.clone())
            .unwrap_or_default()
    }

    pub fn set_commitment_settings(&self, settings: CommitmentSettings) {
        if let Ok(mut guard) = self.commitment_settings.lock() {
            *guard = settings;
        }
    }

    /// Whether `deadline` is a review clause of an adoption no longer in force. The adoptions
    /// are read from the store, once per pass (`in_force`), not from this process's copy: an
    /// adoption another process just recorded counts.
    async fn owes_no_review_clause(
        &self,
        deadline: &CommitmentDeadline,
        in_force: &mut Option<Vec<NormsAdoption>>,
    ) -> Result<bool, NodeError> {
        if deadline.duty != REVIEW_CLAUSE_DUTY {
            return Ok(false);
        }
        if in_force.is_none() {
            *in_force = Some(self.adoptions_in_force().await?);
        }
        Ok(!in_force.iter().flatten().any(|adoption| {
            adoption.document_sha256 == deadline.subject
                && adoption.parties.contains(&deadline.party)
        }))
    }

    /// Who is told when a commitment deadline fires: the party that owes the duty; at a round's
    /// deadline also the round's secretariat; for a document's review clause, reminder and
    /// deadline alike, also the node's secretariat when it is a party of this node.
    async fn commitment_deadline_recipients(
        &self,
        deadline: &CommitmentDeadline,
        overdue: bool,
    ) -> Result<Vec<PartyId>, NodeError> {
        let mut recipients = vec![deadline.party.clone()];
        let secretariat = if deadline.duty == REVIEW_CLAUSE_DUTY {
            match self.commitment_settings().secretariat {
                Some(secretariat) => match self
                    .missing_parties(std::slice::from_ref(&secretariat))
                    .await
                {
                    Ok(missing) if missing.is_empty() => Some(secretariat),
                    Ok(_) => {
                        tracing::warn!(%secretariat, "the configured secretariat is not a party of this node; review-clause reminders go to the adopting parties only");
                        None
                    }
                    // The adopting party is still told; the secretariat's copy waits for no one.
                    Err(error) => {
                        tracing::warn!(%secretariat, %error, "the secretariat could not be looked up; this review-clause event goes to the adopting party only");
                        None
                    }
                },
                None => None,
            }
        } else if overdue
            && let Ok(round) = Uuid::parse_str(&deadline.subject)
            && let Ok(view) = self.round_state(round).await
        {
            Some(view.opening.record.secretariat)
        } else {
            None
        };
        if let Some(secretariat) = secretariat
            && !recipients.contains(&secretariat)
        {
            recipients.push(secretariat);
        }
        Ok(recipients)
    }

    /// Fires every commitment reminder and deadline that has come, each once: a
    /// `commitment-reminder` event to the party that owes the duty, and at the deadline a
    /// `commitment-overdue` event to it and to the round's secretariat. Returns how many fired.
    pub async fn fire_due_commitment_deadlines(&self) -> Result<u32, NodeError> {
        let now = self.now();
        let mut fired = 0;
        let mut in_force = None;
        for deadline in self.store.commitment_deadlines_due(now).await? {
            let overdue = deadline.overdue_at.is_none() && deadline.due_at <= now;
            let subject_id = Uuid::parse_str(&deadline.subject).ok();
            // A party that withdrew its adoption no longer owes the document's review: the
            // deadline is stamped without telling anyone.
            let recipients = if self.owes_no_review_clause(&deadline, &mut in_force).await? {
                Vec::new()
            } else {
                self.commitment_deadline_recipients(&deadline, overdue)
                    .await?
            };
            let kind = if overdue {
                "commitment-overdue"
            } else {
                "commitment-reminder"
            };
            let detail = serde_json::json!({
                "duty": deadline.duty,
                "subject": deadline.subject,
                "party": deadline.party,
                "due_at": deadline.due_at,
            })
            .to_string();
            let events = recipients
                .iter()
                .map(|party| HotlineEvent {
                    sequence: 0,
                    party: party.clone(),
                    kind: kind.to_string(),
                    // A round's id, or for a review clause a stable id from the document hash.
                    thread_id: subject_id.unwrap_or_else(|| {
                        Uuid::new_v5(&Uuid::NAMESPACE_URL, deadline.subject.as_bytes())
                    }),
                    message_id: None,
                    created_at: now,
                    detail: detail.clone(),
                })
                .collect();
            let writes = vec![
                StoreWrite::StampCommitmentDeadline {
                    deadline: deadline.clone(),
                    overdue,
                    at: now,
                },
                StoreWrite::InsertHotlineEvents(events),
            ];
            match self.store.commit(writes, Vec::new()).await {
                Ok(_) if recipients.is_empty() => {}
                Ok(_) => {
                    fired += 1;
                    tracing::info!(subject = %deadline.subject, party = %deadline.party, duty = %deadline.duty, kind, "commitment deadline fired");
                    self.announce(recipients).await;
                }
                // Another pass (or process) fired it first.
                Err(redline_store::StoreError::Conflict(_)) => {}
                Err(other) => return Err(other.into()),
            }
        }
        Ok(fired)
    }

    /// A party's hotline duties per incident, thread and request, met, late, missed or pending
    /// on the node's clock: the party itself or the operator only (other parties see counts on
    /// the commitments record).
    pub async fn hotline_duties_of(
        &self,
        caller: &Caller,
        party: &PartyId,
    ) -> Result<Vec<HotlineDutyView>, NodeError> {
        if let Caller::Party(own) = caller
            && own != party
        {
            return Err(NodeError::NotFound(format!("the duties of {party}")));
        }
        self.hotline_duty_views(Some(party), self.now()).await
    }

    /// Every hotline duty kept (of `party`, or of every party), oldest deadline first: the rules
    /// of `redline_hotline::duties_kept` over the timings the store keeps. Exercises owe nothing.
    async fn hotline_duty_views(
        &self,
        party: Option<&PartyId>,
        now: Timestamp,
    ) -> Result<Vec<HotlineDutyView>, NodeError> {
        let mut views = Vec::new();
        // Acknowledge, initial reply and status updates: per recipient and thread.
        let rows = self.store.hotline_duty_rows(party).await?;
        let duties_of_document = self
            .duties_tables(rows.iter().map(|row| row.norms_sha256.as_str()))
            .await;
        let no_duties = DutiesTable { rules: Vec::new() };
        let mut updates: BTreeMap<(PartyId, String), Vec<Timestamp>> = BTreeMap::new();
        for update in self.store.status_update_times(party).await? {
            updates
                .entry((update.party, update.thread_id))
                .or_default()
                .push(update.at);
        }
        for row in &rows {
            let in_thread = |mut view: HotlineDutyView| {
                view.thread = Some(row.thread_id.clone());
                view.incident = row.incident_id.clone();
                view
            };
            if let Some(due_at) = row.acknowledge_by {
                views.push(in_thread(HotlineDutyView::new(
                    &row.party,
                    DutyKind::Acknowledge,
                    DutyDue::at(
                        due_at,
                        acknowledged_at(row.acknowledged_at, row.answered_at),
                        now,
                    ),
                )));
            }
            if let Some(due_at) = row.respond_by {
                views.push(in_thread(HotlineDutyView::new(
                    &row.party,
                    DutyKind::InitialReply,
                    DutyDue::at(due_at, row.answered_at, now),
                )));
            }
            // A communication check asks for a reply, not for updates on a matter.
            if row.opening_kind == redline_hotline::MessageKind::CommunicationCheck.as_str() {
                continue;
            }
            let duties = duties_of_document
                .get(&row.norms_sha256)
                .unwrap_or(&no_duties);
            if let Some(every) = duties.duty_for(DutyKind::StatusUpdate, row.severity_level) {
                let sent = updates
                    .get(&(row.party.clone(), row.thread_id.clone()))
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                for due in status_update_duties(row.opened_at, every, row.closed_at, sent, now) {
                    views.push(in_thread(HotlineDutyView::new(
                        &row.party,
                        DutyKind::StatusUpdate,
                        due,
                    )));
                }
            }
        }
        // Answers to assistance and mitigation requests: per recipient and request.
        let requests = self
            .store
            .list_hotline_requests(&HotlineRequestQuery {
                party: party.cloned(),
                ..Default::default()
            })
            .await?;
        for request in &requests {
            let Some(due_at) = request.answer_by else {
                continue;
            };
            let mut view = HotlineDutyView::new(
                &request.party,
                DutyKind::AssistanceAnswer,
                DutyDue::at(due_at, request.answered_at, now),
            );
            view.thread = Some(request.thread_id.to_string());
            view.counterpart = Some(request.from.clone());
            view.request = Some(request.request_id);
            view.deadline_from = request
                .answer_duty
                .filter(|duty| *duty != DutyKind::AssistanceAnswer)
                .map(|duty| duty.as_str().to_string());
            view.request_outcome = request.outcome;
            views.push(view);
        }
        // Notify: the reporter, per incident and affected party.
        for row in self.store.notify_duty_rows(party).await? {
            let mut view = HotlineDutyView::new(
                &row.reported_by,
                DutyKind::Notify,
                DutyDue::at(row.due_at, row.notified_at, now),
            );
            view.incident = Some(row.incident_id.clone());
            view.counterpart = Some(row.party.clone());
            views.push(view);
        }
        views.sort_by(|left, right| {
            (left.due_at, &left.party, &left.duty).cmp(&(right.due_at, &right.party, &right.duty))
        });
        Ok(views)
    }

    /// The duties table of each document named, by SHA-256 (the section-six defaults for a
    /// document the node no longer holds).
    async fn duties_tables<'sha>(
        &self,
        sha256s: impl Iterator<Item = &'sha str>,
    ) -> BTreeMap<String, DutiesTable> {
        let mut tables = BTreeMap::new();
        for sha256 in sha256s {
            if tables.contains_key(sha256) {
                continue;
            }
            let table = match self.norms_document_by_sha(sha256).await {
                Some(document) => crate::hotline::duties_table_of(&document),
                None => DutiesTable::default(),
            };
            tables.insert(sha256.to_string(), table);
        }
        tables
    }

    /// Records the notify duties of incidents stored before the node kept them (a node
    /// upgraded with incidents already in it), as they were owed when each was reported: from
    /// its first version and the assessment made of it then; each duty met at the reporter's
    /// first notification about the incident that named the party. Incidents that have any
    /// notify duty recorded are left as they are, so running it again changes nothing. The
    /// operator only. Returns how many duties it recorded.
    pub async fn backfill_notify_duties(&self, caller: &Caller) -> Result<u64, NodeError> {
        Self::require_operator(caller, "backfill notify duties")?;
        let mut after_sequence = 0;
        let mut recorded = 0;
        loop {
            let page = self
                .store
                .incidents_without_notify_duties(after_sequence, 500)
                .await?;
            let Some((last, _)) = page.last() else {
                break;
            };
            after_sequence = *last;
            for (_, incident_id) in page {
                let duties = self.notify_duties_owed_then(&incident_id).await?;
                if duties.is_empty() {
                    continue;
                }
                let count = duties.len() as u64;
                match self
                    .store
                    .commit(vec![StoreWrite::InsertNotifyDuties(duties)], Vec::new())
                    .await
                {
                    Ok(_) => recorded += count,
                    // Another process recorded them meanwhile.
                    Err(redline_store::StoreError::Conflict(_)) => {}
                    Err(other) => return Err(other.into()),
                }
            }
        }
        tracing::info!(recorded, "notify duties of earlier incidents recorded");
        Ok(recorded)
    }

    /// The notify duties `incident_id` owed when it was reported, each with the time the
    /// reporter first notified the party about it, if it did.
    async fn notify_duties_owed_then(
        &self,
        incident_id: &str,
    ) -> Result<Vec<NotifyDutyRow>, NodeError> {
        let id = redline_model::IncidentId::parse(incident_id)
            .map_err(|error| NodeError::Internal(format!("a stored incident id: {error}")))?;
        let Some(first) = self
            .store
            .list_incident_versions(&id)
            .await?
            .into_iter()
            .min_by_key(|version| version.version)
        else {
            return Ok(Vec::new());
        };
        let assessment = self.store.get_first_assessment(&id, first.version).await?;
        let mut duties = self.notify_duties_for(&first, assessment.as_ref()).await?;
        if duties.is_empty() {
            return Ok(duties);
        }
        let notifications = self
            .store
            .notifications_about_incident(incident_id, &first.report.reported_by)
            .await?;
        for duty in &mut duties {
            duty.notified_at = notifications
                .iter()
                .filter(|message| message.recipients.contains(&duty.party))
                .map(|message| message.received_at)
                .min();
        }
        Ok(duties)
    }

    /// The reporter's notify duties for a newly reported incident: one per affected party the
    /// node knows (`IncidentReport::affected_parties`), due the applicable document's notify
    /// time after the report at the severity of the assessment made then; none for an exercise
    /// or below the document's notify level.
    pub(crate) async fn notify_duties_for(
        &self,
        incident: &redline_model::Incident,
        assessment: Option<&StoredAssessment>,
    ) -> Result<Vec<NotifyDutyRow>, NodeError> {
        if incident.report.exercise {
            return Ok(Vec::new());
        }
        let Some(assessment) = assessment else {
            return Ok(Vec::new());
        };
        let Some(document) = self.norms_document_by_sha(&assessment.norms_sha256).await else {
            return Ok(Vec::new());
        };
        let Some(severity_level) =
            serde_json::from_str::<serde_json::Value>(&assessment.assessment_json)
                .ok()
                .and_then(|value| value.pointer("/severity/level")?.as_u64())
                .and_then(|level| u8::try_from(level).ok())
        else {
            return Ok(Vec::new());
        };
        let duties = crate::hotline::duties_table_of(&document);
        let Some(due_at) = notify_deadline(&duties, incident.received_at, severity_level) else {
            return Ok(Vec::new());
        };
        let affected: Vec<PartyId> = incident.report.affected_parties().into_iter().collect();
        let missing = self.missing_parties(&affected).await?;
        Ok(affected
            .into_iter()
            .filter(|party| !missing.contains(party))
            .map(|party| NotifyDutyRow {
                incident_id: incident.id.as_str().to_string(),
                party,
                reported_by: incident.report.reported_by.clone(),
                reported_at: incident.received_at,
                severity_level,
                due_at,
                notified_at: None,
            })
            .collect())
    }

    /// The earliest commitment reminder or deadline still to fire.
    pub(crate) async fn next_commitment_deadline(&self) -> Result<Option<Timestamp>, NodeError> {
        Ok(self.store.earliest_commitment_deadline().await?)
    }

    // ---- The public record ----------------------------------------------------------------

    /// What each party committed to and how it kept it, for the public pages and export
    /// (`None`) or for a signed-in reader (who also sees `green` and what it is addressed to).
    pub async fn commitments_comparison(
        &self,
        caller: Option<&Caller>,
    ) -> Result<CommitmentsComparison, NodeError> {
        let now = self.now();
        let parties = self.store.list_parties().await?;
        let adoptions = self.list_adoptions().await?;
        let records = self
            .store
            .list_commitment_records(&CommitmentQuery {
                visible_to: visible_to(caller),
                kinds: vec![CommitmentRecordKind::ImplementationReport],
                limit: READ_LIMIT,
                ..Default::default()
            })
            .await?;
        let latest = latest_report_summaries(&records)?;
        let summaries = self.store.public_report_summaries().await?;
        // The latest public summary per report (only of reports the reader cannot read whole).
        let mut summary_of: BTreeMap<String, (PartyId, PublicSummary)> = BTreeMap::new();
        for summary in &summaries {
            let parsed: PublicSummary = serde_json::from_str(&summary.public_summary)
                .map_err(|error| corrupt("public summary", error))?;
            summary_of.insert(summary.subject.clone(), (summary.party.clone(), parsed));
        }
        // Rounds: every opening the operator holds, to list each party's role and duties; a
        // reader other than a participant sees a round only once it is closed.
        let round_records = self
            .store
            .list_commitment_records(&CommitmentQuery {
                kinds: vec![
                    CommitmentRecordKind::RoundOpening,
                    CommitmentRecordKind::RoundClosing,
                ],
                limit: READ_LIMIT,
                ..Default::default()
            })
            .await?;
        let closed: BTreeSet<&str> = round_records
            .iter()
            .filter(|record| record.kind == CommitmentRecordKind::RoundClosing)
            .map(|record| record.subject.as_str())
            .collect();
        let mut rounds_of: BTreeMap<PartyId, Vec<PartyRoundStatus>> = BTreeMap::new();
        let mut published_rounds = Vec::new();
        for record in round_records
            .iter()
            .filter(|record| record.kind == CommitmentRecordKind::RoundOpening)
        {
            let opening = stored_payload(record, ReviewRoundOpening::parse)?.record;
            let is_closed = closed.contains(record.subject.as_str());
            let may_see = is_closed
                || match caller {
                    None => false,
                    Some(Caller::Operator) => true,
                    Some(Caller::Party(party)) => round_participants(&opening).contains(party),
                };
            if !may_see {
                continue;
            }
            let duties: Vec<DutyView> = self
                .store
                .commitment_deadlines_of(&record.subject)
                .await?
                .iter()
                .map(|deadline| duty_view(deadline, now))
                .collect();
            for party in round_participants(&opening) {
                let role = if party == opening.secretariat {
                    "secretariat"
                } else if opening.reviewed.contains(&party) {
                    "reviewed"
                } else {
                    "reviewer"
                };
                rounds_of
                    .entry(party.clone())
                    .or_default()
                    .push(PartyRoundStatus {
                        round: opening.round,
                        title: opening.title.clone(),
                        role: role.to_string(),
                        status: if is_closed {
                            RoundStatus::Closed
                        } else {
                            RoundStatus::Open
                        },
                        deadline: opening.deadline,
                        duties: duties
                            .iter()
                            .filter(|duty| duty.party == party)
                            .cloned()
                            .collect(),
                    });
            }
            if is_closed {
                published_rounds.push(self.published_round(opening.round).await?);
            }
        }
        let register = self.list_capacity_building(caller).await?;
        let hotline_duties = self.hotline_duty_views(None, now).await?;
        let mut views = Vec::with_capacity(parties.len());
        for party in parties {
            let readable: Vec<&(ReportSummaryView, Vec<PublicNormLevel>)> = latest
                .values()
                .filter(|(summary, _)| summary.party == party.id)
                .collect();
            let mut levels: BTreeMap<GgeNorm, (Timestamp, ImplementationLevel)> = BTreeMap::new();
            let mut note = |norm: GgeNorm, at: Timestamp, level: ImplementationLevel| {
                if levels.get(&norm).is_none_or(|(seen, _)| *seen <= at) {
                    levels.insert(norm, (at, level));
                }
            };
            for (summary, norms) in &readable {
                for level in norms {
                    note(level.norm, summary.recorded_at, level.level);
                }
            }
            let mut public_summaries = Vec::new();
            for summary in summaries.iter().filter(|summary| summary.party == party.id) {
                if latest.contains_key(&summary.subject) {
                    continue;
                }
                if let Some((_, parsed)) = summary_of.get(&summary.subject)
                    && !public_summaries.contains(&parsed.text)
                {
                    for level in &parsed.norms {
                        note(level.norm, summary.recorded_at, level.level);
                    }
                    public_summaries.push(parsed.text.clone());
                }
            }
            let rounds = rounds_of.remove(&party.id).unwrap_or_default();
            let duties_kept = count_duties_by_month(
                hotline_duties
                    .iter()
                    .filter(|duty| duty.party == party.id)
                    .map(|duty| (duty.duty.as_str(), duty.due_at, duty.outcome.as_str()))
                    .chain(rounds.iter().flat_map(|round| {
                        round
                            .duties
                            .iter()
                            .map(|duty| (duty.duty.as_str(), duty.due_at, duty.outcome.as_str()))
                    })),
            );
            views.push(PartyCommitments {
                adoptions: adoptions
                    .iter()
                    .filter(|adoption| adoption.party == party.id)
                    .cloned()
                    .collect(),
                norms: GgeNorm::ALL
                    .iter()
                    .map(|norm| NormLevelView {
                        norm: *norm,
                        level: levels.get(norm).map(|(_, level)| *level),
                    })
                    .collect(),
                reports: readable
                    .iter()
                    .map(|(summary, _)| summary.clone())
                    .collect(),
                public_summaries,
                rounds,
                duties_kept,
                capacity_building: register
                    .iter()
                    .filter(|entry| entry.record.party == party.id)
                    .cloned()
                    .collect(),
                party: party.id,
                name: party.name,
            });
        }
        let duties_over_time = count_duties_by_month(
            hotline_duties
                .iter()
                .map(|duty| (duty.duty.as_str(), duty.due_at, duty.outcome.as_str()))
                .chain(published_rounds.iter().flat_map(|round| {
                    round
                        .duties
                        .iter()
                        .map(|duty| (duty.duty.as_str(), duty.due_at, duty.outcome.as_str()))
                })),
        );
        Ok(CommitmentsComparison {
            duties_over_time,
            generated_at: now,
            norms: GgeNorm::ALL.to_vec(),
            parties: views,
            published_rounds,
        })
    }

    /// One party's commitments as the reader may see them.
    pub async fn party_commitments(
        &self,
        caller: Option<&Caller>,
        party: &PartyId,
    ) -> Result<PartyCommitments, NodeError> {
        self.commitments_comparison(caller)
            .await?
            .parties
            .into_iter()
            .find(|view| &view.party == party)
            .ok_or_else(|| NodeError::NotFound(format!("party {party}")))
    }
}

/// The latest version of each report among `records` (oldest first), by report id, with the
/// norm levels that version shows its reader (every level: the reader may read the version).
fn latest_report_summaries(
    records: &[CommitmentRecord],
) -> Result<BTreeMap<String, (ReportSummaryView, Vec<PublicNormLevel>)>, NodeError> {
    let mut latest = BTreeMap::new();
    for record in records {
        let report = stored_payload(record, ImplementationReport::parse)?.record;
        let levels = report
            .norms
            .iter()
            .map(|entry| PublicNormLevel {
                norm: entry.norm,
                level: entry.level,
            })
            .collect();
        latest.insert(
            record.subject.clone(),
            (
                ReportSummaryView {
                    id: report.id,
                    party: report.party.clone(),
                    version: report.version,
                    period: report.period.clone(),
                    tlp: report.tlp,
                    recorded_at: record.recorded_at,
                    gaps: report.gaps(),
                },
                levels,
            ),
        );
    }
    Ok(latest)
}
