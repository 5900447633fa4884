//! What happens to a case after it is opened: signed actions (`DisclosureAction`), the product
//! status table (`PRODUCT_STATUS_TRANSITIONS`), who may take which action, the replay of a
//! case's records into its state (`CaseState`), the disclosure policy's deadlines and the one
//! rule of when a case is public (`CaseState::is_public`: the node's clock has reached the
//! embargo's end).
//!
//! A product's status starts as `not-contacted`, which is not `not-affected`: "never looked"
//! and "looked and not affected" are different words (the complaint about VINCE this answers).

use redline_model::error::valid_or_invalid;
use redline_model::text::check_text;
use std::collections::{BTreeMap, BTreeSet};

use redline_model::error::parse_json_with_path;
use redline_model::{ModelError, PartyId, Timestamp, ValidationIssue};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::case::{CveId, DISCLOSURE_PAYLOAD_VERSION, DisclosureCase, is_short_id};

/// The payload type of a signed action on a case.
pub const ACTION_PAYLOAD_TYPE: &str = "application/vnd.redline.disclosure-action+json";

redline_model::vocabulary! {
    /// A product's status in a case.
    ProductStatus {
        /// Nobody has asked the vendor yet.
        NotContacted => "not-contacted",
        /// The vendor was contacted and has not said more.
        UnderInvestigation => "under-investigation",
        Affected => "affected",
        NotAffected => "not-affected",
        Fixed => "fixed",
        /// The vendor did not answer by the deadline.
        Unresponsive => "unresponsive",
    }
}

impl ProductStatus {
    /// Whether someone has answered for the product (a status other than waiting).
    pub fn is_answered(&self) -> bool {
        matches!(
            self,
            ProductStatus::Affected | ProductStatus::NotAffected | ProductStatus::Fixed
        )
    }
}

/// What moves a product from one status to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusCause {
    /// The coordinator contacted the vendor.
    Contact,
    /// The vendor (or the coordinator for it) reported a status.
    Report,
    /// The coordinator marked the vendor unresponsive.
    Unresponsive,
}

/// Every allowed move of a product's status, and what causes it. Anything else is refused.
pub const PRODUCT_STATUS_TRANSITIONS: &[(ProductStatus, StatusCause, ProductStatus)] = &[
    (
        ProductStatus::NotContacted,
        StatusCause::Contact,
        ProductStatus::UnderInvestigation,
    ),
    // A vendor may answer before it is contacted (it is a party and reads the case).
    (
        ProductStatus::NotContacted,
        StatusCause::Report,
        ProductStatus::Affected,
    ),
    (
        ProductStatus::NotContacted,
        StatusCause::Report,
        ProductStatus::NotAffected,
    ),
    (
        ProductStatus::NotContacted,
        StatusCause::Report,
        ProductStatus::Fixed,
    ),
    (
        ProductStatus::NotContacted,
        StatusCause::Report,
        ProductStatus::UnderInvestigation,
    ),
    (
        ProductStatus::UnderInvestigation,
        StatusCause::Report,
        ProductStatus::Affected,
    ),
    (
        ProductStatus::UnderInvestigation,
        StatusCause::Report,
        ProductStatus::NotAffected,
    ),
    (
        ProductStatus::UnderInvestigation,
        StatusCause::Report,
        ProductStatus::Fixed,
    ),
    (
        ProductStatus::UnderInvestigation,
        StatusCause::Unresponsive,
        ProductStatus::Unresponsive,
    ),
    // A late answer still counts.
    (
        ProductStatus::Unresponsive,
        StatusCause::Report,
        ProductStatus::UnderInvestigation,
    ),
    (
        ProductStatus::Unresponsive,
        StatusCause::Report,
        ProductStatus::Affected,
    ),
    (
        ProductStatus::Unresponsive,
        StatusCause::Report,
        ProductStatus::NotAffected,
    ),
    (
        ProductStatus::Unresponsive,
        StatusCause::Report,
        ProductStatus::Fixed,
    ),
    (
        ProductStatus::Affected,
        StatusCause::Report,
        ProductStatus::Fixed,
    ),
    // Corrections: a product thought affected is not, or the other way round; a fix regressed.
    (
        ProductStatus::Affected,
        StatusCause::Report,
        ProductStatus::NotAffected,
    ),
    (
        ProductStatus::NotAffected,
        StatusCause::Report,
        ProductStatus::Affected,
    ),
    (
        ProductStatus::Fixed,
        StatusCause::Report,
        ProductStatus::Affected,
    ),
];

