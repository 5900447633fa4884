//! Supply-chain notices (GGE 2015 13(i)): the use cases over `redline-disclosure`'s
//! `supply_chain` rules and the store.
//!
//! - Issuing ([`Node::issue_supply_chain_notice`]): a DSSE-signed notice, checked against its
//!   author's key current at signing (`check_author`, the one DSSE module underneath), addressed
//!   to every other party of the node at that moment, due for acknowledgement within the
//!   `acknowledge` duty of the norms document the notifying party adopted (the baseline's
//!   otherwise); every incident it links to must be one the notifying party reads. Stored byte
//!   for byte with its row and one transparency-log entry (the envelope's digest), in one
//!   commit; every addressed party gets a `supply-chain-notice` event.
//! - Acknowledging ([`Node::acknowledge_supply_chain_notice`]): a signed acknowledgement by an
//!   addressed party with its exposure; the first meets (or is late for) the deadline, later
//!   ones update the exposure. Logged the same way.
//! - Reading ([`Node::supply_chain_notice`], [`Node::list_supply_chain_notices`]): the one TLP
//!   rule (`redline_model::Readership`) with the notifying and addressed parties as the
//!   addressees; a notice a reader may not read is "not found". Linked incidents are shown
//!   only to a reader of each incident.
//! - Deadlines ([`Node::fire_due_supply_chain_deadlines`], run by the deadline scheduler): an
//!   addressed party that has not acknowledged in time gets a `supply-chain-reminder` event and
//!   the notifying party a `supply-chain-missed` one, once (the recipient row is stamped in the
//!   same commit).

use redline_disclosure::{
    AcknowledgementDuty, Exposure, NOTICE_ACKNOWLEDGEMENT_PAYLOAD_TYPE, NOTICE_PAYLOAD_TYPE,
    NoticeAcknowledgement, NoticeError, NoticeState, SupplyChainNotice, acknowledgement_duties,
    reads_exposure_counts, reads_exposure_of,
};
use redline_model::{DutyKind, IncidentId, PartyId, Readership, Timestamp};
use redline_store::{
    DisclosureRecord, DisclosureRecordKind, HotlineEvent, NoticeRecipientRow, StoreWrite,
    SupplyChainNoticeQuery, SupplyChainNoticeSummary,
};
use serde::Serialize;
use uuid::Uuid;

use crate::log::{LogEntry, LogEntryKind};
use crate::signed_records::open_record;
use crate::{Caller, Node, NodeError};

/// One write at a time per node: an acknowledgement is decided on the state it was read in.
static SUPPLY_CHAIN_WRITES: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A notice as a reader may see it.
#[derive(Debug, Clone, Serialize)]
pub struct SupplyChainNoticeView {
    /// The notice as signed, but for the linked incidents this reader may not read (left out
    /// here and counted in `withheld_incidents`; the signed envelope's digest is in `records`).
    pub notice: SupplyChainNotice,
    pub issued_at: Timestamp,
    pub acknowledge_by: Timestamp,
    /// Each addressed party's acknowledgement and duty.
    pub recipients: Vec<NoticeRecipientView>,
    /// The linked incidents this reader may read (others are left out).
    pub readable_incidents: Vec<LinkedIncidentView>,
    /// How many linked incidents are withheld from this reader.
    pub withheld_incidents: usize,
    /// How many parties said each exposure; empty for an anonymous visitor.
    pub exposure_counts: std::collections::BTreeMap<String, usize>,
    pub updated_at: Timestamp,
    pub records: Vec<NoticeRecordView>,
}

/// One addressed party.
#[derive(Debug, Clone, Serialize)]
pub struct NoticeRecipientView {
    pub party: PartyId,
    pub due_at: Timestamp,
    /// `on-time`, `late`, `missed` or `pending`.
    pub standing: String,
    pub acknowledged_at: Option<Timestamp>,
    /// The latest exposure said, for its readers only (`reads_exposure_of`): the operator, the
    /// notifying party and the party itself.
    pub exposure: Option<String>,
    pub note: Option<String>,
    pub reminded_at: Option<Timestamp>,
}

/// A linked incident the reader may read.
#[derive(Debug, Clone, Serialize)]
pub struct LinkedIncidentView {
    pub id: IncidentId,
    pub title: String,
}

