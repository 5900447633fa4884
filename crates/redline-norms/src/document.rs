//! Norms documents: the TOML shape (`DESIGN.md`, Norms document), its parsing with positions,
//! its validation (every problem at once, each with file:line:column and what was expected),
//! and the compiled form the engine evaluates: CEL programs compiled once per document against
//! one shared environment.

use std::{
    collections::{BTreeMap, BTreeSet},
    ops::Range,
    sync::Arc,
};

use cel::{Env, Program};
use redline_model::{AttributionRelationship, Confidence, DisclosurePolicy, Sector};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::Spanned;

use crate::{
    conditions::{ConstantTables, Shape, check_condition, variable_shapes},
    error::{NormsError, NormsErrors, SourceMap},
    severity::{CATEGORY_IDS, option_ids},
    vocabulary::{Certainty, Conclusion, DutyKind, LegalCategory, RungKind},
};

// ---------------------------------------------------------------------------------------------
// The TOML shape.

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    rename = "NormsDocument",
    title = "redline norms document",
    description = "A norms document (TOML): severity model, protected infrastructure, legal rules, red lines, the response ladder, duties, national positions, attribution caps and the code of conduct. This schema is the shape; `redline norms check` also checks the CEL conditions and the references between tables. The shipped norms/baseline.toml is the full example."
)]
struct RawDocument {
    document: RawHeader,
    #[schemars(with = "RawSeverity")]
    severity: Spanned<RawSeverity>,
    #[serde(default)]
    #[schemars(with = "Vec<RawProtected>")]
    protected: Vec<Spanned<RawProtected>>,
    #[serde(default)]
    #[schemars(with = "Vec<RawRule>")]
    rule: Vec<Spanned<RawRule>>,
    #[serde(default)]
    #[schemars(with = "Vec<RawRedLine>")]
    red_line: Vec<Spanned<RawRedLine>>,
    #[serde(default)]
    #[schemars(with = "Vec<RawRung>")]
    rung: Vec<Spanned<RawRung>>,
    #[serde(default)]
    #[schemars(with = "Vec<RawDuty>")]
    duty: Vec<Spanned<RawDuty>>,
    #[serde(default)]
    #[schemars(with = "Vec<RawPosition>")]
    position: Vec<Spanned<RawPosition>>,
    #[serde(default)]
    #[schemars(with = "Option<RawAttribution>")]
    attribution: Option<Spanned<RawAttribution>>,
    #[serde(default)]
    #[schemars(with = "Option<RawResponses>")]
    responses: Option<Spanned<RawResponses>>,
    #[serde(default)]
    #[schemars(with = "Vec<crate::code_of_conduct::RawConductClause>")]
    conduct: Vec<Spanned<crate::code_of_conduct::RawConductClause>>,
    #[serde(default)]
    #[schemars(with = "Option<RawDisclosure>")]
    disclosure: Option<Spanned<RawDisclosure>>,
}

/// `[disclosure]`: the coordinated-disclosure policy of the cases the document governs. Every
/// key is optional; an absent one (or an absent table) takes redline's default
/// (`redline_model::DisclosurePolicy::default()`: 7, 30 and 90 days).
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Disclosure")]
struct RawDisclosure {
    /// Days a vendor has, from being contacted, to acknowledge the report (default 7).
    #[serde(default)]
    #[schemars(with = "Option<i64>", range(min = 1))]
    acknowledge_days: Option<Spanned<i64>>,
    /// Days a vendor has, from being contacted, to report each product's status (default 30).
    #[serde(default)]
    #[schemars(with = "Option<i64>", range(min = 1))]
    status_days: Option<Spanned<i64>>,
    /// Days from the report to the embargo's end when the coordinator chooses no date (default
    /// 90, at most 365).
    #[serde(default)]
    #[schemars(with = "Option<i64>", range(min = 1, max = 365))]
    embargo_days: Option<Spanned<i64>>,
    /// Where the periods come from (for example a published disclosure policy).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    basis: Option<Spanned<String>>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Position")]
struct RawPosition {
    #[schemars(with = "String")]
    id: Spanned<String>,
    question: String,
    #[serde(default)]
    hold: Vec<String>,
    #[serde(default)]
    reject: Vec<String>,
    #[serde(default)]
    summary: Option<String>,
    #[schemars(with = "Vec<String>")]
    sources: Spanned<Vec<String>>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Attribution")]
struct RawAttribution {
    #[schemars(with = "String")]
    basis: Spanned<String>,
    #[schemars(with = "Vec<RawAttributionCap>")]
    cap: Spanned<Vec<Spanned<RawAttributionCap>>>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "AttributionCap")]
struct RawAttributionCap {
    #[schemars(with = "Vec<AttributionRelationship>")]
    relationships: Spanned<Vec<AttributionRelationship>>,
    confidence: Confidence,
    allows: Certainty,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Responses")]
struct RawResponses {
    #[schemars(with = "Vec<String>")]
    proportionate: Spanned<Vec<Spanned<String>>>,
    #[schemars(with = "String")]
    red_line_floor: Spanned<String>,
    #[schemars(with = "String")]
    basis: Spanned<String>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Header")]
struct RawHeader {
    #[schemars(with = "String")]
    id: Spanned<String>,
    #[schemars(with = "String")]
    version: Spanned<String>,
    title: String,
    #[serde(default)]
    adopted_by: Vec<String>,
    #[serde(default)]
    review_by: Option<String>,
    #[serde(default)]
    summary: Option<String>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Severity")]
struct RawSeverity {
    #[schemars(with = "String")]
    model: Spanned<String>,
    #[serde(default)]
    note: Option<String>,
    #[schemars(with = "BTreeMap<String, RawCategory>")]
    categories: Spanned<BTreeMap<String, Spanned<RawCategory>>>,
    #[schemars(with = "Vec<RawBand>")]
    band: Spanned<Vec<Spanned<RawBand>>>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Category")]
struct RawCategory {
    title: String,
    #[schemars(with = "i64")]
    weight: Spanned<i64>,
    #[schemars(with = "BTreeMap<String, i64>")]
    options: Spanned<BTreeMap<String, Spanned<i64>>>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Band")]
struct RawBand {
    #[schemars(with = "i64")]
    level: Spanned<i64>,
    name: String,
    #[schemars(with = "String")]
    colour: Spanned<String>,
    #[schemars(with = "f64")]
    from: Spanned<f64>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Protected")]
struct RawProtected {
    #[schemars(with = "String")]
    id: Spanned<String>,
    title: String,
    #[schemars(with = "Vec<Sector>")]
    sectors: Spanned<Vec<Sector>>,
    #[serde(default)]
    essential_service_only: bool,
    #[serde(default)]
    armed_conflict_only: bool,
    #[schemars(with = "String")]
    basis: Spanned<String>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    gge: Vec<Spanned<String>>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Rule")]
struct RawRule {
    #[schemars(with = "String")]
    id: Spanned<String>,
    title: String,
    #[schemars(with = "String")]
    when: Spanned<String>,
    concludes: Conclusion,
    certainty: Certainty,
    #[schemars(with = "String")]
    basis: Spanned<String>,
    explanation: String,
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    position: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    gge: Vec<Spanned<String>>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "RedLine")]
struct RawRedLine {
    #[schemars(with = "String")]
    id: Spanned<String>,
    title: String,
    #[schemars(with = "String")]
    when: Spanned<String>,
    #[schemars(with = "String")]
    basis: Spanned<String>,
    explanation: String,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    gge: Vec<Spanned<String>>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Rung")]
struct RawRung {
    #[schemars(with = "i64")]
    number: Spanned<i64>,
    #[schemars(with = "String")]
    id: Spanned<String>,
    title: String,
    kind: RungKind,
    #[serde(default)]
    de_escalatory: bool,
    #[serde(default)]
    off_ramp: Option<String>,
    #[schemars(with = "String")]
    basis: Spanned<String>,
    #[serde(default)]
    frame: Frame,
    #[serde(default)]
    requires: RawRequires,
}

#[derive(Deserialize, Default, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Requires")]
struct RawRequires {
    #[serde(default)]
    category: Option<LegalCategory>,
    #[serde(default)]
    certainty: Option<Certainty>,
    #[serde(default)]
    confidence: Option<Confidence>,
    #[serde(default)]
    #[schemars(with = "Option<i64>")]
    severity_level: Option<Spanned<i64>>,
    #[serde(default)]
    prior_consultation: bool,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Duty")]
struct RawDuty {
    kind: DutyKind,
    #[schemars(with = "i64")]
    from_level: Spanned<i64>,
    #[schemars(with = "String")]
    within: Spanned<String>,
    #[schemars(with = "String")]
    basis: Spanned<String>,
}

/// The JSON Schema (draft 2020-12) of a norms document's TOML, generated from the types the
/// parser reads it into, so the two cannot drift: tables, keys, types and the controlled words.
/// What only the parser can check (CEL conditions, references between tables, ranges) is
/// `NormsDocument::parse`'s.
pub fn norms_document_json_schema() -> serde_json::Value {
    schemars::schema_for!(RawDocument).to_value()
}

// ---------------------------------------------------------------------------------------------
// The validated, compiled document.

/// One NCISS category under this document: its weight and the value of every option.
#[derive(Debug, Clone)]
pub struct SeverityCategory {
    pub(crate) trace_id: Arc<str>,
    pub id: &'static str,
    pub title: String,
    pub weight: u32,
    /// Option id → value (0–100), every option of the category.
    pub options: BTreeMap<String, u32>,
}

impl SeverityCategory {
    pub fn value_of(&self, option: &str) -> u32 {
        self.options.get(option).copied().unwrap_or(0)
    }

