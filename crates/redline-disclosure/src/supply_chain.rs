//! Supply-chain notices (GGE 2015 norm 13(i)): a party tells every party of the node that a
//! product or its update channel is compromised — which products and versions, how, the
//! indicators to look for, the mitigation, the incidents it is linked to — and every other
//! party acknowledges it, each by a deadline, saying how far it is exposed.
//!
//! - [`SupplyChainNotice`]: the JSON contract the notifying party signs, and the rules it meets
//!   on its own (texts, product identifiers, indicators checked by kind, TLP).
//! - [`NoticeAcknowledgement`]: what an addressed party signs to acknowledge it, with its
//!   exposure ([`Exposure`]); a later acknowledgement updates the exposure, the first one meets
//!   the deadline.
//! - [`NoticeState`]: a notice and its acknowledgements replayed; [`acknowledgement_duties`]
//!   grades each addressed party's duty (on time, late, missed, pending) by the node's clock.
//!
//! Who the notice is addressed to (every party of the node when it was issued) and when the
//! acknowledgement is due (the norms document's `acknowledge` duty) are decided by the node and
//! passed in; the rules here read no clock.
//!
//! Sources: GGE 2015 (A/70/174) §13(i): "States should take reasonable steps to ensure the
//! integrity of the supply chain so that end users can have confidence in the security of ICT
//! products"; the guidance on 13(i) in the GGE 2021 report (A/76/135) and the OEWG 2021 report,
//! which ask for cooperation and the exchange of information on supply-chain risks (summarised
//! at <https://wp.dig.watch/cyber-norms/ensure-supply-chain-security>).

use redline_model::error::valid_or_invalid;
use std::collections::{BTreeMap, BTreeSet};

use redline_model::error::parse_json_with_path;
use redline_model::{IncidentId, ModelError, PartyId, Reader, Timestamp, Tlp, ValidationIssue};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::case::{check_text, is_short_id};
use crate::product_identifier::ProductIdentifier;

/// The payload type of a signed notice.
pub const NOTICE_PAYLOAD_TYPE: &str = "application/vnd.redline.supply-chain-notice+json";
/// The payload type of a signed acknowledgement.
pub const NOTICE_ACKNOWLEDGEMENT_PAYLOAD_TYPE: &str =
    "application/vnd.redline.supply-chain-acknowledgement+json";
/// The payload version this build reads.
pub const NOTICE_PAYLOAD_VERSION: u8 = 1;
/// The most products one notice may name.
pub const MAXIMUM_NOTICE_PRODUCTS: usize = 200;
/// The most indicators one notice may carry.
pub const MAXIMUM_NOTICE_INDICATORS: usize = 1_000;
/// The most incidents one notice may link to.
pub const MAXIMUM_NOTICE_INCIDENTS: usize = 100;

redline_model::vocabulary! {
    /// How the supply chain was compromised.
    CompromiseKind {
        /// Updates delivered through the vendor's own channel carry malicious code (SolarWinds
        /// Orion 2020, 3CX 2023).
        UpdateChannel => "update-channel",
        /// The vendor's build system or signing keys were abused.
        BuildSystem => "build-system",
        /// A third-party component or open-source dependency was subverted (xz-utils 2024).
        MaliciousComponent => "malicious-component",
        /// Hardware or firmware tampered with before delivery.
        HardwareTampering => "hardware-tampering",
        /// A service provider's or vendor's remote access used against its customers (Kaseya VSA
        /// 2021, Cloud Hopper).
        ProviderAccess => "provider-access",
        Other => "other",
    }
}

/// A compromised product and the versions concerned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CompromisedProduct {
    /// A short id, unique in the notice.
    pub id: String,
    pub vendor: String,
    pub name: String,
    pub identifier: ProductIdentifier,
    /// The versions or version ranges concerned, as the vendor names them (`2019.4 HF 5`,
    /// `>= 5.6.0, < 5.6.2`); empty when every version is.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
}

/// The compromised update or distribution channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateChannel {
    pub description: String,
    /// Where the channel serves from (an https URL), when it helps to block or check it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

