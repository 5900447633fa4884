//! `/api/v1/parties`: the participants of the node, for signed-in parties.

use axum::{
    Json,
    extract::{Path, State},
};
use redline_model::{Party, PartyId};

use crate::{AppState, auth::SignedIn, error::ApiError};

pub(crate) async fn list(
    State(state): State<AppState>,
    _signed_in: SignedIn,
) -> Result<Json<serde_json::Value>, ApiError> {
    let parties = state.node.list_parties().await?;
    Ok(Json(serde_json::json!({ "parties": parties })))
}

pub(crate) async fn show(
    State(state): State<AppState>,
    _signed_in: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<Party>, ApiError> {
    let id = PartyId::parse(&id).map_err(|message| {
        ApiError::new(axum::http::StatusCode::NOT_FOUND, "not_found", message).with_path("id")
    })?;
    Ok(Json(state.node.get_party(&id).await?))
}
