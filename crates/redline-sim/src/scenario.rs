//! Scenarios: the TOML files under `scenarios/` that describe the states, the incident and the
//! perception and policy parameters of one exercise.
//!
//! Parsing is strict: unknown fields are rejected, syntax and type errors carry the line and
//! column and what was expected, and validation names the field and the allowed range. Optional
//! tables (`[perception]`, `[policy]`, `[levers.*]`) fall back to the documented defaults.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::levers::LeverEffects;

redline_model::vocabulary! {
    /// The tension regime (Healey & Jervis): it shifts response propensity and the firebreaks.
    TensionRegime {
        Peace => "peace",
        Competition => "competition",
        Crisis => "crisis",
        War => "war",
    }
}

/// Why a scenario was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScenarioError {
    /// The text is not valid TOML, or a value has the wrong type or an unknown field.
    #[error("line {line}, column {column}: {message}")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    /// The TOML is well-formed but a value is out of range or inconsistent. `location` is the
    /// line and column of the offending key when it can be found in the text.
    #[error("{}", describe_invalid(field, message, location))]
    Invalid {
        field: String,
        message: String,
        location: Option<(usize, usize)>,
    },
}

fn describe_invalid(field: &str, message: &str, location: &Option<(usize, usize)>) -> String {
    match location {
        Some((line, column)) => format!("line {line}, column {column}: {field}: {message}"),
        None => format!("{field}: {message}"),
    }
}

/// The `[scenario]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioHeader {
    /// Short stable identifier, such as `grid-outage-peacetime`.
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub regime: TensionRegime,
    /// Id of the state that suffers the incident.
    pub victim: String,
    /// Id of the state the victim suspects by default when it blames a state for a non-state act.
    pub usual_suspect: String,
    /// Runs stop at this many days after the incident.
    #[serde(default = "default_horizon_days")]
    pub horizon_days: f64,
    /// Largest number of answer-and-counter-answer moves after the victim's response.
    #[serde(default = "default_max_exchanges")]
    pub max_exchanges: u8,
}

fn default_horizon_days() -> f64 {
    730.0
}

fn default_max_exchanges() -> u8 {
    8
}

/// One `[[state]]`: a state and its response policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StateProfile {
    pub id: String,
    pub name: String,
    /// Relative weight of this state being the true initiator of the incident.
    #[serde(default)]
    pub initiator_weight: f64,
    /// 0–1: how tightly the chosen rung tracks the proportionate rung (1 = no decision noise).
    pub proportionality: f64,
    /// 0–1: willingness to respond at all and to answer a step higher.
    pub resolve: f64,
    /// 0–1: willingness to cross the military and kinetic firebreaks.
    pub risk_tolerance: f64,
}

/// The `[incident]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentProfile {
    /// Relative weights of the true severity levels 0–5 (PPD-41 scale).
    pub severity_weights: [f64; 6],
    /// Relative weight of a non-state (criminal) origin.
    #[serde(default)]
    pub non_state_weight: f64,
    /// Relative weight of a third party staging a false flag.
    #[serde(default)]
    pub false_flag_weight: f64,
    /// The state a false flag is made to point at; defaults to the usual suspect.
    #[serde(default)]
    pub framed: Option<String>,
}

/// The `[perception]` table: how the victim sees the incident.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PerceptionParameters {
    /// Multiplier (≥ 1) on true severity: hostile-intent over-reading (Jervis).
    pub threat_inflation: f64,
    /// Standard deviation of the perception error, in severity levels.
    pub severity_noise: f64,
    /// Median days from incident to the victim's awareness (lognormal).
    pub detection_median_days: f64,
    /// Lognormal sigma of the detection delay.
    pub detection_spread: f64,
    /// Median days from awareness to formal attribution (lognormal).
    pub attribution_median_days: f64,
    /// Lognormal sigma of the attribution lag.
    pub attribution_spread: f64,
    /// Probability that a state initiator is correctly identified.
    pub attribution_accuracy: f64,
    /// Probability that a false flag is seen through.
    pub false_flag_detection: f64,
    /// Probability that the victim blames the usual suspect for a non-state act.
    pub state_blame: f64,
    /// Probability that a response is read as one or two rungs more hostile than it is.
    pub misread_probability: f64,
    /// Days of deliberation between awareness and the first decision.
    pub decision_delay_days: f64,
}