/// The status after `cause` moves a product from `from` to `to`, if the table allows it.
pub fn product_transition(
    from: ProductStatus,
    cause: StatusCause,
    to: ProductStatus,
) -> Result<ProductStatus, String> {
    if PRODUCT_STATUS_TRANSITIONS
        .iter()
        .any(|(table_from, table_cause, table_to)| {
            *table_from == from && *table_cause == cause && *table_to == to
        })
    {
        Ok(to)
    } else {
        Err(format!(
            "a product cannot go from {} to {} that way",
            from.as_str(),
            to.as_str()
        ))
    }
}

/// A signed action on a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DisclosureAction {
    pub v: u8,
    /// The action's own id (a replay of the same action is refused by its digest).
    pub id: Uuid,
    pub case: Uuid,
    pub author: PartyId,
    pub action: ActionBody,
    pub signed_at: Timestamp,
}

/// What the action does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum ActionBody {
    /// The coordinator contacted a vendor: its products go under investigation and its
    /// deadlines start.
    VendorContacted { vendor: String },
    /// The vendor confirmed it has the report.
    VendorAcknowledged { vendor: String },
    /// A product's status, with an optional statement (a fix, a mitigation, why it is not
    /// affected).
    ProductStatus {
        vendor: String,
        product: String,
        status: ProductStatus,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        statement: Option<String>,
    },
    /// The coordinator records that a vendor did not answer.
    VendorUnresponsive { vendor: String },
    /// The coordinator moves the embargo's end.
    EmbargoChanged {
        embargo_end: Timestamp,
        reason: String,
    },
    /// The CVE id was assigned.
    CveAssigned { cve: CveId },
}

impl ActionBody {
    pub fn kind(&self) -> &'static str {
        match self {
            ActionBody::VendorContacted { .. } => "vendor-contacted",
            ActionBody::VendorAcknowledged { .. } => "vendor-acknowledged",
            ActionBody::ProductStatus { .. } => "product-status",
            ActionBody::VendorUnresponsive { .. } => "vendor-unresponsive",
            ActionBody::EmbargoChanged { .. } => "embargo-changed",
            ActionBody::CveAssigned { .. } => "cve-assigned",
        }
    }

    fn vendor(&self) -> Option<&str> {
        match self {
            ActionBody::VendorContacted { vendor }
            | ActionBody::VendorAcknowledged { vendor }
            | ActionBody::ProductStatus { vendor, .. }
            | ActionBody::VendorUnresponsive { vendor } => Some(vendor),
            _ => None,
        }
    }
}

