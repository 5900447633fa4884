//! The transparency log over HTTP: the C2SP tlog-tiles read path under `/log/` (`checkpoint`,
//! `tile/<L>/<N>[.p/<W>]`, `tile/entries/<N>[.p/<W>]`, full tiles cached as immutable), the
//! log's verifier key at `/log/key`, the tlog-witness `add-checkpoint` endpoint at
//! `/log/add-checkpoint`, and JSON inclusion and consistency proofs under `/api/v1/log/`. All
//! of it is public: the log holds no content, only hashes. Every decision is the node's.

use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use redline_ledger::tiles::TileAddress;
use redline_node::log::NodeLog;
use utoipa::openapi::{
    HttpMethod, PathItem, ResponseBuilder,
    path::{OperationBuilder, ParameterBuilder, ParameterIn},
};

use crate::{AppState, error::ApiError, query::ApiQuery};

/// The log's routes, merged into the application router.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/log/checkpoint", get(checkpoint))
        .route("/log/key", get(verifier_key))
        .route("/log/tile/{*path}", get(tile))
        .route("/log/add-checkpoint", post(add_checkpoint))
        .route("/api/v1/log", get(summary))
        .route("/api/v1/log/inclusion", get(inclusion))
        .route("/api/v1/log/consistency", get(consistency))
        .route("/api/v1/log/receipts/{leaf_index}", get(receipt))
}

fn node_log(state: &AppState) -> Result<&std::sync::Arc<NodeLog>, ApiError> {
    state.node.log().ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "this node has no transparency log",
        )
    })
}

/// The log once it holds the entries of every write answered before this request (the node
/// answers writes before their entries are sequenced; see `redline_node::log`). It waits for
/// the log's next checkpoint rather than asking for one, so readers cannot multiply them.
async fn settled_log(state: &AppState) -> Result<&std::sync::Arc<NodeLog>, ApiError> {
    let log = node_log(state)?;
    state
        .node
        .catch_up_log(redline_node::Node::SHARED_LOG_PATIENCE)
        .await
        .map_err(|error| {
            // As for a pointer this process cannot follow: try again, rather than a log that
            // could be older than one another process served.
            tracing::warn!(%error, "the log could not catch up before a proof");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "the log's latest checkpoint could not be read; try again",
            )
        })?;
    Ok(log)
}

/// Brings this process's view of the log up to the pointer stored in the database before any of
/// it is served (shared deployments; see `Node::refresh_log_view`). When it cannot, the answer
/// is a 503: never a log that could be older than one another process served.
async fn refresh_view(state: &AppState) -> Result<(), ApiError> {
    state.node.refresh_log_view().await.map_err(|error| {
        tracing::warn!(%error, "the log's view could not follow its pointer");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "the log's latest checkpoint could not be read; try again",
        )
    })
}

fn text(body: String, cache: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, cache),
        ],
        body,
    )
        .into_response()
}

async fn checkpoint(State(state): State<AppState>) -> Result<Response, ApiError> {
    let log = node_log(&state)?;
    // Behind a load balancer each request may reach another process: each first moves to the
    // pointer in the database, so no client ever sees the log go back.
    refresh_view(&state).await?;
    Ok(text(log.checkpoint_note().to_text(), "no-cache"))
}

async fn verifier_key(State(state): State<AppState>) -> Result<Response, ApiError> {
    let log = node_log(&state)?;
    Ok(text(
        format!("{}\n", log.verifier_key()),
        "public, max-age=86400",
    ))
}