impl Default for PerceptionParameters {
    fn default() -> Self {
        PerceptionParameters {
            threat_inflation: 1.2,
            severity_noise: 0.5,
            detection_median_days: 3.0,
            detection_spread: 1.0,
            attribution_median_days: 180.0,
            attribution_spread: 1.0,
            attribution_accuracy: 0.8,
            false_flag_detection: 0.3,
            state_blame: 0.4,
            misread_probability: 0.25,
            decision_delay_days: 2.0,
        }
    }
}

/// The `[policy]` table: the response policy shared by all states (each state's own
/// proportionality, resolve and risk tolerance enter through its `[[state]]` table).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PolicyParameters {
    /// Logistic intercept of the probability of a political or legal response.
    pub response_intercept: f64,
    /// Logistic slope per perceived severity level.
    pub response_slope: f64,
    /// Added to the logistic index once formal attribution is in hand.
    pub attribution_bonus: f64,
    /// Proportionate rung per perceived severity level (default ladder units).
    pub rungs_per_severity: f64,
    /// Rungs a fully resolute state adds above the proportionate rung.
    pub escalation_step: f64,
    /// Standard deviation of the decision noise of a state with proportionality 0.
    pub decision_noise: f64,
    /// Base probability per move that the mover takes an off-ramp and steps down.
    pub de_escalation: f64,
    /// After the other side stepped down, the share of the remaining probability that is added
    /// to the off-ramp (a step down is answered by a step down).
    pub reciprocity: f64,
    /// Median days between moves in an exchange.
    pub exchange_interval_days: f64,
    /// Rungs of extra hostility a wrongly accused state reads into a response.
    pub innocent_grievance: f64,
    /// Reaching this rung of the default ladder turns peace or competition into crisis.
    pub crisis_rung: u8,
}

impl Default for PolicyParameters {
    fn default() -> Self {
        PolicyParameters {
            response_intercept: -4.8,
            response_slope: 0.55,
            attribution_bonus: 0.8,
            rungs_per_severity: 2.0,
            escalation_step: 2.0,
            decision_noise: 1.5,
            de_escalation: 0.35,
            reciprocity: 0.5,
            exchange_interval_days: 21.0,
            innocent_grievance: 1.0,
            crisis_rung: 11,
        }
    }
}

/// The file as written, before validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "redline escalation scenario",
    description = "A scenario for the escalation simulator (TOML): the states, the incident and the perception, policy and lever parameters. This schema is the shape; `redline sim run` also checks ranges and references between states. See scenarios/ and docs/simulator.md."
)]
struct ScenarioFile {
    scenario: ScenarioHeader,
    state: Vec<StateProfile>,
    incident: IncidentProfile,
    #[serde(default)]
    perception: PerceptionParameters,
    #[serde(default)]
    policy: PolicyParameters,
    #[serde(default)]
    levers: LeverEffects,
}

/// The JSON Schema (draft 2020-12) of a scenario's TOML, generated from the types the parser
/// reads it into. Ranges and references between states are checked by `Scenario::from_toml_str`.
pub fn scenario_json_schema() -> serde_json::Value {
    schemars::schema_for!(ScenarioFile).to_value()
}

/// A validated scenario. State references are resolved to indices into `states`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    pub header: ScenarioHeader,
    pub states: Vec<StateProfile>,
    pub incident: IncidentProfile,
    pub perception: PerceptionParameters,
    pub policy: PolicyParameters,
    pub lever_effects: LeverEffects,
    /// Index of the victim in `states`.
    pub victim: usize,
    /// Index of the usual suspect in `states`.
    pub usual_suspect: usize,
    /// Index of the state a false flag points at.
    pub framed: usize,
}

/// The most states a scenario may list.
pub const MAX_STATES: usize = 16;

impl Scenario {
    /// Parses and validates scenario TOML.
    pub fn from_toml_str(text: &str) -> Result<Scenario, ScenarioError> {
        let file: ScenarioFile = toml::from_str(text).map_err(|error| {
            let (line, column) = error
                .span()
                .map(|span| line_and_column(text, span.start))
                .unwrap_or((1, 1));
            ScenarioError::Syntax {
                line,
                column,
                message: error.message().trim_end().to_owned(),
            }
        })?;
        Scenario::validate(file).map_err(|error| match error {
            ScenarioError::Invalid { field, message, .. } => {
                let location = locate_field(text, &field);
                ScenarioError::Invalid {
                    field,
                    message,
                    location,
                }
            }
            other => other,
        })
    }

