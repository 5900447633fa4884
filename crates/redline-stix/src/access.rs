//! Who may read and who may write a version of a STIX object on a redline node: the TLP rule
//! of TAXII objects ([`object_readers`]) and the authorship rule of TAXII writes
//! ([`check_object_write`]). Pure: the node looks up what they need (who added an object's
//! first version, which party an identity stands for, the marking definitions a collection
//! holds) and stores what they decide; the store filters reads by the reader list
//! [`object_readers`] computes, in SQL, so TAXII paging stays correct.

use std::collections::{BTreeMap, BTreeSet};

use redline_model::{IncidentReport, PartyId, Tlp};

use crate::{
    extension::redline_identity_id,
    mapping::{has_redline_definition_id, is_redline_definition},
    marking::{MarkingCatalogue, MarkingMeaning, most_restrictive},
    objects::StixObject,
};

/// The label of an object from the markings it refers to ([`crate::taxii::ObjectFacts`]'s
/// `marking_refs`: `object_marking_refs` and every granular marking, whatever its selectors):
/// the most restrictive of
/// - every OASIS TLP marking id, TLP 2.0 or TLP 1.0 (`white` reads as `clear`);
/// - every other marking definition the catalogue knows that states a TLP
///   ([`crate::marking::tlp_stated_by_definition`]: `definition_type` `tlp`, a `tlp_2_0`
///   extension property, a `TLP:` name);
/// - `red` for every reference the node cannot resolve: it cannot tell what the marking asks,
///   and the poster can always post the definition with (or before) the object.
///
/// `None` when nothing refers to a TLP marking (an unmarked object, or one with statements only).
///
/// Why the whole object and not per property: TAXII serves whole objects, and redacting the
/// properties a granular marking selects would serve a version nobody posted, under the
/// poster's id and version. The simplest safe rule is that one restrictive granular marking
/// restricts the object.
pub fn effective_tlp(marking_refs: &[String], markings: &MarkingCatalogue) -> Option<Tlp> {
    marking_refs
        .iter()
        .filter_map(|reference| match markings.meaning(reference) {
            MarkingMeaning::Tlp(tlp) => Some(tlp),
            MarkingMeaning::NotTlp => None,
            MarkingMeaning::Unknown => Some(Tlp::Red),
        })
        .fold(None, |label, tlp| most_restrictive(label, Some(tlp)))
}

/// What the TLP rule needs to know of one object version.
#[derive(Debug, Clone, Copy)]
pub struct ReadFacts<'a> {
    /// The markings the object refers to (object and granular).
    pub marking_refs: &'a [String],
    /// The marking definitions known besides the OASIS ones.
    pub markings: &'a MarkingCatalogue,
    /// The party that added this version (`None`: the node's operator).
    pub added_by: Option<&'a PartyId>,
    /// The party whose identity created the object (`created_by_ref`, see [`identity_party`]).
    pub author: Option<&'a PartyId>,
    /// For an incident imported as an incident report: the report this version carries.
    pub carried_report: Option<&'a IncidentReport>,
}

/// Who may read one object version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectReadership {
    /// The object's effective label, `None` when it has none.
    pub tlp: Option<Tlp>,
    /// `None`: every party that may read the collection; `Some`: only these parties (and the
    /// node's operator, who reads everything).
    pub readers: Option<BTreeSet<PartyId>>,
}

/// The TLP rule of TAXII objects, the one place it is decided.
///
/// An object version's label is its [`effective_tlp`], and for an imported incident report the
/// more restrictive of that and the report's own label. Unmarked, `clear` and `green` versions
/// may be read by every party that may read the collection. `amber`, `amber+strict` and `red`
/// ones only by the party that added the version, the party whose identity created it
/// (`created_by_ref`) and, for an imported incident report, the readers of the report version
/// it carries (reporter, victim, `shared_with`: [`IncidentReport::readers`]).
///
/// An imported incident's readers change over time while its stored versions do not, so the
/// store applies one more list: a party reads a version of the STIX object of a stored incident
/// report only while it may read the report now (its stored readers). Together: narrowing a
/// report over REST narrows every TAXII version of it at once, and widening it never opens a
/// version to a party that was not its reader. Each version keeps the readers of the report
/// version it came from, so TLP stays right per version.
pub fn object_readers(facts: &ReadFacts<'_>) -> ObjectReadership {
    let tlp = most_restrictive(
        effective_tlp(facts.marking_refs, facts.markings),
        facts.carried_report.map(|report| report.tlp),
    );
    let readers = tlp.filter(Tlp::is_restricted).map(|_| {
        let mut readers: BTreeSet<PartyId> = facts
            .carried_report
            .and_then(IncidentReport::readers)
            .unwrap_or_default();
        readers.extend(facts.added_by.cloned());
        readers.extend(facts.author.cloned());
        readers
    });
    ObjectReadership { tlp, readers }
}