/// One signed record of the notice.
#[derive(Debug, Clone, Serialize)]
pub struct NoticeRecordView {
    pub kind: String,
    pub party: PartyId,
    pub payload_digest: String,
    pub recorded_at: Timestamp,
}

/// A notice in a list.
#[derive(Debug, Clone, Serialize)]
pub struct SupplyChainNoticeListItem {
    pub id: Uuid,
    pub title: String,
    pub notifying_party: PartyId,
    pub compromise: String,
    pub tlp: String,
    pub issued_at: Timestamp,
    pub acknowledge_by: Timestamp,
    pub recipient_count: usize,
    pub acknowledged_count: usize,
    /// How many said affected or mitigated; `None` for an anonymous visitor.
    pub affected_count: Option<usize>,
}

/// A notice's records replayed, with its row.
struct NoticeRecords {
    state: NoticeState,
    summary: SupplyChainNoticeSummary,
    records: Vec<DisclosureRecord>,
}

fn corrupt(what: &str, error: impl std::fmt::Display) -> NodeError {
    NodeError::Internal(format!("a stored {what} no longer parses: {error}"))
}

fn not_found(notice_id: impl std::fmt::Display) -> NodeError {
    NodeError::NotFound(format!("supply-chain notice {notice_id}"))
}

fn notice_error(error: NoticeError) -> NodeError {
    match error {
        NoticeError::NotAllowed(message) => NodeError::Forbidden(message),
        NoticeError::Invalid { path, message } => NodeError::invalid(path, message),
    }
}

fn readership(summary: &SupplyChainNoticeSummary) -> Readership {
    Readership::new(
        summary.tlp,
        summary
            .recipients
            .iter()
            .map(|recipient| recipient.party.clone())
            .chain(std::iter::once(summary.notifying_party.clone())),
    )
}

fn reader_of(caller: Option<&Caller>) -> redline_model::Reader<'_> {
    caller.map_or(redline_model::Reader::Anonymous, Caller::reader)
}

impl Node {
    /// A notice's records replayed into its state, or `None` if there is no such notice.
    async fn notice_records(&self, notice_id: Uuid) -> Result<Option<NoticeRecords>, NodeError> {
        let Some(summary) = self.store.get_supply_chain_notice(notice_id).await? else {
            return Ok(None);
        };
        let records = self.store.list_disclosure_records(notice_id).await?;
        let mut state: Option<NoticeState> = None;
        for record in &records {
            let envelope = redline_hotline::Envelope::parse(record.envelope.as_bytes())
                .map_err(|error| corrupt("supply-chain envelope", error))?;
            match record.kind {
                DisclosureRecordKind::Notice => {
                    let notice = SupplyChainNotice::parse(&envelope.payload)
                        .map_err(|error| corrupt("supply-chain notice", error))?;
                    state = Some(NoticeState::issue(
                        notice,
                        summary.issued_at,
                        summary.acknowledge_by,
                        summary
                            .recipients
                            .iter()
                            .map(|recipient| recipient.party.clone()),
                    ));
                }
                DisclosureRecordKind::NoticeAcknowledgement => {
                    let acknowledgement = NoticeAcknowledgement::parse(&envelope.payload)
                        .map_err(|error| corrupt("notice acknowledgement", error))?;
                    state
                        .as_mut()
                        .ok_or_else(|| corrupt("notice acknowledgement", "it precedes its notice"))?
                        .acknowledge(&acknowledgement, record.recorded_at)
                        .map_err(|error| corrupt("notice acknowledgement", error))?;
                }
                DisclosureRecordKind::Case | DisclosureRecordKind::Action => {
                    return Err(corrupt(
                        "supply-chain notice",
                        format!("{notice_id} holds a disclosure case's record"),
                    ));
                }
            }
        }
        let state = state.ok_or_else(|| corrupt("supply-chain notice", "its notice is missing"))?;
        Ok(Some(NoticeRecords {
            state,
            summary,
            records,
        }))
    }

