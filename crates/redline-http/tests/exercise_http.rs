#![allow(clippy::unwrap_used)]
//! A tabletop exercise over real HTTP on a loopback port (real SQLite store, real Ed25519
//! signatures, a fixed clock the test moves): the white cell creates the shipped two-player
//! exercise, delivers its injects (signing the notifications client-side with EE's key), FI
//! acknowledges through the ordinary `POST /api/v1/messages` and chooses a recommended rung,
//! LV misses its deadline and chooses a rung above the ceiling; the report JSON says exactly
//! that, and in Markdown and HTML too. A decision for another party is refused and stores
//! nothing; the OpenAPI document lists the exercise paths.

use std::{collections::BTreeMap, sync::Arc};

use base64::Engine;
use ed25519_dalek::SigningKey;
use redline_hotline::message::AcknowledgementBody;
use redline_hotline::{HotlineMessage, MessageBody, sign_message};
use redline_http::HttpConfig;
use redline_model::{PartyId, PartyKind, Timestamp, Tlp};
use redline_node::{Caller, FixedClock, NewParty, Node};
use redline_store::{SqlStore, SqlStoreOptions};
use serde_json::{Value, json};
use uuid::Uuid;

const EXERCISE: &str = include_str!("../../../scenarios/exercises/baltic-grid-blackout.toml");

struct ExerciseNode {
    base: String,
    node: Arc<Node>,
    clock: Arc<FixedClock>,
    tokens: BTreeMap<String, String>,
    keys: BTreeMap<String, SigningKey>,
    client: reqwest::Client,
    _shutdown: tokio::sync::oneshot::Sender<()>,
    _directory: tempfile::TempDir,
}

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

async fn start() -> ExerciseNode {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let directory = tempfile::tempdir().unwrap();
    let store = SqlStore::open_sqlite_file(
        &directory.path().join("exercise.sqlite"),
        SqlStoreOptions::default(),
    )
    .await
    .unwrap();
    let clock = Arc::new(FixedClock::new(at("2026-11-22T10:00:00Z")));
    let node = Arc::new(Node::new(Arc::new(store), clock.clone()));
    node.load_norms().await.unwrap();
    let mut tokens = BTreeMap::new();
    let mut keys = BTreeMap::new();
    for (index, id) in ["EE", "FI", "LV", "white-cell"].into_iter().enumerate() {
        let key = SigningKey::from_bytes(&[index as u8 + 21; 32]);
        let party = PartyId::parse(id).unwrap();
        let state = id != "white-cell";
        node.add_party(
            &Caller::Operator,
            NewParty {
                id: party.clone(),
                kind: if state {
                    PartyKind::State
                } else {
                    PartyKind::Organisation
                },
                name: format!("Party {id}"),
                languages: vec!["en".into()],
                public_keys: if state {
                    vec![
                        base64::engine::general_purpose::STANDARD
                            .encode(key.verifying_key().as_bytes()),
                    ]
                } else {
                    vec![]
                },
            },
        )
        .await
        .unwrap();
        let issued = node
            .issue_token(&Caller::Operator, &party, "test")
            .await
            .unwrap();
        tokens.insert(id.to_string(), issued.token);
        keys.insert(id.to_string(), key);
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(redline_http::run(
        listener,
        Arc::clone(&node),
        HttpConfig::default(),
        async move {
            let _ = stopped.await;
        },
    ));
    ExerciseNode {
        base,
        node,
        clock,
        tokens,
        keys,
        client: reqwest::Client::new(),
        _shutdown: shutdown,
        _directory: directory,
    }
}

impl ExerciseNode {
    async fn post(&self, as_party: &str, path: &str, body: &Value) -> (u16, Value) {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.tokens[as_party])
            .json(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, as_party: &str, path: &str) -> (u16, Value) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.tokens[as_party])
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn get_text(&self, as_party: &str, path: &str) -> (u16, String, String) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.tokens[as_party])
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|value| value.to_str().unwrap().to_string())
            .unwrap_or_default();
        (status, content_type, response.text().await.unwrap())
    }

    /// The facilitator's loop: every due inject delivered, notifications signed with the
    /// sender's key on the client side.
    async fn deliver_due(&self, id: &str) -> Vec<String> {
        let (status, due) = self
            .get("white-cell", &format!("/api/v1/exercises/{id}/injects/due"))
            .await;
        assert_eq!(status, 200, "{due}");
        let mut delivered = Vec::new();
        for inject in due["injects"].as_array().unwrap() {
            let name = inject["id"].as_str().unwrap();
            let body = match inject.get("payload") {
                Some(payload) => {
                    let key = &self.keys[inject["sign_as"].as_str().unwrap()];
                    let signed = redline_hotline::sign_exercise_payload(
                        inject["kind"].as_str().unwrap(),
                        &serde_json::to_vec(payload).unwrap(),
                        key,
                    )
                    .unwrap();
                    let envelope: Value = serde_json::from_slice(&signed).unwrap();
                    json!({ "envelope": envelope })
                }
                None => json!({}),
            };
            let (status, answer) = self
                .post(
                    "white-cell",
                    &format!("/api/v1/exercises/{id}/injects/{name}/deliver"),
                    &body,
                )
                .await;
            assert_eq!(status, 201, "{name}: {answer}");
            delivered.push(name.to_string());
        }
        delivered
    }
}