    pub fn maximum(&self) -> u32 {
        self.options.values().copied().max().unwrap_or(0)
    }
}

/// A band of scores with its level, name and colour; applies from `from` up to the next band.
#[derive(Debug, Clone)]
pub struct SeverityBand {
    pub level: u8,
    pub name: String,
    pub colour: String,
    pub from: f64,
}

#[derive(Debug, Clone)]
pub struct SeverityModel {
    pub note: Option<String>,
    /// In the order of [`CATEGORY_IDS`].
    pub categories: Vec<SeverityCategory>,
    /// In increasing order of `from`.
    pub bands: Vec<SeverityBand>,
}

#[derive(Debug, Clone)]
pub struct ProtectedClass {
    pub(crate) trace_id: Arc<str>,
    pub(crate) why_not_hit: Arc<str>,
    pub(crate) why_not_in_conflict: Arc<str>,
    pub id: String,
    pub title: String,
    pub sectors: Vec<Sector>,
    pub essential_service_only: bool,
    pub armed_conflict_only: bool,
    pub basis: String,
    /// GGE 2015 para. 13 norms this class engages when hit (`13(f)`).
    pub gge: Vec<String>,
}

/// A legal question with the published national positions on it: who holds the view a rule
/// relies on and who rejects it, with sources.
#[derive(Debug, Clone)]
pub struct Position {
    pub id: String,
    pub question: String,
    pub hold: Vec<String>,
    pub reject: Vec<String>,
    pub summary: Option<String>,
    pub sources: Vec<String>,
}

impl Position {
    /// "majority: 17 published positions incl. AT, BR, CA …; contrary: GB" for a rule of
    /// `certainty`.
    pub fn in_words(&self, certainty: Certainty) -> String {
        const SHOWN: usize = 8;
        let mut text = format!(
            "{}: {} published position{}",
            certainty.as_str(),
            self.hold.len(),
            if self.hold.len() == 1 { "" } else { "s" }
        );
        if !self.hold.is_empty() {
            text.push_str(" incl. ");
            text.push_str(
                &self
                    .hold
                    .iter()
                    .take(SHOWN)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", "),
            );
            if self.hold.len() > SHOWN {
                text.push_str(", …");
            }
        }
        text.push_str("; contrary: ");
        if self.reject.is_empty() {
            text.push_str("none found");
        } else {
            text.push_str(&self.reject.join(", "));
        }
        text
    }
}

/// Whether a rung belongs to peacetime, to armed conflict, or to both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Frame {
    #[default]
    Any,
    /// Peacetime only: under armed conflict IHL governs and the rung is not offered (the
    /// countermeasure logic of ARSIWA Arts 49–53 is replaced).
    Peacetime,
    /// Armed conflict only (accountability under IHL).
    ArmedConflict,
}

/// The strongest certainty an attribution supports: the first row whose relationships include
/// the report's and whose confidence the report reaches.
#[derive(Debug, Clone)]
pub struct AttributionCap {
    pub relationships: Vec<AttributionRelationship>,
    pub confidence: Confidence,
    pub allows: Certainty,
}

#[derive(Debug, Clone)]
pub struct AttributionTable {
    pub basis: String,
    pub caps: Vec<AttributionCap>,
}

impl AttributionTable {
    /// The certainty `confidence` and `relationship` support, and the row that says so
    /// (`None`: no row applies, so nothing above `contested`).
    pub fn allows(
        &self,
        relationship: AttributionRelationship,
        confidence: Confidence,
    ) -> (Certainty, Option<&AttributionCap>) {
        self.caps
            .iter()
            .find(|cap| cap.relationships.contains(&relationship) && confidence >= cap.confidence)
            .map_or((Certainty::Contested, None), |cap| (cap.allows, Some(cap)))
    }
}

/// The `[disclosure]` table: the policy, and where its periods come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisclosureTable {
    pub policy: DisclosurePolicy,
    pub basis: String,
}

impl DisclosureTable {
    /// The table a document without `[disclosure]` gets: redline's defaults.
    pub fn default_table() -> Self {
        Self {
            policy: DisclosurePolicy::default(),
            basis: DEFAULT_DISCLOSURE_BASIS.to_string(),
        }
    }
}

/// Where the default periods come from (see `redline_model::DisclosurePolicy`).
const DEFAULT_DISCLOSURE_BASIS: &str = "redline default (no [disclosure] in this document): 90 days to publication as in Google Project Zero's disclosure policy; 7 days to acknowledge and 30 to report a status are redline defaults (ISO/IEC 29147:2018 sets no period)";

/// Proportionality of the recommended responses.
#[derive(Debug, Clone)]
pub struct ResponsePolicy {
    /// Per severity level 0–5, the highest rung (by number) recommended.
    pub proportionate: [u32; 6],
    /// The least rung recommended once a red line is crossed or protected infrastructure hit.
    pub red_line_floor: u32,
    pub basis: String,
}

/// A compiled CEL condition and its source text.
pub struct Condition {
    pub source: String,
    pub(crate) program: Program,
}

impl std::fmt::Debug for Condition {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.source)
    }
}

#[derive(Debug)]
pub struct LegalRule {
    /// Trace texts, composed once at load time.
    pub(crate) trace_id: Arc<str>,
    pub(crate) why_fired: Arc<str>,
    pub(crate) why_not_met: Arc<str>,
    pub id: String,
    pub title: String,
    pub when: Condition,
    pub concludes: Conclusion,
    pub certainty: Certainty,
    pub basis: String,
    pub explanation: String,
    /// The published national positions the certainty rests on, in words.
    pub positions: Option<String>,
    pub gge: Vec<String>,
}

#[derive(Debug)]
pub struct RedLine {
    pub(crate) trace_id: Arc<str>,
    pub(crate) why_fired: Arc<str>,
    pub(crate) why_not_met: Arc<str>,
    pub id: String,
    pub title: String,
    pub when: Condition,
    pub basis: String,
    pub explanation: String,
    pub gge: Vec<String>,
}

/// What must hold for a rung to be recommended.
#[derive(Debug, Clone, Default)]
pub struct RungRequirements {
    /// Why each precondition fails, composed once: category, certainty, confidence, severity.
    pub(crate) failure_texts: [String; 4],
    pub category: Option<LegalCategory>,
    pub certainty: Option<Certainty>,
    pub confidence: Option<Confidence>,
    pub severity_level: Option<u8>,
    pub prior_consultation: bool,
}

#[derive(Debug, Clone)]
pub struct Rung {
    pub(crate) trace_id: Arc<str>,
    pub(crate) why_recommended: Arc<str>,
    /// "rung N not recommended:", composed once.
    pub(crate) why_not_prefix: String,
    pub number: u32,
    pub id: String,
    pub title: String,
    pub kind: RungKind,
    pub de_escalatory: bool,
    pub off_ramp: Option<String>,
    pub basis: String,
    pub frame: Frame,
    pub requires: RungRequirements,
}

impl Rung {
    /// Only the injured state may take it: countermeasures (ILC ARSIWA Art. 49; collective
    /// countermeasures are contested) and individual self-defence (UN Charter Art. 51).
    pub fn injured_state_only(&self) -> bool {
        matches!(self.kind, RungKind::Countermeasure)
            || (self.kind == RungKind::SelfDefence && !self.id.contains("collective"))
    }
}

#[derive(Debug, Clone)]
pub struct Duty {
    pub kind: DutyKind,
    pub from_level: u8,
    /// ISO 8601 duration, as written (`PT2H`).
    pub within: String,
    pub basis: String,
}

/// A parsed, validated and compiled norms document.
pub struct NormsDocument {
    pub id: String,
    pub version: String,
    pub title: String,
    pub adopted_by: Vec<String>,
    pub review_by: Option<String>,
    pub summary: Option<String>,
    pub file_name: String,
    /// Lower-case hex SHA-256 of the exact document bytes.
    pub sha256: String,
    pub severity: SeverityModel,
    pub protected: Vec<ProtectedClass>,
    pub rules: Vec<LegalRule>,
    pub red_lines: Vec<RedLine>,
    /// In order of `number`, 0 … n without gaps.
    pub rungs: Vec<Rung>,
    pub duties: Vec<Duty>,
    pub positions: Vec<Position>,
    pub attribution: AttributionTable,
    pub responses: ResponsePolicy,
    /// The code of conduct for public attribution (`[[conduct]]`).
    pub code_of_conduct: crate::code_of_conduct::CodeOfConduct,
    /// The coordinated-disclosure policy (`[disclosure]`; redline's defaults without it).
    pub disclosure: DisclosureTable,
    pub(crate) environment: Arc<Env>,
    pub(crate) tables: ConstantTables,
}

impl std::fmt::Debug for NormsDocument {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("NormsDocument")
            .field("id", &self.id)
            .field("version", &self.version)
            .field("sha256", &self.sha256)
            .finish_non_exhaustive()
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing and validation.

struct Validator<'a> {
    source: SourceMap<'a>,
    errors: Vec<NormsError>,
    environment: &'a Env,
    globals: Vec<(&'static str, Shape)>,
}

impl Validator<'_> {
    fn error(&mut self, span: Range<usize>, message: impl Into<String>) {
        let error = self.source.error(span.start, message);
        self.errors.push(error);
    }

