//! TLP 2.0 marking definitions: the OASIS objects with their fixed ids, and the mapping to and
//! from [`redline_model::Tlp`]. TLP 1.0 ids are accepted on input (`white` reads as `clear`).
//!
//! Also what a marking definition that is not one of the OASIS objects says about TLP
//! ([`tlp_stated_by_definition`]), the order of labels from least to most restrictive
//! ([`tlp_rank`]), and [`MarkingCatalogue`]: what the node knows of the marking definitions an
//! object may refer to.

use std::collections::BTreeMap;

use redline_model::{Timestamp, Tlp};
use serde_json::{Value, json};

use crate::{
    common::{Extensions, SPEC_VERSION, StixIdentifier, StixTimestamp},
    objects::MarkingDefinition,
};

/// The CTI TC extension-definition that TLP 2.0 markings use (property `tlp_2_0`).
pub const TLP_2_0_EXTENSION_DEFINITION_ID: &str =
    "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";

/// `created` of every OASIS TLP 2.0 marking-definition.
pub const TLP_2_0_CREATED: &str = "2022-10-01T00:00:00.000Z";

/// The id of the TLP 2.0 marking-definition for `tlp`.
pub fn tlp_marking_id(tlp: Tlp) -> &'static str {
    match tlp {
        Tlp::Clear => "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
        Tlp::Green => "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
        Tlp::Amber => "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
        Tlp::AmberStrict => "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
        Tlp::Red => "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
    }
}

/// The TLP 1.0 marking-definition ids of the STIX 2.1 spec, with the TLP 2.0 label each reads as.
pub const TLP_1_0_MARKING_IDS: [(&str, Tlp); 4] = [
    (
        "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
        Tlp::Clear,
    ),
    (
        "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
        Tlp::Green,
    ),
    (
        "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
        Tlp::Amber,
    ),
    (
        "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
        Tlp::Red,
    ),
];

/// The TLP label a marking-definition id stands for (TLP 2.0 or 1.0), if it is one.
pub fn tlp_from_marking_id(id: &str) -> Option<Tlp> {
    Tlp::ALL
        .iter()
        .copied()
        .find(|tlp| tlp_marking_id(*tlp) == id)
        .or_else(|| {
            TLP_1_0_MARKING_IDS
                .iter()
                .find(|(marking_id, _)| *marking_id == id)
                .map(|(_, tlp)| *tlp)
        })
}

/// The `name` of the OASIS object (`TLP:AMBER+STRICT`).
pub fn tlp_marking_name(tlp: Tlp) -> String {
    format!("TLP:{}", tlp.as_str().to_ascii_uppercase())
}

/// The OASIS TLP 2.0 marking-definition object for `tlp`, exactly as published.
pub fn tlp_marking_definition(tlp: Tlp) -> MarkingDefinition {
    let mut extensions = Extensions::new();
    extensions.insert(
        TLP_2_0_EXTENSION_DEFINITION_ID.to_string(),
        json!({ "extension_type": "property-extension", "tlp_2_0": tlp.as_str() }),
    );
    MarkingDefinition {
        object_type: MarkingDefinition::TYPE.to_string(),
        spec_version: SPEC_VERSION.to_string(),
        id: StixIdentifier::parse(tlp_marking_id(tlp)).unwrap_or_else(|_| {
            StixIdentifier::from_parts("marking-definition", uuid::Uuid::nil())
        }),
        created_by_ref: None,
        created: StixTimestamp(Timestamp::parse(TLP_2_0_CREATED).unwrap_or_else(|_| epoch())),
        name: Some(tlp_marking_name(tlp)),
        definition_type: None,
        definition: None,
        external_references: Vec::new(),
        object_marking_refs: Vec::new(),
        granular_markings: Vec::new(),
        extensions,
        additional_properties: Default::default(),
    }
}

/// How restrictive a label is, from `clear` (0) to `red` (4).
pub fn tlp_rank(tlp: Tlp) -> u8 {
    match tlp {
        Tlp::Clear => 0,
        Tlp::Green => 1,
        Tlp::Amber => 2,
        Tlp::AmberStrict => 3,
        Tlp::Red => 4,
    }
}

/// The more restrictive of two labels; an absent label restricts nothing.
pub fn most_restrictive(first: Option<Tlp>, second: Option<Tlp>) -> Option<Tlp> {
    match (first, second) {
        (Some(first), Some(second)) if tlp_rank(second) > tlp_rank(first) => Some(second),
        (Some(first), _) => Some(first),
        (None, second) => second,
    }
}

