//! The per-run escalation model, step by step.
//!
//! One run follows one incident from its occurrence to the end of the answer-and-counter-answer
//! exchange it provokes (or to the horizon). The steps, in order, are:
//!
//! 1. **Incident**: the true severity level `s` (0–5) and the true origin (a state, a non-state
//!    group, or a third party staging a false flag) are drawn from the scenario's weights.
//!    *Published red lines*: a deliberate state initiator whose operation would reach the red line
//!    scales it back below the line with probability `avoidance`.
//! 2. **Awareness**: the victim learns of it after a lognormal detection delay.
//!    *Notification duties*: when honoured, awareness comes by the deadline and part of the threat
//!    inflation goes away.
//! 3. **Perception**: perceived severity `ŝ = clamp(θ·s + σ·z, 0, 5)`.
//! 4. **Attribution**: a suspect is named (correctly, misidentified, blamed for a non-state act, or
//!    framed by a false flag) and formal attribution arrives after a lognormal lag.
//!    *Shared attribution*: higher accuracy, fewer false-flag mistakes, shorter lag.
//! 5. **Clarification** (*hotline*): after the latency, the threat-inflation part of `ŝ` is removed
//!    with probability `clarification`, and a wrongly accused state's denial is believed with
//!    probability `credible_denial`.
//! 6. **First decision**, before attribution, capped at the pre-attribution rung.
//! 7. **Second decision**, at formal attribution, capped by the legal band of `ŝ`. Each decision
//!    responds publicly with a logistic probability in `ŝ`, at a rung proportional to `ŝ` plus
//!    resolve and noise; crossing into military or kinetic rungs must pass a firebreak draw.
//!    *Restraint commitments* cap the rung with probability `compliance`.
//! 8. **Exchange**: the accused answers the victim's response, which it may misread as more
//!    hostile; each side in turn matches, raises or takes an off-ramp, until a move falls below
//!    the first response rung, the move limit or the horizon.
//!    *Hotline*: fewer misreads and a larger off-ramp probability.
//!
//! Every step draws the same number of random values whatever the branch taken and whatever
//! levers are on, so runs with different levers but the same seed and run index share their
//! random numbers (common random numbers): lever effects are compared on identical incidents.
//! The exchange draws a fixed block per move; moves come last in a run and every run has its own
//! stream, so a shorter exchange never shifts any other draw.
//! `docs/simulator.md` gives the equations and the defaults.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::ladder::Ladder;
use crate::levers::Levers;
use crate::scenario::{Scenario, StateProfile, TensionRegime};

/// The most moves recorded in a run's path: two victim decisions plus up to 12 exchange moves.
pub const MAX_PATH: usize = 14;

/// The true origin of an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// The state with this index in the scenario's `states`.
    State(u8),
    /// A non-state (criminal) group.
    NonState,
    /// A third party staging a false flag that points at the framed state.
    FalseFlag,
}

redline_model::vocabulary! {
    /// How a run ended.
    Ending {
        /// The victim never went beyond quiet handling.
        NoResponse => "no-response",
        /// The victim responded and no state answered.
        Unanswered => "unanswered",
        /// The exchange stepped back down below the first response rung.
        SteppedDown => "stepped-down",
        /// The exchange was still above quiet handling at the move limit or the horizon.
        Unresolved => "unresolved",
    }
}

impl Ending {
    /// Position in [`Ending::ALL`].
    pub fn index(self) -> usize {
        match self {
            Ending::NoResponse => 0,
            Ending::Unanswered => 1,
            Ending::SteppedDown => 2,
            Ending::Unresolved => 3,
        }
    }
}

/// The sequence of rungs chosen by successive moves (victim decisions, then the exchange).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Path {
    rungs: [u8; MAX_PATH],
    len: u8,
}

impl Path {
    fn new() -> Path {
        Path {
            rungs: [0; MAX_PATH],
            len: 0,
        }
    }

    fn push(&mut self, rung: u8) {
        let index = usize::from(self.len);
        if index < MAX_PATH {
            self.rungs[index] = rung;
            self.len += 1;
        }
    }

    /// The rungs, in move order.
    pub fn rungs(&self) -> &[u8] {
        &self.rungs[..usize::from(self.len).min(MAX_PATH)]
    }
}

