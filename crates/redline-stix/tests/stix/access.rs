//! The TLP rule of TAXII objects and the authorship rule of TAXII writes (`redline_stix::access`),
//! as tables of cases and a property: object markings, granular markings, custom definitions
//! that state a TLP, TLP 1.0 and 2.0 ids, unknown markings; owners, identities, redline's shared
//! definitions.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use redline_model::{PartyId, Tlp};
use redline_stix::{
    StixObject,
    access::{
        ObjectOwner, ReadFacts, WriteFacts, check_object_write, effective_tlp, identity_party,
        object_readers,
    },
    extension::redline_identity_id,
    mapping::{is_redline_definition, party_identity_id},
    marking::{MarkingCatalogue, TLP_1_0_MARKING_IDS, tlp_marking_id, tlp_rank},
    taxii::object_facts,
};
use serde_json::{Value, json};

use super::{demo_incidents, export_one};

const CUSTOM_RED: &str = "marking-definition--0a0a0a0a-0000-4000-8000-000000000001";
const CUSTOM_AMBER_EXTENSION: &str = "marking-definition--0a0a0a0a-0000-4000-8000-000000000002";
const STATEMENT: &str = "marking-definition--0a0a0a0a-0000-4000-8000-000000000003";
const CUSTOM_WHITE: &str = "marking-definition--0a0a0a0a-0000-4000-8000-000000000004";
const NEVER_POSTED: &str = "marking-definition--0a0a0a0a-0000-4000-8000-000000000005";

fn party(id: &str) -> PartyId {
    PartyId::parse(id).unwrap()
}

/// The definitions a collection holds besides the OASIS ones.
fn catalogue() -> MarkingCatalogue {
    let mut catalogue = MarkingCatalogue::default();
    for definition in [
        json!({"type": "marking-definition", "spec_version": "2.1", "id": CUSTOM_RED,
               "created": "2026-01-01T00:00:00.000Z", "definition_type": "tlp",
               "definition": {"tlp": "red"}}),
        json!({"type": "marking-definition", "spec_version": "2.1", "id": CUSTOM_AMBER_EXTENSION,
               "created": "2026-01-01T00:00:00.000Z", "name": "Our amber",
               "extensions": {"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":
                   {"extension_type": "property-extension", "tlp_2_0": "amber"}}}),
        json!({"type": "marking-definition", "spec_version": "2.1", "id": STATEMENT,
               "created": "2026-01-01T00:00:00.000Z", "definition_type": "statement",
               "definition": {"statement": "Copyright 2026 CERT-EE"}}),
        json!({"type": "marking-definition", "spec_version": "2.1", "id": CUSTOM_WHITE,
               "created": "2026-01-01T00:00:00.000Z", "definition_type": "tlp",
               "definition": {"tlp": "white"}}),
    ] {
        catalogue.learn(&definition);
    }
    catalogue
}

fn indicator(markings: Value) -> Value {
    let mut object = json!({
        "type": "indicator", "spec_version": "2.1",
        "id": "indicator--0b0b0b0b-0000-4000-8000-000000000001",
        "created": "2026-11-01T08:00:00.000Z", "modified": "2026-11-01T08:00:00.000Z",
        "name": "C2", "pattern": "[ipv4-addr:value = '198.51.100.1']", "pattern_type": "stix",
        "valid_from": "2026-11-01T08:00:00Z"
    });
    if let (Value::Object(object), Value::Object(markings)) = (&mut object, markings) {
        object.extend(markings);
    }
    object
}

/// One row: the markings of an object (merged into an indicator) and its effective label.
fn check(markings: Value, expected: Option<Tlp>) {
    let object = indicator(markings.clone());
    let facts = object_facts(&object);
    assert_eq!(
        effective_tlp(&facts.marking_refs, &catalogue()),
        expected,
        "{markings}"
    );
}

fn granular(marking: &str, selectors: &[&str]) -> Value {
    json!({"marking_ref": marking, "selectors": selectors})
}

