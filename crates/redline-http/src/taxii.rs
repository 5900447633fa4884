//! The TAXII 2.1 server at `/taxii2/`: discovery, the API root `/taxii2/api/`,
//! collections, objects (GET and POST), one object, its versions, the manifest and status
//! records, with the TAXII filters and `limit`/`next` paging.
//!
//! Protocol only: who may read or write what, TLP per object, versions and statuses are the
//! node's (`redline_node::sharing`). Every answer, errors included, has the exact media type
//! `application/taxii+json;version=2.1`; a request that does not accept it gets 406, a POST of
//! anything else 415. Sign in with HTTP Basic (party id as user name, API token as password) or
//! with `Authorization: Bearer <token>`; a failure is 401 with a TAXII error body.
//!
//! One collection needs no sign-in: the public collection (`PUBLIC_COLLECTION_ID`), the public
//! record as STIX, built by the node on each read (`Node::public_record_objects`). Anyone may
//! read it (its description, objects, one object, versions, manifest) without credentials; a
//! write to it is refused (401 without credentials, 403 with them). Every other route still
//! needs a party's credentials, and the collections listing does not change. Its objects are in
//! one version each, dated (`date_added`) by that version; `next` is an offset.

use axum::{
    Router,
    body::Body,
    extract::{FromRequestParts, Path, Query, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};
use base64::Engine;
use serde_json::{Value, json};

use redline_model::{PartyId, Timestamp};
use redline_node::sharing::VersionSelection;
use redline_node::{
    Caller, NodeError,
    sharing::{
        ObjectFilter, ObjectPage, PUBLIC_COLLECTION_ID, PublicStixObject, STIX_MEDIA_TYPE,
        stix_version_text, taxii_timestamp,
    },
};

use crate::{AppState, HttpConfig};

/// The one media type of TAXII 2.1 bodies.
pub const TAXII_MEDIA_TYPE: &str = "application/taxii+json;version=2.1";
const API_ROOT_PATH: &str = "/taxii2/api/";

/// The TAXII routes, to be merged into the application router.
pub(crate) fn router(config: &HttpConfig) -> Router<AppState> {
    let maximum = config.maximum_body_bytes;
    Router::new()
        .route("/taxii2/", get(discovery))
        .route("/taxii2/api/", get(api_root))
        .route("/taxii2/api/status/{status_id}/", get(status))
        .route("/taxii2/api/collections/", get(collections))
        .route("/taxii2/api/collections/{collection_id}/", get(collection))
        .route(
            "/taxii2/api/collections/{collection_id}/objects/",
            get(get_objects).post(
                move |state: State<AppState>,
                      caller: TaxiiCaller,
                      path: Path<String>,
                      request: Request| {
                    add_objects(state, caller, path, request, maximum)
                },
            ),
        )
        .route(
            "/taxii2/api/collections/{collection_id}/objects/{object_id}/",
            get(get_object),
        )
        .route(
            "/taxii2/api/collections/{collection_id}/objects/{object_id}/versions/",
            get(get_versions),
        )
        .route(
            "/taxii2/api/collections/{collection_id}/manifest/",
            get(get_manifest),
        )
        .layer(middleware::from_fn(check_media_types))
        .layer(axum::Extension(MaximumContentLength(maximum)))
}

#[derive(Clone, Copy)]
struct MaximumContentLength(usize);

/// A TAXII error message with its HTTP status.
#[derive(Debug)]
pub(crate) struct TaxiiError {
    status: StatusCode,
    title: &'static str,
    description: String,
}

impl TaxiiError {
    fn new(status: StatusCode, title: &'static str, description: impl Into<String>) -> Self {
        Self {
            status,
            title,
            description: description.into(),
        }
    }

    fn bad_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Bad request", description)
    }
}

