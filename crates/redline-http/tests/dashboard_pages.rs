#![allow(clippy::unwrap_used)]
//! The dashboard's pages over real HTTP: every public page answers with its content, only
//! TLP:CLEAR incidents are public, languages and direction, and the console's sign-in and
//! incident form with the node's validation messages on the fields; the console's inbox, a
//! thread with its standard forms, and acknowledging by pasting an envelope signed elsewhere.

mod support;

use reqwest::{StatusCode, header, redirect::Policy};

trait FormPost {
    fn form_pairs<K: AsRef<str>, V: AsRef<str>>(self, pairs: &[(K, V)]) -> Self;
}

impl FormPost for reqwest::RequestBuilder {
    fn form_pairs<K: AsRef<str>, V: AsRef<str>>(self, pairs: &[(K, V)]) -> Self {
        self.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(support::form_body(pairs))
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

async fn get(base: &str, path: &str) -> (StatusCode, String) {
    let response = client().get(format!("{base}{path}")).send().await.unwrap();
    let status = response.status();
    (status, response.text().await.unwrap())
}

#[tokio::test]
async fn every_public_page_shows_its_content() {
    let node = support::start().await;
    let (status, overview) = get(&node.base, "/dashboard").await;
    assert_eq!(status, StatusCode::OK);
    assert!(overview.contains("<svg class=\"chart\""), "{overview}");
    assert!(
        overview.contains("id=\"public-incident-count\">8<"),
        "only the eight clear incidents count"
    );
    assert!(
        overview.contains("2007-04"),
        "the month table lists Estonia 2007"
    );
    assert!(
        overview.contains("id=\"acknowledgements-figure\""),
        "the hotline's acknowledgements are counted"
    );
    assert!(
        overview.contains("No data yet: this node has not published"),
        "no log is attached to the test node"
    );

    let (status, listing) = get(&node.base, "/dashboard/incidents").await;
    assert_eq!(status, StatusCode::OK);
    assert!(listing.contains("DDoS and defacement campaign against Estonian government"));
    for id in &node.public_ids {
        assert!(listing.contains(id.as_str()), "{id} is listed");
    }

    let (status, incident) = get(
        &node.base,
        &format!("/dashboard/incidents/{}", node.public_ids[3]),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(incident.contains("WannaCry"), "{incident}");
    assert!(incident.contains("Rule by rule"));
    assert!(incident.contains("class=\"legal-category\""));
    assert!(incident.contains("<time datetime=\"2017-05-12T"));

    let (status, parties) = get(&node.base, "/dashboard/parties").await;
    assert_eq!(status, StatusCode::OK);
    assert!(parties.contains("State RU"));
    let (status, russia) = get(&node.base, "/dashboard/parties/RU").await;
    assert_eq!(status, StatusCode::OK);
    // A party page counts what the party reported and how it kept its duties; it lists no
    // incident a reporter merely suspected it of (five demo incidents suspect Russia).
    assert!(!russia.contains("NotPetya"), "{russia}");
    assert!(russia.contains("id=\"acknowledged-on-time\""), "{russia}");
    let (_, ukraine) = get(&node.base, "/dashboard/parties/UA").await;
    assert!(
        ukraine.contains("baseline 2.1.0"),
        "Ukraine adopted the second version: {ukraine}"
    );

    let (status, norms) = get(&node.base, "/dashboard/norms").await;
    assert_eq!(status, StatusCode::OK);
    assert!(norms.contains("2.0.0") && norms.contains("2.1.0"));
    let documents = node.node.list_norms_documents().await.unwrap();
    let first = documents.iter().find(|d| d.version == "2.0.0").unwrap();
    let second = documents.iter().find(|d| d.version == "2.1.0").unwrap();
    let (status, document) = get(&node.base, &format!("/dashboard/norms/{}", first.sha256)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(document.contains(&first.sha256));
    assert!(document.contains("Red lines"));
    let (status, difference) = get(
        &node.base,
        &format!("/dashboard/norms/{}/diff/{}", first.sha256, second.sha256),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        difference.contains("<del><span class=\"mark\">−</span> version = &#34;2.0.0&#34;</del>"),
        "{difference}"
    );
    assert!(
        difference.contains("<ins><span class=\"mark\">+</span> version = &#34;2.1.0&#34;</ins>")
    );

    let (status, verify) = get(&node.base, "/dashboard/verify").await;
    assert_eq!(status, StatusCode::OK);
    assert!(verify.contains("redline log verify http://127.0.0.1:"));
    assert!(verify.contains("redline log key http://127.0.0.1:"));
}

#[tokio::test]
async fn restricted_incidents_are_not_found_on_public_pages() {
    let node = support::start().await;
    for id in &node.restricted_ids {
        let (status, body) = get(&node.base, &format!("/dashboard/incidents/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        for secret in &node.secrets {
            assert!(!body.contains(secret.as_str()));
        }
    }
    let (status, _) = get(&node.base, "/dashboard/incidents/not-an-id").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn language_from_query_cookie_and_accept_language() {
    let node = support::start().await;
    let response = client()
        .get(format!("{}/dashboard?lang=ar", node.base))
        .send()
        .await
        .unwrap();
    let cookie = response
        .headers()
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("redline_lang=ar"));
    let body = response.text().await.unwrap();
    assert!(body.contains("<html lang=\"ar\" dir=\"rtl\">"), "{body}");

    let body = client()
        .get(format!("{}/dashboard/incidents", node.base))
        .header(header::COOKIE, "redline_lang=fr")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("<html lang=\"fr\" dir=\"ltr\">"));

    let body = client()
        .get(format!("{}/dashboard/norms", node.base))
        .header(header::ACCEPT_LANGUAGE, "de-DE, zh-CN;q=0.8, en;q=0.5")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("<html lang=\"zh\" dir=\"ltr\">"));
}

fn csrf_of(body: &str) -> String {
    let start = body.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    body[start..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn console_sign_in_and_incident_form_errors_on_fields() {
    let node = support::start().await;
    let http = client();
    let refused = http
        .post(format!("{}/console/sign-in", node.base))
        .form_pairs(&[("token", "rl_nope_nope")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let cross_site = http
        .post(format!("{}/console/sign-in", node.base))
        .header(header::ORIGIN, "http://evil.example")
        .form_pairs(&[("token", node.tokens["EE"].as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), StatusCode::FORBIDDEN);

    let signed = http
        .post(format!("{}/console/sign-in", node.base))
        .form_pairs(&[("token", node.tokens["EE"].as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), StatusCode::SEE_OTHER);
    let cookie = support::session_cookie(&signed).unwrap();
    let form = http
        .get(format!("{}/console/incidents/new", node.base))
        .header(header::COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&form);

    let fields = |victim: &str, csrf: &str| {
        vec![
            ("csrf", csrf.to_string()),
            ("title", "Water utility intrusion".to_string()),
            ("victim", victim.to_string()),
            ("first_observed", "2026-01-02T03:04:05Z".to_string()),
            ("status", "confirmed".to_string()),
            ("tlp", "clear".to_string()),
            ("target_sector", "water".to_string()),
            ("target_country", "EE".to_string()),
            ("people_affected", "many".to_string()),
            ("effect_kind", "disruption".to_string()),
        ]
    };
    let without_csrf = http
        .post(format!("{}/console/incidents/new", node.base))
        .header(header::COOKIE, &cookie)
        .form_pairs(&fields("EE", "wrong"))
        .send()
        .await
        .unwrap();
    assert_eq!(without_csrf.status(), StatusCode::FORBIDDEN);

    let bad = http
        .post(format!("{}/console/incidents/new", node.base))
        .header(header::COOKIE, &cookie)
        .form_pairs(&fields("EE", &csrf))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = bad.text().await.unwrap();
    assert!(body.contains("id=\"people_affected-error\""), "{body}");
    assert!(
        body.contains("value=\"Water utility intrusion\""),
        "the form keeps what was typed"
    );

    let mut good = fields("XX", &csrf);
    good.retain(|(name, _)| *name != "people_affected");
    let bad_victim = http
        .post(format!("{}/console/incidents/new", node.base))
        .header(header::COOKIE, &cookie)
        .form_pairs(&good)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(bad_victim.contains("id=\"victim-error\""), "{bad_victim}");
    assert!(bad_victim.contains("ISO 3166-1"));

    let good: Vec<(&str, String)> = good
        .into_iter()
        .map(|(k, v)| {
            if k == "victim" {
                (k, "EE".to_string())
            } else {
                (k, v)
            }
        })
        .collect();
    let accepted = http
        .post(format!("{}/console/incidents/new", node.base))
        .header(header::COOKIE, &cookie)
        .form_pairs(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
    let location = accepted.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    assert!(location.starts_with("/console?submitted=incident--"));
    let (_, listing) = get(&node.base, "/dashboard/incidents").await;
    assert!(
        listing.contains("Water utility intrusion"),
        "a clear incident is public at once"
    );

    let signed_out = http
        .post(format!("{}/console/sign-out", node.base))
        .header(header::COOKIE, &cookie)
        .form_pairs(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status(), StatusCode::SEE_OTHER);
    let after = http
        .get(format!("{}/console", node.base))
        .header(header::COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::SEE_OTHER, "the session ended");
}

fn attribute_of(body: &str, attribute: &str) -> String {
    let marker = format!("{attribute}=\"");
    let start = body.find(&marker).unwrap() + marker.len();
    body[start..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn console_inbox_thread_and_a_pasted_acknowledgement() {
    let node = support::start().await;
    let http = client();
    let signed = http
        .post(format!("{}/console/sign-in", node.base))
        .form_pairs(&[("token", node.tokens["UA"].as_str())])
        .send()
        .await
        .unwrap();
    let cookie = support::session_cookie(&signed).unwrap();
    let page = |path: String| {
        let http = http.clone();
        let cookie = cookie.clone();
        let base = node.base.clone();
        async move {
            let response = http
                .get(format!("{base}{path}"))
                .header(header::COOKIE, &cookie)
                .send()
                .await
                .unwrap();
            (response.status(), response.text().await.unwrap())
        }
    };
    let (status, inbox) = page("/console".into()).await;
    assert_eq!(status, StatusCode::OK);
    let pending = &node.pending_thread;
    assert!(
        inbox.contains(&format!("/console/threads/{pending}")),
        "{inbox}"
    );
    assert!(
        inbox.contains("class=\"countdown\""),
        "a deadline with a countdown"
    );
    assert!(inbox.contains("Your acknowledgement is awaited"));

    let thread_path = format!("/console/threads/{pending}");
    let (status, thread) = page(thread_path.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        thread.contains("Pending notification SECRETMSG4ZQX"),
        "free text shown"
    );
    assert!(thread.contains("id=\"action-acknowledgement\""));
    assert!(
        thread.contains("data-state=\"delivered\""),
        "reading it delivered it"
    );
    let csrf = csrf_of(&thread);
    // In French, the standard form is French.
    let (_, french) = page(format!("{thread_path}?lang=fr")).await;
    assert!(french.contains("lang=\"fr\""));

    // A wrong CSRF token prepares nothing.
    let forged = http
        .post(format!("{}{thread_path}/prepare", node.base))
        .header(header::COOKIE, &cookie)
        .form_pairs(&[("csrf", "nope"), ("kind", "acknowledgement")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);

    // Prepare without JavaScript: the payload to sign elsewhere and a field to paste into.
    let prepared = http
        .post(format!("{}{thread_path}/prepare", node.base))
        .header(header::COOKIE, &cookie)
        .form_pairs(&[("csrf", csrf.as_str()), ("kind", "acknowledgement")])
        .send()
        .await
        .unwrap();
    assert_eq!(prepared.status(), StatusCode::OK);
    let prepared = prepared.text().await.unwrap();
    assert!(prepared.contains("redline sign --key"));
    use base64::Engine;
    let payload = base64::engine::general_purpose::STANDARD
        .decode(attribute_of(&prepared, "data-payload"))
        .unwrap();
    let envelope = redline_hotline::Envelope::sign(
        redline_hotline::MESSAGE_PAYLOAD_TYPE,
        payload,
        &support::key_of("UA"),
    );
    let envelope = String::from_utf8(envelope.to_json_bytes()).unwrap();

    // Someone else's signature is refused by the node, and the page says why.
    let wrong = redline_hotline::Envelope::sign(
        redline_hotline::MESSAGE_PAYLOAD_TYPE,
        b"{}".to_vec(),
        &support::key_of("EE"),
    );
    let refused = http
        .post(format!("{}/console/messages", node.base))
        .header(header::COOKIE, &cookie)
        .form_pairs(&[
            ("csrf", csrf.as_str()),
            ("thread", pending.as_str()),
            (
                "envelope",
                std::str::from_utf8(&wrong.to_json_bytes()).unwrap(),
            ),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("id=\"refused\""));

    let sent = http
        .post(format!("{}/console/messages", node.base))
        .header(header::COOKIE, &cookie)
        .form_pairs(&[
            ("csrf", csrf.as_str()),
            ("thread", pending.as_str()),
            ("envelope", envelope.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let (_, after) = page(format!("{thread_path}?sent=1")).await;
    assert!(after.contains("data-state=\"acknowledged\""), "{after}");
    assert!(
        !after.contains("id=\"action-acknowledgement\""),
        "nothing left to acknowledge"
    );

    // The JSON path the page's script uses.
    let (_, thread) = page(thread_path.clone()).await;
    let csrf = csrf_of(&thread);
    let prepared: serde_json::Value = http
        .post(format!("{}{thread_path}/prepare", node.base))
        .header(header::COOKIE, &cookie)
        .header(header::ACCEPT, "application/json")
        .form_pairs(&[
            ("csrf", csrf.as_str()),
            ("kind", "response"),
            ("text", "We are on it."),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        prepared["payload_type"],
        redline_hotline::MESSAGE_PAYLOAD_TYPE
    );
    assert!(
        prepared["payload"]
            .as_str()
            .unwrap()
            .contains("We are on it.")
    );

    // Another party may not read the thread.
    let other = http
        .post(format!("{}/console/sign-in", node.base))
        .form_pairs(&[("token", node.tokens["GB"].as_str())])
        .send()
        .await
        .unwrap();
    let other_cookie = support::session_cookie(&other).unwrap();
    let hidden = http
        .get(format!("{}{thread_path}", node.base))
        .header(header::COOKIE, &other_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
}
