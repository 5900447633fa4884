//! Notifications over HTTP: a party registers, lists and removes its own webhooks
//! (`/api/v1/notifications/webhooks…`, the secret answered once on creation) and e-mail
//! addresses (`/api/v1/notifications/email…`), and reads its delivery log
//! (`/api/v1/notifications/deliveries`). Only a party's token works here, always for that party;
//! every decision (who, which URL, which kinds) is the node's.

use axum::{
    Json, Router,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{delete, get},
};
use serde::Deserialize;
use uuid::Uuid;

use redline_node::{Caller, NotificationChannel};

use crate::{
    AppState, auth::SignedIn, error::ApiError, incidents::JsonBytes, query::ApiQuery,
    signed_records::created_at,
};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/notifications/webhooks",
            get(list_webhooks).post(add_webhook),
        )
        .route(
            "/api/v1/notifications/webhooks/{id}",
            delete(remove_webhook),
        )
        .route(
            "/api/v1/notifications/email",
            get(list_email).post(add_email),
        )
        .route("/api/v1/notifications/email/{id}", delete(remove_email))
        .route("/api/v1/notifications/deliveries", get(deliveries))
}

/// Only a party manages notifications over HTTP (the operator uses the CLI).
fn party_caller(caller: Caller) -> Result<Caller, ApiError> {
    match caller {
        Caller::Party(_) => Ok(caller),
        Caller::Operator => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "notifications belong to a party: sign in with a party's token",
        )),
    }
}

fn not_found_id(text: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("`{text}` is not a subscription id (a UUID)"),
    )
    .with_path("id")
}

/// The body of `POST /api/v1/notifications/webhooks`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewWebhook {
    url: String,
    events: Option<Vec<String>>,
}

/// The body of `POST /api/v1/notifications/email`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewEmail {
    address: String,
    events: Option<Vec<String>>,
}

fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8], shape: &str) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|error| {
        ApiError::bad_request("malformed_json", format!("expected {shape}: {error}"))
    })
}

fn created(created: &redline_node::CreatedSubscription, collection: &str) -> Response {
    let location = format!(
        "/api/v1/notifications/{collection}/{}",
        created.subscription.id
    );
    created_at(created, &location)
}

async fn add_webhook(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    let caller = party_caller(caller)?;
    let request: NewWebhook = parse_body(&body, "{\"url\": URL, \"events\": [KIND…]}")?;
    let subscription = state
        .node
        .add_webhook(&caller, None, &request.url, request.events)
        .await?;
    Ok(created(&subscription, "webhooks"))
}

async fn add_email(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    let caller = party_caller(caller)?;
    let request: NewEmail = parse_body(&body, "{\"address\": ADDRESS, \"events\": [KIND…]}")?;
    let subscription = state
        .node
        .add_email(&caller, None, &request.address, request.events)
        .await?;
    Ok(created(&subscription, "email"))
}

async fn list_of(
    state: &AppState,
    caller: Caller,
    channel: NotificationChannel,
) -> Result<Response, ApiError> {
    let caller = party_caller(caller)?;
    let subscriptions = state
        .node
        .list_subscriptions(&caller, None, Some(channel))
        .await?;
    Ok(Json(serde_json::json!({ "subscriptions": subscriptions })).into_response())
}

async fn list_webhooks(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
) -> Result<Response, ApiError> {
    list_of(&state, caller, NotificationChannel::Webhook).await
}

async fn list_email(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
) -> Result<Response, ApiError> {
    list_of(&state, caller, NotificationChannel::Email).await
}