    /// Checks a scenario file and resolves its state references, as a pipeline of checks:
    /// the header and states, the roles (victim, usual suspect, framed state), the incident,
    /// perception, policy and levers. The first problem found is the error.
    fn validate(file: ScenarioFile) -> Result<Scenario, ScenarioError> {
        let ScenarioFile {
            scenario: header,
            state: states,
            incident,
            perception,
            policy,
            levers: lever_effects,
        } = file;
        check_header_and_states(&header, &states)?;
        let (victim, usual_suspect, framed) = resolve_roles(&header, &states, &incident)?;
        check_incident(&states, &incident)?;
        check_perception(&perception)?;
        check_policy(&policy)?;
        check_levers(&lever_effects)?;
        Ok(Scenario {
            header,
            states,
            incident,
            perception,
            policy,
            lever_effects,
            victim,
            usual_suspect,
            framed,
        })
    }
}

/// `[scenario]` and `[[state]]`: ids, the horizon, the number of states, each state's weights.
fn check_header_and_states(
    header: &ScenarioHeader,
    states: &[StateProfile],
) -> Result<(), ScenarioError> {
    check_text("scenario.id", &header.id)?;
    check_text("scenario.title", &header.title)?;
    check_range("scenario.horizon_days", header.horizon_days, 1.0, 36_500.0)?;
    if header.max_exchanges > 12 {
        return Err(invalid(
            "scenario.max_exchanges",
            format!("must be at most 12, got {}", header.max_exchanges),
        ));
    }
    if states.len() < 2 || states.len() > MAX_STATES {
        return Err(invalid(
            "state",
            format!(
                "a scenario needs between 2 and {MAX_STATES} [[state]] tables, got {}",
                states.len()
            ),
        ));
    }
    for (index, state) in states.iter().enumerate() {
        let field = |name: &str| format!("state[{index}].{name}");
        check_text(&field("id"), &state.id)?;
        if states[..index].iter().any(|other| other.id == state.id) {
            return Err(invalid(
                &field("id"),
                format!("duplicate state id {:?}", state.id),
            ));
        }
        check_range(&field("initiator_weight"), state.initiator_weight, 0.0, 1e6)?;
        check_probability(&field("proportionality"), state.proportionality)?;
        check_probability(&field("resolve"), state.resolve)?;
        check_probability(&field("risk_tolerance"), state.risk_tolerance)?;
    }
    Ok(())
}

/// The victim, the usual suspect and the framed state as indices into `states`; the victim is
/// neither of the others and is never the initiator.
fn resolve_roles(
    header: &ScenarioHeader,
    states: &[StateProfile],
    incident: &IncidentProfile,
) -> Result<(usize, usize, usize), ScenarioError> {
    let find = |field: &str, id: &str| {
        states
            .iter()
            .position(|state| state.id == id)
            .ok_or_else(|| {
                let known: Vec<&str> = states.iter().map(|state| state.id.as_str()).collect();
                invalid(
                    field,
                    format!("unknown state {id:?}; expected one of {}", known.join(", ")),
                )
            })
    };
    let victim = find("scenario.victim", &header.victim)?;
    let usual_suspect = find("scenario.usual_suspect", &header.usual_suspect)?;
    if usual_suspect == victim {
        return Err(invalid(
            "scenario.usual_suspect",
            "must differ from the victim".to_owned(),
        ));
    }
    let framed = match &incident.framed {
        Some(id) => find("incident.framed", id)?,
        None => usual_suspect,
    };
    if framed == victim {
        return Err(invalid(
            "incident.framed",
            "must differ from the victim".to_owned(),
        ));
    }
    if states[victim].initiator_weight > 0.0 {
        return Err(invalid(
            &format!("state[{victim}].initiator_weight"),
            "the victim cannot be the initiator; set it to 0".to_owned(),
        ));
    }
    Ok((victim, usual_suspect, framed))
}