#[test]
fn the_effective_tlp_is_the_most_restrictive_marking() {
    // Unmarked, or marked with statements only: no label.
    check(json!({}), None);
    check(json!({"object_marking_refs": [STATEMENT]}), None);
    check(
        json!({"granular_markings": [{"lang": "en", "selectors": ["name"]}]}),
        None,
    );
    // Every TLP 2.0 id, as an object marking and as a granular marking.
    for tlp in Tlp::ALL {
        check(
            json!({"object_marking_refs": [tlp_marking_id(*tlp)]}),
            Some(*tlp),
        );
        check(
            json!({"granular_markings": [granular(tlp_marking_id(*tlp), &["pattern"])]}),
            Some(*tlp),
        );
    }
    // Every TLP 1.0 id (white reads as clear).
    for (id, tlp) in TLP_1_0_MARKING_IDS {
        check(json!({"object_marking_refs": [id]}), Some(tlp));
        check(
            json!({"granular_markings": [granular(id, &["name"])]}),
            Some(tlp),
        );
    }
    // Granular TLP:RED on `name` and `pattern` with no object marking restricts the object, and
    // wins over a clear or green object marking.
    check(
        json!({"granular_markings": [granular(tlp_marking_id(Tlp::Red), &["name", "pattern"])]}),
        Some(Tlp::Red),
    );
    check(
        json!({"object_marking_refs": [tlp_marking_id(Tlp::Clear)],
               "granular_markings": [granular(tlp_marking_id(Tlp::Red), &["pattern"])]}),
        Some(Tlp::Red),
    );
    check(
        json!({"object_marking_refs": [tlp_marking_id(Tlp::Green), tlp_marking_id(Tlp::AmberStrict)]}),
        Some(Tlp::AmberStrict),
    );
    // Custom definitions that state a TLP count as that TLP, as object or granular markings.
    check(json!({"object_marking_refs": [CUSTOM_RED]}), Some(Tlp::Red));
    check(
        json!({"granular_markings": [granular(CUSTOM_RED, &["description"])]}),
        Some(Tlp::Red),
    );
    check(
        json!({"object_marking_refs": [CUSTOM_AMBER_EXTENSION]}),
        Some(Tlp::Amber),
    );
    check(
        json!({"object_marking_refs": [CUSTOM_WHITE]}),
        Some(Tlp::Clear),
    );
    check(
        json!({"object_marking_refs": [CUSTOM_WHITE, STATEMENT, tlp_marking_id(Tlp::Green)]}),
        Some(Tlp::Green),
    );
    // A marking the node cannot resolve counts as red, whether object or granular.
    check(
        json!({"object_marking_refs": [NEVER_POSTED]}),
        Some(Tlp::Red),
    );
    check(
        json!({"object_marking_refs": [tlp_marking_id(Tlp::Clear)],
               "granular_markings": [granular(NEVER_POSTED, &["name"])]}),
        Some(Tlp::Red),
    );
    // A marking reference that is not even a string cannot vanish either.
    check(
        json!({"granular_markings": [{"marking_ref": 5, "selectors": ["name"]}]}),
        Some(Tlp::Red),
    );
}

/// One row: label of the object, adder, author, and the parties that may read it.
fn check_readers(
    markings: Value,
    added_by: Option<&str>,
    author: Option<&str>,
    expected: Option<&[&str]>,
) {
    let facts = object_facts(&indicator(markings.clone()));
    let added_by = added_by.map(party);
    let author = author.map(party);
    let readership = object_readers(&ReadFacts {
        marking_refs: &facts.marking_refs,
        markings: &catalogue(),
        added_by: added_by.as_ref(),
        author: author.as_ref(),
        carried_report: None,
    });
    let expected: Option<BTreeSet<PartyId>> =
        expected.map(|parties| parties.iter().map(|id| party(id)).collect());
    assert_eq!(readership.readers, expected, "{markings}");
}

