//! Commitments and their record: the payloads a party signs to say what it committed to and how
//! it implements it — an adoption or withdrawal of a norms document, a national implementation
//! report, and the records of a peer-review round (opening, review, answer, closing). Each is the
//! payload of a DSSE envelope signed with the author's hotline key
//! (`redline_hotline::signed_record`); this module owns their shape, their parsing with a JSON
//! path on every error and the rules a payload meets on its own. Who may read a report is
//! `ImplementationReport::readership` (the one TLP rule, `Readership`).
//!
//! The report's structure follows the UNIDIR "National Survey of Implementation of United Nations
//! Recommendations on the Responsible Use of ICTs by States in the Context of International
//! Security" (the model survey the 2021 OEWG report, A/75/816 para. 64, asks states to use; the
//! items and their question texts are in `implementation_survey`), with one entry per voluntary
//! norm of the 2015 GGE report (A/70/174, para. 13 (a)–(k)) and one per red line of the adopted
//! norms document.

use crate::error::valid_or_invalid;
use crate::text::check_text;
use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::attribution::is_sha256_digest;
use crate::error::parse_json_with_path;
use crate::implementation_survey::{GgeNorm, SurveyItem};
use crate::{ModelError, PartyId, Readership, Timestamp, Tlp, ValidationIssue};

/// The payload version this crate reads and writes.
pub const COMMITMENT_PAYLOAD_VERSION: u8 = 1;
/// DSSE payload type of an adoption or withdrawal of a norms document.
pub const ADOPTION_PAYLOAD_TYPE: &str = "application/vnd.redline.norms-adoption+json";
/// DSSE payload type of one version of a national implementation report.
pub const IMPLEMENTATION_REPORT_PAYLOAD_TYPE: &str =
    "application/vnd.redline.implementation-report+json";
/// DSSE payload type of the opening of a peer-review round.
pub const REVIEW_ROUND_OPENING_PAYLOAD_TYPE: &str =
    "application/vnd.redline.review-round-opening+json";
/// DSSE payload type of a reviewer's comments and ratings.
pub const PEER_REVIEW_PAYLOAD_TYPE: &str = "application/vnd.redline.peer-review+json";
/// DSSE payload type of the reviewed party's answer.
pub const REVIEW_ANSWER_PAYLOAD_TYPE: &str = "application/vnd.redline.review-answer+json";
/// DSSE payload type of the closing of a round with its published summary.
pub const REVIEW_ROUND_CLOSING_PAYLOAD_TYPE: &str =
    "application/vnd.redline.review-round-closing+json";

/// DSSE payload type of an entry of the capacity-building register (a request or an offer).
pub const CAPACITY_BUILDING_PAYLOAD_TYPE: &str = "application/vnd.redline.capacity-building+json";
/// The longest free text of one answer, in characters.
pub const MAXIMUM_ANSWER_CHARACTERS: usize = 10_000;
/// The most evidence links one answer may carry.
pub const MAXIMUM_EVIDENCE_LINKS: usize = 50;
/// The longest evidence link, in characters.
pub const MAXIMUM_LINK_CHARACTERS: usize = 2_000;
/// The most parties a restricted report may be shared with, or a round may name.
pub const MAXIMUM_PARTIES: usize = 200;
/// The most red-line entries one report may carry.
pub const MAXIMUM_RED_LINE_ENTRIES: usize = 100;

/// A report's id: a UUID, the same for every version of the report.
pub type ReportId = Uuid;
/// A peer-review round's id.
pub type RoundId = Uuid;

crate::vocabulary::vocabulary! {
    /// Whether a party adopts a norms document or withdraws its adoption.
    AdoptionAction {
        Adopt => "adopt",
        Withdraw => "withdraw",
    }
}

crate::vocabulary::vocabulary! {
    /// How far a measure is implemented, as the reporting party states it. The order is the
    /// order of the comparison page's columns (most implemented first).
    ImplementationLevel {
        Implemented => "implemented",
        PartlyImplemented => "partly-implemented",
        Planned => "planned",
        NotImplemented => "not-implemented",
        NotApplicable => "not-applicable",
    }
}

impl ImplementationLevel {
    /// Whether a report at this level shows a gap capacity building may fill.
    pub fn is_gap(&self) -> bool {
        matches!(
            self,
            ImplementationLevel::PartlyImplemented
                | ImplementationLevel::Planned
                | ImplementationLevel::NotImplemented
        )
    }

    /// A score for the chart: implemented 2, partly 1, otherwise 0; not applicable none.
    pub fn score(&self) -> Option<u32> {
        match self {
            ImplementationLevel::Implemented => Some(2),
            ImplementationLevel::PartlyImplemented => Some(1),
            ImplementationLevel::Planned | ImplementationLevel::NotImplemented => Some(0),
            ImplementationLevel::NotApplicable => None,
        }
    }
}