async fn remove_of(
    state: &AppState,
    caller: Caller,
    id: &str,
    channel: NotificationChannel,
) -> Result<Response, ApiError> {
    let caller = party_caller(caller)?;
    let id = Uuid::parse_str(id).map_err(|_| not_found_id(id))?;
    state
        .node
        .remove_subscription(&caller, id, Some(channel))
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn remove_webhook(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    remove_of(&state, caller, &id, NotificationChannel::Webhook).await
}

async fn remove_email(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    remove_of(&state, caller, &id, NotificationChannel::Email).await
}

#[derive(Deserialize)]
struct DeliveriesQuery {
    limit: Option<u32>,
}

async fn deliveries(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    ApiQuery(query): ApiQuery<DeliveriesQuery>,
) -> Result<Response, ApiError> {
    let caller = party_caller(caller)?;
    let deliveries = state
        .node
        .list_deliveries(&caller, None, query.limit.unwrap_or(100))
        .await?;
    Ok(Json(serde_json::json!({ "deliveries": deliveries })).into_response())
}

// ------------------------------------------------------------------------------------------
// OpenAPI

const NOTIFICATION_OPERATIONS: &[crate::openapi::TabledOperation] = {
    use crate::openapi::TabledOperation;
    use utoipa::openapi::HttpMethod::{Delete, Get, Post};
    const UNAUTHENTICATED: (&str, &str) = ("401", "no, wrong or revoked token");
    const OPERATOR: (&str, &str) = ("403", "not a party's token");
    const NOT_FOUND: (&str, &str) = ("404", "no such subscription of yours");
    &[
        TabledOperation::new(Post, "/api/v1/notifications/webhooks", "addWebhook", "Register a webhook for your party: {\"url\": \"https://…\", \"events\": [...]}. Answers the subscription and its secret, shown this once: each delivery is a JSON POST with X-Redline-Signature: sha256=HMAC-SHA256(secret, X-Redline-Timestamp + \".\" + body), retried with exponential backoff. The URL must be http(s), without credentials, and reach neither this node nor a loopback, private or link-local address (unless the operator allows private targets)", &[
                ("201", "{\"subscription\": {...}, \"secret\": \"<hex>\"}"),
                ("400", "malformed JSON"),
                UNAUTHENTICATED,
                OPERATOR,
                ("409", "the party has the most subscriptions allowed"),
                ("422", "a refused URL or event kind, named in error.issues"),
            ]),
        TabledOperation::new(Get, "/api/v1/notifications/webhooks", "listWebhooks", "Your party's webhooks (never their secrets)", &[
                ("200", "{\"subscriptions\": [...]}"),
                UNAUTHENTICATED,
                OPERATOR,
            ]),
        TabledOperation::new(Delete, "/api/v1/notifications/webhooks/{id}", "removeWebhook", "Remove one of your webhooks; deliveries not yet made are cancelled, the log stays", &[("204", "removed"), UNAUTHENTICATED, OPERATOR, NOT_FOUND]),
        TabledOperation::new(Post, "/api/v1/notifications/email", "addEmail", "Register an e-mail address for your party: {\"address\": \"duty@…\", \"events\": [...]} (event kinds: message, reminder, overdue-alert, thread-state, consultation; default the first three). Each event becomes a short plain-text mail (kind and thread in the subject, never a message's content)", &[
                ("201", "{\"subscription\": {...}}"),
                ("400", "malformed JSON"),
                UNAUTHENTICATED,
                OPERATOR,
                (
                    "409",
                    "the node sends no e-mail, or the party has the most subscriptions allowed",
                ),
                ("422", "not an e-mail address, or an unknown event kind"),
            ]),
        TabledOperation::new(Get, "/api/v1/notifications/email", "listEmail", "Your party's e-mail addresses", &[
                ("200", "{\"subscriptions\": [...]}"),
                UNAUTHENTICATED,
                OPERATOR,
            ]),
        TabledOperation::new(Delete, "/api/v1/notifications/email/{id}", "removeEmail", "Remove one of your e-mail addresses", &[("204", "removed"), UNAUTHENTICATED, OPERATOR, NOT_FOUND]),
        TabledOperation::new(Get, "/api/v1/notifications/deliveries", "listDeliveries", "Your party's delivery log, newest first: each delivery's event, status (pending, delivered, failed, cancelled), attempts with their time, HTTP status and error", &[
                ("200", "{\"deliveries\": [...]}"),
                UNAUTHENTICATED,
                OPERATOR,
            ]).query(&[("limit", "at most this many (1-1000, default 100)")]),
    ]
};

pub(crate) fn openapi_paths() -> Vec<(String, utoipa::openapi::PathItem)> {
    crate::openapi::tabled_paths("notifications", NOTIFICATION_OPERATIONS)
}
