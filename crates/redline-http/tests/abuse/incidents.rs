//! Abuse cases: incidents (`/api/v1/incidents…`) and the public pages that show them.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Actor, request, support};

fn report(reporter: &str, tlp: &str, title: &str, shared_with: &[&str]) -> Value {
    json!({
        "title": title,
        "description": format!("{title} — description"),
        "reported_by": reporter,
        "victim": reporter,
        "first_observed": "2026-03-01T08:00:00Z",
        "status": "confirmed",
        "tlp": tlp,
        "targets": [{ "sector": "energy", "country": reporter, "essential_service": true }],
        "effects": [{ "kind": "disruption", "duration_hours": 4, "scale": "local" }],
        "shared_with": shared_with,
    })
}

async fn submit(node: &support::DashboardNode, party: &str, body: &Value) -> String {
    let (status, created) = request(
        node,
        Actor::Party(party),
        Method::POST,
        "/api/v1/incidents",
        Some(body),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["id"].as_str().unwrap().to_string()
}

async fn update(node: &support::DashboardNode, party: &str, id: &str, version: u32, body: &Value) {
    let if_match = format!("\"v{version}\"");
    let (status, answer) = request(
        node,
        Actor::Party(party),
        Method::PUT,
        &format!("/api/v1/incidents/{id}"),
        Some(body),
        &[("if-match", &if_match)],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

async fn version_titles(node: &support::DashboardNode, actor: Actor<'_>, id: &str) -> Vec<String> {
    let (status, versions) = request(
        node,
        actor,
        Method::GET,
        &format!("/api/v1/incidents/{id}/versions"),
        None,
        &[],
    )
    .await;
    if status == StatusCode::NOT_FOUND {
        return Vec::new();
    }
    assert_eq!(status, StatusCode::OK, "{versions}");
    let list = versions["versions"]
        .as_array()
        .or_else(|| versions.as_array())
        .cloned()
        .unwrap_or_default();
    list.iter()
        .map(|version| version["report"]["title"].as_str().unwrap().to_string())
        .collect()
}

/// Rule: each version keeps its own readers. A `red` version stays closed to a party that may
/// read a later `clear` one (finding 16.1, the downgrade).
#[tokio::test]
async fn a_red_version_stays_closed_after_a_downgrade_to_clear() {
    let node = support::start().await;
    let id = submit(&node, "EE", &report("EE", "red", "RED-ONLY-TITLE-AQ1", &[])).await;
    update(
        &node,
        "EE",
        &id,
        1,
        &report("EE", "clear", "Public title", &[]),
    )
    .await;
    for outsider in ["GB", "RU", "UA"] {
        let titles = version_titles(&node, Actor::Party(outsider), &id).await;
        assert_eq!(titles, vec!["Public title".to_string()], "{outsider}");
    }
    let titles = version_titles(&node, Actor::Party("EE"), &id).await;
    assert_eq!(titles, vec!["RED-ONLY-TITLE-AQ1", "Public title"]);
    // Anonymous visitors read no API version at all, and no public page shows the red one.
    let (status, _) = request(
        &node,
        Actor::Anonymous,
        Method::GET,
        &format!("/api/v1/incidents/{id}/versions"),
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let page = reqwest::get(format!("{}/dashboard/incidents/{id}", node.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("RED-ONLY-TITLE-AQ1"));
}

/// Rule: a party added to `shared_with` later reads the versions shared with it, not the
/// earlier ones (finding 16.1, widening).
#[tokio::test]
async fn widening_shared_with_does_not_open_earlier_versions() {
    let node = support::start().await;
    let id = submit(&node, "EE", &report("EE", "amber", "Before GB AQ2", &[])).await;
    update(
        &node,
        "EE",
        &id,
        1,
        &report("EE", "amber", "Shared with GB", &["GB"]),
    )
    .await;
    assert_eq!(
        version_titles(&node, Actor::Party("GB"), &id).await,
        vec!["Shared with GB".to_string()]
    );
    assert!(
        version_titles(&node, Actor::Party("RU"), &id)
            .await
            .is_empty()
    );
    // Narrowing again closes the latest version to GB; the version shared with it stays.
    update(
        &node,
        "EE",
        &id,
        2,
        &report("EE", "amber", "Closed again", &[]),
    )
    .await;
    let (status, _) = request(
        &node,
        Actor::Party("GB"),
        Method::GET,
        &format!("/api/v1/incidents/{id}"),
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        version_titles(&node, Actor::Party("GB"), &id).await,
        vec!["Shared with GB".to_string()]
    );
}

/// Rule: an id taken by an incident the caller may not read answers exactly as an id taken by
/// one it may read (finding 16.12); nothing is stored.
#[tokio::test]
async fn a_taken_id_answers_the_same_whether_or_not_the_caller_may_read_it() {
    let node = support::start().await;
    let red_of_ua = node.restricted_ids[2].clone();
    let own = submit(&node, "RU", &report("RU", "green", "RU's own", &[])).await;
    let mut answers = Vec::new();
    for id in [&red_of_ua, &own] {
        let mut body = report("RU", "green", "Probe AQ3", &[]);
        body["id"] = json!(id);
        let (status, answer) = request(
            &node,
            Actor::Party("RU"),
            Method::POST,
            "/api/v1/incidents",
            Some(&body),
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{answer}");
        answers.push(
            answer["error"]["message"]
                .as_str()
                .unwrap()
                .replace(id.as_str(), "ID"),
        );
    }
    assert_eq!(answers[0], answers[1]);
    // The red incident is untouched and still closed to RU.
    let (status, _) = request(
        &node,
        Actor::Party("RU"),
        Method::GET,
        &format!("/api/v1/incidents/{red_of_ua}"),
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// Rule: free text carries no control characters but tab and line breaks (finding 16,
/// partial: NUL), the error names the field; bidirectional overrides are accepted and
/// isolated on every page that shows them.
#[tokio::test]
async fn control_characters_are_refused_and_bidirectional_text_is_isolated() {
    let node = support::start().await;
    for (field, value) in [
        ("title", "NUL \u{0} in the title"),
        ("description", "escape \u{1b}[2J clears a terminal"),
    ] {
        let mut body = report("EE", "clear", "Fine title", &[]);
        body[field] = json!(value);
        let (status, answer) = request(
            &node,
            Actor::Party("EE"),
            Method::POST,
            "/api/v1/incidents",
            Some(&body),
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(answer["error"]["issues"][0]["path"], field, "{answer}");
    }
    let title = "Override \u{202E}gnp.exe AQ4";
    let id = submit(&node, "EE", &report("EE", "clear", title, &[])).await;
    for path in [
        format!("/dashboard/incidents/{id}"),
        "/dashboard/incidents".to_string(),
    ] {
        let page = reqwest::get(format!("{}{path}", node.base))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains(&format!("<bdi>{title}</bdi>")),
            "{path} does not isolate the title"
        );
    }
}

/// Rule: without a token, or with a revoked one, no incident route answers with content.
#[tokio::test]
async fn anonymous_and_revoked_callers_read_no_incident() {
    let node = support::start().await;
    let id = node.public_ids[0].clone();
    let revoked = node.tokens["KP"].clone();
    let token_id = revoked.split('_').nth(1).unwrap().to_string();
    node.node
        .revoke_token(&redline_node::Caller::Operator, &token_id)
        .await
        .unwrap();
    for actor in [Actor::Anonymous, Actor::Token(&revoked)] {
        for path in [
            "/api/v1/incidents".to_string(),
            format!("/api/v1/incidents/{id}"),
            format!("/api/v1/incidents/{id}/versions"),
            format!("/api/v1/incidents/{id}/assessment"),
        ] {
            let (status, _) = request(&node, actor, Method::GET, &path, None, &[]).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{actor:?} {path}");
        }
        let (status, _) = request(
            &node,
            actor,
            Method::POST,
            "/api/v1/incidents",
            Some(&report("KP", "clear", "Should not land", &[])),
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{actor:?}");
    }
}

/// Rule: a reporter's suspected origin is for the report's readers only — no public page, list,
/// scorecard or public assessment names the suspected state (a state is named in public only
/// through an attribution claim); the readers still see it over the API.
#[tokio::test]
async fn a_reporters_suspicion_never_reaches_a_public_page_or_count() {
    let node = support::start().await;
    let mut body = report("EE", "clear", "Grid operator disrupted AQ5", &[]);
    body["targets"] = json!([{ "sector": "energy", "country": "EE", "essential_service": true }]);
    body["suspected_origin"] = json!({ "state": "ZW", "confidence": "very-likely", "basis": ["technical"], "relationship": "state-organ" });
    let id = submit(&node, "EE", &body).await;
    for path in [
        format!("/dashboard/incidents/{id}"),
        "/dashboard/incidents".to_string(),
        "/dashboard/parties".to_string(),
        "/dashboard/parties/EE".to_string(),
        "/dashboard".to_string(),
    ] {
        let page = reqwest::get(format!("{}{path}", node.base))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("AQ5") || !path.contains(&id),
            "{path} lost the incident"
        );
        assert!(!page.contains("ZW"), "{path} names the suspected state");
    }
    // The incident page still shows the assessment, in words that name no state.
    let page = reqwest::get(format!("{}/dashboard/incidents/{id}", node.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("the suspected state"), "{page}");
    // A reader sees the suspicion over the API.
    let (status, read) = request(
        &node,
        Actor::Party("GB"),
        Method::GET,
        &format!("/api/v1/incidents/{id}"),
        None,
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["report"]["suspected_origin"]["state"], "ZW");
}
