#![allow(clippy::unwrap_used)]
//! The dashboard in a real browser: Debian's `chromium`, headless, driven over WebDriver by
//! `chromedriver` (package `chromium-driver`) with fantoccini. Every public page loads and shows
//! its content; sign in; an incident with a bad field shows the field's error; Arabic is laid out
//! right to left; local times are added by the script; in the console, load a PKCS#8 key file,
//! acknowledge a notification signed in the browser with WebCrypto Ed25519, and watch the thread's
//! state change live over server-sent events without a reload. Screenshots of the main pages are written
//! to `target/dashboard-screenshots/`.
//!
//! Without chromium and chromedriver the tests are skipped with a message, unless
//! `REQUIRE_BROWSER=1` (as `scripts/test` sets it), when they fail.

#[path = "support/browser.rs"]
mod browser;
mod support;

use std::time::Duration;

use browser::{browser, click, screenshot, sign_in, text_of, type_into};
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread")]
async fn public_pages_sign_in_form_errors_and_arabic_in_chromium() {
    let Some(browser) = browser().await else {
        return;
    };
    let node = support::start().await;
    let client = &browser.client;
    let base = &node.base;

    // Every public page loads and shows its content.
    client
        .goto(&format!("{base}/dashboard?lang=en"))
        .await
        .unwrap();
    assert_eq!(text_of(client, "#public-incident-count").await, "8");
    assert!(client.find(Locator::Css("svg.chart rect")).await.is_ok());
    screenshot(client, "overview").await;

    client
        .goto(&format!("{base}/dashboard/incidents"))
        .await
        .unwrap();
    let listing = text_of(client, "main").await;
    assert!(listing.contains("WannaCry"), "{listing}");
    // The script adds the local time beside UTC.
    assert!(
        client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(".local-time"))
            .await
            .is_ok()
    );
    screenshot(client, "incidents").await;

    client
        .goto(&format!(
            "{base}/dashboard/incidents/{}",
            node.public_ids[3]
        ))
        .await
        .unwrap();
    assert!(
        text_of(client, "#incident-title")
            .await
            .contains("WannaCry")
    );
    assert!(text_of(client, "table.trace").await.len() > 100);
    screenshot(client, "incident").await;

    client
        .goto(&format!("{base}/dashboard/parties"))
        .await
        .unwrap();
    assert!(
        text_of(client, "table.scorecards")
            .await
            .contains("State UA")
    );
    screenshot(client, "parties").await;
    client
        .goto(&format!("{base}/dashboard/parties/RU"))
        .await
        .unwrap();
    assert!(text_of(client, "h1").await.contains("State RU"));

    client
        .goto(&format!("{base}/dashboard/norms"))
        .await
        .unwrap();
    assert!(text_of(client, "main").await.contains("2.1.0"));
    screenshot(client, "norms").await;
    click(client, "main table a[href*='/diff/']").await;
    assert!(text_of(client, "pre.diff").await.contains("2.1.0"));
    screenshot(client, "norms-difference").await;

    client
        .goto(&format!("{base}/dashboard/verify"))
        .await
        .unwrap();
    assert!(text_of(client, "main").await.contains("redline log verify"));
    screenshot(client, "verify").await;

    // Keyboard: the first Tab reaches the skip link.
    client.goto(&format!("{base}/dashboard")).await.unwrap();
    client
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .send_keys("\u{E004}")
        .await
        .unwrap();
    let focused = client
        .execute("return document.activeElement.className", vec![])
        .await
        .unwrap();
    assert_eq!(focused, serde_json::json!("skip"));

    // Arabic, right to left, chosen with the switcher.
    click(client, "nav.languages a[hreflang='ar']").await;
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("html[dir='rtl']"))
        .await
        .unwrap();
    let direction = client
        .execute("return getComputedStyle(document.body).direction", vec![])
        .await
        .unwrap();
    assert_eq!(direction, serde_json::json!("rtl"));
    screenshot(client, "overview-arabic").await;
    client
        .goto(&format!("{base}/dashboard?lang=en"))
        .await
        .unwrap();

    // Sign in, then submit an incident with a bad field and see the field's error.
    sign_in(client, base, "EE", &node.tokens["EE"]).await;
    screenshot(client, "console").await;
    client
        .goto(&format!("{base}/console/incidents/new"))
        .await
        .unwrap();
    type_into(client, "title", "Browser-reported outage").await;
    type_into(client, "victim", "XX").await;
    client
        .find(Locator::Css("#target_sector option[value='']"))
        .await
        .ok();
    client.execute("document.getElementById('target_sector').value = 'water'; document.getElementById('effect_kind').value = 'disruption';", vec![]).await.unwrap();
    type_into(client, "target_country", "EE").await;
    click(client, "form.form button[type='submit']").await;
    let error = text_of(client, "#victim-error").await;
    assert!(error.contains("XX"), "{error}");
    let invalid = client
        .find(Locator::Id("victim"))
        .await
        .unwrap()
        .attr("aria-invalid")
        .await
        .unwrap();
    assert_eq!(invalid.as_deref(), Some("true"));
    screenshot(client, "incident-form-error").await;

    browser.client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn acknowledge_a_notification_signed_in_the_browser_and_see_it_live() {
    let Some(browser) = browser().await else {
        return;
    };
    let node = support::start().await;
    let client = &browser.client;
    let base = &node.base;
    let key_directory = tempfile::tempdir().unwrap();
    let key_file = key_directory.path().join("ua.pem");
    std::fs::write(&key_file, support::pem_of("UA")).unwrap();

    sign_in(client, base, "UA", &node.tokens["UA"]).await;
    // The inbox lists the pending notification with a live countdown.
    let pending = &node.pending_thread;
    let countdown = text_of(client, ".countdown-text").await;
    assert!(countdown.contains("left"), "{countdown}");
    screenshot(client, "console-inbox").await;
    client
        .find(Locator::Css(&format!(
            "a[href='/console/threads/{pending}']"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(
        text_of(client, "main")
            .await
            .contains("Pending notification SECRETMSG4ZQX")
    );
    // Wait for the live stream to connect, and mark the page: a reload would lose the mark.
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#live[data-connected='1']"))
        .await
        .unwrap();
    client
        .execute("window.redlineNoReload = 'still here'; return true", vec![])
        .await
        .unwrap();

    type_into(client, "signing-key", key_file.to_str().unwrap()).await;
    let key_id = redline_hotline::key_id_for(&support::key_of("UA").verifying_key());
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(&format!(
            "#key-status[data-key-id='{key_id}']"
        )))
        .await
        .unwrap_or_else(|error| panic!("the key did not load: {error}"));
    screenshot(client, "console-thread").await;
    client
        .find(Locator::Css(
            "#action-acknowledgement button[type='submit']",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css("#action-status[data-result]"))
        .await
        .unwrap();
    let result = text_of(client, "#action-status").await;
    assert!(result.contains("accepted"), "{result}");
    // The state changes on the page, from the event stream, without a reload.
    client
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css("#thread-state[data-state='acknowledged']"))
        .await
        .unwrap();
    assert_eq!(text_of(client, "#thread-state").await, "acknowledged");
    let mark = client
        .execute("return window.redlineNoReload || null", vec![])
        .await
        .unwrap();
    assert_eq!(
        mark,
        serde_json::json!("still here"),
        "the page was not reloaded"
    );
    screenshot(client, "console-thread-acknowledged").await;

    // The node has the acknowledgement, signed with UA's key.
    let view = node
        .node
        .get_thread_view(
            &redline_node::Caller::Operator,
            uuid::Uuid::parse_str(pending).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(view.thread.state, "acknowledged");
    assert!(
        view.messages
            .iter()
            .any(|message| message.kind == "acknowledgement" && message.from.as_str() == "UA")
    );

    // Another party's message reaches the open page live too: EE closes the thread.
    support::send(
        &node.node,
        "EE",
        &["UA"],
        view.thread.id,
        None,
        redline_model::Tlp::Amber,
        redline_hotline::MessageBody::Closure(redline_hotline::message::ClosureBody {
            reason: "Resolved.".into(),
        }),
    )
    .await;
    client
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css("#thread-state[data-state='closed']"))
        .await
        .unwrap();
    assert!(
        !text_of(client, "#live-log").await.is_empty(),
        "the new message is announced"
    );

    browser.client.clone().close().await.unwrap();
}
