//! Property tests of the parsers: no input panics them, a CVSS 4.0 vector's canonical form is
//! the same whatever order its metrics came in and reads back unchanged, every generated CPE
//! 2.3 formatted string is accepted and a purl's canonical form reads back to itself.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use redline_disclosure::{Cpe23, CvssV4, CvssV31, DisclosureAction, DisclosureCase, Purl};

const BASE_METRICS: [(&str, &[&str]); 11] = [
    ("AV", &["N", "A", "L", "P"]),
    ("AC", &["L", "H"]),
    ("AT", &["N", "P"]),
    ("PR", &["N", "L", "H"]),
    ("UI", &["N", "P", "A"]),
    ("VC", &["H", "L", "N"]),
    ("VI", &["H", "L", "N"]),
    ("VA", &["H", "L", "N"]),
    ("SC", &["H", "L", "N"]),
    ("SI", &["H", "L", "N"]),
    ("SA", &["H", "L", "N"]),
];

fn base_vector() -> impl Strategy<Value = Vec<String>> {
    let choices: Vec<_> = BASE_METRICS
        .iter()
        .map(|(name, values)| {
            proptest::sample::select(values.to_vec())
                .prop_map(move |value| format!("{name}:{value}"))
        })
        .collect();
    choices
}

proptest! {
    #[test]
    fn no_text_panics_a_parser(text in "\\PC{0,300}") {
        let _ = CvssV4::parse(&text);
        let _ = CvssV31::parse(&text);
        let _ = Purl::parse(&text);
        let _ = Cpe23::parse(&text);
        let _ = DisclosureCase::parse(text.as_bytes());
        let _ = DisclosureAction::parse(text.as_bytes());
    }

    #[test]
    fn near_misses_do_not_panic(tail in "[A-Za-z0-9:/\\\\*?.%@_-]{0,120}") {
        let _ = CvssV4::parse(&format!("CVSS:4.0/{tail}"));
        let _ = CvssV31::parse(&format!("CVSS:3.1/{tail}"));
        let _ = Purl::parse(&format!("pkg:{tail}"));
        let _ = Cpe23::parse(&format!("cpe:2.3:{tail}"));
    }

    #[test]
    fn cvss_v4_is_canonical_whatever_the_order(metrics in base_vector(), seed in any::<u64>()) {
        let canonical = format!("CVSS:4.0/{}", metrics.join("/"));
        let mut shuffled = metrics.clone();
        let mut state = seed;
        for index in (1..shuffled.len()).rev() {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(index, (state >> 33) as usize % (index + 1));
        }
        let parsed = CvssV4::parse(&format!("CVSS:4.0/{}", shuffled.join("/"))).unwrap();
        prop_assert_eq!(parsed.as_str(), canonical.as_str());
        let again = CvssV4::parse(parsed.as_str()).unwrap();
        prop_assert_eq!(again.as_str(), parsed.as_str());
        prop_assert!((0.0..=10.0).contains(&parsed.score()));
    }

    #[test]
    fn generated_cpes_are_accepted(
        part in "[aoh*-]",
        fields in proptest::collection::vec("([a-z0-9._-]{1,12}|\\*|-)", 9),
    ) {
        let text = format!("cpe:2.3:{part}:{}:*:{}", fields[..8].join(":"), fields[8]);
        // The language component (the seventh) is `*` here: a generated word is rarely a tag.
        let parts: Vec<&str> = text.split(':').collect();
        prop_assume!(parts.len() == 13);
        let mut parts: Vec<String> = parts.into_iter().map(str::to_string).collect();
        parts[8] = "*".into();
        let text = parts.join(":");
        prop_assert!(Cpe23::parse(&text).is_ok(), "{}", text);
    }

    #[test]
    fn a_purls_canonical_form_reads_back_to_itself(
        kind in "(generic|npm|pypi|cargo|maven)",
        namespace in "[a-z][a-z0-9]{0,8}",
        name in "[a-z][a-z0-9-]{0,12}",
        version in "[0-9]{1,2}\\.[0-9]{1,2}",
    ) {
        if let Ok(purl) = Purl::parse(&format!("pkg:{kind}/{namespace}/{name}@{version}")) {
            let again = Purl::parse(purl.as_str()).unwrap();
            prop_assert_eq!(again.as_str(), purl.as_str());
        }
    }
}
