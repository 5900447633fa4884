//! Abuse cases: TAXII 2.1 (`/taxii2/…`). Parties that may write the shared collection try to
//! replace another party's objects, post in another party's name, slip restricted content past
//! TLP with granular or custom markings, keep reading an incident they were removed from, and
//! probe which ids exist.
//!
//! Every party of the test node reads and writes the shared collection, so every refusal here
//! is the rule's, not a missing right.

use redline_model::PartyId;
use redline_node::Caller;
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

use super::support;

const TAXII: &str = "application/taxii+json;version=2.1";
const TLP_CLEAR: &str = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487";
const TLP_GREEN: &str = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";
const TLP_RED: &str = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";
const TLP_1_0_RED: &str = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed";

/// The seeded test node with a shared collection every party reads and writes.
struct Taxii {
    node: support::DashboardNode,
    collection: String,
    http: reqwest::Client,
}

async fn start() -> Taxii {
    let node = support::start().await;
    let parties: Vec<PartyId> = support::PARTIES
        .iter()
        .map(|id| PartyId::parse(id).unwrap())
        .collect();
    let collection = node
        .node
        .ensure_shared_collection(&Caller::Operator, &parties)
        .await
        .unwrap();
    Taxii {
        node,
        collection: collection.id,
        http: reqwest::Client::new(),
    }
}

impl Taxii {
    fn url(&self, tail: &str) -> String {
        format!(
            "{}/taxii2/api/collections/{}/{tail}",
            self.node.base, self.collection
        )
    }

    /// Posts `objects` as `party`; the status resource.
    async fn post(&self, party: &str, objects: Vec<Value>) -> Value {
        let response = self
            .http
            .post(self.url("objects/"))
            .basic_auth(party, Some(&self.node.tokens[party]))
            .header(header::ACCEPT, TAXII)
            .header(header::CONTENT_TYPE, TAXII)
            .body(json!({ "objects": objects }).to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::ACCEPTED);
        response.json().await.unwrap()
    }

