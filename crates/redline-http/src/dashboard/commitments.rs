//! The public commitments pages: the comparison across parties (adopted documents with their
//! signature status, implementation by GGE 2015 norm as a table and an SVG chart, duties kept by
//! kind, published rounds), one party's commitments (with its duties kept by kind over time: a
//! stacked chart of met, late and missed by month per kind, beside the table of the same
//! counts), and one closed round's published summary. Everything comes from the node's public record
//! (`Node::commitments_comparison(None)`): adoptions, `clear` reports, restricted reports'
//! public summaries and closed rounds — never a restricted report's content or a reviewer's
//! comment. Readable without JavaScript; the fixed words and the norms' titles are in the
//! reader's language; party names and summaries stay as written.

use askama::Template;
use axum::{
    extract::{Path, State},
    response::Response,
};
use redline_model::commitments::ImplementationLevel;
use redline_model::implementation_survey::{GGE_2015_SOURCE, GgeNorm, UNIDIR_SURVEY_SOURCE};
use redline_model::{Language, PartyId};
use redline_node::commitments::{
    AdoptionView, CommitmentsComparison, PartyCommitments, PublishedRound,
};
use uuid::Uuid;

use super::{
    Page, PageError, ShownTime,
    charts::{Bar, Series, StackedBar, bar_chart, stacked_bar_chart},
    render,
};
use crate::AppState;

/// One norm's column head.
pub(crate) struct NormHead {
    pub(crate) code: &'static str,
    pub(crate) title: &'static str,
}

/// One cell of the implementation table.
pub(crate) struct LevelCell {
    /// The level's code (`implemented`…), or empty when nothing is reported.
    pub(crate) code: &'static str,
    pub(crate) word: String,
}

/// One adoption as a page shows it.
pub(crate) struct AdoptionRow {
    pub(crate) document: String,
    pub(crate) title: String,
    pub(crate) version: String,
    pub(crate) adopted_at: ShownTime,
    pub(crate) signed: bool,
    pub(crate) in_force: bool,
    pub(crate) review_by: String,
    pub(crate) review_overdue: bool,
}

/// One party's row of the comparison.
pub(crate) struct PartyRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) adoptions: Vec<AdoptionRow>,
    pub(crate) levels: Vec<LevelCell>,
}

/// Duties kept, counted by month and kind.
pub(crate) struct DutyCountRow {
    pub(crate) month: String,
    pub(crate) duty: String,
    pub(crate) met: u64,
    pub(crate) late: u64,
    pub(crate) missed: u64,
    pub(crate) pending: u64,
}

/// A published round as a list shows it.
pub(crate) struct RoundLink {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) closed_at: ShownTime,
}

fn shown(at: redline_model::Timestamp) -> ShownTime {
    ShownTime::from_microseconds(at.as_microseconds())
}

fn level_word(page: &Page, level: Option<ImplementationLevel>) -> LevelCell {
    match level {
        Some(level) => LevelCell {
            code: level.as_str(),
            word: page.t(&format!("commitments-level-{}", level.as_str())),
        },
        None => LevelCell {
            code: "",
            word: page.t("commitments-level-none"),
        },
    }
}

fn norm_heads(language: Language) -> Vec<NormHead> {
    GgeNorm::ALL
        .iter()
        .map(|norm| NormHead {
            code: norm.as_str(),
            title: norm.title(language),
        })
        .collect()
}

fn adoption_row(adoption: &AdoptionView) -> AdoptionRow {
    AdoptionRow {
        document: adoption.document.clone(),
        title: adoption.document_title.clone(),
        version: adoption.document_version.clone(),
        adopted_at: shown(adoption.adopted_at),
        signed: adoption.signature == "signed",
        in_force: adoption.in_force,
        review_by: adoption.review_by.clone().unwrap_or_default(),
        review_overdue: adoption.review_overdue,
    }
}

fn party_row(page: &Page, party: &PartyCommitments) -> PartyRow {
    PartyRow {
        id: party.party.to_string(),
        name: party.name.clone(),
        adoptions: party.adoptions.iter().map(adoption_row).collect(),
        levels: party
            .norms
            .iter()
            .map(|entry| level_word(page, entry.level))
            .collect(),
    }
}

fn duty_rows(
    page: &Page,
    counts: &[redline_node::commitments::DutyMonthCount],
) -> Vec<DutyCountRow> {
    counts
        .iter()
        .map(|count| DutyCountRow {
            month: count.month.clone(),
            duty: page.t(&format!("commitments-duty-{}", count.duty)),
            met: count.met,
            late: count.late,
            missed: count.missed,
            pending: count.pending,
        })
        .collect()
}

/// The colours of met, late and missed in the duties-kept charts.
const OUTCOME_COLOURS: [(&str, &str); 3] = [
    ("met", "#15803d"),
    ("late", "#d97706"),
    ("missed", "#b91c1c"),
];

