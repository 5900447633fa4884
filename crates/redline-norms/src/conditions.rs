//! CEL conditions over the incident report: the schema of what a condition may name, the
//! load-time check of every identifier, field, function and vocabulary word against that
//! schema, and the per-assessment variables (the report and the derived helpers).
//!
//! A condition that names a field the report does not have, a word outside a vocabulary
//! (`t.sector == "helthcare"`) or a function CEL does not know is a load error with its line
//! and column, never a silent `false` at run time.

use std::{collections::HashMap, sync::Arc};

use cel::{
    Program,
    common::{
        ast::{CallExpr, ComprehensionExpr, Expr, IdedExpr, LiteralValue, SelectExpr},
        types::{CelBool, CelDouble, CelInt, CelList, CelMap, CelMapKey, CelNull, CelString},
        value::{CowVal, Val},
    },
    context::VariableResolver,
};
use redline_model::{
    Access, AttributionBasis, AttributionRelationship, Confidence, EffectKind, IncidentReport,
    IncidentStatus, Scale, Sector, Tlp,
};

use crate::{
    facts::{ReportFacts, confidence_rank, effect_rank, scale_rank},
    schmitt::SchmittFactors,
    severity::{CATEGORY_IDS, option_ids},
};

/// The shape of a value a condition can reach.
#[derive(Debug, Clone)]
pub(crate) enum Shape {
    Bool,
    Int,
    Double,
    Text,
    /// A string from a closed vocabulary.
    Word(Arc<Vec<&'static str>>),
    List(Box<Shape>),
    Record(Arc<Vec<(&'static str, Shape)>>),
    /// A map from vocabulary words to integers (`effect_rank["disruption"]`).
    Lookup(Arc<Vec<&'static str>>),
    Unknown,
}

fn words<T>(all: &[T], text: fn(&T) -> &'static str) -> Shape {
    Shape::Word(Arc::new(all.iter().map(text).collect()))
}

fn lookup<T>(all: &[T], text: fn(&T) -> &'static str) -> Shape {
    Shape::Lookup(Arc::new(all.iter().map(text).collect()))
}

fn record(fields: Vec<(&'static str, Shape)>) -> Shape {
    Shape::Record(Arc::new(fields))
}

fn list(shape: Shape) -> Shape {
    Shape::List(Box::new(shape))
}

fn nciss_record() -> Shape {
    record(
        CATEGORY_IDS
            .iter()
            .map(|category| (*category, Shape::Word(Arc::new(option_ids(category)))))
            .collect(),
    )
}

/// The variables a condition may name, with their shapes. Documented in `render` and the crate
/// README section of `lib.rs`.
fn relationship() -> Shape {
    words(
        AttributionRelationship::ALL,
        AttributionRelationship::as_str,
    )
}

pub(crate) fn variable_shapes() -> Vec<(&'static str, Shape)> {
    let sector = || words(Sector::ALL, Sector::as_str);
    let report = record(vec![
        ("id", Shape::Text),
        ("title", Shape::Text),
        ("description", Shape::Text),
        ("reported_by", Shape::Text),
        ("victim", Shape::Text),
        ("first_observed", Shape::Text),
        ("last_observed", Shape::Text),
        ("status", words(IncidentStatus::ALL, IncidentStatus::as_str)),
        ("tlp", words(Tlp::ALL, Tlp::as_str)),
        (
            "targets",
            list(record(vec![
                ("sector", sector()),
                ("country", Shape::Text),
                ("essential_service", Shape::Bool),
                ("people_affected", Shape::Int),
                ("cert", Shape::Bool),
                ("designated_critical_infrastructure", Shape::Bool),
            ])),
        ),
        (
            "effects",
            list(record(vec![
                ("kind", words(EffectKind::ALL, EffectKind::as_str)),
                ("duration_hours", Shape::Double),
                ("reversible", Shape::Bool),
                ("scale", words(Scale::ALL, Scale::as_str)),
            ])),
        ),
        ("techniques", list(Shape::Text)),
        (
            "exploited_vulnerabilities",
            list(record(vec![("cve", Shape::Text), ("case", Shape::Text)])),
        ),
        ("access", words(Access::ALL, Access::as_str)),
        (
            "suspected_origin",
            record(vec![
                ("state", Shape::Text),
                ("confidence", words(Confidence::ALL, Confidence::as_str)),
                (
                    "basis",
                    list(words(AttributionBasis::ALL, AttributionBasis::as_str)),
                ),
                ("relationship", relationship()),
            ]),
        ),
        (
            "alternative_hypotheses",
            record(vec![
                ("considered", list(Shape::Text)),
                ("false_flag_considered", Shape::Bool),
            ]),
        ),
        (
            "casualties",
            record(vec![("deaths", Shape::Int), ("injuries", Shape::Int)]),
        ),
        ("armed_conflict", Shape::Bool),
        ("cross_border", Shape::Bool),
        ("nciss", nciss_record()),
        ("shared_with", list(Shape::Text)),
    ]);
    vec![
        ("report", report),
        ("max_effect", words(EffectKind::ALL, EffectKind::as_str)),
        ("max_effect_rank", Shape::Int),
        ("effect_rank", lookup(EffectKind::ALL, EffectKind::as_str)),
        (
            "effect_kinds",
            list(words(EffectKind::ALL, EffectKind::as_str)),
        ),
        ("espionage_only", Shape::Bool),
        ("people_affected_total", Shape::Int),
        ("max_duration_hours", Shape::Double),
        ("any_irreversible", Shape::Bool),
        (
            "irreversible_effects",
            list(words(EffectKind::ALL, EffectKind::as_str)),
        ),
        ("max_scale_rank", Shape::Int),
        ("scale_rank", lookup(Scale::ALL, Scale::as_str)),
        ("sectors", list(sector())),
        ("essential_sectors", list(sector())),
        ("any_essential_service", Shape::Bool),
        ("any_governmental_target", Shape::Bool),
        ("attribution_confidence_rank", Shape::Int),
        (
            "confidence_rank",
            lookup(Confidence::ALL, Confidence::as_str),
        ),
        ("suspected_state", Shape::Text),
        (
            "attribution_basis",
            list(words(AttributionBasis::ALL, AttributionBasis::as_str)),
        ),
        ("attribution_relationship", relationship()),
        ("attribution_substantiated", Shape::Bool),
        ("casualties_deaths", Shape::Int),
        ("casualties_injuries", Shape::Int),
        ("casualties_total", Shape::Int),
        ("any_designated_critical_infrastructure", Shape::Bool),
        ("alternative_hypotheses_count", Shape::Int),
        ("false_flag_considered", Shape::Bool),
        ("supply_chain", Shape::Bool),
        ("exploited_vulnerabilities", list(Shape::Text)),
        ("cert_targeted", Shape::Bool),
        ("foreign_target_countries", list(Shape::Text)),
        ("spill_over", Shape::Bool),
        ("cross_border", Shape::Bool),
        ("close_access", Shape::Bool),
        ("ics_techniques", Shape::Bool),
        ("armed_conflict", Shape::Bool),
        (
            "schmitt",
            record(
                SchmittFactors::FIELD_NAMES
                    .iter()
                    .map(|name| (*name, Shape::Int))
                    .collect(),
            ),
        ),
        ("severity_score", Shape::Double),
        ("severity_level", Shape::Int),
        ("nciss", nciss_record()),
    ]
}

/// The names a condition can use, in the order of the documentation.
pub fn condition_variables() -> Vec<&'static str> {
    variable_shapes().iter().map(|(name, _)| *name).collect()
}

/// Functions of the CEL standard library a condition may call (macros such as `exists` are
/// expanded before the check).
const KNOWN_FUNCTIONS: &[&str] = &[
    "size",
    "contains",
    "startsWith",
    "endsWith",
    "matches",
    "int",
    "uint",
    "double",
    "string",
    "bool",
    "bytes",
    "type",
    "dyn",
];

/// One problem found by the check, at a character offset into the condition text.
#[derive(Debug, Clone)]
pub(crate) struct ConditionProblem {
    pub(crate) character_offset: usize,
    pub(crate) message: String,
}

struct Checker<'a> {
    program: &'a Program,
    globals: &'a [(&'static str, Shape)],
    scope: Vec<(String, Shape)>,
    problems: Vec<ConditionProblem>,
}

impl Checker<'_> {
    fn problem(&mut self, expression: &IdedExpr, message: String) {
        let character_offset = self
            .program
            .source_info()
            .offset_for(expression.id)
            .map_or(0, |(start, _)| start as usize);
        self.problems.push(ConditionProblem {
            character_offset,
            message,
        });
    }