impl DisclosureAction {
    pub fn parse(bytes: &[u8]) -> Result<Self, ModelError> {
        let action: Self = parse_json_with_path(bytes)?;
        let mut issues = Vec::new();
        if action.v != DISCLOSURE_PAYLOAD_VERSION {
            issues.push(ValidationIssue::new(
                "v",
                format!(
                    "payload version {} is not supported: expected {DISCLOSURE_PAYLOAD_VERSION}",
                    action.v
                ),
            ));
        }
        if let Some(vendor) = action.action.vendor()
            && !is_short_id(vendor)
        {
            issues.push(ValidationIssue::new(
                "action.vendor",
                format!("`{vendor}` is not a vendor id"),
            ));
        }
        match &action.action {
            ActionBody::ProductStatus {
                statement: Some(statement),
                ..
            } => {
                check_text("action.statement", statement, 1, 4_000, &mut issues);
            }
            ActionBody::ProductStatus {
                status: ProductStatus::NotContacted,
                ..
            } => {
                issues.push(ValidationIssue::new(
                    "action.status",
                    "not-contacted is where a product starts; it cannot be reported",
                ));
            }
            ActionBody::ProductStatus {
                status: ProductStatus::Unresponsive,
                ..
            } => {
                issues.push(ValidationIssue::new(
                    "action.status",
                    "unresponsive is recorded with a vendor-unresponsive action by the coordinator",
                ));
            }
            ActionBody::EmbargoChanged { reason, .. } => {
                check_text("action.reason", reason, 1, 2_000, &mut issues);
            }
            _ => {}
        }
        valid_or_invalid(action, issues)
    }
}

/// Why an action (or a case version) does not apply to the case as it stands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    /// The author may not take this action; the node answers "forbidden".
    #[error("{0}")]
    NotAllowed(String),
    /// The action names what the case does not have, or breaks the status table.
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    /// The case already is where the action would take it.
    #[error("{0}")]
    Conflict(String),
}

fn invalid(path: &str, message: impl Into<String>) -> WorkflowError {
    WorkflowError::Invalid {
        path: path.to_string(),
        message: message.into(),
    }
}

/// A product's status and its dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProductState {
    pub status: ProductStatus,
    pub contacted_at: Option<Timestamp>,
    /// When a status was first reported for it.
    pub answered_at: Option<Timestamp>,
    pub statement: Option<String>,
    pub updated_at: Option<Timestamp>,
}

/// A vendor's dates.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct VendorState {
    pub contacted_at: Option<Timestamp>,
    pub acknowledged_at: Option<Timestamp>,
    pub unresponsive_at: Option<Timestamp>,
}

/// One change of the embargo's end, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmbargoChange {
    pub from: Timestamp,
    pub to: Timestamp,
    pub reason: String,
    pub by: PartyId,
    pub at: Timestamp,
}

/// A case as its records make it.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseState {
    /// The latest version.
    pub case: DisclosureCase,
    pub opened_at: Timestamp,
    pub updated_at: Timestamp,
    pub embargo_end: Timestamp,
    pub cve: Option<CveId>,
    pub vendors: BTreeMap<String, VendorState>,
    /// Keyed by (vendor id, product id).
    pub products: BTreeMap<(String, String), ProductState>,
    pub embargo_changes: Vec<EmbargoChange>,
}

impl CaseState {
    /// A new case from its first version, recorded at `at`.
    pub fn open(case: DisclosureCase, at: Timestamp) -> Result<Self, WorkflowError> {
        if case.version != 1 {
            return Err(invalid(
                "version",
                format!(
                    "case {} does not exist yet: its first version is 1",
                    case.id
                ),
            ));
        }
        let mut state = CaseState {
            opened_at: at,
            updated_at: at,
            embargo_end: case.embargo_end,
            cve: case.cve.clone(),
            vendors: BTreeMap::new(),
            products: BTreeMap::new(),
            embargo_changes: Vec::new(),
            case,
        };
        state.add_new_vendors_and_products();
        Ok(state)
    }

    fn add_new_vendors_and_products(&mut self) {
        for vendor in &self.case.vendors {
            self.vendors.entry(vendor.id.clone()).or_default();
            for product in &vendor.products {
                self.products
                    .entry((vendor.id.clone(), product.id.clone()))
                    .or_insert(ProductState {
                        status: ProductStatus::NotContacted,
                        contacted_at: None,
                        answered_at: None,
                        statement: None,
                        updated_at: None,
                    });
            }
        }
    }