/// Everything the summary needs from one run. Small and `Copy`: no allocation per run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunOutcome {
    /// True severity level after any red-line avoidance.
    pub true_severity: u8,
    pub origin: Origin,
    /// Whether a deliberate initiator scaled back below a published red line.
    pub red_line_avoided: bool,
    /// Highest rung reached by any side.
    pub highest_rung: u8,
    /// Whether a political or legal response (a rung at or above the first response rung) was made.
    pub political_or_legal_response: bool,
    /// Whether formal attribution arrived within the horizon.
    pub attributed: bool,
    /// Whether a state was accused at formal attribution and it was the true initiator.
    pub attribution_correct: bool,
    /// Whether formal attribution (within the horizon) named a state that did not do it.
    pub wrongly_accused: bool,
    /// Days from awareness to formal attribution (drawn even if beyond the horizon).
    pub attribution_lag_days: f64,
    /// Days from the incident to the last decision, capped at the horizon.
    pub duration_days: f64,
    /// Victim responses at or above the first response rung aimed at a state that did not do it.
    pub wrong_state_responses: u8,
    pub ending: Ending,
    pub path: Path,
}

/// Firebreak crossing factors by regime: P(cross) = risk_tolerance × factor.
const MILITARY_FIREBREAK: [f64; 4] = [0.02, 0.05, 0.3, 1.0];
const KINETIC_FIREBREAK: [f64; 4] = [0.02, 0.05, 0.15, 0.6];
/// Added to the logistic index of responding, by regime.
const REGIME_RESPONSE_SHIFT: [f64; 4] = [0.0, 0.3, 0.8, 1.5];
/// Added to the legal band (default-ladder rungs), by regime: IHL context widens it.
const REGIME_BAND_BONUS: [u8; 4] = [0, 0, 1, 2];
/// Legal bands on the default ladder: the highest available rung when perceived severity is
/// below the threshold.
const LEGAL_BANDS: [(f64, u8); 5] = [(1.0, 4), (2.0, 7), (3.0, 9), (4.0, 11), (4.5, 13)];
/// The highest rung before formal attribution ("attribution below likely → ≤ 4", §3.4).
const PRE_ATTRIBUTION_CAP: u8 = 4;
/// The highest rung against a non-state culprit: law-enforcement measures.
const NON_STATE_CAP: u8 = 7;
/// Lognormal sigma of the time between exchange moves.
const EXCHANGE_INTERVAL_SPREAD: f64 = 0.5;

fn regime_index(regime: TensionRegime) -> usize {
    match regime {
        TensionRegime::Peace => 0,
        TensionRegime::Competition => 1,
        TensionRegime::Crisis => 2,
        TensionRegime::War => 3,
    }
}

/// A scenario, a ladder and a lever setting compiled into the numbers one run needs.
#[derive(Debug, Clone)]
pub struct CompiledModel {
    states: Vec<StateProfile>,
    victim: usize,
    usual_suspect: usize,
    framed: usize,
    regime: TensionRegime,
    horizon_days: f64,
    max_exchanges: u8,
    severity_cumulative: [f64; 6],
    /// Cumulative origin weights: states, then non-state, then false flag.
    origin_cumulative: Vec<f64>,
    threat_inflation: f64,
    severity_noise: f64,
    detection_median_days: f64,
    detection_spread: f64,
    attribution_median_days: f64,
    attribution_spread: f64,
    attribution_accuracy: f64,
    false_flag_detection: f64,
    state_blame: f64,
    misread_probability: f64,
    decision_delay_days: f64,
    response_intercept: f64,
    response_slope: f64,
    attribution_bonus: f64,
    rungs_per_severity: f64,
    escalation_step: f64,
    decision_noise: f64,
    off_ramp: f64,
    reciprocity: f64,
    exchange_interval_days: f64,
    innocent_grievance: f64,
    crisis_rung: u8,
    levers: Levers,
    // Lever effects that stay in the per-run logic.
    red_line_level: u8,
    red_line_avoidance: f64,
    notification_compliance: f64,
    notification_deadline_days: f64,
    notification_inflation: f64,
    hotline_latency_days: f64,
    hotline_clarification: f64,
    hotline_credible_denial: f64,
    restraint_cap: u8,
    restraint_compliance: f64,
    // Ladder roles.
    top: u8,
    first_response: u8,
    first_military: u8,
    first_kinetic: u8,
    pre_attribution_cap: u8,
    non_state_cap: u8,
    legal_bands: [(f64, u8); 5],
    scale: f64,
}

