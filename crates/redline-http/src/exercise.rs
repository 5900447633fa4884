//! Tabletop exercises over HTTP: create an exercise from an exercise file, read and
//! list exercises, the injects that are due (a notification's hotline payload, to be signed
//! client-side with the sending party's key), delivering one, players' rung decisions and the
//! after-action report as JSON, Markdown or HTML. Every decision is the node's
//! (`redline_node::exercise`).

use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;

use redline_model::{IncidentId, PartyId, Timestamp};
use redline_node::exercise::{NewDecision, render_html_in, render_markdown_in};

use crate::{
    AppState, auth::SignedIn, error::ApiError, incidents::JsonBytes, query::ApiQuery,
    signed_records::created_at,
};

/// The exercise routes, merged into the application router.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/exercises", get(list).post(create))
        .route("/api/v1/exercises/{id}", get(show))
        .route("/api/v1/exercises/{id}/injects/due", get(due))
        .route(
            "/api/v1/exercises/{id}/injects/{inject}/deliver",
            post(deliver),
        )
        .route("/api/v1/exercises/{id}/decisions", post(decide))
        .route("/api/v1/exercises/{id}/report", get(report))
}

fn malformed(expected: &str, error: &serde_json::Error) -> ApiError {
    ApiError::bad_request("malformed_json", format!("expected {expected}: {error}")).with_path(".")
}

/// The body of `POST /api/v1/exercises`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewExercise {
    /// The exercise file's text (TOML).
    definition: String,
    /// The file's name, for error messages (`file:line:column`).
    #[serde(default)]
    file: Option<String>,
    /// When exercise minute 0 is (RFC 3339); now when left out.
    #[serde(default)]
    start: Option<String>,
    /// Exercise minutes per real minute; 1 when left out.
    #[serde(default)]
    speed: Option<f64>,
}

const NEW_EXERCISE: &str =
    "{\"definition\": EXERCISE_FILE_TEXT, \"file\"?, \"start\"?, \"speed\"?}";

async fn create(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    let request: NewExercise =
        serde_json::from_slice(&body).map_err(|error| malformed(NEW_EXERCISE, &error))?;
    let start = match &request.start {
        Some(text) => Some(Timestamp::parse(text).map_err(|error| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                format!("start: `{text}` is not an RFC 3339 time: {error}"),
            )
            .with_path("start")
        })?),
        None => None,
    };
    let file = request.file.as_deref().unwrap_or("exercise.toml");
    let view = state
        .node
        .create_exercise(&caller, &request.definition, file, start, request.speed)
        .await?;
    let location = format!("/api/v1/exercises/{}", view.id);
    Ok(created_at(&view, &location))
}

async fn list(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
) -> Result<Response, ApiError> {
    let exercises = state.node.list_exercises(&caller).await?;
    Ok(Json(serde_json::json!({ "exercises": exercises })).into_response())
}

async fn show(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Ok(Json(state.node.get_exercise(&caller, &id).await?).into_response())
}

async fn due(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let injects = state.node.exercise_due_injects(&caller, &id).await?;
    Ok(Json(serde_json::json!({ "injects": injects })).into_response())
}

/// The body of a delivery: nothing for an incident inject, the signed envelope for a
/// notification inject.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Delivery {
    #[serde(default)]
    envelope: Option<serde_json::Value>,
}

async fn deliver(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path((id, inject)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let envelope = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        let delivery: Delivery = serde_json::from_slice(&body)
            .map_err(|error| malformed("{\"envelope\": SIGNED_ENVELOPE} or no body", &error))?;
        delivery
            .envelope
            .map(|envelope| serde_json::to_vec(&envelope).unwrap_or_default())
    };
    let delivered = state
        .node
        .deliver_exercise_inject(&caller, &id, &inject, envelope.as_deref())
        .await?;
    Ok((StatusCode::CREATED, Json(&delivered)).into_response())
}

/// The body of `POST /api/v1/exercises/{id}/decisions`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DecisionBody {
    /// The deciding party; a signed-in party decides for itself, so it may be left out.
    #[serde(default)]
    party: Option<String>,
    incident: String,
    rung: u32,
    #[serde(default)]
    note: String,
}

fn invalid(path: &str, message: String) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message).with_path(path)
}

async fn decide(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<String>,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    let request: DecisionBody = serde_json::from_slice(&body).map_err(|error| {
        malformed(
            "{\"incident\": INCIDENT_ID, \"rung\": N, \"note\"?, \"party\"?}",
            &error,
        )
    })?;
    let party = match &request.party {
        Some(text) => Some(
            PartyId::parse(text)
                .map_err(|message| invalid("party", format!("party: {message}")))?,
        ),
        None => None,
    };
    let incident = IncidentId::parse(&request.incident)
        .map_err(|message| invalid("incident", format!("incident: {message}")))?;
    let decision = state
        .node
        .record_exercise_decision(
            &caller,
            &id,
            NewDecision {
                party,
                incident,
                rung: request.rung,
                note: request.note,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(&decision)).into_response())
}

#[derive(Deserialize)]
struct ReportQuery {
    format: Option<String>,
    /// The language of the Markdown and HTML (en, fr, es, ru, zh, ar); English by default.
    lang: Option<String>,
}