/// The duties-kept charts: one stacked chart per kind of duty with a count, of met, late and
/// missed by the month the duties fell due, every chart over the same months. Hotline duties
/// first, in the order of `DUTIES_KEPT`, then the peer-review duties. Pending duties are only
/// in the table (nothing is kept or broken yet).
fn duty_charts(page: &Page, counts: &[redline_node::commitments::DutyMonthCount]) -> Vec<String> {
    let months: std::collections::BTreeSet<&str> =
        counts.iter().map(|count| count.month.as_str()).collect();
    let mut kinds: Vec<&str> = redline_hotline::duties_kept::DUTIES_KEPT
        .iter()
        .map(|kind| kind.as_str())
        .collect();
    let mut others: Vec<&str> = counts
        .iter()
        .map(|count| count.duty.as_str())
        .filter(|duty| !kinds.contains(duty))
        .collect();
    others.sort_unstable();
    others.dedup();
    kinds.extend(others);
    let series: Vec<Series> = OUTCOME_COLOURS
        .iter()
        .map(|(outcome, colour)| Series {
            label: page.t(&format!("commitments-outcome-{outcome}")),
            colour: (*colour).to_string(),
        })
        .collect();
    kinds
        .into_iter()
        .filter(|kind| {
            counts
                .iter()
                .any(|count| count.duty == *kind && count.met + count.late + count.missed > 0)
        })
        .map(|kind| {
            let bars: Vec<StackedBar> = months
                .iter()
                .map(|month| {
                    let (met, late, missed) = counts
                        .iter()
                        .filter(|count| count.duty == kind && count.month == *month)
                        .fold((0, 0, 0), |(met, late, missed), count| {
                            (met + count.met, late + count.late, missed + count.missed)
                        });
                    StackedBar {
                        label: (*month).to_string(),
                        values: vec![met, late, missed],
                    }
                })
                .collect();
            let duty = page.t(&format!("commitments-duty-{kind}"));
            stacked_bar_chart(
                &format!("duties-{kind}"),
                &page.t_with("commitments-duties-chart-title", &[("duty", &duty)]),
                &series,
                &bars,
            )
        })
        .collect()
}

#[derive(Template)]
#[template(path = "dashboard/commitments.html")]
struct ComparisonTemplate {
    page: Page,
    norms: Vec<NormHead>,
    parties: Vec<PartyRow>,
    chart: String,
    duty_counts: Vec<DutyCountRow>,
    rounds: Vec<RoundLink>,
    sources: [&'static str; 2],
}

/// The comparison page's template, built from the public record (also used by the benchmark).
fn comparison_page(page: Page, comparison: &CommitmentsComparison) -> ComparisonTemplate {
    let parties: Vec<PartyRow> = comparison
        .parties
        .iter()
        .map(|party| party_row(&page, party))
        .collect();
    let bars: Vec<Bar> = GgeNorm::ALL
        .iter()
        .map(|norm| Bar {
            label: norm.as_str().to_string(),
            value: comparison
                .parties
                .iter()
                .filter(|party| {
                    party.norms.iter().any(|entry| {
                        entry.norm == *norm
                            && matches!(
                                entry.level,
                                Some(
                                    ImplementationLevel::Implemented
                                        | ImplementationLevel::PartlyImplemented
                                )
                            )
                    })
                })
                .count() as u64,
            colour: "#1d4ed8".to_string(),
        })
        .collect();
    let chart = bar_chart(
        "implementation-by-norm",
        &page.t("commitments-chart-title"),
        &bars,
    );
    let duty_counts = duty_rows(&page, &comparison.duties_over_time);
    let rounds = comparison
        .published_rounds
        .iter()
        .map(|round| RoundLink {
            id: round.id.to_string(),
            title: round.title.clone(),
            closed_at: shown(round.closed_at),
        })
        .collect();
    ComparisonTemplate {
        norms: norm_heads(page.language),
        page,
        parties,
        chart,
        duty_counts,
        rounds,
        sources: [GGE_2015_SOURCE, UNIDIR_SURVEY_SOURCE],
    }
}

pub(crate) async fn comparison(State(state): State<AppState>, page: Page) -> Response {
    match state.node.commitments_comparison(None).await {
        Ok(comparison) => render(&comparison_page(page, &comparison)),
        Err(error) => PageError::new(page, error).into_response_page(),
    }
}

/// A party's round on its page.
pub(crate) struct PartyRoundRow {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) role: String,
    pub(crate) closed: bool,
    pub(crate) deadline: ShownTime,
    pub(crate) outcomes: String,
}

