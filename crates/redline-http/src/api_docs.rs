//! `/api/docs`: a viewer of the OpenAPI document (`/api/openapi.json`) that works offline.
//!
//! The viewer is RapiDoc, vendored byte for byte from the npm registry under `static/vendor/rapidoc/`
//! (its licence and notices beside it, served too) and compiled into the binary, so the node
//! needs no CDN and the page passes the node's content security policy: one script from the
//! node itself, configured by the attributes of its `<rapi-doc>` element (no inline script), and
//! system fonts only (`load-fonts="false"`: RapiDoc would otherwise fetch Open Sans from
//! Google's font CDN). The script's URL carries its version, so browsers may keep it for a
//! year. One thing the policy refuses: the arrow of a `<select>`, drawn as a `data:` SVG image
//! (`img-src 'self'`); the policy is kept as it is for every page.

use axum::{Router, http::header, response::IntoResponse, routing::get};

use crate::AppState;

/// The viewer's script, under a URL that names its version.
pub(crate) const RAPIDOC_SCRIPT: &str = "/api/docs/rapidoc-9.3.8.min.js";

const PAGE: &str = include_str!("../static/api-docs.html");
const SCRIPT: &[u8] = include_bytes!("../static/vendor/rapidoc/rapidoc-9.3.8.min.js");
const LICENSE: &str = include_str!("../static/vendor/rapidoc/LICENSE.txt");
const NOTICES: &str = include_str!("../static/vendor/rapidoc/THIRD-PARTY-NOTICES.txt");

/// A year: the script's URL changes with its version.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// The page and the licence texts change with the node's version.
const HOURLY: &str = "public, max-age=3600";

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/docs", get(page))
        .route(RAPIDOC_SCRIPT, get(script))
        .route("/api/docs/LICENSE.txt", get(license))
        .route("/api/docs/THIRD-PARTY-NOTICES.txt", get(notices))
}

async fn page() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, HOURLY),
        ],
        PAGE,
    )
}

async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, IMMUTABLE),
        ],
        SCRIPT,
    )
}

async fn license() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, HOURLY),
        ],
        LICENSE,
    )
}

async fn notices() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, HOURLY),
        ],
        NOTICES,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_loads_the_script_it_serves_and_has_no_inline_script() {
        assert!(PAGE.contains(&format!(
            "<script type=\"module\" src=\"{RAPIDOC_SCRIPT}\">"
        )));
        assert_eq!(PAGE.matches("<script").count(), 1, "one script, from a URL");
        assert!(
            !PAGE.contains("http://") && !PAGE.contains("https://"),
            "same-origin only"
        );
        assert!(PAGE.contains("load-fonts=\"false\""), "no fonts from a CDN");
        assert!(LICENSE.contains("MIT License"));
    }
}
