//! The assessment: the public JSON contract of `DESIGN.md` (Assessment), with a stable field
//! order and floats rounded to two decimals so that the same inputs give byte-identical JSON.

use std::sync::Arc;

use serde::Serialize;

use crate::{
    schmitt::SchmittFactors,
    vocabulary::{Certainty, DutyKind, LegalCategory},
};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    /// The incident id, `null` for a report not yet assigned one.
    pub incident: Option<String>,
    pub norms: NormsReference,
    pub severity: Severity,
    pub protected: Vec<ProtectedFinding>,
    pub red_lines: Vec<RedLineFinding>,
    pub legal: Legal,
    /// The norms of GGE 2015 para. 13 the facts engage, each with the rules, red lines and
    /// protected classes that engage it.
    pub gge_norms: Vec<NormEngaged>,
    pub responses: Responses,
    pub duties: Vec<DutyFinding>,
    pub trace: Vec<TraceEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NormEngaged {
    /// `13(a)` … `13(k)`.
    pub norm: String,
    pub by: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NormsReference {
    pub id: String,
    pub version: String,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Severity {
    /// NCISS weighted mean, 0–100, two decimals.
    pub score: f64,
    pub level: u8,
    pub name: String,
    pub colour: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProtectedFinding {
    pub sector: String,
    pub rule: String,
    pub basis: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RedLineFinding {
    pub id: String,
    pub title: String,
    /// The condition that was met, as the document writes it.
    pub rule: String,
    pub basis: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Legal {
    pub category: LegalCategory,
    /// The certainty of the category: the firmest the legal rules give, never above what the
    /// attribution supports (`attribution_allows`).
    pub certainty: Certainty,
    /// The strongest certainty the attribution supports (the document's `[attribution]`
    /// table); `null` when no state nexus was found.
    pub attribution_allows: Option<Certainty>,
    /// `peacetime`, or `armed-conflict` when IHL governs.
    pub frame: &'static str,
    pub schmitt: SchmittFactors,
    pub because: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Responses {
    /// The highest rung the legal category and the attribution confidence make available.
    pub ceiling: u32,
    /// The highest rung proportionality allows at this severity (raised to the red-line floor
    /// when a red line is crossed or protected infrastructure hit), never above the ceiling.
    pub proportionate_up_to: u32,
    /// For the injured (victim) state: a proportionate subset of `available` — the
    /// de-escalatory options, then the strongest available measure within proportionality.
    /// De-escalatory rungs first, then the others from the lowest.
    pub recommended: Vec<RecommendedRung>,
    /// Why these and not higher.
    pub why: String,
    /// Every rung whose preconditions hold, from the lowest.
    pub available: Vec<RecommendedRung>,
    /// What other states may be advised to do: `recommended` without the rungs only the
    /// injured state may take (countermeasures, individual self-defence).
    pub recommended_to_other_states: Vec<RecommendedRung>,
    pub de_escalation: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecommendedRung {
    pub rung: u32,
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DutyFinding {
    pub kind: DutyKind,
    /// ISO 8601 duration.
    pub within: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TraceEntry {
    pub rule: TraceText,
    pub fired: bool,
    pub why: TraceText,
}

/// Text of a trace entry: shared with the document when it was composed at load time (no copy
/// per assessment), owned when it depends on the report. Serialises as a plain string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TraceText {
    Shared(Arc<str>),
    Owned(String),
}

impl TraceText {
    pub fn as_str(&self) -> &str {
        match self {
            TraceText::Shared(text) => text,
            TraceText::Owned(text) => text,
        }
    }
}

impl std::ops::Deref for TraceText {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Display for TraceText {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl From<String> for TraceText {
    fn from(text: String) -> Self {
        TraceText::Owned(text)
    }
}

impl From<&Arc<str>> for TraceText {
    fn from(text: &Arc<str>) -> Self {
        TraceText::Shared(Arc::clone(text))
    }
}

impl Serialize for TraceText {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl Assessment {
    /// Pretty-printed JSON with a final newline; byte-identical for the same inputs.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }
}

/// Rounds to two decimals, the precision of every float in an assessment.
pub(crate) fn round2(value: f64) -> f64 {
    if value.is_finite() {
        (value * 100.0).round() / 100.0
    } else {
        0.0
    }
}
