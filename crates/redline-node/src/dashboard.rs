//! The public record, as the dashboard shows it: aggregates and pages that anyone may read
//! without signing in.
//!
//! The rule that guards every use case here: only `TLP:CLEAR` incidents are public. It is
//! enforced in this module (the label is passed to each store query, and a single incident is
//! refused unless its report says `clear`), never in a template. Aggregates are grouped in SQL and
//! cached until the store's dashboard fingerprint changes, so a page never loads every incident.
//!
//! The hotline's figures are public as counts and times only, decided here:
//!
//! - a message's content (its envelope, its free text, its standard form) never appears on a
//!   public page; neither does what a thread is about (its incident, its label, who opened it
//!   with whom) — the store's queries for these figures do not even read those columns;
//! - per party, how many notifications addressed to it it acknowledged, how many on time, the
//!   median time it took, and how many communication checks it answered (in time) are public,
//!   counted over every thread whatever its label: timeliness is the point of the scorecard, and
//!   a count says nothing about a restricted matter beyond that there was one;
//! - exercise threads count like real ones (a drill answered late is a late answer);
//! - a notification or a check is *due* once it is answered or its deadline has passed, so an
//!   open matter whose deadline is still ahead is not counted as late.
//!
//! The hotline figures are cached until the store's hotline fingerprint changes or the minute
//! turns (a deadline passing changes what is due). A figure with nothing to count is `None`, and
//! the pages say "no data yet" rather than invent numbers. The checkpoint comes from the node's
//! log in memory, with each configured witness's cosignature checked and the k-of-n decision.

use std::{collections::BTreeMap, sync::Arc};

use redline_model::Timestamp;
use redline_model::{Incident, IncidentId, Party, PartyId, Tlp};
use redline_norms::NormsDocument;
use redline_store::{DashboardFingerprint, DashboardHotlineFingerprint, DashboardIncidentQuery};
/// The rows and figures the public pages show, named here so the HTTP layer needs only the node.
pub use redline_store::{
    DashboardHotlineFigures, DashboardIncidentRow, PartyHotlineFigures, PartyIncidentCounts,
    SeverityCount, StoredNormsDocument,
};

use crate::{Node, NodeError, NormsDocumentSummary};

/// The label of incidents the public may read: the only label `redline_model::Readership`
/// admits an anonymous reader to (the SQL aggregates filter on it).
pub const PUBLIC_TLP: Tlp = Tlp::Clear;

/// The default and largest page size of the public incident listing.
pub const PUBLIC_PAGE_SIZE: u32 = 50;

/// The overview's aggregates, over public incidents only.
#[derive(Debug, Clone, Default)]
pub struct PublicOverview {
    pub public_incidents: u64,
    /// Every severity level of the baseline, with the count of public incidents whose latest
    /// assessment put them there (zero included); unassessed incidents have `level: None`.
    pub by_severity: Vec<SeverityCount>,
    /// `YYYY-MM` (UTC, month first observed) and count, oldest first, months without incidents
    /// filled with zero.
    pub by_month: Vec<(String, u64)>,
    /// Notifications acknowledged on time, of those due (`None` when none is due yet).
    pub acknowledgements: Option<RateFigure>,
    /// Communication checks answered in time, of those due, over every target.
    pub communication_checks: Option<RateFigure>,
    /// The transparency log's latest checkpoint (`None` when the node runs without a log).
    pub checkpoint: Option<CheckpointFigure>,
}

/// A rate: `numerator` of `denominator`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateFigure {
    pub numerator: u64,
    pub denominator: u64,
}

impl RateFigure {
    /// `None` when there is nothing to count.
    fn of(numerator: u64, denominator: u64) -> Option<RateFigure> {
        (denominator > 0).then_some(RateFigure {
            numerator,
            denominator,
        })
    }

    /// The rate as a whole percentage, rounded down.
    pub fn percent(&self) -> u64 {
        self.numerator.saturating_mul(100) / self.denominator.max(1)
    }
}

