#![allow(clippy::unwrap_used)]
//! The API viewer at `/api/docs` in a real browser (chromium over WebDriver, as
//! `dashboard_browser.rs`): RapiDoc renders the node's OpenAPI document under the node's own
//! content security policy, every resource the page loaded came from the node (the viewer works
//! offline), and none of RapiDoc's CDN fonts was asked for. A screenshot goes to
//! `<target>/dashboard-screenshots/api-docs.png`.
//!
//! Without chromium and chromedriver the test is skipped with a message, unless
//! `REQUIRE_BROWSER=1` (as `scripts/test` sets it), when it fails.

#[path = "support/browser.rs"]
mod browser;
mod support;

use std::time::Duration;

/// What the page loaded and what RapiDoc drew, read in the page.
const PAGE_STATE: &str = r#"
const viewer = document.querySelector('rapi-doc');
const shadow = viewer && viewer.shadowRoot;
const text = shadow ? shadow.textContent : '';
const resources = performance.getEntriesByType('resource').map((entry) => entry.name);
return JSON.stringify({
  defined: !!customElements.get('rapi-doc'),
  rendered: text.includes('/api/v1/incidents'),
  title: text.includes('redline'),
  resources: resources,
  origin: location.origin,
  fonts: [...document.fonts].map((font) => font.status),
});
"#;

#[tokio::test]
async fn the_viewer_renders_the_openapi_document_from_same_origin_assets_only() {
    let Some(browser) = browser::browser().await else {
        return;
    };
    let node = support::start().await;
    let client = &browser.client;
    client
        .goto(&format!("{}/api/docs", node.base))
        .await
        .unwrap();
    let mut state = serde_json::Value::Null;
    for _ in 0..100 {
        let value = client.execute(PAGE_STATE, vec![]).await.unwrap();
        state = serde_json::from_str(value.as_str().unwrap()).unwrap();
        if state["rendered"] == true {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    browser::screenshot(client, "api-docs").await;
    assert_eq!(state["defined"], true, "the viewer's script ran: {state}");
    assert_eq!(
        state["rendered"], true,
        "the viewer drew the incident paths: {state}"
    );
    let origin = state["origin"].as_str().unwrap();
    let resources = state["resources"].as_array().unwrap();
    assert!(
        resources
            .iter()
            .any(|resource| resource.as_str().unwrap().ends_with("/api/openapi.json")),
        "the document was fetched: {state}"
    );
    for resource in resources {
        let resource = resource.as_str().unwrap();
        // RapiDoc draws a select's arrow as a `data:` SVG: no request leaves the browser (the
        // node's `img-src 'self'` refuses it, and the arrow is not drawn).
        assert!(
            resource.starts_with(origin) || resource.starts_with("data:image/svg+xml"),
            "`{resource}` is not on this node"
        );
    }
    // RapiDoc loads Open Sans from Google's CDN unless told not to (`load-fonts="false"`); a
    // font asked for would be in the resources above, or refused and left in `error`.
    let fonts = state["fonts"].as_array().unwrap();
    assert!(
        fonts
            .iter()
            .all(|status| status != "error" && status != "loading"),
        "a font was asked for: {state}"
    );
}