redline_model::vocabulary! {
    /// What kind of value an indicator is.
    IndicatorKind {
        Sha256 => "sha256",
        Sha1 => "sha1",
        Md5 => "md5",
        Domain => "domain",
        Ipv4 => "ipv4",
        Ipv6 => "ipv6",
        Url => "url",
        FileName => "file-name",
    }
}

impl IndicatorKind {
    /// Why `value` is not an indicator of this kind, if it is not.
    pub fn problem(&self, value: &str) -> Option<String> {
        let hex_of = |length: usize| {
            (value.len() == length && value.chars().all(|c| c.is_ascii_hexdigit()))
                .then_some(())
                .ok_or_else(|| format!("a {} is {length} hexadecimal digits", self.as_str()))
        };
        let outcome = match self {
            IndicatorKind::Sha256 => hex_of(64),
            IndicatorKind::Sha1 => hex_of(40),
            IndicatorKind::Md5 => hex_of(32),
            IndicatorKind::Ipv4 => value
                .parse::<core::net::Ipv4Addr>()
                .map(|_| ())
                .map_err(|_| "not an IPv4 address such as 198.51.100.7".to_string()),
            IndicatorKind::Ipv6 => value
                .parse::<core::net::Ipv6Addr>()
                .map(|_| ())
                .map_err(|_| "not an IPv6 address such as 2001:db8::7".to_string()),
            IndicatorKind::Domain => is_domain_name(value).then_some(()).ok_or_else(|| {
                "not a domain name such as avsvmcloud.com (letters, digits, `-` and dots)"
                    .to_string()
            }),
            IndicatorKind::Url => (value.len() <= 2_000
                && (value.starts_with("https://") || value.starts_with("http://"))
                && value
                    .split_once("://")
                    .and_then(|(_, rest)| rest.split(['/', '?', '#']).next())
                    .is_some_and(|host| !host.is_empty())
                && !value.chars().any(|c| c.is_whitespace() || c.is_control()))
            .then_some(())
            .ok_or_else(|| "not an http(s) URL with a host".to_string()),
            IndicatorKind::FileName => (!value.is_empty()
                && value.chars().count() <= 255
                && !value.contains(['/', '\\'])
                && !value.chars().any(char::is_control))
            .then_some(())
            .ok_or_else(|| "a file name is 1 to 255 characters without `/` or `\\`".to_string()),
        };
        outcome.err()
    }
}