    /// Applies the next version of the case by its coordinator: it keeps every vendor and
    /// product, the coordinator and the embargo (moved only by an `embargo-changed` action).
    pub fn apply_version(
        &mut self,
        case: DisclosureCase,
        at: Timestamp,
    ) -> Result<(), WorkflowError> {
        if case.coordinator != self.case.coordinator {
            return Err(WorkflowError::NotAllowed(format!(
                "only the coordinator {} updates case {}",
                self.case.coordinator, self.case.id
            )));
        }
        if case.version != self.case.version + 1 {
            return Err(invalid(
                "version",
                format!(
                    "the next version of case {} is {}, not {}",
                    case.id,
                    self.case.version + 1,
                    case.version
                ),
            ));
        }
        if case.embargo_end != self.embargo_end {
            return Err(invalid(
                "embargo_end",
                format!(
                    "the embargo ends at {}; move it with an embargo-changed action, which is recorded with its reason",
                    self.embargo_end
                ),
            ));
        }
        for (vendor_index, vendor) in self.case.vendors.iter().enumerate() {
            let Some(kept) = case.vendor(&vendor.id) else {
                return Err(invalid(
                    &format!("vendors[{vendor_index}]"),
                    format!("vendor `{}` cannot be removed from the case", vendor.id),
                ));
            };
            if kept.party != vendor.party {
                return Err(invalid(
                    &format!("vendors[{vendor_index}].party"),
                    format!("vendor `{}` keeps its party", vendor.id),
                ));
            }
            for product in &vendor.products {
                if !kept
                    .products
                    .iter()
                    .any(|candidate| candidate.id == product.id)
                {
                    return Err(invalid(
                        &format!("vendors[{vendor_index}].products"),
                        format!(
                            "product `{}` of vendor `{}` cannot be removed from the case",
                            product.id, vendor.id
                        ),
                    ));
                }
            }
        }
        if case.cve.is_some() {
            self.cve = case.cve.clone();
        }
        self.case = case;
        self.updated_at = at;
        self.add_new_vendors_and_products();
        Ok(())
    }

    /// Whether `party` may take `action` on this case.
    pub fn check_author(&self, action: &DisclosureAction) -> Result<(), WorkflowError> {
        let coordinator = &self.case.coordinator;
        let author = &action.author;
        let is_coordinator = author == coordinator;
        let allowed = match &action.action {
            ActionBody::VendorContacted { .. }
            | ActionBody::VendorUnresponsive { .. }
            | ActionBody::EmbargoChanged { .. }
            | ActionBody::CveAssigned { .. } => is_coordinator,
            ActionBody::VendorAcknowledged { vendor }
            | ActionBody::ProductStatus { vendor, .. } => {
                is_coordinator
                    || self
                        .case
                        .vendor(vendor)
                        .is_some_and(|named| named.party.as_ref() == Some(author))
            }
        };
        if allowed {
            Ok(())
        } else {
            Err(WorkflowError::NotAllowed(format!(
                "{author} may not record {} on case {}: {}",
                action.action.kind(),
                self.case.id,
                match &action.action {
                    ActionBody::VendorAcknowledged { .. } | ActionBody::ProductStatus { .. } =>
                        "only the vendor's own party or the coordinator may",
                    _ => "only the coordinator may",
                }
            )))
        }
    }

