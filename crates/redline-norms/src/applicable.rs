//! Which norms document applies to an incident: the latest adoption naming the victim, else
//! the latest naming the reporter, else the baseline; and to a coordinated-disclosure case (its
//! `[disclosure]` policy): the latest adoption naming the case's coordinator, else the
//! baseline. Pure: the node passes its adoptions in (oldest first) and looks the chosen
//! document up.

use redline_model::{PartyId, Timestamp};

/// One recorded adoption: these parties adopted the document with this SHA-256.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Adoption<'a> {
    pub document_sha256: &'a str,
    pub parties: &'a [PartyId],
}

/// Why a document applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppliesBecause {
    /// The victim's latest adoption names it.
    VictimAdopted,
    /// The victim adopted nothing; the reporter's latest adoption names it.
    ReporterAdopted,
    /// Neither adopted anything.
    Baseline,
}

/// The document that applies, by the SHA-256 of its text, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApplicableDocument<'a> {
    pub document_sha256: &'a str,
    pub because: AppliesBecause,
}

/// The document the latest adoption naming `party` names, if any (`adoptions` oldest first).
pub fn adopted_by<'a>(adoptions: &[Adoption<'a>], party: &PartyId) -> Option<&'a str> {
    adoptions
        .iter()
        .rev()
        .find(|adoption| adoption.parties.contains(party))
        .map(|adoption| adoption.document_sha256)
}

/// The document that applies to an incident against `victim` reported by `reporter`: the latest
/// adoption naming the victim, else the latest naming the reporter, else `baseline_sha256`.
/// A later adoption replaces an earlier one of the same party, whatever document it names.
pub fn applicable_document<'a>(
    adoptions: &[Adoption<'a>],
    victim: &PartyId,
    reporter: &PartyId,
    baseline_sha256: &'a str,
) -> ApplicableDocument<'a> {
    let chosen = |document_sha256, because| ApplicableDocument {
        document_sha256,
        because,
    };
    if let Some(document) = adopted_by(adoptions, victim) {
        chosen(document, AppliesBecause::VictimAdopted)
    } else if let Some(document) = adopted_by(adoptions, reporter) {
        chosen(document, AppliesBecause::ReporterAdopted)
    } else {
        chosen(baseline_sha256, AppliesBecause::Baseline)
    }
}

/// The document that governs a disclosure case coordinated by `coordinator` (its deadlines and
/// default embargo): the latest adoption naming the coordinator, else `baseline_sha256`. The
/// coordinator runs the case, so its commitments set the case's pace.
pub fn disclosure_document<'a>(
    adoptions: &[Adoption<'a>],
    coordinator: &PartyId,
    baseline_sha256: &'a str,
) -> &'a str {
    adopted_by(adoptions, coordinator).unwrap_or(baseline_sha256)
}

/// A party's signed withdrawal of its adoption of a document, at the node's time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Withdrawal<'a> {
    pub document_sha256: &'a str,
    pub party: &'a PartyId,
    pub at: Timestamp,
}

