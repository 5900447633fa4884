//! Federation over HTTP. What peers ask of this node: `GET /federation/v1/parties` (the signed
//! statements vouching for the parties homed here), `POST /federation/v1/relay` (an item relayed
//! by a peer, checked under the peer's node key and its author's own key; `409` while an
//! earlier message of its thread has not arrived, which the peer retries), and
//! `GET /federation/v1/checkpoints` (the checkpoints this node has seen, for split-view
//! detection). For people: `GET /api/v1/federation`, the status per peer (relay delays, sync
//! lag, last errors, alarms about peers' logs), also shown at `/dashboard/federation`. No route
//! here reveals a record's content: statements carry only what a party's identity is, relays
//! only envelopes bound for this node, and the status counts and times.

use axum::{
    Json, Router,
    body::Bytes,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use redline_node::federation::{FederationStatus, PartyStatementsView, SeenCheckpointsView};
use utoipa::openapi::{
    HttpMethod, PathItem, path::OperationBuilder, request_body::RequestBodyBuilder,
    response::ResponseBuilder,
};

use crate::{AppState, error::ApiError};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/federation/v1/parties", get(party_statements))
        .route("/federation/v1/relay", post(relay))
        .route("/federation/v1/checkpoints", get(checkpoints))
        .route("/api/v1/federation", get(status))
}

async fn party_statements(
    State(state): State<AppState>,
) -> Result<Json<PartyStatementsView>, ApiError> {
    Ok(Json(state.node.party_statements().await?))
}

/// The largest relayed item: a hotline envelope (256 KiB at most) wrapped once more.
const MAXIMUM_RELAY_BYTES: usize = 400 * 1024;

async fn relay(State(state): State<AppState>, body: Bytes) -> Result<Response, ApiError> {
    if body.len() > MAXIMUM_RELAY_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("a relayed item is at most {MAXIMUM_RELAY_BYTES} bytes"),
        ));
    }
    let receipt = state.node.accept_relayed(&body).await?;
    let status = if receipt.outcome == "duplicate" {
        StatusCode::OK
    } else {
        StatusCode::ACCEPTED
    };
    Ok((status, Json(receipt)).into_response())
}

async fn checkpoints(State(state): State<AppState>) -> Result<Json<SeenCheckpointsView>, ApiError> {
    Ok(Json(state.node.seen_checkpoints().await?))
}

async fn status(State(state): State<AppState>) -> Result<Json<FederationStatus>, ApiError> {
    Ok(Json(state.node.federation_status().await?))
}

/// The OpenAPI paths of federation.
pub(crate) fn openapi_paths() -> Vec<(String, PathItem)> {
    let answer = |description: &str| ResponseBuilder::new().description(description).build();
    vec![
        (
            "/federation/v1/parties".into(),
            PathItem::new(
                HttpMethod::Get,
                OperationBuilder::new()
                    .operation_id(Some("federationPartyStatements"))
                    .summary(Some(
                        "The statements, signed with this node's key (its log key), vouching for the parties homed here and every key they have had; peers import them",
                    ))
                    .response("200", answer("{node, statements: [DSSE envelope of application/vnd.redline.party-statement+json]}")),
            ),
        ),
        (
            "/federation/v1/relay".into(),
            PathItem::new(
                HttpMethod::Post,
                OperationBuilder::new()
                    .operation_id(Some("federationRelay"))
                    .summary(Some(
                        "An item a peer relays: a DSSE envelope of application/vnd.redline.relay+json signed by the peer's node key, carrying a hotline message signed by its author (or a delivery); checked under both keys",
                    ))
                    .request_body(Some(
                        RequestBodyBuilder::new()
                            .description(Some("the relay envelope (JSON)"))
                            .required(Some(utoipa::openapi::Required::True))
                            .build(),
                    ))
                    .response("202", answer("accepted: {subject, outcome: accepted}"))
                    .response("200", answer("accepted before: {subject, outcome: duplicate}"))
                    .response("403", answer("not a peer, or a party the peer does not home"))
                    .response("409", answer("an earlier message of the thread has not arrived: the peer retries"))
                    .response("422", answer("not signed by the peer's node key, altered, meant for another node, or the message refused")),
            ),
        ),
        (
            "/federation/v1/checkpoints".into(),
            PathItem::new(
                HttpMethod::Get,
                OperationBuilder::new()
                    .operation_id(Some("federationCheckpointsSeen"))
                    .summary(Some(
                        "The checkpoints this node has seen (its own log's latest and each peer's latest checked), verbatim: for split-view detection by peers and redline log verify --peer",
                    ))
                    .response("200", answer("{node, checkpoints: [signed checkpoint note]}")),
            ),
        ),
        (
            "/api/v1/federation".into(),
            PathItem::new(
                HttpMethod::Get,
                OperationBuilder::new()
                    .operation_id(Some("federationStatus"))
                    .summary(Some(
                        "Per peer: the relay (waiting, delivered, delay percentiles, last error), each sync (last success, lag, resume point, last error), the peer log's checkpoint; alarms about peers' logs with both signed notes; public incidents synced from peers with their origin node",
                    ))
                    .response("200", answer("the federation status")),
            ),
        ),
    ]
}
