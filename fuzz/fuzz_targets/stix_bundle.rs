//! Fuzz the STIX bundle reader and the pattern parser: any bytes must give a bundle (with
//! per-object errors) or an error, never a panic; every object read must serialise and read back
//! equal; every `incident` it holds must import or fail with a reason.
#![no_main]

use libfuzzer_sys::fuzz_target;
use redline_stix::{StixObject, import_incidents, parse_bundle, parse_pattern};

fuzz_target!(|bytes: &[u8]| {
    if let Ok(text) = std::str::from_utf8(bytes) {
        let _ = parse_pattern(text);
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
