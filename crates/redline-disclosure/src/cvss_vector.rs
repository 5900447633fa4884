//! CVSS vectors as a case carries them: a CVSS 4.0 vector (required for scoring) and, where the
//! coordinator has one, a CVSS 3.1 base vector (what CSAF 2.0 can carry).
//!
//! Parsing goes through the RustSec `cvss` crate (CVSS 4.0 scoring since 2.1.0; 3.0.0 here).
//! It accepts metrics in any order; what is kept is the crate's re-serialisation, which is in
//! the specification's canonical order, so the FIRST JSON schema's regular expression (which
//! accepts only that order) passes wherever the vector goes (CSAF, CVE JSON 5, STIX). The
//! score and severity are derived from the canonical vector and never taken from input.
//!
//! A CVSS 4.0 vector has one score, of every metric group it carries (its nomenclature says
//! which: CVSS-B, CVSS-BT, …). [`CvssV4::base_score`] is the score of the base metrics alone
//! (CVSS-B), scored by the crate from the vector cut down to them: the `baseScore` of FIRST's
//! CVSS 4.0 JSON as the BSI CSAF validator computes it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The longest vector text accepted before parsing (a full CVSS 4.0 vector with every
/// optional metric is about 250 characters).
pub const MAXIMUM_VECTOR_CHARACTERS: usize = 400;

/// The CVSS 4.0 base metrics, in the specification's order.
const CVSS_V4_BASE_METRICS: [&str; 11] = [
    "AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA",
];

/// A CVSS 4.0 vector in canonical order.
#[derive(Debug, Clone, PartialEq)]
pub struct CvssV4 {
    vector: cvss::v4::Vector,
    canonical: String,
    /// The score and severity of the base metrics alone (CVSS-B).
    base: (f64, &'static str),
}

impl CvssV4 {
    /// Parses a `CVSS:4.0/…` vector; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<Self, String> {
        check_vector_text(text, "CVSS:4.0/")?;
        let vector = cvss::v4::Vector::from_str(text)
            .map_err(|error| format!("`{text}` is not a valid CVSS 4.0 vector: {error}"))?;
        let canonical = vector.to_string();
        let base = score_of_metrics(&canonical, &CVSS_V4_BASE_METRICS)?;
        Ok(Self {
            vector,
            canonical,
            base,
        })
    }

    /// The vector in the specification's order.
    pub fn as_str(&self) -> &str {
        &self.canonical
    }

    /// The score, 0.0 to 10.0, one decimal.
    pub fn score(&self) -> f64 {
        self.vector.score().value()
    }

    /// `NONE`, `LOW`, `MEDIUM`, `HIGH` or `CRITICAL`.
    pub fn severity(&self) -> &'static str {
        severity_word(self.vector.score().severity())
    }

    /// Which metric groups the score covers: `CVSS-B`, `CVSS-BT`, `CVSS-BE` or `CVSS-BTE`.
    pub fn nomenclature(&self) -> String {
        self.vector.nomenclature().to_string()
    }

    /// The score of the base metrics alone (CVSS-B): FIRST's JSON `baseScore`. The same as
    /// [`CvssV4::score`] for a vector of base metrics only.
    pub fn base_score(&self) -> f64 {
        self.base.0
    }

    /// The severity of [`CvssV4::base_score`]: FIRST's JSON `baseSeverity`.
    pub fn base_severity(&self) -> &'static str {
        self.base.1
    }
}

/// The score and severity of `canonical` cut down to `metrics`.
fn score_of_metrics(canonical: &str, metrics: &[&str]) -> Result<(f64, &'static str), String> {
    let mut parts = canonical.split('/');
    let mut cut = parts.next().unwrap_or("CVSS:4.0").to_string();
    for metric in parts {
        let name = metric.split_once(':').map_or(metric, |(name, _)| name);
        if metrics.contains(&name) {
            cut.push('/');
            cut.push_str(metric);
        }
    }
    cvss::v4::Vector::from_str(&cut)
        .map(|vector| {
            let score = vector.score();
            let severity = severity_word(score.clone().severity());
            (score.value(), severity)
        })
        .map_err(|error| {
            format!("`{canonical}` cut down to `{cut}` is not a valid vector: {error}")
        })
}

/// A CVSS 3.1 vector of base metrics only, in canonical order.
#[derive(Debug, Clone, PartialEq)]
pub struct CvssV31 {
    vector: cvss::v3::Vector,
    canonical: String,
}

impl CvssV31 {
    /// Parses a `CVSS:3.1/…` vector of the eight base metrics. Temporal and environmental
    /// metrics are refused: CSAF and CVE consumers recompute the base score from the vector,
    /// and a case states one base severity.
    pub fn parse(text: &str) -> Result<Self, String> {
        check_vector_text(text, "CVSS:3.1/")?;
        let vector = cvss::v3::Vector::from_str(text)
            .map_err(|error| format!("`{text}` is not a valid CVSS 3.1 vector: {error}"))?;
        let canonical = vector.to_string();
        let metric_count = canonical.split('/').count().saturating_sub(1);
        if metric_count != 8 {
            return Err(format!(
                "`{text}` has {metric_count} metrics: a case's CVSS 3.1 vector carries the eight base metrics only (AV, AC, PR, UI, S, C, I, A)"
            ));
        }
        Ok(Self { vector, canonical })
    }