impl CompiledModel {
    /// Compiles a scenario with a ladder and a lever setting.
    pub fn new(scenario: &Scenario, ladder: &Ladder, levers: &Levers) -> CompiledModel {
        let mut severity_cumulative = [0.0; 6];
        let mut running = 0.0;
        for (level, weight) in scenario.incident.severity_weights.iter().enumerate() {
            running += weight;
            severity_cumulative[level] = running;
        }
        let mut origin_cumulative = Vec::with_capacity(scenario.states.len() + 2);
        let mut running = 0.0;
        for state in &scenario.states {
            running += state.initiator_weight;
            origin_cumulative.push(running);
        }
        running += scenario.incident.non_state_weight;
        origin_cumulative.push(running);
        running += scenario.incident.false_flag_weight;
        origin_cumulative.push(running);

        let perception = &scenario.perception;
        let policy = &scenario.policy;
        let effects = &scenario.lever_effects;
        let mut attribution_accuracy = perception.attribution_accuracy;
        let mut false_flag_detection = perception.false_flag_detection;
        let mut state_blame = perception.state_blame;
        let mut attribution_median_days = perception.attribution_median_days;
        if levers.shared_attribution {
            let shared = &effects.shared_attribution;
            attribution_accuracy += (1.0 - attribution_accuracy) * shared.accuracy_gain;
            false_flag_detection += (1.0 - false_flag_detection) * shared.false_flag_gain;
            state_blame *= 1.0 - shared.state_blame_reduction;
            attribution_median_days *= shared.lag_factor;
        }
        let mut misread_probability = perception.misread_probability;
        let mut off_ramp = policy.de_escalation;
        if levers.hotline {
            misread_probability *= 1.0 - effects.hotline.misread_reduction;
            off_ramp = (off_ramp + effects.hotline.off_ramp_bonus).min(1.0);
        }
        let notification_inflation = 1.0
            + (perception.threat_inflation - 1.0)
                * (1.0 - effects.notification.inflation_reduction);
        let band_bonus = REGIME_BAND_BONUS[regime_index(scenario.header.regime)];
        let mut legal_bands = LEGAL_BANDS;
        for band in &mut legal_bands {
            band.1 = ladder.scale_from_default(band.1.saturating_add(band_bonus).min(15));
        }
        CompiledModel {
            states: scenario.states.clone(),
            victim: scenario.victim,
            usual_suspect: scenario.usual_suspect,
            framed: scenario.framed,
            regime: scenario.header.regime,
            horizon_days: scenario.header.horizon_days,
            max_exchanges: scenario.header.max_exchanges,
            severity_cumulative,
            origin_cumulative,
            threat_inflation: perception.threat_inflation,
            severity_noise: perception.severity_noise,
            detection_median_days: perception.detection_median_days,
            detection_spread: perception.detection_spread,
            attribution_median_days,
            attribution_spread: perception.attribution_spread,
            attribution_accuracy,
            false_flag_detection,
            state_blame,
            misread_probability,
            decision_delay_days: perception.decision_delay_days,
            response_intercept: policy.response_intercept,
            response_slope: policy.response_slope,
            attribution_bonus: policy.attribution_bonus,
            rungs_per_severity: policy.rungs_per_severity,
            escalation_step: policy.escalation_step,
            decision_noise: policy.decision_noise,
            off_ramp,
            reciprocity: policy.reciprocity,
            exchange_interval_days: policy.exchange_interval_days,
            innocent_grievance: policy.innocent_grievance,
            crisis_rung: ladder.scale_from_default(policy.crisis_rung),
            levers: *levers,
            red_line_level: effects.red_lines.severity_level,
            red_line_avoidance: effects.red_lines.avoidance,
            notification_compliance: effects.notification.compliance,
            notification_deadline_days: effects.notification.deadline_hours / 24.0,
            notification_inflation,
            hotline_latency_days: effects.hotline.latency_hours / 24.0,
            hotline_clarification: effects.hotline.clarification,
            hotline_credible_denial: effects.hotline.credible_denial,
            restraint_cap: ladder.scale_from_default(effects.restraint.cap_rung),
            restraint_compliance: effects.restraint.compliance,
            top: ladder.top(),
            first_response: ladder.first_response_rung(),
            first_military: ladder.first_military_rung(),
            first_kinetic: ladder.first_kinetic_rung(),
            pre_attribution_cap: ladder.scale_from_default(PRE_ATTRIBUTION_CAP),
            non_state_cap: ladder.scale_from_default(NON_STATE_CAP),
            legal_bands,
            scale: f64::from(ladder.top()) / 15.0,
        }
    }