#[test]
fn restricted_objects_are_read_by_their_adder_and_author_only() {
    let red = json!({"object_marking_refs": [tlp_marking_id(Tlp::Red)]});
    let granular_red =
        json!({"granular_markings": [granular(tlp_marking_id(Tlp::Red), &["name", "pattern"])]});
    let custom_red = json!({"object_marking_refs": [CUSTOM_RED]});
    check_readers(json!({}), Some("EE"), None, None);
    check_readers(
        json!({"object_marking_refs": [tlp_marking_id(Tlp::Green)]}),
        Some("EE"),
        Some("UA"),
        None,
    );
    check_readers(red.clone(), Some("EE"), None, Some(&["EE"]));
    check_readers(red.clone(), Some("EE"), Some("UA"), Some(&["EE", "UA"]));
    check_readers(red, None, Some("UA"), Some(&["UA"]));
    check_readers(granular_red, Some("EE"), None, Some(&["EE"]));
    check_readers(custom_red, Some("EE"), Some("EE"), Some(&["EE"]));
    check_readers(
        json!({"object_marking_refs": [tlp_marking_id(Tlp::Amber)]}),
        None,
        None,
        Some(&[]),
    );
}

#[test]
fn an_imported_report_adds_its_readers_and_its_label() {
    let (_, incident) = demo_incidents().into_iter().next().unwrap();
    let mut report = incident.report.clone();
    report.tlp = Tlp::Amber;
    report.shared_with = vec![party("GB")];
    let readers_of = |report: &redline_model::IncidentReport, markings: &[String]| {
        object_readers(&ReadFacts {
            marking_refs: markings,
            markings: &MarkingCatalogue::default(),
            added_by: Some(&report.reported_by),
            author: Some(&report.reported_by),
            carried_report: Some(report),
        })
    };
    // The report's own label restricts even an object marked clear.
    let clear = vec![tlp_marking_id(Tlp::Clear).to_string()];
    let readership = readers_of(&report, &clear);
    assert_eq!(readership.tlp, Some(Tlp::Amber));
    assert_eq!(readership.readers, report.readers());
    assert!(
        readership
            .readers
            .as_ref()
            .is_some_and(|readers| readers.contains(&party("GB")))
    );
    // A clear report with a red marking: restricted to its poster and author.
    report.tlp = Tlp::Clear;
    let red = vec![tlp_marking_id(Tlp::Red).to_string()];
    let readership = readers_of(&report, &red);
    assert_eq!(readership.tlp, Some(Tlp::Red));
    assert_eq!(
        readership.readers,
        Some(BTreeSet::from([report.reported_by.clone()]))
    );
    assert_eq!(readers_of(&report, &clear).readers, None);
}

fn marking_pool() -> Vec<(String, Option<Tlp>)> {
    let mut pool: Vec<(String, Option<Tlp>)> = Tlp::ALL
        .iter()
        .map(|tlp| (tlp_marking_id(*tlp).to_string(), Some(*tlp)))
        .collect();
    pool.extend(
        TLP_1_0_MARKING_IDS
            .iter()
            .map(|(id, tlp)| (id.to_string(), Some(*tlp))),
    );
    pool.extend([
        (CUSTOM_RED.to_string(), Some(Tlp::Red)),
        (CUSTOM_AMBER_EXTENSION.to_string(), Some(Tlp::Amber)),
        (CUSTOM_WHITE.to_string(), Some(Tlp::Clear)),
        (STATEMENT.to_string(), None),
        (NEVER_POSTED.to_string(), Some(Tlp::Red)),
    ]);
    pool
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever mix of object and granular markings: the label is the most restrictive one's,
    /// and the object is restricted to its adder and author exactly when that label is.
    #[test]
    fn the_label_is_the_maximum_and_restricts_to_adder_and_author(
        object_picks in proptest::collection::vec(0usize..14, 0..4),
        granular_picks in proptest::collection::vec(0usize..14, 0..4),
        author in proptest::option::of(0usize..3),
    ) {
        let pool = marking_pool();
        let object_refs: Vec<&str> = object_picks.iter().map(|pick| pool[*pick].0.as_str()).collect();
        let granular_markings: Vec<Value> = granular_picks
            .iter()
            .map(|pick| granular(&pool[*pick].0, &["name"]))
            .collect();
        let object = indicator(json!({
            "object_marking_refs": object_refs,
            "granular_markings": granular_markings,
        }));
        let facts = object_facts(&object);
        let expected = object_picks
            .iter()
            .chain(&granular_picks)
            .filter_map(|pick| pool[*pick].1)
            .max_by_key(|tlp| tlp_rank(*tlp));
        let catalogue = catalogue();
        prop_assert_eq!(effective_tlp(&facts.marking_refs, &catalogue), expected);
        let adder = party("EE");
        let author = author.map(|index| party(["EE", "UA", "GB"][index]));
        let readership = object_readers(&ReadFacts {
            marking_refs: &facts.marking_refs,
            markings: &catalogue,
            added_by: Some(&adder),
            author: author.as_ref(),
            carried_report: None,
        });
        match expected.filter(Tlp::is_restricted) {
            None => prop_assert_eq!(readership.readers, None),
            Some(_) => {
                let mut readers = BTreeSet::from([adder.clone()]);
                readers.extend(author);
                prop_assert_eq!(readership.readers, Some(readers));
            }
        }
    }
}