/// A checkpoint as the overview shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointFigure {
    pub origin: String,
    pub size: u64,
    /// The root hash as the checkpoint writes it (standard base64).
    pub root_hash: String,
    /// When the node wrote the checkpoint (its file's modification time; a C2SP checkpoint
    /// carries no time of its own).
    pub signed_at: Option<Timestamp>,
    /// Every witness configured for this log, with its cosignature of this checkpoint if one
    /// verifies.
    pub witnesses: Vec<WitnessFigure>,
    /// How many cosignatures make the checkpoint witnessed (k of n).
    pub quorum: usize,
    /// At least `quorum` configured witnesses (and at least one) cosigned this checkpoint: the
    /// ledger's `WitnessPolicy`.
    pub witnessed: bool,
}

/// One configured witness and its cosignature of the latest checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitnessFigure {
    pub name: String,
    /// The cosignature's own timestamp, when a valid one is attached.
    pub cosigned_at: Option<Timestamp>,
}

/// One party's public scorecard.
#[derive(Debug, Clone)]
pub struct PartyScorecard {
    pub party: Party,
    pub counts: PartyIncidentCounts,
    /// The norms documents the party's latest adoption names (id, version, sha256).
    pub adopted: Vec<NormsDocumentSummary>,
    /// Notifications addressed to the party acknowledged by it on time, of those due.
    pub acknowledgements: Option<RateFigure>,
    /// The median time from a notification's arrival to the party's acknowledgement.
    pub median_seconds_to_acknowledge: Option<u64>,
    /// Communication checks sent to the party answered in time, of those due.
    pub communication_checks: Option<RateFigure>,
    /// For a state: the published TLP:CLEAR attribution claims naming it (never a reporter's
    /// suspicion), with how many were joined by co-signers.
    pub named_in_claims: Option<crate::attribution::NamedStateCount>,
    /// Consultations it was asked for on claims naming it, answered by their deadline, of
    /// those due (their content is never public).
    pub consultations: Option<RateFigure>,
}

/// A public incident with its latest assessment and the document it was assessed against.
#[derive(Debug, Clone)]
pub struct PublicIncident {
    pub incident: Incident,
    /// The vulnerabilities the report names, each with its case when the case is public.
    pub vulnerabilities: Vec<crate::vulnerability_links::VulnerabilityLinkView>,
    pub assessment: Option<redline_norms::Assessment>,
    pub assessment_json: Option<serde_json::Value>,
    pub document: Option<Arc<NormsDocument>>,
}

/// One page of the public incident listing.
#[derive(Debug, Clone)]
pub struct PublicIncidentPage {
    pub incidents: Vec<DashboardIncidentRow>,
    /// Pass as `before` to read the next page.
    pub next_before: Option<i64>,
}

#[derive(Default)]
struct CachedAggregates {
    fingerprint: Option<DashboardFingerprint>,
    adoptions: usize,
    overview: Arc<PublicOverview>,
    by_party: Arc<BTreeMap<String, PartyIncidentCounts>>,
}

#[derive(Default)]
struct CachedHotline {
    fingerprint: Option<DashboardHotlineFingerprint>,
    minute: i64,
    figures: Arc<DashboardHotlineFigures>,
}

/// The node's cache of public aggregates, rebuilt when the store's fingerprint changes.
#[derive(Default)]
pub(crate) struct DashboardCache {
    aggregates: tokio::sync::Mutex<CachedAggregates>,
    hotline: tokio::sync::Mutex<CachedHotline>,
}

fn party_figures_of(
    figures: Option<&PartyHotlineFigures>,
) -> (Option<RateFigure>, Option<u64>, Option<RateFigure>) {
    let Some(figures) = figures else {
        return (None, None, None);
    };
    (
        RateFigure::of(figures.acknowledged_on_time, figures.acknowledgements_due),
        figures
            .median_microseconds_to_acknowledge
            .map(|microseconds| u64::try_from(microseconds / 1_000_000).unwrap_or(0)),
        RateFigure::of(figures.checks_answered_in_time, figures.checks_due),
    )
}

