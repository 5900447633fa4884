//! Fuzz the attribution claim reader: any bytes read as a TAXII envelope, each object read as
//! STIX where it can be, must give claims or errors naming an object and a property, never a
//! panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use redline_stix::{StixObject, claims_from_stix, taxii::parse_taxii_envelope};

fuzz_target!(|bytes: &[u8]| {
    let Ok(raw_objects) = parse_taxii_envelope(bytes) else {
        return;
    };
    let objects: Vec<StixObject> = raw_objects
        .into_iter()
        .filter_map(|raw| StixObject::from_json_value(raw).ok())
        .collect();
    for result in claims_from_stix(&objects) {
        if let Err(error) = result {
            assert!(
                !error.object.is_empty() && !error.field.is_empty(),
                "an error names the object and the property: {error}"
            );
        }
    }
});