/// A domain name: labels of 1–63 letters, digits and `-` (not at either end), at least two
/// labels, 253 characters at most.
fn is_domain_name(value: &str) -> bool {
    let labels: Vec<&str> = value.trim_end_matches('.').split('.').collect();
    value.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|label| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// One observable to look for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub kind: IndicatorKind,
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A supply-chain notice as its notifying party signs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplyChainNotice {
    /// The payload version, 1.
    pub v: u8,
    pub id: Uuid,
    pub notifying_party: PartyId,
    pub title: String,
    pub summary: String,
    pub compromise: CompromiseKind,
    pub products: Vec<CompromisedProduct>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_channel: Option<UpdateChannel>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indicators: Vec<Indicator>,
    /// What to do: remove, block, update to, rotate.
    pub mitigation: String,
    /// Incidents on this node the compromise is linked to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub incidents: Vec<IncidentId>,
    /// The notice goes to every party of the node: `clear` makes it public too; `red` is for
    /// named people, not a notice to all, and is refused.
    pub tlp: Tlp,
    pub signed_at: Timestamp,
}

impl SupplyChainNotice {
    /// Parses and checks a notice.
    pub fn parse(bytes: &[u8]) -> Result<Self, ModelError> {
        let notice: Self = parse_json_with_path(bytes)?;
        let issues = notice.validate();
        valid_or_invalid(notice, issues)
    }

    /// Every rule the notice breaks on its own.
    pub fn validate(&self) -> Vec<ValidationIssue> {
        let mut issues = Vec::new();
        if self.v != NOTICE_PAYLOAD_VERSION {
            issues.push(ValidationIssue::new(
                "v",
                format!(
                    "payload version {} is not supported: expected {NOTICE_PAYLOAD_VERSION}",
                    self.v
                ),
            ));
        }
        check_text("title", &self.title, 1, 300, &mut issues);
        check_text("summary", &self.summary, 1, 20_000, &mut issues);
        check_text("mitigation", &self.mitigation, 1, 20_000, &mut issues);
        if self.tlp == Tlp::Red {
            issues.push(ValidationIssue::new(
                "tlp",
                "a supply-chain notice goes to every party of the node: TLP:RED is for named people only; use amber+strict, amber, green or clear",
            ));
        }
        self.check_products(&mut issues);
        if let Some(channel) = &self.update_channel {
            check_text(
                "update_channel.description",
                &channel.description,
                1,
                4_000,
                &mut issues,
            );
            if let Some(url) = &channel.url
                && let Some(problem) = IndicatorKind::Url.problem(url)
            {
                issues.push(ValidationIssue::new("update_channel.url", problem));
            }
        } else if self.compromise == CompromiseKind::UpdateChannel {
            issues.push(ValidationIssue::new(
                "update_channel",
                "a compromised update channel is described: say which channel",
            ));
        }
        self.check_indicators(&mut issues);
        if self.incidents.len() > MAXIMUM_NOTICE_INCIDENTS {
            issues.push(ValidationIssue::new(
                "incidents",
                format!("at most {MAXIMUM_NOTICE_INCIDENTS} incidents"),
            ));
        }
        let mut seen = BTreeSet::new();
        for (index, incident) in self.incidents.iter().enumerate() {
            if !seen.insert(incident) {
                issues.push(ValidationIssue::new(
                    format!("incidents[{index}]"),
                    format!("{incident} is linked twice"),
                ));
            }
        }
        issues
    }

    fn check_products(&self, issues: &mut Vec<ValidationIssue>) {
        if self.products.is_empty() {
            issues.push(ValidationIssue::new(
                "products",
                "a notice names at least one compromised product",
            ));
        }
        if self.products.len() > MAXIMUM_NOTICE_PRODUCTS {
            issues.push(ValidationIssue::new(
                "products",
                format!("at most {MAXIMUM_NOTICE_PRODUCTS} products"),
            ));
        }
        let mut ids = BTreeSet::new();
        for (index, product) in self.products.iter().enumerate() {
            let path = format!("products[{index}]");
            if !is_short_id(&product.id) {
                issues.push(ValidationIssue::new(
                    format!("{path}.id"),
                    format!(
                        "`{}` is not a short id: 1 to 64 of a-z, 0-9 and `-`, not starting with `-`",
                        product.id
                    ),
                ));
            }
            if !ids.insert(product.id.as_str()) {
                issues.push(ValidationIssue::new(
                    format!("{path}.id"),
                    format!("product id `{}` appears twice", product.id),
                ));
            }
            check_text(&format!("{path}.vendor"), &product.vendor, 1, 200, issues);
            check_text(&format!("{path}.name"), &product.name, 1, 200, issues);
            if product.versions.len() > 100 {
                issues.push(ValidationIssue::new(
                    format!("{path}.versions"),
                    "at most 100 versions or ranges",
                ));
            }
            for (version_index, version) in product.versions.iter().enumerate() {
                check_text(
                    &format!("{path}.versions[{version_index}]"),
                    version,
                    1,
                    200,
                    issues,
                );
            }
        }
    }

    fn check_indicators(&self, issues: &mut Vec<ValidationIssue>) {
        if self.indicators.len() > MAXIMUM_NOTICE_INDICATORS {
            issues.push(ValidationIssue::new(
                "indicators",
                format!("at most {MAXIMUM_NOTICE_INDICATORS} indicators"),
            ));
        }
        let mut seen = BTreeSet::new();
        for (index, indicator) in self.indicators.iter().enumerate() {
            let path = format!("indicators[{index}]");
            if let Some(problem) = indicator.kind.problem(&indicator.value) {
                issues.push(ValidationIssue::new(
                    format!("{path}.value"),
                    format!("`{}`: {problem}", indicator.value),
                ));
            } else if !seen.insert((indicator.kind, indicator.value.to_ascii_lowercase())) {
                issues.push(ValidationIssue::new(
                    format!("{path}.value"),
                    format!(
                        "{} `{}` appears twice",
                        indicator.kind.as_str(),
                        indicator.value
                    ),
                ));
            }
            if let Some(note) = &indicator.note {
                check_text(&format!("{path}.note"), note, 1, 1_000, issues);
            }
        }
    }
}

redline_model::vocabulary! {
    /// How far the acknowledging party is exposed.
    Exposure {
        /// Received; not looked yet.
        Received => "received",
        /// Looking for the products and indicators.
        Investigating => "investigating",
        /// The products or indicators are present.
        Affected => "affected",
        /// Affected, and the mitigation is applied.
        Mitigated => "mitigated",
        /// Looked, and not present.
        NotAffected => "not-affected",
    }
}

/// An addressed party acknowledges a notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeAcknowledgement {
    pub v: u8,
    /// The acknowledgement's own id (the same signed payload twice is a replay).
    pub id: Uuid,
    pub notice: Uuid,
    pub party: PartyId,
    pub exposure: Exposure,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub signed_at: Timestamp,
}