crate::vocabulary::vocabulary! {
    /// A reviewer's rating of one norm's implementation by the reviewed party.
    ReviewRating {
        Meets => "meets",
        PartlyMeets => "partly-meets",
        DoesNotMeet => "does-not-meet",
        CannotAssess => "cannot-assess",
    }
}

/// A party's signed adoption (or withdrawal of its adoption) of a norms document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdoptionStatement {
    pub v: u8,
    pub party: PartyId,
    /// Lower-case hex SHA-256 of the document's exact text (`GET /api/v1/norms/{sha256}`).
    pub document: String,
    pub action: AdoptionAction,
    pub signed_at: Timestamp,
}

impl AdoptionStatement {
    pub fn parse(bytes: &[u8]) -> Result<Self, ModelError> {
        let statement: Self = parse_json_with_path(bytes)?;
        let mut issues = Vec::new();
        check_payload_version(statement.v, &mut issues);
        if !is_document_hash(&statement.document) {
            issues.push(ValidationIssue::new(
                "document",
                format!(
                    "`{}` is not a document hash: expected 64 lower-case hex digits",
                    statement.document
                ),
            ));
        }
        valid_or_invalid(statement, issues)
    }
}

/// One answer of the survey part of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyAnswer {
    pub item: SurveyItem,
    pub level: ImplementationLevel,
    /// The measures taken, in the party's words.
    pub measures: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

/// One norm's entry: the measures taken, the challenges and gaps, evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NormImplementation {
    pub norm: GgeNorm,
    pub level: ImplementationLevel,
    pub measures: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenges: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

/// One red line of the adopted document: how the party keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RedLineImplementation {
    /// The red line's `id` in the adopted document.
    pub red_line: String,
    pub level: ImplementationLevel,
    pub measures: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

/// What a party publishes of a restricted report: its own words and, if it chooses, the level
/// of each norm. Nothing else of a restricted report reaches a public page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicSummary {
    pub text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub norms: Vec<PublicNormLevel>,
}

/// One norm's level as a public summary states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicNormLevel {
    pub norm: GgeNorm,
    pub level: ImplementationLevel,
}

/// One version of a national implementation report, as the reporting party signs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImplementationReport {
    pub v: u8,
    pub id: ReportId,
    /// 1 for the first version; each update adds one.
    pub version: u32,
    pub party: PartyId,
    /// The reporting period in the party's words (`2025–2026`).
    pub period: String,
    /// The adopted document the red-line entries refer to (its SHA-256), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    #[serde(default)]
    pub survey: Vec<SurveyAnswer>,
    #[serde(default)]
    pub norms: Vec<NormImplementation>,
    #[serde(default)]
    pub red_lines: Vec<RedLineImplementation>,
    pub tlp: Tlp,
    /// The parties a restricted report is addressed to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shared_with: Vec<PartyId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_summary: Option<PublicSummary>,
    pub signed_at: Timestamp,
}

impl ImplementationReport {
    pub fn parse(bytes: &[u8]) -> Result<Self, ModelError> {
        let report: Self = parse_json_with_path(bytes)?;
        let issues = report.validate();
        valid_or_invalid(report, issues)
    }