    fn require_text(&mut self, value: &Spanned<String>, what: &str) {
        if value.get_ref().trim().is_empty() {
            self.error(
                value.span(),
                format!("{what} is empty: expected a citation of its basis (for example `GGE 2015 13(f)`)"),
            );
        }
    }

    fn require_slug(&mut self, value: &Spanned<String>, what: &str) {
        let text = value.get_ref();
        let ok = !text.is_empty()
            && text.len() <= 80
            && text.bytes().all(|byte| {
                byte.is_ascii_lowercase()
                    || byte.is_ascii_digit()
                    || matches!(byte, b'-' | b'.' | b'_')
            })
            && text.as_bytes().first().is_some_and(u8::is_ascii_lowercase);
        if !ok {
            self.error(
                value.span(),
                format!("{what} `{text}` is not an id: expected lower-case letters, digits, `-`, `.` or `_`, starting with a letter"),
            );
        }
    }

    /// GGE 2015 para. 13 norm tags, each `13(a)` … `13(k)`.
    fn gge_tags(&mut self, tags: &[Spanned<String>]) -> Vec<String> {
        let mut valid = Vec::new();
        for tag in tags {
            let text = tag.get_ref();
            let ok = text.len() == 5
                && text.starts_with("13(")
                && text.ends_with(')')
                && matches!(text.as_bytes()[3], b'a'..=b'k');
            if ok {
                valid.push(text.clone());
            } else {
                self.error(
                    tag.span(),
                    format!(
                        "`{text}` is not a norm of GGE 2015 para. 13: expected `13(a)` to `13(k)`"
                    ),
                );
            }
        }
        valid
    }

