//! Fuzz the STIX bundle reader, the TAXII envelope reader and the pattern parser: any bytes must
//! give a bundle (with per-object errors) or an error, never a panic; every object read must
//! serialise and read back equal; every `incident` it holds must import or fail with a reason;
//! every raw object of an envelope gives its facts and its label, and read, whether it is one of
//! redline's shared definitions, without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use redline_stix::{
    StixObject,
    access::effective_tlp,
    import_incidents,
    mapping::{has_redline_definition_id, is_redline_definition},
    marking::MarkingCatalogue,
    parse_bundle, parse_pattern,
    taxii::{object_facts, parse_bundle_objects, parse_taxii_envelope},
};

fuzz_target!(|bytes: &[u8]| {
    if let Ok(text) = std::str::from_utf8(bytes) {
        let _ = parse_pattern(text);
    }
    let _ = parse_bundle_objects(bytes);
    if let Ok(objects) = parse_taxii_envelope(bytes) {
        let mut markings = MarkingCatalogue::default();
        objects.iter().for_each(|object| markings.learn(object));
        for raw in objects {
            let facts = object_facts(&raw);
            let _ = effective_tlp(&facts.marking_refs, &markings);
            if let Ok(object) = StixObject::from_json_value(raw) {
                let _ = is_redline_definition(&object);
                let _ = has_redline_definition_id(&object);
            }
        }
    }
    let Ok(bundle) = parse_bundle(bytes) else {
        return;
    };
    for object in &bundle.objects {
        let Ok(value) = serde_json::to_value(object) else {
            panic!("an object that was read must serialise");
        };
        match StixObject::from_json_value(value) {
            Ok(again) => assert_eq!(&again, object),
            Err(error) => panic!("a serialised object must read again: {error}"),
        }
    }
    let _ = import_incidents(&bundle.objects);
});