/// Every month from the first to the last of `counts` (sorted `YYYY-MM`), zero where absent.
fn fill_months(counts: &[(String, u64)]) -> Vec<(String, u64)> {
    let parse = |text: &str| -> Option<(i32, u32)> {
        let (year, month) = text.split_once('-')?;
        Some((year.parse().ok()?, month.parse().ok()?))
    };
    let (Some(first), Some(last)) = (
        counts.first().and_then(|(month, _)| parse(month)),
        counts.last().and_then(|(month, _)| parse(month)),
    ) else {
        return counts.to_vec();
    };
    let known: BTreeMap<&str, u64> = counts
        .iter()
        .map(|(month, count)| (month.as_str(), *count))
        .collect();
    let mut filled = Vec::new();
    let (mut year, mut month) = first;
    // At most 100 years of months, so a corrupt date cannot make the page enormous.
    while (year, month) <= last && filled.len() < 1200 {
        let key = format!("{year:04}-{month:02}");
        filled.push((key.clone(), known.get(key.as_str()).copied().unwrap_or(0)));
        month += 1;
        if month > 12 {
            month = 1;
            year += 1;
        }
    }
    filled
}

impl Node {
    /// The aggregates of public incidents, from the cache when nothing changed since.
    async fn public_aggregates(
        &self,
    ) -> Result<
        (
            Arc<PublicOverview>,
            Arc<BTreeMap<String, PartyIncidentCounts>>,
        ),
        NodeError,
    > {
        let fingerprint = self.store.dashboard_fingerprint().await?;
        let adoptions = self.norms.read().await.adoption_count();
        let mut cached = self.dashboard_cache.aggregates.lock().await;
        if cached.fingerprint == Some(fingerprint) && cached.adoptions == adoptions {
            return Ok((cached.overview.clone(), cached.by_party.clone()));
        }
        let tlp = PUBLIC_TLP.as_str();
        let mut by_severity = self.store.dashboard_counts_by_severity(tlp).await?;
        let by_month = self.store.dashboard_counts_by_month(tlp).await?;
        let by_party = self.store.dashboard_counts_by_party(tlp).await?;
        if let Some(baseline) = self.baseline_document().await {
            for band in &baseline.severity.bands {
                if !by_severity
                    .iter()
                    .any(|count| count.level == Some(band.level))
                {
                    by_severity.push(SeverityCount {
                        level: Some(band.level),
                        name: band.name.clone(),
                        colour: band.colour.clone(),
                        count: 0,
                    });
                }
            }
        }
        by_severity.sort_by_key(|count| (count.level.is_none(), count.level));
        let overview = PublicOverview {
            public_incidents: by_month.iter().map(|(_, count)| count).sum(),
            by_severity,
            by_month: fill_months(&by_month),
            acknowledgements: None,
            communication_checks: None,
            checkpoint: None,
        };
        cached.fingerprint = Some(fingerprint);
        cached.adoptions = adoptions;
        cached.overview = Arc::new(overview);
        cached.by_party = Arc::new(by_party);
        Ok((cached.overview.clone(), cached.by_party.clone()))
    }

    /// The hotline's figures, from the cache while no hotline write happened and the minute
    /// has not turned.
    pub async fn public_hotline_figures(&self) -> Result<Arc<DashboardHotlineFigures>, NodeError> {
        let fingerprint = self.store.dashboard_hotline_fingerprint().await?;
        let now = self.now().as_microseconds();
        let minute = now.div_euclid(60_000_000);
        let mut cached = self.dashboard_cache.hotline.lock().await;
        if cached.fingerprint == Some(fingerprint) && cached.minute == minute {
            return Ok(cached.figures.clone());
        }
        // Counted at the start of the minute, so every reader within it sees the same figures.
        let figures = self
            .store
            .dashboard_hotline_figures(minute.saturating_mul(60_000_000))
            .await?;
        cached.fingerprint = Some(fingerprint);
        cached.minute = minute;
        cached.figures = Arc::new(figures);
        Ok(cached.figures.clone())
    }

    /// The sequence of `party`'s newest hotline event (0 when none): the console's live view
    /// follows the stream from there.
    pub async fn latest_event_sequence(&self, party: &PartyId) -> Result<i64, NodeError> {
        Ok(self
            .store
            .dashboard_latest_event_sequence(party.as_str())
            .await?)
    }