    /// Compiles and checks a CEL condition; on failure records errors positioned inside the
    /// `when` string of the TOML.
    fn condition(&mut self, value: &Spanned<String>, owner: &str) -> Option<Condition> {
        let source = value.get_ref().clone();
        let content_start = self.string_content_start(value.span());
        if source.trim().is_empty() {
            self.error(
                value.span(),
                format!("`when` of {owner} is empty: expected a CEL condition over the report"),
            );
            return None;
        }
        let program = match self.environment.compile(&source) {
            Ok(program) => program,
            Err(parse_errors) => {
                for parse_error in parse_errors.errors.iter().take(3) {
                    let (line, column) = parse_error.pos;
                    let offset = offset_of_line_column(&source, line, column);
                    let message = parse_error.msg.clone();
                    self.error(
                        content_start + offset..content_start + offset,
                        format!("`when` of {owner} is not valid CEL: {message}"),
                    );
                }
                if parse_errors.errors.is_empty() {
                    self.error(value.span(), format!("`when` of {owner} is not valid CEL"));
                }
                return None;
            }
        };
        let problems = check_condition(&program, &self.globals);
        if problems.is_empty() {
            return Some(Condition { source, program });
        }
        for problem in problems {
            let byte_offset = source
                .char_indices()
                .nth(problem.character_offset)
                .map_or(source.len(), |(index, _)| index);
            self.error(
                content_start + byte_offset..content_start + byte_offset,
                format!("`when` of {owner}: {}", problem.message),
            );
        }
        None
    }

    /// Where the characters of a TOML string value start, after its opening quotes.
    fn string_content_start(&self, span: Range<usize>) -> usize {
        let raw = self.source.text.get(span.clone()).unwrap_or("");
        let mut start = span.start;
        if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
            start += 3;
            let rest = &raw[3..];
            if rest.starts_with("\r\n") {
                start += 2;
            } else if rest.starts_with('\n') {
                start += 1;
            }
        } else if raw.starts_with('"') || raw.starts_with('\'') {
            start += 1;
        }
        start
    }
}

/// Byte offset of a 1-based line and column (as CEL reports them) in `text`.
fn offset_of_line_column(text: &str, line: isize, column: isize) -> usize {
    let mut offset = 0usize;
    for (index, line_text) in text.split_inclusive('\n').enumerate() {
        if index as isize + 1 == line {
            let column = usize::try_from(column.max(1) - 1).unwrap_or(0);
            return offset
                + line_text
                    .char_indices()
                    .nth(column)
                    .map_or(line_text.len(), |(index, _)| index);
        }
        offset += line_text.len();
    }
    offset.min(text.len())
}

/// Checks an ISO 8601 duration of the forms `PnD`, `PTnH`, `PTnM`, `PnDTnH…`, `PnW`.
pub(crate) fn is_iso8601_duration(text: &str) -> bool {
    let Some(rest) = text.strip_prefix('P') else {
        return false;
    };
    if rest.is_empty() {
        return false;
    }
    let (date_part, time_part) = match rest.split_once('T') {
        Some((date, time)) => {
            if time.is_empty() {
                return false;
            }
            (date, Some(time))
        }
        None => (rest, None),
    };
    fn units(part: &str, allowed: &[char]) -> bool {
        let mut digits = 0;
        let mut position = 0;
        for character in part.chars() {
            if character.is_ascii_digit() {
                digits += 1;
            } else {
                let Some(index) = allowed.iter().position(|unit| *unit == character) else {
                    return false;
                };
                if digits == 0 || index < position {
                    return false;
                }
                position = index + 1;
                digits = 0;
            }
        }
        digits == 0
    }
    units(date_part, &['Y', 'M', 'W', 'D'])
        && time_part.is_none_or(|time| units(time, &['H', 'M', 'S']))
}

/// A holder of a published position: an ISO 3166-1 alpha-2 code, the EU or the African Union.
fn is_position_holder(text: &str) -> bool {
    matches!(text, "EU" | "AU-union")
        || (text.len() == 2 && text.bytes().all(|byte| byte.is_ascii_uppercase()))
}

impl AttributionTable {
    /// The table a document without `[attribution]` gets: the baseline's.
    pub fn default_table() -> Self {
        use AttributionRelationship::{
            Acknowledged, DirectedOrControlled, ProxyUnverified, StateOrgan, Unknown,
        };
        let shown = vec![StateOrgan, DirectedOrControlled, Acknowledged];
        Self {
            basis: "redline default (no [attribution] in this document): Tallinn 2.0 Rules 15 and 17; ILC ARSIWA Arts 4, 8 and 11; GGE 2015 para. 28(f)".into(),
            caps: vec![
                AttributionCap {
                    relationships: shown.clone(),
                    confidence: Confidence::AlmostCertain,
                    allows: Certainty::Settled,
                },
                AttributionCap {
                    relationships: [shown.clone(), vec![Unknown]].concat(),
                    confidence: Confidence::VeryLikely,
                    allows: Certainty::Majority,
                },
                AttributionCap {
                    relationships: [shown, vec![Unknown, ProxyUnverified]].concat(),
                    confidence: Confidence::Likely,
                    allows: Certainty::Contested,
                },
            ],
        }
    }
}

fn is_colour(text: &str) -> bool {
    text.len() == 7
        && text.starts_with('#')
        && text[1..].bytes().all(|byte| byte.is_ascii_hexdigit())
}

fn is_version(text: &str) -> bool {
    let parts: Vec<&str> = text.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|part| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit()))
}

impl NormsDocument {
    /// Parses and validates a norms document. `file_name` is only used in error messages and
    /// kept on the document; the library reads no files.
    ///
    /// A pipeline of stages, one per table of the document; each stage validates its table,
    /// records every problem it finds and returns its compiled part, so that one run reports
    /// every problem at once.
    pub fn parse(text: &str, file_name: &str) -> Result<NormsDocument, NormsErrors> {
        let source = SourceMap {
            text,
            file: file_name,
        };
        let raw = read_raw_document(&source)?;
        let environment = Env::stdlib();
        let mut validator = Validator {
            source,
            errors: Vec::new(),
            environment: &environment,
            globals: variable_shapes(),
        };
        validator.check_header(&raw.document);
        let severity = validator.severity_model(raw.severity);
        let protected = validator.protected_classes(raw.protected);
        let positions = validator.positions(raw.position);
        // Rules and red lines share one id space.
        let mut rule_ids = BTreeSet::new();
        let rules = validator.legal_rules(raw.rule, &positions, &mut rule_ids);
        let red_lines = validator.red_lines(raw.red_line, &mut rule_ids);
        let rungs = validator.rungs(raw.rung);
        let duties = validator.duties(raw.duty);
        let attribution = validator.attribution_table(raw.attribution);
        let responses = validator.response_policy(raw.responses, &rungs);
        let code_of_conduct = crate::code_of_conduct::code_of_conduct(&mut validator, raw.conduct);
        let disclosure = validator.disclosure_table(raw.disclosure);
        validator.into_result()?;
        let header = raw.document;
        Ok(NormsDocument {
            id: header.id.into_inner(),
            version: header.version.into_inner(),
            title: header.title,
            adopted_by: header.adopted_by,
            review_by: header.review_by,
            summary: header.summary,
            file_name: file_name.to_string(),
            sha256: sha256_hex(text),
            severity,
            protected,
            rules,
            red_lines,
            rungs,
            duties,
            positions,
            attribution,
            responses,
            code_of_conduct,
            disclosure,
            environment: Arc::new(environment),
            tables: ConstantTables::new(),
        })
    }
}

/// The TOML read into its shape; a syntax or shape error stops here, alone.
fn read_raw_document(source: &SourceMap<'_>) -> Result<RawDocument, NormsErrors> {
    toml::from_str(source.text).map_err(|error| {
        let offset = error.span().map_or(0, |span| span.start);
        let message = error.message().trim().replace('\n', " ");
        NormsErrors {
            errors: vec![source.error(offset, message)],
        }
    })
}

/// Lower-case hex SHA-256 of the document's exact bytes.
fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// The stages of [`NormsDocument::parse`] and the checks they share.
impl Validator<'_> {
    /// A slug id not seen before in `seen`: `what` names it in errors (`rule id`).
    fn require_new_slug(&mut self, seen: &mut BTreeSet<String>, id: &Spanned<String>, what: &str) {
        self.require_slug(id, what);
        if !seen.insert(id.get_ref().clone()) {
            self.error(
                id.span(),
                format!(
                    "{what} `{}` is used twice: expected unique ids",
                    id.get_ref()
                ),
            );
        }
    }

