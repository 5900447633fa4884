//! Fuzz the disclosure parsers: any bytes read as a case version, an action, a supply-chain
//! notice or its acknowledgement, a CVSS vector, a purl or a CPE give a value or an error naming
//! what is wrong, never a panic; a case that parses opens, a notice that parses is issued and
//! graded, and a CVSS 4.0 vector that parses reads back to its canonical form.
#![no_main]

use libfuzzer_sys::fuzz_target;
use redline_disclosure::{
    CaseState, Cpe23, CvssV4, CvssV31, DisclosureAction, DisclosureCase, IndicatorKind,
    NoticeAcknowledgement, NoticeState, Purl, SupplyChainNotice, acknowledgement_duties,
};

fuzz_target!(|bytes: &[u8]| {
    if let Ok(case) = DisclosureCase::parse(bytes) {
        let at = case.signed_at;
        let _ = CaseState::open(case, at);
    }
    let _ = DisclosureAction::parse(bytes);
    if let Ok(notice) = SupplyChainNotice::parse(bytes) {
        let at = notice.signed_at;
        let state = NoticeState::issue(notice, at, at, std::iter::empty());
        let _ = acknowledgement_duties(&state, at);
    }
    let _ = NoticeAcknowledgement::parse(bytes);
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    if let Ok(vector) = CvssV4::parse(text) {
        let again = CvssV4::parse(vector.as_str()).expect("a canonical vector reads back");
        assert_eq!(again.as_str(), vector.as_str());
    }
    let _ = CvssV31::parse(text);
    let _ = Purl::parse(text);
    let _ = Cpe23::parse(text);
    for kind in [
        IndicatorKind::Sha256,
        IndicatorKind::Domain,
        IndicatorKind::Ipv6,
        IndicatorKind::Url,
        IndicatorKind::FileName,
    ] {
        let _ = kind.problem(text);
    }
});
