//! redline-http: the node's HTTP face.
//!
//! Owns the axum router: the `/api/v1` REST API with bearer-token authentication, TLP applied
//! through the node, JSON error bodies that name the JSON path, request size limits, rate limits
//! per party or client address (`rate_limit.rs`, with the client address taken from a trusted
//! proxy's `X-Forwarded-For`: `client_address.rs`), connection limits (`serve.rs`), security
//! headers on every response, an `x-request-id` on every request, response and log line,
//! `/healthz` (the process answers), `/readyz` (the database, the log writer and the background
//! tasks: `readiness.rs`), `/metrics` (Prometheus text format: `metrics.rs`), and the OpenAPI
//! document at `/api/openapi.json` with a viewer at `/api/docs` (`api_docs.rs`). `/` sends a visitor to the public dashboard; the public
//! record is also served as feeds (`feed.rs`). It holds no business rules: every decision is the
//! node's.

// The OpenAPI viewer at /api/docs (vendored RapiDoc).
mod api_docs;
mod attribution;
mod auth;
// Behind a reverse proxy: the client's address and whether it came over HTTPS.
mod client_address;
// Commitments: signed adoptions, implementation reports, peer review.
mod commitments;
mod dashboard;
mod error;
// Tabletop exercises.
mod exercise;
// Public feeds: /feed.json, /feed.atom, /export/incidents.csv.
mod feed;
// Federation between nodes: statements, relays, checkpoints seen, status.
mod federation;
mod hotline;
mod incidents;
// Transparency log: /log/ and /api/v1/log/.
mod log;
// Observability: /metrics.
mod metrics;
mod norms;
// Webhooks and e-mail addresses for a party's hotline events.
mod notifications;
// Coordinated vulnerability disclosure.
mod disclosure;
// Supply-chain notices (GGE 13(i)).
mod openapi;
mod parties;
mod query;
mod rate_limit;
mod supply_chain;
// Readiness: /readyz.
mod readiness;
mod serve;
// What every signed-record area does alike: ids in paths, posted envelopes, Location.
mod signed_records;
// STIX and TAXII.
pub mod taxii;

use std::{future::Future, sync::Arc, time::Duration};

use axum::{
    Json, Router,
    extract::{DefaultBodyLimit, State},
    http::{HeaderName, HeaderValue, header},
    routing::get,
};
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

pub use client_address::{InvalidTrustedProxy, TrustedProxies};
pub use error::ApiError;
pub use readiness::{BackgroundTasks, RunningTask};
use redline_node::Node;

/// Settings of the HTTP server.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// The largest request body accepted, in bytes.
    pub maximum_body_bytes: usize,
    /// Requests per second allowed per party (for requests with a token the node accepted) or
    /// per client address (for the rest); 0 turns the limit off.
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
    /// Reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed; from any
    /// other peer those headers are ignored.
    pub trusted_proxies: TrustedProxies,
    /// The URL clients reach the node at, when known; `https://…` makes every cookie `Secure`.
    pub public_url: Option<String>,
    /// Background tasks `/readyz` reports on (the deadline scheduler under `redline serve`).
    pub background_tasks: BackgroundTasks,
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
            trusted_proxies: TrustedProxies::default(),
            public_url: None,
            background_tasks: BackgroundTasks::default(),
        }
    }
}

#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) node: Arc<Node>,
    pub(crate) metrics: Arc<metrics::HttpMetrics>,
    pub(crate) background_tasks: BackgroundTasks,
}

/// The whole application router, without the request id, the client address and the rate
/// limit (which need the peer address; `run` adds them).
pub fn router(node: Arc<Node>, config: &HttpConfig) -> Router {
    router_recording_to(node, config, metrics::HttpMetrics::new())
}

