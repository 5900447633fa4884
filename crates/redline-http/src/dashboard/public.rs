//! The public pages: overview, incident listing, one incident with its assessment explained
//! rule by rule, scorecards, norms documents with the difference between versions, and how to
//! verify the log. No sign-in; every figure comes from `redline_node::dashboard`, which only
//! ever hands out `TLP:CLEAR` incidents.

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    response::Response,
};
use redline_model::{IncidentId, PartyId};
use redline_node::dashboard::{
    DashboardIncidentRow, PartyScorecard, PublicOverview, StoredNormsDocument,
};

use super::{
    Page, PageError, ShownTime,
    charts::{Bar, bar_chart, bin_months},
    diff::{DiffLine, line_diff},
    render,
};
use crate::AppState;

/// An incident row as the listings show it.
pub(crate) struct IncidentRowView {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) reported_by: String,
    pub(crate) victim: String,
    pub(crate) first_observed: ShownTime,
    pub(crate) severity: String,
    pub(crate) severity_colour: String,
}

fn row_view(page: &Page, row: &DashboardIncidentRow) -> IncidentRowView {
    IncidentRowView {
        id: row.id.clone(),
        title: row.title.clone(),
        reported_by: row.reported_by.clone(),
        victim: row.victim.clone(),
        first_observed: ShownTime::from_microseconds(row.first_observed_us),
        severity: match (&row.severity_level, &row.severity_name) {
            (Some(level), Some(name)) => format!("{level} · {name}"),
            _ => page.t("unassessed"),
        },
        severity_colour: row.severity_colour.clone().unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "dashboard/overview.html")]
struct OverviewTemplate {
    page: Page,
    overview: std::sync::Arc<PublicOverview>,
    severity_chart: String,
    month_chart: String,
    /// The time chart's title: by month, or by year when the series is drawn by year.
    time_chart_title: String,
    severity_rows: Vec<(String, String, u64)>,
    checkpoint_signed: Option<ShownTime>,
    witnesses: Vec<(String, Option<ShownTime>)>,
    cosigned: String,
    configured: String,
    quorum: String,
}

pub(crate) async fn overview(State(state): State<AppState>, page: Page) -> Response {
    let overview = match state.node.public_overview().await {
        Ok(overview) => overview,
        Err(error) => return PageError::new(page, error).into_response_page(),
    };
    let severity_rows: Vec<(String, String, u64)> = overview
        .by_severity
        .iter()
        .map(|count| {
            let label = match count.level {
                Some(level) => format!("{level} · {}", count.name),
                None => page.t("unassessed"),
            };
            (label, count.colour.clone(), count.count)
        })
        .collect();
    let severity_bars: Vec<Bar> = severity_rows
        .iter()
        .map(|(label, colour, count)| Bar {
            label: label.clone(),
            value: *count,
            colour: colour.clone(),
        })
        .collect();
    // Long or sparse month series are drawn by year (the table under the chart keeps months).
    let time_bins = bin_months(&overview.by_month);
    let time_chart_title = match time_bins.granularity {
        redline_charts::TimeGranularity::Month => page.t("by-month"),
        redline_charts::TimeGranularity::Year => page.t("by-year"),
    };
    let month_bars: Vec<Bar> = time_bins
        .bins
        .into_iter()
        .map(|(period, count)| Bar {
            label: period,
            value: count,
            colour: "#1d4ed8".to_string(),
        })
        .collect();
    let (checkpoint_signed, witnesses, quorum) = match &overview.checkpoint {
        Some(checkpoint) => (
            checkpoint
                .signed_at
                .map(|at| ShownTime::from_jiff(at.as_jiff())),
            checkpoint
                .witnesses
                .iter()
                .map(|witness| {
                    (
                        witness.name.clone(),
                        witness
                            .cosigned_at
                            .map(|at| ShownTime::from_jiff(at.as_jiff())),
                    )
                })
                .collect::<Vec<_>>(),
            checkpoint.quorum,
        ),
        None => (None, Vec::new(), 0),
    };
    let cosigned = witnesses.iter().filter(|(_, at)| at.is_some()).count();
    let template = OverviewTemplate {
        checkpoint_signed,
        cosigned: cosigned.to_string(),
        configured: witnesses.len().to_string(),
        quorum: quorum.to_string(),
        witnesses,
        severity_chart: bar_chart("by-severity", &page.t("by-severity"), &severity_bars),
        month_chart: bar_chart("by-month", &time_chart_title, &month_bars),
        time_chart_title,
        page,
        overview,
        severity_rows,
    };
    render(&template)
}

impl PageError {
    pub(crate) fn into_response_page(self) -> Response {
        axum::response::IntoResponse::into_response(self)
    }
}

#[derive(serde::Deserialize)]
pub(crate) struct ListingQuery {
    before: Option<i64>,
}

