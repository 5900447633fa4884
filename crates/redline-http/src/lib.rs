//! redline-http: the node's HTTP face.
//!
//! Owns the axum router: the `/api/v1` REST API with bearer-token authentication, TLP applied
//! through the node, JSON error bodies that name the JSON path, request size and rate limits,
//! `/healthz`, and the OpenAPI document at `/api/openapi.json`. It holds no business rules: every
//! decision is the node's.

mod auth;
mod dashboard;
mod error;
// Tabletop exercises (issue 6).
mod exercise;
mod hotline;
mod incidents;
// Transparency log: /log/ and /api/v1/log/.
mod log;
mod norms;
mod openapi;
mod parties;
// STIX and TAXII (issue 8)
pub mod taxii;

use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};

use axum::{
    Json, Router,
    extract::{DefaultBodyLimit, State},
    routing::get,
};
use tower_governor::{GovernorLayer, governor::GovernorConfigBuilder};
use tower_http::{timeout::TimeoutLayer, trace::TraceLayer};

pub use error::ApiError;
use redline_node::Node;

/// Settings of the HTTP server.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// The largest request body accepted, in bytes.
    pub maximum_body_bytes: usize,
    /// Requests per second allowed per client address; 0 turns the limit off.
    pub rate_limit_per_second: u64,
    /// How many requests a client may send at once before the rate limit applies.
    pub rate_limit_burst: u32,
    /// How long one request may take before it is answered with 408.
    pub request_timeout: Duration,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            maximum_body_bytes: 1024 * 1024,
            rate_limit_per_second: 200,
            rate_limit_burst: 1000,
            request_timeout: Duration::from_secs(30),
        }
    }
}

#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) node: Arc<Node>,
}

/// The whole application router, without the rate limit (which needs the peer address).
pub fn router(node: Arc<Node>, config: &HttpConfig) -> Router {
    let state = AppState { node };
    Router::new()
        .route("/", get(index))
        .route("/healthz", get(health))
        .route("/api/openapi.json", get(openapi::serve))
        .route(
            "/api/v1/schema/incident",
            get(incidents::incident_report_schema),
        )
        .route("/api/v1/parties", get(parties::list))
        .route("/api/v1/parties/{id}", get(parties::show))
        .route(
            "/api/v1/incidents",
            get(incidents::list).post(incidents::submit),
        )
        .route(
            "/api/v1/incidents/{id}",
            get(incidents::show).put(incidents::update),
        )
        .route("/api/v1/incidents/{id}/versions", get(incidents::versions))
        .route(
            "/api/v1/incidents/{id}/assessment",
            get(norms::incident_assessment),
        )
        .route("/api/v1/assess", axum::routing::post(norms::assess))
        .route("/api/v1/norms", get(norms::list))
        .route("/api/v1/norms/{sha256}", get(norms::show))
        // --- hotline ---
        .route(
            "/api/v1/messages",
            axum::routing::post(hotline::send_message),
        )
        .route("/api/v1/messages/{id}", get(hotline::show_message))
        .route("/api/v1/messages/{id}/form", get(hotline::message_form))
        .route("/api/v1/threads/{id}", get(hotline::show_thread))
        .route("/api/v1/inbox", get(hotline::inbox))
        .route("/api/v1/events", get(hotline::events))
        .route("/api/v1/stream", get(hotline::stream))
        .route("/api/v1/checks", get(hotline::list_checks))
        .route("/api/v1/checks/results", get(hotline::check_results))
        .route("/api/v1/checks/{id}", get(hotline::show_check))
        .route(
            "/api/v1/incidents/with-notification",
            axum::routing::post(hotline::submit_incident_with_notification),
        )
        .route(
            "/api/v1/parties/{id}/keys/rotate",
            axum::routing::post(hotline::rotate_key),
        )
        .route(
            "/api/v1/parties/{id}/keys/{key_id}/revoke",
            axum::routing::post(hotline::revoke_key),
        )
        // --- end hotline ---
        .merge(taxii::router(config)) // TAXII 2.1 at /taxii2/ (issue 8)
        // Transparency log.
        .merge(log::routes())
        .merge(dashboard::routes())
        .merge(exercise::routes())
        .fallback(error::not_found_fallback)
        .layer(DefaultBodyLimit::max(config.maximum_body_bytes))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            config.request_timeout,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// A plain landing page until the dashboard exists: what this node serves and where.
async fn index() -> axum::response::Html<&'static str> {
    axum::response::Html(include_str!("index.html"))
}

async fn health(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "status": "ok",
        "database": state.node.store().backend().as_str(),
        "version": env!("CARGO_PKG_VERSION"),
    }))
}

/// Serves the node on `listener` until `shutdown` completes, then finishes the requests in
/// flight. Tests pass a listener on `127.0.0.1:0`.
pub async fn run(
    listener: tokio::net::TcpListener,
    node: Arc<Node>,
    config: HttpConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut app = router(Arc::clone(&node), &config);
    // Open event streams would keep a graceful shutdown waiting for ever: end them first.
    let shutdown = async move {
        shutdown.await;
        node.close_streams();
    };
    if let Some(nanoseconds) = 1_000_000_000u64.checked_div(config.rate_limit_per_second) {
        let period = Duration::from_nanos(nanoseconds.max(1));
        let governor = GovernorConfigBuilder::default()
            .period(period)
            .burst_size(config.rate_limit_burst.max(1))
            .finish()
            .ok_or_else(|| std::io::Error::other("invalid rate limit settings"))?;
        app = app.layer(GovernorLayer::new(governor).error_handler(error::rate_limited));
    }
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
