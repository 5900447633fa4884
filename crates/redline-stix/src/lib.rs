//! redline-stix: the STIX 2.1 wire types redline exchanges and the mapping between the
//! redline incident report and STIX.
//!
//! Pure: no I/O, no clock, no randomness. Ids and times come from the incidents being exported
//! or are derived deterministically, so exporting the same incidents twice gives the same bytes.
//!
//! - [`common`]: identifiers, timestamps, external references, derived ids;
//! - [`objects`]: the SDOs/SROs and [`StixObject`];
//! - [`bundle`]: bundles, read object by object;
//! - [`marking`]: the TLP 2.0 marking definitions;
//! - [`pattern`]: the STIX patterning parser;
//! - [`extension`]: the redline incident extension and its schema;
//! - [`mapping`]: incident ↔ STIX;
//! - [`taxii`]: TAXII envelopes and bundles read into raw objects, and the facts of one object;
//! - [`attribution`]: attribution claims ↔ STIX (report, threat actor, `attributed-to`, opinions);
//! - [`access`]: who may read (TLP) and who may write (authorship) a STIX object version.

pub mod access;
pub mod attribution;
pub mod bundle;
pub mod common;
pub mod extension;
pub mod mapping;
pub mod marking;
pub mod objects;
pub mod pattern;
pub mod taxii;

pub use attribution::{
    ClaimExport, ClaimImportError, ImportedClaim, claim_to_stix, claims_from_stix,
};
pub use bundle::{Bundle, BundleError, BundleObjectError, ParsedBundle, parse_bundle};
pub use common::{StixIdentifier, StixTimestamp};
pub use mapping::{
    ExportContext, ImportError, export_incidents, import_incident, import_incidents,
};
pub use objects::{ObjectError, StixObject};
pub use pattern::{PatternError, parse_pattern};