#[derive(Template)]
#[template(path = "dashboard/incidents.html")]
struct IncidentsTemplate {
    page: Page,
    incidents: Vec<IncidentRowView>,
    next_before: Option<i64>,
    /// Public incidents synced from peer nodes, with their origin (federation).
    peer_incidents: Vec<redline_node::federation::PeerIncidentView>,
}

pub(crate) async fn incidents(
    State(state): State<AppState>,
    page: Page,
    Query(query): Query<ListingQuery>,
) -> Response {
    let before = query.before;
    // Peers' public incidents are listed with the first page only.
    let peer_incidents = if before.is_none() {
        match state
            .node
            .public_peer_incidents(redline_node::dashboard::PUBLIC_PAGE_SIZE)
            .await
        {
            Ok(incidents) => incidents,
            Err(error) => return PageError::new(page, error).into_response_page(),
        }
    } else {
        Vec::new()
    };
    match state.node.public_incidents(before, None).await {
        Ok(listing) => {
            let incidents = listing
                .incidents
                .iter()
                .map(|row| row_view(&page, row))
                .collect();
            render(&IncidentsTemplate {
                page,
                incidents,
                next_before: listing.next_before,
                peer_incidents,
            })
        }
        Err(error) => PageError::new(page, error).into_response_page(),
    }
}

/// One rule of the trace, with the basis the document gives it.
pub(crate) struct TraceView {
    pub(crate) rule: String,
    pub(crate) fired: bool,
    pub(crate) why: String,
    pub(crate) basis: String,
}

#[derive(Template)]
#[template(path = "dashboard/incident.html")]
struct IncidentTemplate {
    page: Page,
    incident: redline_model::Incident,
    /// The vulnerabilities it names, each with its case when the case is public.
    vulnerabilities: Vec<redline_node::vulnerability_links::VulnerabilityLinkView>,
    first_observed: ShownTime,
    last_observed: Option<ShownTime>,
    assessment: Option<redline_norms::Assessment>,
    document_title: String,
    severity_note: String,
    trace: Vec<TraceView>,
    assessment_json: String,
    /// The public supply-chain notices that link this incident: (id, title).
    supply_chain_notices: Vec<(String, String)>,
}

/// The basis the document gives the rule a trace entry names (`rule:ID`, `red-line:ID`, …).
fn basis_of(document: &redline_norms::NormsDocument, rule: &str) -> String {
    let id = rule.rsplit([':', ' ']).next().unwrap_or(rule);
    if let Some(found) = document.rules.iter().find(|candidate| candidate.id == id) {
        return found.basis.clone();
    }
    if let Some(found) = document
        .red_lines
        .iter()
        .find(|candidate| candidate.id == id)
    {
        return found.basis.clone();
    }
    if let Some(found) = document
        .protected
        .iter()
        .find(|candidate| candidate.id == id)
    {
        return found.basis.clone();
    }
    String::new()
}

pub(crate) async fn incident(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = IncidentId::parse(&id) else {
        return PageError::not_found(page).into_response_page();
    };
    let public = match state.node.public_incident(&id).await {
        Ok(public) => public,
        Err(error) => return PageError::new(page, error).into_response_page(),
    };
    let (document_title, severity_note, trace) = match (&public.document, &public.assessment) {
        (Some(document), Some(assessment)) => (
            document.title.clone(),
            document.severity.note.clone().unwrap_or_default(),
            assessment
                .trace
                .iter()
                .map(|entry| TraceView {
                    rule: entry.rule.to_string(),
                    fired: entry.fired,
                    why: entry.why.to_string(),
                    basis: basis_of(document, &entry.rule),
                })
                .collect(),
        ),
        _ => (String::new(), String::new(), Vec::new()),
    };
    let assessment_json = public
        .assessment_json
        .as_ref()
        .and_then(|json| serde_json::to_string_pretty(json).ok())
        .unwrap_or_default();
    let supply_chain_notices = match state.node.supply_chain_notices_linking(None, &id).await {
        Ok(notices) => notices
            .into_iter()
            .map(|notice| (notice.id.to_string(), notice.title))
            .collect(),
        Err(error) => return PageError::new(page, error).into_response_page(),
    };
    let report = &public.incident.report;
    render(&IncidentTemplate {
        first_observed: ShownTime::from_jiff(report.first_observed.as_jiff()),
        last_observed: report
            .last_observed
            .map(|at| ShownTime::from_jiff(at.as_jiff())),
        page,
        assessment: public.assessment.clone(),
        vulnerabilities: public.vulnerabilities,
        incident: public.incident,
        document_title,
        severity_note,
        trace,
        assessment_json,
        supply_chain_notices,
    })
}

#[derive(Template)]
#[template(path = "dashboard/parties.html")]
struct PartiesTemplate {
    page: Page,
    scorecards: Vec<PartyScorecard>,
}

