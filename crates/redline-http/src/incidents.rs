//! `/api/v1/incidents`: submit, update, read and list incident reports.

use axum::{
    Json,
    body::Bytes,
    extract::{FromRequest, Path, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use redline_model::{
    CountryCode, Incident, IncidentId, IncidentStatus, PartyId, Sector, Timestamp,
    incident_report_json_schema,
};
use redline_node::IncidentFilter;

use crate::{AppState, auth::SignedIn, error::ApiError, query::ApiQuery};

/// A request body that must be JSON; oversized bodies are answered with 413.
pub(crate) struct JsonBytes(pub(crate) Bytes);

impl<S: Send + Sync> FromRequest<S> for JsonBytes {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("");
        let essence = content_type.split(';').next().unwrap_or("").trim();
        if !essence.eq_ignore_ascii_case("application/json") {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                format!(
                    "send the report as `Content-Type: application/json`, not `{content_type}`"
                ),
            ));
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "payload_too_large",
                        "the request body is larger than this node accepts",
                    )
                } else {
                    ApiError::bad_request("unreadable_body", rejection.body_text())
                }
            })?;
        Ok(JsonBytes(bytes))
    }
}

fn incident_location(incident: &Incident) -> HeaderValue {
    HeaderValue::from_str(&format!("/api/v1/incidents/{}", incident.id))
        .unwrap_or_else(|_| HeaderValue::from_static("/api/v1/incidents"))
}

fn version_tag(incident: &Incident) -> HeaderValue {
    HeaderValue::from_str(&format!("\"v{}\"", incident.version))
        .unwrap_or_else(|_| HeaderValue::from_static("\"v0\""))
}

fn parse_incident_id(text: &str) -> Result<IncidentId, ApiError> {
    IncidentId::parse(text).map_err(|message| {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message).with_path("id")
    })
}

pub(crate) async fn submit(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    let incident = state.node.submit_incident_json(&caller, &body).await?;
    let mut response = (StatusCode::CREATED, Json(&incident)).into_response();
    response
        .headers_mut()
        .insert(header::LOCATION, incident_location(&incident));
    response
        .headers_mut()
        .insert(header::ETAG, version_tag(&incident));
    Ok(response)
}

fn expected_version(headers: &HeaderMap) -> Result<Option<u32>, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|text| {
            text.trim()
                .strip_prefix("\"v")?
                .strip_suffix('"')?
                .parse()
                .ok()
        })
        .map(Some)
        .ok_or_else(|| {
            ApiError::bad_request(
                "bad_if_match",
                "If-Match must be the ETag of a version, such as \"v2\"",
            )
            .with_path("If-Match")
        })
}

pub(crate) async fn update(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    let id = parse_incident_id(&id)?;
    let expected = expected_version(&headers)?;
    let incident = state
        .node
        .update_incident_json(&caller, &id, &body, expected)
        .await?;
    let mut response = Json(&incident).into_response();
    response
        .headers_mut()
        .insert(header::ETAG, version_tag(&incident));
    Ok(response)
}

pub(crate) async fn show(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_incident_id(&id)?;
    let incident = state.node.get_incident(&caller, &id).await?;
    let mut response = Json(&incident).into_response();
    response
        .headers_mut()
        .insert(header::ETAG, version_tag(&incident));
    Ok(response)
}

pub(crate) async fn versions(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = parse_incident_id(&id)?;
    let versions = state.node.list_incident_versions(&caller, &id).await?;
    Ok(Json(serde_json::json!({ "versions": versions })))
}

/// The query parameters of a listing, as text; each is checked and named when wrong.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListParameters {
    victim: Option<String>,
    reported_by: Option<String>,
    sector: Option<String>,
    status: Option<String>,
    since: Option<String>,
    until: Option<String>,
    cursor: Option<String>,
    limit: Option<String>,
}

fn parameter<T>(
    name: &str,
    value: Option<String>,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> Result<Option<T>, ApiError> {
    value
        .map(|text| {
            parse(&text).map_err(|message| {
                ApiError::bad_request("invalid", format!("{name}: {message}")).with_path(name)
            })
        })
        .transpose()
}

impl ListParameters {
    fn into_filter(self) -> Result<IncidentFilter, ApiError> {
        Ok(IncidentFilter {
            victim: parameter("victim", self.victim, CountryCode::parse)?,
            reported_by: parameter("reported_by", self.reported_by, PartyId::parse)?,
            sector: parameter("sector", self.sector, |text| {
                Sector::parse(text).ok_or_else(|| format!("`{text}` is not a sector"))
            })?,
            status: parameter("status", self.status, |text| {
                IncidentStatus::parse(text).ok_or_else(|| {
                    format!("`{text}` is not one of suspected, confirmed, contained, resolved")
                })
            })?,
            observed_since: parameter("since", self.since, Timestamp::parse)?,
            observed_until: parameter("until", self.until, Timestamp::parse)?,
            cursor: self.cursor,
            limit: parameter("limit", self.limit, |text| {
                text.parse::<u32>()
                    .map_err(|_| format!("`{text}` is not a whole number"))
            })?,
        })
    }
}

pub(crate) async fn list(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    ApiQuery(parameters): ApiQuery<ListParameters>,
) -> Result<Json<redline_node::incidents::IncidentListing>, ApiError> {
    let filter = parameters.into_filter()?;
    Ok(Json(state.node.list_incidents(&caller, &filter).await?))
}

/// The JSON Schema of the incident report; public, so that tools can validate before sending.
pub(crate) async fn incident_report_schema() -> Json<serde_json::Value> {
    Json(incident_report_json_schema())
}