    fn lookup(&self, name: &str) -> Option<Shape> {
        self.scope
            .iter()
            .rev()
            .find(|(bound, _)| bound == name)
            .map(|(_, shape)| shape.clone())
            .or_else(|| {
                self.globals
                    .iter()
                    .find(|(global, _)| *global == name)
                    .map(|(_, shape)| shape.clone())
            })
    }

    /// The shape of `expression`, recording every problem found in it; one method per kind of
    /// expression, children checked in the order they are written.
    fn check(&mut self, expression: &IdedExpr) -> Shape {
        match &expression.expr {
            Expr::Unspecified => Shape::Unknown,
            Expr::Ident(name) => self.check_name(expression, name),
            Expr::Select(select) => self.check_select(expression, select),
            Expr::Call(call) => self.check_call(expression, call),
            Expr::Comprehension(comprehension) => self.check_comprehension(comprehension),
            Expr::List(items) => {
                let shapes: Vec<Shape> =
                    items.elements.iter().map(|item| self.check(item)).collect();
                list(shapes.into_iter().next().unwrap_or(Shape::Unknown))
            }
            Expr::Literal(literal) => match literal {
                LiteralValue::Boolean(_) => Shape::Bool,
                LiteralValue::Int(_) | LiteralValue::UInt(_) => Shape::Int,
                LiteralValue::Double(_) => Shape::Double,
                LiteralValue::String(_) => Shape::Text,
                _ => Shape::Unknown,
            },
            Expr::Map(map) => {
                for entry in &map.entries {
                    if let cel::common::ast::EntryExpr::MapEntry(entry) = &entry.expr {
                        let _ = self.check(&entry.key);
                        let _ = self.check(&entry.value);
                    }
                }
                Shape::Unknown
            }
            Expr::Struct(structure) => {
                self.problem(
                    expression,
                    format!(
                        "`{}{{…}}` builds a message type, which conditions cannot use: expected an expression over the report",
                        structure.type_name
                    ),
                );
                Shape::Unknown
            }
        }
    }