/// `[incident]`: the severity and origin weights.
fn check_incident(
    states: &[StateProfile],
    incident: &IncidentProfile,
) -> Result<(), ScenarioError> {
    for (level, weight) in incident.severity_weights.iter().enumerate() {
        check_range(
            &format!("incident.severity_weights[{level}]"),
            *weight,
            0.0,
            1e6,
        )?;
    }
    if incident.severity_weights.iter().sum::<f64>() <= 0.0 {
        return Err(invalid(
            "incident.severity_weights",
            "at least one weight must be positive".to_owned(),
        ));
    }
    check_range(
        "incident.non_state_weight",
        incident.non_state_weight,
        0.0,
        1e6,
    )?;
    check_range(
        "incident.false_flag_weight",
        incident.false_flag_weight,
        0.0,
        1e6,
    )?;
    let state_weight: f64 = states.iter().map(|state| state.initiator_weight).sum();
    if state_weight + incident.non_state_weight + incident.false_flag_weight <= 0.0 {
        return Err(invalid(
            "incident",
            "some origin must have a positive weight (a state's initiator_weight, non_state_weight or false_flag_weight)".to_owned(),
        ));
    }
    Ok(())
}

/// `[perception]`: each parameter in its range.
fn check_perception(p: &PerceptionParameters) -> Result<(), ScenarioError> {
    check_range("perception.threat_inflation", p.threat_inflation, 1.0, 3.0)?;
    check_range("perception.severity_noise", p.severity_noise, 0.0, 5.0)?;
    check_range(
        "perception.detection_median_days",
        p.detection_median_days,
        0.0,
        3650.0,
    )?;
    check_range("perception.detection_spread", p.detection_spread, 0.0, 4.0)?;
    check_range(
        "perception.attribution_median_days",
        p.attribution_median_days,
        0.0,
        3650.0,
    )?;
    check_range(
        "perception.attribution_spread",
        p.attribution_spread,
        0.0,
        4.0,
    )?;
    check_probability("perception.attribution_accuracy", p.attribution_accuracy)?;
    check_probability("perception.false_flag_detection", p.false_flag_detection)?;
    check_probability("perception.state_blame", p.state_blame)?;
    check_probability("perception.misread_probability", p.misread_probability)?;
    check_range(
        "perception.decision_delay_days",
        p.decision_delay_days,
        0.0,
        3650.0,
    )?;
    Ok(())
}

/// `[policy]`: each parameter in its range.
fn check_policy(q: &PolicyParameters) -> Result<(), ScenarioError> {
    check_range(
        "policy.response_intercept",
        q.response_intercept,
        -20.0,
        20.0,
    )?;
    check_range("policy.response_slope", q.response_slope, 0.0, 10.0)?;
    check_range("policy.attribution_bonus", q.attribution_bonus, 0.0, 10.0)?;
    check_range("policy.rungs_per_severity", q.rungs_per_severity, 0.0, 10.0)?;
    check_range("policy.escalation_step", q.escalation_step, 0.0, 10.0)?;
    check_range("policy.decision_noise", q.decision_noise, 0.0, 10.0)?;
    check_probability("policy.de_escalation", q.de_escalation)?;
    check_probability("policy.reciprocity", q.reciprocity)?;
    check_range(
        "policy.exchange_interval_days",
        q.exchange_interval_days,
        0.0,
        3650.0,
    )?;
    check_range("policy.innocent_grievance", q.innocent_grievance, 0.0, 5.0)?;
    check_default_ladder_rung("policy.crisis_rung", q.crisis_rung)
}