    /// The first rung that counts as a political or legal response.
    pub fn first_response_rung(&self) -> u8 {
        self.first_response
    }

    /// The first kinetic rung.
    pub fn first_kinetic_rung(&self) -> u8 {
        self.first_kinetic
    }

    /// The first military rung.
    pub fn first_military_rung(&self) -> u8 {
        self.first_military
    }

    /// Simulates one run with the given random stream: the situation (steps 1–5), the
    /// victim's decisions (steps 6–7), then the exchange (step 8).
    pub fn simulate_run(&self, rng: &mut ChaCha8Rng) -> RunOutcome {
        let mut draws = Draws { rng };
        let situation = self.situation(&mut draws);
        // Both decisions' draws are taken whether or not they are used.
        let first_draws = DecisionDraws::take(&mut draws);
        let second_draws = DecisionDraws::take(&mut draws);
        if situation.first_decision_day > self.horizon_days {
            return self.no_decision_within_horizon(&situation);
        }
        let mut path = Path::new();
        let decisions = self.victim_decisions(&situation, &first_draws, &second_draws, &mut path);
        let exchange = self.exchange(&mut draws, &situation, &decisions, &mut path);
        RunOutcome {
            true_severity: situation.true_severity,
            origin: situation.origin,
            red_line_avoided: situation.red_line_avoided,
            highest_rung: exchange.highest_rung,
            political_or_legal_response: exchange.highest_rung >= self.first_response,
            attributed: decisions.attributed,
            attribution_correct: decisions.attributed
                && situation.accused.is_some()
                && situation.accused == situation.true_state,
            wrongly_accused: decisions.attributed && situation.innocent(),
            attribution_lag_days: situation.attribution_lag_days,
            duration_days: exchange.last_day.min(self.horizon_days),
            wrong_state_responses: exchange.wrong_state_responses,
            ending: exchange.ending,
            path,
        }
    }

    /// Steps 1 to 5: the incident, the victim's awareness of it, its perception, the
    /// attribution, and what a hotline clarifies (in time for the first decision or not).
    fn situation(&self, draws: &mut Draws<'_>) -> Situation {
        // Step 1: incident.
        let u_severity = draws.uniform();
        let u_origin = draws.uniform();
        let u_other_state = draws.uniform();
        let u_red_line = draws.uniform();
        let mut true_severity = pick_level(&self.severity_cumulative, u_severity);
        let origin = self.pick_origin(u_origin);
        let mut red_line_avoided = false;
        if self.levers.red_lines
            && matches!(origin, Origin::State(_))
            && true_severity >= self.red_line_level
            && u_red_line < self.red_line_avoidance
        {
            true_severity = self.red_line_level.saturating_sub(1);
            red_line_avoided = true;
        }
        let severity = f64::from(true_severity);

        // Step 2: awareness.
        let z_detection = draws.normal();
        let u_notification = draws.uniform();
        let mut awareness_day =
            self.detection_median_days * (self.detection_spread * z_detection).exp();
        let mut inflation = self.threat_inflation;
        if self.levers.notification && u_notification < self.notification_compliance {
            awareness_day = awareness_day.min(self.notification_deadline_days);
            inflation = self.notification_inflation;
        }

        // Step 3: perception.
        let z_perception = draws.normal();
        let mut perceived =
            (inflation * severity + self.severity_noise * z_perception).clamp(0.0, 5.0);
        let inflation_part = (inflation - 1.0) * severity;

        // Step 4: attribution.
        let u_attribution = draws.uniform();
        let z_lag = draws.normal();
        let true_state = match origin {
            Origin::State(index) => Some(usize::from(index)),
            _ => None,
        };
        let mut accused: Option<usize> = match origin {
            Origin::State(index) => {
                let index = usize::from(index);
                if u_attribution < self.attribution_accuracy {
                    Some(index)
                } else {
                    self.misidentify(index, u_other_state)
                }
            }
            Origin::NonState => (u_attribution < self.state_blame).then_some(self.usual_suspect),
            Origin::FalseFlag => {
                (u_attribution >= self.false_flag_detection).then_some(self.framed)
            }
        };
        let attribution_lag_days =
            self.attribution_median_days * (self.attribution_spread * z_lag).exp();
        let attribution_day = awareness_day + attribution_lag_days;

        // Step 5: hotline clarification.
        let u_clarification = draws.uniform();
        let u_denial = draws.uniform();
        let first_decision_day = awareness_day + self.decision_delay_days;
        let mut perceived_first = perceived;
        let mut accused_first = accused;
        if self.levers.hotline && accused.is_some() {
            let in_time = self.hotline_latency_days <= self.decision_delay_days;
            if u_clarification < self.hotline_clarification {
                perceived = (perceived - inflation_part).max(0.0);
                if in_time {
                    perceived_first = perceived;
                }
            }
            if accused != true_state && u_denial < self.hotline_credible_denial {
                accused = None;
                if in_time {
                    accused_first = None;
                }
            }
        }
        Situation {
            true_severity,
            origin,
            red_line_avoided,
            true_state,
            perceived_first,
            accused_first,
            perceived,
            accused,
            attribution_lag_days,
            attribution_day,
            first_decision_day,
        }
    }