    /// A name: a global or a comprehension's variable.
    fn check_name(&mut self, expression: &IdedExpr, name: &str) -> Shape {
        match self.lookup(name) {
            Some(shape) => shape,
            None => {
                let known: Vec<&str> = self.globals.iter().map(|(name, _)| *name).collect();
                self.problem(
                    expression,
                    format!(
                        "unknown name `{name}`: expected one of {}",
                        known.join(", ")
                    ),
                );
                Shape::Unknown
            }
        }
    }

    /// `operand.field`, or `has(operand.field)` when `select.test`.
    fn check_select(&mut self, expression: &IdedExpr, select: &SelectExpr) -> Shape {
        let operand = self.check(&select.operand);
        let shape = match operand {
            Shape::Record(fields) => {
                match fields.iter().find(|(field, _)| *field == select.field) {
                    Some((_, shape)) => shape.clone(),
                    None => {
                        let known: Vec<&str> = fields.iter().map(|(name, _)| *name).collect();
                        self.problem(
                            expression,
                            format!(
                                "no field `{}` here: expected one of {}",
                                select.field,
                                known.join(", ")
                            ),
                        );
                        Shape::Unknown
                    }
                }
            }
            Shape::Lookup(keys) => {
                if !keys.contains(&select.field.as_str()) {
                    self.problem(
                        expression,
                        format!(
                            "no key `{}` here: expected one of {}",
                            select.field,
                            keys.join(", ")
                        ),
                    );
                }
                Shape::Int
            }
            Shape::Unknown => Shape::Unknown,
            other => {
                self.problem(
                    expression,
                    format!(
                        "`.{}` selects a field of a {}, which has none: expected a record such as `report`",
                        select.field,
                        describe(&other)
                    ),
                );
                Shape::Unknown
            }
        };
        if select.test { Shape::Bool } else { shape }
    }

