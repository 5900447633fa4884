//! `/metrics`: the node's figures in the Prometheus text exposition format (0.0.4), counts only.
//!
//! Requests are counted and timed here, in middleware, by method, matched route template (never
//! the raw path, so no id reaches a label) and status; incident submissions and hotline
//! messages accepted are the API's successful answers to those routes; rate-limited requests are
//! counted by the rate limiter. At scrape time the node is asked for what it already shows on
//! its public dashboard: hotline deadlines due and missed, the log's tree size, the age of its
//! checkpoint and of its newest witness cosignature. Nothing party-specific or TLP-restricted is
//! ever a label or a value. Each router has its own recorder (no process-wide state), so tests
//! that run several nodes in one process do not see each other's counts.

use std::{sync::Arc, time::Instant};

use axum::{
    extract::{MatchedPath, Request, State},
    http::{HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};

use crate::AppState;

/// The upper bounds of the request latency histogram, in seconds.
const LATENCY_BUCKETS_SECONDS: [f64; 12] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The label given to requests no route matched (the raw path is never a label).
const UNMATCHED_ROUTE: &str = "unmatched";

const REQUESTS: &str = "redline_http_requests_total";
const REQUEST_DURATION: &str = "redline_http_request_duration_seconds";
const RATE_LIMITED: &str = "redline_http_requests_rate_limited_total";
const INCIDENTS_SUBMITTED: &str = "redline_incidents_submitted_total";
const MESSAGES_ACCEPTED: &str = "redline_hotline_messages_accepted_total";
const DEADLINES_DUE: &str = "redline_hotline_deadlines_due";
const DEADLINES_OVERDUE: &str = "redline_hotline_deadlines_overdue";
const LOG_TREE_SIZE: &str = "redline_log_tree_size";
const CHECKPOINT_AGE: &str = "redline_log_checkpoint_age_seconds";
const WITNESS_LAG: &str = "redline_log_witness_lag_seconds";
const LOG_WITNESSED: &str = "redline_log_checkpoint_witnessed";
const LEADER: &str = "redline_cluster_leader";

/// One router's recorder and the handle that renders it.
pub(crate) struct HttpMetrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
}

impl std::fmt::Debug for HttpMetrics {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("HttpMetrics")
            .finish_non_exhaustive()
    }
}

impl HttpMetrics {
    pub(crate) fn new() -> Arc<Self> {
        let builder = PrometheusBuilder::new();
        let recorder = match builder.set_buckets(&LATENCY_BUCKETS_SECONDS) {
            Ok(builder) => builder.build_recorder(),
            // Only an empty bucket list is refused; a summary is the fallback.
            Err(_) => PrometheusBuilder::new().build_recorder(),
        };
        let handle = recorder.handle();
        let metrics = Self { recorder, handle };
        metrics.describe();
        Arc::new(metrics)
    }

    fn describe(&self) {
        metrics::with_local_recorder(&self.recorder, || {
            metrics::describe_counter!(
                REQUESTS,
                "HTTP requests answered, by method, route template and status."
            );
            metrics::describe_histogram!(
                REQUEST_DURATION,
                metrics::Unit::Seconds,
                "Time to answer an HTTP request (until the response head), by method and route template."
            );
            metrics::describe_counter!(RATE_LIMITED, "HTTP requests refused by the rate limit.");
            metrics::describe_counter!(
                INCIDENTS_SUBMITTED,
                "Incident reports accepted through the API."
            );
            metrics::describe_counter!(
                MESSAGES_ACCEPTED,
                "Hotline messages accepted through the API."
            );
            metrics::describe_gauge!(
                DEADLINES_DUE,
                "Hotline deadlines that have fallen due (answered, or passed), by duty; exercises excluded."
            );
            metrics::describe_gauge!(
                DEADLINES_OVERDUE,
                "Hotline deadlines due that were not met in time, by duty; exercises excluded."
            );
            metrics::describe_gauge!(
                LOG_TREE_SIZE,
                "Entries in the transparency log under its latest signed checkpoint."
            );
            metrics::describe_gauge!(
                CHECKPOINT_AGE,
                metrics::Unit::Seconds,
                "Seconds since the log's latest checkpoint was signed."
            );
            metrics::describe_gauge!(
                WITNESS_LAG,
                metrics::Unit::Seconds,
                "Seconds since the newest witness cosignature of the latest checkpoint."
            );
            metrics::describe_gauge!(
                LOG_WITNESSED,
                "1 when the latest checkpoint has its quorum of witness cosignatures, else 0."
            );
            metrics::describe_gauge!(
                LEADER,
                "1 when this process leads (runs the deadline scheduler and the log writer: always on SQLite), else 0."
            );
            // Shown at zero from the start, so a rate over them has a starting point.
            for counter in [RATE_LIMITED, INCIDENTS_SUBMITTED, MESSAGES_ACCEPTED] {
                metrics::counter!(counter).increment(0);
            }
        });
    }

    /// Counts and times one answered request.
    fn record_request(
        &self,
        method: &'static str,
        route: &str,
        status: StatusCode,
        elapsed: std::time::Duration,
    ) {
        let route = route.to_string();
        let status_label = status.as_u16().to_string();
        metrics::with_local_recorder(&self.recorder, || {
            metrics::counter!(REQUESTS, "method" => method, "route" => route.clone(), "status" => status_label)
                .increment(1);
            metrics::histogram!(REQUEST_DURATION, "method" => method, "route" => route.clone())
                .record(elapsed.as_secs_f64());
            if status.is_success() && method == "POST" {
                if is_incident_submission(&route) {
                    metrics::counter!(INCIDENTS_SUBMITTED).increment(1);
                }
                if is_message_submission(&route) {
                    metrics::counter!(MESSAGES_ACCEPTED).increment(1);
                }
            }
        });
    }