    /// A run whose first decision would fall after the horizon: no response.
    fn no_decision_within_horizon(&self, situation: &Situation) -> RunOutcome {
        let mut path = Path::new();
        path.push(0);
        RunOutcome {
            true_severity: situation.true_severity,
            origin: situation.origin,
            red_line_avoided: situation.red_line_avoided,
            highest_rung: 0,
            political_or_legal_response: false,
            attributed: false,
            attribution_correct: false,
            wrongly_accused: false,
            attribution_lag_days: situation.attribution_lag_days,
            duration_days: self.horizon_days,
            wrong_state_responses: 0,
            ending: Ending::NoResponse,
            path,
        }
    }

    /// Steps 6 and 7: the victim's first decision, before formal attribution, and its second,
    /// at formal attribution when that comes within the horizon.
    fn victim_decisions(
        &self,
        situation: &Situation,
        first_draws: &DecisionDraws,
        second_draws: &DecisionDraws,
        path: &mut Path,
    ) -> VictimDecisions {
        let victim = &self.states[self.victim];
        let mut wrong_state_responses: u8 = 0;

        // Step 6: first decision, before formal attribution.
        let first_cap = self
            .legal_cap(situation.perceived_first, situation.accused_first.is_some())
            .min(self.pre_attribution_cap);
        let first_rung = self.decide(
            victim,
            situation.perceived_first,
            situation.accused_first.is_some(),
            first_cap,
            0.0,
            self.regime,
            first_draws,
        );
        path.push(first_rung);
        if situation.innocent_first() && first_rung >= self.first_response {
            wrong_state_responses += 1;
        }
        let mut victim_rung = first_rung;
        let mut last_day = situation.first_decision_day;

        // Step 7: second decision, at formal attribution.
        let second_day = situation.attribution_day.max(situation.first_decision_day);
        let attributed = second_day <= self.horizon_days;
        if attributed {
            let cap = self.legal_cap(situation.perceived, situation.accused.is_some());
            let second_rung = self.decide(
                victim,
                situation.perceived,
                situation.accused.is_some(),
                cap,
                self.attribution_bonus,
                self.regime,
                second_draws,
            );
            if second_rung > victim_rung {
                victim_rung = second_rung;
                path.push(second_rung);
                if situation.innocent() && second_rung >= self.first_response {
                    wrong_state_responses += 1;
                }
            }
            last_day = second_day;
        }
        VictimDecisions {
            victim_rung,
            last_day,
            attributed,
            wrong_state_responses,
        }
    }