/// A TLP label as marking definitions write it: TLP 2.0 (`clear`, `amber+strict`), TLP 1.0
/// (`white` reads as `clear`), with or without a `TLP:` prefix, in any case, `amber_strict` and
/// `amber strict` for `amber+strict`. `None` if the text is no TLP label.
pub fn tlp_from_label(text: &str) -> Option<Tlp> {
    let trimmed = text.trim();
    let label = match trimmed.get(..4) {
        Some(prefix) if prefix.eq_ignore_ascii_case("tlp:") => trimmed.get(4..).unwrap_or(""),
        _ => trimmed,
    };
    let label = label.trim().to_ascii_lowercase();
    match label.as_str() {
        "white" => Some(Tlp::Clear),
        "amber_strict" | "amber strict" | "amber-strict" => Some(Tlp::AmberStrict),
        other => Tlp::parse(other),
    }
}

/// The TLP a marking-definition object (its JSON) states, if it states one. A definition states
/// TLP when
/// - its `definition_type` is `tlp` (STIX 2.0 and TLP 1.0 style): `definition.tlp` is the label;
/// - its `definition` has a `tlp` property (whatever `definition_type` says);
/// - one of its `extensions` has a `tlp_2_0` (the OASIS TLP 2.0 extension) or `tlp` property;
/// - its `name` begins with `TLP:`.
///
/// A statement whose label cannot be read (`"tlp": "purple"`, a number) counts as `red`: the
/// definition says it is TLP, and the most restrictive reading is the safe one. Several
/// statements give the most restrictive of them.
pub fn tlp_stated_by_definition(definition: &Value) -> Option<Tlp> {
    let read = |label: Option<&Value>| -> Tlp {
        label
            .and_then(Value::as_str)
            .and_then(tlp_from_label)
            .unwrap_or(Tlp::Red)
    };
    let mut stated = None;
    let declared_tlp = definition
        .get("definition_type")
        .and_then(Value::as_str)
        .is_some_and(|kind| kind.eq_ignore_ascii_case("tlp"));
    let inner = definition.get("definition").and_then(Value::as_object);
    if declared_tlp || inner.is_some_and(|inner| inner.contains_key("tlp")) {
        stated = most_restrictive(stated, Some(read(inner.and_then(|inner| inner.get("tlp")))));
    }
    if let Some(extensions) = definition.get("extensions").and_then(Value::as_object) {
        for extension in extensions.values().filter_map(Value::as_object) {
            for key in ["tlp_2_0", "tlp"] {
                if let Some(label) = extension.get(key) {
                    stated = most_restrictive(stated, Some(read(Some(label))));
                }
            }
        }
    }
    if let Some(name) = definition.get("name").and_then(Value::as_str)
        && name
            .trim()
            .get(..4)
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case("tlp:"))
    {
        stated = most_restrictive(stated, Some(tlp_from_label(name).unwrap_or(Tlp::Red)));
    }
    stated
}

/// What one marking reference means for TLP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkingMeaning {
    /// A TLP marking: an OASIS id (TLP 2.0 or 1.0) or a known definition that states a label.
    Tlp(Tlp),
    /// A known definition that says nothing about TLP (a statement, a copyright).
    NotTlp,
    /// A definition the node has not seen: neither an OASIS id nor one in the catalogue.
    Unknown,
}

/// The marking definitions a node knows besides the OASIS TLP objects (whose fixed ids always
/// mean their label, whatever a posted definition with the same id says), with the TLP each
/// states. Several versions of one definition count as the most restrictive of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MarkingCatalogue {
    stated: BTreeMap<String, Option<Tlp>>,
}

impl MarkingCatalogue {
    /// Learns a marking-definition from its JSON; anything else (or one without an `id`) is
    /// ignored.
    pub fn learn(&mut self, definition: &Value) {
        if definition.get("type").and_then(Value::as_str) != Some("marking-definition") {
            return;
        }
        let Some(id) = definition.get("id").and_then(Value::as_str) else {
            return;
        };
        let stated = tlp_stated_by_definition(definition);
        self.stated
            .entry(id.to_string())
            .and_modify(|known| *known = most_restrictive(*known, stated))
            .or_insert(stated);
    }

    /// Whether the id needs no look-up: an OASIS TLP id or a learnt definition.
    pub fn knows(&self, marking_id: &str) -> bool {
        tlp_from_marking_id(marking_id).is_some() || self.stated.contains_key(marking_id)
    }

    /// What a marking reference means.
    pub fn meaning(&self, marking_id: &str) -> MarkingMeaning {
        if let Some(tlp) = tlp_from_marking_id(marking_id) {
            return MarkingMeaning::Tlp(tlp);
        }
        match self.stated.get(marking_id) {
            Some(Some(tlp)) => MarkingMeaning::Tlp(*tlp),
            Some(None) => MarkingMeaning::NotTlp,
            None => MarkingMeaning::Unknown,
        }
    }
}

