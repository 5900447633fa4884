//! Confidence-building measures (CBMs) as switches with effect parameters.
//!
//! A [`Levers`] value says which measures are on; [`LeverEffects`] says how strongly each one acts
//! when it is on. Scenarios may override the effect parameters in a `[levers.*]` table. Every
//! effect is applied in one place in `model`, and `docs/simulator.md` gives the equations.

use serde::{Deserialize, Serialize};

/// Which confidence-building measures are switched on in a set of runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Levers {
    /// A leader- or POC-level hotline: clarification after a latency, fewer misread responses,
    /// a credible denial channel for a wrongly accused state, and easier off-ramps.
    pub hotline: bool,
    /// Notification duties: earlier awareness and less threat inflation.
    pub notification: bool,
    /// Shared attribution / joint investigation: faster, more accurate attribution.
    pub shared_attribution: bool,
    /// Published red lines: a deliberate state initiator avoids crossing them with some probability.
    pub red_lines: bool,
    /// Restraint commitments: caps on the rungs a state will climb.
    pub restraint: bool,
}

redline_model::vocabulary! {
    /// One named lever, for iterating over them.
    Lever {
        Hotline => "hotline",
        Notification => "notification",
        SharedAttribution => "shared-attribution",
        RedLines => "red-lines",
        Restraint => "restraint",
    }
}

impl Levers {
    /// No measure switched on.
    pub const NONE: Levers = Levers {
        hotline: false,
        notification: false,
        shared_attribution: false,
        red_lines: false,
        restraint: false,
    };

    /// Every measure switched on.
    pub const ALL: Levers = Levers {
        hotline: true,
        notification: true,
        shared_attribution: true,
        red_lines: true,
        restraint: true,
    };

    /// Exactly one measure switched on.
    pub fn only(lever: Lever) -> Levers {
        let mut levers = Levers::NONE;
        levers.set(lever, true);
        levers
    }

    /// Switches one measure on or off.
    pub fn set(&mut self, lever: Lever, on: bool) {
        match lever {
            Lever::Hotline => self.hotline = on,
            Lever::Notification => self.notification = on,
            Lever::SharedAttribution => self.shared_attribution = on,
            Lever::RedLines => self.red_lines = on,
            Lever::Restraint => self.restraint = on,
        }
    }

    /// Whether a measure is on.
    pub fn is_on(&self, lever: Lever) -> bool {
        match lever {
            Lever::Hotline => self.hotline,
            Lever::Notification => self.notification,
            Lever::SharedAttribution => self.shared_attribution,
            Lever::RedLines => self.red_lines,
            Lever::Restraint => self.restraint,
        }
    }

    /// A short label: `none`, `all`, or the names of the levers that are on joined by `+`.
    pub fn label(&self) -> String {
        if *self == Levers::NONE {
            return "none".to_owned();
        }
        if *self == Levers::ALL {
            return "all".to_owned();
        }
        let names: Vec<&str> = Lever::ALL
            .iter()
            .filter(|lever| self.is_on(**lever))
            .map(|lever| lever.as_str())
            .collect();
        names.join("+")
    }
}

/// How strongly each measure acts when it is switched on.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LeverEffects {
    pub hotline: HotlineEffect,
    pub notification: NotificationEffect,
    pub shared_attribution: SharedAttributionEffect,
    pub red_lines: RedLineEffect,
    pub restraint: RestraintEffect,
}

/// Hotline parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct HotlineEffect {
    /// Hours from awareness until a clarification can arrive (1962 benchmark: about 12 h per
    /// message; a staffed 24/7 POC: about 1–2 h). A clarification helps only decisions taken
    /// after it arrives.
    pub latency_hours: f64,
    /// Probability that a clarification removes the threat-inflation part of perceived severity.
    pub clarification: f64,
    /// Probability that a wrongly accused state's denial is believed, so the accusation is dropped.
    pub credible_denial: f64,
    /// Fraction by which the probability of misreading a response is cut.
    pub misread_reduction: f64,
    /// Added to the per-exchange off-ramp probability (emollient messages).
    pub off_ramp_bonus: f64,
}

impl Default for HotlineEffect {
    fn default() -> Self {
        HotlineEffect {
            latency_hours: 2.0,
            clarification: 0.6,
            credible_denial: 0.5,
            misread_reduction: 0.6,
            off_ramp_bonus: 0.2,
        }
    }
}

/// Notification-duty parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct NotificationEffect {
    /// Probability that the duty is honoured for a given incident.
    pub compliance: f64,
    /// Awareness comes no later than this many hours after the incident when honoured
    /// (NIS2 early warning: 24 h).
    pub deadline_hours: f64,
    /// Fraction of the threat inflation removed when honoured (less surprise).
    pub inflation_reduction: f64,
}

impl Default for NotificationEffect {
    fn default() -> Self {
        NotificationEffect {
            compliance: 0.7,
            deadline_hours: 24.0,
            inflation_reduction: 0.5,
        }
    }
}

/// Shared-attribution parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SharedAttributionEffect {
    /// Fraction of the remaining error closed: accuracy becomes `a + (1 - a) * gain`.
    pub accuracy_gain: f64,
    /// Same for the probability of seeing through a false flag.
    pub false_flag_gain: f64,
    /// Fraction by which the probability of blaming a state for a non-state act is cut.
    pub state_blame_reduction: f64,
    /// Multiplier on the attribution lag.
    pub lag_factor: f64,
}

impl Default for SharedAttributionEffect {
    fn default() -> Self {
        SharedAttributionEffect {
            accuracy_gain: 0.6,
            false_flag_gain: 0.6,
            state_blame_reduction: 0.5,
            lag_factor: 0.35,
        }
    }
}

/// Published red-line parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RedLineEffect {
    /// The red line: incidents at or above this true severity level (0–5) cross it.
    pub severity_level: u8,
    /// Probability that a deliberate state initiator scales its operation back below the line.
    pub avoidance: f64,
}

impl Default for RedLineEffect {
    fn default() -> Self {
        RedLineEffect {
            severity_level: 3,
            avoidance: 0.5,
        }
    }
}

/// Restraint-commitment parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RestraintEffect {
    /// The highest rung of the default ladder a committed state climbs (11: severance; no cyber
    /// countermeasures, no military rungs). Scaled to other ladders.
    pub cap_rung: u8,
    /// Probability that a state honours the cap in a given decision.
    pub compliance: f64,
}

impl Default for RestraintEffect {
    fn default() -> Self {
        RestraintEffect {
            cap_rung: 11,
            compliance: 0.9,
        }
    }
}