    /// Step 8: the exchange of moves between the accused and the victim, until one steps
    /// down below a response, the moves run out or the horizon passes.
    fn exchange(
        &self,
        draws: &mut Draws<'_>,
        situation: &Situation,
        decisions: &VictimDecisions,
        path: &mut Path,
    ) -> ExchangeOutcome {
        let victim = &self.states[self.victim];
        let innocent = situation.innocent();
        let mut regime = self.regime;
        if decisions.victim_rung >= self.crisis_rung && regime < TensionRegime::Crisis {
            regime = TensionRegime::Crisis;
        }
        let mut outcome = ExchangeOutcome {
            highest_rung: decisions.victim_rung,
            wrong_state_responses: decisions.wrong_state_responses,
            last_day: decisions.last_day,
            ending: Ending::NoResponse,
        };
        let exchange_band = self.legal_cap(situation.perceived, true);
        let accused_index = match situation.accused {
            _ if decisions.victim_rung < self.first_response => return outcome,
            None => {
                outcome.ending = Ending::Unanswered;
                return outcome;
            }
            Some(accused_index) => accused_index,
        };
        let mut last = decisions.victim_rung;
        let mut mover_is_victim = false;
        let mut day = decisions.last_day;
        let mut ending = Ending::Unresolved;
        let mut other_stepped_down = false;
        for _ in 0..self.max_exchanges {
            let move_draws = MoveDraws::take(draws);
            day += self.exchange_interval_days
                * (EXCHANGE_INTERVAL_SPREAD * move_draws.z_interval).exp();
            if day > self.horizon_days {
                day = self.horizon_days;
                break;
            }
            let mover = if mover_is_victim {
                victim
            } else {
                &self.states[accused_index]
            };
            let rung = self.counter_move(
                CounterMove {
                    last,
                    mover,
                    mover_is_victim,
                    innocent,
                    other_stepped_down,
                    regime,
                    exchange_band,
                },
                &move_draws,
            );
            path.push(rung);
            outcome.highest_rung = outcome.highest_rung.max(rung);
            if mover_is_victim && innocent && rung >= self.first_response {
                outcome.wrong_state_responses = outcome.wrong_state_responses.saturating_add(1);
            }
            if rung >= self.crisis_rung && regime < TensionRegime::Crisis {
                regime = TensionRegime::Crisis;
            }
            if rung < self.first_response {
                ending = Ending::SteppedDown;
                break;
            }
            other_stepped_down = rung < last;
            last = rung;
            mover_is_victim = !mover_is_victim;
        }
        outcome.last_day = day;
        outcome.ending = ending;
        outcome
    }

    /// One move of the exchange: an off-ramp step down, or a counter-move from the last rung
    /// as the mover perceives it, within the legal band and past the firebreaks it passes.
    fn counter_move(&self, state: CounterMove<'_>, move_draws: &MoveDraws) -> u8 {
        let off_ramp = if state.other_stepped_down {
            self.off_ramp + (1.0 - self.off_ramp) * self.reciprocity
        } else {
            self.off_ramp
        };
        if move_draws.u_off_ramp < off_ramp {
            let step = 1 + (move_draws.u_size * 3.0) as u8;
            return state.last.saturating_sub(step);
        }
        let mut perceived_last = f64::from(state.last);
        if move_draws.u_misread < self.misread_probability {
            perceived_last += if move_draws.u_size < 0.5 { 1.0 } else { 2.0 };
        }
        if !state.mover_is_victim && state.innocent {
            perceived_last += self.innocent_grievance;
        }
        let target = perceived_last
            + self.scale * self.escalation_step * (state.mover.resolve - 0.5)
            + self.scale
                * self.decision_noise
                * (1.0 - state.mover.proportionality)
                * move_draws.z_rung;
        // Peace and competition: a counter-move stays within the legal band of the incident
        // unless it matches a higher move (proportionate countermeasures); crisis and war lift
        // the bound.
        let cap = if state.regime >= TensionRegime::Crisis || state.last >= self.first_kinetic {
            self.top
        } else {
            state
                .exchange_band
                .max(state.last)
                .min(self.first_kinetic.saturating_sub(1))
        };
        let rung = round_to_rung(target, 0, cap);
        let rung = self.firebreaks(rung, state.mover, state.regime, &move_draws.gates);
        self.restrain(rung, move_draws.gates.u_restraint)
    }

