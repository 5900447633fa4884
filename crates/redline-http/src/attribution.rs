//! Attribution claims and consultations over HTTP. Every write is a DSSE envelope signed by its
//! author's hotline key, sent as the request body: file a claim version, co-sign, publish or
//! withdraw, request consultation, reply, record an outcome. Reads apply the claim's TLP rule
//! (a reader outside it gets 404). `GET /api/v1/public/claims…` answer without a token with
//! published `clear` claims only. Every decision is the node's (`redline_node::attribution`).

use axum::{
    Json, Router,
    extract::{Path, State},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;

use redline_model::IncidentId;

use crate::{
    AppState,
    auth::SignedIn,
    error::ApiError,
    incidents::JsonBytes,
    query::ApiQuery,
    signed_records::{LimitQuery, created_at, parse_record_id, record_in_path},
};

/// The attribution routes, merged into the application router.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/claims", get(list).post(file))
        .route("/api/v1/claims/{id}", get(show))
        .route("/api/v1/claims/{id}/stix", get(show_stix))
        .route("/api/v1/claims/{id}/cosignatures", post(cosign))
        .route("/api/v1/claims/{id}/decisions", post(decide))
        .route("/api/v1/consultations", post(request_consultation))
        .route("/api/v1/consultations/{id}/replies", post(reply))
        .route("/api/v1/consultations/{id}/outcomes", post(outcome))
        .route("/api/v1/public/claims", get(public_list))
        .route("/api/v1/public/claims/{id}", get(public_show))
}

fn created(view: &redline_node::attribution::ClaimView) -> Response {
    created_at(view, &format!("/api/v1/claims/{}", view.id))
}

async fn file(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    let view = state.node.file_claim(&caller, &body).await?;
    Ok(created(&view))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    incident: Option<String>,
    limit: Option<u32>,
}

async fn list(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let incident = query
        .incident
        .map(|text| {
            IncidentId::parse(&text)
                .map_err(|message| ApiError::bad_request("invalid", message).with_path("incident"))
        })
        .transpose()?;
    let claims = state
        .node
        .list_claims(
            &caller,
            incident,
            query.limit.unwrap_or(100).clamp(1, 1_000),
        )
        .await?;
    Ok(
        Json(serde_json::json!({ "claims": claims.iter().map(summary_json).collect::<Vec<_>>() }))
            .into_response(),
    )
}

/// A claim's summary as the API lists it.
fn summary_json(summary: &redline_node::attribution::ClaimSummaryView) -> serde_json::Value {
    serde_json::to_value(summary).unwrap_or(serde_json::Value::Null)
}

async fn show(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_record_id(&id, "claim")?;
    Ok(Json(state.node.get_claim(&caller, id).await?).into_response())
}

async fn show_stix(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_record_id(&id, "claim")?;
    Ok(Json(state.node.claim_stix_bundle(&caller, id).await?).into_response())
}

/// A signed record posted under a claim or a consultation in the path.
#[derive(Clone, Copy)]
enum PostedUnder {
    Cosignature,
    Decision,
    Reply,
    Outcome,
}

impl PostedUnder {
    /// What the path names, and the payload field that must name the same id.
    fn target(self) -> (&'static str, &'static str) {
        match self {
            PostedUnder::Cosignature | PostedUnder::Decision => ("claim", "claim"),
            PostedUnder::Reply | PostedUnder::Outcome => ("consultation", "consultation"),
        }
    }
}

/// Checks the path against the signed payload, then hands the envelope to the node.
async fn post_under(
    state: &AppState,
    caller: &redline_node::Caller,
    path_id: &str,
    body: &[u8],
    under: PostedUnder,
) -> Result<Response, ApiError> {
    let (what, field) = under.target();
    record_in_path(path_id, what, body, field, "")?;
    let node = &state.node;
    let view = match under {
        PostedUnder::Cosignature => node.cosign_claim(caller, body).await?,
        PostedUnder::Decision => node.decide_claim(caller, body).await?,
        PostedUnder::Reply => node.reply_to_consultation(caller, body).await?,
        PostedUnder::Outcome => node.record_consultation_outcome(caller, body).await?,
    };
    Ok(created(&view))
}

async fn cosign(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<String>,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    post_under(&state, &caller, &id, &body, PostedUnder::Cosignature).await
}

async fn decide(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<String>,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    post_under(&state, &caller, &id, &body, PostedUnder::Decision).await
}

async fn request_consultation(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    let view = state.node.request_consultation(&caller, &body).await?;
    Ok(created(&view))
}

async fn reply(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<String>,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    post_under(&state, &caller, &id, &body, PostedUnder::Reply).await
}

async fn outcome(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<String>,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    post_under(&state, &caller, &id, &body, PostedUnder::Outcome).await
}

async fn public_list(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<LimitQuery>,
) -> Result<Response, ApiError> {
    let claims = state.node.public_claims(query.limit()).await?;
    let counts = state.node.published_claim_counts().await?;
    Ok(Json(serde_json::json!({
        "claims": claims.iter().map(summary_json).collect::<Vec<_>>(),
        "named_states": counts,
    }))
    .into_response())
}

async fn public_show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_record_id(&id, "claim")?;
    Ok(Json(state.node.public_claim(id).await?).into_response())
}

// ------------------------------------------------------------------------------------------
// OpenAPI