    /// A call: its target and arguments first, then what the function gives.
    fn check_call(&mut self, expression: &IdedExpr, call: &CallExpr) -> Shape {
        let target = call.target.as_ref().map(|target| self.check(target));
        let arguments: Vec<Shape> = call
            .args
            .iter()
            .map(|argument| self.check(argument))
            .collect();
        let name = call.func_name.as_str();
        match name {
            "_==_" | "_!=_" => {
                if let [left, right] = call.args.as_slice() {
                    self.check_word_against_literal(&arguments[0], right);
                    self.check_word_against_literal(&arguments[1], left);
                }
                Shape::Bool
            }
            "@in" => {
                if let ([left, right], [left_shape, right_shape]) =
                    (call.args.as_slice(), arguments.as_slice())
                {
                    if let Shape::List(element) = right_shape {
                        self.check_word_against_literal(element, left);
                    }
                    if let Expr::List(items) = &right.expr {
                        for item in &items.elements {
                            self.check_word_against_literal(left_shape, item);
                        }
                    }
                }
                Shape::Bool
            }
            "_[_]" => match (arguments.first(), call.args.get(1)) {
                (Some(Shape::List(element)), _) => (**element).clone(),
                (Some(Shape::Lookup(keys)), Some(key)) => {
                    if let Expr::Literal(LiteralValue::String(text)) = &key.expr
                        && !keys.contains(&text.inner())
                    {
                        let keys = keys.join(", ");
                        self.problem(
                            key,
                            format!("no key `{}` here: expected one of {keys}", text.inner()),
                        );
                    }
                    Shape::Int
                }
                _ => Shape::Unknown,
            },
            "_&&_" | "_||_" | "!_" | "_<_" | "_<=_" | "_>_" | "_>=_" | "@not_strictly_false" => {
                Shape::Bool
            }
            "_?_:_" => arguments.get(1).cloned().unwrap_or(Shape::Unknown),
            "_+_" | "_-_" | "_*_" | "_/_" | "_%_" | "-_" => {
                arguments.first().cloned().unwrap_or(Shape::Unknown)
            }
            _ if name.starts_with('_') || name.starts_with('@') => Shape::Unknown,
            _ if KNOWN_FUNCTIONS.contains(&name) => {
                let _ = target;
                match name {
                    "size" | "int" => Shape::Int,
                    "double" => Shape::Double,
                    "string" => Shape::Text,
                    "contains" | "startsWith" | "endsWith" | "matches" | "bool" => Shape::Bool,
                    _ => Shape::Unknown,
                }
            }
            _ => {
                self.problem(
                    expression,
                    format!(
                        "unknown function `{name}`: expected one of {} (or the macros has, all, exists, exists_one, map, filter)",
                        KNOWN_FUNCTIONS.join(", ")
                    ),
                );
                Shape::Unknown
            }
        }
    }

    /// A macro's comprehension (`all`, `exists`, `map`, …), its variables in scope for its body.
    fn check_comprehension(&mut self, comprehension: &ComprehensionExpr) -> Shape {
        let range = self.check(&comprehension.iter_range);
        let element = match range {
            Shape::List(element) => *element,
            Shape::Record(_) | Shape::Lookup(_) => Shape::Text,
            _ => Shape::Unknown,
        };
        let _ = self.check(&comprehension.accu_init);
        let depth = self.scope.len();
        self.scope.push((comprehension.iter_var.clone(), element));
        if let Some(second) = &comprehension.iter_var2 {
            self.scope.push((second.clone(), Shape::Unknown));
        }
        self.scope
            .push((comprehension.accu_var.clone(), Shape::Unknown));
        let _ = self.check(&comprehension.loop_cond);
        let _ = self.check(&comprehension.loop_step);
        let result = self.check(&comprehension.result);
        self.scope.truncate(depth);
        result
    }

