#![allow(clippy::unwrap_used)]
//! Supply-chain notices: the rules a notice meets on its own (each field named by its path),
//! indicator values checked by kind, the acknowledgement rules (only an addressed party, for
//! itself; the first one meets the deadline; the same exposure twice says nothing new) and each
//! party's duty graded by the clock.

use redline_disclosure::{
    DutyStanding, Exposure, IndicatorKind, NoticeAcknowledgement, NoticeError, NoticeState,
    SupplyChainNotice, acknowledgement_duties,
};
use redline_model::{ModelError, PartyId, Timestamp};
use serde_json::{Value, json};
use uuid::Uuid;

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

fn party(id: &str) -> PartyId {
    PartyId::parse(id).unwrap()
}

/// A notice modelled on the 3CX desktop app compromise of March 2023 (a trojanised signed
/// update; CISA alert of 30 March 2023).
fn notice() -> Value {
    json!({
        "v": 1,
        "id": "5f0c7a4e-1b1d-4c39-9a55-8c3f4a1e2b10",
        "notifying_party": "EE",
        "title": "Trojanised desktop client delivered through the vendor's update server",
        "summary": "Signed installers 18.12.407 and 18.12.416 side-load a malicious library that fetches a second stage.",
        "compromise": "update-channel",
        "products": [
            {"id": "desktop-win", "vendor": "3CX", "name": "3CX Desktop App for Windows",
             "identifier": {"cpe": "cpe:2.3:a:3cx:3cx:18.12.407:*:*:*:desktop:windows:*:*"},
             "versions": ["18.12.407", "18.12.416"]}
        ],
        "update_channel": {"description": "The vendor's signed update feed", "url": "https://download.example.invalid/updates"},
        "indicators": [
            {"kind": "sha256", "value": "aa124a4b4df12b34e74ee7f6c683b2ebec4ce9a8edcf9be345823b4fdcf5d868"},
            {"kind": "domain", "value": "akamaicontainer.example", "note": "second-stage host"},
            {"kind": "ipv4", "value": "198.51.100.7"}
        ],
        "mitigation": "Uninstall the desktop client and use the web client until a clean build ships.",
        "incidents": ["incident--4c6a1c2e-3b7d-4e8f-9a0b-1c2d3e4f5a6b"],
        "tlp": "amber",
        "signed_at": "2026-03-30T10:00:00Z"
    })
}

fn parse(value: &Value) -> Result<SupplyChainNotice, Vec<String>> {
    SupplyChainNotice::parse(&serde_json::to_vec(value).unwrap()).map_err(|error| match error {
        ModelError::Invalid { issues } => issues.into_iter().map(|issue| issue.path).collect(),
        other => vec![other.to_string()],
    })
}

#[test]
fn a_full_notice_parses() {
    let parsed = parse(&notice()).unwrap();
    assert_eq!(parsed.products[0].versions.len(), 2);
    assert_eq!(parsed.indicators.len(), 3);
}

#[test]
fn each_broken_field_is_named_by_its_path() {
    // (what is changed, the JSON pointer, the new value, the path named)
    let check = |pointer: &str, value: Value, expected_path: &str| {
        let mut broken = notice();
        *broken.pointer_mut(pointer).unwrap() = value;
        let paths = parse(&broken).unwrap_err();
        assert!(
            paths.iter().any(|path| path == expected_path),
            "{pointer}: expected {expected_path} in {paths:?}"
        );
    };
    check("/v", json!(2), "v");
    check("/title", json!(" "), "title");
    check("/mitigation", json!(""), "mitigation");
    check("/tlp", json!("red"), "tlp");
    check("/products", json!([]), "products");
    check("/products/0/id", json!("Desktop Win"), "products[0].id");
    check("/products/0/vendor", json!(""), "products[0].vendor");
    check(
        "/products/0/versions/1",
        json!(""),
        "products[0].versions[1]",
    );
    check(
        "/update_channel/url",
        json!("ftp://x"),
        "update_channel.url",
    );
    check("/update_channel", json!(null), "update_channel");
    check("/indicators/0/value", json!("abc"), "indicators[0].value");
    check(
        "/indicators/2/value",
        json!("198.51.100.999"),
        "indicators[2].value",
    );
    check(
        "/incidents",
        json!([
            "incident--4c6a1c2e-3b7d-4e8f-9a0b-1c2d3e4f5a6b",
            "incident--4c6a1c2e-3b7d-4e8f-9a0b-1c2d3e4f5a6b"
        ]),
        "incidents[1]",
    );
    // Malformed JSON values are named by their path too (the incident id's pattern).
    let mut broken = notice();
    broken["incidents"] = json!(["INC-1"]);
    assert!(parse(&broken).is_err());
}

