#![allow(clippy::unwrap_used)]
//! A peer-review round through the console in a real browser (chromium over WebDriver, as
//! `dashboard_browser.rs`), from opening to the published summary: GB, the secretariat, opens
//! the round by pasting its signed opening; UA reviews EE; RU, not a participant, is refused
//! with the reason shown; EE answers; GB closes it; an anonymous reader then finds the
//! published summary, the tally and the duties kept on the public pages, in English and Arabic,
//! and none of the reviewers' comments. Every record is signed outside the server with the
//! party's key (as `redline sign` would) and pasted. Screenshots go to
//! `<target>/dashboard-screenshots/commitments-*.png`.
//!
//! Without chromium and chromedriver the test is skipped with a message, unless
//! `REQUIRE_BROWSER=1` (as `scripts/test` sets it), when it fails.

#[path = "support/browser.rs"]
mod browser;
mod support;

use browser::{click_and_wait_for_navigation, screenshot, sign_in, text_of};
use fantoccini::{Client, Locator};
use redline_model::commitments::{
    PEER_REVIEW_PAYLOAD_TYPE, REVIEW_ANSWER_PAYLOAD_TYPE, REVIEW_ROUND_CLOSING_PAYLOAD_TYPE,
    REVIEW_ROUND_OPENING_PAYLOAD_TYPE,
};
use serde_json::{Value, json};

/// From the console's home: opens the commitments page, chooses `kind`, pastes `payload`
/// signed by `party` and sends it.
async fn send_signed(
    client: &Client,
    party: &str,
    kind: &str,
    payload_type: &str,
    payload: &Value,
) {
    click_and_wait_for_navigation(client, "#console-commitments-link").await;
    client
        .find(Locator::Id("kind"))
        .await
        .unwrap()
        .select_by_value(kind)
        .await
        .unwrap();
    let envelope = redline_hotline::sign_record(
        payload_type,
        serde_json::to_vec(payload).unwrap(),
        &support::key_of(party),
    );
    client
        .execute(
            "document.getElementById('envelope').value = arguments[0]; return true",
            vec![Value::from(String::from_utf8(envelope).unwrap())],
        )
        .await
        .unwrap();
    click_and_wait_for_navigation(client, "#send-commitment button[type='submit']").await;
}

async fn go_home(client: &Client, node: &support::DashboardNode) {
    client
        .goto(&format!("{}/console?lang=en", node.base))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_review_round_from_opening_to_the_published_summary_in_chromium() {
    let Some(browser) = browser::browser().await else {
        return;
    };
    let node = support::start().await;
    let client = &browser.client;
    let base = &node.base;
    let now = node.node.now();
    let round = uuid::Uuid::new_v4();

    // GB opens the round.
    sign_in(client, &node.base, "GB", &node.tokens["GB"]).await;
    send_signed(client, "GB", "review-round-opening", REVIEW_ROUND_OPENING_PAYLOAD_TYPE, &json!({
        "v": 1, "round": round, "secretariat": "GB", "title": "Review of norm 13(h) in the Baltic",
        "reviewed": ["EE"], "reviewers": ["UA"], "norms": ["13(h)"],
        "deadline": now.plus_seconds(5 * 86_400).unwrap(), "signed_at": now
    }))
    .await;
    assert!(
        text_of(client, "#round-title")
            .await
            .contains("Review of norm 13(h)")
    );
    assert_eq!(text_of(client, "#round-status").await, "open");
    screenshot(client, "commitments-console-round-opened").await;

    // UA reviews EE.
    sign_in(client, &node.base, "UA", &node.tokens["UA"]).await;
    send_signed(client, "UA", "peer-review", PEER_REVIEW_PAYLOAD_TYPE, &json!({
        "v": 1, "round": round, "reviewer": "UA", "reviewed": "EE",
        "ratings": [{"norm": "13(h)", "rating": "partly-meets", "comment": "Requests answered, but slowly (reviewer's comment)"}],
        "signed_at": node.node.now()
    }))
    .await;
    assert!(text_of(client, "main").await.contains("reviewer's comment"));

    // RU is not a participant: refused, and the page says why.
    sign_in(client, &node.base, "RU", &node.tokens["RU"]).await;
    send_signed(
        client,
        "RU",
        "peer-review",
        PEER_REVIEW_PAYLOAD_TYPE,
        &json!({
            "v": 1, "round": round, "reviewer": "RU", "reviewed": "EE",
            "ratings": [{"norm": "13(h)", "rating": "does-not-meet", "comment": "x"}],
            "signed_at": node.node.now()
        }),
    )
    .await;
    assert!(text_of(client, "#refusal").await.contains("not found"));
    screenshot(client, "commitments-console-refused").await;

    // EE answers; GB closes.
    sign_in(client, &node.base, "EE", &node.tokens["EE"]).await;
    go_home(client, &node).await;
    send_signed(
        client,
        "EE",
        "review-answer",
        REVIEW_ANSWER_PAYLOAD_TYPE,
        &json!({
            "v": 1, "round": round, "party": "EE",
            "answers": [{"norm": "13(h)", "text": "A 24/7 desk now answers within the hour."}],
            "signed_at": node.node.now()
        }),
    )
    .await;
    assert!(text_of(client, "main").await.contains("24/7 desk"));
    sign_in(client, &node.base, "GB", &node.tokens["GB"]).await;
    send_signed(client, "GB", "review-round-closing", REVIEW_ROUND_CLOSING_PAYLOAD_TYPE, &json!({
        "v": 1, "round": round, "secretariat": "GB",
        "summary": "EE partly meets norm 13(h); the round recommends a staffed assistance desk.",
        "signed_at": node.node.now()
    }))
    .await;
    click_and_wait_for_navigation(client, "#published-link a").await;

    // The public summary, for anyone, in English and in Arabic, without the comments.
    client.delete_all_cookies().await.unwrap();
    client
        .goto(&format!("{base}/dashboard/review-rounds/{round}?lang=en"))
        .await
        .unwrap();
    assert!(
        text_of(client, "#round-summary")
            .await
            .contains("staffed assistance desk")
    );
    let page = text_of(client, "main").await;
    assert!(page.contains("partly meets"), "{page}");
    assert!(
        !page.contains("reviewer's comment"),
        "comments stay with the participants"
    );
    assert!(
        !page.contains("24/7 desk"),
        "answers stay with the participants"
    );
    screenshot(client, "commitments-published-round").await;
    client
        .goto(&format!("{base}/dashboard/commitments?lang=ar"))
        .await
        .unwrap();
    assert_eq!(
        client
            .find(Locator::Css("html"))
            .await
            .unwrap()
            .attr("dir")
            .await
            .unwrap()
            .as_deref(),
        Some("rtl")
    );
    assert!(
        text_of(client, "main")
            .await
            .contains("Review of norm 13(h)")
    );
    screenshot(client, "commitments-comparison-arabic").await;
}