/// The router, counting its requests in `metrics` (which `/metrics` renders).
fn router_recording_to(
    node: Arc<Node>,
    config: &HttpConfig,
    metrics: Arc<metrics::HttpMetrics>,
) -> Router {
    let state = AppState {
        node,
        metrics: Arc::clone(&metrics),
        background_tasks: config.background_tasks.clone(),
    };
    Router::new()
        .route("/", get(index))
        .route("/healthz", get(health))
        .route("/readyz", get(readiness::ready))
        .route("/metrics", get(metrics::serve))
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
        .merge(api_docs::routes())
        .merge(taxii::router(config)) // TAXII 2.1 at /taxii2/
        // Transparency log.
        .merge(log::routes())
        .merge(dashboard::routes())
        .merge(feed::routes())
        .merge(exercise::routes())
        .merge(attribution::routes())
        .merge(notifications::routes())
        .merge(federation::routes())
        .merge(commitments::routes())
        .merge(disclosure::routes(config))
        .merge(supply_chain::routes())
        .fallback(error::not_found_fallback)
        .layer(DefaultBodyLimit::max(config.maximum_body_bytes))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            config.request_timeout,
        ))
        // Inside the router, where the matched route template is known.
        .layer(axum::middleware::from_fn_with_state(
            metrics,
            metrics::record_request,
        ))
        .with_state(state)
}

/// `/` is the public overview: a visitor is sent to the dashboard, which links to everything
/// else a visitor can use (log verification, the API description, the feeds, TAXII).
async fn index() -> axum::response::Redirect {
    axum::response::Redirect::to("/dashboard")
}

async fn health(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "status": "ok",
        "database": state.node.database_backend(),
        "version": env!("CARGO_PKG_VERSION"),
    }))
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

/// The rate limit per party or client address, unless `config` turns it off.
fn with_rate_limit(
    app: Router,
    node: &Arc<Node>,
    config: &HttpConfig,
    metrics: Arc<metrics::HttpMetrics>,
) -> Router {
    match rate_limit::PartyOrAddressLimiter::new(
        Arc::clone(node),
        metrics,
        config.rate_limit_per_second,
        config.rate_limit_burst,
    ) {
        Some(limiter) => app.layer(axum::middleware::from_fn_with_state(
            Arc::new(limiter),
            rate_limit::limit_rate,
        )),
        None => app,
    }
}

/// The client's address and protocol, from the peer or a trusted proxy's forwarded headers.
fn with_client_origin(app: Router, config: &HttpConfig) -> Router {
    let policy = client_address::OriginPolicy {
        trusted_proxies: config.trusted_proxies.clone(),
        public_url_is_https: config.public_url.as_deref().is_some_and(|url| {
            url.get(..8)
                .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
        }),
    };
    app.layer(axum::middleware::from_fn_with_state(
        Arc::new(policy),
        client_address::resolve_client_origin,
    ))
}

/// An `x-request-id` on every request (the client's, or a new UUID) and its response, and a
/// span per request carrying it, so every log line of the request names it.
fn with_request_id_and_trace(app: Router) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    app.layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

/// The span of one request: method, path (never the query string, which may carry secrets in a
/// client's mistake) and request id.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id = %request_id,
    )
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
    // No webhook may point back at the node: it learns where it is reached.
    if let Ok(address) = listener.local_addr() {
        node.note_own_address(address);
    }
    if let Some(public_url) = &config.public_url {
        node.note_own_url(public_url);
    }
    let metrics = metrics::HttpMetrics::new();
    let app = router_recording_to(Arc::clone(&node), &config, Arc::clone(&metrics));
    let app = with_rate_limit(app, &node, &config, metrics);
    let app = with_client_origin(app, &config);
    let app = with_request_id_and_trace(app);
    let app = with_security_headers(app);
    // Open event streams would keep a graceful shutdown waiting for ever: end them first.
    let shutdown = async move {
        shutdown.await;
        node.close_streams();
    };
    let limits = serve::ConnectionLimits {
        header_read_timeout: config.header_read_timeout,
        idle_timeout: config.idle_timeout,
        maximum_connections: config.maximum_connections,
    };
    serve::serve(listener, app, limits, shutdown).await
}