    /// A severity level, 0 to 5, clamped into range once its error is recorded.
    fn severity_level(&mut self, value: &Spanned<i64>, what: &str) -> u8 {
        let level = *value.get_ref();
        if !(0..=5).contains(&level) {
            self.error(
                value.span(),
                format!("{what} {level} is out of range: expected 0 to 5"),
            );
        }
        u8::try_from(level.clamp(0, 5)).unwrap_or(0)
    }

    /// `[document]`: the id and the version.
    fn check_header(&mut self, header: &RawHeader) {
        self.require_slug(&header.id, "document id");
        if !is_version(header.version.get_ref()) {
            self.error(
                header.version.span(),
                format!(
                    "version `{}` is not a version: expected MAJOR.MINOR.PATCH such as `1.0.0`",
                    header.version.get_ref()
                ),
            );
        }
    }

    /// `[severity]`: the model, its eight categories and its bands.
    fn severity_model(&mut self, raw: Spanned<RawSeverity>) -> SeverityModel {
        let severity_span = raw.span();
        let severity = raw.into_inner();
        if severity.model.get_ref() != "nciss" {
            self.error(
                severity.model.span(),
                format!(
                    "severity model `{}` is not known: expected `nciss`",
                    severity.model.get_ref()
                ),
            );
        }
        let categories = self.severity_categories(severity.categories, &severity_span);
        let bands = self.severity_bands(severity.band, &severity_span);
        SeverityModel {
            note: severity.note,
            categories,
            bands,
        }
    }

    /// `[severity.categories]`: exactly the NCISS categories, in the order of [`CATEGORY_IDS`].
    fn severity_categories(
        &mut self,
        raw: Spanned<BTreeMap<String, Spanned<RawCategory>>>,
        severity_span: &Range<usize>,
    ) -> Vec<SeverityCategory> {
        let categories_span = raw.span();
        let mut raw_categories = raw.into_inner();
        for (name, category) in &raw_categories {
            if !CATEGORY_IDS.contains(&name.as_str()) {
                self.error(
                    category.span(),
                    format!(
                        "`{name}` is not an NCISS category: expected one of {}",
                        CATEGORY_IDS.join(", ")
                    ),
                );
            }
        }
        let mut categories = Vec::new();
        for id in CATEGORY_IDS {
            let Some(category) = raw_categories.remove(id) else {
                self.error(
                    categories_span.clone(),
                    format!("the NCISS category `{id}` is missing: expected all eight categories"),
                );
                continue;
            };
            categories.push(self.severity_category(id, category.into_inner(), severity_span));
        }
        categories
    }

    /// One NCISS category: its weight and a value for every one of its options.
    fn severity_category(
        &mut self,
        id: &'static str,
        category: RawCategory,
        severity_span: &Range<usize>,
    ) -> SeverityCategory {
        let weight = *category.weight.get_ref();
        if !(1..=100).contains(&weight) {
            self.error(
                category.weight.span(),
                format!("weight {weight} of `{id}` is out of range: expected a whole number from 1 to 100"),
            );
        }
        let options = self.category_option_values(id, category.options, severity_span);
        SeverityCategory {
            trace_id: Arc::from(format!("severity.{id}")),
            id,
            title: category.title,
            weight: u32::try_from(weight.clamp(0, 100)).unwrap_or(0),
            options,
        }
    }