    /// When a notice issued now by `party` must be acknowledged: the `acknowledge` duty of the
    /// norms document `party` adopted, or of the baseline.
    async fn notice_acknowledge_by(
        &self,
        party: &PartyId,
        now: Timestamp,
    ) -> Result<Timestamp, NodeError> {
        let document = match self.document_adopted_by(party).await {
            Some(document) => document,
            None => self.baseline_document().await.ok_or_else(|| {
                NodeError::Internal("the node has no baseline norms document loaded".into())
            })?,
        };
        crate::hotline::duties_table_of(&document)
            .duty_for(DutyKind::Acknowledge, 0)
            .and_then(|within| redline_hotline::deadline_for(now, within))
            .ok_or_else(|| {
                NodeError::Internal(format!(
                    "the norms document {} sets no acknowledgement duty",
                    document.id
                ))
            })
    }

    /// Issues a notice signed by its notifying party to every other party of the node.
    pub async fn issue_supply_chain_notice(
        &self,
        caller: &Caller,
        bytes: &[u8],
    ) -> Result<SupplyChainNoticeView, NodeError> {
        let crate::signed_records::OpenedRecord {
            payload,
            digest,
            envelope_text,
        } = open_record(bytes, NOTICE_PAYLOAD_TYPE)?;
        let notice = SupplyChainNotice::parse(&payload)?;
        self.check_author(
            caller,
            &notice.notifying_party,
            bytes,
            notice.signed_at,
            "notifying_party",
            "signed_at",
        )
        .await?;
        let author = Caller::Party(notice.notifying_party.clone());
        for (index, incident) in notice.incidents.iter().enumerate() {
            if self.get_incident(&author, incident).await.is_err() {
                return Err(NodeError::invalid(
                    format!("incidents[{index}]"),
                    format!(
                        "no incident {incident} that {} can read",
                        notice.notifying_party
                    ),
                ));
            }
        }
        let _guard = SUPPLY_CHAIN_WRITES.lock().await;
        if self
            .store
            .get_supply_chain_notice(notice.id)
            .await?
            .is_some()
        {
            return Err(NodeError::Conflict(format!(
                "supply-chain notice {} exists already; a notice is issued once",
                notice.id
            )));
        }
        let now = self.now();
        let acknowledge_by = self
            .notice_acknowledge_by(&notice.notifying_party, now)
            .await?;
        let addressed: Vec<PartyId> = self
            .store
            .list_parties()
            .await?
            .into_iter()
            .map(|party| party.id)
            .filter(|party| party != &notice.notifying_party)
            .collect();
        let state = NoticeState::issue(notice.clone(), now, acknowledge_by, addressed);
        let summary = SupplyChainNoticeSummary {
            notice_id: notice.id,
            notifying_party: notice.notifying_party.clone(),
            title: notice.title.clone(),
            compromise: notice.compromise.as_str().to_string(),
            tlp: notice.tlp,
            issued_at: now,
            acknowledge_by,
            updated_at: now,
            incidents: notice.incidents.clone(),
            recipients: state
                .recipients
                .keys()
                .map(|party| NoticeRecipientRow {
                    party: party.clone(),
                    acknowledged_at: None,
                    exposure: None,
                    reminded_at: None,
                })
                .collect(),
        };
        let record = DisclosureRecord {
            sequence: 0,
            payload_digest: digest,
            case_id: notice.id,
            kind: DisclosureRecordKind::Notice,
            party: notice.notifying_party.clone(),
            recorded_at: now,
            envelope: envelope_text,
        };
        let detail = serde_json::json!({
            "notice": notice.id,
            "title": notice.title,
            "acknowledge_by": acknowledge_by,
        })
        .to_string();
        let told: Vec<HotlineEvent> = state
            .recipients
            .keys()
            .map(|party| notice_event(party, "supply-chain-notice", notice.id, now, &detail))
            .collect();
        let entry = LogEntry::new(
            LogEntryKind::SupplyChainNotice,
            Some(notice.notifying_party.as_str().to_string()),
            notice.id.to_string(),
            now,
            record.envelope.as_bytes(),
        );
        let parties: Vec<PartyId> = told.iter().map(|event| event.party.clone()).collect();
        let mut writes = vec![
            StoreWrite::InsertSupplyChainNotice(summary),
            StoreWrite::InsertDisclosureRecord(record),
        ];
        if !told.is_empty() {
            writes.push(StoreWrite::InsertHotlineEvents(told));
        }
        self.commit_logged(writes, vec![entry]).await?;
        drop(_guard);
        if !parties.is_empty() {
            self.announce(parties).await;
        }
        tracing::info!(notice = %notice.id, "supply-chain notice issued");
        self.supply_chain_notice(Some(caller), notice.id).await
    }

