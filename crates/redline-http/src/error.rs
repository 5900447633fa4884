//! Errors as JSON: `{"error": {"code", "message", "path", "issues"}}` with the right status.

use axum::{
    Json,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use redline_model::ValidationIssue;
use redline_node::NodeError;

/// An error answer of the API.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub path: Option<String>,
    pub issues: Vec<ValidationIssue>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            path: None,
            issues: Vec::new(),
        }
    }

    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", message)
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }
}

impl From<NodeError> for ApiError {
    fn from(error: NodeError) -> Self {
        match error {
            NodeError::Invalid(issues) => {
                let message = issues
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ");
                ApiError {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    code: "invalid",
                    message,
                    path: issues.first().map(|issue| issue.path.clone()),
                    issues,
                }
            }
            NodeError::Malformed(model_error) => {
                ApiError::bad_request("malformed_json", model_error.to_string()).with_path(".")
            }
            NodeError::NotFound(message) => {
                ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
            }
            NodeError::Conflict(message) => {
                ApiError::new(StatusCode::CONFLICT, "conflict", message)
            }
            NodeError::Forbidden(message) => {
                ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
            }
            NodeError::Unauthenticated(message) => ApiError::unauthenticated(message),
            NodeError::Rejected(rejection) => {
                use redline_hotline::Rejection;
                let status = match &rejection {
                    Rejection::ReplayedMessage { .. } => StatusCode::CONFLICT,
                    Rejection::SenderMismatch { .. }
                    | Rejection::KeyOfAnotherParty { .. }
                    | Rejection::NotAThreadParticipant { .. } => StatusCode::FORBIDDEN,
                    _ => StatusCode::UNPROCESSABLE_ENTITY,
                };
                let message = rejection.to_string();
                let path = match &rejection {
                    Rejection::MalformedEnvelope(envelope_error) => Some(envelope_error.field()),
                    Rejection::MalformedPayload { issues } => issues
                        .first()
                        .map(|issue| format!("payload.{}", issue.path)),
                    _ => message
                        .split_once(": ")
                        .map(|(path, _)| path.to_string())
                        .filter(|path| !path.contains(' ')),
                };
                ApiError {
                    status,
                    code: rejection.code(),
                    message,
                    path,
                    issues: Vec::new(),
                }
            }
            NodeError::Internal(message) => {
                tracing::error!(%message, "internal error");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "the node failed to handle the request; the operator's log has the details",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = serde_json::json!({ "code": self.code, "message": self.message });
        if let Some(path) = &self.path {
            error["path"] = serde_json::Value::String(path.clone());
        }
        if !self.issues.is_empty() {
            error["issues"] = serde_json::to_value(&self.issues).unwrap_or_default();
        }
        let mut response =
            (self.status, Json(serde_json::json!({ "error": error }))).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer realm=\"redline\""),
            );
        }
        response
    }
}

pub(crate) async fn not_found_fallback() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
}

pub(crate) fn rate_limited(error: tower_governor::GovernorError) -> Response {
    match error {
        tower_governor::GovernorError::TooManyRequests { wait_time, .. } => {
            let mut response = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("too many requests; try again in {wait_time} s"),
            )
            .into_response();
            if let Ok(value) = header::HeaderValue::from_str(&wait_time.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
        tower_governor::GovernorError::UnableToExtractKey => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "could not tell which client sent the request",
        )
        .into_response(),
        tower_governor::GovernorError::Other { code, msg, .. } => {
            ApiError::new(code, "rejected", msg.unwrap_or_default()).into_response()
        }
    }
}
