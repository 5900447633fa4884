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

/// A request that may come signed in or not: anonymous without an `Authorization` header; a
/// header that is present must be a valid token (a bad token is refused, never read as
/// anonymous, so a revoked party learns it is revoked).
pub(crate) struct MaybeSignedIn(pub(crate) Option<Caller>);

impl MaybeSignedIn {
    /// The caller as a reader under the TLP rule.
    pub(crate) fn reader(&self) -> redline_model::Reader<'_> {
        self.0
            .as_ref()
            .map_or(redline_model::Reader::Anonymous, Caller::reader)
    }
}

impl FromRequestParts<AppState> for MaybeSignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if !parts
            .headers
            .contains_key(axum::http::header::AUTHORIZATION)
        {
            return Ok(MaybeSignedIn(None));
        }
        let SignedIn(caller) = SignedIn::from_request_parts(parts, state).await?;
        Ok(MaybeSignedIn(Some(caller)))
    }
}