    /// The options of category `id`: every known option, each 0 to 100, not all 0.
    fn category_option_values(
        &mut self,
        id: &str,
        raw: Spanned<BTreeMap<String, Spanned<i64>>>,
        severity_span: &Range<usize>,
    ) -> BTreeMap<String, u32> {
        let known = option_ids(id);
        let options_span = raw.span();
        let options = raw.into_inner();
        let mut values = BTreeMap::new();
        for (option, value) in &options {
            if !known.contains(&option.as_str()) {
                self.error(
                    value.span(),
                    format!(
                        "`{option}` is not an option of `{id}`: expected one of {}",
                        known.join(", ")
                    ),
                );
                continue;
            }
            let number = *value.get_ref();
            if !(0..=100).contains(&number) {
                self.error(
                    value.span(),
                    format!("value {number} of `{id}.{option}` is out of range: expected 0 to 100"),
                );
                continue;
            }
            values.insert(option.clone(), u32::try_from(number).unwrap_or(0));
        }
        let missing: Vec<&str> = known
            .iter()
            .copied()
            .filter(|option| !options.contains_key(*option))
            .collect();
        if !missing.is_empty() {
            self.error(
                options_span,
                format!(
                    "`{id}` gives no value for {}: expected a value for every option",
                    missing.join(", ")
                ),
            );
        }
        if values.values().all(|value| *value == 0) && missing.is_empty() {
            self.error(
                severity_span.clone(),
                format!("every option of `{id}` is 0: expected at least one positive value"),
            );
        }
        values
    }

    /// `[[severity.band]]`: from score 0, rising, levels never falling, every level 0 to 5.
    fn severity_bands(
        &mut self,
        raw: Spanned<Vec<Spanned<RawBand>>>,
        severity_span: &Range<usize>,
    ) -> Vec<SeverityBand> {
        let bands_span = raw.span();
        let raw_bands = raw.into_inner();
        let mut bands: Vec<SeverityBand> = Vec::new();
        if raw_bands.is_empty() {
            self.error(
                bands_span,
                "no `[[severity.band]]`: expected bands for levels 0 to 5",
            );
        }
        for (index, band) in raw_bands.into_iter().enumerate() {
            let band = self.severity_band(index, band.into_inner(), bands.last());
            bands.push(band);
        }
        for level in 0..=5u8 {
            if !bands.is_empty() && !bands.iter().any(|band| band.level == level) {
                self.error(
                    severity_span.clone(),
                    format!("no band has level {level}: expected every level from 0 to 5"),
                );
            }
        }
        bands
    }

    /// One band, checked on its own and against the band before it.
    fn severity_band(
        &mut self,
        index: usize,
        band: RawBand,
        previous: Option<&SeverityBand>,
    ) -> SeverityBand {
        let level = *band.level.get_ref();
        let clamped_level = self.severity_level(&band.level, "level");
        if !is_colour(band.colour.get_ref()) {
            self.error(
                band.colour.span(),
                format!(
                    "colour `{}` is not a colour: expected `#RRGGBB`",
                    band.colour.get_ref()
                ),
            );
        }
        let from = *band.from.get_ref();
        if index == 0 && from != 0.0 {
            self.error(
                band.from.span(),
                format!(
                    "the first band starts at {from}: expected 0 so that every score has a level"
                ),
            );
        }
        if !(0.0..=100.0).contains(&from) {
            self.error(
                band.from.span(),
                format!("`from = {from}` is out of range: expected 0 to 100"),
            );
        }
        if let Some(previous) = previous {
            if from <= previous.from {
                self.error(
                    band.from.span(),
                    format!("`from = {from}` does not rise above the previous band's {}: expected bands in increasing order of score", previous.from),
                );
            }
            if i64::from(previous.level) > level {
                self.error(
                    band.level.span(),
                    format!("level {level} follows level {}: expected levels that never fall as scores rise", previous.level),
                );
            }
        }
        SeverityBand {
            level: clamped_level,
            name: band.name,
            colour: band.colour.into_inner(),
            from,
        }
    }

    /// `[[protected]]`: the classes of protected infrastructure.
    fn protected_classes(&mut self, raw: Vec<Spanned<RawProtected>>) -> Vec<ProtectedClass> {
        let mut protected_ids = BTreeSet::new();
        let mut protected = Vec::new();
        for entry in raw {
            let entry = entry.into_inner();
            self.require_new_slug(&mut protected_ids, &entry.id, "protected id");
            if entry.sectors.get_ref().is_empty() {
                self.error(
                    entry.sectors.span(),
                    "`sectors` is empty: expected at least one sector",
                );
            }
            self.require_text(&entry.basis, "`basis`");
            let sectors_text = crate::severity::sector_list(entry.sectors.get_ref());
            protected.push(ProtectedClass {
                trace_id: Arc::from(entry.id.get_ref().as_str()),
                why_not_hit: Arc::from(if entry.essential_service_only {
                    format!(
                        "{}: no target in {sectors_text} that provides an essential service",
                        entry.title
                    )
                } else {
                    format!("{}: no target in {sectors_text}", entry.title)
                }),
                why_not_in_conflict: Arc::from(format!(
                    "{}: applies only in armed conflict",
                    entry.title
                )),
                id: entry.id.into_inner(),
                title: entry.title,
                sectors: entry.sectors.into_inner(),
                essential_service_only: entry.essential_service_only,
                armed_conflict_only: entry.armed_conflict_only,
                basis: entry.basis.into_inner(),
                gge: self.gge_tags(&entry.gge),
            });
        }
        protected
    }

    /// `[[position]]`: published national positions, referred to by rules.
    fn positions(&mut self, raw: Vec<Spanned<RawPosition>>) -> Vec<Position> {
        let mut position_ids = BTreeSet::new();
        let mut positions = Vec::new();
        for entry in raw {
            let entry = entry.into_inner();
            self.require_new_slug(&mut position_ids, &entry.id, "position id");
            if entry.sources.get_ref().is_empty() {
                self.error(
                    entry.sources.span(),
                    "`sources` is empty: expected the published positions cited",
                );
            }
            for state in entry.hold.iter().chain(entry.reject.iter()) {
                if !is_position_holder(state) {
                    self.error(
                        entry.id.span(),
                        format!("`{state}` in position `{}` is not a state code: expected an ISO 3166-1 alpha-2 code, `EU` or `AU-union`", entry.id.get_ref()),
                    );
                }
            }
            positions.push(Position {
                id: entry.id.into_inner(),
                question: entry.question,
                hold: entry.hold,
                reject: entry.reject,
                summary: entry.summary,
                sources: entry.sources.into_inner(),
            });
        }
        positions
    }