impl From<NodeError> for TaxiiError {
    fn from(error: NodeError) -> Self {
        match error {
            NodeError::Invalid(issues) => Self::bad_request(
                issues
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            NodeError::Malformed(error) => Self::bad_request(error.to_string()),
            NodeError::Rejected(rejection) => Self::bad_request(rejection.to_string()),
            NodeError::NotFound(message) => Self::new(
                StatusCode::NOT_FOUND,
                "Not found",
                format!("{message} not found"),
            ),
            NodeError::Conflict(message) => Self::new(StatusCode::CONFLICT, "Conflict", message),
            NodeError::Forbidden(message) => Self::new(StatusCode::FORBIDDEN, "Forbidden", message),
            NodeError::Unauthenticated(message) => {
                Self::new(StatusCode::UNAUTHORIZED, "Unauthorized", message)
            }
            NodeError::Internal(message) => {
                tracing::error!(%message, "internal error in TAXII");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Internal error",
                    "the node failed to handle the request; the operator's log has the details",
                )
            }
        }
    }
}

impl IntoResponse for TaxiiError {
    fn into_response(self) -> Response {
        let body = json!({
            "title": self.title,
            "description": self.description,
            "http_status": self.status.as_u16().to_string(),
        });
        let mut response = taxii_json(self.status, body.to_string(), HeaderMap::new());
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"redline TAXII\", Bearer realm=\"redline\""),
            );
        }
        response
    }
}

fn taxii_json(status: StatusCode, body: String, mut headers: HeaderMap) -> Response {
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(TAXII_MEDIA_TYPE),
    );
    (status, headers, body).into_response()
}

/// Whether a media type (with parameters) is TAXII 2.1: `application/taxii+json` with
/// `version=2.1` or no version. Spaces and case of the type are ignored.
fn is_taxii_media_type(text: &str) -> bool {
    let mut parts = text.split(';').map(str::trim);
    let essence = parts.next().unwrap_or_default();
    if !essence.eq_ignore_ascii_case("application/taxii+json") {
        return false;
    }
    parts.all(|parameter| {
        match parameter
            .split_once('=')
            .map(|(name, value)| (name.trim(), value.trim().trim_matches('"')))
        {
            Some((name, value)) if name.eq_ignore_ascii_case("version") => value == "2.1",
            Some((name, _)) if name.eq_ignore_ascii_case("q") => true,
            Some((name, _)) if name.eq_ignore_ascii_case("charset") => true,
            _ => parameter.is_empty(),
        }
    })
}

fn accepts_taxii(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(is_taxii_media_type)
}

/// 406 unless the client accepts TAXII 2.1; 415 for a POST body of another type.
async fn check_media_types(request: Request, next: Next) -> Response {
    if !accepts_taxii(request.headers()) {
        return TaxiiError::new(
            StatusCode::NOT_ACCEPTABLE,
            "Not acceptable",
            format!("this server answers only `{TAXII_MEDIA_TYPE}`; send it in `Accept`"),
        )
        .into_response();
    }
    if request.method() == axum::http::Method::POST {
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        if !is_taxii_media_type(content_type) {
            return TaxiiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported media type",
                format!("`Content-Type: {content_type}`: send the objects as `{TAXII_MEDIA_TYPE}`"),
            )
            .into_response();
        }
    }
    next.run(request).await
}

/// A request signed in with HTTP Basic (party id and API token) or a bearer token.
pub(crate) struct TaxiiCaller(Caller);

