//! Coordinated vulnerability disclosure at the command line: `redline disclosure
//! open|contact|acknowledge|status|unresponsive|embargo|cve|show|list|csaf`.
//!
//! A case version is read from a JSON file (the payload of `schemas/disclosure-case.schema.json`
//! without `v`, `signed_at` and, for a new case, `id` and `version`; a missing `embargo_end` is
//! the disclosure policy's default after `reported_at` — the `[disclosure]` table of the norms
//! document the coordinator adopted, else the baseline's 90 days, as the node answers it —),
//! checked by the core's parser
//! (a mistake is named by its JSON path before anything is signed), signed with the
//! coordinator's key and sent. Each action is built from flags the same way. The node decides
//! the rest: who may do what, the status table, the embargo.

use std::path::PathBuf;

use redline_disclosure::{
    ACTION_PAYLOAD_TYPE, ActionBody, CASE_PAYLOAD_TYPE, CsafVersion, CveId, DisclosureAction,
    DisclosureCase, DisclosurePolicy, ProductStatus,
};
use redline_model::PartyId;
use redline_model::Timestamp;
use redline_node::{Caller, NodeError};
use serde_json::Value;
use uuid::Uuid;

use super::RemoteOptions;
use super::hotline::Target;
use super::signed_records::{
    SignedCommandOptions, list_records, open_signed, post_envelope, print_records,
    read_payload_object, read_record, sign_checked,
};
use crate::{config::Settings, output::Format};

#[derive(Debug, clap::Subcommand)]
pub enum DisclosureCommand {
    /// Open a case (version 1) from a JSON file, or file its next version (`--case ID`), as its
    /// coordinator.
    Open(OpenArguments),
    /// As the coordinator, record that a vendor was contacted (its deadlines start).
    Contact(VendorArguments),
    /// As the vendor (or the coordinator for it), acknowledge the report.
    Acknowledge(VendorArguments),
    /// Report a product's status: affected, not-affected, under-investigation or fixed.
    Status(StatusArguments),
    /// As the coordinator, record that a vendor did not answer.
    Unresponsive(VendorArguments),
    /// As the coordinator, move the embargo's end (recorded with its reason and logged).
    Embargo(EmbargoArguments),
    /// As the coordinator, record the CVE id assigned.
    Cve(CveArguments),
    /// A case with its vendor status matrix, deadlines and embargo changes.
    Show(ShowArguments),
    /// The cases you may read.
    List(ListArguments),
    /// The case's CSAF advisory (JSON): CSAF 2.0, or 2.1 with `--csaf-version 2.1`.
    Csaf(CsafArguments),
    /// The case's CVE JSON 5 record (JSON), for a CNA to publish.
    CveRecord(CveRecordArguments),
}

#[derive(Debug, clap::Args)]
pub struct CveRecordArguments {
    #[arg(long, value_name = "ID")]
    case: Uuid,
    /// The CNA's organisation id at the CVE Program (a version-4 UUID).
    #[arg(long, value_name = "UUID")]
    org_id: Uuid,
    /// The CNA's short name.
    #[arg(long, value_name = "NAME")]
    short_name: String,
    #[command(flatten)]
    remote: RemoteOptions,
}

#[derive(Debug, clap::Args)]
pub struct OpenArguments {
    /// The case as JSON (schemas/disclosure-case.schema.json, without `v` and `signed_at`).
    #[arg(long, value_name = "FILE")]
    file: PathBuf,
    /// File the next version of this case instead of opening a new one.
    #[arg(long, value_name = "ID")]
    case: Option<Uuid>,
    #[command(flatten)]
    common: SignedCommandOptions,
}

#[derive(Debug, clap::Args)]
pub struct VendorArguments {
    #[arg(long, value_name = "ID")]
    case: Uuid,
    /// The vendor's id in the case.
    #[arg(long, value_name = "VENDOR")]
    vendor: String,
    #[command(flatten)]
    common: SignedCommandOptions,
}

#[derive(Debug, clap::Args)]
pub struct StatusArguments {
    #[arg(long, value_name = "ID")]
    case: Uuid,
    #[arg(long, value_name = "VENDOR")]
    vendor: String,
    #[arg(long, value_name = "PRODUCT")]
    product: String,
    /// affected, not-affected, under-investigation or fixed.
    #[arg(long, value_name = "STATUS")]
    status: String,
    /// A fix, a mitigation, or why the product is not affected.
    #[arg(long, value_name = "TEXT")]
    statement: Option<String>,
    #[command(flatten)]
    common: SignedCommandOptions,
}