    /// Applies one action recorded at `at`, or says why not (nothing changes then).
    pub fn apply_action(
        &mut self,
        action: &DisclosureAction,
        at: Timestamp,
    ) -> Result<(), WorkflowError> {
        if action.case != self.case.id {
            return Err(invalid(
                "case",
                format!(
                    "the action is about case {}, not {}",
                    action.case, self.case.id
                ),
            ));
        }
        self.check_author(action)?;
        // Every check comes before the first change, so a refused action changes nothing
        // (without copying the state: replaying a case of hundreds of vendors stays linear).
        let case_id = self.case.id;
        let next = &mut *self;
        if let Some(vendor) = action.action.vendor()
            && next.case.vendor(vendor).is_none()
        {
            return Err(invalid(
                "action.vendor",
                format!("case {case_id} has no vendor `{vendor}`"),
            ));
        }
        match &action.action {
            ActionBody::VendorContacted { vendor } => {
                let state = next.vendors.entry(vendor.clone()).or_default();
                if state.contacted_at.is_some() {
                    return Err(WorkflowError::Conflict(format!(
                        "vendor `{vendor}` was contacted already"
                    )));
                }
                let under_investigation = product_transition(
                    ProductStatus::NotContacted,
                    StatusCause::Contact,
                    ProductStatus::UnderInvestigation,
                )
                .map_err(|message| invalid("action", message))?;
                state.contacted_at = Some(at);
                for ((product_vendor, _), product) in next.products.iter_mut() {
                    if product_vendor == vendor {
                        product.contacted_at = Some(at);
                        if product.status == ProductStatus::NotContacted {
                            product.status = under_investigation;
                            product.updated_at = Some(at);
                        }
                    }
                }
            }
            ActionBody::VendorAcknowledged { vendor } => {
                let state = next.vendors.entry(vendor.clone()).or_default();
                if state.acknowledged_at.is_some() {
                    return Err(WorkflowError::Conflict(format!(
                        "vendor `{vendor}` acknowledged already"
                    )));
                }
                state.acknowledged_at = Some(at);
            }
            ActionBody::ProductStatus {
                vendor,
                product,
                status,
                statement,
            } => {
                let key = (vendor.clone(), product.clone());
                let Some(current) = next.products.get_mut(&key) else {
                    return Err(invalid(
                        "action.product",
                        format!("vendor `{vendor}` has no product `{product}` in case {case_id}"),
                    ));
                };
                if current.status == *status {
                    return Err(WorkflowError::Conflict(format!(
                        "product `{product}` of `{vendor}` is {} already",
                        status.as_str()
                    )));
                }
                current.status = product_transition(current.status, StatusCause::Report, *status)
                    .map_err(|message| invalid("action.status", message))?;
                if current.answered_at.is_none() && status.is_answered() {
                    current.answered_at = Some(at);
                }
                current.statement = statement.clone();
                current.updated_at = Some(at);
            }
            ActionBody::VendorUnresponsive { vendor } => {
                let state = next.vendors.entry(vendor.clone()).or_default();
                if state.contacted_at.is_none() {
                    return Err(invalid(
                        "action.vendor",
                        format!("vendor `{vendor}` was never contacted: it cannot be unresponsive"),
                    ));
                }
                let unresponsive = product_transition(
                    ProductStatus::UnderInvestigation,
                    StatusCause::Unresponsive,
                    ProductStatus::Unresponsive,
                )
                .map_err(|message| invalid("action", message))?;
                let waiting = |key: &(String, String), product: &ProductState| {
                    &key.0 == vendor && product.status == ProductStatus::UnderInvestigation
                };
                if !next
                    .products
                    .iter()
                    .any(|(key, product)| waiting(key, product))
                {
                    return Err(WorkflowError::Conflict(format!(
                        "vendor `{vendor}` has no product still waiting for an answer"
                    )));
                }
                if let Some(state) = next.vendors.get_mut(vendor) {
                    state.unresponsive_at = Some(at);
                }
                for (key, product) in next.products.iter_mut() {
                    if waiting(key, product) {
                        product.status = unresponsive;
                        product.updated_at = Some(at);
                    }
                }
            }
            ActionBody::EmbargoChanged {
                embargo_end,
                reason,
            } => {
                if *embargo_end == next.embargo_end {
                    return Err(WorkflowError::Conflict(format!(
                        "the embargo ends at {embargo_end} already"
                    )));
                }
                if *embargo_end <= next.case.reported_at {
                    return Err(invalid(
                        "action.embargo_end",
                        format!(
                            "{embargo_end} is before the report at {}",
                            next.case.reported_at
                        ),
                    ));
                }
                if next.is_public(at) {
                    return Err(WorkflowError::Conflict(format!(
                        "the embargo ended at {}; a public case cannot be embargoed again",
                        next.embargo_end
                    )));
                }
                next.embargo_changes.push(EmbargoChange {
                    from: next.embargo_end,
                    to: *embargo_end,
                    reason: reason.clone(),
                    by: action.author.clone(),
                    at,
                });
                next.embargo_end = *embargo_end;
            }
            ActionBody::CveAssigned { cve } => {
                if next.cve.as_ref() == Some(cve) {
                    return Err(WorkflowError::Conflict(format!(
                        "{} is assigned already",
                        cve.as_str()
                    )));
                }
                next.cve = Some(cve.clone());
            }
        }
        next.updated_at = at;
        Ok(())
    }