    /// Records a signed acknowledgement by an addressed party.
    pub async fn acknowledge_supply_chain_notice(
        &self,
        caller: &Caller,
        notice_id: Uuid,
        bytes: &[u8],
    ) -> Result<SupplyChainNoticeView, NodeError> {
        let crate::signed_records::OpenedRecord {
            payload,
            digest,
            envelope_text,
        } = open_record(bytes, NOTICE_ACKNOWLEDGEMENT_PAYLOAD_TYPE)?;
        let acknowledgement = NoticeAcknowledgement::parse(&payload)?;
        if acknowledgement.notice != notice_id {
            return Err(NodeError::invalid(
                "notice",
                format!(
                    "this acknowledgement is of notice {}, sent to notice {notice_id}",
                    acknowledgement.notice
                ),
            ));
        }
        self.check_author(
            caller,
            &acknowledgement.party,
            bytes,
            acknowledgement.signed_at,
            "party",
            "signed_at",
        )
        .await?;
        let _guard = SUPPLY_CHAIN_WRITES.lock().await;
        let mut records = self
            .notice_records(notice_id)
            .await?
            .ok_or_else(|| not_found(notice_id))?;
        // A party that may not read the notice learns nothing of it, not even that it exists.
        if !readership(&records.summary).admits(caller.reader()) {
            return Err(not_found(notice_id));
        }
        if records
            .records
            .iter()
            .any(|record| record.payload_digest == digest)
        {
            return Err(NodeError::Conflict(
                "this signed record is stored already (a replay)".to_string(),
            ));
        }
        let now = self.now();
        records
            .state
            .acknowledge(&acknowledgement, now)
            .map_err(notice_error)?;
        let record = DisclosureRecord {
            sequence: 0,
            payload_digest: digest,
            case_id: notice_id,
            kind: DisclosureRecordKind::NoticeAcknowledgement,
            party: acknowledgement.party.clone(),
            recorded_at: now,
            envelope: envelope_text,
        };
        let detail = serde_json::json!({
            "notice": notice_id,
            "party": acknowledgement.party,
            "exposure": acknowledgement.exposure.as_str(),
        })
        .to_string();
        let notifying_party = records.state.notice.notifying_party.clone();
        let told = vec![notice_event(
            &notifying_party,
            "supply-chain-acknowledgement",
            notice_id,
            now,
            &detail,
        )];
        let entry = LogEntry::new(
            LogEntryKind::SupplyChainAcknowledgement,
            Some(acknowledgement.party.as_str().to_string()),
            notice_id.to_string(),
            now,
            record.envelope.as_bytes(),
        );
        self.commit_logged(
            vec![
                StoreWrite::InsertDisclosureRecord(record),
                StoreWrite::RecordNoticeAcknowledgement {
                    notice_id,
                    party: acknowledgement.party.clone(),
                    exposure: acknowledgement.exposure.as_str().to_string(),
                    at: now,
                },
                StoreWrite::InsertHotlineEvents(told),
            ],
            vec![entry],
        )
        .await
        .map_err(|error| match error {
            NodeError::Conflict(_) => {
                NodeError::Conflict("this signed record is stored already (a replay)".to_string())
            }
            other => other,
        })?;
        drop(_guard);
        self.announce(vec![notifying_party]).await;
        tracing::info!(notice = %notice_id, party = %acknowledgement.party, "supply-chain notice acknowledged");
        self.supply_chain_notice(Some(caller), notice_id).await
    }

    /// A notice as `caller` may see it (`None`: an anonymous visitor); one it may not read is
    /// "not found".
    pub async fn supply_chain_notice(
        &self,
        caller: Option<&Caller>,
        notice_id: Uuid,
    ) -> Result<SupplyChainNoticeView, NodeError> {
        let records = self
            .notice_records(notice_id)
            .await?
            .ok_or_else(|| not_found(notice_id))?;
        if !readership(&records.summary).admits(reader_of(caller)) {
            return Err(not_found(notice_id));
        }
        let mut readable_incidents = Vec::new();
        let mut withheld_incidents = 0;
        for incident_id in &records.state.notice.incidents {
            let incident = match caller {
                Some(caller) => self.get_incident(caller, incident_id).await.ok(),
                None => self
                    .store
                    .get_incident(incident_id)
                    .await?
                    .filter(|incident| incident.admits(redline_model::Reader::Anonymous)),
            };
            match incident {
                Some(incident) => readable_incidents.push(LinkedIncidentView {
                    id: incident_id.clone(),
                    title: incident.report.title.clone(),
                }),
                None => withheld_incidents += 1,
            }
        }
        let mut view = self.notice_view(
            &records,
            reader_of(caller),
            readable_incidents,
            withheld_incidents,
        );
        // The notice as served names only the incidents this reader may read: an id is enough
        // to learn that an incident exists, which the TLP rule keeps from a non-reader.
        let readable: Vec<IncidentId> = view
            .readable_incidents
            .iter()
            .map(|incident| incident.id.clone())
            .collect();
        view.notice.incidents.retain(|id| readable.contains(id));
        Ok(view)
    }