#[test]
fn indicator_values_are_checked_by_kind() {
    let check = |kind: IndicatorKind, value: &str, valid: bool| {
        assert_eq!(
            kind.problem(value).is_none(),
            valid,
            "{} `{value}`",
            kind.as_str()
        );
    };
    check(IndicatorKind::Sha256, &"a".repeat(64), true);
    check(IndicatorKind::Sha256, &"a".repeat(63), false);
    check(IndicatorKind::Sha256, &"g".repeat(64), false);
    check(IndicatorKind::Sha1, &"0".repeat(40), true);
    check(IndicatorKind::Md5, &"F".repeat(32), true);
    check(IndicatorKind::Md5, &"F".repeat(40), false);
    check(IndicatorKind::Ipv4, "203.0.113.9", true);
    check(IndicatorKind::Ipv4, "203.0.113", false);
    check(IndicatorKind::Ipv6, "2001:db8::7", true);
    check(IndicatorKind::Ipv6, "2001:db8:::7", false);
    check(IndicatorKind::Domain, "avsvmcloud.com", true);
    check(IndicatorKind::Domain, "localhost", false);
    check(IndicatorKind::Domain, "-bad.example", false);
    check(IndicatorKind::Domain, "exa mple.com", false);
    check(IndicatorKind::Url, "https://update.example/feed?x=1", true);
    check(IndicatorKind::Url, "https://", false);
    check(IndicatorKind::Url, "javascript:alert(1)", false);
    check(IndicatorKind::Url, "https://a.example/x y", false);
    check(IndicatorKind::FileName, "ffmpeg.dll", true);
    check(IndicatorKind::FileName, "../ffmpeg.dll", false);
    check(IndicatorKind::FileName, "", false);
}

#[test]
fn the_same_indicator_twice_is_refused_whatever_its_case() {
    let mut broken = notice();
    broken["indicators"] = json!([
        {"kind": "sha1", "value": "A".repeat(40)},
        {"kind": "sha1", "value": "a".repeat(40)}
    ]);
    assert_eq!(parse(&broken).unwrap_err(), ["indicators[1].value"]);
}

fn acknowledgement(by: &str, exposure: Exposure, note: Option<&str>) -> NoticeAcknowledgement {
    NoticeAcknowledgement {
        v: 1,
        id: Uuid::new_v4(),
        notice: Uuid::parse_str("5f0c7a4e-1b1d-4c39-9a55-8c3f4a1e2b10").unwrap(),
        party: party(by),
        exposure,
        note: note.map(str::to_string),
        signed_at: at("2026-03-30T11:00:00Z"),
    }
}

fn issued() -> NoticeState {
    NoticeState::issue(
        parse(&notice()).unwrap(),
        at("2026-03-30T10:00:00Z"),
        at("2026-03-31T10:00:00Z"),
        ["EE", "GB", "UA", "US"].map(party),
    )
}

#[test]
fn the_notifying_party_owes_itself_nothing_and_reads_it() {
    let state = issued();
    assert!(!state.recipients.contains_key(&party("EE")));
    assert_eq!(state.recipients.len(), 3);
    assert!(state.readers().contains(&party("EE")));
}

#[test]
fn acknowledgements_follow_the_rules() {
    // (who, exposure, note, expected: Ok or the error's kind)
    let mut state = issued();
    let steps: [(&str, Exposure, Option<&str>, &str); 6] = [
        ("UA", Exposure::Investigating, None, "ok"),
        ("UA", Exposure::Investigating, None, "invalid"),
        ("UA", Exposure::Affected, Some("two hosts"), "ok"),
        ("UA", Exposure::Mitigated, Some("two hosts"), "ok"),
        ("EE", Exposure::Received, None, "not-allowed"),
        ("KP", Exposure::Received, None, "not-allowed"),
    ];
    for (index, (who, exposure, note, expected)) in steps.into_iter().enumerate() {
        let when = at("2026-03-30T11:00:00Z")
            .plus_seconds(index as i64 * 3_600)
            .unwrap();
        let outcome = state.acknowledge(&acknowledgement(who, exposure, note), when);
        let kind = match outcome {
            Ok(()) => "ok",
            Err(NoticeError::Invalid { .. }) => "invalid",
            Err(NoticeError::NotAllowed(_)) => "not-allowed",
        };
        assert_eq!(kind, expected, "step {index}: {who} {exposure:?}");
    }
    let ukraine = &state.recipients[&party("UA")];
    assert_eq!(
        ukraine.first_acknowledged_at,
        Some(at("2026-03-30T11:00:00Z"))
    );
    assert_eq!(ukraine.exposure, Some(Exposure::Mitigated));
    let mut other = acknowledgement("GB", Exposure::Received, None);
    other.notice = Uuid::nil();
    assert!(matches!(
        state.acknowledge(&other, at("2026-03-30T12:00:00Z")),
        Err(NoticeError::Invalid { .. })
    ));
}

#[test]
fn each_duty_is_graded_by_the_clock() {
    let mut state = issued();
    state
        .acknowledge(
            &acknowledgement("UA", Exposure::Received, None),
            at("2026-03-31T09:59:59Z"),
        )
        .unwrap();
    state
        .acknowledge(
            &acknowledgement("GB", Exposure::NotAffected, None),
            at("2026-03-31T10:00:01Z"),
        )
        .unwrap();
    let standing = |now: &str| -> Vec<(String, DutyStanding)> {
        acknowledgement_duties(&state, at(now))
            .into_iter()
            .map(|duty| (duty.party.to_string(), duty.standing))
            .collect()
    };
    assert_eq!(
        standing("2026-03-31T09:00:00Z"),
        [
            ("GB".to_string(), DutyStanding::Late),
            ("UA".to_string(), DutyStanding::OnTime),
            ("US".to_string(), DutyStanding::Pending)
        ]
    );
    assert_eq!(standing("2026-03-31T10:00:00Z")[2].1, DutyStanding::Missed);
}

#[test]
fn exposures_round_trip_their_spelling() {
    for &exposure in Exposure::ALL {
        assert_eq!(Exposure::parse(exposure.as_str()), Some(exposure));
        assert_eq!(
            serde_json::to_value(exposure).unwrap(),
            json!(exposure.as_str())
        );
    }
    assert_eq!(Exposure::parse("owned"), None);
}