fn epoch() -> Timestamp {
    Timestamp::from_jiff(jiff::Timestamp::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_parse() {
        for tlp in Tlp::ALL {
            assert!(StixIdentifier::parse(tlp_marking_id(*tlp)).is_ok());
            assert_eq!(tlp_from_marking_id(tlp_marking_id(*tlp)), Some(*tlp));
        }
        assert!(Timestamp::parse(TLP_2_0_CREATED).is_ok());
    }

    #[test]
    fn ranks_order_the_labels() {
        for pair in Tlp::ALL.windows(2) {
            assert!(tlp_rank(pair[0]) < tlp_rank(pair[1]), "{pair:?}");
        }
        assert_eq!(most_restrictive(None, None), None);
        assert_eq!(most_restrictive(Some(Tlp::Red), None), Some(Tlp::Red));
        assert_eq!(most_restrictive(None, Some(Tlp::Green)), Some(Tlp::Green));
        assert_eq!(
            most_restrictive(Some(Tlp::Amber), Some(Tlp::Green)),
            Some(Tlp::Amber)
        );
        assert_eq!(
            most_restrictive(Some(Tlp::Amber), Some(Tlp::AmberStrict)),
            Some(Tlp::AmberStrict)
        );
    }

    /// One row per case: a definition's JSON and the TLP it states.
    fn check_statement(definition: Value, expected: Option<Tlp>) {
        assert_eq!(
            tlp_stated_by_definition(&definition),
            expected,
            "{definition}"
        );
    }

    #[test]
    fn what_definitions_state() {
        check_statement(
            json!({"definition_type": "tlp", "definition": {"tlp": "red"}}),
            Some(Tlp::Red),
        );
        check_statement(
            json!({"definition_type": "TLP", "definition": {"tlp": "white"}}),
            Some(Tlp::Clear),
        );
        check_statement(
            json!({"definition_type": "tlp", "definition": {"tlp": "purple"}}),
            Some(Tlp::Red),
        );
        check_statement(json!({"definition_type": "tlp"}), Some(Tlp::Red));
        check_statement(
            json!({"definition_type": "statement", "definition": {"tlp": "amber"}}),
            Some(Tlp::Amber),
        );
        check_statement(
            json!({"definition_type": "statement", "definition": {"statement": "Copyright"}}),
            None,
        );
        check_statement(
            json!({"extensions": {"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {"extension_type": "property-extension", "tlp_2_0": "amber+strict"}}}),
            Some(Tlp::AmberStrict),
        );
        check_statement(
            json!({"extensions": {"extension-definition--00000000-0000-4000-8000-000000000001": {"tlp": "TLP:GREEN"}}}),
            Some(Tlp::Green),
        );
        check_statement(json!({"name": "TLP:AMBER"}), Some(Tlp::Amber));
        check_statement(json!({"name": "tlp:whatever"}), Some(Tlp::Red));
        check_statement(json!({"name": "Handling caveat"}), None);
        check_statement(
            json!({"name": "TLP:GREEN", "definition_type": "tlp", "definition": {"tlp": "red"}}),
            Some(Tlp::Red),
        );
    }

    #[test]
    fn the_catalogue_keeps_oasis_ids_and_the_most_restrictive_version() {
        let mut catalogue = MarkingCatalogue::default();
        let custom = "marking-definition--00000000-0000-4000-8000-000000000001";
        assert_eq!(catalogue.meaning(custom), MarkingMeaning::Unknown);
        assert!(!catalogue.knows(custom));
        catalogue.learn(&json!({"type": "marking-definition", "id": custom, "definition_type": "tlp", "definition": {"tlp": "green"}}));
        assert_eq!(catalogue.meaning(custom), MarkingMeaning::Tlp(Tlp::Green));
        catalogue.learn(&json!({"type": "marking-definition", "id": custom, "definition_type": "tlp", "definition": {"tlp": "red"}}));
        catalogue.learn(&json!({"type": "marking-definition", "id": custom, "definition_type": "tlp", "definition": {"tlp": "clear"}}));
        assert_eq!(catalogue.meaning(custom), MarkingMeaning::Tlp(Tlp::Red));
        // A posted definition under an OASIS id never changes what that id means.
        let clear = tlp_marking_id(Tlp::Clear);
        catalogue.learn(&json!({"type": "marking-definition", "id": clear, "definition_type": "tlp", "definition": {"tlp": "red"}}));
        assert_eq!(catalogue.meaning(clear), MarkingMeaning::Tlp(Tlp::Clear));
        // Statements are known and mean no TLP; other types are not learnt.
        let statement = "marking-definition--00000000-0000-4000-8000-000000000002";
        catalogue.learn(&json!({"type": "marking-definition", "id": statement, "definition_type": "statement", "definition": {"statement": "Copyright"}}));
        assert_eq!(catalogue.meaning(statement), MarkingMeaning::NotTlp);
        let indicator = "indicator--00000000-0000-4000-8000-000000000003";
        catalogue.learn(&json!({"type": "indicator", "id": indicator, "name": "TLP:RED"}));
        assert!(!catalogue.knows(indicator));
    }
}