    fn notice_view(
        &self,
        records: &NoticeRecords,
        reader: redline_model::Reader<'_>,
        readable_incidents: Vec<LinkedIncidentView>,
        withheld_incidents: usize,
    ) -> SupplyChainNoticeView {
        let state = &records.state;
        let duties: Vec<AcknowledgementDuty> = acknowledgement_duties(state, self.now());
        let recipients = duties
            .into_iter()
            .map(|duty| {
                let recipient = state
                    .recipients
                    .get(&duty.party)
                    .filter(|_| reads_exposure_of(reader, &state.notice, &duty.party));
                let acknowledged_at = state
                    .recipients
                    .get(&duty.party)
                    .and_then(|recipient| recipient.first_acknowledged_at);
                let reminded_at = records
                    .summary
                    .recipients
                    .iter()
                    .find(|row| row.party == duty.party)
                    .and_then(|row| row.reminded_at);
                NoticeRecipientView {
                    standing: duty.standing.as_str().to_string(),
                    due_at: duty.due_at,
                    acknowledged_at,
                    exposure: recipient
                        .and_then(|recipient| recipient.exposure)
                        .map(|exposure| exposure.as_str().to_string()),
                    note: recipient.and_then(|recipient| recipient.note.clone()),
                    reminded_at,
                    party: duty.party,
                }
            })
            .collect();
        SupplyChainNoticeView {
            notice: state.notice.clone(),
            issued_at: state.issued_at,
            acknowledge_by: state.acknowledge_by,
            recipients,
            readable_incidents,
            withheld_incidents,
            exposure_counts: state
                .exposure_counts()
                .into_iter()
                .filter(|_| reads_exposure_counts(reader))
                .map(|(exposure, count)| {
                    (
                        exposure
                            .map_or("not-acknowledged", |exposure| exposure.as_str())
                            .to_string(),
                        count,
                    )
                })
                .collect(),
            updated_at: state.updated_at,
            records: records
                .records
                .iter()
                .map(|record| NoticeRecordView {
                    kind: record.kind.as_str().to_string(),
                    party: record.party.clone(),
                    payload_digest: record.payload_digest.clone(),
                    recorded_at: record.recorded_at,
                })
                .collect(),
        }
    }

    /// The notices `caller` may read (`None`: an anonymous visitor), latest first.
    pub async fn list_supply_chain_notices(
        &self,
        caller: Option<&Caller>,
        limit: u32,
    ) -> Result<Vec<SupplyChainNoticeListItem>, NodeError> {
        let visible_to = match caller {
            None => Some(None),
            Some(Caller::Operator) => None,
            Some(Caller::Party(party)) => Some(Some(party.clone())),
        };
        let summaries = self
            .store
            .list_supply_chain_notices(&SupplyChainNoticeQuery { visible_to, limit })
            .await?;
        Ok(summaries
            .into_iter()
            // The SQL filter and the one rule agree; the rule has the last word.
            .filter(|summary| readership(summary).admits(reader_of(caller)))
            .map(|summary| list_item(&summary, reader_of(caller)))
            .collect())
    }

