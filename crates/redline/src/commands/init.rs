//! `redline init`: a data directory with the node's signing key and a configuration file.

use std::path::Path;

use anyhow::Context;

use crate::{config::Settings, keys};

#[derive(Debug, clap::Args)]
pub struct InitArguments {}

pub const NODE_KEY_FILE: &str = "node-key.pem";
pub const CONFIG_FILE: &str = "redline.toml";

/// What `init` did, for the caller to report.
pub struct Initialised {
    pub created_key: bool,
    pub created_config: bool,
}

/// Creates whatever of the data directory is missing; never overwrites a key or a config file.
pub fn ensure_initialised(settings: &Settings) -> anyhow::Result<Initialised> {
    let data = &settings.data;
    std::fs::create_dir_all(data.join("keys"))
        .with_context(|| format!("creating the data directory {}", data.display()))?;
    let key_path = data.join(NODE_KEY_FILE);
    let created_key = !key_path.exists();
    if created_key {
        keys::generate_key_file(&key_path)?;
    }
    let config_path = data.join(CONFIG_FILE);
    let created_config = !config_path.exists();
    if created_config {
        write_config(&config_path, settings)?;
    }
    Ok(Initialised {
        created_key,
        created_config,
    })
}

fn write_config(path: &Path, settings: &Settings) -> anyhow::Result<()> {
    let mut settings = settings.clone();
    settings.data = std::path::absolute(&settings.data).unwrap_or(settings.data);
    let body = toml::to_string_pretty(&settings).context("writing the configuration")?;
    let text = format!(
        "# redline node configuration. Environment variables REDLINE_<KEY> override these\n\
         # values, and command-line flags override both.\n\
         # `database` may be postgres://user:password@host/db to use PostgreSQL.\n\n{body}"
    );
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

pub async fn run(settings: &Settings, _arguments: InitArguments) -> anyhow::Result<()> {
    let outcome = ensure_initialised(settings)?;
    // Opening the database creates it and applies the migrations.
    let node = super::open_local_node(settings).await?;
    node.close().await;
    let data = settings.data.display();
    println!("data directory: {data}");
    println!(
        "node signing key: {data}/{NODE_KEY_FILE} ({})",
        if outcome.created_key {
            "created"
        } else {
            "kept"
        }
    );
    println!(
        "configuration: {data}/{CONFIG_FILE} ({})",
        if outcome.created_config {
            "created"
        } else {
            "kept"
        }
    );
    println!("database: {}", super::redact_url(&settings.database_url()));
    println!("next: redline --config {data}/{CONFIG_FILE} serve");
    Ok(())
}