impl FromRequestParts<AppState> for TaxiiCaller {
    type Rejection = TaxiiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, TaxiiError> {
        let unauthorized = |message: &str| {
            TaxiiError::new(
                StatusCode::UNAUTHORIZED,
                "Unauthorized",
                message.to_string(),
            )
        };
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Err(missing_credentials());
        };
        let text = value
            .to_str()
            .map_err(|_| unauthorized("the Authorization header is not text"))?;
        let (scheme, credentials) = text.split_once(' ').unwrap_or((text, ""));
        let credentials = credentials.trim();
        if scheme.eq_ignore_ascii_case("bearer") {
            let party = state
                .node
                .authenticate(credentials)
                .await
                .map_err(|_| unauthorized("the bearer token is not valid"))?;
            return Ok(TaxiiCaller(Caller::Party(party)));
        }
        if !scheme.eq_ignore_ascii_case("basic") {
            return Err(unauthorized(
                "use HTTP Basic or a bearer token in the Authorization header",
            ));
        }
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(credentials)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .ok_or_else(|| {
                unauthorized("the Basic credentials are not base64 of `user:password`")
            })?;
        let (user, password) = decoded
            .split_once(':')
            .ok_or_else(|| unauthorized("the Basic credentials have no `:`"))?;
        let wrong = || unauthorized("wrong party id or API token");
        let claimed = PartyId::parse(user).map_err(|_| wrong())?;
        let party = state
            .node
            .authenticate(password)
            .await
            .map_err(|_| wrong())?;
        if party != claimed {
            return Err(wrong());
        }
        Ok(TaxiiCaller(Caller::Party(party)))
    }
}

/// The 401 of a request without credentials.
fn missing_credentials() -> TaxiiError {
    TaxiiError::new(
        StatusCode::UNAUTHORIZED,
        "Unauthorized",
        "sign in with HTTP Basic (user name: your party id, password: your API token) or `Authorization: Bearer <token>`",
    )
}

/// A request that may come without credentials (for the public collection): `None` then.
/// Credentials that are sent must be right, as for [`TaxiiCaller`].
pub(crate) struct TaxiiReader(Option<Caller>);

impl TaxiiReader {
    /// The party signed in, or 401.
    fn signed_in(self) -> Result<Caller, TaxiiError> {
        self.0.ok_or_else(missing_credentials)
    }
}

impl FromRequestParts<AppState> for TaxiiReader {
    type Rejection = TaxiiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, TaxiiError> {
        if !parts.headers.contains_key(header::AUTHORIZATION) {
            return Ok(TaxiiReader(None));
        }
        let TaxiiCaller(caller) = TaxiiCaller::from_request_parts(parts, state).await?;
        Ok(TaxiiReader(Some(caller)))
    }
}

// --- handlers ------------------------------------------------------------------------------------

async fn discovery(_caller: TaxiiCaller) -> Response {
    let body = json!({
        "title": "redline TAXII 2.1 server",
        "description": "Incidents, indicators and attribution shared between the parties of this redline node",
        "default": API_ROOT_PATH,
        "api_roots": [API_ROOT_PATH],
    });
    taxii_json(StatusCode::OK, body.to_string(), HeaderMap::new())
}

async fn api_root(
    _caller: TaxiiCaller,
    axum::Extension(MaximumContentLength(maximum)): axum::Extension<MaximumContentLength>,
) -> Response {
    let body = json!({
        "title": "redline",
        "description": "The collections of this redline node",
        "versions": [TAXII_MEDIA_TYPE],
        "max_content_length": maximum,
    });
    taxii_json(StatusCode::OK, body.to_string(), HeaderMap::new())
}

async fn status(
    State(state): State<AppState>,
    TaxiiCaller(caller): TaxiiCaller,
    Path(status_id): Path<String>,
) -> Result<Response, TaxiiError> {
    let status = state.node.get_import_status(&caller, &status_id).await?;
    let body =
        serde_json::to_string(&status).map_err(|error| NodeError::Internal(error.to_string()))?;
    Ok(taxii_json(StatusCode::OK, body, HeaderMap::new()))
}

async fn collections(
    State(state): State<AppState>,
    TaxiiCaller(caller): TaxiiCaller,
) -> Result<Response, TaxiiError> {
    let collections = state.node.list_collections(&caller).await?;
    let body = if collections.is_empty() {
        json!({})
    } else {
        json!({ "collections": collections })
    };
    Ok(taxii_json(
        StatusCode::OK,
        body.to_string(),
        HeaderMap::new(),
    ))
}