    /// Fires every acknowledgement deadline due by the node's clock: a reminder to each party
    /// that missed it and a word to the notifying party, once. Returns how many parties were
    /// reminded.
    pub async fn fire_due_supply_chain_deadlines(&self) -> Result<u32, NodeError> {
        let now = self.now();
        let mut reminded = 0u32;
        for notice_id in self.store.supply_chain_notices_due(now).await? {
            let _guard = SUPPLY_CHAIN_WRITES.lock().await;
            let Some(summary) = self.store.get_supply_chain_notice(notice_id).await? else {
                continue;
            };
            if summary.acknowledge_by > now {
                continue;
            }
            let missed: Vec<PartyId> = summary
                .recipients
                .iter()
                .filter(|row| row.acknowledged_at.is_none() && row.reminded_at.is_none())
                .map(|row| row.party.clone())
                .collect();
            if missed.is_empty() {
                continue;
            }
            let detail = serde_json::json!({
                "notice": notice_id,
                "title": summary.title,
                "due_at": summary.acknowledge_by,
            })
            .to_string();
            let mut events: Vec<HotlineEvent> = missed
                .iter()
                .map(|party| notice_event(party, "supply-chain-reminder", notice_id, now, &detail))
                .collect();
            let missed_detail = serde_json::json!({
                "notice": notice_id,
                "due_at": summary.acknowledge_by,
                "missed_by": missed,
            })
            .to_string();
            events.push(notice_event(
                &summary.notifying_party,
                "supply-chain-missed",
                notice_id,
                now,
                &missed_detail,
            ));
            let mut told: Vec<PartyId> = events.iter().map(|event| event.party.clone()).collect();
            told.dedup();
            let count = u32::try_from(missed.len()).unwrap_or(u32::MAX);
            let outcome = self
                .store
                .commit(
                    vec![
                        StoreWrite::MarkNoticeReminded {
                            notice_id,
                            parties: missed,
                            at: now,
                        },
                        StoreWrite::InsertHotlineEvents(events),
                    ],
                    Vec::new(),
                )
                .await;
            match outcome {
                Ok(_) => {
                    reminded = reminded.saturating_add(count);
                    self.announce(told).await;
                }
                // Another process fired it, or a party acknowledged meanwhile: the next round
                // reads the rows again.
                Err(redline_store::StoreError::Conflict(message)) => {
                    tracing::info!(notice = %notice_id, %message, "supply-chain reminder skipped");
                }
                Err(error) => return Err(error.into()),
            }
        }
        Ok(reminded)
    }

    /// The notices linking `incident` that `caller` may read (`None`: an anonymous visitor).
    pub async fn supply_chain_notices_linking(
        &self,
        caller: Option<&Caller>,
        incident: &IncidentId,
    ) -> Result<Vec<SupplyChainNoticeListItem>, NodeError> {
        Ok(self
            .store
            .supply_chain_notices_linking(incident)
            .await?
            .iter()
            .filter(|summary| readership(summary).admits(reader_of(caller)))
            .map(|summary| list_item(summary, reader_of(caller)))
            .collect())
    }

    /// The earliest acknowledgement deadline still to fire.
    pub async fn next_supply_chain_deadline(&self) -> Result<Option<Timestamp>, NodeError> {
        Ok(self.store.earliest_supply_chain_deadline().await?)
    }
}

fn list_item(
    summary: &SupplyChainNoticeSummary,
    reader: redline_model::Reader<'_>,
) -> SupplyChainNoticeListItem {
    SupplyChainNoticeListItem {
        id: summary.notice_id,
        title: summary.title.clone(),
        notifying_party: summary.notifying_party.clone(),
        compromise: summary.compromise.clone(),
        tlp: summary.tlp.as_str().to_string(),
        issued_at: summary.issued_at,
        acknowledge_by: summary.acknowledge_by,
        recipient_count: summary.recipients.len(),
        acknowledged_count: summary
            .recipients
            .iter()
            .filter(|recipient| recipient.acknowledged_at.is_some())
            .count(),
        affected_count: reads_exposure_counts(reader).then(|| {
            summary
                .recipients
                .iter()
                .filter(|recipient| {
                    recipient
                        .exposure
                        .as_deref()
                        .and_then(Exposure::parse)
                        .is_some_and(|exposure| {
                            matches!(exposure, Exposure::Affected | Exposure::Mitigated)
                        })
                })
                .count()
        }),
    }
}

fn notice_event(
    party: &PartyId,
    kind: &str,
    notice_id: Uuid,
    now: Timestamp,
    detail: &str,
) -> HotlineEvent {
    HotlineEvent {
        sequence: 0,
        party: party.clone(),
        kind: kind.to_string(),
        thread_id: notice_id,
        message_id: None,
        created_at: now,
        detail: detail.to_string(),
    }
}
