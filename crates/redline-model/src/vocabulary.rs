//! Controlled vocabularies of the incident report, spelled exactly as the contract spells them.

/// A controlled vocabulary: an enum whose values are spelled as `$text` in JSON, with `ALL`,
/// `as_str`, `parse` and `Display`; a value's doc comment reaches its JSON schema. Exported so that every crate's vocabularies (the NCISS
/// options here, the hotline's consultation words) are one shape; the calling crate depends on
/// `serde` and `schemars`.
#[macro_export]
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident { $($(#[$variant_meta:meta])* $variant:ident => $text:literal),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        pub enum $name {
            $($(#[$variant_meta])* #[serde(rename = $text)] $variant,)+
        }

        impl $name {
            /// Every value, in the order the contract lists them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value as written in JSON.
            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $text,)+ }
            }

            /// Parses the JSON spelling.
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use vocabulary;

vocabulary! {
    /// Traffic Light Protocol 2.0 labels, from least to most restricted.
    Tlp {
        Clear => "clear",
        Green => "green",
        Amber => "amber",
        AmberStrict => "amber+strict",
        Red => "red",
    }
}

impl Tlp {
    /// `clear` and `green` may be read by every signed-in party; the others only by those the
    /// object was addressed to.
    pub fn is_restricted(&self) -> bool {
        matches!(self, Tlp::Amber | Tlp::AmberStrict | Tlp::Red)
    }
}

vocabulary! {
    /// Where an incident stands.
    IncidentStatus {
        Suspected => "suspected",
        Confirmed => "confirmed",
        Contained => "contained",
        Resolved => "resolved",
    }
}

vocabulary! {
    /// STIX 2.1 `industry-sector-ov`, exactly as the OASIS `stix2` library spells it, plus
    /// `elections`.
    Sector {
        Agriculture => "agriculture",
        Aerospace => "aerospace",
        Automotive => "automotive",
        Chemical => "chemical",
        Commercial => "commercial",
        Communications => "communications",
        Construction => "construction",
        Defense => "defense",
        Education => "education",
        Energy => "energy",
        Entertainment => "entertainment",
        FinancialServices => "financial-services",
        Government => "government",
        EmergencyServices => "emergency-services",
        GovernmentNational => "government-national",
        GovernmentRegional => "government-regional",
        GovernmentLocal => "government-local",
        GovernmentPublicServices => "government-public-services",
        Healthcare => "healthcare",
        HospitalityLeisure => "hospitality-leisure",
        Infrastructure => "infrastructure",
        Dams => "dams",
        Nuclear => "nuclear",
        Water => "water",
        Insurance => "insurance",
        Manufacturing => "manufacturing",
        Mining => "mining",
        NonProfit => "non-profit",
        Pharmaceuticals => "pharmaceuticals",
        Retail => "retail",
        Technology => "technology",
        Telecommunications => "telecommunications",
        Transportation => "transportation",
        Utilities => "utilities",
        Elections => "elections",
    }
}

vocabulary! {
    /// What an operation did, from the least to the most harmful.
    EffectKind {
        Espionage => "espionage",
        DataTheft => "data-theft",
        Influence => "influence",
        Disruption => "disruption",
        DataDestruction => "data-destruction",
        Destruction => "destruction",
        PhysicalDamage => "physical-damage",
        Injury => "injury",
        LossOfLife => "loss-of-life",
    }
}

vocabulary! {
    /// How far an effect reached.
    Scale {
        Local => "local",
        Regional => "regional",
        National => "national",
        International => "international",
    }
}

vocabulary! {
    /// How the operation reached its target.
    Access {
        Remote => "remote",
        CloseAccess => "close-access",
        SupplyChain => "supply-chain",
        Insider => "insider",
    }
}

vocabulary! {
    /// What a suspicion of state origin rests on.
    AttributionBasis {
        Technical => "technical",
        Intelligence => "intelligence",
        Political => "political",
        SelfClaimed => "self-claimed",
    }
}

vocabulary! {
    /// How an operation relates to the state suspected of it: its own organ (ILC ARSIWA Art. 4),
    /// non-state actors acting on its instructions or under its direction or control (Art. 8),
    /// conduct it acknowledged and adopted (Art. 11), a group believed linked to it without that
    /// link shown, or only its territory or infrastructure used (GGE 2015 13(c); para. 28(f)).
    AttributionRelationship {
        StateOrgan => "state-organ",
        DirectedOrControlled => "directed-or-controlled",
        Acknowledged => "acknowledged",
        ProxyUnverified => "proxy-unverified",
        TerritoryOnly => "territory-only",
        Unknown => "unknown",
    }
}

// The `vocabulary!` macro takes no per-variant attributes, so `#[default]` cannot be derived.
#[allow(clippy::derivable_impls)]
impl Default for AttributionRelationship {
    fn default() -> Self {
        AttributionRelationship::Unknown
    }
}

impl AttributionRelationship {
    pub fn is_unknown(&self) -> bool {
        *self == AttributionRelationship::Unknown
    }
}

vocabulary! {
    /// ICD 203 words of estimative probability, from the least to the most likely.
    Confidence {
        Remote => "remote",
        VeryUnlikely => "very-unlikely",
        Unlikely => "unlikely",
        RoughlyEven => "roughly-even",
        Likely => "likely",
        VeryLikely => "very-likely",
        AlmostCertain => "almost-certain",
    }
}

vocabulary! {
    /// A duty of the hotline, shared by the norms document's `[[duty]]` table and the hotline's
    /// deadline arithmetic. `assistance-answer` is the time a recipient has to answer a request
    /// for assistance or to mitigate (GGE 2015 13(h)) with an outcome or an offer; a document
    /// without it gives that answer its `initial-reply` time (`redline_hotline::duties_kept`).
    DutyKind {
        Notify => "notify",
        Acknowledge => "acknowledge",
        InitialReply => "initial-reply",
        StatusUpdate => "status-update",
        ConsultationReply => "consultation-reply",
        AssistanceAnswer => "assistance-answer",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_spellings_round_trip() {
        for tlp in Tlp::ALL {
            let json = serde_json::to_string(tlp).expect("test fixture");
            assert_eq!(json, format!("\"{}\"", tlp.as_str()));
            assert_eq!(Tlp::parse(tlp.as_str()), Some(*tlp));
        }
        assert_eq!(Sector::ALL.len(), 35);
        assert_eq!(
            serde_json::from_str::<Tlp>("\"amber+strict\"").expect("test fixture"),
            Tlp::AmberStrict
        );
    }

    #[test]
    fn harm_orders_are_increasing() {
        assert!(EffectKind::Espionage < EffectKind::LossOfLife);
        assert!(Confidence::Remote < Confidence::AlmostCertain);
        assert!(Tlp::Clear < Tlp::Red);
    }
}