    /// Every rule a report version breaks on its own.
    pub fn validate(&self) -> Vec<ValidationIssue> {
        let mut issues = Vec::new();
        check_payload_version(self.v, &mut issues);
        if self.version == 0 {
            issues.push(ValidationIssue::new("version", "versions start at 1"));
        }
        check_text("period", &self.period, 1, 100, &mut issues);
        if let Some(document) = &self.document
            && !is_document_hash(document)
        {
            issues.push(ValidationIssue::new(
                "document",
                "expected the document's SHA-256: 64 lower-case hex digits",
            ));
        }
        if self.survey.is_empty() && self.norms.is_empty() && self.red_lines.is_empty() {
            issues.push(ValidationIssue::new(
                "norms",
                "answer at least one survey item, norm or red line",
            ));
        }
        let mut items = BTreeSet::new();
        for (index, answer) in self.survey.iter().enumerate() {
            let path = format!("survey[{index}]");
            if !items.insert(answer.item) {
                issues.push(ValidationIssue::new(
                    format!("{path}.item"),
                    format!("`{}` is answered twice", answer.item),
                ));
            }
            check_text(
                &format!("{path}.measures"),
                &answer.measures,
                1,
                MAXIMUM_ANSWER_CHARACTERS,
                &mut issues,
            );
            check_evidence(&path, &answer.evidence, &mut issues);
        }
        let mut norms = BTreeSet::new();
        for (index, entry) in self.norms.iter().enumerate() {
            let path = format!("norms[{index}]");
            if !norms.insert(entry.norm) {
                issues.push(ValidationIssue::new(
                    format!("{path}.norm"),
                    format!("norm {} is answered twice", entry.norm),
                ));
            }
            check_text(
                &format!("{path}.measures"),
                &entry.measures,
                1,
                MAXIMUM_ANSWER_CHARACTERS,
                &mut issues,
            );
            if let Some(challenges) = &entry.challenges {
                check_text(
                    &format!("{path}.challenges"),
                    challenges,
                    1,
                    MAXIMUM_ANSWER_CHARACTERS,
                    &mut issues,
                );
            }
            check_evidence(&path, &entry.evidence, &mut issues);
        }
        if self.red_lines.len() > MAXIMUM_RED_LINE_ENTRIES {
            issues.push(ValidationIssue::new(
                "red_lines",
                format!("at most {MAXIMUM_RED_LINE_ENTRIES} entries"),
            ));
        }
        if !self.red_lines.is_empty() && self.document.is_none() {
            issues.push(ValidationIssue::new(
                "document",
                "red-line entries need the document they come from",
            ));
        }
        let mut red_lines = BTreeSet::new();
        for (index, entry) in self.red_lines.iter().enumerate() {
            let path = format!("red_lines[{index}]");
            check_text(
                &format!("{path}.red_line"),
                &entry.red_line,
                1,
                100,
                &mut issues,
            );
            if !red_lines.insert(entry.red_line.as_str()) {
                issues.push(ValidationIssue::new(
                    format!("{path}.red_line"),
                    format!("red line `{}` is answered twice", entry.red_line),
                ));
            }
            check_text(
                &format!("{path}.measures"),
                &entry.measures,
                1,
                MAXIMUM_ANSWER_CHARACTERS,
                &mut issues,
            );
            check_evidence(&path, &entry.evidence, &mut issues);
        }
        check_shared_with(self.tlp, &self.shared_with, &self.party, &mut issues);
        if let Some(summary) = &self.public_summary {
            check_text(
                "public_summary.text",
                &summary.text,
                1,
                MAXIMUM_ANSWER_CHARACTERS,
                &mut issues,
            );
            let mut seen = BTreeSet::new();
            for (index, level) in summary.norms.iter().enumerate() {
                if !seen.insert(level.norm) {
                    issues.push(ValidationIssue::new(
                        format!("public_summary.norms[{index}].norm"),
                        format!("norm {} is stated twice", level.norm),
                    ));
                }
            }
        }
        issues
    }

    /// Who may read the whole report: the one TLP rule, addressed to the reporting party and the
    /// parties it is shared with.
    pub fn readership(&self) -> Readership {
        Readership::new(
            self.tlp,
            std::iter::once(self.party.clone()).chain(self.shared_with.iter().cloned()),
        )
    }

    /// The level of each norm anyone may see: all of them for a `clear` report, the public
    /// summary's for a restricted one (or `green`, which is not public either).
    pub fn public_norm_levels(&self) -> Vec<PublicNormLevel> {
        if self.tlp == Tlp::Clear {
            self.norms
                .iter()
                .map(|entry| PublicNormLevel {
                    norm: entry.norm,
                    level: entry.level,
                })
                .collect()
        } else {
            self.public_summary
                .as_ref()
                .map(|summary| summary.norms.clone())
                .unwrap_or_default()
        }
    }

    /// The norms and survey items whose level shows a gap (for the capacity-building register).
    pub fn gaps(&self) -> Vec<String> {
        let norms = self
            .norms
            .iter()
            .filter(|entry| entry.level.is_gap())
            .map(|entry| entry.norm.as_str().to_string());
        let items = self
            .survey
            .iter()
            .filter(|answer| answer.level.is_gap())
            .map(|answer| answer.item.as_str().to_string());
        norms.chain(items).collect()
    }
}

/// The opening of a peer-review round by the secretariat that runs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRoundOpening {
    pub v: u8,
    pub round: RoundId,
    /// The party that opens, runs and closes the round.
    pub secretariat: PartyId,
    pub title: String,
    /// The parties under review.
    pub reviewed: Vec<PartyId>,
    /// The parties that review.
    pub reviewers: Vec<PartyId>,
    pub norms: Vec<GgeNorm>,
    /// Reviews and answers are due by then; the node's clock decides.
    pub deadline: Timestamp,
    /// How long before the deadline the scheduler reminds those who have not written.
    #[serde(default = "default_reminder_hours")]
    pub remind_hours_before: u32,
    pub signed_at: Timestamp,
}

fn default_reminder_hours() -> u32 {
    48
}

impl ReviewRoundOpening {
    pub fn parse(bytes: &[u8]) -> Result<Self, ModelError> {
        let opening: Self = parse_json_with_path(bytes)?;
        let mut issues = Vec::new();
        check_payload_version(opening.v, &mut issues);
        check_text("title", &opening.title, 1, 300, &mut issues);
        check_party_list("reviewed", &opening.reviewed, &mut issues);
        check_party_list("reviewers", &opening.reviewers, &mut issues);
        if opening.norms.is_empty() {
            issues.push(ValidationIssue::new("norms", "name at least one norm"));
        }
        let unique: BTreeSet<_> = opening.norms.iter().collect();
        if unique.len() != opening.norms.len() {
            issues.push(ValidationIssue::new("norms", "a norm is named twice"));
        }
        if opening.deadline <= opening.signed_at {
            issues.push(ValidationIssue::new(
                "deadline",
                "the deadline must come after the opening is signed",
            ));
        }
        if opening.remind_hours_before > 24 * 90 {
            issues.push(ValidationIssue::new(
                "remind_hours_before",
                "at most 2160 hours (90 days)",
            ));
        }
        valid_or_invalid(opening, issues)
    }