    /// Counts one request refused by the rate limit.
    pub(crate) fn count_rate_limited(&self) {
        metrics::with_local_recorder(&self.recorder, || {
            metrics::counter!(RATE_LIMITED).increment(1);
        });
    }

    fn set_gauge(&self, name: &'static str, labels: &[(&'static str, &'static str)], value: f64) {
        let labels: Vec<metrics::Label> = labels
            .iter()
            .map(|(key, value)| metrics::Label::new(*key, *value))
            .collect();
        metrics::with_local_recorder(&self.recorder, || {
            metrics::gauge!(name, labels).set(value);
        });
    }

    fn render(&self) -> String {
        self.handle.run_upkeep();
        self.handle.render()
    }
}

/// The API routes that accept an incident report.
fn is_incident_submission(route: &str) -> bool {
    matches!(
        route,
        "/api/v1/incidents" | "/api/v1/incidents/with-notification"
    )
}

/// The API routes that accept a hotline message.
fn is_message_submission(route: &str) -> bool {
    matches!(
        route,
        "/api/v1/messages" | "/api/v1/incidents/with-notification"
    )
}

/// The method as a label: the standard ones by name, anything else as `other` (a client must not
/// be able to add label values at will).
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Middleware (inside the router, where the matched route is known): counts and times every
/// request.
pub(crate) async fn record_request(
    State(metrics): State<Arc<HttpMetrics>>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED_ROUTE.to_string(), |path| {
            path.as_str().to_string()
        });
    let response = next.run(request).await;
    metrics.record_request(method, &route, response.status(), started.elapsed());
    response
}

/// `GET /metrics`: the figures, after the scrape-time gauges are read from the node.
pub(crate) async fn serve(State(state): State<AppState>) -> Response {
    set_hotline_gauges(&state).await;
    set_log_gauges(&state);
    let mut response = state.metrics.render().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

/// Deadlines due and missed, from the public dashboard's hotline figures (counts over every
/// party, never one party's).
async fn set_hotline_gauges(state: &AppState) {
    let figures = match state.node.public_hotline_figures().await {
        Ok(figures) => figures,
        Err(error) => {
            tracing::warn!(%error, "reading the hotline figures for /metrics failed");
            return;
        }
    };
    let duties = [
        (
            "acknowledgement",
            figures.notifications_due,
            figures.notifications_acknowledged_on_time,
        ),
        ("check", figures.checks_due, figures.checks_answered_in_time),
    ];
    for (duty, due, met) in duties {
        state
            .metrics
            .set_gauge(DEADLINES_DUE, &[("duty", duty)], due as f64);
        state.metrics.set_gauge(
            DEADLINES_OVERDUE,
            &[("duty", duty)],
            due.saturating_sub(met) as f64,
        );
    }
}

/// The log's size, the age of its checkpoint and of its newest cosignature, when a log is
/// attached.
fn set_log_gauges(state: &AppState) {
    state
        .metrics
        .set_gauge(LEADER, &[], if state.node.is_leading() { 1.0 } else { 0.0 });
    let Some(checkpoint) = state.node.public_checkpoint() else {
        return;
    };
    let now = state.node.now().as_microseconds();
    let seconds_since = |at: redline_model::Timestamp| {
        (now.saturating_sub(at.as_microseconds())).max(0) as f64 / 1_000_000.0
    };
    let metrics = &state.metrics;
    metrics.set_gauge(LOG_TREE_SIZE, &[], checkpoint.size as f64);
    if let Some(signed_at) = checkpoint.signed_at {
        metrics.set_gauge(CHECKPOINT_AGE, &[], seconds_since(signed_at));
    }
    if !checkpoint.witnesses.is_empty() {
        metrics.set_gauge(
            LOG_WITNESSED,
            &[],
            f64::from(u8::from(checkpoint.witnessed)),
        );
    }
    if let Some(newest) = checkpoint
        .witnesses
        .iter()
        .filter_map(|witness| witness.cosigned_at)
        .max()
    {
        metrics.set_gauge(WITNESS_LAG, &[], seconds_since(newest));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_route_template_and_submissions_by_route() {
        let metrics = HttpMetrics::new();
        metrics.record_request(
            "POST",
            "/api/v1/incidents",
            StatusCode::CREATED,
            std::time::Duration::from_millis(3),
        );
        metrics.record_request(
            "GET",
            "/api/v1/incidents/{id}",
            StatusCode::NOT_FOUND,
            std::time::Duration::from_millis(1),
        );
        let text = metrics.render();
        assert!(
            text.contains(r#"redline_http_requests_total{method="POST",route="/api/v1/incidents",status="201"} 1"#),
            "{text}"
        );
        assert!(
            text.contains("redline_incidents_submitted_total 1"),
            "{text}"
        );
        assert!(
            text.contains("redline_http_request_duration_seconds_bucket"),
            "{text}"
        );
        assert!(
            text.contains("# TYPE redline_http_requests_total counter"),
            "{text}"
        );
    }

    #[test]
    fn unknown_methods_do_not_become_labels() {
        let method = Method::from_bytes(b"SHOUTING").expect("a valid token");
        assert_eq!(method_label(&method), "other");
    }
}
