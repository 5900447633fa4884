//! Who sent a request: a party's bearer token, checked by the node.

use axum::{extract::FromRequestParts, http::request::Parts};
use redline_node::Caller;

use crate::{AppState, error::ApiError};

/// A request signed in with a party's API token.
pub(crate) struct SignedIn(pub(crate) Caller);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(value) = parts.headers.get(axum::http::header::AUTHORIZATION) else {
            return Err(ApiError::unauthenticated(
                "sign in with `Authorization: Bearer <token>`",
            ));
        };
        let text = value
            .to_str()
            .map_err(|_| ApiError::unauthenticated("the Authorization header is not text"))?;
        let Some(token) = text
            .strip_prefix("Bearer ")
            .or_else(|| text.strip_prefix("bearer "))
        else {
            return Err(ApiError::unauthenticated(
                "the Authorization header must be `Bearer <token>`",
            ));
        };
        let party = state.node.authenticate(token.trim()).await?;
        Ok(SignedIn(Caller::Party(party)))
    }
}