    /// The log's latest signed checkpoint with its witnesses, or `None` without a log.
    pub fn public_checkpoint(&self) -> Option<CheckpointFigure> {
        let log = self.log()?;
        let note = log.checkpoint_note();
        let checkpoint = log.checkpoint().ok()?;
        let root_hash = checkpoint.root_hash.to_base64();
        let signed_at = std::fs::metadata(
            log.directory()
                .join(redline_store::tile_files::CHECKPOINT_FILE_NAME),
        )
        .and_then(|metadata| metadata.modified())
        .ok()
        .and_then(|modified| jiff::Timestamp::try_from(modified).ok())
        .map(Timestamp::from_jiff);
        let none = redline_ledger::witness_policy::WitnessPolicy::none();
        let policy = self.witness.get().map_or(&none, |witness| witness.policy());
        let decision = policy.decide(&note);
        let witnesses = decision
            .cosignatures
            .iter()
            .map(|cosignature| WitnessFigure {
                name: cosignature.witness_name.clone(),
                cosigned_at: cosignature.cosigned_at_seconds.and_then(|seconds| {
                    Timestamp::from_microseconds(
                        i64::try_from(seconds).ok()?.checked_mul(1_000_000)?,
                    )
                    .ok()
                }),
            })
            .collect();
        Some(CheckpointFigure {
            origin: checkpoint.origin,
            size: checkpoint.tree_size,
            root_hash,
            signed_at,
            witnessed: decision.witnessed,
            witnesses,
            quorum: policy.quorum(),
        })
    }

    /// The overview: public incidents by severity and by month, notifications acknowledged on
    /// time, communication checks answered, and the log's latest checkpoint.
    pub async fn public_overview(&self) -> Result<Arc<PublicOverview>, NodeError> {
        let incidents = self.public_aggregates().await?.0;
        let hotline = self.public_hotline_figures().await?;
        let mut overview = PublicOverview::clone(&incidents);
        overview.acknowledgements = RateFigure::of(
            hotline.notifications_acknowledged_on_time,
            hotline.notifications_due,
        );
        overview.communication_checks =
            RateFigure::of(hotline.checks_answered_in_time, hotline.checks_due);
        // Behind a load balancer: never a checkpoint older than one another process showed.
        // A process that cannot follow the pointer leaves the checkpoint out rather than show
        // an older one, and the rest of the overview still shows.
        overview.checkpoint = match self.refresh_log_view().await {
            Ok(()) => self.public_checkpoint(),
            Err(error) => {
                tracing::warn!(%error, "the overview leaves out the log's checkpoint: its pointer could not be followed");
                None
            }
        };
        Ok(Arc::new(overview))
    }

    /// One page of public incidents, newest first.
    pub async fn public_incidents(
        &self,
        before: Option<i64>,
        limit: Option<u32>,
    ) -> Result<PublicIncidentPage, NodeError> {
        let limit = limit.unwrap_or(PUBLIC_PAGE_SIZE).clamp(1, PUBLIC_PAGE_SIZE);
        let mut incidents = self
            .store
            .dashboard_list_incidents(&DashboardIncidentQuery {
                tlp: PUBLIC_TLP.as_str().to_string(),
                before_sequence: before,
                limit: limit + 1,
                ..Default::default()
            })
            .await?;
        let next_before = if incidents.len() > limit as usize {
            incidents.truncate(limit as usize);
            incidents.last().map(|row| row.sequence)
        } else {
            None
        };
        for row in &mut incidents {
            without_suspicion(row);
        }
        Ok(PublicIncidentPage {
            incidents,
            next_before,
        })
    }

