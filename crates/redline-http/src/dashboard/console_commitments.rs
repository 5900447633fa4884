//! The console's commitments pages: the signed-in party's peer-review rounds (with their
//! reviews, answers and duties, which only participants read) and one form to send any signed
//! commitment record — an adoption or withdrawal, a report version, a round's opening, a review,
//! an answer or a closing — as the pasted DSSE envelope, signed outside the server with
//! `redline sign --payload-type …` (the server holds no key). The node decides everything; a
//! refusal is shown with the field each problem names. Works without JavaScript.

use askama::Template;
use axum::{
    Extension, Form,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};
use redline_model::commitments::{
    ADOPTION_PAYLOAD_TYPE, IMPLEMENTATION_REPORT_PAYLOAD_TYPE, PEER_REVIEW_PAYLOAD_TYPE,
    REVIEW_ANSWER_PAYLOAD_TYPE, REVIEW_ROUND_CLOSING_PAYLOAD_TYPE,
    REVIEW_ROUND_OPENING_PAYLOAD_TYPE,
};
use redline_node::commitments::{PartyRoundStatus, RoundView};
use redline_node::{Caller, NodeError};
use uuid::Uuid;

use super::console::{Sessions, constant_time_equal, same_origin, signed_in};
use super::{Page, PageError, ShownTime, render};
use crate::AppState;

/// The records a party may send here: form value, payload type.
const RECORD_KINDS: [(&str, &str); 6] = [
    ("adoption", ADOPTION_PAYLOAD_TYPE),
    ("implementation-report", IMPLEMENTATION_REPORT_PAYLOAD_TYPE),
    ("review-round-opening", REVIEW_ROUND_OPENING_PAYLOAD_TYPE),
    ("peer-review", PEER_REVIEW_PAYLOAD_TYPE),
    ("review-answer", REVIEW_ANSWER_PAYLOAD_TYPE),
    ("review-round-closing", REVIEW_ROUND_CLOSING_PAYLOAD_TYPE),
];

/// One refused field.
pub(crate) struct Refusal {
    pub(crate) field: String,
    pub(crate) message: String,
}

fn refusals(error: &NodeError) -> Vec<Refusal> {
    match error {
        NodeError::Invalid(issues) => issues
            .iter()
            .map(|issue| Refusal {
                field: issue.path.clone(),
                message: issue.message.clone(),
            })
            .collect(),
        NodeError::Malformed(model_error) => model_error
            .issues()
            .into_iter()
            .map(|issue| Refusal {
                field: issue.path,
                message: issue.message,
            })
            .collect(),
        other => vec![Refusal {
            field: String::new(),
            message: other.to_string(),
        }],
    }
}