fn object(value: Value) -> StixObject {
    StixObject::from_json_value(value).unwrap()
}

/// One row of the authorship rule: poster, owner, `created_by_ref`, author, reporter, allowed.
fn check_write(
    posted: &StixObject,
    poster: &str,
    owner: Option<ObjectOwner>,
    created_by_ref: Option<&str>,
    author: Option<&str>,
    reporter: Option<&str>,
    allowed: bool,
) {
    let poster = party(poster);
    let author = author.map(party);
    let reporter = reporter.map(party);
    let outcome = check_object_write(
        posted,
        &WriteFacts {
            poster: &poster,
            owner: owner.as_ref(),
            created_by_ref,
            author: author.as_ref(),
            reporter: reporter.as_ref(),
        },
    );
    assert_eq!(
        outcome.is_ok(),
        allowed,
        "{poster} posting {} owned by {owner:?}, created by {created_by_ref:?} ({author:?}): {outcome:?}",
        posted.id_text()
    );
}

#[test]
fn only_the_owner_adds_versions_and_only_in_its_own_name() {
    let ee_identity = party_identity_id(&party("EE")).to_string();
    let ru_identity = party_identity_id(&party("RU")).to_string();
    let plain = object(indicator(json!({})));
    let ee = Some(ObjectOwner::Party(party("EE")));
    // New objects: allowed without created_by_ref or with the poster's own identity.
    check_write(&plain, "RU", None, None, None, None, true);
    check_write(
        &plain,
        "RU",
        None,
        Some(&ru_identity),
        Some("RU"),
        None,
        true,
    );
    // …never in another party's name, nor naming an identity nobody owns.
    check_write(
        &plain,
        "RU",
        None,
        Some(&ee_identity),
        Some("EE"),
        None,
        false,
    );
    let unknown = "identity--0c0c0c0c-0000-4000-8000-000000000001";
    check_write(&plain, "RU", None, Some(unknown), None, None, false);
    // A later version: only from the owner.
    check_write(&plain, "EE", ee.clone(), None, None, None, true);
    check_write(&plain, "RU", ee.clone(), None, None, None, false);
    check_write(
        &plain,
        "RU",
        ee,
        Some(&ru_identity),
        Some("RU"),
        None,
        false,
    );
    check_write(
        &plain,
        "EE",
        Some(ObjectOwner::Operator),
        None,
        None,
        None,
        false,
    );
    // An incident carrying a report must name its reporter; the report path checks the poster.
    check_write(
        &plain,
        "UA",
        None,
        Some(&ee_identity),
        Some("EE"),
        Some("EE"),
        true,
    );
    check_write(
        &plain,
        "UA",
        None,
        Some(&ru_identity),
        Some("RU"),
        Some("EE"),
        false,
    );
    // redline's identity: only on the exact shared definitions.
    let redline = redline_identity_id().to_string();
    check_write(&plain, "RU", None, Some(&redline), None, None, false);
}