#[derive(Template)]
#[template(path = "dashboard/commitments_party.html")]
struct PartyTemplate {
    page: Page,
    party: PartyRow,
    norms: Vec<NormHead>,
    reports: Vec<(String, u32, String, String, ShownTime)>,
    public_summaries: Vec<String>,
    rounds: Vec<PartyRoundRow>,
    /// Register entries: kind, what about, description, status, counterpart.
    capacity_building: Vec<(String, String, String, String, String)>,
    duty_counts: Vec<DutyCountRow>,
    /// One stacked chart per kind of duty (SVG, escaped by `redline-charts`).
    duty_charts: Vec<String>,
}

pub(crate) async fn party(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = PartyId::parse(&id) else {
        return PageError::not_found(page).into_response_page();
    };
    let view = match state.node.party_commitments(None, &id).await {
        Ok(view) => view,
        Err(error) => return PageError::new(page, error).into_response_page(),
    };
    let rounds = view
        .rounds
        .iter()
        .map(|round| PartyRoundRow {
            id: round.round.to_string(),
            title: round.title.clone(),
            role: page.t(&format!("commitments-role-{}", round.role)),
            closed: matches!(round.status, redline_node::commitments::RoundStatus::Closed),
            deadline: shown(round.deadline),
            outcomes: round
                .duties
                .iter()
                .map(|duty| {
                    format!(
                        "{}: {}",
                        page.t(&format!("commitments-duty-{}", duty.duty)),
                        page.t(&format!("commitments-outcome-{}", duty.outcome))
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
        })
        .collect();
    let reports = view
        .reports
        .iter()
        .map(|report| {
            (
                report.id.to_string(),
                report.version,
                report.period.clone(),
                report.gaps.join(", "),
                shown(report.recorded_at),
            )
        })
        .collect();
    let capacity_building = view
        .capacity_building
        .iter()
        .map(|entry| {
            let entry = &entry.record;
            (
                page.t(&format!("commitments-cb-{}", entry.kind.as_str())),
                entry
                    .norms
                    .iter()
                    .map(|norm| norm.as_str())
                    .chain(entry.items.iter().map(|item| item.as_str()))
                    .collect::<Vec<_>>()
                    .join(", "),
                entry.description.clone(),
                page.t(&format!("commitments-cb-status-{}", entry.status.as_str())),
                entry
                    .counterpart
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            )
        })
        .collect();
    render(&PartyTemplate {
        duty_counts: duty_rows(&page, &view.duties_kept),
        duty_charts: duty_charts(&page, &view.duties_kept),
        capacity_building,
        party: party_row(&page, &view),
        norms: norm_heads(page.language),
        reports,
        public_summaries: view.public_summaries.clone(),
        rounds,
        page,
    })
}

/// One tally row of a published round.
pub(crate) struct TallyRow {
    pub(crate) reviewed: String,
    pub(crate) norm: String,
    pub(crate) meets: u32,
    pub(crate) partly_meets: u32,
    pub(crate) does_not_meet: u32,
    pub(crate) cannot_assess: u32,
}

/// One duty of a published round.
pub(crate) struct DutyRow {
    pub(crate) party: String,
    pub(crate) duty: String,
    pub(crate) due_at: ShownTime,
    pub(crate) outcome_code: String,
    pub(crate) outcome: String,
}

#[derive(Template)]
#[template(path = "dashboard/review_round.html")]
struct RoundTemplate {
    page: Page,
    round: PublishedRound,
    norms: Vec<NormHead>,
    deadline: ShownTime,
    closed_at: ShownTime,
    tally: Vec<TallyRow>,
    duties: Vec<DutyRow>,
}

pub(crate) async fn round(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else {
        return PageError::not_found(page).into_response_page();
    };
    let round = match state.node.published_round(id).await {
        Ok(round) => round,
        Err(error) => return PageError::new(page, error).into_response_page(),
    };
    let tally = round
        .tally
        .iter()
        .map(|row| TallyRow {
            reviewed: row.reviewed.to_string(),
            norm: row.norm.as_str().to_string(),
            meets: row.meets,
            partly_meets: row.partly_meets,
            does_not_meet: row.does_not_meet,
            cannot_assess: row.cannot_assess,
        })
        .collect();
    let duties = round
        .duties
        .iter()
        .map(|duty| DutyRow {
            party: duty.party.to_string(),
            duty: page.t(&format!("commitments-duty-{}", duty.duty)),
            due_at: shown(duty.due_at),
            outcome_code: duty.outcome.clone(),
            outcome: page.t(&format!("commitments-outcome-{}", duty.outcome)),
        })
        .collect();
    let norms = norm_heads(page.language)
        .into_iter()
        .filter(|head| round.norms.iter().any(|norm| norm.as_str() == head.code))
        .collect();
    render(&RoundTemplate {
        deadline: shown(round.deadline),
        closed_at: shown(round.closed_at),
        norms,
        tally,
        duties,
        round,
        page,
    })
}