    /// `[[rule]]`: each with its compiled condition; a rule whose condition does not compile
    /// is left out (its errors are recorded).
    fn legal_rules(
        &mut self,
        raw: Vec<Spanned<RawRule>>,
        positions: &[Position],
        rule_ids: &mut BTreeSet<String>,
    ) -> Vec<LegalRule> {
        let mut rules = Vec::new();
        for rule in raw {
            let rule = rule.into_inner();
            self.require_new_slug(rule_ids, &rule.id, "rule id");
            let id = rule.id.get_ref().clone();
            self.require_text(&rule.basis, "`basis`");
            let position = self.rule_position(&rule, &id, positions);
            let gge = self.gge_tags(&rule.gge);
            let condition = self.condition(&rule.when, &format!("rule `{id}`"));
            if let Some(when) = condition {
                let basis = rule.basis.get_ref().clone();
                rules.push(LegalRule {
                    trace_id: Arc::from(id.as_str()),
                    why_fired: Arc::from(format!(
                        "{} → {} ({}; {basis})",
                        rule.explanation,
                        rule.concludes.as_str(),
                        rule.certainty.as_str()
                    )),
                    why_not_met: Arc::from(format!("condition not met: {}", when.source.trim())),
                    id,
                    title: rule.title,
                    when,
                    concludes: rule.concludes,
                    certainty: rule.certainty,
                    basis: rule.basis.into_inner(),
                    explanation: rule.explanation,
                    positions: position,
                    gge,
                });
            }
        }
        rules
    }

    /// The national positions a rule's certainty rests on, in words, when it names a
    /// `[[position]]` of this document.
    fn rule_position(
        &mut self,
        rule: &RawRule,
        id: &str,
        positions: &[Position],
    ) -> Option<String> {
        let reference = rule.position.as_ref()?;
        let found = positions
            .iter()
            .find(|position| &position.id == reference.get_ref());
        if found.is_none() {
            self.error(
                reference.span(),
                format!(
                    "position `{}` of rule `{id}` is not a `[[position]]` of this document",
                    reference.get_ref()
                ),
            );
        }
        found.map(|position| position.in_words(rule.certainty))
    }

    /// `[[red_line]]`: ids from the rules' id space, each with its compiled condition.
    fn red_lines(
        &mut self,
        raw: Vec<Spanned<RawRedLine>>,
        rule_ids: &mut BTreeSet<String>,
    ) -> Vec<RedLine> {
        let mut red_lines = Vec::new();
        for red_line in raw {
            let red_line = red_line.into_inner();
            self.require_slug(&red_line.id, "red line id");
            let id = red_line.id.get_ref().clone();
            if !rule_ids.insert(id.clone()) {
                self.error(red_line.id.span(), format!("red line id `{id}` is already used by a rule or red line: expected unique ids"));
            }
            self.require_text(&red_line.basis, "`basis`");
            let gge = self.gge_tags(&red_line.gge);
            if let Some(when) = self.condition(&red_line.when, &format!("red line `{id}`")) {
                red_lines.push(RedLine {
                    trace_id: Arc::from(id.as_str()),
                    why_fired: Arc::from(format!(
                        "{} ({})",
                        red_line.explanation,
                        red_line.basis.get_ref()
                    )),
                    why_not_met: Arc::from(format!("condition not met: {}", when.source.trim())),
                    id,
                    title: red_line.title,
                    when,
                    basis: red_line.basis.into_inner(),
                    explanation: red_line.explanation,
                    gge,
                });
            }
        }
        red_lines
    }

    /// `[[rung]]`: numbered 0, 1, 2, … in order, without gaps.
    fn rungs(&mut self, raw: Vec<Spanned<RawRung>>) -> Vec<Rung> {
        let mut rungs = Vec::new();
        let mut rung_ids = BTreeSet::new();
        for (index, rung) in raw.into_iter().enumerate() {
            let rung = rung.into_inner();
            let number = *rung.number.get_ref();
            if number != index as i64 {
                self.error(
                    rung.number.span(),
                    format!("rung {number} is the ladder's rung number {index}: expected rungs numbered 0, 1, 2, … in order, without gaps or repeats"),
                );
            }
            self.require_new_slug(&mut rung_ids, &rung.id, "rung id");
            self.require_text(&rung.basis, "`basis`");
            let requires = self.rung_requirements(rung.requires);
            rungs.push(Rung {
                trace_id: Arc::from(format!("rung.{}", rung.id.get_ref())),
                why_recommended: Arc::from(format!(
                    "rung {number} ({}) recommended: every precondition holds",
                    rung.kind.as_str()
                )),
                why_not_prefix: format!("rung {number} not recommended:"),
                number: u32::try_from(number.max(0)).unwrap_or(0),
                id: rung.id.into_inner(),
                title: rung.title,
                kind: rung.kind,
                de_escalatory: rung.de_escalatory,
                off_ramp: rung.off_ramp,
                basis: rung.basis.into_inner(),
                frame: rung.frame,
                requires,
            });
        }
        if rungs.is_empty() {
            self.error(0..0, "no `[[rung]]`: expected a ladder starting at rung 0");
        }
        rungs
    }

    /// A rung's preconditions, with why each fails composed once.
    fn rung_requirements(&mut self, requires: RawRequires) -> RungRequirements {
        let severity_level = requires
            .severity_level
            .as_ref()
            .map(|level| self.severity_level(level, "severity_level"));
        RungRequirements {
            failure_texts: [
                requires.category.map_or_else(String::new, |category| {
                    format!("needs at least {}", category.as_str())
                }),
                requires.certainty.map_or_else(String::new, |certainty| {
                    format!("needs certainty {} or firmer", certainty.as_str())
                }),
                requires.confidence.map_or_else(String::new, |confidence| {
                    format!(
                        "needs attribution confidence `{}` or higher",
                        confidence.as_str()
                    )
                }),
                severity_level.map_or_else(String::new, |level| {
                    format!("needs severity level {level} or higher")
                }),
            ],
            category: requires.category,
            certainty: requires.certainty,
            confidence: requires.confidence,
            severity_level,
            prior_consultation: requires.prior_consultation,
        }
    }