#[test]
fn a_refusal_reads_the_same_whatever_its_cause() {
    let ee_identity = party_identity_id(&party("EE")).to_string();
    let plain = object(indicator(json!({})));
    let poster = party("RU");
    let owner = ObjectOwner::Party(party("EE"));
    let not_the_owner = check_object_write(
        &plain,
        &WriteFacts {
            poster: &poster,
            owner: Some(&owner),
            created_by_ref: None,
            author: None,
            reporter: None,
        },
    );
    let forged_author = check_object_write(
        &plain,
        &WriteFacts {
            poster: &poster,
            owner: None,
            created_by_ref: Some(&ee_identity),
            author: Some(&party("EE")),
            reporter: None,
        },
    );
    assert!(not_the_owner.is_err());
    assert_eq!(not_the_owner, forged_author);
}

#[test]
fn identities_stand_for_their_parties_or_owners() {
    let parties: BTreeMap<String, PartyId> = ["EE", "UA"]
        .iter()
        .map(|id| (party_identity_id(&party(id)).to_string(), party(id)))
        .collect();
    let ee_identity = party_identity_id(&party("EE")).to_string();
    let cert = "identity--0c0c0c0c-0000-4000-8000-000000000002";
    let owned_by_ua = ObjectOwner::Party(party("UA"));
    // A party's own identity is that party's whoever added the identity object.
    assert_eq!(
        identity_party(&ee_identity, &parties, Some(&owned_by_ua)),
        Some(party("EE"))
    );
    assert_eq!(
        identity_party(cert, &parties, Some(&owned_by_ua)),
        Some(party("UA"))
    );
    assert_eq!(identity_party(cert, &parties, None), None);
    assert_eq!(
        identity_party(cert, &parties, Some(&ObjectOwner::Operator)),
        None
    );
    assert_eq!(
        identity_party(
            "indicator--0c0c0c0c-0000-4000-8000-000000000003",
            &parties,
            Some(&owned_by_ua)
        ),
        None
    );
}

#[test]
fn redline_definitions_are_exactly_what_an_export_carries() {
    let redline = redline_identity_id();
    let mut definitions = 0;
    for (name, incident) in demo_incidents() {
        for posted in export_one(&incident).objects {
            let value = serde_json::to_value(&posted).unwrap();
            let by_redline =
                value.get("created_by_ref").and_then(Value::as_str) == Some(redline.as_str());
            if by_redline || posted.id_text() == redline.as_str() {
                definitions += 1;
                assert!(
                    is_redline_definition(&posted),
                    "{name}: {} is redline's",
                    posted.id_text()
                );
                // Anyone may post it under redline's identity, even where the id is taken.
                check_write(
                    &posted,
                    "RU",
                    Some(ObjectOwner::Party(party("EE"))),
                    value.get("created_by_ref").and_then(Value::as_str),
                    None,
                    None,
                    true,
                );
                // Changed in any property, it is not, and its id holds nothing else.
                let mut changed = value.clone();
                changed["description"] = json!("changed by someone else");
                let changed = object(changed);
                assert!(!is_redline_definition(&changed), "{name}: changed");
                check_write(&changed, "RU", None, None, None, None, false);
            } else {
                assert!(
                    !is_redline_definition(&posted),
                    "{name}: {} is the reporter's",
                    posted.id_text()
                );
            }
        }
    }
    assert!(definitions > 20, "{definitions}");
    // A relationship redline never derives, under redline's identity: refused.
    let ee = party_identity_id(&party("EE"));
    let forged = object(json!({
        "type": "relationship", "spec_version": "2.1",
        "id": "relationship--0d0d0d0d-0000-4000-8000-000000000001",
        "created_by_ref": redline.as_str(),
        "created": "2026-11-22T00:00:00.000Z", "modified": "2026-11-22T00:00:00.000Z",
        "relationship_type": "attributed-to",
        "source_ref": "threat-actor--0d0d0d0d-0000-4000-8000-000000000002",
        "target_ref": ee.as_str()
    }));
    assert!(!is_redline_definition(&forged));
    check_write(
        &forged,
        "RU",
        None,
        Some(redline.as_str()),
        None,
        None,
        false,
    );
}