pub(crate) async fn parties(State(state): State<AppState>, page: Page) -> Response {
    match state.node.public_scorecards().await {
        Ok(scorecards) => render(&PartiesTemplate { page, scorecards }),
        Err(error) => PageError::new(page, error).into_response_page(),
    }
}

#[derive(Template)]
#[template(path = "dashboard/party.html")]
struct PartyTemplate {
    page: Page,
    scorecard: PartyScorecard,
    median: Option<String>,
}

pub(crate) async fn party(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> Response {
    let Ok(party) = PartyId::parse(&id) else {
        return PageError::not_found(page).into_response_page();
    };
    match state.node.public_scorecard(&party).await {
        Ok(scorecard) => render(&PartyTemplate {
            page,
            median: scorecard
                .median_seconds_to_acknowledge
                .map(super::duration_text),
            scorecard,
        }),
        Err(error) => PageError::new(page, error).into_response_page(),
    }
}

/// A document in the listing, with the other versions of the same document to compare with.
pub(crate) struct DocumentView {
    pub(crate) summary: redline_node::NormsDocumentSummary,
    pub(crate) other_versions: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "dashboard/norms.html")]
struct NormsTemplate {
    page: Page,
    documents: Vec<DocumentView>,
}

pub(crate) async fn norms(State(state): State<AppState>, page: Page) -> Response {
    let summaries = match state.node.list_norms_documents().await {
        Ok(summaries) => summaries,
        Err(error) => return PageError::new(page, error).into_response_page(),
    };
    let documents = summaries
        .iter()
        .map(|summary| DocumentView {
            summary: summary.clone(),
            other_versions: summaries
                .iter()
                .filter(|other| other.id == summary.id && other.sha256 != summary.sha256)
                .map(|other| (other.version.clone(), other.sha256.clone()))
                .collect(),
        })
        .collect();
    render(&NormsTemplate { page, documents })
}

#[derive(Template)]
#[template(path = "dashboard/norms_document.html")]
struct NormsDocumentTemplate {
    page: Page,
    stored: StoredNormsDocument,
    document: Option<std::sync::Arc<redline_norms::NormsDocument>>,
    summary_text: String,
    other_versions: Vec<(String, String)>,
}

pub(crate) async fn norms_document(
    State(state): State<AppState>,
    page: Page,
    Path(sha256): Path<String>,
) -> Response {
    let (stored, document) = match state.node.public_norms_document(&sha256).await {
        Ok(found) => found,
        Err(error) => return PageError::new(page, error).into_response_page(),
    };
    let other_versions = match state.node.list_norms_documents().await {
        Ok(summaries) => summaries
            .into_iter()
            .filter(|other| other.id == stored.document_id && other.sha256 != stored.sha256)
            .map(|other| (other.version, other.sha256))
            .collect(),
        Err(error) => return PageError::new(page, error).into_response_page(),
    };
    let summary_text = document
        .as_deref()
        .map(redline_norms::render_document_summary)
        .unwrap_or_default();
    render(&NormsDocumentTemplate {
        page,
        stored,
        document,
        summary_text,
        other_versions,
    })
}

#[derive(Template)]
#[template(path = "dashboard/norms_diff.html")]
struct NormsDiffTemplate {
    page: Page,
    from: StoredNormsDocument,
    to: StoredNormsDocument,
    lines: Vec<DiffLine>,
    identical: bool,
}

pub(crate) async fn norms_difference(
    State(state): State<AppState>,
    page: Page,
    Path((sha256, other)): Path<(String, String)>,
) -> Response {
    let from = match state.node.public_norms_document(&sha256).await {
        Ok((stored, _)) => stored,
        Err(error) => return PageError::new(page, error).into_response_page(),
    };
    let to = match state.node.public_norms_document(&other).await {
        Ok((stored, _)) => stored,
        Err(error) => return PageError::new(page, error).into_response_page(),
    };
    let lines = line_diff(&from.text, &to.text, 3);
    let identical = lines
        .iter()
        .all(|line| line.mark == "…" || line.mark == " ");
    render(&NormsDiffTemplate {
        page,
        from,
        to,
        lines,
        identical,
    })
}

#[derive(Template)]
#[template(path = "dashboard/verify.html")]
struct VerifyTemplate {
    page: Page,
    base_url: String,
    overview: std::sync::Arc<PublicOverview>,
}

pub(crate) async fn verify(
    State(state): State<AppState>,
    page: Page,
    headers: axum::http::HeaderMap,
) -> Response {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|value| value.to_str().ok())
        .filter(|host| {
            host.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '-' | '[' | ']'))
        })
        .unwrap_or("NODE");
    let overview = match state.node.public_overview().await {
        Ok(overview) => overview,
        Err(error) => return PageError::new(page, error).into_response_page(),
    };
    render(&VerifyTemplate {
        page,
        base_url: format!("http://{host}"),
        overview,
    })
}