    /// The one rule of publication: a case is public once the clock reaches its embargo end.
    pub fn is_public(&self, now: Timestamp) -> bool {
        now >= self.embargo_end
    }

    /// Who may read the case while it is embargoed (everyone may once it is public).
    pub fn embargo_readers(&self) -> BTreeSet<PartyId> {
        self.case.embargo_readers()
    }

    /// The status of each product, counted.
    pub fn status_counts(&self) -> BTreeMap<ProductStatus, usize> {
        let mut counts = BTreeMap::new();
        for product in self.products.values() {
            *counts.entry(product.status).or_insert(0) += 1;
        }
        counts
    }
}

/// The disclosure policy (one type, read from a norms document's `[disclosure]` table by
/// redline-norms): `redline_model::DisclosurePolicy`.
pub use redline_model::DisclosurePolicy;

redline_model::vocabulary! {
    /// Which duty a vendor deadline is.
    VendorDuty {
        Acknowledgement => "acknowledgement",
        Status => "status",
    }
}

/// One vendor deadline of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VendorDeadline {
    pub vendor: String,
    pub duty: VendorDuty,
    pub due_at: Timestamp,
    /// Met: acknowledged (or answered), or every product answered.
    pub met: bool,
}

/// Every vendor deadline of a case under `policy`, met or not.
pub fn vendor_deadlines(state: &CaseState, policy: &DisclosurePolicy) -> Vec<VendorDeadline> {
    let mut deadlines = Vec::new();
    for (vendor_id, vendor) in &state.vendors {
        let Some(contacted_at) = vendor.contacted_at else {
            continue;
        };
        let products: Vec<&ProductState> = state
            .products
            .iter()
            .filter(|((product_vendor, _), _)| product_vendor == vendor_id)
            .map(|(_, product)| product)
            .collect();
        let any_answered = products.iter().any(|product| product.answered_at.is_some());
        let all_answered = products.iter().all(|product| product.status.is_answered());
        let duties = [
            (
                VendorDuty::Acknowledgement,
                policy.acknowledge_days,
                vendor.acknowledged_at.is_some() || any_answered,
            ),
            (VendorDuty::Status, policy.status_days, all_answered),
        ];
        for (duty, days, met) in duties {
            if let Some(due_at) = contacted_at.plus_seconds(days.saturating_mul(86_400)) {
                deadlines.push(VendorDeadline {
                    vendor: vendor_id.clone(),
                    duty,
                    due_at,
                    met,
                });
            }
        }
    }
    deadlines
}

/// The deadlines that have passed unmet at `now`.
pub fn missed_deadlines(
    state: &CaseState,
    policy: &DisclosurePolicy,
    now: Timestamp,
) -> Vec<VendorDeadline> {
    vendor_deadlines(state, policy)
        .into_iter()
        .filter(|deadline| !deadline.met && deadline.due_at < now)
        .collect()
}

/// The JSON Schema (draft 2020-12) of an action's payload
/// (`schemas/disclosure-action.schema.json`).
pub fn disclosure_action_json_schema() -> serde_json::Value {
    schemars::schema_for!(DisclosureAction).to_value()
}