    fn pick_origin(&self, u: f64) -> Origin {
        let total = self.origin_cumulative.last().copied().unwrap_or(0.0);
        let target = u * total;
        let n_states = self.states.len();
        for (index, cumulative) in self.origin_cumulative.iter().enumerate() {
            if target < *cumulative {
                return match index {
                    _ if index < n_states => Origin::State(u8::try_from(index).unwrap_or(0)),
                    _ if index == n_states => Origin::NonState,
                    _ => Origin::FalseFlag,
                };
            }
        }
        // Only reached through rounding at u close to 1: take the last origin with weight.
        for (index, cumulative) in self.origin_cumulative.iter().enumerate().rev() {
            let previous = if index == 0 {
                0.0
            } else {
                self.origin_cumulative[index - 1]
            };
            if *cumulative > previous {
                return match index {
                    _ if index < n_states => Origin::State(u8::try_from(index).unwrap_or(0)),
                    _ if index == n_states => Origin::NonState,
                    _ => Origin::FalseFlag,
                };
            }
        }
        Origin::NonState
    }

    /// A wrong state blamed for a state's act: another state that is neither the victim nor the
    /// initiator, the usual suspect first.
    fn misidentify(&self, initiator: usize, u: f64) -> Option<usize> {
        if self.usual_suspect != initiator {
            return Some(self.usual_suspect);
        }
        let n_candidates = self.states.len().saturating_sub(2);
        if n_candidates == 0 {
            return None;
        }
        let pick = ((u * n_candidates as f64) as usize).min(n_candidates - 1);
        (0..self.states.len())
            .filter(|index| *index != self.victim && *index != initiator)
            .nth(pick)
    }

    /// The highest rung the legal band allows for a perceived severity.
    fn legal_cap(&self, perceived: f64, has_accused: bool) -> u8 {
        let mut cap = self.top;
        for (threshold, band_cap) in &self.legal_bands {
            if perceived < *threshold {
                cap = *band_cap;
                break;
            }
        }
        if !has_accused {
            cap = cap.min(self.non_state_cap);
        }
        cap
    }

    /// The victim's decision: quiet handling, or a public response at a proportionate rung.
    #[allow(clippy::too_many_arguments)]
    fn decide(
        &self,
        profile: &StateProfile,
        perceived: f64,
        has_accused: bool,
        cap: u8,
        bonus: f64,
        regime: TensionRegime,
        decision_draws: &DecisionDraws,
    ) -> u8 {
        let index = self.response_intercept
            + self.response_slope * perceived
            + 2.0 * (profile.resolve - 0.5)
            + REGIME_RESPONSE_SHIFT[regime_index(regime)]
            + bonus;
        let respond_probability = 1.0 / (1.0 + (-index).exp());
        let quiet_top = self.first_response.saturating_sub(1);
        if decision_draws.u_respond >= respond_probability || cap < self.first_response {
            let quiet = if perceived >= 1.5 && has_accused {
                2
            } else if perceived >= 0.5 {
                1
            } else {
                0
            };
            return quiet.min(quiet_top).min(cap);
        }
        let target = self.scale
            * (self.rungs_per_severity * perceived
                + self.escalation_step * profile.resolve
                + self.decision_noise * (1.0 - profile.proportionality) * decision_draws.z_rung);
        let rung = round_to_rung(target, self.first_response, cap);
        let rung = self.firebreaks(rung, profile, regime, &decision_draws.gates);
        self.restrain(rung, decision_draws.gates.u_restraint)
    }

    /// Crossing into military or kinetic rungs needs a firebreak draw to pass.
    fn firebreaks(
        &self,
        rung: u8,
        profile: &StateProfile,
        regime: TensionRegime,
        gates: &Gates,
    ) -> u8 {
        let mut rung = rung;
        let regime = regime_index(regime);
        if rung >= self.first_military
            && gates.u_military >= profile.risk_tolerance * MILITARY_FIREBREAK[regime]
        {
            rung = self.first_military.saturating_sub(1);
        }
        if rung >= self.first_kinetic
            && gates.u_kinetic >= profile.risk_tolerance * KINETIC_FIREBREAK[regime]
        {
            rung = self.first_kinetic.saturating_sub(1);
        }
        rung
    }

    /// Restraint commitments cap the rung when honoured.
    fn restrain(&self, rung: u8, u_restraint: f64) -> u8 {
        if self.levers.restraint && u_restraint < self.restraint_compliance {
            rung.min(self.restraint_cap)
        } else {
            rung
        }
    }
}

fn round_to_rung(target: f64, low: u8, high: u8) -> u8 {
    if high < low {
        return high;
    }
    let rounded = target.round().clamp(f64::from(low), f64::from(high));
    rounded as u8
}