    /// `shape` is a vocabulary word and `other` a string literal: the literal must be a word.
    fn check_word_against_literal(&mut self, shape: &Shape, other: &IdedExpr) {
        if let (Shape::Word(vocabulary), Expr::Literal(LiteralValue::String(text))) =
            (shape, &other.expr)
        {
            let text = text.inner();
            if !vocabulary.contains(&text) {
                let expected = vocabulary.join(", ");
                self.problem(
                    other,
                    format!(
                        "`\"{text}\"` is not a word of this vocabulary: expected one of {expected}"
                    ),
                );
            }
        }
    }
}

fn describe(shape: &Shape) -> &'static str {
    match shape {
        Shape::Bool => "bool",
        Shape::Int => "int",
        Shape::Double => "double",
        Shape::Text | Shape::Word(_) => "string",
        Shape::List(_) => "list",
        Shape::Record(_) => "record",
        Shape::Lookup(_) => "map",
        Shape::Unknown => "value",
    }
}

/// Checks a compiled condition against the schema; returns every problem found.
pub(crate) fn check_condition(
    program: &Program,
    globals: &[(&'static str, Shape)],
) -> Vec<ConditionProblem> {
    let mut checker = Checker {
        program,
        globals,
        scope: Vec::new(),
        problems: Vec::new(),
    };
    let shape = checker.check(program.expression());
    if matches!(
        shape,
        Shape::Int
            | Shape::Double
            | Shape::Text
            | Shape::Word(_)
            | Shape::List(_)
            | Shape::Record(_)
            | Shape::Lookup(_)
    ) {
        checker.problems.push(ConditionProblem {
            character_offset: 0,
            message: format!(
                "the condition gives a value of type {}: expected a bool (true when the rule applies)",
                describe(&shape)
            ),
        });
    }
    checker.problems
}

type Boxed<'a> = Box<dyn Val + 'a>;

fn map_value<'a>(entries: Vec<(&'static str, Boxed<'a>)>) -> Boxed<'a> {
    let map: HashMap<CelMapKey<'a>, Boxed<'a>> = entries
        .into_iter()
        .map(|(key, value)| (CelMapKey::from(key), value))
        .collect();
    Box::new(CelMap::from(map))
}

fn text<'a>(value: &'a str) -> Boxed<'a> {
    Box::new(CelString::from(value))
}

fn owned_text<'a>(value: String) -> Boxed<'a> {
    Box::new(CelString::from(value))
}

/// A count as a CEL int (saturating at `i64::MAX`).
fn count<'a>(value: u64) -> Boxed<'a> {
    int(i64::try_from(value).unwrap_or(i64::MAX))
}

fn int<'a>(value: i64) -> Boxed<'a> {
    Box::new(CelInt::from(value))
}

fn boolean<'a>(value: bool) -> Boxed<'a> {
    Box::new(CelBool::from(value))
}

fn double<'a>(value: f64) -> Boxed<'a> {
    Box::new(CelDouble::from(value))
}

fn null<'a>() -> Boxed<'a> {
    Box::new(CelNull)
}

fn list_value<'a>(items: Vec<Boxed<'a>>) -> Boxed<'a> {
    Box::new(CelList::from(items))
}

fn rank_table<T: Copy>(
    all: &[T],
    text_of: fn(&T) -> &'static str,
    rank: fn(T) -> i64,
) -> Boxed<'static> {
    map_value(
        all.iter()
            .map(|item| (text_of(item), int(rank(*item))))
            .collect(),
    )
}

/// Constant tables every assessment sees; built once per document and lent to each
/// assessment's context through a resolver, so they are never copied.
pub(crate) struct ConstantTables {
    effect_rank: Boxed<'static>,
    scale_rank: Boxed<'static>,
    confidence_rank: Boxed<'static>,
}