async fn report(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    let format = query.format.as_deref().unwrap_or("json");
    if !matches!(format, "json" | "markdown" | "html") {
        return Err(ApiError::bad_request(
            "invalid_format",
            format!("format `{format}` is not json, markdown or html"),
        )
        .with_path("format"));
    }
    let language = match query.lang.as_deref() {
        None => redline_model::Language::English,
        Some(tag) => redline_model::Language::from_tag(tag).ok_or_else(|| {
            ApiError::bad_request(
                "invalid_lang",
                format!("lang `{tag}` is not one of en, fr, es, ru, zh, ar"),
            )
            .with_path("lang")
        })?,
    };
    let report = state.node.exercise_report(&caller, &id).await?;
    Ok(match format {
        "markdown" => (
            [(header::CONTENT_TYPE, "text/markdown; charset=utf-8")],
            render_markdown_in(&report, language),
        )
            .into_response(),
        "html" => (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            render_html_in(&report, language),
        )
            .into_response(),
        _ => Json(&report).into_response(),
    })
}

// ------------------------------------------------------------------------------------------
// OpenAPI

const EXERCISE_OPERATIONS: &[crate::openapi::TabledOperation] = {
    use crate::openapi::TabledOperation;
    use utoipa::openapi::HttpMethod::{Get, Post};
    const NOT_FOUND: (&str, &str) = ("404", "no such exercise, or you neither run nor play in it");
    const UNAUTHENTICATED: (&str, &str) = ("401", "no or wrong token");
    &[
        TabledOperation::new(Post, "/api/v1/exercises", "createExercise", "Create a tabletop exercise from an exercise file (TOML text in `definition`; optional `file`, `start` RFC 3339, `speed` exercise minutes per real minute). Only the file's facilitator (or, when it names none, a party that is not a player) may.", &[
                (
                    "201",
                    "the exercise: id, parties, start, each inject's due time",
                ),
                ("400", "malformed JSON"),
                UNAUTHENTICATED,
                ("403", "a player, or not the file's facilitator"),
                (
                    "422",
                    "the file is refused (`file:line:column: message`), a party is not on this node, or an inject's report breaks the contract",
                ),
            ]),
        TabledOperation::new(Get, "/api/v1/exercises", "listExercises", "The exercises you run or play in, newest first", &[("200", "{\"exercises\": [...]}"), UNAUTHENTICATED]),
        TabledOperation::new(Get, "/api/v1/exercises/{id}", "showExercise", "An exercise: definition, parties, start and what each inject became", &[("200", "the exercise"), UNAUTHENTICATED, NOT_FOUND]),
        TabledOperation::new(Get, "/api/v1/exercises/{id}/injects/due", "dueExerciseInjects", "The injects due by the node's clock and not delivered yet; a `payload` is what to sign with the key of `sign_as`: a notification's hotline message, or the report of an incident inject whose reporter is not the caller (payload type `application/vnd.redline.exercise-report+json`)", &[("200", "{\"injects\": [...]}"), UNAUTHENTICATED, NOT_FOUND]),
        TabledOperation::new(Post, "/api/v1/exercises/{id}/injects/{inject}/deliver", "deliverExerciseInject", "Deliver a due inject: `{\"envelope\": ENVELOPE}` (the due payload signed, DSSE) for a notification inject and for an incident inject reported by another party than the caller; no body otherwise", &[
                (
                    "201",
                    "what the inject became: incident, or message and thread",
                ),
                ("400", "malformed JSON"),
                UNAUTHENTICATED,
                ("403", "the envelope's signer is not the sending party"),
                NOT_FOUND,
                ("409", "delivered already, or not due yet"),
                (
                    "422",
                    "no envelope for a notification, or not the prescribed message (error.path `envelope`), or a hotline rule refused it",
                ),
            ]),
        TabledOperation::new(Post, "/api/v1/exercises/{id}/decisions", "recordExerciseDecision", "Record the response rung you (a player) choose for an exercise incident: {\"incident\", \"rung\", \"note\"?}; answered with the verdict against the assessment's recommendation", &[
                (
                    "201",
                    "the decision: verdict recommended, within-ceiling or above-ceiling",
                ),
                ("400", "malformed JSON"),
                UNAUTHENTICATED,
                ("403", "not a player, or deciding for another party"),
                NOT_FOUND,
                ("409", "the incident has no assessment yet"),
                (
                    "422",
                    "not an incident of the exercise, or a rung not on the ladder (error.path names the field)",
                ),
            ]),
        TabledOperation::new(Get, "/api/v1/exercises/{id}/report", "exerciseReport", "The after-action report: timeline, deadlines met and missed per party, decisions against the recommendations", &[
                ("200", "the report"),
                ("400", "unknown format"),
                UNAUTHENTICATED,
                NOT_FOUND,
            ]).query(&[
                ("format", "json (default), markdown or html"),
                (
                    "lang",
                    "en (default), fr, es, ru, zh or ar: the language of markdown and html",
                ),
            ]),
    ]
};

/// The exercise paths of the OpenAPI document (several methods on one path merged).
pub(crate) fn openapi_paths() -> Vec<(String, utoipa::openapi::PathItem)> {
    crate::openapi::tabled_paths("exercise", EXERCISE_OPERATIONS)
}
