#![allow(clippy::unwrap_used)]
//! Commitments over HTTP: a signed adoption moves the norms listing and shows as signed on the
//! public adoptions; a report is filed and versioned; a peer-review round runs from opening to
//! its published summary through the API; the survey's questions answer in each of the six UN
//! languages with their sources; and every route is in the OpenAPI document.

#[path = "support/mod.rs"]
mod support;

use redline_hotline::sign_record;
use redline_model::commitments::{
    ADOPTION_PAYLOAD_TYPE, IMPLEMENTATION_REPORT_PAYLOAD_TYPE, PEER_REVIEW_PAYLOAD_TYPE,
    REVIEW_ANSWER_PAYLOAD_TYPE, REVIEW_ROUND_CLOSING_PAYLOAD_TYPE,
    REVIEW_ROUND_OPENING_PAYLOAD_TYPE,
};
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

async fn post(
    node: &support::DashboardNode,
    party: &str,
    path: &str,
    payload_type: &str,
    payload: &Value,
) -> (StatusCode, Value) {
    let body = sign_record(
        payload_type,
        serde_json::to_vec(payload).unwrap(),
        &support::key_of(party),
    );
    node.post_json(party, path, body).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adoptions_reports_and_a_review_round_over_http_reach_the_public_record() {
    let node = support::start().await;
    let now = node.node.now();
    let baseline = node.node.list_norms_documents().await.unwrap()[0]
        .sha256
        .clone();

    // A signed adoption.
    let (status, body) = post(
        &node,
        "GB",
        "/api/v1/adoptions",
        ADOPTION_PAYLOAD_TYPE,
        &json!({"v": 1, "party": "GB", "document": baseline, "action": "adopt", "signed_at": now}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = node.get_json(None, "/api/v1/adoptions").await;
    assert_eq!(status, StatusCode::OK);
    let gb = body["adoptions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|adoption| adoption["party"] == "GB")
        .unwrap();
    assert_eq!(gb["signature"], "signed");
    assert_eq!(gb["in_force"], true);
    let (_, norms) = node.get_json(Some("GB"), "/api/v1/norms").await;
    assert!(norms.to_string().contains("\"GB\""), "{norms}");

    // A clear report, then its second version.
    let id = Uuid::new_v4();
    let report = |version: u32, level: &str| {
        json!({
            "v": 1, "id": id, "version": version, "party": "GB", "period": "2026",
            "norms": [{"norm": "13(g)", "level": level, "measures": "CNI designated by statute"}],
            "survey": [{"item": "critical-infrastructure-designated", "level": level, "measures": "13 sectors"}],
            "tlp": "clear", "signed_at": now
        })
    };
    let (status, body) = post(
        &node,
        "GB",
        "/api/v1/implementation-reports",
        IMPLEMENTATION_REPORT_PAYLOAD_TYPE,
        &report(1, "planned"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = post(
        &node,
        "GB",
        "/api/v1/implementation-reports",
        IMPLEMENTATION_REPORT_PAYLOAD_TYPE,
        &report(2, "implemented"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["versions"].as_array().unwrap().len(), 2);
    let (status, body) = node
        .get_json(None, &format!("/api/v1/public/implementation-reports/{id}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["versions"][1]["record"]["version"], 2);
    let (_, body) = node.get_json(None, "/api/v1/public/commitments/GB").await;
    let level = body["norms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["norm"] == "13(g)")
        .unwrap()["level"]
        .clone();
    assert_eq!(level, "implemented");

    // A round from opening to its published summary.
    let round = Uuid::new_v4();
    let (status, body) = post(
        &node,
        "GB",
        "/api/v1/review-rounds",
        REVIEW_ROUND_OPENING_PAYLOAD_TYPE,
        &json!({
            "v": 1, "round": round, "secretariat": "GB", "title": "Baltic round",
            "reviewed": ["EE"], "reviewers": ["UA", "US"], "norms": ["13(g)", "13(h)"],
            "deadline": now.plus_seconds(3 * 86_400).unwrap(), "signed_at": now
        }),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["status"], "open");
    for reviewer in ["UA", "US"] {
        let (status, body) = post(&node, reviewer, &format!("/api/v1/review-rounds/{round}/reviews"), PEER_REVIEW_PAYLOAD_TYPE, &json!({
            "v": 1, "round": round, "reviewer": reviewer, "reviewed": "EE",
            "ratings": [{"norm": "13(g)", "rating": "meets", "comment": "designation published"}],
            "signed_at": now
        })).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, body) = post(&node, "EE", &format!("/api/v1/review-rounds/{round}/answers"), REVIEW_ANSWER_PAYLOAD_TYPE, &json!({
        "v": 1, "round": round, "party": "EE", "answers": [{"norm": "13(h)", "text": "assistance desk staffed"}], "signed_at": now
    })).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = node
        .get_json(Some("EE"), &format!("/api/v1/review-rounds/{round}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body["duties"]
            .as_array()
            .unwrap()
            .iter()
            .all(|duty| duty["outcome"] == "met"),
        "{body}"
    );
    let (status, body) = post(&node, "GB", &format!("/api/v1/review-rounds/{round}/closing"), REVIEW_ROUND_CLOSING_PAYLOAD_TYPE, &json!({
        "v": 1, "round": round, "secretariat": "GB", "summary": "EE meets 13(g).", "signed_at": now
    })).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = node
        .get_json(None, &format!("/api/v1/public/review-rounds/{round}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["summary"], "EE meets 13(g).");
    let tally = body["tally"].as_array().unwrap();
    assert_eq!(tally[0]["norm"], "13(g)");
    assert_eq!(tally[0]["meets"], 2);
    assert!(
        !body.to_string().contains("designation published"),
        "comments stay private"
    );
    let page = reqwest::get(format!("{}/dashboard/review-rounds/{round}", node.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("EE meets 13(g)."));
    let comparison = reqwest::get(format!("{}/dashboard/commitments", node.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(comparison.contains("Baltic round"));
    assert!(comparison.contains("<svg"), "the chart is drawn");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_survey_answers_in_the_six_languages_with_its_sources_and_every_route_is_documented() {
    let node = support::start().await;
    let mut questions = std::collections::BTreeSet::new();
    for language in ["ar", "zh", "en", "fr", "ru", "es"] {
        let (status, body) = node
            .get_json(
                None,
                &format!("/api/v1/implementation-survey?lang={language}"),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["norms"].as_array().unwrap().len(), 11);
        assert_eq!(body["survey"].as_array().unwrap().len(), 8);
        assert!(body["sources"][0].as_str().unwrap().contains("A/70/174"));
        assert!(body["sources"][1].as_str().unwrap().contains("UNIDIR"));
        questions.insert(body["survey"][0]["question"].as_str().unwrap().to_string());
    }
    assert_eq!(questions.len(), 6, "each language has its own text");
    let (status, body) = node
        .get_json(None, "/api/v1/implementation-survey?lang=de")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["path"], "lang");
    let (_, openapi) = node.get_json(None, "/api/openapi.json").await;
    for path in [
        "/api/v1/adoptions",
        "/api/v1/implementation-reports",
        "/api/v1/implementation-reports/{id}",
        "/api/v1/review-rounds",
        "/api/v1/review-rounds/{id}",
        "/api/v1/review-rounds/{id}/reviews",
        "/api/v1/review-rounds/{id}/answers",
        "/api/v1/review-rounds/{id}/closing",
        "/api/v1/commitments",
        "/api/v1/public/commitments",
        "/api/v1/public/commitments/{party}",
        "/api/v1/public/implementation-reports/{id}",
        "/api/v1/public/review-rounds/{id}",
        "/api/v1/implementation-survey",
        "/api/v1/capacity-building",
        "/api/v1/public/capacity-building",
    ] {
        assert!(
            openapi["paths"].get(path).is_some(),
            "{path} is not documented"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hotline_duties_are_kept_per_incident_for_the_party_and_counted_by_month_in_public() {
    let node = support::start().await;
    // EE acknowledged UA's amber notification in time (the kit's hotline threads).
    let (status, body) = node.get_json(Some("EE"), "/api/v1/parties/EE/duties").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let duties = body["duties"].as_array().unwrap();
    assert!(
        duties.iter().any(|duty| duty["duty"] == "acknowledge"
            && duty["outcome"] == "met"
            && duty["incident"].is_string()),
        "{body}"
    );
    // Another party does not read EE's duties per incident.
    let (status, _) = node.get_json(Some("UA"), "/api/v1/parties/EE/duties").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The public record counts them by month and kind, without incidents or threads.
    let (_, public) = node.get_json(None, "/api/v1/public/commitments").await;
    let ee = public["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|view| view["party"] == "EE")
        .unwrap();
    let acknowledged: u64 = ee["duties_kept"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| row["duty"] == "acknowledge")
        .map(|row| row["met"].as_u64().unwrap())
        .sum();
    assert!(acknowledged >= 2, "{ee}");
    assert!(!public["duties_over_time"].as_array().unwrap().is_empty());
    let text = public.to_string();
    for id in &node.restricted_ids {
        assert!(!text.contains(id.as_str()), "the public record names {id}");
    }
    let page = reqwest::get(format!("{}/dashboard/commitments/EE", node.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("acknowledge a hotline notification"),
        "the party page shows its duties"
    );
}
