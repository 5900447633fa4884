//! Commitments over HTTP: signed adoptions and withdrawals of norms documents, national
//! implementation reports, peer-review rounds (open, review, answer, close), and the record of
//! what each party committed to and how it kept it. Every write is a DSSE envelope signed by its
//! author's hotline key, sent as the request body. Reads apply the record's TLP (a reader outside
//! it gets 404). `GET /api/v1/public/…` answer without a token with the public record only:
//! adoptions, `clear` reports, public summaries, closed rounds' published summaries. Every
//! decision is the node's (`redline_node::commitments`).

use axum::{
    Json, Router,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;
use uuid::Uuid;

use redline_model::implementation_survey::{
    GGE_2015_SOURCE, GgeNorm, SurveyItem, UNIDIR_SURVEY_SOURCE,
};
use redline_model::{Language, PartyId};

use crate::{
    AppState,
    auth::{MaybeSignedIn, SignedIn},
    error::ApiError,
    incidents::JsonBytes,
    query::ApiQuery,
    signed_records::{created_at, parse_record_id, record_in_path},
};

/// The commitments routes, merged into the application router.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/adoptions", get(list_adoptions).post(adopt))
        .route(
            "/api/v1/implementation-reports",
            get(list_reports).post(file_report),
        )
        .route("/api/v1/implementation-reports/{id}", get(show_report))
        .route("/api/v1/review-rounds", post(open_round))
        .route("/api/v1/review-rounds/{id}", get(show_round))
        .route("/api/v1/review-rounds/{id}/reviews", post(review))
        .route("/api/v1/review-rounds/{id}/answers", post(answer))
        .route("/api/v1/review-rounds/{id}/closing", post(close))
        .route("/api/v1/commitments", get(commitments))
        .route("/api/v1/public/commitments", get(public_commitments))
        .route(
            "/api/v1/public/commitments/{party}",
            get(public_party_commitments),
        )
        .route(
            "/api/v1/public/implementation-reports/{id}",
            get(public_report),
        )
        .route("/api/v1/public/review-rounds/{id}", get(public_round))
        .route("/api/v1/implementation-survey", get(survey))
        .route(
            "/api/v1/capacity-building",
            get(list_capacity_building).post(record_capacity_building),
        )
        .route(
            "/api/v1/public/capacity-building",
            get(public_capacity_building),
        )
        .route("/api/v1/parties/{id}/duties", get(hotline_duties))
}

/// The round the signed payload names must be the one in the path.
fn check_round_in_path(path_id: &str, body: &[u8]) -> Result<Uuid, ApiError> {
    record_in_path(path_id, "review round", body, "round", "round ")
}

async fn adopt(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    let view = state.node.record_adoption_statement(&caller, &body).await?;
    Ok(created_at(&view, "/api/v1/adoptions"))
}

async fn list_adoptions(State(state): State<AppState>) -> Result<Response, ApiError> {
    let adoptions = state.node.list_adoptions().await?;
    Ok(Json(serde_json::json!({ "adoptions": adoptions })).into_response())
}

async fn file_report(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    let view = state
        .node
        .file_implementation_report(&caller, &body)
        .await?;
    let location = format!("/api/v1/implementation-reports/{}", view.id);
    Ok(created_at(&view, &location))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportListQuery {
    party: Option<String>,
}

fn parse_party(text: &str, path: &str) -> Result<PartyId, ApiError> {
    PartyId::parse(text)
        .map_err(|message| ApiError::bad_request("invalid", message).with_path(path))
}

async fn list_reports(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    ApiQuery(query): ApiQuery<ReportListQuery>,
) -> Result<Response, ApiError> {
    let party = query
        .party
        .map(|text| parse_party(&text, "party"))
        .transpose()?;
    let reports = state
        .node
        .list_implementation_reports(&caller, party)
        .await?;
    Ok(Json(serde_json::json!({ "reports": reports })).into_response())
}

async fn show_report(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_record_id(&id, "implementation report")?;
    Ok(Json(state.node.get_implementation_report(&caller, id).await?).into_response())
}

async fn public_report(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_record_id(&id, "implementation report")?;
    Ok(Json(state.node.public_implementation_report(id).await?).into_response())
}

async fn open_round(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    let view = state.node.open_review_round(&caller, &body).await?;
    let location = format!("/api/v1/review-rounds/{}", view.id);
    Ok(created_at(&view, &location))
}

async fn show_round(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_record_id(&id, "review round")?;
    Ok(Json(state.node.get_review_round(&caller, id).await?).into_response())
}

async fn review(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<String>,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    let id = check_round_in_path(&id, &body)?;
    let view = state.node.submit_peer_review(&caller, &body).await?;
    Ok(created_at(&view, &format!("/api/v1/review-rounds/{id}")))
}

async fn answer(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<String>,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    let id = check_round_in_path(&id, &body)?;
    let view = state.node.answer_peer_review(&caller, &body).await?;
    Ok(created_at(&view, &format!("/api/v1/review-rounds/{id}")))
}

async fn close(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<String>,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    let id = check_round_in_path(&id, &body)?;
    let published = state.node.close_review_round(&caller, &body).await?;
    Ok(created_at(
        &published,
        &format!("/api/v1/public/review-rounds/{id}"),
    ))
}

async fn public_round(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_record_id(&id, "review round")?;
    Ok(Json(state.node.published_round(id).await?).into_response())
}

/// The comparison as the signed-in caller may see it.
async fn commitments(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
) -> Result<Response, ApiError> {
    Ok(Json(state.node.commitments_comparison(Some(&caller)).await?).into_response())
}

/// The public comparison: the JSON export of the commitments pages.
async fn public_commitments(State(state): State<AppState>) -> Result<Response, ApiError> {
    Ok(Json(state.node.commitments_comparison(None).await?).into_response())
}

async fn public_party_commitments(
    State(state): State<AppState>,
    Path(party): Path<String>,
) -> Result<Response, ApiError> {
    let party = PartyId::parse(&party).map_err(|message| {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message).with_path("party")
    })?;
    Ok(Json(state.node.party_commitments(None, &party).await?).into_response())
}