    /// `[[duty]]`: one per kind and level, each within an ISO 8601 duration.
    fn duties(&mut self, raw: Vec<Spanned<RawDuty>>) -> Vec<Duty> {
        let mut duties: Vec<Duty> = Vec::new();
        for duty in raw {
            let duty = duty.into_inner();
            let level = *duty.from_level.get_ref();
            let from_level = self.severity_level(&duty.from_level, "from_level");
            if !is_iso8601_duration(duty.within.get_ref()) {
                self.error(
                    duty.within.span(),
                    format!("`{}` is not an ISO 8601 duration: expected for example `PT1H`, `PT24H` or `P3D`", duty.within.get_ref()),
                );
            }
            self.require_text(&duty.basis, "`basis`");
            if duties.iter().any(|existing| {
                existing.kind == duty.kind && i64::from(existing.from_level) == level
            }) {
                self.error(
                    duty.from_level.span(),
                    format!("a `{}` duty from level {level} is given twice: expected one per kind and level", duty.kind.as_str()),
                );
            }
            duties.push(Duty {
                kind: duty.kind,
                from_level,
                within: duty.within.into_inner(),
                basis: duty.basis.into_inner(),
            });
        }
        duties
    }

    /// `[attribution]`: the strongest certainty each attribution supports; the default table
    /// when the document has none.
    fn attribution_table(&mut self, raw: Option<Spanned<RawAttribution>>) -> AttributionTable {
        let Some(table) = raw else {
            return AttributionTable::default_table();
        };
        let table = table.into_inner();
        self.require_text(&table.basis, "`attribution.basis`");
        if table.cap.get_ref().is_empty() {
            self.error(
                table.cap.span(),
                "`[[attribution.cap]]` is empty: expected at least one row",
            );
        }
        let mut caps = Vec::new();
        for row in table.cap.into_inner() {
            let row = row.into_inner();
            if row.relationships.get_ref().is_empty() {
                self.error(
                    row.relationships.span(),
                    "`relationships` is empty: expected at least one relationship",
                );
            }
            caps.push(AttributionCap {
                relationships: row.relationships.into_inner(),
                confidence: row.confidence,
                allows: row.allows,
            });
        }
        AttributionTable {
            basis: table.basis.into_inner(),
            caps,
        }
    }

    /// `[responses]`: proportionality, by rung id; without the table every available rung up
    /// to the ceiling may be recommended.
    fn response_policy(
        &mut self,
        raw: Option<Spanned<RawResponses>>,
        rungs: &[Rung],
    ) -> ResponsePolicy {
        let Some(policy) = raw else {
            return ResponsePolicy {
                proportionate: [u32::MAX; 6],
                red_line_floor: 0,
                basis: "no proportionality table in this document: every available rung up to the ceiling may be recommended".into(),
            };
        };
        let policy = policy.into_inner();
        self.require_text(&policy.basis, "`responses.basis`");
        let mut proportionate = [u32::MAX; 6];
        let levels = policy.proportionate.get_ref();
        if levels.len() != 6 {
            self.error(
                policy.proportionate.span(),
                format!(
                    "`proportionate` names {} rungs: expected six, one per severity level 0 to 5",
                    levels.len()
                ),
            );
        }
        let errors_before = self.errors.len();
        for (level, id) in levels.iter().take(6).enumerate() {
            proportionate[level] = self.rung_number(rungs, id);
        }
        let all_known = self.errors.len() == errors_before;
        if all_known && proportionate.windows(2).any(|pair| pair[1] < pair[0]) {
            self.error(
                policy.proportionate.span(),
                "`proportionate` falls as severity rises: expected rungs that never fall",
            );
        }
        ResponsePolicy {
            proportionate,
            red_line_floor: self.rung_number(rungs, &policy.red_line_floor),
            basis: policy.basis.into_inner(),
        }
    }

    /// `[disclosure]`: the policy of coordinated disclosure, each key defaulting to redline's
    /// value; the rules a policy meets are `DisclosurePolicy::problems`, each placed at the key
    /// it is about (at the table when the key is not written).
    fn disclosure_table(&mut self, raw: Option<Spanned<RawDisclosure>>) -> DisclosureTable {
        let Some(table) = raw else {
            return DisclosureTable::default_table();
        };
        let table_span = table.span();
        let table = table.into_inner();
        let defaults = DisclosurePolicy::default();
        let days = |value: &Option<Spanned<i64>>, default: i64| {
            value.as_ref().map_or(default, |value| *value.get_ref())
        };
        let policy = DisclosurePolicy {
            acknowledge_days: days(&table.acknowledge_days, defaults.acknowledge_days),
            status_days: days(&table.status_days, defaults.status_days),
            embargo_days: days(&table.embargo_days, defaults.embargo_days),
        };
        for (field, message) in policy.problems() {
            let written = match field {
                "acknowledge_days" => &table.acknowledge_days,
                "status_days" => &table.status_days,
                _ => &table.embargo_days,
            };
            let span = written
                .as_ref()
                .map_or_else(|| table_span.clone(), Spanned::span);
            self.error(span, format!("`disclosure.{field}`: {message}"));
        }
        let basis = match &table.basis {
            Some(basis) => {
                self.require_text(basis, "`disclosure.basis`");
                basis.get_ref().clone()
            }
            None => "stated by the document without a basis".to_string(),
        };
        DisclosureTable { policy, basis }
    }

    /// The number of the rung with this id (0, with an error, when there is none).
    fn rung_number(&mut self, rungs: &[Rung], id: &Spanned<String>) -> u32 {
        match rungs.iter().find(|rung| &rung.id == id.get_ref()) {
            Some(rung) => rung.number,
            None => {
                self.error(
                    id.span(),
                    format!("`{}` is not a rung of this document's ladder", id.get_ref()),
                );
                0
            }
        }
    }

    /// Every problem found, in the order of the text, once each; or none.
    fn into_result(self) -> Result<(), NormsErrors> {
        if self.errors.is_empty() {
            return Ok(());
        }
        let mut errors = self.errors;
        errors.sort_by_key(|error| (error.line, error.column));
        errors.dedup();
        Err(NormsErrors { errors })
    }
}

impl crate::code_of_conduct::ConductCompiler for Validator<'_> {
    fn report(&mut self, span: Range<usize>, message: String) {
        self.error(span, message);
    }

    fn require_slug(&mut self, value: &Spanned<String>, what: &str) {
        Validator::require_slug(self, value, what);
    }

    fn require_text(&mut self, value: &Spanned<String>, what: &str) {
        Validator::require_text(self, value, what);
    }

    fn compile_condition(
        &mut self,
        when: &Spanned<String>,
        owner: &str,
        globals: Vec<(&'static str, Shape)>,
    ) -> Option<(String, Program)> {
        let report_globals = std::mem::replace(&mut self.globals, globals);
        let condition = self.condition(when, owner);
        self.globals = report_globals;
        condition.map(|condition| (condition.source, condition.program))
    }
}
