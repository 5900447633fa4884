//! redline-norms: norms documents and the assessment engine.
//!
//! Owns the parsing and validation of norms documents (TOML; every error with file, line,
//! column and what was expected), their CEL conditions (compiled once per document and checked
//! against the schema of the incident report at load time), and the deterministic engine that
//! assesses an incident report against a document, and which document applies to an incident
//! given the adoptions (`applicable`). Pure: no I/O, no clock — the caller passes the document
//! text and its file name in.
//!
//! # The API the CLI and the node call
//!
//! ```no_run
//! # fn demo(report: &redline_model::IncidentReport) -> Result<(), redline_norms::NormsErrors> {
//! let document = redline_norms::NormsDocument::parse(redline_norms::baseline(), "norms/baseline.toml")?;
//! let assessment = redline_norms::assess(report, &document);
//! let json: Vec<u8> = assessment.to_json_bytes();
//! let text: String = redline_norms::render_assessment_text(&assessment, &document);
//! # Ok(()) }
//! ```
//!
//! # What a condition can name
//!
//! `report` is the incident report with its JSON field names; every field is present (absent
//! strings read `""`, absent numbers `0`, absent `reversible` and NCISS overrides `null`, an
//! absent `suspected_origin` `{state: "", confidence: "", basis: []}`). Derived helpers:
//! `max_effect`, `max_effect_rank` (0 `espionage` … 8 `loss-of-life`), `effect_rank["…"]`,
//! `effect_kinds`, `espionage_only`, `people_affected_total`, `max_duration_hours`,
//! `any_irreversible`, `irreversible_effects`, `max_scale_rank` (-1 none, 0 `local` … 3 `international`),
//! `scale_rank["…"]`, `sectors`, `essential_sectors`, `any_essential_service`,
//! `any_governmental_target`, `attribution_confidence_rank` (0 no suspected state, 1 `remote` …
//! 7 `almost-certain`), `confidence_rank["…"]`, `suspected_state`, `attribution_basis`,
//! `foreign_target_countries`, `spill_over`, `cross_border`, `close_access`, `ics_techniques`, `armed_conflict`,
//! `supply_chain`, `exploited_vulnerabilities` (the CVE ids and disclosure case ids the report
//! names as exploited, as text; `report.exploited_vulnerabilities` has them entry by entry, an
//! absent `cve` or `case` reading `""`),
//! `schmitt.{severity, immediacy, directness, invasiveness, measurability, military_character,
//! state_involvement, presumptive_legality, total}`, `severity_score`, `severity_level`, and
//! `nciss.<category>` (the option used, set or derived).

pub mod applicable;
pub mod assessment;
pub mod code_of_conduct;
pub mod conditions;
pub mod document;
pub mod engine;
pub mod error;
pub mod facts;
// The assessment text's words in the six UN languages (Fluent).
pub mod i18n;
pub mod render;
pub mod schmitt;
pub mod severity;
pub mod vocabulary;

pub use assessment::{
    Assessment, DutyFinding, Legal, NormEngaged, NormsReference, ProtectedFinding, RecommendedRung,
    RedLineFinding, Responses, Severity, TraceEntry, TraceText,
};
pub use conditions::condition_variables;
pub use document::{NormsDocument, norms_document_json_schema};
pub use engine::{Circumstances, ClaimAttribution, assess, assess_with};
pub use error::{NormsError, NormsErrors};
pub use i18n::{AssessmentWordsError, Words, check_assessment_resources};
pub use render::{render_assessment_text, render_assessment_text_in, render_document_summary};
pub use schmitt::SchmittFactors;
pub use vocabulary::{Certainty, Conclusion, DutyKind, LegalCategory, RungKind};

/// A norms document shipped with redline, embedded at build time from `norms/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShippedDocument {
    /// The name `--norms NAME` accepts.
    pub name: &'static str,
    /// The path in the repository, used in error messages.
    pub file_name: &'static str,
    pub text: &'static str,
}

/// Every shipped document; `baseline` first.
pub const SHIPPED_DOCUMENTS: &[ShippedDocument] = &[
    ShippedDocument {
        name: "baseline",
        file_name: "norms/baseline.toml",
        text: include_str!("../../../norms/baseline.toml"),
    },
    ShippedDocument {
        name: "sovereignty-as-principle",
        file_name: "norms/sovereignty-as-principle.toml",
        text: include_str!("../../../norms/sovereignty-as-principle.toml"),
    },
    ShippedDocument {
        name: "sovereignty-strict",
        file_name: "norms/sovereignty-strict.toml",
        text: include_str!("../../../norms/sovereignty-strict.toml"),
    },
];

/// The text of `norms/baseline.toml`, the shipped default.
pub fn baseline() -> &'static str {
    SHIPPED_DOCUMENTS[0].text
}

/// A shipped document by name (`baseline`, `sovereignty-as-principle`, `sovereignty-strict`).
pub fn shipped_document(name: &str) -> Option<&'static ShippedDocument> {
    SHIPPED_DOCUMENTS
        .iter()
        .find(|document| document.name == name)
}