fn pick_level(cumulative: &[f64; 6], u: f64) -> u8 {
    let target = u * cumulative[5];
    let mut level = 5u8;
    for (index, value) in cumulative.iter().enumerate() {
        if target < *value {
            level = u8::try_from(index).unwrap_or(5);
            break;
        }
    }
    // Guard against rounding landing on a zero-weight top level.
    while level > 0 && cumulative[usize::from(level)] == cumulative[usize::from(level) - 1] {
        level -= 1;
    }
    level
}

/// The firebreak and restraint draws of one decision.
struct Gates {
    u_military: f64,
    u_kinetic: f64,
    u_restraint: f64,
}

/// What steps 1 to 5 of a run establish before any decision: the incident, and what the
/// victim perceives and whom it accuses, at its first decision and at formal attribution.
struct Situation {
    true_severity: u8,
    origin: Origin,
    red_line_avoided: bool,
    /// The state behind the incident, if a state is.
    true_state: Option<usize>,
    perceived_first: f64,
    accused_first: Option<usize>,
    perceived: f64,
    accused: Option<usize>,
    attribution_lag_days: f64,
    attribution_day: f64,
    first_decision_day: f64,
}

impl Situation {
    /// A state is accused, and it is not the one behind the incident.
    fn innocent(&self) -> bool {
        self.accused.is_some() && self.accused != self.true_state
    }

    /// The same, as the victim sees it at its first decision.
    fn innocent_first(&self) -> bool {
        self.accused_first.is_some() && self.accused_first != self.true_state
    }
}

/// Steps 6 and 7: the victim's highest rung, the day of its last decision, whether formal
/// attribution came within the horizon, and its responses aimed at the wrong state.
struct VictimDecisions {
    victim_rung: u8,
    last_day: f64,
    attributed: bool,
    wrong_state_responses: u8,
}

/// How a run ends after the exchange (step 8), counting the victim's decisions.
struct ExchangeOutcome {
    highest_rung: u8,
    wrong_state_responses: u8,
    last_day: f64,
    ending: Ending,
}

/// Where the exchange stands when a state moves.
struct CounterMove<'a> {
    last: u8,
    mover: &'a StateProfile,
    mover_is_victim: bool,
    innocent: bool,
    other_stepped_down: bool,
    regime: TensionRegime,
    exchange_band: u8,
}

/// The draws of one victim decision, always taken whether or not they are used.
struct DecisionDraws {
    u_respond: f64,
    z_rung: f64,
    gates: Gates,
}

impl DecisionDraws {
    fn take(draws: &mut Draws<'_>) -> DecisionDraws {
        DecisionDraws {
            u_respond: draws.uniform(),
            z_rung: draws.normal(),
            gates: Gates {
                u_military: draws.uniform(),
                u_kinetic: draws.uniform(),
                u_restraint: draws.uniform(),
            },
        }
    }
}

/// The draws of one exchange move, always taken whether or not they are used.
struct MoveDraws {
    z_interval: f64,
    u_off_ramp: f64,
    u_misread: f64,
    u_size: f64,
    z_rung: f64,
    gates: Gates,
}

impl MoveDraws {
    fn take(draws: &mut Draws<'_>) -> MoveDraws {
        MoveDraws {
            z_interval: draws.normal(),
            u_off_ramp: draws.uniform(),
            u_misread: draws.uniform(),
            u_size: draws.uniform(),
            z_rung: draws.normal(),
            gates: Gates {
                u_military: draws.uniform(),
                u_kinetic: draws.uniform(),
                u_restraint: draws.uniform(),
            },
        }
    }
}

/// Uniform and standard normal variates from the run's stream.
struct Draws<'a> {
    rng: &'a mut ChaCha8Rng,
}

impl Draws<'_> {
    /// Uniform on [0, 1) with 53 random bits.
    fn uniform(&mut self) -> f64 {
        (self.rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Standard normal by inverting the CDF of one uniform on (0, 1) (Acklam's rational
    /// approximation, relative error below 1.2e-9), so every normal costs exactly one draw.
    fn normal(&mut self) -> f64 {
        let u = ((self.rng.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64);
        inverse_normal_cdf(u)
    }
}

/// Acklam's approximation of the standard normal quantile function, for `p` in (0, 1).
pub fn inverse_normal_cdf(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    const P_LOW: f64 = 0.02425;
    let p = p.clamp(1e-300, 1.0 - 1e-16);
    if p < P_LOW {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - P_LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    }
}