    async fn get(&self, party: &str, tail: &str) -> (StatusCode, Value) {
        let response = self
            .http
            .get(self.url(tail))
            .basic_auth(party, Some(&self.node.tokens[party]))
            .header(header::ACCEPT, TAXII)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// The latest version of an object as `party` reads it, `None` when it is not found.
    async fn latest(&self, party: &str, id: &str) -> Option<Value> {
        let (status, body) = self.get(party, &format!("objects/{id}/")).await;
        match status {
            StatusCode::OK => Some(body["objects"][0].clone()),
            StatusCode::NOT_FOUND => None,
            other => panic!("objects/{id}/ as {party}: {other} {body}"),
        }
    }

    /// Whether `party` finds `id` anywhere: the listing (every version), the manifest, the
    /// object, its versions.
    async fn finds_anywhere(&self, party: &str, id: &str) -> bool {
        let (_, listing) = self.get(party, "objects/?match[version]=all").await;
        let (_, manifest) = self.get(party, "manifest/").await;
        let mentioned = |body: &Value| {
            body["objects"]
                .as_array()
                .is_some_and(|objects| objects.iter().any(|object| object["id"] == id))
        };
        let (versions, _) = self.get(party, &format!("objects/{id}/versions/")).await;
        mentioned(&listing)
            || mentioned(&manifest)
            || self.latest(party, id).await.is_some()
            || versions != StatusCode::NOT_FOUND
    }

    /// A party's STIX identity id, as the node exports it (the identity named after the state).
    async fn identity_of(&self, state_name: &str) -> String {
        let bundle = self
            .node
            .node
            .export_incidents_bundle(&Caller::Operator)
            .await
            .unwrap();
        let bundle = serde_json::to_value(&bundle).unwrap();
        bundle["objects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|object| object["type"] == "identity" && object["name"] == state_name)
            .and_then(|object| object["id"].as_str())
            .unwrap_or_else(|| panic!("no identity named {state_name}"))
            .to_string()
    }
}

fn indicator(id: &str, modified: &str, name: &str) -> Value {
    json!({
        "type": "indicator", "spec_version": "2.1", "id": id,
        "created": "2026-03-01T08:00:00.000Z", "modified": modified,
        "name": name, "pattern": "[ipv4-addr:value = '198.51.100.66']", "pattern_type": "stix",
        "valid_from": "2026-03-01T08:00:00Z"
    })
}

fn with(mut object: Value, key: &str, value: Value) -> Value {
    object[key] = value;
    object
}

fn only_failure(status: &Value) -> String {
    assert_eq!(status["failure_count"], 1, "{status}");
    assert_eq!(status["success_count"], 0, "{status}");
    status["failures"][0]["message"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Rule: a newer version of an object may come only from the party that added its first
/// version. RU's later, TLP:CLEAR `modified` of EE's indicator is a per-object failure in the
/// status resource and changes nothing: every reader still gets EE's version as the latest
/// (finding 16.3, overwrite).
#[tokio::test]
async fn a_later_version_comes_only_from_the_objects_creator() {
    let taxii = start().await;
    let id = "indicator--3a000000-0000-4000-8000-000000000001";
    let original = with(
        indicator(id, "2026-03-01T08:00:00.000Z", "EE-ORIGINAL-ZQX"),
        "object_marking_refs",
        json!([TLP_GREEN]),
    );
    assert_eq!(taxii.post("EE", vec![original]).await["success_count"], 1);

    let takeover = with(
        indicator(id, "2026-03-02T08:00:00.000Z", "RU-TAKEOVER-ZQX"),
        "object_marking_refs",
        json!([TLP_CLEAR]),
    );
    let status = taxii.post("RU", vec![takeover.clone()]).await;
    let message = only_failure(&status);
    assert_eq!(status["failures"][0]["id"], id);
    assert!(message.contains("refused"), "{message}");
    // The same version again, or the original's own version: refused alike, not "already".
    let replay = taxii
        .post(
            "RU",
            vec![indicator(id, "2026-03-01T08:00:00.000Z", "RU-REPLAY")],
        )
        .await;
    assert_eq!(only_failure(&replay), message);

    for reader in ["UA", "GB", "RU", "EE"] {
        let latest = taxii.latest(reader, id).await.unwrap();
        assert_eq!(latest["name"], "EE-ORIGINAL-ZQX", "{reader} reads {latest}");
    }
    let (_, versions) = taxii.get("UA", &format!("objects/{id}/versions/")).await;
    assert_eq!(versions["versions"].as_array().map(Vec::len), Some(1));
    // The creator itself may add the later version.
    let update = with(
        indicator(id, "2026-03-03T08:00:00.000Z", "EE-UPDATE-ZQX"),
        "object_marking_refs",
        json!([TLP_GREEN]),
    );
    assert_eq!(taxii.post("EE", vec![update]).await["success_count"], 1);
    assert_eq!(
        taxii.latest("UA", id).await.unwrap()["name"],
        "EE-UPDATE-ZQX"
    );
}

/// Rule: `created_by_ref`, when present, must be the poster's own identity. RU's object
/// claiming Estonia's identity is refused with a per-object failure and stored nowhere, so UA
/// never reads it as Estonia's (finding 16.3, forged authorship).
#[tokio::test]
async fn created_by_ref_must_be_the_posters_own_identity() {
    let taxii = start().await;
    let estonia = taxii.identity_of("Estonia").await;
    let forged_id = "indicator--3b000000-0000-4000-8000-000000000001";
    let forged = with(
        indicator(forged_id, "2026-03-01T08:00:00.000Z", "FORGED-BY-RU-ZQX"),
        "created_by_ref",
        json!(estonia),
    );
    let relationship = json!({
        "type": "relationship", "spec_version": "2.1",
        "id": "relationship--3b000000-0000-4000-8000-000000000002",
        "created_by_ref": estonia,
        "created": "2026-03-01T08:00:00.000Z", "modified": "2026-03-01T08:00:00.000Z",
        "relationship_type": "indicates", "source_ref": forged_id,
        "target_ref": "incident--3b000000-0000-4000-8000-000000000003"
    });
    let status = taxii.post("RU", vec![forged, relationship]).await;
    assert_eq!(status["failure_count"], 2, "{status}");
    assert_eq!(status["success_count"], 0, "{status}");
    for failure in status["failures"].as_array().unwrap() {
        assert!(
            failure["message"]
                .as_str()
                .unwrap()
                .contains("created_by_ref"),
            "{failure}"
        );
    }
    assert!(!taxii.finds_anywhere("UA", forged_id).await);
    assert!(!taxii.finds_anywhere("RU", forged_id).await);
    // Estonia itself may say so.
    let own = with(
        indicator(
            "indicator--3b000000-0000-4000-8000-000000000004",
            "2026-03-01T08:00:00.000Z",
            "BY-ESTONIA",
        ),
        "created_by_ref",
        json!(estonia),
    );
    assert_eq!(taxii.post("EE", vec![own]).await["success_count"], 1);
}

/// Rule: an object's effective TLP is the most restrictive of its object markings and every
/// granular marking that is a TLP marking, whatever its selectors. An indicator with no object
/// marking and granular TLP:RED (2.0 or 1.0) on `name` and `pattern` is read by its poster only
/// (finding 16.4).
#[tokio::test]
async fn granular_tlp_red_restricts_the_whole_object() {
    let taxii = start().await;
    let red_2_0 = "indicator--4a000000-0000-4000-8000-000000000001";
    let red_1_0 = "indicator--4a000000-0000-4000-8000-000000000002";
    let objects = vec![
        with(
            indicator(red_2_0, "2026-03-01T08:00:00.000Z", "GRANULAR-RED-ZQX"),
            "granular_markings",
            json!([{"marking_ref": TLP_RED, "selectors": ["name", "pattern"]}]),
        ),
        with(
            with(
                indicator(red_1_0, "2026-03-01T08:00:00.000Z", "GRANULAR-RED-1-ZQX"),
                "object_marking_refs",
                json!([TLP_CLEAR]),
            ),
            "granular_markings",
            json!([{"marking_ref": TLP_1_0_RED, "selectors": ["pattern"]}]),
        ),
    ];
    assert_eq!(taxii.post("EE", objects).await["success_count"], 2);
    for id in [red_2_0, red_1_0] {
        assert!(
            taxii.latest("EE", id).await.is_some(),
            "the poster reads it"
        );
        for reader in ["UA", "GB", "RU", "KP"] {
            assert!(
                !taxii.finds_anywhere(reader, id).await,
                "{reader} must not find {id}"
            );
        }
    }
}

/// Rule: a marking definition that is not an OASIS one but states a TLP (`definition_type`
/// `tlp` in STIX 2.0 style, or a `tlp_2_0` extension property) counts as that TLP, whether it
/// was posted with the object or earlier; a marking the node cannot resolve counts as red
/// (finding 16.4).
#[tokio::test]
async fn custom_marking_definitions_that_state_red_restrict_like_red() {
    let taxii = start().await;
    let custom_red = "marking-definition--4b000000-0000-4000-8000-000000000001";
    let custom_amber = "marking-definition--4b000000-0000-4000-8000-000000000002";
    let definitions = vec![
        json!({"type": "marking-definition", "spec_version": "2.1", "id": custom_red,
               "created": "2026-03-01T08:00:00.000Z", "definition_type": "tlp",
               "definition": {"tlp": "red"}}),
        json!({"type": "marking-definition", "spec_version": "2.1", "id": custom_amber,
               "created": "2026-03-01T08:00:00.000Z", "name": "Amber, our way",
               "extensions": {"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":
                   {"extension_type": "property-extension", "tlp_2_0": "amber"}}}),
    ];
    let same_request = "indicator--4b000000-0000-4000-8000-000000000010";
    let mut first = definitions;
    first.push(with(
        indicator(same_request, "2026-03-01T08:00:00.000Z", "CUSTOM-RED-ZQX"),
        "object_marking_refs",
        json!([custom_red]),
    ));
    assert_eq!(taxii.post("EE", first).await["success_count"], 3);
    // Later requests refer to the stored definitions, or to one nobody posted.
    let stored_red = "indicator--4b000000-0000-4000-8000-000000000011";
    let stored_amber = "indicator--4b000000-0000-4000-8000-000000000012";
    let unknown = "indicator--4b000000-0000-4000-8000-000000000013";
    let second = vec![
        with(
            indicator(stored_red, "2026-03-01T08:00:00.000Z", "STORED-RED-ZQX"),
            "granular_markings",
            json!([{"marking_ref": custom_red, "selectors": ["description"]}]),
        ),
        with(
            indicator(stored_amber, "2026-03-01T08:00:00.000Z", "STORED-AMBER-ZQX"),
            "object_marking_refs",
            json!([TLP_GREEN, custom_amber]),
        ),
        with(
            indicator(unknown, "2026-03-01T08:00:00.000Z", "UNKNOWN-MARKING-ZQX"),
            "object_marking_refs",
            json!(["marking-definition--4b000000-0000-4000-8000-0000000000ff"]),
        ),
    ];
    assert_eq!(taxii.post("EE", second).await["success_count"], 3);
    for id in [same_request, stored_red, stored_amber, unknown] {
        assert!(
            taxii.latest("EE", id).await.is_some(),
            "the poster reads {id}"
        );
        assert!(
            !taxii.finds_anywhere("UA", id).await,
            "UA must not find {id}"
        );
    }
    // The definitions themselves are unmarked: every reader may read them.
    assert!(taxii.latest("UA", custom_red).await.is_some());
}

/// An amber incident report by EE shared with `shared_with`, as the node's incident JSON.
fn amber_report(title: &str, shared_with: &[&str]) -> Value {
    json!({
        "title": title, "reported_by": "EE", "victim": "EE",
        "first_observed": "2026-03-01T08:00:00Z", "status": "confirmed", "tlp": "amber",
        "targets": [{ "sector": "energy", "country": "EE", "essential_service": true }],
        "effects": [{ "kind": "disruption", "duration_hours": 4, "scale": "local" }],
        "shared_with": shared_with,
    })
}

/// Rule: the readers of the STIX object of an imported incident follow the incident's current
/// readers (each version keeps the readers of the report version it came from, and a party
/// must also be a reader of the report now). EE imports an amber incident shared with GB over
/// TAXII, then narrows it to nobody over REST: GB gets 404 on REST and on TAXII alike
/// (finding 16.5).
#[tokio::test]
async fn taxii_readers_of_an_imported_incident_follow_its_current_readers() {
    let taxii = start().await;
    // The node's own export of a template report gives the STIX incident with redline's
    // extension; under a fresh id it is a new report when EE posts it.
    taxii
        .node
        .node
        .submit_incident_json(
            &Caller::Operator,
            amber_report("TEMPLATE-5-ZQX", &["GB"])
                .to_string()
                .as_bytes(),
        )
        .await
        .unwrap();
    let bundle = serde_json::to_value(
        taxii
            .node
            .node
            .export_incidents_bundle(&Caller::Operator)
            .await
            .unwrap(),
    )
    .unwrap();
    let id = "incident--5a000000-0000-4000-8000-000000000001";
    let mut incident = bundle["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|object| object["type"] == "incident" && object["name"] == "TEMPLATE-5-ZQX")
        .unwrap()
        .clone();
    incident["id"] = json!(id);
    incident["name"] = json!("IMPORTED-AMBER-ZQX");
    let status = taxii.post("EE", vec![incident]).await;
    assert_eq!(status["success_count"], 1, "{status}");
    assert!(
        status["successes"][0]["message"]
            .as_str()
            .unwrap()
            .contains("submitted as an incident report"),
        "{status}"
    );

    let rest = |party: &'static str| {
        let request = taxii
            .http
            .get(format!("{}/api/v1/incidents/{id}", taxii.node.base))
            .bearer_auth(&taxii.node.tokens[party]);
        async move { request.send().await.unwrap().status() }
    };
    assert_eq!(rest("GB").await, StatusCode::OK);
    assert!(taxii.latest("GB", id).await.is_some(), "GB reads it first");
    assert!(!taxii.finds_anywhere("UA", id).await);

    // EE narrows the report to nobody over REST.
    let mut narrowed = amber_report("IMPORTED-AMBER-ZQX", &[]);
    narrowed["id"] = json!(id);
    let response = taxii
        .http
        .put(format!("{}/api/v1/incidents/{id}", taxii.node.base))
        .bearer_auth(&taxii.node.tokens["EE"])
        .header(header::IF_MATCH, "\"v1\"")
        .json(&narrowed)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    assert_eq!(rest("GB").await, StatusCode::NOT_FOUND);
    assert!(
        !taxii.finds_anywhere("GB", id).await,
        "TAXII must follow the report's readers"
    );
    assert!(
        taxii.latest("EE", id).await.is_some(),
        "the reporter still reads it"
    );
}

/// Rule: posting with the id of an object the poster may not read answers exactly like a
/// refused write it could make with a fresh id (here a forged `created_by_ref`): the same
/// generic refusal, never "already in the collection" (finding 16.12, existence oracle).
#[tokio::test]
async fn an_id_the_poster_may_not_read_answers_like_any_refused_write() {
    let taxii = start().await;
    let secret = "indicator--6a000000-0000-4000-8000-000000000001";
    let red = with(
        indicator(secret, "2026-03-01T08:00:00.000Z", "RED-SECRET-ZQX"),
        "object_marking_refs",
        json!([TLP_RED]),
    );
    assert_eq!(taxii.post("EE", vec![red]).await["success_count"], 1);
    assert!(!taxii.finds_anywhere("RU", secret).await);

    // The same id and version, and another version: both refused, neither says it exists.
    let same_version = taxii
        .post(
            "RU",
            vec![indicator(secret, "2026-03-01T08:00:00.000Z", "PROBE")],
        )
        .await;
    let other_version = taxii
        .post(
            "RU",
            vec![indicator(secret, "2026-03-09T08:00:00.000Z", "PROBE")],
        )
        .await;
    // A fresh id with a forged author: a refusal RU could cause anyway.
    let estonia = taxii.identity_of("Estonia").await;
    let fresh = taxii
        .post(
            "RU",
            vec![with(
                indicator(
                    "indicator--6a000000-0000-4000-8000-000000000002",
                    "2026-03-01T08:00:00.000Z",
                    "PROBE",
                ),
                "created_by_ref",
                json!(estonia),
            )],
        )
        .await;
    let fresh_message = only_failure(&fresh);
    assert_eq!(only_failure(&same_version), fresh_message);
    assert_eq!(only_failure(&other_version), fresh_message);
    assert!(!fresh_message.contains("already"), "{fresh_message}");
    assert!(!taxii.finds_anywhere("RU", secret).await);
}