impl ConstantTables {
    pub(crate) fn new() -> Self {
        Self {
            effect_rank: rank_table(EffectKind::ALL, EffectKind::as_str, effect_rank),
            scale_rank: rank_table(Scale::ALL, Scale::as_str, scale_rank),
            confidence_rank: rank_table(Confidence::ALL, Confidence::as_str, confidence_rank),
        }
    }
}

/// The variables of one assessment: the document's constant tables, lent, and the values
/// built for this report. Looked up by name without allocating.
pub(crate) struct AssessmentVariables<'a> {
    pub(crate) constants: &'a ConstantTables,
    pub(crate) values: Vec<(&'static str, Boxed<'a>)>,
    /// The report, built on first use: documents that only use the helpers never pay for it.
    pub(crate) report: &'a IncidentReport,
    pub(crate) report_value: std::sync::OnceLock<Boxed<'a>>,
}

impl VariableResolver for AssessmentVariables<'_> {
    fn resolve<'b>(&'b self, variable: &str) -> Option<CowVal<'b, 'b>> {
        let value: &'b (dyn Val + 'b) = match variable {
            "effect_rank" => self.constants.effect_rank.as_ref(),
            "scale_rank" => self.constants.scale_rank.as_ref(),
            "confidence_rank" => self.constants.confidence_rank.as_ref(),
            "report" => self
                .report_value
                .get_or_init(|| report_value(self.report))
                .as_ref(),
            _ => self
                .values
                .iter()
                .find(|(name, _)| *name == variable)?
                .1
                .as_ref(),
        };
        Some(CowVal::Borrowed(value))
    }
}

/// The report as CEL sees it: every field present; absent optional values read as `""` for
/// strings, `0` for numbers, `null` for `reversible` and the NCISS overrides, and
/// `suspected_origin` as `{state: "", confidence: "", basis: []}`. Strings are borrowed from the
/// report, not copied.
pub(crate) fn report_value(report: &IncidentReport) -> Boxed<'_> {
    let targets = report
        .targets
        .iter()
        .map(|target| {
            map_value(vec![
                ("sector", text(target.sector.as_str())),
                ("country", text(target.country.as_str())),
                ("essential_service", boolean(target.essential_service)),
                (
                    "people_affected",
                    int(i64::try_from(target.people_affected.unwrap_or(0)).unwrap_or(i64::MAX)),
                ),
                ("cert", boolean(target.cert)),
                (
                    "designated_critical_infrastructure",
                    boolean(target.designated_critical_infrastructure),
                ),
            ])
        })
        .collect();
    let effects = report
        .effects
        .iter()
        .map(|effect| {
            map_value(vec![
                ("kind", text(effect.kind.as_str())),
                (
                    "duration_hours",
                    double(effect.duration_hours.unwrap_or(0.0)),
                ),
                ("reversible", effect.reversible.map_or_else(null, boolean)),
                (
                    "scale",
                    text(effect.scale.map_or("", |scale| scale.as_str())),
                ),
            ])
        })
        .collect();
    let origin = match &report.suspected_origin {
        Some(origin) => map_value(vec![
            ("state", text(origin.state.as_str())),
            ("confidence", text(origin.confidence.as_str())),
            (
                "basis",
                list_value(
                    origin
                        .basis
                        .iter()
                        .map(|basis| text(basis.as_str()))
                        .collect(),
                ),
            ),
            ("relationship", text(origin.relationship.as_str())),
        ]),
        None => map_value(vec![
            ("state", text("")),
            ("confidence", text("")),
            ("basis", list_value(Vec::new())),
            ("relationship", text("")),
        ]),
    };
    let alternatives = report.alternative_hypotheses.as_ref();
    let alternative_hypotheses = map_value(vec![
        (
            "considered",
            list_value(
                alternatives
                    .map(|alternatives| {
                        alternatives
                            .considered
                            .iter()
                            .map(|hypothesis| text(hypothesis))
                            .collect()
                    })
                    .unwrap_or_default(),
            ),
        ),
        (
            "false_flag_considered",
            boolean(alternatives.is_some_and(|alternatives| alternatives.false_flag_considered)),
        ),
    ]);
    let casualties = report.casualties.unwrap_or_default();
    let casualties = map_value(vec![
        ("deaths", count(casualties.deaths.unwrap_or(0))),
        ("injuries", count(casualties.injuries.unwrap_or(0))),
    ]);
    let nciss = map_value(
        report
            .nciss
            .clone()
            .unwrap_or_default()
            .chosen_options()
            .into_iter()
            .map(|(category, option)| (category, option.map_or_else(null, text)))
            .collect(),
    );
    map_value(vec![
        ("id", text(report.id.as_ref().map_or("", |id| id.as_str()))),
        ("title", text(&report.title)),
        (
            "description",
            text(report.description.as_deref().unwrap_or("")),
        ),
        ("reported_by", text(report.reported_by.as_str())),
        ("victim", text(report.victim.as_str())),
        (
            "first_observed",
            owned_text(report.first_observed.to_string()),
        ),
        (
            "last_observed",
            owned_text(
                report
                    .last_observed
                    .map(|time| time.to_string())
                    .unwrap_or_default(),
            ),
        ),
        ("status", text(report.status.as_str())),
        ("tlp", text(report.tlp.as_str())),
        ("targets", list_value(targets)),
        ("effects", list_value(effects)),
        (
            "techniques",
            list_value(
                report
                    .techniques
                    .iter()
                    .map(|technique| text(technique))
                    .collect(),
            ),
        ),
        (
            "exploited_vulnerabilities",
            list_value(
                report
                    .exploited_vulnerabilities
                    .iter()
                    .map(|entry| {
                        map_value(vec![
                            (
                                "cve",
                                text(entry.cve.as_ref().map_or("", |cve| cve.as_str())),
                            ),
                            (
                                "case",
                                owned_text(
                                    entry
                                        .case
                                        .map(|case| case.hyphenated().to_string())
                                        .unwrap_or_default(),
                                ),
                            ),
                        ])
                    })
                    .collect(),
            ),
        ),
        (
            "access",
            text(report.access.map_or("", |access| access.as_str())),
        ),
        ("suspected_origin", origin),
        ("alternative_hypotheses", alternative_hypotheses),
        ("casualties", casualties),
        ("armed_conflict", boolean(report.armed_conflict)),
        ("cross_border", boolean(report.cross_border)),
        ("nciss", nciss),
        (
            "shared_with",
            list_value(
                report
                    .shared_with
                    .iter()
                    .map(|party| text(party.as_str()))
                    .collect(),
            ),
        ),
    ])
}

