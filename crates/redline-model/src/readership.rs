//! Who may read a record under the Traffic Light Protocol: one rule for every record that
//! carries a label (an incident version, a hotline thread, a communication check), decided per
//! version and used by every read path — REST, TAXII, pages, feeds and exports.
//!
//! The rule (TLP 2.0, FIRST): `clear` may be read by anyone, including a visitor who is not
//! signed in; `green` by every signed-in party of the node's community; `amber`,
//! `amber+strict` and `red` only by the parties the record was addressed to. The node's
//! operator, on its own data, reads everything. A reader outside the rule is told "not found",
//! never "forbidden", so existence does not leak.

use std::collections::BTreeSet;

use crate::{PartyId, Tlp};

/// Who is reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader<'a> {
    /// A visitor who is not signed in (public pages, public feeds, anonymous API routes).
    Anonymous,
    /// A signed-in party.
    Party(&'a PartyId),
    /// The node's operator on its own data (the local command line).
    Operator,
}

/// The readers one version of a record was given: its label and, for a restricted label, the
/// parties it was addressed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readership {
    pub tlp: Tlp,
    /// The parties a restricted record was addressed to (ignored for `clear` and `green`).
    pub addressed_to: BTreeSet<PartyId>,
}

impl Readership {
    pub fn new(tlp: Tlp, addressed_to: impl IntoIterator<Item = PartyId>) -> Self {
        Self {
            tlp,
            addressed_to: addressed_to.into_iter().collect(),
        }
    }

    /// Whether `reader` may read this version.
    pub fn admits(&self, reader: Reader<'_>) -> bool {
        match reader {
            Reader::Operator => true,
            Reader::Anonymous => self.tlp == Tlp::Clear,
            Reader::Party(party) => !self.tlp.is_restricted() || self.addressed_to.contains(party),
        }
    }

    /// The parties a restricted version is limited to, or `None` when every signed-in party
    /// may read it (what the store keeps beside the record to filter in SQL).
    pub fn restricted_to(&self) -> Option<&BTreeSet<PartyId>> {
        self.tlp.is_restricted().then_some(&self.addressed_to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn party(id: &str) -> PartyId {
        PartyId::parse(id).expect("a valid party id")
    }

    /// One row per case: label, addressed to, reader, admitted.
    fn check(tlp: Tlp, addressed_to: &[&str], reader: Reader<'_>, expected: bool) {
        let readership = Readership::new(tlp, addressed_to.iter().map(|id| party(id)));
        assert_eq!(
            readership.admits(reader),
            expected,
            "{tlp} addressed to {addressed_to:?}, read by {reader:?}"
        );
    }

    #[test]
    fn the_tlp_rule_table() {
        let ee = party("EE");
        let ru = party("RU");
        for (tlp, anonymous, addressee, outsider) in [
            (Tlp::Clear, true, true, true),
            (Tlp::Green, false, true, true),
            (Tlp::Amber, false, true, false),
            (Tlp::AmberStrict, false, true, false),
            (Tlp::Red, false, true, false),
        ] {
            check(tlp, &["EE"], Reader::Anonymous, anonymous);
            check(tlp, &["EE"], Reader::Party(&ee), addressee);
            check(tlp, &["EE"], Reader::Party(&ru), outsider);
            check(tlp, &["EE"], Reader::Operator, true);
            check(tlp, &[], Reader::Operator, true);
        }
    }

    /// The public dashboard's SQL filters on one label; it must be the only one the rule
    /// admits a visitor to.
    #[test]
    fn only_clear_is_public() {
        let public: Vec<Tlp> = [
            Tlp::Clear,
            Tlp::Green,
            Tlp::Amber,
            Tlp::AmberStrict,
            Tlp::Red,
        ]
        .into_iter()
        .filter(|tlp| Readership::new(*tlp, []).admits(Reader::Anonymous))
        .collect();
        assert_eq!(public, vec![Tlp::Clear]);
    }
}
