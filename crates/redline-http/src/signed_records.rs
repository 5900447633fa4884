//! What every signed-record area of the API does the same way: a record's id in the path (not a
//! UUID is 404 `not_found`, like a record the caller may not read), a posted DSSE envelope's
//! payload naming the same record as the path, a `?limit=` on a list, and a JSON answer with a
//! `Location` header; and the four reads of an area whose records are read under one rule
//! (`RecordReads`: disclosure cases, supply-chain notices). The areas (hotline, disclosure,
//! supply chain, attribution, commitments, exercises, notifications) keep their routes and their
//! node calls; the node decides the rest.

use std::{collections::BTreeMap, future::Future};

use axum::{
    Json,
    extract::{Path, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use redline_node::{Caller, Node, NodeError};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{AppState, auth::SignedIn, error::ApiError, query::ApiQuery};

/// The record id in the path: not a UUID is "not found", named `what` (`disclosure case`,
/// `claim`, …), with the error path `id`.
pub(crate) fn parse_record_id(text: &str, what: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(text).map_err(|_| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("`{text}` is not a {what} id (a UUID)"),
        )
        .with_path("id")
    })
}

/// `body` as JSON with `status` and a `Location` header (left out should `location` not be a
/// valid header value).
pub(crate) fn json_at(status: StatusCode, body: impl Serialize, location: &str) -> Response {
    let mut response = (status, Json(body)).into_response();
    if let Ok(location) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// `body` as JSON, 201 Created, at `location`.
pub(crate) fn created_at(body: impl Serialize, location: &str) -> Response {
    json_at(StatusCode::CREATED, body, location)
}

/// The id the payload of a posted envelope names in `field` (`claim`, `round`, …), without
/// trusting it further: the node checks the envelope and everything in it. `None` when the body
/// is not an envelope or the field is not a UUID (the node then says what is wrong).
pub(crate) fn signed_payload_id(body: &[u8], field: &str) -> Option<Uuid> {
    let envelope = redline_hotline::Envelope::parse(body).ok()?;
    let payload: serde_json::Value = serde_json::from_slice(&envelope.payload).ok()?;
    payload
        .get(field)?
        .as_str()
        .and_then(|text| Uuid::parse_str(text).ok())
}

/// The record a posted envelope is filed under: the id in the path (named `what` when it is not
/// a UUID), which the signed payload's `field` must name too — a record is never filed under
/// another record than the one it was signed for. The refusal is 422 `invalid` at `field`,
/// saying "the signed payload names {named}{signed id}, the path {path id}".
pub(crate) fn record_in_path(
    path_id: &str,
    what: &str,
    body: &[u8],
    field: &str,
    named: &str,
) -> Result<Uuid, ApiError> {
    let id = parse_record_id(path_id, what)?;
    if let Some(signed) = signed_payload_id(body, field)
        && signed != id
    {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("the signed payload names {named}{signed}, the path {id}"),
        )
        .with_path(field));
    }
    Ok(id)
}

/// `?limit=` of a list: at most this many, 100 when left out, kept within 1 to 1,000.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LimitQuery {
    limit: Option<u32>,
}

impl LimitQuery {
    pub(crate) fn limit(&self) -> u32 {
        self.limit.unwrap_or(100).clamp(1, 1_000)
    }
}

/// A kind of record the API lists and shows to a signed-in reader and to the public, each under
/// the record's reading rule (the node's): `reader` is `None` for the public.
pub(crate) trait RecordReads {
    /// What an id in the path names, for the "not found" of an id that is not a UUID.
    const WHAT: &'static str;
    /// The key of the list in the answer to a signed-in reader.
    const LIST_KEY: &'static str;
    /// The key of the list in the public answer.
    const PUBLIC_LIST_KEY: &'static str;
    /// One record as a list reads it.
    type Item: Serialize;
    /// One record as its own route reads it.
    type View: Serialize;

    /// At most `limit` records `reader` may read.
    fn list(
        node: &Node,
        reader: Option<&Caller>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Self::Item>, NodeError>> + Send;

    /// The record `id` if `reader` may read it.
    fn read(
        node: &Node,
        reader: Option<&Caller>,
        id: Uuid,
    ) -> impl Future<Output = Result<Self::View, NodeError>> + Send;
}

async fn list_for<Records: RecordReads>(
    state: &AppState,
    reader: Option<&Caller>,
    limit: u32,
    key: &str,
) -> Result<Response, ApiError> {
    let items = Records::list(&state.node, reader, limit).await?;
    Ok(Json(BTreeMap::from([(key, items)])).into_response())
}

async fn show_for<Records: RecordReads>(
    state: &AppState,
    reader: Option<&Caller>,
    id: &str,
) -> Result<Response, ApiError> {
    let id = parse_record_id(id, Records::WHAT)?;
    let view = Records::read(&state.node, reader, id).await?;
    Ok(Json(view).into_response())
}

/// `GET …`: the records the signed-in caller may read, `{LIST_KEY: [...]}`.
pub(crate) async fn list_records<Records: RecordReads>(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    ApiQuery(query): ApiQuery<LimitQuery>,
) -> Result<Response, ApiError> {
    list_for::<Records>(&state, Some(&caller), query.limit(), Records::LIST_KEY).await
}

/// `GET …/{id}`: one record, if the signed-in caller may read it (else 404).
pub(crate) async fn show_record<Records: RecordReads>(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    show_for::<Records>(&state, Some(&caller), &id).await
}

/// `GET /api/v1/public/…`: the public records, `{PUBLIC_LIST_KEY: [...]}`, without a token.
pub(crate) async fn public_list_records<Records: RecordReads>(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<LimitQuery>,
) -> Result<Response, ApiError> {
    list_for::<Records>(&state, None, query.limit(), Records::PUBLIC_LIST_KEY).await
}

/// `GET /api/v1/public/…/{id}`: one public record (else 404), without a token.
pub(crate) async fn public_show_record<Records: RecordReads>(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    show_for::<Records>(&state, None, &id).await
}