async fn collection(
    State(state): State<AppState>,
    reader: TaxiiReader,
    Path(collection_id): Path<String>,
) -> Result<Response, TaxiiError> {
    let collection = if collection_id == PUBLIC_COLLECTION_ID {
        state.node.public_collection()
    } else {
        let caller = reader.signed_in()?;
        state.node.get_collection(&caller, &collection_id).await?
    };
    let body = serde_json::to_string(&collection)
        .map_err(|error| NodeError::Internal(error.to_string()))?;
    Ok(taxii_json(StatusCode::OK, body, HeaderMap::new()))
}

/// Which filters an endpoint takes (TAXII §5: one object takes no `match[id]`/`match[type]`;
/// versions no `match[version]` either).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    Objects,
    Object,
    Versions,
}

fn parse_filter(
    parameters: &[(String, String)],
    endpoint: Endpoint,
) -> Result<ObjectFilter, TaxiiError> {
    let mut filter = ObjectFilter::default();
    let split = |value: &str| -> Vec<String> {
        value
            .split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(str::to_string)
            .collect()
    };
    for (name, value) in parameters {
        match name.as_str() {
            "added_after" => {
                filter.added_after =
                    Some(Timestamp::parse(value).map_err(|reason| {
                        TaxiiError::bad_request(format!("added_after: {reason}"))
                    })?);
            }
            "limit" => {
                let limit: i64 = value.parse().map_err(|_| {
                    TaxiiError::bad_request(format!("limit: `{value}` is not an integer"))
                })?;
                if limit < 1 {
                    return Err(TaxiiError::bad_request("limit: must be a positive integer"));
                }
                filter.limit = Some(u32::try_from(limit).unwrap_or(u32::MAX));
            }
            "next" => filter.next = Some(value.clone()),
            "match[id]" if endpoint == Endpoint::Objects => filter.ids.extend(split(value)),
            "match[type]" if endpoint == Endpoint::Objects => filter.types.extend(split(value)),
            "match[spec_version]" => filter.spec_versions.extend(split(value)),
            "match[version]" if endpoint != Endpoint::Versions => {
                let selection = filter.versions.get_or_insert(VersionSelection {
                    last: false,
                    ..Default::default()
                });
                for part in split(value) {
                    match part.as_str() {
                        "all" => selection.all = true,
                        "first" => selection.first = true,
                        "last" => selection.last = true,
                        other => {
                            selection
                                .exact
                                .push(Timestamp::parse(other).map_err(|reason| {
                                    TaxiiError::bad_request(format!("match[version]: {reason}"))
                                })?)
                        }
                    }
                }
            }
            other => {
                return Err(TaxiiError::bad_request(format!(
                    "`{other}` is not a filter of this endpoint"
                )));
            }
        }
    }
    Ok(filter)
}

fn page_headers(page: &ObjectPage) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let (Some(first), Some(last)) = (page.objects.first(), page.objects.last()) {
        if let Ok(value) = HeaderValue::from_str(&taxii_timestamp(first.added_at)) {
            headers.insert("X-TAXII-Date-Added-First", value);
        }
        if let Ok(value) = HeaderValue::from_str(&taxii_timestamp(last.added_at)) {
            headers.insert("X-TAXII-Date-Added-Last", value);
        }
    }
    headers
}

/// `{"more": …, "next": …, "<key>": [items]}` with the items already JSON text.
fn envelope(page: &ObjectPage, key: &str, items: impl Iterator<Item = String>) -> String {
    let mut body = String::with_capacity(64 + page.objects.len() * 512);
    body.push_str(&format!("{{\"more\":{}", page.more));
    if let Some(next) = &page.next {
        body.push_str(",\"next\":");
        body.push_str(&Value::String(next.clone()).to_string());
    }
    if !page.objects.is_empty() {
        body.push_str(",\"");
        body.push_str(key);
        body.push_str("\":[");
        for (index, item) in items.enumerate() {
            if index > 0 {
                body.push(',');
            }
            body.push_str(&item);
        }
        body.push(']');
    }
    body.push('}');
    body
}