#[derive(Debug, clap::Args)]
pub struct EmbargoArguments {
    #[arg(long, value_name = "ID")]
    case: Uuid,
    /// The new end, RFC 3339 with an offset (`2026-12-15T12:00:00Z`); stored in UTC.
    #[arg(long, value_name = "TIME")]
    until: String,
    #[arg(long, value_name = "TEXT")]
    reason: String,
    #[command(flatten)]
    common: SignedCommandOptions,
}

#[derive(Debug, clap::Args)]
pub struct CveArguments {
    #[arg(long, value_name = "ID")]
    case: Uuid,
    #[arg(long, value_name = "CVE")]
    cve: String,
    #[command(flatten)]
    common: SignedCommandOptions,
}

#[derive(Debug, clap::Args)]
pub struct ShowArguments {
    #[arg(long, value_name = "ID")]
    case: Uuid,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    #[command(flatten)]
    remote: RemoteOptions,
}

#[derive(Debug, clap::Args)]
pub struct CsafArguments {
    #[arg(long, value_name = "ID")]
    case: Uuid,
    /// 2.0 (the OASIS Standard) or 2.1 (the OASIS CSAF TC's committee specification draft,
    /// with the CVSS 4.0 vector and base score in metrics[].content.cvss_v4).
    #[arg(long, value_name = "VERSION", default_value = "2.0", value_parser = parse_csaf_version)]
    csaf_version: CsafVersion,
    #[command(flatten)]
    remote: RemoteOptions,
}