    /// A public incident with its assessment; any other label is "not found", so the existence
    /// of a restricted incident does not leak.
    /// A reporter's suspected origin is for the report's readers only: the public incident has
    /// none, and its assessment names no suspected state (a state is named in public only
    /// through an attribution claim). The assessment's category and certainty are unchanged.
    pub async fn public_incident(&self, id: &IncidentId) -> Result<PublicIncident, NodeError> {
        let not_found = || NodeError::NotFound(format!("public incident {id}"));
        let mut incident = self.store.get_incident(id).await?.ok_or_else(not_found)?;
        if !incident.admits(redline_model::Reader::Anonymous) {
            return Err(not_found());
        }
        let stored = self.store.get_latest_assessment(id).await?;
        let document = match &stored {
            Some(stored) => self.norms_document_by_sha256(&stored.norms_sha256).await,
            None => None,
        };
        // The assessment is recomputed from the same report and document (the engine is
        // deterministic), writing "the suspected state" where the stored one names it; readers
        // of the API get the stored JSON as it is.
        // A published `clear` claim may name a state in public; the reporter's suspicion never.
        let (attribution_claim, prior_consultation) = self
            .attribution_circumstances(&incident.id, crate::attribution::ClaimVisibility::Public)
            .await?;
        let assessment = document.as_ref().map(|document| {
            redline_norms::assess_with(
                &incident.report,
                document,
                &redline_norms::Circumstances {
                    withhold_suspected_state: true,
                    prior_consultation,
                    attribution_claim,
                },
            )
        });
        incident.report.suspected_origin = None;
        // A case the public may not read is not named on a public page (a public report cannot
        // name an embargoed case; this holds if the case's readers changed since).
        self.withhold_unreadable_cases(None, &mut incident.report)
            .await?;
        let vulnerabilities = self.vulnerability_links(None, &incident.report).await?;
        let assessment_json = assessment
            .as_ref()
            .and_then(|assessment| serde_json::from_slice(&assessment.to_json_bytes()).ok());
        Ok(PublicIncident {
            incident,
            vulnerabilities,
            assessment,
            assessment_json,
            document,
        })
    }

    /// Every party with its public scorecard, in id order.
    pub async fn public_scorecards(&self) -> Result<Vec<PartyScorecard>, NodeError> {
        let (_, by_party) = self.public_aggregates().await?;
        let hotline = self.public_hotline_figures().await?;
        let documents = self.list_norms_documents().await?;
        let parties = self.store.list_parties().await?;
        let claim_counts = self.published_claim_counts().await?;
        let consultation_figures = self.store.consultation_figures(self.now()).await?;
        Ok(parties
            .into_iter()
            .map(|party| {
                let counts = by_party.get(party.id.as_str()).cloned().unwrap_or_default();
                let adopted = documents
                    .iter()
                    .filter(|document| document.adopted_by.contains(&party.id))
                    .cloned()
                    .collect();
                let (acknowledgements, median_seconds_to_acknowledge, communication_checks) =
                    party_figures_of(hotline.by_party.get(party.id.as_str()));
                let named_in_claims = party.id.as_country().and_then(|country| {
                    claim_counts
                        .iter()
                        .find(|count| count.state == country)
                        .cloned()
                });
                let consultations = consultation_figures
                    .iter()
                    .find(|figures| figures.party.as_ref() == Some(&party.id))
                    .and_then(|figures| RateFigure::of(figures.answered_on_time, figures.due));
                PartyScorecard {
                    party,
                    counts,
                    adopted,
                    acknowledgements,
                    median_seconds_to_acknowledge,
                    communication_checks,
                    named_in_claims,
                    consultations,
                }
            })
            .collect())
    }

    /// One party's public scorecard. It counts what the party reported and how it kept its
    /// hotline duties; it counts nothing a reporter merely suspected of it.
    pub async fn public_scorecard(&self, party: &PartyId) -> Result<PartyScorecard, NodeError> {
        self.public_scorecards()
            .await?
            .into_iter()
            .find(|scorecard| &scorecard.party.id == party)
            .ok_or_else(|| NodeError::NotFound(format!("party {party}")))
    }

    /// A stored norms document (public: its exact text is what every party adopted).
    pub async fn public_norms_document(
        &self,
        sha256: &str,
    ) -> Result<(StoredNormsDocument, Option<Arc<NormsDocument>>), NodeError> {
        let stored = self
            .store
            .get_norms_document(sha256)
            .await?
            .ok_or_else(|| NodeError::NotFound(format!("norms document {sha256}")))?;
        let parsed = self.norms_document_by_sha256(sha256).await;
        Ok((stored, parsed))
    }
}

/// A public listing row without the reporter's suspicion.
fn without_suspicion(row: &mut DashboardIncidentRow) {
    row.suspected_state = None;
    row.confidence = None;
}