async fn record_capacity_building(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    let view = state.node.record_capacity_building(&caller, &body).await?;
    Ok(created_at(&view, "/api/v1/capacity-building"))
}

async fn list_capacity_building(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
) -> Result<Response, ApiError> {
    let entries = state.node.list_capacity_building(Some(&caller)).await?;
    Ok(Json(serde_json::json!({ "entries": entries })).into_response())
}

/// A party's hotline duties per incident, thread and request — notify, acknowledge, initial
/// reply, status update, answer to assistance — (the party itself only).
async fn hotline_duties(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(party): Path<String>,
) -> Result<Response, ApiError> {
    let party = PartyId::parse(&party).map_err(|message| {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message).with_path("id")
    })?;
    let duties = state.node.hotline_duties_of(&caller, &party).await?;
    Ok(Json(serde_json::json!({ "duties": duties })).into_response())
}

async fn public_capacity_building(State(state): State<AppState>) -> Result<Response, ApiError> {
    let entries = state.node.list_capacity_building(None).await?;
    Ok(Json(serde_json::json!({ "entries": entries })).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SurveyQuery {
    lang: Option<String>,
}

/// The questions a report answers, in one of the six UN languages (`?lang=`), with sources.
async fn survey(
    MaybeSignedIn(_caller): MaybeSignedIn,
    ApiQuery(query): ApiQuery<SurveyQuery>,
) -> Result<Response, ApiError> {
    let language = match query.lang.as_deref() {
        None => Language::English,
        Some(tag) => Language::from_tag(tag).ok_or_else(|| {
            ApiError::bad_request(
                "invalid",
                format!("`{tag}` is not one of the six UN languages (ar, zh, en, fr, ru, es)"),
            )
            .with_path("lang")
        })?,
    };
    let norms: Vec<serde_json::Value> = GgeNorm::ALL
        .iter()
        .map(|norm| {
            serde_json::json!({
                "norm": norm,
                "title": norm.title(language),
                "question": GgeNorm::question(language),
            })
        })
        .collect();
    let items: Vec<serde_json::Value> = SurveyItem::ALL
        .iter()
        .map(|item| {
            serde_json::json!({
                "item": item,
                "part": item.survey_part(),
                "norms": item.norms(),
                "question": item.question(language),
            })
        })
        .collect();
    Ok(Json(serde_json::json!({
        "language": language,
        "norms": norms,
        "survey": items,
        "sources": [GGE_2015_SOURCE, UNIDIR_SURVEY_SOURCE],
    }))
    .into_response())
}

/// The commitments routes in the OpenAPI document.
pub(crate) fn openapi_paths() -> Vec<(String, utoipa::openapi::PathItem)> {
    use crate::openapi::{TabledOperation, tabled_paths};
    use utoipa::openapi::HttpMethod::{Get, Post};
    const SIGNED: &[(&str, &str)] = &[
        (
            "201",
            "stored and logged; the record as the caller may read it",
        ),
        ("400", "malformed JSON"),
        (
            "403",
            "sent in another party's name, or not the round's role",
        ),
        (
            "404",
            "no such document, round or report, or not visible to you",
        ),
        ("409", "a replay, a closed round or nothing to withdraw"),
        (
            "422",
            "the payload breaks a rule, or the signature is not by the author's key current at signing (an altered byte, a revoked key); `path` names where",
        ),
    ];
    const READ: &[(&str, &str)] = &[
        ("200", "what the caller may read"),
        ("404", "no such record, or not visible to you"),
    ];
    tabled_paths(
        "commitments",
        &[
            TabledOperation::new(Post, "/api/v1/adoptions", "recordAdoptionStatement", "A party's signed adoption or withdrawal of a norms document (DSSE, application/vnd.redline.norms-adoption+json)", SIGNED),
            TabledOperation::new(Get, "/api/v1/adoptions", "listAdoptions", "Every adoption with its signature status, whether it is in force and whether its review clause is overdue", &[("200", "the adoptions")]).public(),
            TabledOperation::new(Post, "/api/v1/implementation-reports", "fileImplementationReport", "A version of a national implementation report (DSSE, application/vnd.redline.implementation-report+json)", SIGNED),
            TabledOperation::new(Get, "/api/v1/implementation-reports", "listImplementationReports", "The latest version you may read of each report", &[("200", "the reports"), ("400", "a bad party id")]).query(&[("party", "only this party's reports")]),
            TabledOperation::new(Get, "/api/v1/implementation-reports/{id}", "getImplementationReport", "A report with every version you may read, each with its signed envelope", READ),
            TabledOperation::new(Post, "/api/v1/review-rounds", "openReviewRound", "The secretariat opens a peer-review round (DSSE, application/vnd.redline.review-round-opening+json)", SIGNED),
            TabledOperation::new(Get, "/api/v1/review-rounds/{id}", "getReviewRound", "A round with its reviews, answers, duties and tally (participants only)", READ),
            TabledOperation::new(Post, "/api/v1/review-rounds/{id}/reviews", "submitPeerReview", "A reviewer's ratings and comments on one reviewed party (DSSE, application/vnd.redline.peer-review+json)", SIGNED),
            TabledOperation::new(Post, "/api/v1/review-rounds/{id}/answers", "answerPeerReview", "The reviewed party's answer (DSSE, application/vnd.redline.review-answer+json)", SIGNED),
            TabledOperation::new(Post, "/api/v1/review-rounds/{id}/closing", "closeReviewRound", "The secretariat closes the round with its published summary (DSSE, application/vnd.redline.review-round-closing+json)", SIGNED),
            TabledOperation::new(Get, "/api/v1/commitments", "getCommitments", "Every party's commitments as you may read them", &[("200", "the comparison")]),
            TabledOperation::new(Get, "/api/v1/public/commitments", "getPublicCommitments", "The public comparison across parties (the commitments pages as JSON)", &[("200", "the comparison")]).public(),
            TabledOperation::new(Get, "/api/v1/public/commitments/{party}", "getPublicPartyCommitments", "One party's public commitments", READ).public(),
            TabledOperation::new(Get, "/api/v1/public/implementation-reports/{id}", "getPublicImplementationReport", "A report's TLP:CLEAR versions", READ).public(),
            TabledOperation::new(Get, "/api/v1/public/review-rounds/{id}", "getPublishedReviewRound", "A closed round's published summary", READ).public(),
            TabledOperation::new(Post, "/api/v1/capacity-building", "recordCapacityBuilding", "A version of a capacity-building request or offer, linked to a report's gaps (DSSE, application/vnd.redline.capacity-building+json)", SIGNED),
            TabledOperation::new(Get, "/api/v1/capacity-building", "listCapacityBuilding", "The capacity-building register (latest version of each entry)", &[("200", "the entries")]),
            TabledOperation::new(Get, "/api/v1/public/capacity-building", "listPublicCapacityBuilding", "The register's TLP:CLEAR entries", &[("200", "the entries")]).public(),
            TabledOperation::new(Get, "/api/v1/parties/{id}/duties", "getHotlineDuties", "Your hotline duties per incident, thread and request (notify, acknowledge, initial-reply, status-update, assistance-answer), met, late, missed or pending on the node's clock; an answer to a request timed by the initial-reply duty says so in deadline_from", READ),
            TabledOperation::new(Get, "/api/v1/implementation-survey", "getImplementationSurvey", "The norms and survey questions a report answers, in one of the six UN languages, with their sources", &[
                    ("200", "the questions"),
                    ("400", "not one of the six languages"),
                ]).public().query(&[("lang", "ar, zh, en, fr, ru or es (default en)")]),
        ],
    )
}