/// Everything the engine computed before the rules run, as CEL variables.
pub(crate) struct HelperInputs<'a> {
    pub(crate) report: &'a IncidentReport,
    pub(crate) facts: &'a ReportFacts,
    pub(crate) schmitt: &'a SchmittFactors,
    pub(crate) severity_score: f64,
    pub(crate) severity_level: u8,
    pub(crate) nciss: &'a [(&'static str, &'static str)],
}

/// The helper variables, name and value (the constant tables come from [`ConstantTables`]).
pub(crate) fn helper_values<'a>(inputs: &HelperInputs<'a>) -> Vec<(&'static str, Boxed<'a>)> {
    let facts = inputs.facts;
    let sector_list = |sectors: &[Sector]| {
        list_value(sectors.iter().map(|sector| text(sector.as_str())).collect())
    };
    let mut effect_kinds: Vec<EffectKind> = inputs
        .report
        .effects
        .iter()
        .map(|effect| effect.kind)
        .collect();
    effect_kinds.sort();
    effect_kinds.dedup();
    let report = inputs.report;
    let basis = report
        .suspected_origin
        .as_ref()
        .map(|origin| {
            origin
                .basis
                .iter()
                .map(|basis| text(basis.as_str()))
                .collect()
        })
        .unwrap_or_default();
    vec![
        ("max_effect", text(facts.max_effect.as_str())),
        ("max_effect_rank", int(facts.max_effect_rank)),
        (
            "effect_kinds",
            list_value(
                effect_kinds
                    .iter()
                    .map(|kind| text(kind.as_str()))
                    .collect(),
            ),
        ),
        ("espionage_only", boolean(facts.espionage_only)),
        (
            "people_affected_total",
            int(i64::try_from(facts.people_affected_total).unwrap_or(i64::MAX)),
        ),
        ("max_duration_hours", double(facts.max_duration_hours)),
        ("any_irreversible", boolean(facts.any_irreversible)),
        ("irreversible_effects", {
            let mut kinds: Vec<EffectKind> = report
                .effects
                .iter()
                .filter(|effect| effect.reversible == Some(false))
                .map(|effect| effect.kind)
                .collect();
            kinds.sort();
            kinds.dedup();
            list_value(kinds.iter().map(|kind| text(kind.as_str())).collect())
        }),
        ("max_scale_rank", int(facts.max_scale_rank)),
        ("sectors", sector_list(&facts.sectors)),
        ("essential_sectors", sector_list(&facts.essential_sectors)),
        (
            "any_essential_service",
            boolean(facts.any_essential_service),
        ),
        (
            "any_governmental_target",
            boolean(facts.any_governmental_target),
        ),
        (
            "attribution_confidence_rank",
            int(facts.attribution_confidence_rank),
        ),
        (
            "suspected_state",
            text(
                report
                    .suspected_origin
                    .as_ref()
                    .map_or("", |origin| origin.state.as_str()),
            ),
        ),
        ("attribution_basis", list_value(basis)),
        (
            "foreign_target_countries",
            list_value(
                facts
                    .foreign_target_countries
                    .iter()
                    .map(|country| owned_text(country.clone()))
                    .collect(),
            ),
        ),
        (
            "spill_over",
            boolean(!facts.foreign_target_countries.is_empty()),
        ),
        (
            "attribution_relationship",
            text(
                report
                    .suspected_origin
                    .as_ref()
                    .map_or("", |origin| origin.relationship.as_str()),
            ),
        ),
        (
            "attribution_substantiated",
            boolean(facts.attribution_substantiated),
        ),
        (
            "casualties_deaths",
            count(facts.casualties.deaths.unwrap_or(0)),
        ),
        (
            "casualties_injuries",
            count(facts.casualties.injuries.unwrap_or(0)),
        ),
        ("casualties_total", count(facts.casualties.total())),
        (
            "any_designated_critical_infrastructure",
            boolean(
                report
                    .targets
                    .iter()
                    .any(|target| target.designated_critical_infrastructure),
            ),
        ),
        (
            "alternative_hypotheses_count",
            count(
                report
                    .alternative_hypotheses
                    .as_ref()
                    .map_or(0, |alternatives| alternatives.considered.len() as u64),
            ),
        ),
        (
            "false_flag_considered",
            boolean(
                report
                    .alternative_hypotheses
                    .as_ref()
                    .is_some_and(|alternatives| alternatives.false_flag_considered),
            ),
        ),
        (
            "supply_chain",
            boolean(report.access == Some(Access::SupplyChain)),
        ),
        (
            "exploited_vulnerabilities",
            list_value(
                report
                    .exploited_vulnerabilities
                    .iter()
                    .flat_map(|entry| entry.names())
                    .map(owned_text)
                    .collect(),
            ),
        ),
        (
            "cert_targeted",
            boolean(report.targets.iter().any(|target| target.cert)),
        ),
        ("cross_border", boolean(report.cross_border)),
        ("close_access", boolean(ReportFacts::close_access(report))),
        ("ics_techniques", boolean(facts.ics_techniques)),
        ("armed_conflict", boolean(report.armed_conflict)),
        (
            "schmitt",
            map_value(
                SchmittFactors::FIELD_NAMES
                    .iter()
                    .zip(inputs.schmitt.values())
                    .map(|(name, value)| (*name, int(value)))
                    .collect(),
            ),
        ),
        ("severity_score", double(inputs.severity_score)),
        ("severity_level", int(i64::from(inputs.severity_level))),
        (
            "nciss",
            map_value(
                inputs
                    .nciss
                    .iter()
                    .map(|(category, option)| (*category, text(option)))
                    .collect(),
            ),
        ),
    ]
}