async fn get_objects(
    State(state): State<AppState>,
    reader: TaxiiReader,
    Path(collection_id): Path<String>,
    Query(parameters): Query<Vec<(String, String)>>,
) -> Result<Response, TaxiiError> {
    let filter = parse_filter(&parameters, Endpoint::Objects)?;
    if collection_id == PUBLIC_COLLECTION_ID {
        let page = public_page(&state, &filter).await?;
        return Ok(public_response(&page, PublicListing::Objects));
    }
    let caller = reader.signed_in()?;
    let page = state
        .node
        .query_objects(&caller, &collection_id, &filter, false)
        .await?;
    let body = envelope(
        &page,
        "objects",
        page.objects.iter().map(|object| object.record.clone()),
    );
    Ok(taxii_json(StatusCode::OK, body, page_headers(&page)))
}

async fn get_object(
    State(state): State<AppState>,
    reader: TaxiiReader,
    Path((collection_id, object_id)): Path<(String, String)>,
    Query(parameters): Query<Vec<(String, String)>>,
) -> Result<Response, TaxiiError> {
    one_object(
        &state,
        reader,
        &collection_id,
        &object_id,
        &parameters,
        false,
    )
    .await
}

async fn get_versions(
    State(state): State<AppState>,
    reader: TaxiiReader,
    Path((collection_id, object_id)): Path<(String, String)>,
    Query(parameters): Query<Vec<(String, String)>>,
) -> Result<Response, TaxiiError> {
    one_object(
        &state,
        reader,
        &collection_id,
        &object_id,
        &parameters,
        true,
    )
    .await
}

/// One object of a collection: the object in the versions `parameters` select
/// (`…/objects/{object_id}/`), or with `all_versions` the list of its versions
/// (`…/objects/{object_id}/versions/`). 404 when the reader finds no version of it.
async fn one_object(
    state: &AppState,
    reader: TaxiiReader,
    collection_id: &str,
    object_id: &str,
    parameters: &[(String, String)],
    all_versions: bool,
) -> Result<Response, TaxiiError> {
    let endpoint = if all_versions {
        Endpoint::Versions
    } else {
        Endpoint::Object
    };
    let mut filter = parse_filter(parameters, endpoint)?;
    filter.ids = vec![object_id.to_string()];
    if all_versions {
        filter.versions = Some(VersionSelection {
            all: true,
            ..Default::default()
        });
    }
    if collection_id == PUBLIC_COLLECTION_ID {
        let page = public_page(state, &filter).await?;
        if page.objects.is_empty() && filter.next.is_none() {
            return Err(object_not_found(object_id, collection_id));
        }
        let listing = if all_versions {
            PublicListing::Versions
        } else {
            PublicListing::Objects
        };
        return Ok(public_response(&page, listing));
    }
    let caller = reader.signed_in()?;
    let page = state
        .node
        .query_objects(&caller, collection_id, &filter, all_versions)
        .await?;
    if page.objects.is_empty() && filter.next.is_none() {
        return Err(object_not_found(object_id, collection_id));
    }
    let body = if all_versions {
        envelope(
            &page,
            "versions",
            page.objects
                .iter()
                .map(|object| Value::String(stix_version_text(object.version)).to_string()),
        )
    } else {
        envelope(
            &page,
            "objects",
            page.objects.iter().map(|object| object.record.clone()),
        )
    };
    Ok(taxii_json(StatusCode::OK, body, page_headers(&page)))
}

async fn get_manifest(
    State(state): State<AppState>,
    reader: TaxiiReader,
    Path(collection_id): Path<String>,
    Query(parameters): Query<Vec<(String, String)>>,
) -> Result<Response, TaxiiError> {
    let filter = parse_filter(&parameters, Endpoint::Objects)?;
    if collection_id == PUBLIC_COLLECTION_ID {
        let page = public_page(&state, &filter).await?;
        return Ok(public_response(&page, PublicListing::Manifest));
    }
    let caller = reader.signed_in()?;
    let page = state
        .node
        .query_objects(&caller, &collection_id, &filter, true)
        .await?;
    let body = envelope(
        &page,
        "objects",
        page.objects.iter().map(|object| {
            json!({
                "id": object.object_id,
                "date_added": taxii_timestamp(object.added_at),
                "version": stix_version_text(object.version),
                "media_type": STIX_MEDIA_TYPE,
            })
            .to_string()
        }),
    );
    Ok(taxii_json(StatusCode::OK, body, page_headers(&page)))
}

