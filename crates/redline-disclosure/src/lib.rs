//! redline-disclosure: the pure core of coordinated vulnerability disclosure (GGE norm 13(j)).
//!
//! - `case.rs` — the signed case version (`DisclosureCase`): reporter, coordinator, vendors and
//!   products, CVSS, CWE, CVE, the embargo end in UTC; the rules a version meets on its own.
//! - `cvss_vector.rs` — CVSS 4.0 and 3.1 vectors through the `cvss` crate, kept canonical, scored.
//! - `product_identifier.rs` — purl (the `packageurl` crate) and CPE 2.3 formatted strings.
//! - `workflow.rs` — the signed actions, the product status table, who may do what, the
//!   replay into `CaseState`, the disclosure policy's deadlines, the publication rule.
//! - `csaf.rs` — the CSAF security advisory of a public case: CSAF 2.0 (the default) and CSAF 2.1
//!   (a committee specification draft) from the same facts.
//! - `cve_record.rs` — the CVE JSON 5 record of a case with a CVE id.
//! - `stix.rs` — a public case as a STIX 2.1 `vulnerability`.
//! - `supply_chain.rs` — supply-chain notices (13(i)) to every party, their acknowledgements
//!   and each party's acknowledgement duty.
//!
//! No I/O and no clock: the node passes the time in.

pub mod case;
pub mod csaf;
pub mod cve_record;
pub mod cvss_vector;
pub mod product_identifier;
pub mod stix;
pub mod supply_chain;
pub mod workflow;

pub use case::{
    CASE_PAYLOAD_TYPE, CveId, Cwe, DISCLOSURE_PAYLOAD_VERSION, DisclosureCase, Product, Reporter,
    Vendor, disclosure_case_json_schema,
};
pub use csaf::{
    AdvisoryCvssV4, AdvisoryFacts, AdvisoryPublisher, CWE_LIST_VERSION, CsafVersion,
    csaf_file_name, render_csaf,
};
pub use cve_record::{CveAssigner, cve_record, cve_status};
pub use cvss_vector::{CvssV4, CvssV31};
pub use product_identifier::{Cpe23, ProductIdentifier, Purl};
pub use stix::{case_bundle, case_vulnerability, vulnerability_id};
pub use supply_chain::{
    AcknowledgementDuty, CompromiseKind, CompromisedProduct, DutyStanding, Exposure, Indicator,
    IndicatorKind, NOTICE_ACKNOWLEDGEMENT_PAYLOAD_TYPE, NOTICE_PAYLOAD_TYPE, NoticeAcknowledgement,
    NoticeError, NoticeState, RecipientState, SupplyChainNotice, UpdateChannel,
    acknowledgement_duties, notice_acknowledgement_json_schema, reads_exposure_counts,
    reads_exposure_of, supply_chain_notice_json_schema,
};
pub use workflow::{
    ACTION_PAYLOAD_TYPE, ActionBody, CaseState, DisclosureAction, DisclosurePolicy, EmbargoChange,
    PRODUCT_STATUS_TRANSITIONS, ProductState, ProductStatus, StatusCause, VendorDeadline,
    VendorDuty, VendorState, WorkflowError, disclosure_action_json_schema, missed_deadlines,
    product_transition, vendor_deadlines,
};