async fn tile(
    State(state): State<AppState>,
    Path(path): Path<String>,
) -> Result<Response, ApiError> {
    let log = node_log(&state)?;
    let full_path = format!("tile/{path}");
    let not_found = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no {full_path} under the latest checkpoint"),
        )
    };
    let address = TileAddress::parse_path(&full_path).map_err(|error| {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", error.to_string()).with_path(&full_path)
    })?;
    if !log.covers(&address) {
        // A client may have read a newer checkpoint from another process: move to the pointer
        // before saying the tile is not there.
        refresh_view(&state).await?;
        if !log.covers(&address) {
            return Err(not_found());
        }
    }
    let bytes = match tokio::fs::read(log.directory().join(address.path())).await {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Err(not_found()),
        Err(error) => {
            tracing::error!(%error, path = %full_path, "reading a tile");
            return Err(ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "the tile could not be read",
            ));
        }
    };
    let cache = if address.is_partial() {
        "public, max-age=60"
    } else {
        "public, max-age=31536000, immutable"
    };
    let mut response = Bytes::from(bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    Ok(response)
}

/// tlog-witness `add-checkpoint`: the node cosigns another log's checkpoint if it is
/// consistent with the last one it cosigned for that origin.
async fn add_checkpoint(State(state): State<AppState>, body: Bytes) -> Response {
    match state.node.witness_add_checkpoint(&body).await {
        Ok(signature_lines) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            signature_lines,
        )
            .into_response(),
        Err(rejection) => {
            let status = StatusCode::from_u16(rejection.status).unwrap_or(StatusCode::BAD_REQUEST);
            match rejection.latest_size {
                // tlog-witness: a 409 tells the log the size this witness knows.
                Some(size) => (
                    status,
                    [(header::CONTENT_TYPE, "text/x.tlog.size")],
                    format!("{size}\n"),
                )
                    .into_response(),
                None => (
                    status,
                    [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                    format!("{}\n", rejection.message),
                )
                    .into_response(),
            }
        }
    }
}

