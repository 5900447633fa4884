//! The escalation ladder: the ordered list of response rungs a state can climb.
//!
//! The simulator never hard-codes rung names: it takes a [`Ladder`] as input, so the ladder of an
//! adopted norms document can be plugged in. [`Ladder::default_ladder`] ships the 15 + 1 rung
//! ladder of `reference/norms-and-escalation.md` §3.4 as data. The model reads only three things
//! from a ladder: the number of rungs, each rung's [`RungKind`] (which rungs are quiet handling,
//! which are military signalling, which are kinetic) and the rung titles for reports.

use serde::{Deserialize, Serialize};

/// What kind of action a rung is. The model uses the kind to find the firebreaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RungKind {
    /// Observe, record, defend one's own networks.
    Passive,
    /// Technical cooperation, confidential inquiries: quiet handling, not a public response.
    Cooperative,
    /// Démarches, statements, attribution, expulsions, severance.
    Diplomatic,
    /// Law-enforcement measures: indictments, seizures, takedowns.
    Legal,
    /// Sanctions and broader economic measures.
    Economic,
    /// Non-forcible cyber countermeasures.
    Cyber,
    /// Military signalling: alerts, shows of force, deployments.
    Military,
    /// Use of force: strikes, major operations.
    Kinetic,
}

impl RungKind {
    /// The kebab-case name used in TOML, JSON and reports.
    pub fn name(self) -> &'static str {
        match self {
            RungKind::Passive => "passive",
            RungKind::Cooperative => "cooperative",
            RungKind::Diplomatic => "diplomatic",
            RungKind::Legal => "legal",
            RungKind::Economic => "economic",
            RungKind::Cyber => "cyber",
            RungKind::Military => "military",
            RungKind::Kinetic => "kinetic",
        }
    }

    /// Whether a rung of this kind counts as a political or legal response (EuRepoC's sense):
    /// anything beyond passive defence and quiet cooperation.
    pub fn is_political_or_legal_response(self) -> bool {
        !matches!(self, RungKind::Passive | RungKind::Cooperative)
    }
}

/// One rung of the ladder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rung {
    /// Position on the ladder, starting at 0.
    pub number: u8,
    /// Short stable identifier, such as `hotline-inquiry`.
    pub id: String,
    /// Human-readable title.
    pub title: String,
    /// What kind of action it is.
    pub kind: RungKind,
}

/// The largest ladder the simulator accepts (rung numbers are stored in a `u8` and paths are
/// short fixed arrays).
pub const MAX_RUNGS: usize = 32;

/// Why a ladder was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LadderError {
    #[error("a ladder needs at least 4 rungs, got {count}")]
    TooFewRungs { count: usize },
    #[error("a ladder may have at most {MAX_RUNGS} rungs, got {count}")]
    TooManyRungs { count: usize },
    #[error(
        "rung at position {position} has number {number}; rungs must be numbered 0, 1, 2, … in order"
    )]
    BadNumbering { position: usize, number: u8 },
    #[error(
        "rung {number} has kind {kind} below a rung of kind {previous}; kinds must not decrease along the ladder for passive, cooperative, military and kinetic rungs"
    )]
    KindOrder {
        number: u8,
        kind: &'static str,
        previous: &'static str,
    },
    #[error("the ladder has no rung of kind {kind}")]
    MissingKind { kind: &'static str },
}

/// An ordered list of rungs with the positions of its firebreaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ladder {
    rungs: Vec<Rung>,
    first_response_rung: u8,
    first_military_rung: u8,
    first_kinetic_rung: u8,
}