async fn add_objects(
    State(state): State<AppState>,
    TaxiiCaller(caller): TaxiiCaller,
    Path(collection_id): Path<String>,
    request: Request,
    maximum: usize,
) -> Result<Response, TaxiiError> {
    if collection_id == PUBLIC_COLLECTION_ID {
        return Err(TaxiiError::new(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "the public collection is read-only: it is built from the public record",
        ));
    }
    let too_large = || {
        TaxiiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Request too large",
            format!("the body is larger than this API root's max_content_length ({maximum} bytes)"),
        )
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > maximum as u64) {
        return Err(too_large());
    }
    let body: Body = request.into_body();
    let bytes = axum::body::to_bytes(body, maximum)
        .await
        .map_err(|_| too_large())?;
    let status = state
        .node
        .add_objects(&caller, &collection_id, &bytes)
        .await?;
    let body =
        serde_json::to_string(&status).map_err(|error| NodeError::Internal(error.to_string()))?;
    Ok(taxii_json(StatusCode::ACCEPTED, body, HeaderMap::new()))
}

// --- the public collection ---------------------------------------------------------------------

fn object_not_found(object_id: &str, collection_id: &str) -> TaxiiError {
    TaxiiError::new(
        StatusCode::NOT_FOUND,
        "Not found",
        format!("object {object_id} not found in collection {collection_id}"),
    )
}

/// One object of the public collection with the time its version stands for.
struct PublicEntry {
    object: PublicStixObject,
    date_added: Timestamp,
}

/// One page of the public collection.
struct PublicPage {
    objects: Vec<PublicEntry>,
    more: bool,
    next: Option<String>,
}

/// What a public listing answers with.
#[derive(Clone, Copy)]
enum PublicListing {
    Objects,
    Versions,
    Manifest,
}

/// Whether one public object (in its one version) passes `filter`'s matches.
fn public_object_matches(entry: &PublicEntry, filter: &ObjectFilter) -> bool {
    let object = &entry.object;
    let id_matches = filter.ids.is_empty() || filter.ids.contains(&object.id);
    let type_matches = filter.types.is_empty() || filter.types.contains(&object.object_type);
    let spec_matches =
        filter.spec_versions.is_empty() || filter.spec_versions.iter().any(|v| v == "2.1");
    let added_after_matches = filter
        .added_after
        .is_none_or(|after| entry.date_added > after);
    // Each object has one version, so `first`, `last` and `all` all select it.
    let version_matches = filter.versions.as_ref().is_none_or(|selection| {
        selection.all
            || selection.first
            || selection.last
            || selection.exact.contains(&entry.date_added)
    });
    id_matches && type_matches && spec_matches && added_after_matches && version_matches
}

/// The page of the public collection `filter` asks for, ordered by `date_added` then id.
async fn public_page(state: &AppState, filter: &ObjectFilter) -> Result<PublicPage, TaxiiError> {
    let offset = match &filter.next {
        Some(next) => next
            .parse::<usize>()
            .map_err(|_| TaxiiError::bad_request("next: not a page of this collection"))?,
        None => 0,
    };
    let limit = filter
        .limit
        .unwrap_or(redline_node::sharing::MAXIMUM_TAXII_PAGE)
        .min(redline_node::sharing::MAXIMUM_TAXII_PAGE) as usize;
    let epoch = Timestamp::from_jiff(jiff::Timestamp::UNIX_EPOCH);
    let mut entries: Vec<PublicEntry> = state
        .node
        .public_record_objects()
        .await?
        .into_iter()
        .map(|object| PublicEntry {
            date_added: Timestamp::parse(&object.version).unwrap_or(epoch),
            object,
        })
        .filter(|entry| public_object_matches(entry, filter))
        .collect();
    entries.sort_by(|left, right| {
        (left.date_added, &left.object.id).cmp(&(right.date_added, &right.object.id))
    });
    let total = entries.len();
    let objects: Vec<PublicEntry> = entries.into_iter().skip(offset).take(limit).collect();
    let end = offset.saturating_add(objects.len());
    let more = end < total;
    Ok(PublicPage {
        objects,
        more,
        next: more.then(|| end.to_string()),
    })
}

