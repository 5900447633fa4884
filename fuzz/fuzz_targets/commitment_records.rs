//! Fuzz the signed commitment records a party sends the node: any bytes, read as a DSSE
//! envelope and as each record's payload (adoption, implementation report, review-round opening,
//! peer review, answer, closing, capacity-building entry), must give the record or an error naming a path, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use redline_hotline::open_signed_record;
use redline_model::ModelError;
use redline_model::commitments::{
    AdoptionStatement, CapacityBuildingEntry, IMPLEMENTATION_REPORT_PAYLOAD_TYPE,
    ImplementationReport, PeerReview, ReviewAnswer, ReviewRoundClosing, ReviewRoundOpening,
};

fn named(result: Result<(), ModelError>) {
    if let Err(error) = result {
        assert!(
            error.issues().iter().all(|issue| !issue.path.is_empty()),
            "every problem names its path: {error}"
        );
    }
}

fuzz_target!(|bytes: &[u8]| {
    let _ = open_signed_record(bytes, IMPLEMENTATION_REPORT_PAYLOAD_TYPE);
    named(AdoptionStatement::parse(bytes).map(|_| ()));
    named(ImplementationReport::parse(bytes).map(|_| ()));
    named(ReviewRoundOpening::parse(bytes).map(|_| ()));
    named(PeerReview::parse(bytes).map(|_| ()));
    named(ReviewAnswer::parse(bytes).map(|_| ()));
    named(ReviewRoundClosing::parse(bytes).map(|_| ()));
    named(CapacityBuildingEntry::parse(bytes).map(|_| ()));
});