impl NoticeAcknowledgement {
    pub fn parse(bytes: &[u8]) -> Result<Self, ModelError> {
        let acknowledgement: Self = parse_json_with_path(bytes)?;
        let mut issues = Vec::new();
        if acknowledgement.v != NOTICE_PAYLOAD_VERSION {
            issues.push(ValidationIssue::new(
                "v",
                format!(
                    "payload version {} is not supported: expected {NOTICE_PAYLOAD_VERSION}",
                    acknowledgement.v
                ),
            ));
        }
        if let Some(note) = &acknowledgement.note {
            check_text("note", note, 1, 4_000, &mut issues);
        }
        valid_or_invalid(acknowledgement, issues)
    }
}

/// Why an acknowledgement does not apply to the notice.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoticeError {
    /// The author may not acknowledge this notice; the node answers "forbidden".
    #[error("{0}")]
    NotAllowed(String),
    /// The acknowledgement names another notice, or says nothing new.
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

/// One addressed party's acknowledgements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecipientState {
    /// The first acknowledgement: what the deadline is measured by.
    pub first_acknowledged_at: Option<Timestamp>,
    /// The latest exposure said.
    pub exposure: Option<Exposure>,
    pub note: Option<String>,
    pub updated_at: Option<Timestamp>,
}

/// A notice with its acknowledgements, as the records make it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeState {
    pub notice: SupplyChainNotice,
    pub issued_at: Timestamp,
    /// When every addressed party's acknowledgement is due (the norms document's `acknowledge`
    /// duty from the issue).
    pub acknowledge_by: Timestamp,
    /// The parties it was addressed to (every party of the node at issue but the notifying
    /// one), each owing an acknowledgement.
    pub recipients: BTreeMap<PartyId, RecipientState>,
    pub updated_at: Timestamp,
}

impl NoticeState {
    /// A notice issued at `issued_at` to `addressed_to`, to be acknowledged by
    /// `acknowledge_by` (the notifying party is left out: it owes itself nothing).
    pub fn issue(
        notice: SupplyChainNotice,
        issued_at: Timestamp,
        acknowledge_by: Timestamp,
        addressed_to: impl IntoIterator<Item = PartyId>,
    ) -> Self {
        let recipients = addressed_to
            .into_iter()
            .filter(|party| party != &notice.notifying_party)
            .map(|party| {
                (
                    party,
                    RecipientState {
                        first_acknowledged_at: None,
                        exposure: None,
                        note: None,
                        updated_at: None,
                    },
                )
            })
            .collect();
        Self {
            notice,
            issued_at,
            acknowledge_by,
            recipients,
            updated_at: issued_at,
        }
    }