    /// When the scheduler reminds those who have not written yet.
    pub fn reminder_at(&self) -> Timestamp {
        self.deadline
            .plus_seconds(-i64::from(self.remind_hours_before) * 3_600)
            .unwrap_or(self.deadline)
    }
}

/// One reviewer's rating and comment on one norm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NormRating {
    pub norm: GgeNorm,
    pub rating: ReviewRating,
    pub comment: String,
}

/// A reviewer's review of one reviewed party in a round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PeerReview {
    pub v: u8,
    pub round: RoundId,
    pub reviewer: PartyId,
    pub reviewed: PartyId,
    pub ratings: Vec<NormRating>,
    pub signed_at: Timestamp,
}

impl PeerReview {
    pub fn parse(bytes: &[u8]) -> Result<Self, ModelError> {
        let review: Self = parse_json_with_path(bytes)?;
        let mut issues = Vec::new();
        check_payload_version(review.v, &mut issues);
        if review.reviewer == review.reviewed {
            issues.push(ValidationIssue::new(
                "reviewed",
                "a party does not review itself",
            ));
        }
        check_one_text_per_norm(
            NormTexts {
                list: "ratings",
                text: "comment",
                verb: "rated",
                none: "rate at least one norm",
            },
            review
                .ratings
                .iter()
                .map(|rating| (rating.norm, rating.comment.as_str())),
            &mut issues,
        );
        valid_or_invalid(review, issues)
    }
}

/// How a list of texts, one per norm, is named in its payload and its errors.
struct NormTexts {
    /// The list's field, e.g. `ratings`.
    list: &'static str,
    /// Each entry's text field, e.g. `comment`.
    text: &'static str,
    /// What a norm named twice was, e.g. `rated`.
    verb: &'static str,
    /// The error of an empty list.
    none: &'static str,
}

/// At least one entry, no norm twice, every text within bounds: the rule for a review's
/// ratings and for the reviewed party's answers.
fn check_one_text_per_norm<'a>(
    names: NormTexts,
    entries: impl Iterator<Item = (GgeNorm, &'a str)>,
    issues: &mut Vec<ValidationIssue>,
) {
    let mut seen = BTreeSet::new();
    for (index, (norm, text)) in entries.enumerate() {
        if !seen.insert(norm) {
            issues.push(ValidationIssue::new(
                format!("{}[{index}].norm", names.list),
                format!("norm {norm} is {} twice", names.verb),
            ));
        }
        check_text(
            &format!("{}[{index}].{}", names.list, names.text),
            text,
            1,
            MAXIMUM_ANSWER_CHARACTERS,
            issues,
        );
    }
    if seen.is_empty() {
        issues.push(ValidationIssue::new(names.list, names.none));
    }
}

/// The reviewed party's answer to one norm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NormAnswer {
    pub norm: GgeNorm,
    pub text: String,
}

/// The reviewed party's answer to the reviews of a round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewAnswer {
    pub v: u8,
    pub round: RoundId,
    pub party: PartyId,
    pub answers: Vec<NormAnswer>,
    pub signed_at: Timestamp,
}

impl ReviewAnswer {
    pub fn parse(bytes: &[u8]) -> Result<Self, ModelError> {
        let answer: Self = parse_json_with_path(bytes)?;
        let mut issues = Vec::new();
        check_payload_version(answer.v, &mut issues);
        check_one_text_per_norm(
            NormTexts {
                list: "answers",
                text: "text",
                verb: "answered",
                none: "answer at least one norm",
            },
            answer
                .answers
                .iter()
                .map(|entry| (entry.norm, entry.text.as_str())),
            &mut issues,
        );
        valid_or_invalid(answer, issues)
    }
}

/// The secretariat's closing of a round with the summary it publishes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRoundClosing {
    pub v: u8,
    pub round: RoundId,
    pub secretariat: PartyId,
    /// The published summary, `TLP:CLEAR` by the act of closing.
    pub summary: String,
    pub signed_at: Timestamp,
}

impl ReviewRoundClosing {
    pub fn parse(bytes: &[u8]) -> Result<Self, ModelError> {
        let closing: Self = parse_json_with_path(bytes)?;
        let mut issues = Vec::new();
        check_payload_version(closing.v, &mut issues);
        check_text(
            "summary",
            &closing.summary,
            1,
            MAXIMUM_ANSWER_CHARACTERS,
            &mut issues,
        );
        valid_or_invalid(closing, issues)
    }
}

