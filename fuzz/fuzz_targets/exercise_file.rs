//! Fuzz target: the tabletop exercise file parser must never panic on any input; a file it
//! accepts must give each inject's incident report (checked against the report contract) at a
//! fixed start time without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    if let Ok(definition) = redline_sim::exercise::ExerciseDefinition::parse(text, "fuzz.toml") {
        let start = redline_model::Timestamp::from_microseconds(1_790_000_000_000_000)
            .expect("a fixed start time");
        for inject in &definition.injects {
            let _ = definition.incident_report(inject, start);
        }
    }
});
