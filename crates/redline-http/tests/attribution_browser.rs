#![allow(clippy::unwrap_used)]
//! Attribution through the console in a real browser (chromium over WebDriver, as
//! `dashboard_browser.rs`): EE files a claim about a public incident naming RU, signing the
//! prepared record outside the server with its key and pasting the envelope; GB co-signs;
//! EE asks RU for consultation; RU replies (deny); EE publishes; then an anonymous reader sees
//! the claim, its co-signer and RU's reply on the public pages. Screenshots at desktop and phone
//! widths and in Arabic go to `<target>/dashboard-screenshots/attribution-*.png`.
//!
//! Without chromium and chromedriver the test is skipped with a message, unless
//! `REQUIRE_BROWSER=1` (as `scripts/test` sets it), when it fails.

#[path = "support/browser.rs"]
mod browser;
mod support;

use std::time::Duration;

use base64::Engine;
use browser::{DESKTOP, PHONE, choose, click, screenshot, sign_in, text_of, type_into};
use fantoccini::{Client, Locator};

/// On a prepared record's page: signs the exact payload shown with `party`'s key (as
/// `redline sign` would, outside the server), pastes the envelope and sends it; returns the
/// page the console answers with.
async fn sign_paste_and_send(client: &Client, party: &str) {
    let form = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id("paste-form"))
        .await
        .unwrap_or_else(|error| panic!("no prepared record: {error}"));
    let payload = base64::engine::general_purpose::STANDARD
        .decode(form.attr("data-payload").await.unwrap().unwrap())
        .unwrap();
    let payload_type = form.attr("data-payload-type").await.unwrap().unwrap();
    let shown = text_of(client, "#payload").await;
    assert_eq!(
        shown.as_bytes(),
        payload.as_slice(),
        "the page shows exactly the bytes to sign"
    );
    let envelope = redline_hotline::sign_record(&payload_type, payload, &support::key_of(party));
    let envelope = String::from_utf8(envelope).unwrap();
    // Paste: the whole envelope lands in the field at once, as a paste does.
    client
        .execute(
            "document.getElementById('envelope').value = arguments[0]; return true",
            vec![serde_json::Value::from(envelope)],
        )
        .await
        .unwrap();
    click(client, "#send-envelope").await;
}

/// Asserts the claim page says the node accepted the record just sent.
async fn assert_recorded(client: &Client) {
    let recorded = client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id("recorded"))
        .await;
    if recorded.is_err() {
        let page = text_of(client, "main").await;
        panic!("the node did not record it: {page}");
    }
}