fn parse_csaf_version(text: &str) -> Result<CsafVersion, String> {
    CsafVersion::parse(text)
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

pub async fn run(settings: &Settings, command: DisclosureCommand) -> anyhow::Result<()> {
    match command {
        DisclosureCommand::Open(arguments) => open(settings, arguments).await,
        DisclosureCommand::Contact(arguments) => {
            let body = ActionBody::VendorContacted {
                vendor: arguments.vendor.clone(),
            };
            act(settings, arguments.case, body, arguments.common, "contact").await
        }
        DisclosureCommand::Acknowledge(arguments) => {
            let body = ActionBody::VendorAcknowledged {
                vendor: arguments.vendor.clone(),
            };
            act(
                settings,
                arguments.case,
                body,
                arguments.common,
                "acknowledge",
            )
            .await
        }
        DisclosureCommand::Unresponsive(arguments) => {
            let body = ActionBody::VendorUnresponsive {
                vendor: arguments.vendor.clone(),
            };
            act(
                settings,
                arguments.case,
                body,
                arguments.common,
                "unresponsive",
            )
            .await
        }
        DisclosureCommand::Status(arguments) => {
            let status = ProductStatus::parse(arguments.status.trim())
                .ok_or_else(|| {
                    NodeError::invalid(
                        "--status",
                        format!(
                            "`{}` is not a status: affected, not-affected, under-investigation or fixed",
                            arguments.status
                        ),
                    )
                })?;
            let body = ActionBody::ProductStatus {
                vendor: arguments.vendor.clone(),
                product: arguments.product.clone(),
                status,
                statement: arguments.statement.clone(),
            };
            act(settings, arguments.case, body, arguments.common, "status").await
        }
        DisclosureCommand::Embargo(arguments) => {
            let embargo_end = Timestamp::parse(arguments.until.trim())
                .map_err(|message| NodeError::invalid("--until", message))?;
            let body = ActionBody::EmbargoChanged {
                embargo_end,
                reason: arguments.reason.clone(),
            };
            act(settings, arguments.case, body, arguments.common, "embargo").await
        }
        DisclosureCommand::Cve(arguments) => {
            let cve = CveId::parse(arguments.cve.trim())
                .map_err(|message| NodeError::invalid("--cve", message))?;
            act(
                settings,
                arguments.case,
                ActionBody::CveAssigned { cve },
                arguments.common,
                "cve",
            )
            .await
        }
        DisclosureCommand::Show(arguments) => {
            let target = Target::open(settings, &arguments.remote, "disclosure show").await?;
            let view = fetch_case(
                &target,
                &format!("/api/v1/disclosure/cases/{}", arguments.case),
                arguments.case,
            )
            .await?;
            target.close().await;
            finish(&view, arguments.format)
        }
        DisclosureCommand::Csaf(arguments) => {
            let target = Target::open(settings, &arguments.remote, "disclosure csaf").await?;
            let advisory = match &target {
                Target::Remote(client) => {
                    client
                        .get(
                            &format!("/api/v1/disclosure/cases/{}/csaf", arguments.case),
                            &[("version", arguments.csaf_version.to_string())],
                        )
                        .await?
                }
                Target::Local(node) => {
                    node.disclosure_advisory(
                        Some(&Caller::Operator),
                        arguments.case,
                        "https://redline.invalid",
                        arguments.csaf_version,
                    )
                    .await?
                }
            };
            target.close().await;
            crate::output::print_json(&advisory)
        }
        DisclosureCommand::CveRecord(arguments) => {
            let assigner =
                redline_disclosure::CveAssigner::new(arguments.org_id, &arguments.short_name)
                    .map_err(|message| NodeError::invalid("--org-id", message))?;
            let target = Target::open(settings, &arguments.remote, "disclosure cve-record").await?;
            let record = match &target {
                Target::Remote(client) => {
                    client
                        .get(
                            &format!("/api/v1/disclosure/cases/{}/cve", arguments.case),
                            &[
                                ("org_id", arguments.org_id.to_string()),
                                ("short_name", arguments.short_name.clone()),
                            ],
                        )
                        .await?
                }
                Target::Local(node) => {
                    node.disclosure_cve_record(
                        Some(&Caller::Operator),
                        arguments.case,
                        &assigner,
                        "https://redline.invalid",
                    )
                    .await?
                }
            };
            target.close().await;
            crate::output::print_json(&record)
        }
        DisclosureCommand::List(arguments) => {
            let target = Target::open(settings, &arguments.remote, "disclosure list").await?;
            let limit = arguments.limit;
            let cases = list_records(
                &target,
                "/api/v1/disclosure/cases",
                limit,
                "cases",
                |node| async move {
                    node.list_disclosure_cases(Some(&Caller::Operator), limit)
                        .await
                },
            )
            .await?;
            target.close().await;
            let header = format!(
                "{:<36}  {:<8}  {:>7}  {:<20}  TITLE",
                "CASE", "SEVERITY", "VENDORS", "EMBARGO END (UTC)"
            );
            print_records(&cases, arguments.format, &header, |case| {
                format!(
                    "{:<36}  {:<8}  {:>7}  {:<20}  {}",
                    text(&case["id"]),
                    text(&case["severity"]),
                    text(&case["vendor_count"]),
                    text(&case["embargo_end"]),
                    text(&case["title"])
                )
            })
        }
    }
}

/// A case as its reader sees it, from the node at `path` or the local store.
async fn fetch_case(target: &Target, path: &str, case: Uuid) -> anyhow::Result<Value> {
    read_record(target, path, &[], |node| async move {
        node.disclosure_case(Some(&Caller::Operator), case).await
    })
    .await
}

/// The disclosure policy a case coordinated by `coordinator` follows, as the node decides it
/// (`GET /api/v1/disclosure/policy`, or the local node).
async fn policy_of(target: &Target, coordinator: &PartyId) -> anyhow::Result<DisclosurePolicy> {
    Ok(match target {
        Target::Remote(client) => {
            let answer = client
                .get(
                    "/api/v1/disclosure/policy",
                    &[("coordinator", coordinator.to_string())],
                )
                .await?;
            let days = |key: &str| {
                answer[key].as_i64().ok_or_else(|| {
                    anyhow::anyhow!("the node's disclosure policy has no whole `{key}`: {answer}")
                })
            };
            DisclosurePolicy {
                acknowledge_days: days("acknowledge_days")?,
                status_days: days("status_days")?,
                embargo_days: days("embargo_days")?,
            }
        }
        Target::Local(node) => node.disclosure_policy(coordinator).await.policy,
    })
}

async fn open(settings: &Settings, arguments: OpenArguments) -> anyhow::Result<()> {
    let (target, signer) = open_signed(settings, &arguments.common, "disclosure open").await?;
    let mut object = read_payload_object(&arguments.file, "a case")?;
    let (id, version) = match arguments.case {
        Some(id) => {
            let current =
                fetch_case(&target, &format!("/api/v1/disclosure/cases/{id}"), id).await?;
            let version = current["version"].as_u64().unwrap_or(0) + 1;
            (id, version)
        }
        None => (Uuid::new_v4(), 1),
    };
    object.insert("v".into(), Value::from(1));
    object.insert("id".into(), Value::from(id.to_string()));
    object.insert("version".into(), Value::from(version));
    object.insert("coordinator".into(), Value::from(signer.party.to_string()));
    object.insert("signed_at".into(), Value::from(target.now().to_string()));
    if !object.contains_key("embargo_end")
        && let Some(reported_at) = object
            .get("reported_at")
            .and_then(Value::as_str)
            .and_then(|text| Timestamp::parse(text).ok())
        && let Some(end) = policy_of(&target, &signer.party)
            .await?
            .default_embargo_end(reported_at)
    {
        object.insert("embargo_end".into(), Value::from(end.to_string()));
    }
    let envelope = sign_checked(
        CASE_PAYLOAD_TYPE,
        serde_json::to_vec(&object)?,
        &signer,
        DisclosureCase::parse,
    )?;
    let view = post_envelope(
        &target,
        "/api/v1/disclosure/cases",
        envelope,
        |node, envelope| async move {
            node.file_disclosure_case(&Caller::Operator, &envelope)
                .await
        },
    )
    .await?;
    target.close().await;
    finish(&view, arguments.common.format)
}

async fn act(
    settings: &Settings,
    case: Uuid,
    body: ActionBody,
    common: SignedCommandOptions,
    command: &str,
) -> anyhow::Result<()> {
    let (target, signer) = open_signed(settings, &common, &format!("disclosure {command}")).await?;
    let action = DisclosureAction {
        v: 1,
        id: Uuid::new_v4(),
        case,
        author: signer.party.clone(),
        action: body,
        signed_at: target.now(),
    };
    let envelope = sign_checked(
        ACTION_PAYLOAD_TYPE,
        serde_json::to_vec(&action)?,
        &signer,
        DisclosureAction::parse,
    )?;
    let view = post_envelope(
        &target,
        &format!("/api/v1/disclosure/cases/{case}/actions"),
        envelope,
        |node, envelope| async move {
            node.record_disclosure_action(&Caller::Operator, case, &envelope)
                .await
        },
    )
    .await?;
    target.close().await;
    finish(&view, common.format)
}

/// A JSON value as a table cell: text as is, null as a dash.
pub(crate) fn text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => "—".to_string(),
        other => other.to_string(),
    }
}

