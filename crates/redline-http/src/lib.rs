//! redline-http: the node's HTTP face.
//!
//! Owns the axum router: the `/api/v1` REST API with bearer-token authentication, TLP applied
//! through the node, JSON error bodies that name the JSON path, request size and rate limits,
//! connection limits (`serve.rs`), security headers on every response, `/healthz` (the process
//! answers), `/readyz` (the database answers and is sound), and the OpenAPI document at
//! `/api/openapi.json`. It holds no business rules: every decision is the node's.

mod attribution;
mod auth;
mod dashboard;
mod error;
// Tabletop exercises.
mod exercise;
mod hotline;
mod incidents;
// Transparency log: /log/ and /api/v1/log/.
mod log;
mod norms;
mod openapi;
mod parties;
mod query;
mod serve;
// STIX and TAXII.
pub mod taxii;

use std::{future::Future, sync::Arc, time::Duration};

use axum::{
    Json, Router,
    extract::{DefaultBodyLimit, State},
    http::{HeaderName, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use tower_governor::{GovernorLayer, governor::GovernorConfigBuilder};
use tower_http::{set_header::SetResponseHeaderLayer, timeout::TimeoutLayer, trace::TraceLayer};

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
    /// How long a client may take to send a request head, from the moment the server waits for
    /// one (a new connection, or a kept-alive one after its last response) to the head's last
    /// byte; then the connection is closed. Bytes trickled in do not reset it.
    pub header_read_timeout: Duration,
    /// How long a connection may stay open with no request in flight (a response still being
    /// sent, such as an event stream, is in flight). A kept-alive connection is in any case
    /// closed once `header_read_timeout` passes without a complete request head.
    pub idle_timeout: Duration,
    /// The most connections served at once; past it, new connections wait in the listen queue
    /// until one closes.
    pub maximum_connections: usize,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            maximum_body_bytes: 1024 * 1024,
            rate_limit_per_second: 200,
            rate_limit_burst: 1000,
            request_timeout: Duration::from_secs(30),
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            maximum_connections: 4096,
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
        .route("/readyz", get(ready))
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
        // The hotline.
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
        .merge(taxii::router(config)) // TAXII 2.1 at /taxii2/
        // Transparency log.
        .merge(log::routes())
        .merge(dashboard::routes())
        .merge(exercise::routes())
        .merge(attribution::routes())
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
        "database": state.node.database_backend(),
        "version": env!("CARGO_PKG_VERSION"),
    }))
}

/// Ready to serve: the database answers and, on SQLite, passes `PRAGMA quick_check` (a verdict
/// is reused for a few seconds). 503 with the reason otherwise; the details go to the log.
async fn ready(State(state): State<AppState>) -> Response {
    let database = state.node.database_backend();
    match state.node.check_database().await {
        Ok(()) => {
            Json(serde_json::json!({ "status": "ready", "database": database })).into_response()
        }
        Err(error) => {
            tracing::error!(%error, "the readiness check failed");
            let reason = if error.is_corrupt_database() {
                "the database failed its integrity check; the operator's log has the details"
            } else {
                "the database did not answer; the operator's log has the details"
            };
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({
                    "status": "unavailable",
                    "database": database,
                    "reason": reason,
                })),
            )
                .into_response()
        }
    }
}

/// The policy every page and answer carries: scripts, styles, images and connections from this
/// node only (the dashboard loads `dashboard.js` and `dashboard.css` from it and has no inline
/// script; inline styles are allowed for the severity swatches and the landing page), forms
/// posted back to it only, never framed by another site (clickjacking), no `<base>` or plugins.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self'; connect-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// The security headers, set on every response that does not carry its own: the content
/// security policy, no framing (`X-Frame-Options` for browsers without `frame-ancestors`), no
/// content-type sniffing, and no `Referer` sent from the node's pages to any other site.
/// (`same-origin`, not `no-referrer`: under `no-referrer` a browser sends `Origin: null` with
/// every form post, and the console refuses posts whose `Origin` is not the node's own.)
fn with_security_headers(app: Router) -> Router {
    let headers: [(HeaderName, &'static str); 4] = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
    ];
    headers.into_iter().fold(app, |app, (name, value)| {
        app.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ))
    })
}

/// Serves the node on `listener` until `shutdown` completes, then finishes the requests in
/// flight. Connections are held to `config`'s header-read and idle timeouts and its cap on
/// connections. Tests pass a listener on `127.0.0.1:0`.
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
    let app = with_security_headers(app);
    let limits = serve::ConnectionLimits {
        header_read_timeout: config.header_read_timeout,
        idle_timeout: config.idle_timeout,
        maximum_connections: config.maximum_connections,
    };
    serve::serve(listener, app, limits, shutdown).await
}
