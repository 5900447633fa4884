//! TLP 2.0 marking definitions: the OASIS objects with their fixed ids, and the mapping to and
//! from [`redline_model::Tlp`]. TLP 1.0 ids are accepted on input (`white` reads as `clear`).

use redline_model::{Timestamp, Tlp};
use serde_json::json;

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
}