/// A public page as a TAXII envelope (objects or versions) or manifest.
fn public_response(page: &PublicPage, listing: PublicListing) -> Response {
    let items: Vec<Value> = page
        .objects
        .iter()
        .map(|entry| match listing {
            PublicListing::Objects => serde_json::from_str(&entry.object.record)
                .unwrap_or_else(|_| Value::String(entry.object.record.clone())),
            PublicListing::Versions => Value::String(entry.object.version.clone()),
            PublicListing::Manifest => json!({
                "id": entry.object.id,
                "date_added": taxii_timestamp(entry.date_added),
                "version": entry.object.version,
                "media_type": STIX_MEDIA_TYPE,
            }),
        })
        .collect();
    let key = match listing {
        PublicListing::Versions => "versions",
        PublicListing::Objects | PublicListing::Manifest => "objects",
    };
    let mut body = serde_json::Map::new();
    body.insert("more".to_string(), Value::Bool(page.more));
    if let Some(next) = &page.next {
        body.insert("next".to_string(), Value::String(next.clone()));
    }
    if !items.is_empty() {
        body.insert(key.to_string(), Value::Array(items));
    }
    let mut headers = HeaderMap::new();
    if let (Some(first), Some(last)) = (page.objects.first(), page.objects.last()) {
        if let Ok(value) = HeaderValue::from_str(&taxii_timestamp(first.date_added)) {
            headers.insert("X-TAXII-Date-Added-First", value);
        }
        if let Ok(value) = HeaderValue::from_str(&taxii_timestamp(last.date_added)) {
            headers.insert("X-TAXII-Date-Added-Last", value);
        }
    }
    taxii_json(StatusCode::OK, Value::Object(body).to_string(), headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types() {
        assert!(is_taxii_media_type("application/taxii+json;version=2.1"));
        assert!(is_taxii_media_type("application/taxii+json; version=2.1"));
        assert!(is_taxii_media_type("application/taxii+json"));
        assert!(is_taxii_media_type(
            "Application/TAXII+json;version=2.1;q=0.9"
        ));
        assert!(!is_taxii_media_type("application/taxii+json;version=2.0"));
        assert!(!is_taxii_media_type("application/json"));
        assert!(!is_taxii_media_type("*/*"));
        assert!(!is_taxii_media_type(""));
    }

    #[test]
    fn filters() {
        let parameters = vec![
            ("match[type]".to_string(), "indicator,malware".to_string()),
            ("match[version]".to_string(), "first,last".to_string()),
            ("limit".to_string(), "5".to_string()),
        ];
        let filter = parse_filter(&parameters, Endpoint::Objects).ok();
        let filter = filter.unwrap_or_default();
        assert_eq!(filter.types, vec!["indicator", "malware"]);
        assert_eq!(filter.limit, Some(5));
        let versions = filter.versions.unwrap_or_default();
        assert!(versions.first && versions.last && !versions.all);
        assert!(parse_filter(&[("limit".into(), "0".into())], Endpoint::Objects).is_err());
        assert!(parse_filter(&[("match[id]".into(), "x".into())], Endpoint::Object).is_err());
        assert!(parse_filter(&[("bogus".into(), "x".into())], Endpoint::Objects).is_err());
        assert!(
            parse_filter(
                &[("added_after".into(), "yesterday".into())],
                Endpoint::Objects
            )
            .is_err()
        );
    }
}
