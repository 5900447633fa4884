//! `redline schema`: the JSON Schemas of redline's documents. The incident report's and the
//! hotline message's are API contracts; the norms document's, the scenario's and the exercise file's describe TOML files
//! (published under `schemas/`, which the shipped files name with taplo's `#:schema` directive,
//! so editors complete and check them).

use redline_model::commitments::CommitmentPayload;
use redline_model::incident_report_json_schema;
use redline_norms::norms_document_json_schema;
use redline_sim::{exercise_json_schema, scenario_json_schema};

#[derive(Debug, clap::Subcommand)]
pub enum SchemaCommand {
    /// The JSON Schema (draft 2020-12) of the incident report.
    Incident,
    /// The JSON Schema of a norms document's TOML (schemas/norms-document.schema.json).
    Norms,
    /// The JSON Schema of a simulator scenario's TOML (schemas/scenario.schema.json).
    Scenario,
    /// The JSON Schema of a tabletop exercise file's TOML (schemas/exercise.schema.json).
    Exercise,
    /// The JSON Schema of a disclosure case version's signed payload
    /// (schemas/disclosure-case.schema.json).
    DisclosureCase,
    /// The JSON Schema of a disclosure action's signed payload
    /// (schemas/disclosure-action.schema.json).
    DisclosureAction,
    /// The JSON Schema of a supply-chain notice's signed payload
    /// (schemas/supply-chain-notice.schema.json).
    SupplyChainNotice,
    /// The JSON Schema of a supply-chain notice acknowledgement's signed payload
    /// (schemas/supply-chain-acknowledgement.schema.json).
    SupplyChainAcknowledgement,
    /// The JSON Schema of a hotline message's signed payload, every kind's body tied to its
    /// `kind` (schemas/hotline-message.schema.json).
    HotlineMessage,
    /// The JSON Schema of a signed commitment payload
    /// (schemas/commitment-NAME.schema.json).
    Commitment {
        #[arg(value_enum)]
        payload: CommitmentPayloadName,
    },
}

/// The commitment payloads by name (`redline_model::commitments::CommitmentPayload`).
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum CommitmentPayloadName {
    Adoption,
    ImplementationReport,
    ReviewRoundOpening,
    PeerReview,
    ReviewAnswer,
    ReviewRoundClosing,
    CapacityBuilding,
}

impl CommitmentPayloadName {
    fn payload(self) -> CommitmentPayload {
        match self {
            CommitmentPayloadName::Adoption => CommitmentPayload::Adoption,
            CommitmentPayloadName::ImplementationReport => CommitmentPayload::ImplementationReport,
            CommitmentPayloadName::ReviewRoundOpening => CommitmentPayload::ReviewRoundOpening,
            CommitmentPayloadName::PeerReview => CommitmentPayload::PeerReview,
            CommitmentPayloadName::ReviewAnswer => CommitmentPayload::ReviewAnswer,
            CommitmentPayloadName::ReviewRoundClosing => CommitmentPayload::ReviewRoundClosing,
            CommitmentPayloadName::CapacityBuilding => CommitmentPayload::CapacityBuilding,
        }
    }
}

pub fn run(command: SchemaCommand) -> anyhow::Result<()> {
    let schema = match command {
        SchemaCommand::Incident => incident_report_json_schema(),
        SchemaCommand::Norms => norms_document_json_schema(),
        SchemaCommand::Scenario => scenario_json_schema(),
        SchemaCommand::Exercise => exercise_json_schema(),
        SchemaCommand::DisclosureCase => redline_disclosure::disclosure_case_json_schema(),
        SchemaCommand::DisclosureAction => redline_disclosure::disclosure_action_json_schema(),
        SchemaCommand::SupplyChainNotice => redline_disclosure::supply_chain_notice_json_schema(),
        SchemaCommand::SupplyChainAcknowledgement => {
            redline_disclosure::notice_acknowledgement_json_schema()
        }
        SchemaCommand::Commitment { payload } => payload.payload().json_schema(),
        SchemaCommand::HotlineMessage => redline_hotline::hotline_message_json_schema(),
    };
    crate::output::print_json(&schema)
}