const ATTRIBUTION_OPERATIONS: &[crate::openapi::TabledOperation] = {
    use crate::openapi::TabledOperation;
    use utoipa::openapi::HttpMethod::{Get, Post};
    const UNAUTHENTICATED: (&str, &str) = ("401", "no or wrong token");
    const NOT_FOUND: (&str, &str) = (
        "404",
        "no such claim or consultation, or one you may not read (TLP)",
    );
    const REFUSED: (&str, &str) = (
        "422",
        "the envelope or its payload breaks a rule: error.issues name each (a signature not by the author's current key is `envelope.signatures`; a failed code-of-conduct clause is `code_of_conduct.<clause>`)",
    );
    const SIGNED: (&str, &str) = ("403", "sent in another party's name");
    &[
        TabledOperation::new(Post, "/api/v1/claims", "fileClaim", "File an attribution claim version: a DSSE envelope (payloadType application/vnd.redline.attribution-claim+json) signed by the claimant's hotline key; version 1 creates the claim, version n+1 updates it", &[
                ("201", "the claim with its record"),
                ("400", "malformed JSON"),
                UNAUTHENTICATED,
                SIGNED,
                NOT_FOUND,
                ("409", "a replay, or the claim is withdrawn"),
                REFUSED,
            ]),
        TabledOperation::new(Get, "/api/v1/claims", "listClaims", "Claims you may read, newest first", &[("200", "{\"claims\": [...]}"), UNAUTHENTICATED]).query(&[
                ("incident", "only claims about this incident"),
                ("limit", "at most this many (1-1000, default 100)"),
            ]),
        TabledOperation::new(Get, "/api/v1/claims/{id}", "showClaim", "A claim with its versions and envelopes, co-signatures, decisions, consultations and what the code of conduct says of it now", &[("200", "the claim"), UNAUTHENTICATED, NOT_FOUND]),
        TabledOperation::new(Get, "/api/v1/claims/{id}/stix", "claimAsStix", "A claim as a STIX 2.1 bundle: a report by the claimant holding the intrusion set or campaign, the threat actor, the named state's identity and attributed-to relationships with their confidence; co-signatures and the named state's reply as opinions", &[("200", "the bundle"), UNAUTHENTICATED, NOT_FOUND]),
        TabledOperation::new(Post, "/api/v1/claims/{id}/cosignatures", "cosignClaim", "Join a claim: a DSSE envelope (application/vnd.redline.attribution-cosignature+json) over the current version's digest with your own likelihood", &[
                ("201", "the claim with its co-signatures"),
                ("400", "malformed JSON"),
                UNAUTHENTICATED,
                SIGNED,
                NOT_FOUND,
                (
                    "409",
                    "co-signed already, not the current version, or withdrawn",
                ),
                REFUSED,
            ]),
        TabledOperation::new(Post, "/api/v1/claims/{id}/decisions", "decideClaim", "Publish the current version (only when every clause of the code of conduct holds) or withdraw the claim: a DSSE envelope (application/vnd.redline.attribution-decision+json) by the claimant", &[
                ("201", "the claim, published or withdrawn"),
                ("400", "malformed JSON"),
                UNAUTHENTICATED,
                ("403", "not the claimant"),
                NOT_FOUND,
                ("409", "published or withdrawn already"),
                REFUSED,
            ]),
        TabledOperation::new(Post, "/api/v1/consultations", "requestConsultation", "Ask the named state's party for consultation on a claim: a DSSE envelope (application/vnd.redline.consultation-request+json) with facts, legal view, remedies sought and an optional mediator; the reply deadline follows the norms document's consultation-reply duty", &[
                ("201", "the claim with the consultation"),
                ("400", "malformed JSON"),
                UNAUTHENTICATED,
                ("403", "not the claimant"),
                NOT_FOUND,
                ("409", "the consultation exists"),
                REFUSED,
            ]),
        TabledOperation::new(Post, "/api/v1/consultations/{id}/replies", "replyToConsultation", "The named state's reply (deny, acknowledge, explain, offer-joint-investigation, cooperate): a DSSE envelope (application/vnd.redline.consultation-reply+json); shown beside the claim wherever it is shown", &[
                ("201", "the claim with the reply"),
                ("400", "malformed JSON"),
                UNAUTHENTICATED,
                SIGNED,
                NOT_FOUND,
                ("409", "replied already, or concluded"),
                REFUSED,
            ]),
        TabledOperation::new(Post, "/api/v1/consultations/{id}/outcomes", "recordConsultationOutcome", "The outcome (resolved, joint-investigation-agreed, referred-to-mediation with the mediator, failed) by the requester or the invited mediator: a DSSE envelope (application/vnd.redline.consultation-outcome+json)", &[
                ("201", "the claim with the outcome"),
                ("400", "malformed JSON"),
                UNAUTHENTICATED,
                (
                    "403",
                    "neither the requester nor the mediator, or concluded",
                ),
                NOT_FOUND,
                REFUSED,
            ]),
        TabledOperation::new(Get, "/api/v1/public/claims", "publicClaims", "Published TLP:CLEAR claims, newest first, and per named state the number of published and joint claims", &[("200", "{\"claims\": [...], \"named_states\": [...]}")]).public().query(&[("limit", "at most this many (1-1000, default 100)")]),
        TabledOperation::new(Get, "/api/v1/public/claims/{id}", "publicClaim", "A published TLP:CLEAR claim with its co-signers and the named state's reply (the consultation's positions stay with its participants)", &[
                ("200", "the claim"),
                ("404", "no published TLP:CLEAR claim has this id"),
            ]).public(),
    ]
};

/// The attribution paths of the OpenAPI document.
pub(crate) fn openapi_paths() -> Vec<(String, utoipa::openapi::PathItem)> {
    crate::openapi::tabled_paths("attribution", ATTRIBUTION_OPERATIONS)
}
