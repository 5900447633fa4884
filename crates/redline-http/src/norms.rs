//! `/api/v1/norms` and `/api/v1/assess`: the norms documents the node holds (public), and
//! assessing a report against them.

use axum::{
    Json,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use redline_model::IncidentId;

use crate::{AppState, auth::SignedIn, error::ApiError, incidents::JsonBytes, query::ApiQuery};

/// Every norms document the node holds, with the parties that apply it. Public.
pub(crate) async fn list(
    State(state): State<AppState>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let documents = state.node.list_norms_documents().await?;
    Ok(Json(serde_json::json!({ "documents": documents })))
}

/// The exact text of a stored document, by its SHA-256. Public: anyone can check the hash.
pub(crate) async fn show(
    State(state): State<AppState>,
    Path(sha256): Path<String>,
) -> Result<Response, ApiError> {
    let document = state
        .node
        .store()
        .get_norms_document(&sha256)
        .await
        .map_err(redline_node::NodeError::from)?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("no norms document {sha256}"),
            )
        })?;
    Ok((
        [(header::CONTENT_TYPE, "application/toml; charset=utf-8")],
        document.text,
    )
        .into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AssessParameters {
    /// A shipped document name (`baseline`) or a stored document's SHA-256; default: the one
    /// that applies to the report.
    norms: Option<String>,
}

/// Assesses a report without storing it.
pub(crate) async fn assess(
    State(state): State<AppState>,
    _signed_in: SignedIn,
    ApiQuery(parameters): ApiQuery<AssessParameters>,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    let assessment = state
        .node
        .assess_report_json(&body, parameters.norms.as_deref())
        .await?;
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        assessment.to_json_bytes(),
    )
        .into_response())
}

/// The stored assessment of an incident's current version.
pub(crate) async fn incident_assessment(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = IncidentId::parse(&id).map_err(|message| {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message).with_path("id")
    })?;
    let json = state.node.get_assessment_json(&caller, &id).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], json).into_response())
}