#[tokio::test]
async fn a_two_party_exercise_over_http_ends_in_an_after_action_report() {
    let world = start().await;
    let start_time = at("2026-11-22T10:00:00Z");

    // A player cannot create it; a broken file is refused with file:line:column; the white cell
    // creates it.
    let create = json!({ "definition": EXERCISE, "file": "baltic-grid-blackout.toml" });
    let (status, refused) = world.post("FI", "/api/v1/exercises", &create).await;
    assert_eq!(status, 403, "{refused}");
    let broken = json!({
        "definition": EXERCISE.replace("at_minutes = 5", "at_minutes = -5"),
        "file": "broken.toml",
    });
    let (status, refused) = world.post("white-cell", "/api/v1/exercises", &broken).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["error"]["path"], "definition");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("broken.toml:"),
        "{refused}"
    );
    let (status, exercise) = world.post("white-cell", "/api/v1/exercises", &create).await;
    assert_eq!(status, 201, "{exercise}");
    assert_eq!(exercise["exercise"], true);
    let id = exercise["id"].as_str().unwrap().to_string();
    let (status, listing) = world.get("FI", "/api/v1/exercises").await;
    assert_eq!(status, 200);
    assert_eq!(listing["exercises"][0]["id"], id.as_str());
    let (status, _) = world.get("FI", "/api/v1/exercises/exercise--nothing").await;
    assert_eq!(status, 404);

    // Minute 0: the incident; minute 5: the two notifications, signed client-side.
    assert_eq!(world.deliver_due(&id).await, ["blackout"]);
    let (status, again) = world
        .post(
            "white-cell",
            &format!("/api/v1/exercises/{id}/injects/blackout/deliver"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 409, "{again}");
    world.clock.set(start_time.plus_seconds(5 * 60).unwrap());
    assert_eq!(
        world.deliver_due(&id).await,
        ["notify-finland", "notify-latvia"]
    );
    let (status, view) = world.get("FI", &format!("/api/v1/exercises/{id}")).await;
    assert_eq!(status, 200, "{view}");
    let incident = view["injects"][0]["delivered"]["incident"]
        .as_str()
        .unwrap()
        .to_string();
    let finland = &view["injects"][1]["delivered"];
    let thread = Uuid::parse_str(finland["thread"].as_str().unwrap()).unwrap();
    let notification = Uuid::parse_str(finland["message"].as_str().unwrap()).unwrap();
    let (status, incident_view) = world
        .get("FI", &format!("/api/v1/incidents/{incident}"))
        .await;
    assert_eq!(status, 200, "{incident_view}");
    assert_eq!(incident_view["report"]["exercise"], true);

    // FI acknowledges through the ordinary hotline route, in time.
    world.clock.set(start_time.plus_seconds(20 * 60).unwrap());
    let ack = HotlineMessage {
        id: Uuid::new_v4(),
        thread,
        from: PartyId::parse("FI").unwrap(),
        to: vec![PartyId::parse("EE").unwrap()],
        sent_at: world.node.now(),
        incident: None,
        tlp: Tlp::Green,
        lang: "en".into(),
        exercise: true,
        body: MessageBody::Acknowledgement(AcknowledgementBody { of: notification }),
    };
    let envelope: Value = serde_json::from_slice(&sign_message(&ack, &world.keys["FI"])).unwrap();
    let (status, accepted) = world.post("FI", "/api/v1/messages", &envelope).await;
    assert_eq!(status, 201, "{accepted}");

    // FI chooses the first recommended rung.
    let (_, assessment) = world
        .get("FI", &format!("/api/v1/incidents/{incident}/assessment"))
        .await;
    let ceiling = assessment["responses"]["ceiling"].as_u64().unwrap();
    let recommended = assessment["responses"]["recommended"][0]["rung"]
        .as_u64()
        .unwrap();
    let decisions = format!("/api/v1/exercises/{id}/decisions");
    let (status, decision) = world
        .post(
            "FI",
            &decisions,
            &json!({ "incident": incident, "rung": recommended, "note": "Observe and help." }),
        )
        .await;
    assert_eq!(status, 201, "{decision}");
    assert_eq!(decision["verdict"], "recommended");
    assert_eq!(decision["party"], "FI");

    // LV cannot decide for FI, nor off the ladder, nor on an incident not of the exercise;
    // nothing is stored.
    let (status, refused) = world
        .post(
            "LV",
            &decisions,
            &json!({ "party": "FI", "incident": incident, "rung": 1 }),
        )
        .await;
    assert_eq!(status, 403, "{refused}");
    assert_eq!(refused["error"]["code"], "forbidden");
    let (status, refused) = world
        .post(
            "LV",
            &decisions,
            &json!({ "incident": incident, "rung": 99 }),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["error"]["path"], "rung");
    let (status, refused) = world
        .post(
            "LV",
            &decisions,
            &json!({ "incident": "nonsense", "rung": 1 }),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["error"]["path"], "incident");
    let (status, refused) = world
        .post(
            "LV",
            &decisions,
            &json!({ "incident": incident, "rung": 1, "colour": "red" }),
        )
        .await;
    assert_eq!(status, 400, "{refused}");
    let (_, report) = world
        .get("white-cell", &format!("/api/v1/exercises/{id}/report"))
        .await;
    assert_eq!(report["decisions"].as_array().unwrap().len(), 1, "{report}");

    // LV never acknowledges; its deadline passes and the scheduler fires it.
    let (_, lv_thread) = world
        .get(
            "LV",
            &format!(
                "/api/v1/threads/{}",
                view["injects"][2]["delivered"]["thread"].as_str().unwrap()
            ),
        )
        .await;
    let acknowledge_by = at(lv_thread["thread"]["acknowledge_by"].as_str().unwrap());
    world.clock.set(acknowledge_by.plus_seconds(60).unwrap());
    assert_eq!(world.node.fire_due_deadlines().await.unwrap(), 1);
    let (status, decision) = world
        .post(
            "LV",
            &decisions,
            &json!({ "incident": incident, "rung": ceiling + 1, "note": "Expel diplomats." }),
        )
        .await;
    assert_eq!(status, 201, "{decision}");
    assert_eq!(decision["verdict"], "above-ceiling");

    // The report: who met and missed which deadline, which decision was within or above.
    let (status, report) = world
        .get("FI", &format!("/api/v1/exercises/{id}/report"))
        .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["exercise"], true);
    let party = |id: &str| {
        report["parties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|entry| entry["party"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(
        (party("FI")["met"].as_u64(), party("FI")["missed"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(
        (party("LV")["met"].as_u64(), party("LV")["missed"].as_u64()),
        (Some(0), Some(1))
    );
    let deadline = |id: &str| {
        report["deadlines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|entry| entry["party"] == id && entry["duty"] == "acknowledgement")
            .unwrap()
            .clone()
    };
    assert_eq!(deadline("FI")["outcome"], "met");
    assert_eq!(deadline("LV")["outcome"], "missed");
    let verdicts: Vec<(String, String)> = report["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|decision| {
            (
                decision["party"].as_str().unwrap().to_string(),
                decision["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        verdicts,
        [
            ("FI".to_string(), "recommended".to_string()),
            ("LV".to_string(), "above-ceiling".to_string())
        ]
    );

    let path = format!("/api/v1/exercises/{id}/report?format=markdown");
    let (status, content_type, markdown) = world.get_text("LV", &path).await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/markdown"), "{content_type}");
    assert!(
        markdown.contains("EXERCISE — EXERCISE — EXERCISE"),
        "{markdown}"
    );
    assert!(
        markdown.contains("acknowledgement of LV due by"),
        "{markdown}"
    );
    assert!(markdown.contains("above the ceiling"), "{markdown}");
    let path = format!("/api/v1/exercises/{id}/report?format=html");
    let (status, content_type, html) = world.get_text("LV", &path).await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(html.contains("<p class=\"banner\">EXERCISE"), "{html}");
    let (status, refused) = world
        .get("LV", &format!("/api/v1/exercises/{id}/report?format=pdf"))
        .await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["error"]["path"], "format");
}

#[tokio::test]
async fn the_openapi_document_lists_the_exercise_paths() {
    let world = start().await;
    let document: Value = world
        .client
        .get(format!("{}/api/openapi.json", world.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = &document["paths"];
    for (path, method, operation) in [
        ("/api/v1/exercises", "post", "createExercise"),
        ("/api/v1/exercises", "get", "listExercises"),
        ("/api/v1/exercises/{id}", "get", "showExercise"),
        (
            "/api/v1/exercises/{id}/injects/due",
            "get",
            "dueExerciseInjects",
        ),
        (
            "/api/v1/exercises/{id}/injects/{inject}/deliver",
            "post",
            "deliverExerciseInject",
        ),
        (
            "/api/v1/exercises/{id}/decisions",
            "post",
            "recordExerciseDecision",
        ),
        ("/api/v1/exercises/{id}/report", "get", "exerciseReport"),
    ] {
        assert_eq!(
            paths[path][method]["operationId"], operation,
            "{path} {method}"
        );
    }
    // The hotline's paths are still there.
    assert!(paths["/api/v1/messages"]["post"].is_object());
}