/// The case as JSON, or its vendor status matrix as a table.
fn finish(view: &Value, format: Format) -> anyhow::Result<()> {
    match format {
        Format::Json => crate::output::print_json(view),
        Format::Table => {
            println!("case        {}", text(&view["id"]));
            println!("title       {}", text(&view["title"]));
            println!("coordinator {}", text(&view["coordinator"]));
            println!(
                "cvss 4.0    {} ({} {})",
                text(&view["cvss_v4"]["vector"]),
                text(&view["cvss_v4"]["score"]),
                text(&view["cvss_v4"]["severity"])
            );
            println!("cve         {}", text(&view["cve"]));
            println!(
                "embargo end {} (UTC){}",
                text(&view["embargo_end"]),
                if view["public"] == Value::Bool(true) {
                    ", public"
                } else {
                    ", embargoed"
                }
            );
            println!();
            println!(
                "{:<24}  {:<24}  {:<20}  {:<20}  ANSWERED",
                "VENDOR", "PRODUCT", "STATUS", "CONTACTED"
            );
            for vendor in view["vendors"].as_array().into_iter().flatten() {
                for product in vendor["products"].as_array().into_iter().flatten() {
                    println!(
                        "{:<24}  {:<24}  {:<20}  {:<20}  {}",
                        text(&vendor["id"]),
                        text(&product["id"]),
                        text(&product["status"]),
                        text(&product["contacted_at"]),
                        text(&product["answered_at"])
                    );
                }
            }
            Ok(())
        }
    }
}