    /// Applies an acknowledgement recorded at `at`: only an addressed party acknowledges, for
    /// itself; a later one changes the exposure (the same exposure and note again say nothing
    /// new and are refused).
    pub fn acknowledge(
        &mut self,
        acknowledgement: &NoticeAcknowledgement,
        at: Timestamp,
    ) -> Result<(), NoticeError> {
        if acknowledgement.notice != self.notice.id {
            return Err(NoticeError::Invalid {
                path: "notice".to_string(),
                message: format!(
                    "this acknowledgement is of notice {}, not {}",
                    acknowledgement.notice, self.notice.id
                ),
            });
        }
        let Some(recipient) = self.recipients.get_mut(&acknowledgement.party) else {
            return Err(NoticeError::NotAllowed(format!(
                "{} was not among the parties this notice was addressed to",
                acknowledgement.party
            )));
        };
        if recipient.exposure == Some(acknowledgement.exposure)
            && recipient.note == acknowledgement.note
        {
            return Err(NoticeError::Invalid {
                path: "exposure".to_string(),
                message: format!(
                    "{} acknowledged this notice as {} already",
                    acknowledgement.party,
                    acknowledgement.exposure.as_str()
                ),
            });
        }
        recipient.first_acknowledged_at.get_or_insert(at);
        recipient.exposure = Some(acknowledgement.exposure);
        recipient.note = acknowledgement.note.clone();
        recipient.updated_at = Some(at);
        self.updated_at = at;
        Ok(())
    }

    /// The parties that read the notice under a restricted label: the notifying party and every
    /// addressed party.
    pub fn readers(&self) -> BTreeSet<PartyId> {
        self.recipients
            .keys()
            .cloned()
            .chain(std::iter::once(self.notice.notifying_party.clone()))
            .collect()
    }

    /// How many addressed parties said each exposure (and `None`: not acknowledged yet).
    pub fn exposure_counts(&self) -> BTreeMap<Option<Exposure>, usize> {
        let mut counts = BTreeMap::new();
        for recipient in self.recipients.values() {
            *counts.entry(recipient.exposure).or_insert(0) += 1;
        }
        counts
    }
}

redline_model::vocabulary! {
    /// Where one party's acknowledgement duty stands.
    DutyStanding {
        /// Acknowledged by the deadline.
        OnTime => "on-time",
        /// Acknowledged after it.
        Late => "late",
        /// Not acknowledged, and the deadline passed.
        Missed => "missed",
        /// Not acknowledged; the deadline is still ahead.
        Pending => "pending",
    }
}

/// One party's acknowledgement duty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AcknowledgementDuty {
    pub party: PartyId,
    pub due_at: Timestamp,
    pub standing: DutyStanding,
}

/// Every addressed party's acknowledgement duty by `now`.
pub fn acknowledgement_duties(state: &NoticeState, now: Timestamp) -> Vec<AcknowledgementDuty> {
    let due_at = state.acknowledge_by;
    state
        .recipients
        .iter()
        .map(|(party, recipient)| AcknowledgementDuty {
            party: party.clone(),
            due_at,
            standing: match recipient.first_acknowledged_at {
                Some(at) if at <= due_at => DutyStanding::OnTime,
                Some(_) => DutyStanding::Late,
                None if now >= due_at => DutyStanding::Missed,
                None => DutyStanding::Pending,
            },
        })
        .collect()
}

/// Whether `reader` reads the exposure (and note) `party` acknowledged, on a notice it may read:
/// the operator, the notifying party and `party` itself. Which state is exposed to a live
/// compromise tells an attacker where to strike, whatever the notice's own label, so another
/// party or the public sees only whether and when each party acknowledged.
pub fn reads_exposure_of(reader: Reader<'_>, notice: &SupplyChainNotice, party: &PartyId) -> bool {
    match reader {
        Reader::Operator => true,
        Reader::Party(reading) => reading == &notice.notifying_party || reading == party,
        Reader::Anonymous => false,
    }
}

/// Whether `reader` reads how many parties said each exposure (no party named): every signed-in
/// reader of the notice, not the public.
pub fn reads_exposure_counts(reader: Reader<'_>) -> bool {
    !matches!(reader, Reader::Anonymous)
}

/// The JSON Schema (draft 2020-12) of a notice's payload
/// (`schemas/supply-chain-notice.schema.json`).
pub fn supply_chain_notice_json_schema() -> serde_json::Value {
    schemars::schema_for!(SupplyChainNotice).to_value()
}

/// The JSON Schema of an acknowledgement's payload
/// (`schemas/supply-chain-acknowledgement.schema.json`).
pub fn notice_acknowledgement_json_schema() -> serde_json::Value {
    schemars::schema_for!(NoticeAcknowledgement).to_value()
}
