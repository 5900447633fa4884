//! Query strings of the API: [`ApiQuery`] is axum's `Query` whose refusals are the API's JSON
//! errors — 400 `{"error": {"code": "invalid", "message", "path"}}`, the path naming the
//! parameter — instead of axum's plain text.

use axum::{
    extract::{FromRequestParts, Query, rejection::QueryRejection},
    http::request::Parts,
};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// The query string deserialized into `T`, or the API's JSON error naming the parameter.
pub(crate) struct ApiQuery<T>(pub(crate) T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        match Query::<T>::try_from_uri(&parts.uri) {
            Ok(Query(value)) => Ok(Self(value)),
            Err(rejection) => Err(query_error(&rejection)),
        }
    }
}

/// What axum's query deserializer refused, as the API's error. axum reads the query string with
/// `serde_path_to_error`, so the error it wraps knows the parameter.
fn query_error(rejection: &QueryRejection) -> ApiError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(rejection);
    while let Some(error) = source {
        if let Some(located) =
            error.downcast_ref::<serde_path_to_error::Error<serde::de::value::Error>>()
        {
            let message = located.inner().to_string();
            let parameter = match located.path().to_string() {
                // Unknown and missing parameters are reported at the top level, by name.
                path if path == "." => named_in(&message).unwrap_or_else(|| "query".into()),
                path => path,
            };
            return ApiError::bad_request("invalid", format!("{parameter}: {message}"))
                .with_path(parameter);
        }
        source = error.source();
    }
    ApiError::bad_request("invalid", rejection.body_text()).with_path("query")
}

/// The first name quoted in `message` (serde's "unknown field `x`, expected …").
fn named_in(message: &str) -> Option<String> {
    let (_, rest) = message.split_once('`')?;
    let (name, _) = rest.split_once('`')?;
    (!name.is_empty()).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Listing {
        #[allow(dead_code)]
        limit: Option<u32>,
    }

    fn refusal(query: &str) -> ApiError {
        let uri: axum::http::Uri = match format!("/listing?{query}").parse() {
            Ok(uri) => uri,
            Err(error) => panic!("test URI: {error}"),
        };
        match Query::<Listing>::try_from_uri(&uri) {
            Ok(_) => panic!("`{query}` was accepted"),
            Err(rejection) => query_error(&rejection),
        }
    }

    #[test]
    fn a_bad_value_is_named_by_its_parameter() {
        let error = refusal("limit=many");
        assert_eq!(error.code, "invalid");
        assert_eq!(error.path.as_deref(), Some("limit"));
        assert!(error.message.starts_with("limit: "), "{}", error.message);
    }

    #[test]
    fn an_unknown_parameter_is_named() {
        let error = refusal("limits=3");
        assert_eq!(error.path.as_deref(), Some("limits"));
    }
}