/// `[levers]`: each lever's effects in range.
fn check_levers(l: &LeverEffects) -> Result<(), ScenarioError> {
    check_range(
        "levers.hotline.latency_hours",
        l.hotline.latency_hours,
        0.0,
        8760.0,
    )?;
    check_probability("levers.hotline.clarification", l.hotline.clarification)?;
    check_probability("levers.hotline.credible_denial", l.hotline.credible_denial)?;
    check_probability(
        "levers.hotline.misread_reduction",
        l.hotline.misread_reduction,
    )?;
    check_probability("levers.hotline.off_ramp_bonus", l.hotline.off_ramp_bonus)?;
    check_probability("levers.notification.compliance", l.notification.compliance)?;
    check_range(
        "levers.notification.deadline_hours",
        l.notification.deadline_hours,
        0.0,
        8760.0,
    )?;
    check_probability(
        "levers.notification.inflation_reduction",
        l.notification.inflation_reduction,
    )?;
    check_probability(
        "levers.shared_attribution.accuracy_gain",
        l.shared_attribution.accuracy_gain,
    )?;
    check_probability(
        "levers.shared_attribution.false_flag_gain",
        l.shared_attribution.false_flag_gain,
    )?;
    check_probability(
        "levers.shared_attribution.state_blame_reduction",
        l.shared_attribution.state_blame_reduction,
    )?;
    check_range(
        "levers.shared_attribution.lag_factor",
        l.shared_attribution.lag_factor,
        0.0,
        1.0,
    )?;
    if l.red_lines.severity_level > 5 {
        return Err(invalid(
            "levers.red_lines.severity_level",
            format!(
                "must be a severity level 0–5, got {}",
                l.red_lines.severity_level
            ),
        ));
    }
    check_probability("levers.red_lines.avoidance", l.red_lines.avoidance)?;
    check_default_ladder_rung("levers.restraint.cap_rung", l.restraint.cap_rung)?;
    check_probability("levers.restraint.compliance", l.restraint.compliance)?;
    Ok(())
}

fn invalid(field: &str, message: String) -> ScenarioError {
    ScenarioError::Invalid {
        field: field.to_owned(),
        message,
        location: None,
    }
}

/// Finds the line and column of a field such as `state[1].resolve`, `perception.state_blame`,
/// `levers.hotline.clarification` or `incident.severity_weights[2]` in scenario text: the key's
/// line inside its table, or the table header when the field names a whole table. Best effort:
/// `None` when the key is not written in the usual `key = value` form.
fn locate_field(text: &str, field: &str) -> Option<(usize, usize)> {
    let (table, key) = match field.rsplit_once('.') {
        Some((table, key)) => (table, Some(key)),
        None => (field, None),
    };
    let key = key.map(|key| key.split('[').next().unwrap_or(key));
    // `state[3]` is the fourth `[[state]]` table; anything else is a `[table]` header.
    let (header, occurrence) = match table.split_once('[') {
        Some((name, rest)) => (
            format!("[[{name}]]"),
            rest.trim_end_matches(']').parse::<usize>().ok()?,
        ),
        None if table == "state" => ("[[state]]".to_owned(), 0),
        None => (format!("[{table}]"), 0),
    };
    let mut seen = 0usize;
    let mut inside = false;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            let normalised: String = trimmed
                .split('#')
                .next()
                .unwrap_or("")
                .chars()
                .filter(|character| !character.is_whitespace())
                .collect();
            inside = false;
            if normalised == header {
                if seen == occurrence {
                    inside = true;
                    if key.is_none() {
                        return Some((index + 1, line.len() - trimmed.len() + 1));
                    }
                }
                seen += 1;
            }
            continue;
        }
        if let (true, Some(key)) = (inside, key)
            && let Some(rest) = trimmed.strip_prefix(key)
            && rest.trim_start().starts_with('=')
        {
            return Some((index + 1, line.len() - trimmed.len() + 1));
        }
    }
    None
}

fn check_text(field: &str, value: &str) -> Result<(), ScenarioError> {
    if value.trim().is_empty() {
        return Err(invalid(field, "must not be empty".to_owned()));
    }
    if value.chars().count() > 200 {
        return Err(invalid(field, "must be at most 200 characters".to_owned()));
    }
    Ok(())
}

/// A rung of the default ladder, 0 to 15.
fn check_default_ladder_rung(field: &str, rung: u8) -> Result<(), ScenarioError> {
    if rung > 15 {
        return Err(invalid(
            field,
            format!("must be a rung of the default ladder (0–15), got {rung}"),
        ));
    }
    Ok(())
}

fn check_probability(field: &str, value: f64) -> Result<(), ScenarioError> {
    check_range(field, value, 0.0, 1.0)
}

fn check_range(field: &str, value: f64, low: f64, high: f64) -> Result<(), ScenarioError> {
    if value.is_finite() && value >= low && value <= high {
        return Ok(());
    }
    let mut message = String::new();
    let _ = write!(message, "must be a number in [{low}, {high}], got {value}");
    Err(invalid(field, message))
}

/// Converts a byte offset into a 1-based line and column (columns count characters).
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|index| index + 1).unwrap_or(0);
    let column = before
        .get(line_start..)
        .map(|rest| rest.chars().count())
        .unwrap_or(0)
        + 1;
    (line, column)
}