async fn summary(State(state): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    let log = node_log(&state)?;
    refresh_view(&state).await?;
    let note = log.checkpoint_note();
    let checkpoint = redline_ledger::checkpoint::Checkpoint::parse_body(note.text())
        .map_err(|error| redline_node::NodeError::Internal(format!("own checkpoint: {error}")))?;
    Ok(Json(serde_json::json!({
        "origin": log.origin(),
        "tree_size": checkpoint.tree_size,
        "root_hash": checkpoint.root_hash.to_base64(),
        "verifier_key": log.verifier_key(),
        "checkpoint": note.to_text(),
    })))
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct InclusionParameters {
    /// A leaf index.
    index: Option<u64>,
    /// A subject id (incident id, party id, document SHA-256, message id): every entry about it.
    subject: Option<String>,
    /// A published tree size; default the latest checkpoint.
    tree_size: Option<u64>,
}

fn hashes(proof: &[redline_ledger::Hash]) -> Vec<String> {
    proof.iter().map(redline_ledger::Hash::to_base64).collect()
}

async fn inclusion(
    State(state): State<AppState>,
    ApiQuery(parameters): ApiQuery<InclusionParameters>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let log = settled_log(&state).await?;
    // One checkpoint for the whole answer: the proofs are made to its size (unless another is
    // asked for), so a checkpoint published meanwhile cannot disagree with them.
    let note = log.checkpoint_note();
    let served_size = redline_ledger::checkpoint::Checkpoint::parse_body(note.text())
        .map_err(|error| redline_node::NodeError::Internal(format!("own checkpoint: {error}")))?
        .tree_size;
    let proof_size = parameters.tree_size.unwrap_or(served_size);
    let leaves = match (parameters.index, &parameters.subject) {
        (Some(index), None) => vec![index],
        (None, Some(subject)) => log
            .leaves_of_subject(subject)
            .into_iter()
            .filter(|leaf| *leaf < proof_size)
            .collect(),
        _ => {
            return Err(
                ApiError::bad_request("invalid", "give exactly one of index and subject")
                    .with_path("index"),
            );
        }
    };
    let mut proofs = Vec::with_capacity(leaves.len());
    let mut tree_size = 0;
    for leaf_index in leaves {
        let (size, proof) = log.inclusion_proof(leaf_index, Some(proof_size))?;
        tree_size = size;
        proofs.push(serde_json::json!({
            "leaf_index": leaf_index,
            "tree_size": size,
            "inclusion_proof": hashes(&proof),
        }));
    }
    Ok(Json(serde_json::json!({
        "tree_size": tree_size,
        "checkpoint": note.to_text(),
        "proofs": proofs,
    })))
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConsistencyParameters {
    old_size: u64,
    new_size: Option<u64>,
}

async fn consistency(
    State(state): State<AppState>,
    ApiQuery(parameters): ApiQuery<ConsistencyParameters>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let log = settled_log(&state).await?;
    let (new_size, proof) = log.consistency_proof(parameters.old_size, parameters.new_size)?;
    Ok(Json(serde_json::json!({
        "old_size": parameters.old_size,
        "new_size": new_size,
        "consistency_proof": hashes(&proof),
        "checkpoint": log.checkpoint_note().to_text(),
    })))
}

/// A C2SP tlog-proof receipt of one entry against the latest checkpoint.
async fn receipt(
    State(state): State<AppState>,
    Path(leaf_index): Path<u64>,
) -> Result<Response, ApiError> {
    let log = settled_log(&state).await?;
    Ok(text(log.receipt(leaf_index)?, "no-cache"))
}

fn query(name: &str, description: &str, required: bool) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(if required {
            utoipa::openapi::Required::True
        } else {
            utoipa::openapi::Required::False
        })
        .description(Some(description))
        .schema(Some(
            utoipa::openapi::ObjectBuilder::new()
                .schema_type(utoipa::openapi::schema::Type::String),
        ))
        .build()
}

/// The OpenAPI paths of `/api/v1/log/...`.
pub(crate) fn openapi_paths() -> Vec<(String, PathItem)> {
    let ok = |description: &str| ResponseBuilder::new().description(description).build();
    vec![
        (
            "/api/v1/log".into(),
            PathItem::new(
                HttpMethod::Get,
                OperationBuilder::new()
                    .operation_id(Some("logSummary"))
                    .summary(Some("The log's origin, size, root, verifier key and checkpoint"))
                    .response("200", ok("the log"))
                    .response(
                        "503",
                        ok("the log's latest checkpoint could not be read (shared deployments)"),
                    ),
            ),
        ),
        (
            "/api/v1/log/inclusion".into(),
            PathItem::new(
                HttpMethod::Get,
                OperationBuilder::new()
                    .operation_id(Some("logInclusionProof"))
                    .summary(Some(
                        "Inclusion proofs (RFC 6962) of one entry by index, or of every entry about a subject id",
                    ))
                    .parameter(query("index", "leaf index", false))
                    .parameter(query("subject", "subject id (incident id, party id, …)", false))
                    .parameter(query("tree_size", "tree size (default: the latest checkpoint)", false))
                    .response("200", ok("the proofs and the signed checkpoint"))
                    .response("400", ok("neither or both of index and subject"))
                    .response("422", ok("index or size beyond the log")),
            ),
        ),
        (
            "/api/v1/log/consistency".into(),
            PathItem::new(
                HttpMethod::Get,
                OperationBuilder::new()
                    .operation_id(Some("logConsistencyProof"))
                    .summary(Some("Consistency proof (RFC 6962) between two tree sizes"))
                    .parameter(query("old_size", "the older tree size", true))
                    .parameter(query("new_size", "the newer size (default: the latest)", false))
                    .response("200", ok("the proof and the signed checkpoint"))
                    .response("422", ok("sizes out of range")),
            ),
        ),
        (
            "/api/v1/log/receipts/{leaf_index}".into(),
            PathItem::new(
                HttpMethod::Get,
                OperationBuilder::new()
                    .operation_id(Some("logReceipt"))
                    .summary(Some(
                        "A C2SP tlog-proof receipt of one entry against the latest checkpoint (text/plain)",
                    ))
                    .response("200", ok("the receipt"))
                    .response("422", ok("index beyond the log")),
            ),
        ),
    ]
}