/// At the current window width the page does not scroll sideways; a failure names the widest
/// element.
async fn assert_no_sideways_scrolling(client: &Client) {
    let widest = client
        .execute(
            "if (document.documentElement.scrollWidth <= window.innerWidth + 1) { return null; }
             let widest = null;
             for (const element of document.querySelectorAll('main *')) {
               const scroller = element.parentElement && element.parentElement.closest('pre, .table-scroll, details:not([open])');
               if (scroller) { continue; }
               const right = element.getBoundingClientRect().right;
               if (right > window.innerWidth + 1 && (!widest || right > widest.right)) {
                 widest = { right, tag: element.tagName, id: element.id, text: element.textContent.slice(0, 80) };
               }
             }
             return widest || 'the page, outside main';",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(widest, serde_json::Value::Null, "sideways scrolling");
}

#[tokio::test(flavor = "multi_thread")]
async fn file_cosign_consult_reply_and_publish_a_claim_in_chromium() {
    let Some(browser) = browser::browser().await else {
        return;
    };
    let node = support::start().await;
    let client = &browser.client;
    let base = &node.base;
    let incident = &node.public_ids[3];

    // EE files a claim naming RU from the console's claim form.
    sign_in(client, &node.base, "EE", &node.tokens["EE"]).await;
    click(client, "#console-claims-link").await;
    assert!(text_of(client, "h1").await.contains("Attribution claims"));
    type_into(client, "incident", incident).await;
    type_into(client, "named_state", "RU").await;
    type_into(client, "named_party", "RU").await;
    type_into(client, "actor", "Sandworm Team").await;
    choose(client, "relationship", "state-organ").await;
    choose(client, "confidence", "very-likely").await;
    click(client, "#basis_technical").await;
    click(client, "#basis_intelligence").await;
    type_into(
        client,
        "evidence",
        &format!("sha256:{} wiper sample", "9a".repeat(32)),
    )
    .await;
    type_into(
        client,
        "statement",
        "Unit 74455 of the GRU ran the operation against the power grid.",
    )
    .await;
    choose(client, "tlp", "clear").await;
    screenshot(client, "attribution-console-new-claim").await;
    click(client, "#prepare-claim").await;
    assert!(
        text_of(client, "#payload-type")
            .await
            .contains("attribution-claim")
    );
    screenshot(client, "attribution-console-prepared").await;
    sign_paste_and_send(client, "EE").await;
    assert_recorded(client).await;
    let claim_path = client.current_url().await.unwrap().path().to_string();
    let claim_id = claim_path.rsplit('/').next().unwrap().to_string();
    assert_eq!(
        client
            .find(Locator::Id("claim-status"))
            .await
            .unwrap()
            .attr("data-status")
            .await
            .unwrap()
            .as_deref(),
        Some("filed")
    );
    // The code of conduct says what is missing: RU, a party, was not consulted.
    assert!(
        text_of(client, "#failed-clauses")
            .await
            .contains("code_of_conduct.consultation-before-naming")
    );
    screenshot(client, "attribution-console-claim-filed").await;

    // GB co-signs in its own session.
    sign_in(client, &node.base, "GB", &node.tokens["GB"]).await;
    client.goto(&format!("{base}{claim_path}")).await.unwrap();
    choose(client, "cosign-confidence", "almost-certain").await;
    type_into(client, "cosign-statement", "The United Kingdom joins.").await;
    click(client, "#action-cosign button[type='submit']").await;
    sign_paste_and_send(client, "GB").await;
    assert_recorded(client).await;
    assert!(text_of(client, "#cosigners").await.contains("GB"));

    // EE asks RU for consultation.
    sign_in(client, &node.base, "EE", &node.tokens["EE"]).await;
    client.goto(&format!("{base}{claim_path}")).await.unwrap();
    type_into(
        client,
        "consultation-facts",
        "A wiper destroyed the grid operator's control servers.",
    )
    .await;
    type_into(
        client,
        "consultation-legal-view",
        "A breach of sovereignty and of norm 13(f).",
    )
    .await;
    click(client, "#remedy-cessation").await;
    click(client, "#remedy-assurances").await;
    click(client, "#action-consultation button[type='submit']").await;
    sign_paste_and_send(client, "EE").await;
    assert_recorded(client).await;

    // RU replies: it denies.
    sign_in(client, &node.base, "RU", &node.tokens["RU"]).await;
    client.goto(&format!("{base}{claim_path}")).await.unwrap();
    choose(client, "reply-position", "deny").await;
    type_into(
        client,
        "reply-statement",
        "The Russian Federation rejects the accusation.",
    )
    .await;
    screenshot(client, "attribution-console-reply").await;
    click(client, "#action-reply button[type='submit']").await;
    sign_paste_and_send(client, "RU").await;
    assert_recorded(client).await;
    assert!(
        text_of(client, ".consultation-reply")
            .await
            .contains("rejects the accusation")
    );

    // EE publishes: every clause now holds.
    sign_in(client, &node.base, "EE", &node.tokens["EE"]).await;
    client.goto(&format!("{base}{claim_path}")).await.unwrap();
    assert!(!text_of(client, "#verdict-allows").await.is_empty());
    click(client, "#action-publish button[type='submit']").await;
    sign_paste_and_send(client, "EE").await;
    assert_recorded(client).await;
    assert_eq!(text_of(client, "#claim-status").await, "published");
    screenshot(client, "attribution-console-claim-published").await;
    client.set_window_size(PHONE.0, PHONE.1).await.unwrap();
    screenshot(client, "attribution-console-claim-phone").await;
    assert_no_sideways_scrolling(client).await;
    client.set_window_size(DESKTOP.0, DESKTOP.1).await.unwrap();
    client
        .goto(&format!("{base}{claim_path}?lang=ar"))
        .await
        .unwrap();
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("html[dir='rtl']"))
        .await
        .unwrap();
    screenshot(client, "attribution-console-claim-arabic").await;
    client
        .goto(&format!("{base}/console?lang=en"))
        .await
        .unwrap();
    click(client, "form[action='/console/sign-out'] button").await;
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id("token"))
        .await
        .unwrap();

    // Anonymous: the public list and the claim page show the claim, GB and RU's reply.
    client
        .goto(&format!("{base}/dashboard/claims"))
        .await
        .unwrap();
    let listing = text_of(client, "table.claims").await;
    assert!(
        listing.contains("EE") && listing.contains("RU"),
        "{listing}"
    );
    screenshot(client, "attribution-public-claims").await;
    click(client, &format!("a[href='/dashboard/claims/{claim_id}']")).await;
    assert!(text_of(client, "#cosigners").await.contains("GB"));
    let reply = text_of(client, "#named-state-reply").await;
    assert!(
        reply.contains("deny") && reply.contains("The Russian Federation rejects the accusation."),
        "{reply}"
    );
    assert!(
        !text_of(client, "main").await.contains("control servers"),
        "the consultation's positions stay with its participants"
    );
    screenshot(client, "attribution-public-claim").await;
    client.set_window_size(PHONE.0, PHONE.1).await.unwrap();
    screenshot(client, "attribution-public-claim-phone").await;
    client.set_window_size(DESKTOP.0, DESKTOP.1).await.unwrap();
    client
        .goto(&format!("{base}/dashboard/claims/{claim_id}?lang=ar"))
        .await
        .unwrap();
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
    assert!(text_of(client, "#cosigners").await.contains("GB"));
    screenshot(client, "attribution-public-claim-arabic").await;

    browser.client.clone().close().await.unwrap();
}