crate::vocabulary::vocabulary! {
    /// Whether a register entry asks for capacity building or offers it.
    CapacityBuildingKind {
        Request => "request",
        Offer => "offer",
    }
}

crate::vocabulary::vocabulary! {
    /// Where a register entry stands, tracked to completion.
    CapacityBuildingStatus {
        Open => "open",
        Matched => "matched",
        InProgress => "in-progress",
        Completed => "completed",
        Withdrawn => "withdrawn",
    }
}

/// One version of an entry of the capacity-building register: a party's request for (or offer
/// of) help with the norms and survey items it names, linked to the report whose gaps it
/// answers, and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CapacityBuildingEntry {
    pub v: u8,
    pub id: Uuid,
    /// 1 for the first version; each update adds one.
    pub version: u32,
    pub party: PartyId,
    pub kind: CapacityBuildingKind,
    #[serde(default)]
    pub norms: Vec<GgeNorm>,
    #[serde(default)]
    pub items: Vec<SurveyItem>,
    /// The party's implementation report whose gaps a request answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<ReportId>,
    pub description: String,
    /// The party that gives (for a request) or receives (for an offer) once matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counterpart: Option<PartyId>,
    pub status: CapacityBuildingStatus,
    /// `clear` (on the public pages) or `green` (every party of the node).
    pub tlp: Tlp,
    pub signed_at: Timestamp,
}

impl CapacityBuildingEntry {
    pub fn parse(bytes: &[u8]) -> Result<Self, ModelError> {
        let entry: Self = parse_json_with_path(bytes)?;
        let mut issues = Vec::new();
        check_payload_version(entry.v, &mut issues);
        if entry.version == 0 {
            issues.push(ValidationIssue::new("version", "versions start at 1"));
        }
        if entry.norms.is_empty() && entry.items.is_empty() {
            issues.push(ValidationIssue::new(
                "norms",
                "name at least one norm or survey item the entry is about",
            ));
        }
        check_text(
            "description",
            &entry.description,
            1,
            MAXIMUM_ANSWER_CHARACTERS,
            &mut issues,
        );
        if entry.tlp.is_restricted() {
            issues.push(ValidationIssue::new(
                "tlp",
                "the register is `clear` or `green`: keep restricted detail in the report",
            ));
        }
        if entry.counterpart.as_ref() == Some(&entry.party) {
            issues.push(ValidationIssue::new(
                "counterpart",
                "the counterpart is another party",
            ));
        }
        let needs_counterpart = matches!(
            entry.status,
            CapacityBuildingStatus::Matched
                | CapacityBuildingStatus::InProgress
                | CapacityBuildingStatus::Completed
        );
        if needs_counterpart && entry.counterpart.is_none() {
            issues.push(ValidationIssue::new(
                "counterpart",
                format!("a {} entry names its counterpart", entry.status),
            ));
        }
        valid_or_invalid(entry, issues)
    }
}

/// What a closed round publishes of the ratings: per reviewed party and norm, how many
/// reviewers gave each rating (never a reviewer's comment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RoundRatingCount {
    pub reviewed: PartyId,
    pub norm: GgeNorm,
    pub meets: u32,
    pub partly_meets: u32,
    pub does_not_meet: u32,
    pub cannot_assess: u32,
}

/// The published tally of a round's ratings: one row per reviewed party and norm of the round,
/// in the opening's order, counting the latest review of each reviewer only.
pub fn tally_round_ratings(
    opening: &ReviewRoundOpening,
    reviews: &[PeerReview],
) -> Vec<RoundRatingCount> {
    let mut rows = Vec::new();
    for reviewed in &opening.reviewed {
        for norm in &opening.norms {
            let mut row = RoundRatingCount {
                reviewed: reviewed.clone(),
                norm: *norm,
                meets: 0,
                partly_meets: 0,
                does_not_meet: 0,
                cannot_assess: 0,
            };
            let mut counted = BTreeSet::new();
            for review in reviews.iter().rev() {
                if &review.reviewed != reviewed || !counted.insert(&review.reviewer) {
                    continue;
                }
                if let Some(rating) = review.ratings.iter().find(|rating| rating.norm == *norm) {
                    match rating.rating {
                        ReviewRating::Meets => row.meets += 1,
                        ReviewRating::PartlyMeets => row.partly_meets += 1,
                        ReviewRating::DoesNotMeet => row.does_not_meet += 1,
                        ReviewRating::CannotAssess => row.cannot_assess += 1,
                    }
                }
            }
            rows.push(row);
        }
    }
    rows
}

/// Whether `text` is a document hash: 64 lower-case hex digits.
pub fn is_document_hash(text: &str) -> bool {
    is_sha256_digest(&format!("sha256:{text}"))
}