/// Who added the first version of an object to a collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObjectOwner {
    Party(PartyId),
    /// The node's operator (the local command line, the demo).
    Operator,
}

/// The party an identity id stands for, if any: a party's own identity
/// ([`crate::mapping::party_identity_id`], looked up in `party_identities`), else an `identity`
/// object the party owns (added first in the collection, or is adding in this request:
/// `identity_owner`). A STIX organisation may have several identities (a state and its CERT);
/// each is its poster's.
pub fn identity_party(
    identity_id: &str,
    party_identities: &BTreeMap<String, PartyId>,
    identity_owner: Option<&ObjectOwner>,
) -> Option<PartyId> {
    if let Some(party) = party_identities.get(identity_id) {
        return Some(party.clone());
    }
    if !identity_id.starts_with("identity--") {
        return None;
    }
    match identity_owner {
        Some(ObjectOwner::Party(party)) => Some(party.clone()),
        _ => None,
    }
}

/// What the authorship rule needs to know of one object a party posts.
#[derive(Debug, Clone, Copy)]
pub struct WriteFacts<'a> {
    /// The party posting (the node's operator is not held to this rule).
    pub poster: &'a PartyId,
    /// Who owns the object: a party's identity id is that party's; an `incident` whose id is a
    /// stored incident report is the report's reporter's; anything else is its first adder's
    /// in the collection. `None` for an object new to the collection.
    pub owner: Option<&'a ObjectOwner>,
    /// `created_by_ref` as posted.
    pub created_by_ref: Option<&'a str>,
    /// The party `created_by_ref` stands for ([`identity_party`]).
    pub author: Option<&'a PartyId>,
    /// For an `incident` carrying a redline report: the report's `reported_by`.
    pub reporter: Option<&'a PartyId>,
}

/// Why a posted object was refused. One message for every cause, so a refusal tells nothing
/// about objects the poster may not read (a taken id answers as a forged `created_by_ref`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "refused: only the party that added an object's first version may add versions of it, and `created_by_ref` must be absent or an identity of your own ({own_identity}, or an identity object you added)"
)]
pub struct WriteRefused {
    /// The poster's own party identity id.
    pub own_identity: String,
}

/// The authorship rule of TAXII writes, the one place it is decided. A party may post
/// - a version of an object only if the object is new to the collection or the party owns it
///   ([`WriteFacts::owner`]), so nobody else's later `modified` replaces what readers get as
///   the latest;
/// - `created_by_ref` only naming an identity of its own ([`identity_party`]), so nobody posts
///   in another party's name. An `incident` carrying a redline report is its reporter's: it
///   must name the reporter, and the report path then refuses any poster but the reporter,
///   saying `reported_by`.
///
/// Redline's shared definitions are nobody's: the exact objects every redline export carries
/// under redline's identity ([`is_redline_definition`]) may be posted by any party (with
/// `created_by_ref` redline's identity; a copy of one already there is "already in the
/// collection"), and their ids may hold nothing else, except a party's own identity posted by
/// that party.
pub fn check_object_write(object: &StixObject, facts: &WriteFacts<'_>) -> Result<(), WriteRefused> {
    let refused = || WriteRefused {
        own_identity: crate::mapping::party_identity_id(facts.poster).to_string(),
    };
    let redline_definition = is_redline_definition(object);
    let owned_by_poster =
        matches!(facts.owner, Some(ObjectOwner::Party(owner)) if owner == facts.poster);
    match facts.owner {
        None => {}
        Some(_) if owned_by_poster || redline_definition => {}
        Some(_) => return Err(refused()),
    }
    if !redline_definition && !owned_by_poster && has_redline_definition_id(object) {
        return Err(refused());
    }
    let Some(created_by_ref) = facts.created_by_ref else {
        return Ok(());
    };
    let expected_author = facts.reporter.unwrap_or(facts.poster);
    if facts.author == Some(expected_author) {
        return Ok(());
    }
    if created_by_ref == redline_identity_id().as_str() && redline_definition {
        return Ok(());
    }
    Err(refused())
}
