//! The public record, as the dashboard shows it: aggregates and pages that anyone may read
//! without signing in.
//!
//! The rule that guards every use case here: only `TLP:CLEAR` incidents are public. It is
//! enforced in this module (the label is passed to each store query, and a single incident is
//! refused unless its report says `clear`), never in a template. Aggregates are grouped in SQL and
//! cached until the store's dashboard fingerprint changes, so a page never loads every incident.
//!
//! Figures that come from features other streams are still building (hotline acknowledgement
//! rates, communication checks, the transparency log's checkpoint and witnesses) are `None` here
//! until the node records them; the dashboard says "no data yet" rather than invent numbers.

use std::{collections::BTreeMap, sync::Arc};

use redline_model::{Incident, IncidentId, Party, PartyId, Tlp};
use redline_norms::NormsDocument;
use redline_store::{
    DashboardFingerprint, DashboardIncidentQuery, DashboardIncidentRow, PartyIncidentCounts,
    SeverityCount, StoredNormsDocument,
};

use crate::{Node, NodeError, NormsDocumentSummary};

/// The label of incidents the public may read.
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
    /// Notifications acknowledged on time: not recorded by this node yet.
    pub acknowledgements: Option<RateFigure>,
    /// Communication checks answered: not recorded by this node yet.
    pub communication_checks: Option<RateFigure>,
    /// The transparency log's latest checkpoint: not published by this node yet.
    pub checkpoint: Option<CheckpointFigure>,
}

/// A rate: `numerator` of `denominator`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateFigure {
    pub numerator: u64,
    pub denominator: u64,
}

/// A checkpoint as the overview shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointFigure {
    pub origin: String,
    pub size: u64,
    pub root_hash: String,
    pub witnesses: Vec<String>,
}

/// One party's public scorecard.
#[derive(Debug, Clone)]
pub struct PartyScorecard {
    pub party: Party,
    pub counts: PartyIncidentCounts,
    /// The norms documents the party's latest adoption names (id, version, sha256).
    pub adopted: Vec<NormsDocumentSummary>,
    /// Acknowledged on time and median time to acknowledge: not recorded by this node yet.
    pub acknowledgements: Option<RateFigure>,
    pub median_seconds_to_acknowledge: Option<u64>,
    pub communication_checks: Option<RateFigure>,
}

/// One red line crossed by a public incident attributed to a party.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct CrossedRedLine {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub basis: String,
}

/// A public incident attributed to a party that crossed at least one red line.
#[derive(Debug, Clone)]
pub struct AttributedIncident {
    pub row: DashboardIncidentRow,
    pub red_lines: Vec<CrossedRedLine>,
}

/// A public incident with its latest assessment and the document it was assessed against.
#[derive(Debug, Clone)]
pub struct PublicIncident {
    pub incident: Incident,
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

/// The node's cache of public aggregates, rebuilt when the store's fingerprint changes.
#[derive(Default)]
pub(crate) struct DashboardCache {
    aggregates: tokio::sync::Mutex<CachedAggregates>,
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

    /// The overview: public incidents by severity and by month, and the figures of the hotline
    /// and the log where the node records them.
    pub async fn public_overview(&self) -> Result<Arc<PublicOverview>, NodeError> {
        Ok(self.public_aggregates().await?.0)
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
        Ok(PublicIncidentPage {
            incidents,
            next_before,
        })
    }

    /// A public incident with its assessment; any other label is "not found", so the existence
    /// of a restricted incident does not leak.
    pub async fn public_incident(&self, id: &IncidentId) -> Result<PublicIncident, NodeError> {
        let not_found = || NodeError::NotFound(format!("public incident {id}"));
        let incident = self.store.get_incident(id).await?.ok_or_else(not_found)?;
        if incident.report.tlp != PUBLIC_TLP {
            return Err(not_found());
        }
        let stored = self.store.get_latest_assessment(id).await?;
        let (assessment_json, document) = match &stored {
            Some(stored) => (
                serde_json::from_str::<serde_json::Value>(&stored.assessment_json).ok(),
                self.norms_document_by_sha256(&stored.norms_sha256).await,
            ),
            None => (None, None),
        };
        // The typed assessment is recomputed from the same report and document, which gives the
        // stored JSON byte for byte (the engine is deterministic); the JSON is kept as evidence.
        let assessment = document
            .as_ref()
            .map(|document| redline_norms::assess(&incident.report, document));
        Ok(PublicIncident {
            incident,
            assessment,
            assessment_json,
            document,
        })
    }

    /// Every party with its public scorecard, in id order.
    pub async fn public_scorecards(&self) -> Result<Vec<PartyScorecard>, NodeError> {
        let (_, by_party) = self.public_aggregates().await?;
        let documents = self.list_norms_documents().await?;
        let parties = self.store.list_parties().await?;
        Ok(parties
            .into_iter()
            .map(|party| {
                let counts = by_party.get(party.id.as_str()).cloned().unwrap_or_default();
                let adopted = documents
                    .iter()
                    .filter(|document| document.adopted_by.contains(&party.id))
                    .cloned()
                    .collect();
                PartyScorecard {
                    party,
                    counts,
                    adopted,
                    acknowledgements: None,
                    median_seconds_to_acknowledge: None,
                    communication_checks: None,
                }
            })
            .collect())
    }

    /// One party's scorecard and the public incidents attributed to it that crossed red lines
    /// (the newest `limit`).
    pub async fn public_scorecard(
        &self,
        party: &PartyId,
        limit: u32,
    ) -> Result<(PartyScorecard, Vec<AttributedIncident>), NodeError> {
        let scorecard = self
            .public_scorecards()
            .await?
            .into_iter()
            .find(|scorecard| &scorecard.party.id == party)
            .ok_or_else(|| NodeError::NotFound(format!("party {party}")))?;
        let rows = self
            .store
            .dashboard_list_incidents(&DashboardIncidentQuery {
                tlp: PUBLIC_TLP.as_str().to_string(),
                attributed_to: Some(party.as_str().to_string()),
                crossing_red_lines: true,
                limit: limit.clamp(1, 500),
                ..Default::default()
            })
            .await?;
        let attributed = rows
            .into_iter()
            .map(|row| {
                let red_lines = row
                    .red_lines_json
                    .as_deref()
                    .and_then(|json| serde_json::from_str(json).ok())
                    .unwrap_or_default();
                AttributedIncident { row, red_lines }
            })
            .collect();
        Ok((scorecard, attributed))
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