    pub fn as_str(&self) -> &str {
        &self.canonical
    }

    /// The base score, 0.0 to 10.0, one decimal.
    pub fn score(&self) -> f64 {
        self.vector.base_score().value()
    }

    pub fn severity(&self) -> &'static str {
        severity_word(self.vector.base_score().severity())
    }
}

fn check_vector_text(text: &str, prefix: &str) -> Result<(), String> {
    if text.len() > MAXIMUM_VECTOR_CHARACTERS {
        return Err(format!(
            "a CVSS vector has at most {MAXIMUM_VECTOR_CHARACTERS} characters, this one {}",
            text.len()
        ));
    }
    if !text.starts_with(prefix) {
        return Err(format!("`{text}` does not start with `{prefix}`"));
    }
    Ok(())
}

fn severity_word(severity: cvss::Severity) -> &'static str {
    match severity {
        cvss::Severity::None => "NONE",
        cvss::Severity::Low => "LOW",
        cvss::Severity::Medium => "MEDIUM",
        cvss::Severity::High => "HIGH",
        cvss::Severity::Critical => "CRITICAL",
    }
}

macro_rules! vector_as_text {
    ($type:ident, $description:literal) => {
        impl fmt::Display for $type {
            fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str(&self.canonical)
            }
        }

        impl Serialize for $type {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.canonical)
            }
        }

        impl<'de> Deserialize<'de> for $type {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text: std::borrow::Cow<'_, str> = Deserialize::deserialize(deserializer)?;
                $type::parse(&text).map_err(serde::de::Error::custom)
            }
        }

        impl schemars::JsonSchema for $type {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($type).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "type": "string",
                    "maxLength": MAXIMUM_VECTOR_CHARACTERS,
                    "description": $description
                })
            }
        }
    };
}

vector_as_text!(
    CvssV4,
    "A CVSS 4.0 vector (`CVSS:4.0/AV:N/…`); any metric order is read, the canonical order is kept."
);
vector_as_text!(
    CvssV31,
    "A CVSS 3.1 vector of the eight base metrics (`CVSS:3.1/AV:N/AC:L/…`)."
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_known_answers_and_keeps_the_canonical_order() {
        let cases = [
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                9.3,
                "CRITICAL",
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N",
                6.9,
                "MEDIUM",
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U",
                8.1,
                "HIGH",
            ),
        ];
        for (text, score, severity) in cases {
            let vector = CvssV4::parse(text).expect("a valid vector");
            assert_eq!(vector.as_str(), text);
            assert!((vector.score() - score).abs() < 1e-9, "{text}");
            assert_eq!(vector.severity(), severity);
        }
        let shuffled =
            CvssV4::parse("CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/SC:N/VI:H/SI:N/VA:H/SA:N")
                .expect("any order is read");
        assert_eq!(
            shuffled.as_str(),
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
        );
        assert!((shuffled.score() - 8.7).abs() < 1e-9);
    }

    #[test]
    fn the_base_score_leaves_the_threat_and_environmental_metrics_out() {
        let base_only =
            CvssV4::parse("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")
                .expect("a valid vector");
        assert!((base_only.base_score() - 9.3).abs() < 1e-9);
        assert_eq!(base_only.base_severity(), "CRITICAL");

        // E:U lowers the vector's own score (CVSS-BT 8.1) but not its base score (CVSS-B 9.3).
        let unreported =
            CvssV4::parse("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U")
                .expect("a valid vector");
        assert!((unreported.score() - 8.1).abs() < 1e-9);
        assert!((unreported.base_score() - 9.3).abs() < 1e-9);
        assert_eq!(unreported.base_severity(), "CRITICAL");

        // An environmental metric changes the vector's score, not its base score.
        let modified = CvssV4::parse(
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:A/MAV:P",
        )
        .expect("a valid vector");
        assert_eq!(modified.nomenclature(), "CVSS-BTE");
        assert!((modified.base_score() - 9.3).abs() < 1e-9);
        assert!(modified.score() < 9.3, "{}", modified.score());
    }

    #[test]
    fn refuses_incomplete_foreign_and_temporal_vectors_with_a_reason() {
        let missing = CvssV4::parse("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N")
            .expect_err("SA is mandatory");
        assert!(missing.contains("SA"), "{missing}");
        let wrong_version = CvssV4::parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
            .expect_err("a 3.1 vector is not a 4.0 vector");
        assert!(wrong_version.contains("CVSS:4.0/"), "{wrong_version}");
        let temporal = CvssV31::parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U")
            .expect_err("base metrics only");
        assert!(temporal.contains("eight base metrics"), "{temporal}");
        let base = CvssV31::parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").expect("valid");
        assert!((base.score() - 9.8).abs() < 1e-9);
        assert_eq!(base.severity(), "CRITICAL");
    }
}
