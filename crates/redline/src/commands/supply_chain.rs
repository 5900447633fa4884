//! Supply-chain notices at the command line (GGE 13(i)): `redline supply-chain
//! notify|acknowledge|show|list`.
//!
//! A notice is read from a JSON file (the payload of `schemas/supply-chain-notice.schema.json`
//! without `v`, `id`, `notifying_party` and `signed_at`), checked by the core's parser (a
//! mistake is named by its JSON path before anything is signed), signed with the notifying
//! party's key and sent; an acknowledgement is built from flags the same way. The node decides
//! the rest: who it is addressed to, the deadline, who may read it.

use std::path::PathBuf;

use redline_disclosure::{
    Exposure, NOTICE_ACKNOWLEDGEMENT_PAYLOAD_TYPE, NOTICE_PAYLOAD_TYPE, NoticeAcknowledgement,
    SupplyChainNotice,
};
use redline_node::{Caller, NodeError};
use serde_json::Value;
use uuid::Uuid;

use super::RemoteOptions;
use super::disclosure::text;
use super::hotline::Target;
use super::signed_records::{
    SignedCommandOptions, list_records, open_signed, post_envelope, print_records,
    read_payload_object, read_record, sign_checked,
};
use crate::{config::Settings, output::Format};

#[derive(Debug, clap::Subcommand)]
pub enum SupplyChainCommand {
    /// Notify every party that a product or its update channel is compromised, from a JSON
    /// file, signed as the notifying party.
    Notify(NotifyArguments),
    /// Acknowledge a notice with your exposure (the first acknowledgement meets the deadline;
    /// later ones update the exposure).
    Acknowledge(AcknowledgeArguments),
    /// A notice with every party's acknowledgement, deadline and exposure.
    Show(ShowArguments),
    /// The notices you may read.
    List(ListArguments),
}

#[derive(Debug, clap::Args)]
pub struct NotifyArguments {
    /// The notice as JSON (schemas/supply-chain-notice.schema.json, without `v`, `id`,
    /// `notifying_party` and `signed_at`).
    #[arg(long, value_name = "FILE")]
    file: PathBuf,
    #[command(flatten)]
    common: SignedCommandOptions,
}

#[derive(Debug, clap::Args)]
pub struct AcknowledgeArguments {
    #[arg(long, value_name = "ID")]
    notice: Uuid,
    /// received, investigating, affected, mitigated or not-affected.
    #[arg(long, value_name = "EXPOSURE")]
    exposure: String,
    #[arg(long, value_name = "TEXT")]
    note: Option<String>,
    #[command(flatten)]
    common: SignedCommandOptions,
}

#[derive(Debug, clap::Args)]
pub struct ShowArguments {
    #[arg(long, value_name = "ID")]
    notice: Uuid,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    #[command(flatten)]
    remote: RemoteOptions,
}

#[derive(Debug, clap::Args)]
pub struct ListArguments {
    #[arg(long, default_value_t = 100)]
    limit: u32,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    #[command(flatten)]
    remote: RemoteOptions,
}

pub async fn run(settings: &Settings, command: SupplyChainCommand) -> anyhow::Result<()> {
    match command {
        SupplyChainCommand::Notify(arguments) => notify(settings, arguments).await,
        SupplyChainCommand::Acknowledge(arguments) => acknowledge(settings, arguments).await,
        SupplyChainCommand::Show(arguments) => {
            let target = Target::open(settings, &arguments.remote, "supply-chain show").await?;
            let notice = arguments.notice;
            let view = read_record(
                &target,
                &format!("/api/v1/supply-chain-notices/{notice}"),
                &[],
                |node| async move {
                    node.supply_chain_notice(Some(&Caller::Operator), notice)
                        .await
                },
            )
            .await?;
            target.close().await;
            finish(&view, arguments.format)
        }
        SupplyChainCommand::List(arguments) => {
            let target = Target::open(settings, &arguments.remote, "supply-chain list").await?;
            let limit = arguments.limit;
            let notices = list_records(
                &target,
                "/api/v1/supply-chain-notices",
                limit,
                "notices",
                |node| async move {
                    node.list_supply_chain_notices(Some(&Caller::Operator), limit)
                        .await
                },
            )
            .await?;
            target.close().await;
            let header = format!(
                "{:<36}  {:<8}  {:<12}  {:>9}  {:>8}  TITLE",
                "NOTICE", "FROM", "TLP", "ACKED", "AFFECTED"
            );
            print_records(&notices, arguments.format, &header, |notice| {
                format!(
                    "{:<36}  {:<8}  {:<12}  {:>9}  {:>8}  {}",
                    text(&notice["id"]),
                    text(&notice["notifying_party"]),
                    text(&notice["tlp"]),
                    format!(
                        "{}/{}",
                        text(&notice["acknowledged_count"]),
                        text(&notice["recipient_count"])
                    ),
                    text(&notice["affected_count"]),
                    text(&notice["title"])
                )
            })
        }
    }
}

