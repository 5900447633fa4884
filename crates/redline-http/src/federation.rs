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
