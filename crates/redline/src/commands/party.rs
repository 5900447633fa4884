//! `redline party`: the node operator's management of parties and their API tokens.

use redline_model::{PartyId, PartyKind};
use redline_node::{Caller, NewParty};

use crate::{config::Settings, output::Format};

#[derive(Debug, clap::Subcommand)]
pub enum PartyCommand {
    /// Add a party to the local node; with --token, also issue its first API token.
    Add {
        /// ISO 3166-1 alpha-2 code for a state (EE), a lower-case slug otherwise (cert-eu).
        #[arg(long)]
        id: String,
        /// state, cert, organisation or observer.
        #[arg(long, default_value = "state")]
        kind: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Language the party reads (repeat for more), such as en, fr, ar.
        #[arg(long = "language", value_name = "TAG")]
        languages: Vec<String>,
        /// Ed25519 public key, base64 (repeat for more).
        #[arg(long = "public-key", value_name = "BASE64")]
        public_keys: Vec<String>,
        /// Issue an API token and print it (shown only this once).
        #[arg(long)]
        token: bool,
    },
    /// List the parties of the local node.
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Issue a new API token for a party (printed once; only its hash is kept).
    Token {
        /// The party the token acts as.
        party: String,
        /// What the token is for, such as "duty officer".
        #[arg(long, default_value = "API token")]
        label: String,
    },
    /// Revoke an API token by its id (the part after `rl_`, before the second `_`).
    RevokeToken { token_id: String },
}

pub async fn run(settings: &Settings, command: PartyCommand) -> anyhow::Result<()> {
    let node = super::open_local_node(settings).await?;
    let operator = Caller::Operator;
    let outcome = async {
        match command {
            PartyCommand::Add {
                id,
                kind,
                name,
                languages,
                public_keys,
                token,
            } => {
                let kind = PartyKind::parse(&kind).ok_or_else(|| {
                    redline_node::NodeError::invalid(
                        "kind",
                        format!("`{kind}` is not one of state, cert, organisation, observer"),
                    )
                })?;
                let id = PartyId::parse(&id)
                    .map_err(|message| redline_node::NodeError::invalid("id", message))?;
                let party = node
                    .add_party(
                        &operator,
                        NewParty {
                            id: id.clone(),
                            kind,
                            name,
                            languages,
                            public_keys,
                        },
                    )
                    .await?;
                println!("added party {} ({})", party.id, party.kind.as_str());
                if token {
                    let issued = node.issue_token(&operator, &id, "API token").await?;
                    println!("API token (shown once): {}", issued.token);
                }
                Ok(())
            }
            PartyCommand::List { format } => {
                let parties = node.list_parties().await?;
                match format {
                    Format::Json => crate::output::print_json(&parties),
                    Format::Table => {
                        println!("{:<20} {:<13} {:>4} NAME", "ID", "KIND", "KEYS");
                        for party in parties {
                            println!(
                                "{:<20} {:<13} {:>4} {}",
                                party.id.as_str(),
                                party.kind.as_str(),
                                party.keys.len(),
                                party.name
                            );
                        }
                        Ok(())
                    }
                }
            }
            PartyCommand::Token { party, label } => {
                let party = PartyId::parse(&party)
                    .map_err(|message| redline_node::NodeError::invalid("party", message))?;
                let issued = node.issue_token(&operator, &party, &label).await?;
                println!("API token for {party} (shown once): {}", issued.token);
                Ok(())
            }
            PartyCommand::RevokeToken { token_id } => {
                node.revoke_token(&operator, &token_id).await?;
                println!("revoked token {token_id}");
                Ok(())
            }
        }
    }
    .await;
    node.close().await;
    outcome
}
