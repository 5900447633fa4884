#![allow(clippy::unwrap_used)]
//! The console's attribution claims over real HTTP, without a browser: a claim with bad fields
//! is sent back with each problem on its field; a claim is prepared, signed outside the server
//! with the claimant's key and pasted; publishing before the named party was consulted is
//! refused with the failed code-of-conduct clause named; then co-signed, consulted, answered and
//! published, each by the party whose session it is, and shown on the public claim page.

mod support;

use reqwest::{StatusCode, header};

/// The value of the first `attribute="…"` in `body`.
fn attribute_of(body: &str, attribute: &str) -> String {
    let marker = format!("{attribute}=\"");
    let start = body.find(&marker).unwrap() + marker.len();
    body[start..].split('"').next().unwrap().to_string()
}

/// A signed-in console session of one party.
struct Session<'a> {
    node: &'a support::DashboardNode,
    party: &'static str,
    http: reqwest::Client,
    cookie: String,
}

impl<'a> Session<'a> {
    async fn sign_in(node: &'a support::DashboardNode, party: &'static str) -> Session<'a> {
        let console = support::ConsoleSession::sign_in(node, party).await;
        Session {
            node,
            party,
            http: console.http,
            cookie: console.cookie,
        }
    }

    async fn get(&self, path: &str) -> (StatusCode, String) {
        let response = self
            .http
            .get(format!("{}{path}", self.node.base))
            .header(header::COOKIE, &self.cookie)
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    }

    /// Posts a form; returns the status, the `Location` and the body.
    async fn post(&self, path: &str, pairs: &[(&str, &str)]) -> (StatusCode, String, String) {
        let response = self
            .http
            .post(format!("{}{path}", self.node.base))
            .header(header::COOKIE, &self.cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(support::form_body(pairs))
            .send()
            .await
            .unwrap();
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_string();
        (status, location, response.text().await.unwrap())
    }

    /// The session's CSRF token, from a page of the console.
    async fn csrf(&self) -> String {
        let (_, page) = self.get("/console/claims").await;
        attribute_of(&page, "name=\"csrf\" value")
    }

    /// Signs the payload of a prepared page with this party's key, pastes it and sends it.
    async fn sign_and_send(&self, prepared: &str) -> (StatusCode, String, String) {
        use base64::Engine;
        let payload = base64::engine::general_purpose::STANDARD
            .decode(attribute_of(prepared, "data-payload"))
            .unwrap();
        let payload_type = attribute_of(prepared, "data-payload-type");
        let envelope =
            redline_hotline::sign_record(&payload_type, payload, &support::key_of(self.party));
        let csrf = attribute_of(prepared, "name=\"csrf\" value");
        let kind = attribute_of(prepared, "name=\"kind\" value");
        let claim = attribute_of(prepared, "name=\"claim\" value");
        self.post(
            "/console/claims/send",
            &[
                ("csrf", csrf.as_str()),
                ("kind", kind.as_str()),
                ("claim", claim.as_str()),
                ("envelope", std::str::from_utf8(&envelope).unwrap()),
            ],
        )
        .await
    }

    /// Prepares an action on a claim, signs it and sends it.
    async fn act(&self, claim: &str, pairs: &[(&str, &str)]) -> (StatusCode, String, String) {
        let csrf = self.csrf().await;
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(pairs);
        let (status, _, prepared) = self
            .post(&format!("/console/claims/{claim}/prepare"), &form)
            .await;
        assert_eq!(status, StatusCode::OK, "{prepared}");
        self.sign_and_send(&prepared).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_is_filed_consulted_answered_and_published_through_the_console() {
    let node = support::start().await;
    let estonia = Session::sign_in(&node, "EE").await;
    let (status, list) = estonia.get("/console/claims").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("id=\"new-claim\""), "{list}");
    let (_, console) = estonia.get("/console").await;
    assert!(
        console.contains("href=\"/console/claims\""),
        "the navigation"
    );
    let csrf = estonia.csrf().await;

    // Bad fields come back with each problem on its field; nothing is prepared.
    let incident = node.public_ids[0].as_str();
    let (status, _, refused) = estonia
        .post(
            "/console/claims",
            &[
                ("csrf", csrf.as_str()),
                ("incident", incident),
                ("named_state", "RU"),
                ("named_party", "EE"),
                ("relationship", "state-organ"),
                ("confidence", "likely"),
                ("evidence", "not-a-reference"),
                ("statement", "A statement."),
                ("tlp", "clear"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["basis", "evidence", "named_party"] {
        assert!(
            refused.contains(&format!("id=\"{field}-error\"")),
            "{field}: {refused}"
        );
    }
    assert!(!refused.contains("id=\"paste-form\""));

    // A good claim is prepared, signed outside the server and pasted.
    let digest = format!("sha256:{}", "ab".repeat(32));
    let evidence = format!("{digest} wiper sample");
    let (status, _, prepared) = estonia
        .post(
            "/console/claims",
            &[
                ("csrf", csrf.as_str()),
                ("incident", incident),
                ("named_state", "RU"),
                ("named_party", "RU"),
                ("actor", "Sandworm <Team>"),
                ("relationship", "state-organ"),
                ("confidence", "very-likely"),
                ("basis_technical", "on"),
                ("basis_intelligence", "on"),
                ("evidence", evidence.as_str()),
                ("statement", "The GRU's unit 74455 ran the operation."),
                ("tlp", "clear"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{prepared}");
    assert!(prepared.contains("redline sign --payload-type"));
    assert!(
        prepared.contains("application/vnd.redline.attribution-claim+json"),
        "{prepared}"
    );
    assert!(
        prepared.contains("Sandworm &#60;Team&#62;") || prepared.contains("Sandworm &lt;Team&gt;"),
        "free text is escaped: {prepared}"
    );
    // Someone else's signature is refused by the node, naming the envelope's signatures.
    let wrong = redline_hotline::sign_record(
        redline_model::attribution::CLAIM_PAYLOAD_TYPE,
        {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD
                .decode(attribute_of(&prepared, "data-payload"))
                .unwrap()
        },
        &support::key_of("GB"),
    );
    let (status, _, refusal) = estonia
        .post(
            "/console/claims/send",
            &[
                ("csrf", csrf.as_str()),
                ("kind", "claim"),
                ("envelope", std::str::from_utf8(&wrong).unwrap()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refusal.contains("data-field=\"envelope.signatures\""),
        "{refusal}"
    );
    let (status, location, _) = estonia.sign_and_send(&prepared).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.ends_with("?recorded=claim"), "{location}");
    let claim_path = location.split('?').next().unwrap().to_string();
    let claim_id = claim_path.rsplit('/').next().unwrap().to_string();
    let (status, page) = estonia.get(&location).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"recorded\""));
    assert!(page.contains("data-status=\"filed\""));
    assert!(
        page.contains("<bdi dir=\"auto\">(Sandworm &#60;Team&#62;)</bdi>")
            || page.contains("Sandworm &lt;Team&gt;")
    );
    // The code of conduct's verdict: the named party was not consulted yet.
    assert!(
        page.contains("data-clause=\"consultation-before-naming\""),
        "{page}"
    );
    let (_, list) = estonia.get("/console/claims").await;
    assert!(list.contains(&format!("/console/claims/{claim_id}")));

    // Publishing now is refused by the node, naming the clause.
    let (status, _, refusal) = estonia.act(&claim_id, &[("kind", "publish")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refusal.contains("data-field=\"code_of_conduct.consultation-before-naming\""),
        "{refusal}"
    );

    // A bad action form comes back with the problem on its field.
    let (status, _, form) = estonia
        .post(
            &format!("{claim_path}/prepare"),
            &[
                ("csrf", csrf.as_str()),
                ("kind", "consultation"),
                ("facts", "Facts."),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        form.contains("id=\"consultation-legal-view-error\""),
        "{form}"
    );
    assert!(
        form.contains("id=\"consultation-remedies-error\""),
        "{form}"
    );

    // GB co-signs with its own key, in its own session.
    let britain = Session::sign_in(&node, "GB").await;
    let (status, location, body) = britain
        .act(
            &claim_id,
            &[
                ("kind", "cosign"),
                ("confidence", "almost-certain"),
                ("statement", "The United Kingdom joins."),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(location.ends_with("?recorded=cosign"));

    // EE asks RU for consultation; RU replies in its session; EE publishes.
    let (status, _, body) = estonia
        .act(
            &claim_id,
            &[
                ("kind", "consultation"),
                ("facts", "A wiper hit the energy ministry."),
                ("legal_view", "A breach of sovereignty."),
                ("remedy_cessation", "on"),
                ("remedy_assurances", "on"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let russia = Session::sign_in(&node, "RU").await;
    let (_, page) = russia.get(&claim_path).await;
    assert!(page.contains("id=\"action-reply\""), "{page}");
    assert!(!page.contains("id=\"action-cosign\""), "RU cannot co-sign");
    let consultation_id = attribute_of(
        &page[page.find("id=\"reply-consultation\"").unwrap()..],
        "<option value",
    );
    let (status, _, body) = russia
        .act(
            &claim_id,
            &[
                ("kind", "reply"),
                ("consultation", consultation_id.as_str()),
                ("position", "deny"),
                (
                    "statement",
                    "The Russian Federation rejects the accusation.",
                ),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, page) = estonia.get(&claim_path).await;
    assert!(page.contains("id=\"verdict-allows\""), "{page}");
    let (status, _, body) = estonia.act(&claim_id, &[("kind", "publish")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, page) = estonia.get(&claim_path).await;
    assert!(page.contains("data-status=\"published\""));

    // On the public record: the claim, its co-signer and RU's reply.
    let public = reqwest::get(format!("{}/dashboard/claims/{claim_id}", node.base))
        .await
        .unwrap();
    assert_eq!(public.status(), StatusCode::OK);
    let public = public.text().await.unwrap();
    assert!(public.contains("<code>GB</code>"), "{public}");
    assert!(public.contains("The Russian Federation rejects the accusation."));
    assert!(
        !public.contains("A wiper hit the energy ministry."),
        "positions stay with the participants"
    );
}