fn check_payload_version(version: u8, issues: &mut Vec<ValidationIssue>) {
    if version != COMMITMENT_PAYLOAD_VERSION {
        issues.push(ValidationIssue::new(
            "v",
            format!(
                "payload version {version} is not supported: expected {COMMITMENT_PAYLOAD_VERSION}"
            ),
        ));
    }
}

/// Evidence links are `https://` (or `http://`) addresses without spaces or credentials.
fn check_evidence(path: &str, evidence: &[String], issues: &mut Vec<ValidationIssue>) {
    if evidence.len() > MAXIMUM_EVIDENCE_LINKS {
        issues.push(ValidationIssue::new(
            format!("{path}.evidence"),
            format!("at most {MAXIMUM_EVIDENCE_LINKS} links"),
        ));
    }
    for (index, link) in evidence.iter().enumerate() {
        if let Some(problem) = evidence_link_problem(link) {
            issues.push(ValidationIssue::new(
                format!("{path}.evidence[{index}]"),
                problem,
            ));
        }
    }
}

/// Why an evidence link is refused, if it is.
pub fn evidence_link_problem(link: &str) -> Option<String> {
    let rest = link
        .strip_prefix("https://")
        .or_else(|| link.strip_prefix("http://"));
    let Some(rest) = rest else {
        return Some(format!(
            "`{}` is not a link: expected https:// or http://",
            link.chars().take(80).collect::<String>()
        ));
    };
    if link.chars().count() > MAXIMUM_LINK_CHARACTERS {
        return Some(format!("at most {MAXIMUM_LINK_CHARACTERS} characters"));
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() {
        return Some("the link names no host".to_string());
    }
    if host.contains('@') {
        return Some("a link carries no credentials".to_string());
    }
    if link
        .chars()
        .any(|character| character.is_whitespace() || character.is_control())
    {
        return Some("a link has no spaces or control characters".to_string());
    }
    None
}

fn check_party_list(path: &str, parties: &[PartyId], issues: &mut Vec<ValidationIssue>) {
    if parties.is_empty() {
        issues.push(ValidationIssue::new(path, "name at least one party"));
    } else if parties.len() > MAXIMUM_PARTIES {
        issues.push(ValidationIssue::new(
            path,
            format!("at most {MAXIMUM_PARTIES} parties"),
        ));
    }
    let unique: BTreeSet<_> = parties.iter().collect();
    if unique.len() != parties.len() {
        issues.push(ValidationIssue::new(path, "a party is named twice"));
    }
}

fn check_shared_with(
    tlp: Tlp,
    shared_with: &[PartyId],
    author: &PartyId,
    issues: &mut Vec<ValidationIssue>,
) {
    if !tlp.is_restricted() && !shared_with.is_empty() {
        issues.push(ValidationIssue::new(
            "shared_with",
            format!("a {tlp} report is read by every party: leave `shared_with` out"),
        ));
    }
    if shared_with.len() > MAXIMUM_PARTIES {
        issues.push(ValidationIssue::new(
            "shared_with",
            format!("at most {MAXIMUM_PARTIES} parties"),
        ));
    }
    if shared_with.contains(author) {
        issues.push(ValidationIssue::new(
            "shared_with",
            "the reporting party reads its own report: leave it out",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report_json() -> serde_json::Value {
        serde_json::json!({
            "v": 1,
            "id": "6f1c2b4e-9d7a-4c55-8e0f-0a1b2c3d4e5f",
            "version": 1,
            "party": "EE",
            "period": "2025-2026",
            "survey": [{"item": "cert-mandate", "level": "implemented", "measures": "CERT-EE by law", "evidence": ["https://www.ria.ee/en"]}],
            "norms": [{"norm": "13(j)", "level": "partly-implemented", "measures": "A CVD policy for state systems", "challenges": "No bug bounty"}],
            "tlp": "amber",
            "shared_with": ["FI"],
            "public_summary": {"text": "We report every year.", "norms": [{"norm": "13(j)", "level": "partly-implemented"}]},
            "signed_at": "2026-03-01T00:00:00Z"
        })
    }

    #[test]
    fn a_report_parses_and_its_public_part_is_only_the_summary() {
        let bytes = serde_json::to_vec(&report_json()).expect("json");
        let report = ImplementationReport::parse(&bytes).expect("a valid report");
        assert_eq!(report.public_norm_levels().len(), 1);
        assert_eq!(report.gaps(), vec!["13(j)".to_string()]);
        let readership = report.readership();
        assert!(!readership.admits(crate::Reader::Anonymous));
        let fi = PartyId::parse("FI").expect("id");
        assert!(readership.admits(crate::Reader::Party(&fi)));
    }

    #[test]
    fn each_broken_rule_names_its_path() {
        let cases: &[(&str, serde_json::Value, &str)] = &[
            ("v", serde_json::json!(2), "v"),
            ("version", serde_json::json!(0), "version"),
            ("period", serde_json::json!(""), "period"),
            (
                "norms",
                serde_json::json!([
                    {"norm": "13(a)", "level": "implemented", "measures": "x"},
                    {"norm": "13(a)", "level": "planned", "measures": "y"}
                ]),
                "norms[1].norm",
            ),
            (
                "survey",
                serde_json::json!([{"item": "cert-mandate", "level": "implemented", "measures": "x", "evidence": ["ftp://example.org"]}]),
                "survey[0].evidence[0]",
            ),
            (
                "red_lines",
                serde_json::json!([{"red_line": "rl", "level": "implemented", "measures": "x"}]),
                "document",
            ),
            ("shared_with", serde_json::json!(["EE"]), "shared_with"),
        ];
        for (field, value, path) in cases {
            let mut json = report_json();
            json[*field] = value.clone();
            let error = ImplementationReport::parse(&serde_json::to_vec(&json).expect("json"))
                .expect_err(field);
            assert!(
                error.issues().iter().any(|issue| issue.path == *path),
                "{field}: expected an issue at {path}, got {error}"
            );
        }
        let mut json = report_json();
        json["norms"][0]["norm"] = serde_json::json!("13(l)");
        let error = ImplementationReport::parse(&serde_json::to_vec(&json).expect("json"))
            .expect_err("unknown norm");
        assert_eq!(error.path(), "norms[0].norm");
    }

    #[test]
    fn ratings_and_answers_name_each_norm_once_with_a_text() {
        let rating = |norm: &str, comment: &str| serde_json::json!({"norm": norm, "rating": "partly-meets", "comment": comment});
        let answer = |norm: &str, text: &str| serde_json::json!({"norm": norm, "text": text});
        let review = |ratings: serde_json::Value| {
            let json = serde_json::json!({
                "v": 1, "round": "6f1c2b4e-9d7a-4c55-8e0f-0a1b2c3d4e5f", "reviewer": "FI",
                "reviewed": "EE", "ratings": ratings, "signed_at": "2026-03-02T00:00:00Z"
            });
            PeerReview::parse(&serde_json::to_vec(&json).expect("json"))
                .err()
                .map(|error| {
                    error
                        .issues()
                        .iter()
                        .map(|issue| (issue.path.clone(), issue.message.clone()))
                        .collect::<Vec<_>>()
                })
        };
        let answered = |answers: serde_json::Value| {
            let json = serde_json::json!({
                "v": 1, "round": "6f1c2b4e-9d7a-4c55-8e0f-0a1b2c3d4e5f", "party": "EE",
                "answers": answers, "signed_at": "2026-03-03T00:00:00Z"
            });
            ReviewAnswer::parse(&serde_json::to_vec(&json).expect("json"))
                .err()
                .map(|error| {
                    error
                        .issues()
                        .iter()
                        .map(|issue| (issue.path.clone(), issue.message.clone()))
                        .collect::<Vec<_>>()
                })
        };
        let issue = |path: &str, message: &str| (path.to_string(), message.to_string());
        let check = |got: Option<Vec<(String, String)>>,
                     expected: Option<Vec<(String, String)>>| {
            assert_eq!(got, expected);
        };
        check(review(serde_json::json!([rating("13(h)", "slow")])), None);
        check(
            review(serde_json::json!([])),
            Some(vec![issue("ratings", "rate at least one norm")]),
        );
        check(
            review(serde_json::json!([
                rating("13(h)", "slow"),
                rating("13(h)", "again")
            ])),
            Some(vec![issue("ratings[1].norm", "norm 13(h) is rated twice")]),
        );
        let empty_comment = review(serde_json::json!([rating("13(h)", "")])).expect("refused");
        assert_eq!(empty_comment.len(), 1);
        assert_eq!(empty_comment[0].0, "ratings[0].comment");
        check(
            answered(serde_json::json!([answer("13(h)", "we answer now")])),
            None,
        );
        check(
            answered(serde_json::json!([])),
            Some(vec![issue("answers", "answer at least one norm")]),
        );
        check(
            answered(serde_json::json!([
                answer("13(j)", "a"),
                answer("13(j)", "b")
            ])),
            Some(vec![issue(
                "answers[1].norm",
                "norm 13(j) is answered twice",
            )]),
        );
        let empty_text = answered(serde_json::json!([answer("13(j)", "")])).expect("refused");
        assert_eq!(empty_text[0].0, "answers[0].text");
    }

    #[test]
    fn a_round_opening_needs_a_deadline_after_signing_and_reminds_before_it() {
        let json = serde_json::json!({
            "v": 1, "round": "6f1c2b4e-9d7a-4c55-8e0f-0a1b2c3d4e5f", "secretariat": "osce",
            "title": "2026 round", "reviewed": ["EE"], "reviewers": ["FI"], "norms": ["13(f)"],
            "deadline": "2026-03-10T00:00:00Z", "remind_hours_before": 24,
            "signed_at": "2026-03-01T00:00:00Z"
        });
        let opening =
            ReviewRoundOpening::parse(&serde_json::to_vec(&json).expect("json")).expect("valid");
        assert_eq!(
            opening.reminder_at(),
            Timestamp::parse("2026-03-09T00:00:00Z").expect("time")
        );
        let mut late = json.clone();
        late["deadline"] = serde_json::json!("2026-02-01T00:00:00Z");
        let error = ReviewRoundOpening::parse(&serde_json::to_vec(&late).expect("json"))
            .expect_err("deadline before signing");
        assert_eq!(error.path(), "deadline");
    }

    proptest::proptest! {
        /// Any bytes give a record or problems that name their path; never a panic.
        #[test]
        fn arbitrary_bytes_never_panic_and_every_problem_names_a_path(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
            for result in [
                AdoptionStatement::parse(&bytes).map(|_| ()),
                ImplementationReport::parse(&bytes).map(|_| ()),
                ReviewRoundOpening::parse(&bytes).map(|_| ()),
                PeerReview::parse(&bytes).map(|_| ()),
                ReviewAnswer::parse(&bytes).map(|_| ()),
                ReviewRoundClosing::parse(&bytes).map(|_| ()),
                CapacityBuildingEntry::parse(&bytes).map(|_| ()),
            ] {
                if let Err(error) = result {
                    proptest::prop_assert!(error.issues().iter().all(|issue| !issue.path.is_empty()));
                }
            }
        }

        /// A valid report with one field replaced by arbitrary text is read or refused with a
        /// path, never a panic.
        #[test]
        fn a_report_with_any_field_replaced_never_panics(field in 0usize..16, text in ".{0,40}") {
            let mut value = report_json();
            let keys: Vec<String> = value.as_object().map(|object| object.keys().cloned().collect()).unwrap_or_default();
            if let Some(key) = keys.get(field % keys.len().max(1)) {
                value[key.as_str()] = serde_json::Value::String(text);
            }
            let bytes = serde_json::to_vec(&value).unwrap_or_default();
            if let Err(error) = ImplementationReport::parse(&bytes) {
                proptest::prop_assert!(error.issues().iter().all(|issue| !issue.path.is_empty()));
            }
        }

        /// Evidence links never panic whatever the text.
        #[test]
        fn any_evidence_link_is_judged_without_a_panic(link in ".{0,200}") {
            let _ = evidence_link_problem(&link);
        }
    }
}

crate::vocabulary::vocabulary! {
    /// The signed commitment payloads, each with its published JSON Schema
    /// (`schemas/commitment-<name>.schema.json`).
    CommitmentPayload {
        Adoption => "adoption",
        ImplementationReport => "implementation-report",
        ReviewRoundOpening => "review-round-opening",
        PeerReview => "peer-review",
        ReviewAnswer => "review-answer",
        ReviewRoundClosing => "review-round-closing",
        CapacityBuilding => "capacity-building",
    }
}

impl CommitmentPayload {
    /// The DSSE payload type it is signed under.
    pub fn payload_type(&self) -> &'static str {
        match self {
            CommitmentPayload::Adoption => ADOPTION_PAYLOAD_TYPE,
            CommitmentPayload::ImplementationReport => IMPLEMENTATION_REPORT_PAYLOAD_TYPE,
            CommitmentPayload::ReviewRoundOpening => REVIEW_ROUND_OPENING_PAYLOAD_TYPE,
            CommitmentPayload::PeerReview => PEER_REVIEW_PAYLOAD_TYPE,
            CommitmentPayload::ReviewAnswer => REVIEW_ANSWER_PAYLOAD_TYPE,
            CommitmentPayload::ReviewRoundClosing => REVIEW_ROUND_CLOSING_PAYLOAD_TYPE,
            CommitmentPayload::CapacityBuilding => CAPACITY_BUILDING_PAYLOAD_TYPE,
        }
    }

    /// Its JSON Schema (draft 2020-12), generated from the parser's own type.
    pub fn json_schema(&self) -> serde_json::Value {
        let schema = match self {
            CommitmentPayload::Adoption => schemars::schema_for!(AdoptionStatement),
            CommitmentPayload::ImplementationReport => schemars::schema_for!(ImplementationReport),
            CommitmentPayload::ReviewRoundOpening => schemars::schema_for!(ReviewRoundOpening),
            CommitmentPayload::PeerReview => schemars::schema_for!(PeerReview),
            CommitmentPayload::ReviewAnswer => schemars::schema_for!(ReviewAnswer),
            CommitmentPayload::ReviewRoundClosing => schemars::schema_for!(ReviewRoundClosing),
            CommitmentPayload::CapacityBuilding => schemars::schema_for!(CapacityBuildingEntry),
        };
        let mut value = schema.to_value();
        if let Some(object) = value.as_object_mut() {
            object.insert(
                "$comment".into(),
                serde_json::Value::from(format!(
                    "The signed payload of a DSSE envelope with payloadType {}.",
                    self.payload_type()
                )),
            );
        }
        value
    }
}
