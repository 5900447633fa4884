#![allow(clippy::unwrap_used)]
//! Restricted incidents never reach a public page: seeds `amber`, `amber+strict`, `red` (and
//! `green`, which is for signed-in parties only) incidents with marker strings, crawls every
//! public page from `/dashboard` by following every link on the node, in every language, and
//! finds none of their titles, descriptions, references or ids — nor anything of the amber and
//! red hotline threads about them (free text, thread ids), though the public scorecards count
//! their timeliness.

mod support;

use std::collections::{BTreeSet, VecDeque};

use reqwest::StatusCode;

/// Every `href="…"` of a page that stays on this node (no external links, no API writes).
fn links(body: &str) -> Vec<String> {
    body.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|href| href.replace("&amp;", "&"))
        .filter(|href| href.starts_with('/') && !href.starts_with("//"))
        .collect()
}

#[tokio::test]
async fn no_restricted_content_on_any_public_page() {
    let node = support::start().await;
    let http = reqwest::Client::new();
    let mut forbidden: Vec<String> = node.secrets.clone();
    forbidden.extend(node.restricted_ids.iter().cloned());
    let mut seen = BTreeSet::new();
    let mut queue: VecDeque<String> = ["/dashboard", "/console", "/console/sign-in"]
        .into_iter()
        .map(String::from)
        .collect();
    // Also start from each language, so every translated page is crawled.
    for language in ["en", "fr", "es", "ru", "zh", "ar"] {
        queue.push_back(format!("/dashboard?lang={language}"));
    }
    let mut pages = 0;
    while let Some(path) = queue.pop_front() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let response = http
            .get(format!("{}{path}", node.base))
            .send()
            .await
            .unwrap();
        let status = response.status();
        assert!(
            status == StatusCode::OK,
            "{path} answered {status}; every link of a public page must work"
        );
        let body = response.text().await.unwrap();
        pages += 1;
        for secret in &forbidden {
            assert!(
                !body.contains(secret.as_str()),
                "{path} shows restricted content {secret}"
            );
        }
        for link in links(&body) {
            if !seen.contains(&link) {
                queue.push_back(link);
            }
        }
        assert!(pages < 2000, "the crawl does not end");
    }
    assert!(pages >= 20, "crawled only {pages} pages: {seen:?}");
    assert!(
        forbidden
            .iter()
            .any(|secret| secret.starts_with("SECRETMSG")),
        "hotline markers are among the secrets"
    );
    // The hotline threads are counted publicly: EE acknowledged UA's amber notification and
    // answered the red one with a clarification request (which acknowledges it).
    let scorecard = http
        .get(format!("{}/dashboard/parties/EE", node.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        scorecard.contains("id=\"acknowledged-on-time\">2 / 2"),
        "EE's acknowledgements are counted"
    );
    for id in &node.public_ids {
        assert!(
            seen.contains(&format!("/dashboard/incidents/{id}")),
            "{id} was reached"
        );
    }
}