impl Ladder {
    /// Builds a ladder from rungs, checking that they are numbered 0, 1, 2, … and that quiet
    /// handling comes first and military then kinetic rungs come last.
    pub fn new(rungs: Vec<Rung>) -> Result<Ladder, LadderError> {
        if rungs.len() < 4 {
            return Err(LadderError::TooFewRungs { count: rungs.len() });
        }
        if rungs.len() > MAX_RUNGS {
            return Err(LadderError::TooManyRungs { count: rungs.len() });
        }
        for (position, rung) in rungs.iter().enumerate() {
            if usize::from(rung.number) != position {
                return Err(LadderError::BadNumbering {
                    position,
                    number: rung.number,
                });
            }
        }
        let band = |kind: RungKind| match kind {
            RungKind::Passive => 0,
            RungKind::Cooperative => 1,
            RungKind::Military => 3,
            RungKind::Kinetic => 4,
            _ => 2,
        };
        for pair in rungs.windows(2) {
            if band(pair[1].kind) < band(pair[0].kind) {
                return Err(LadderError::KindOrder {
                    number: pair[1].number,
                    kind: pair[1].kind.name(),
                    previous: pair[0].kind.name(),
                });
            }
        }
        let first_of = |predicate: &dyn Fn(RungKind) -> bool, name: &'static str| {
            rungs
                .iter()
                .find(|rung| predicate(rung.kind))
                .map(|rung| rung.number)
                .ok_or(LadderError::MissingKind { kind: name })
        };
        let first_response_rung =
            first_of(&|kind| kind.is_political_or_legal_response(), "diplomatic")?;
        let first_military_rung = first_of(
            &|kind| matches!(kind, RungKind::Military | RungKind::Kinetic),
            "military",
        )?;
        let first_kinetic_rung = first_of(&|kind| kind == RungKind::Kinetic, "kinetic")?;
        Ok(Ladder {
            rungs,
            first_response_rung,
            first_military_rung,
            first_kinetic_rung,
        })
    }

    /// The default 15 + 1 rung ladder of `reference/norms-and-escalation.md` §3.4.
    pub fn default_ladder() -> Ladder {
        let rungs = DEFAULT_LADDER
            .iter()
            .enumerate()
            .map(|(number, (id, title, kind))| Rung {
                number: u8::try_from(number).unwrap_or(u8::MAX),
                id: (*id).to_owned(),
                title: (*title).to_owned(),
                kind: *kind,
            })
            .collect();
        // The table below is fixed data that satisfies every check, so this cannot fail; the
        // fallback keeps the function total without a panic path.
        Ladder::new(rungs).unwrap_or_else(|_| Ladder {
            rungs: Vec::new(),
            first_response_rung: 3,
            first_military_rung: 13,
            first_kinetic_rung: 14,
        })
    }

    /// The ladder of a norms document's `[[rung]]` list, so a simulation can run on the ladder a
    /// state adopted. The document speaks of legal categories; the simulator of kinds of action:
    /// `none` is passive; `cooperative`, `peaceful-settlement`, `demand` and `ihl` (the
    /// de-escalatory options below the first unfriendly act) are cooperative; `retorsion` is diplomatic (its
    /// economic rungs included: the model reads no difference), `domestic-jurisdiction` legal,
    /// `countermeasure` cyber, `signalling` military and `self-defence` kinetic.
    pub fn from_norms_document(
        document: &redline_norms::NormsDocument,
    ) -> Result<Ladder, LadderError> {
        use redline_norms::vocabulary::RungKind as LegalKind;
        let rungs = document
            .rungs
            .iter()
            .map(|rung| {
                let number = u8::try_from(rung.number).map_err(|_| LadderError::TooManyRungs {
                    count: document.rungs.len(),
                })?;
                let kind = match rung.kind {
                    LegalKind::None => RungKind::Passive,
                    LegalKind::Cooperative
                    | LegalKind::PeacefulSettlement
                    | LegalKind::Demand
                    | LegalKind::Ihl => RungKind::Cooperative,
                    LegalKind::Retorsion => RungKind::Diplomatic,
                    LegalKind::DomesticJurisdiction => RungKind::Legal,
                    LegalKind::Countermeasure => RungKind::Cyber,
                    LegalKind::Signalling => RungKind::Military,
                    LegalKind::SelfDefence => RungKind::Kinetic,
                };
                Ok(Rung {
                    number,
                    id: rung.id.clone(),
                    title: rung.title.clone(),
                    kind,
                })
            })
            .collect::<Result<Vec<_>, LadderError>>()?;
        Ladder::new(rungs)
    }

    /// All rungs, lowest first.
    pub fn rungs(&self) -> &[Rung] {
        &self.rungs
    }

    /// The number of rungs.
    pub fn len(&self) -> usize {
        self.rungs.len()
    }

    /// Always false for a validated ladder; present for API symmetry with `len`.
    pub fn is_empty(&self) -> bool {
        self.rungs.is_empty()
    }

    /// The highest rung number.
    pub fn top(&self) -> u8 {
        u8::try_from(self.rungs.len().saturating_sub(1)).unwrap_or(u8::MAX)
    }

    /// The lowest rung that counts as a political or legal response.
    pub fn first_response_rung(&self) -> u8 {
        self.first_response_rung
    }

    /// The lowest military rung: the cyber-to-military firebreak.
    pub fn first_military_rung(&self) -> u8 {
        self.first_military_rung
    }

    /// The lowest kinetic rung: the use-of-force firebreak.
    pub fn first_kinetic_rung(&self) -> u8 {
        self.first_kinetic_rung
    }

    /// The rung with this number, if the ladder has one.
    pub fn rung(&self, number: u8) -> Option<&Rung> {
        self.rungs.get(usize::from(number))
    }

    /// Converts a rung number of the default 16-rung ladder to the same relative height on this
    /// ladder. The model's legal bands are written against the default ladder.
    pub fn scale_from_default(&self, default_rung: u8) -> u8 {
        let top = u32::from(self.top());
        let scaled = (u32::from(default_rung) * top + 7) / 15;
        u8::try_from(scaled.min(top)).unwrap_or(u8::MAX)
    }
}

