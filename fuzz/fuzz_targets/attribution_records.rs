//! Fuzz the signed attribution and consultation records a party sends the node: any bytes,
//! read as a DSSE envelope and as each record's payload (claim, co-signature, decision,
//! consultation request, reply, outcome), must give the record or an error naming a path, never
//! a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use redline_hotline::{
    ConsultationOutcome, ConsultationReply, ConsultationRequest, open_signed_record,
};
use redline_model::{AttributionClaim, ClaimCosignature, ClaimDecision, ModelError};

fn named(result: Result<(), ModelError>) {
    if let Err(error) = result {
        assert!(
            error.issues().iter().all(|issue| !issue.path.is_empty()),
            "every problem names its path: {error}"
        );
    }
}

fuzz_target!(|bytes: &[u8]| {
    let _ = open_signed_record(bytes, "application/vnd.redline.attribution-claim+json");
    named(AttributionClaim::parse(bytes).map(|_| ()));
    named(ClaimCosignature::parse(bytes).map(|_| ()));
    named(ClaimDecision::parse(bytes).map(|_| ()));
    named(ConsultationRequest::parse(bytes).map(|_| ()));
    named(ConsultationReply::parse(bytes).map(|_| ()));
    named(ConsultationOutcome::parse(bytes).map(|_| ()));
});
