//! `redline notifications`: the operator's view of parties' webhooks and e-mail addresses on the
//! local node — add (a webhook's secret printed once), list, remove — and the delivery log.
//! Parties manage their own over HTTP (`/api/v1/notifications/…`); the rules are the node's.

use redline_model::PartyId;
use redline_node::{Caller, CreatedSubscription, NodeError};
use uuid::Uuid;

use crate::{config::Settings, output::Format};

#[derive(Debug, clap::Subcommand)]
pub enum NotificationsCommand {
    /// Add a webhook for a party: each of its events is POSTed there as signed JSON. Prints the
    /// signing secret (shown only this once).
    AddWebhook {
        /// The party whose events it gets.
        #[arg(long)]
        party: String,
        /// http(s) URL; not this node, and not a private address unless
        /// `notification_allow_private_targets` is set.
        #[arg(long)]
        url: String,
        /// Event kinds (repeat): message, reminder, overdue-alert, thread-state, consultation
        /// (default: message, reminder, overdue-alert).
        #[arg(long = "event", value_name = "KIND")]
        events: Vec<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Add an e-mail address for a party (needs `smtp_host` and `smtp_from`).
    AddEmail {
        #[arg(long)]
        party: String,
        #[arg(long)]
        address: String,
        #[arg(long = "event", value_name = "KIND")]
        events: Vec<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// List the subscriptions of one party, or of every party.
    List {
        #[arg(long)]
        party: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Remove a subscription by id; its deliveries not yet made are cancelled.
    Remove { id: String },
    /// The delivery log, newest first: status and every attempt.
    Deliveries {
        #[arg(long)]
        party: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

fn party_id(text: &str) -> Result<PartyId, NodeError> {
    PartyId::parse(text).map_err(|message| NodeError::invalid("party", message))
}

fn events_of(events: Vec<String>) -> Option<Vec<String>> {
    (!events.is_empty()).then_some(events)
}

fn print_created(created: &CreatedSubscription, format: Format) -> anyhow::Result<()> {
    match format {
        Format::Json => crate::output::print_json(created),
        Format::Table => {
            let subscription = &created.subscription;
            println!(
                "added {} {} for {}: {} ({})",
                subscription.channel,
                subscription.id,
                subscription.party,
                subscription.target,
                subscription.events.join(", ")
            );
            if let Some(secret) = &created.secret {
                println!("signing secret (shown once): {secret}");
            }
            Ok(())
        }
    }
}

pub async fn run(settings: &Settings, command: NotificationsCommand) -> anyhow::Result<()> {
    let node = super::open_local_node(settings).await?;
    let operator = Caller::Operator;
    let outcome = async {
        match command {
            NotificationsCommand::AddWebhook {
                party,
                url,
                events,
                format,
            } => {
                let party = party_id(&party)?;
                let created = node
                    .add_webhook(&operator, Some(&party), &url, events_of(events))
                    .await?;
                print_created(&created, format)
            }
            NotificationsCommand::AddEmail {
                party,
                address,
                events,
                format,
            } => {
                let party = party_id(&party)?;
                let created = node
                    .add_email(&operator, Some(&party), &address, events_of(events))
                    .await?;
                print_created(&created, format)
            }
            NotificationsCommand::List { party, format } => {
                let party = party.as_deref().map(party_id).transpose()?;
                let subscriptions = node
                    .list_subscriptions(&operator, party.as_ref(), None)
                    .await?;
                match format {
                    Format::Json => crate::output::print_json(&subscriptions),
                    Format::Table => {
                        println!(
                            "{:<36} {:<10} {:<8} {:<40} EVENTS",
                            "ID", "PARTY", "CHANNEL", "TARGET"
                        );
                        for subscription in subscriptions {
                            println!(
                                "{:<36} {:<10} {:<8} {:<40} {}",
                                subscription.id,
                                subscription.party,
                                subscription.channel,
                                subscription.target,
                                subscription.events.join(",")
                            );
                        }
                        Ok(())
                    }
                }
            }
            NotificationsCommand::Remove { id } => {
                let id = Uuid::parse_str(&id)
                    .map_err(|_| NodeError::NotFound(format!("subscription {id}")))?;
                node.remove_subscription(&operator, id, None).await?;
                println!("removed subscription {id}");
                Ok(())
            }
            NotificationsCommand::Deliveries {
                party,
                limit,
                format,
            } => {
                let party = party.as_deref().map(party_id).transpose()?;
                let deliveries = node
                    .list_deliveries(&operator, party.as_ref(), limit)
                    .await?;
                match format {
                    Format::Json => crate::output::print_json(&deliveries),
                    Format::Table => {
                        println!(
                            "{:>8} {:<36} {:>8} {:<14} {:<10} {:>8} LAST ERROR",
                            "ID", "SUBSCRIPTION", "EVENT", "KIND", "STATUS", "ATTEMPTS"
                        );
                        for delivery in deliveries {
                            println!(
                                "{:>8} {:<36} {:>8} {:<14} {:<10} {:>8} {}",
                                delivery.id,
                                delivery.subscription,
                                delivery.event,
                                delivery.kind,
                                delivery.status,
                                delivery.attempts,
                                delivery.last_error.unwrap_or_default()
                            );
                        }
                        Ok(())
                    }
                }
            }
        }
    }
    .await;
    node.close().await;
    outcome
}