async fn notify(settings: &Settings, arguments: NotifyArguments) -> anyhow::Result<()> {
    let (target, signer) = open_signed(settings, &arguments.common, "supply-chain notify").await?;
    let mut object = read_payload_object(&arguments.file, "a notice")?;
    object.insert("v".into(), Value::from(1));
    object.insert("id".into(), Value::from(Uuid::new_v4().to_string()));
    object.insert(
        "notifying_party".into(),
        Value::from(signer.party.to_string()),
    );
    object.insert("signed_at".into(), Value::from(target.now().to_string()));
    let envelope = sign_checked(
        NOTICE_PAYLOAD_TYPE,
        serde_json::to_vec(&object)?,
        &signer,
        SupplyChainNotice::parse,
    )?;
    let view = post_envelope(
        &target,
        "/api/v1/supply-chain-notices",
        envelope,
        |node, envelope| async move {
            node.issue_supply_chain_notice(&Caller::Operator, &envelope)
                .await
        },
    )
    .await?;
    target.close().await;
    finish(&view, arguments.common.format)
}

async fn acknowledge(settings: &Settings, arguments: AcknowledgeArguments) -> anyhow::Result<()> {
    let exposure = Exposure::parse(arguments.exposure.trim()).ok_or_else(|| {
        NodeError::invalid(
            "--exposure",
            format!(
                "`{}` is not an exposure: received, investigating, affected, mitigated or not-affected",
                arguments.exposure
            ),
        )
    })?;
    let (target, signer) =
        open_signed(settings, &arguments.common, "supply-chain acknowledge").await?;
    let acknowledgement = NoticeAcknowledgement {
        v: 1,
        id: Uuid::new_v4(),
        notice: arguments.notice,
        party: signer.party.clone(),
        exposure,
        note: arguments.note.clone(),
        signed_at: target.now(),
    };
    let envelope = sign_checked(
        NOTICE_ACKNOWLEDGEMENT_PAYLOAD_TYPE,
        serde_json::to_vec(&acknowledgement)?,
        &signer,
        NoticeAcknowledgement::parse,
    )?;
    let notice = arguments.notice;
    let view = post_envelope(
        &target,
        &format!("/api/v1/supply-chain-notices/{notice}/acknowledgements"),
        envelope,
        |node, envelope| async move {
            node.acknowledge_supply_chain_notice(&Caller::Operator, notice, &envelope)
                .await
        },
    )
    .await?;
    target.close().await;
    finish(&view, arguments.common.format)
}

/// The notice as JSON, or its acknowledgement matrix as a table.
fn finish(view: &Value, format: Format) -> anyhow::Result<()> {
    match format {
        Format::Json => crate::output::print_json(view),
        Format::Table => {
            let notice = &view["notice"];
            println!("notice          {}", text(&notice["id"]));
            println!("title           {}", text(&notice["title"]));
            println!("notifying party {}", text(&notice["notifying_party"]));
            println!("compromise      {}", text(&notice["compromise"]));
            println!("tlp             {}", text(&notice["tlp"]));
            println!("issued          {}", text(&view["issued_at"]));
            println!("acknowledge by  {}", text(&view["acknowledge_by"]));
            println!();
            println!(
                "{:<10}  {:<8}  {:<27}  {:<13}  NOTE",
                "PARTY", "STANDING", "ACKNOWLEDGED", "EXPOSURE"
            );
            for recipient in view["recipients"].as_array().into_iter().flatten() {
                println!(
                    "{:<10}  {:<8}  {:<27}  {:<13}  {}",
                    text(&recipient["party"]),
                    text(&recipient["standing"]),
                    text(&recipient["acknowledged_at"]),
                    text(&recipient["exposure"]),
                    text(&recipient["note"])
                );
            }
            Ok(())
        }
    }
}