fn refusal_status(error: &NodeError) -> StatusCode {
    match error {
        NodeError::NotFound(_) => StatusCode::NOT_FOUND,
        NodeError::Forbidden(_) => StatusCode::FORBIDDEN,
        NodeError::Conflict(_) => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// A round in the party's list.
pub(crate) struct RoundRow {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) role: String,
    pub(crate) closed: bool,
    pub(crate) deadline: ShownTime,
}

fn round_row(page: &Page, round: &PartyRoundStatus) -> RoundRow {
    RoundRow {
        id: round.round.to_string(),
        title: round.title.clone(),
        role: page.t(&format!("commitments-role-{}", round.role)),
        closed: matches!(round.status, redline_node::commitments::RoundStatus::Closed),
        deadline: ShownTime::from_microseconds(round.deadline.as_microseconds()),
    }
}

#[derive(Template)]
#[template(path = "dashboard/console_commitments.html")]
struct CommitmentsTemplate {
    page: Page,
    csrf: String,
    rounds: Vec<RoundRow>,
    kinds: Vec<(&'static str, &'static str)>,
    chosen_kind: String,
    envelope: String,
    recorded: String,
    refusals: Vec<Refusal>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct CommitmentsQuery {
    recorded: Option<String>,
}

async fn party_rounds(
    state: &AppState,
    caller: &Caller,
    page: &Page,
) -> Result<Vec<RoundRow>, NodeError> {
    let Caller::Party(party) = caller else {
        return Ok(Vec::new());
    };
    let view = state.node.party_commitments(Some(caller), party).await?;
    Ok(view
        .rounds
        .iter()
        .map(|round| round_row(page, round))
        .collect())
}

pub(crate) async fn commitments(
    State(state): State<AppState>,
    Extension(sessions): Extension<Sessions>,
    mut page: Page,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<CommitmentsQuery>,
) -> Response {
    let Some(signed) = signed_in(&state, &sessions, &headers).await else {
        return Redirect::to("/console/sign-in").into_response();
    };
    page.signed_in = Some(signed.party.to_string());
    let caller = Caller::Party(signed.party.clone());
    let rounds = match party_rounds(&state, &caller, &page).await {
        Ok(rounds) => rounds,
        Err(error) => return PageError::new(page, error).into_response(),
    };
    let recorded = query
        .recorded
        .filter(|kind| RECORD_KINDS.iter().any(|(known, _)| known == kind))
        .unwrap_or_default();
    render(&CommitmentsTemplate {
        page,
        csrf: signed.csrf,
        rounds,
        kinds: RECORD_KINDS.to_vec(),
        chosen_kind: String::new(),
        envelope: String::new(),
        recorded,
        refusals: Vec::new(),
    })
}

#[derive(serde::Deserialize)]
pub(crate) struct SendFields {
    csrf: String,
    kind: String,
    envelope: String,
}

/// Sends the pasted envelope as the signed-in party: a round's record leads to the round's
/// page, another record back to this page saying it was recorded; a refusal is shown with its
/// fields and the envelope kept.
pub(crate) async fn send(
    State(state): State<AppState>,
    Extension(sessions): Extension<Sessions>,
    mut page: Page,
    headers: HeaderMap,
    Form(fields): Form<SendFields>,
) -> Response {
    let Some(signed) = signed_in(&state, &sessions, &headers).await else {
        return Redirect::to("/console/sign-in").into_response();
    };
    page.signed_in = Some(signed.party.to_string());
    if !same_origin(&headers) || !constant_time_equal(&signed.csrf, &fields.csrf) {
        return (
            StatusCode::FORBIDDEN,
            "the form's CSRF token is missing or wrong",
        )
            .into_response();
    }
    let caller = Caller::Party(signed.party.clone());
    let body = fields.envelope.trim().as_bytes().to_vec();
    let node = &state.node;
    let outcome: Result<String, NodeError> = match fields.kind.as_str() {
        "adoption" => node
            .record_adoption_statement(&caller, &body)
            .await
            .map(|_| "/console/commitments?recorded=adoption".to_string()),
        "implementation-report" => node
            .file_implementation_report(&caller, &body)
            .await
            .map(|_| "/console/commitments?recorded=implementation-report".to_string()),
        "review-round-opening" => node
            .open_review_round(&caller, &body)
            .await
            .map(|view| format!("/console/review-rounds/{}", view.id)),
        "peer-review" => node
            .submit_peer_review(&caller, &body)
            .await
            .map(|view| format!("/console/review-rounds/{}", view.id)),
        "review-answer" => node
            .answer_peer_review(&caller, &body)
            .await
            .map(|view| format!("/console/review-rounds/{}", view.id)),
        "review-round-closing" => node
            .close_review_round(&caller, &body)
            .await
            .map(|published| format!("/console/review-rounds/{}", published.id)),
        other => Err(NodeError::invalid(
            "kind",
            format!("`{other}` is not a commitment record"),
        )),
    };
    match outcome {
        Ok(location) => Redirect::to(&location).into_response(),
        Err(NodeError::Internal(message)) => {
            PageError::new(page, NodeError::Internal(message)).into_response()
        }
        Err(error) => {
            let rounds = party_rounds(&state, &caller, &page)
                .await
                .unwrap_or_default();
            let mut response = render(&CommitmentsTemplate {
                page,
                csrf: signed.csrf,
                rounds,
                kinds: RECORD_KINDS.to_vec(),
                chosen_kind: fields.kind.clone(),
                envelope: fields.envelope.clone(),
                recorded: String::new(),
                refusals: refusals(&error),
            });
            *response.status_mut() = refusal_status(&error);
            response
        }
    }
}

/// A review as the round page shows it.
pub(crate) struct ReviewRow {
    pub(crate) reviewer: String,
    pub(crate) reviewed: String,
    pub(crate) ratings: Vec<(String, String, String)>,
}

/// A duty as the round page shows it.
pub(crate) struct DutyRow {
    pub(crate) party: String,
    pub(crate) duty: String,
    pub(crate) due_at: ShownTime,
    pub(crate) outcome: String,
}

#[derive(Template)]
#[template(path = "dashboard/console_round.html")]
struct RoundTemplate {
    page: Page,
    view: RoundView,
    closed: bool,
    deadline: ShownTime,
    reviews: Vec<ReviewRow>,
    answers: Vec<(String, Vec<(String, String)>)>,
    duties: Vec<DutyRow>,
}

pub(crate) async fn round(
    State(state): State<AppState>,
    Extension(sessions): Extension<Sessions>,
    mut page: Page,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Some(signed) = signed_in(&state, &sessions, &headers).await else {
        return Redirect::to("/console/sign-in").into_response();
    };
    page.signed_in = Some(signed.party.to_string());
    let Ok(id) = Uuid::parse_str(&id) else {
        return PageError::not_found(page).into_response_page();
    };
    let view = match state
        .node
        .get_review_round(&Caller::Party(signed.party.clone()), id)
        .await
    {
        Ok(view) => view,
        Err(error) => return PageError::new(page, error).into_response_page(),
    };
    let reviews = view
        .reviews
        .iter()
        .map(|review| ReviewRow {
            reviewer: review.record.reviewer.to_string(),
            reviewed: review.record.reviewed.to_string(),
            ratings: review
                .record
                .ratings
                .iter()
                .map(|rating| {
                    (
                        rating.norm.as_str().to_string(),
                        page.t(&format!("commitments-rating-{}", rating.rating.as_str())),
                        rating.comment.clone(),
                    )
                })
                .collect(),
        })
        .collect();
    let answers = view
        .answers
        .iter()
        .map(|answer| {
            (
                answer.record.party.to_string(),
                answer
                    .record
                    .answers
                    .iter()
                    .map(|entry| (entry.norm.as_str().to_string(), entry.text.clone()))
                    .collect(),
            )
        })
        .collect();
    let duties = view
        .duties
        .iter()
        .map(|duty| DutyRow {
            party: duty.party.to_string(),
            duty: page.t(&format!("commitments-duty-{}", duty.duty)),
            due_at: ShownTime::from_microseconds(duty.due_at.as_microseconds()),
            outcome: page.t(&format!("commitments-outcome-{}", duty.outcome)),
        })
        .collect();
    render(&RoundTemplate {
        closed: matches!(view.status, redline_node::commitments::RoundStatus::Closed),
        deadline: ShownTime::from_microseconds(view.opening.record.deadline.as_microseconds()),
        reviews,
        answers,
        duties,
        view,
        page,
    })
}