const DEFAULT_LADDER: [(&str, &str, RungKind); 16] = [
    (
        "observe",
        "Observe, record, defend own networks",
        RungKind::Passive,
    ),
    (
        "technical-cooperation",
        "Technical cooperation: CERT/POC assistance or mitigation request",
        RungKind::Cooperative,
    ),
    (
        "hotline-inquiry",
        "Confidential hotline or diplomatic inquiry",
        RungKind::Cooperative,
    ),
    (
        "demarche",
        "Formal private démarche; summoning the ambassador",
        RungKind::Diplomatic,
    ),
    (
        "public-statement",
        "Public non-attributive statement or technical advisory",
        RungKind::Diplomatic,
    ),
    (
        "national-attribution",
        "National public attribution with stated confidence",
        RungKind::Diplomatic,
    ),
    (
        "joint-attribution",
        "Coordinated multilateral attribution",
        RungKind::Diplomatic,
    ),
    (
        "law-enforcement",
        "Law-enforcement measures: indictments, seizures, takedowns",
        RungKind::Legal,
    ),
    (
        "targeted-sanctions",
        "Targeted sanctions on individuals and entities",
        RungKind::Economic,
    ),
    (
        "expulsions",
        "Expulsion of diplomats; suspension of dialogues",
        RungKind::Diplomatic,
    ),
    (
        "economic-measures",
        "Broad economic measures: sectoral sanctions, export controls",
        RungKind::Economic,
    ),
    (
        "severance",
        "Downgrade or severance of diplomatic relations",
        RungKind::Diplomatic,
    ),
    (
        "cyber-countermeasure",
        "Non-forcible cyber countermeasure",
        RungKind::Cyber,
    ),
    (
        "military-signalling",
        "Military signalling: alert, show of force, deployments",
        RungKind::Military,
    ),
    (
        "limited-strike",
        "Limited self-defence strike against the source",
        RungKind::Kinetic,
    ),
    (
        "major-operations",
        "Major military operations / collective self-defence",
        RungKind::Kinetic,
    ),
];