/// The parties of one adoption (of `document_sha256`, recorded `adopted_at`) still in force:
/// those that did not withdraw that document later. A later adoption of the same document by
/// the same party is a new adoption, in force again.
pub fn parties_in_force(
    document_sha256: &str,
    parties: &[PartyId],
    adopted_at: Timestamp,
    withdrawals: &[Withdrawal<'_>],
) -> Vec<PartyId> {
    parties
        .iter()
        .filter(|party| {
            !withdrawals.iter().any(|withdrawal| {
                withdrawal.document_sha256 == document_sha256
                    && withdrawal.party == *party
                    && withdrawal.at >= adopted_at
            })
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn parties(names: &[&str]) -> Vec<PartyId> {
        names
            .iter()
            .map(|name| PartyId::parse(name).unwrap())
            .collect()
    }

    /// One row: adoptions as (document, parties), oldest first; the incident's victim and
    /// reporter → the document that applies and why.
    fn check(
        adoptions: &[(&str, &[&str])],
        victim: &str,
        reporter: &str,
        expect: (&str, AppliesBecause),
    ) {
        let owned: Vec<(&str, Vec<PartyId>)> = adoptions
            .iter()
            .map(|(document, names)| (*document, parties(names)))
            .collect();
        let adoptions: Vec<Adoption<'_>> = owned
            .iter()
            .map(|(document, parties)| Adoption {
                document_sha256: document,
                parties,
            })
            .collect();
        let victim_and_reporter = parties(&[victim, reporter]);
        let applicable = applicable_document(
            &adoptions,
            &victim_and_reporter[0],
            &victim_and_reporter[1],
            "baseline",
        );
        assert_eq!(
            (applicable.document_sha256, applicable.because),
            expect,
            "adoptions {owned:?}, victim {victim}, reporter {reporter}"
        );
    }

    #[test]
    fn applicable_document_table() {
        use AppliesBecause::{Baseline, ReporterAdopted, VictimAdopted};
        check(&[], "EE", "LV", ("baseline", Baseline));
        check(&[("a", &["FI"])], "EE", "LV", ("baseline", Baseline));
        check(&[("a", &["EE"])], "EE", "LV", ("a", VictimAdopted));
        check(&[("a", &["LV"])], "EE", "LV", ("a", ReporterAdopted));
        // The victim's adoption wins over the reporter's, whichever is newer.
        check(
            &[("a", &["EE"]), ("b", &["LV"])],
            "EE",
            "LV",
            ("a", VictimAdopted),
        );
        check(
            &[("b", &["LV"]), ("a", &["EE"])],
            "EE",
            "LV",
            ("a", VictimAdopted),
        );
        // A party's latest adoption replaces its earlier ones.
        check(
            &[("a", &["EE"]), ("b", &["EE", "FI"])],
            "EE",
            "LV",
            ("b", VictimAdopted),
        );
        check(
            &[("b", &["EE"]), ("a", &["EE"])],
            "EE",
            "LV",
            ("a", VictimAdopted),
        );
        check(
            &[("a", &["LV"]), ("b", &["FI"]), ("c", &["LV"])],
            "EE",
            "LV",
            ("c", ReporterAdopted),
        );
        // Victim and reporter the same party.
        check(&[("a", &["EE"])], "EE", "EE", ("a", VictimAdopted));
        // A party may be an organisation, not a state.
        check(
            &[("a", &["cert-eu"])],
            "EE",
            "cert-eu",
            ("a", ReporterAdopted),
        );
    }

    #[test]
    fn disclosure_document_table() {
        let check = |adoptions: &[(&str, &[&str])], coordinator: &str, expect: &str| {
            let owned: Vec<(&str, Vec<PartyId>)> = adoptions
                .iter()
                .map(|(document, names)| (*document, parties(names)))
                .collect();
            let adoptions: Vec<Adoption<'_>> = owned
                .iter()
                .map(|(document, parties)| Adoption {
                    document_sha256: document,
                    parties,
                })
                .collect();
            let coordinator = PartyId::parse(coordinator).unwrap();
            assert_eq!(
                disclosure_document(&adoptions, &coordinator, "baseline"),
                expect,
                "{owned:?} {coordinator}"
            );
        };
        check(&[], "cert-ee", "baseline");
        check(&[("a", &["EE"])], "cert-ee", "baseline");
        check(&[("a", &["cert-ee"])], "cert-ee", "a");
        check(
            &[("a", &["cert-ee"]), ("b", &["cert-ee", "EE"])],
            "cert-ee",
            "b",
        );
        check(&[("b", &["cert-ee"]), ("a", &["EE"])], "cert-ee", "b");
    }

    #[test]
    fn a_withdrawal_ends_the_adoptions_before_it_and_a_later_adoption_counts_again() {
        let at = |seconds: i64| Timestamp::from_microseconds(seconds * 1_000_000).unwrap();
        let ee = PartyId::parse("EE").unwrap();
        let withdrawals = [Withdrawal {
            document_sha256: "doc",
            party: &ee,
            at: at(10),
        }];
        let both = parties(&["EE", "FI"]);
        assert_eq!(
            parties_in_force("doc", &both, at(5), &withdrawals),
            parties(&["FI"])
        );
        assert_eq!(parties_in_force("doc", &both, at(11), &withdrawals), both);
        assert_eq!(parties_in_force("other", &both, at(5), &withdrawals), both);
    }
}
