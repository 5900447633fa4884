//! `redline demo`: a node with a demo world, ready to explore.
//!
//! The first run creates, in the data directory: the node's key, eight states with Ed25519 key
//! pairs and API tokens (written to `demo-credentials.json`), and the eight documented incidents
//! of the public development set as incident reports citing their sources. Later runs reuse it.

use std::{collections::BTreeMap, path::Path};

use anyhow::Context;
use redline_model::{PartyId, PartyKind, parse_incident_report};
use redline_node::{Caller, NewParty, Node};

use crate::{config::Settings, keys};

#[derive(Debug, clap::Args)]
pub struct DemoArguments {
    /// Port to listen on, on 127.0.0.1.
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Create the demo world and exit without serving (for scripts and tests).
    #[arg(long)]
    pub no_serve: bool,
}

pub const CREDENTIALS_FILE: &str = "demo-credentials.json";

/// The demo states: id, name, languages.
const DEMO_STATES: [(&str, &str, &[&str]); 8] = [
    ("EE", "Republic of Estonia", &["et", "en"]),
    ("UA", "Ukraine", &["uk", "en"]),
    ("US", "United States of America", &["en"]),
    ("GB", "United Kingdom", &["en"]),
    ("IR", "Islamic Republic of Iran", &["fa", "en"]),
    ("RU", "Russian Federation", &["ru", "en"]),
    ("DE", "Federal Republic of Germany", &["de", "en"]),
    ("FR", "French Republic", &["fr", "en"]),
];

/// The public development set, as incident reports.
const DEMO_INCIDENTS: [(&str, &str); 8] = [
    (
        "01-estonia-2007",
        include_str!("../../../../demo/incidents/01-estonia-2007.json"),
    ),
    (
        "02-stuxnet-2010",
        include_str!("../../../../demo/incidents/02-stuxnet-2010.json"),
    ),
    (
        "03-ukraine-grid-2015",
        include_str!("../../../../demo/incidents/03-ukraine-grid-2015.json"),
    ),
    (
        "04-wannacry-2017",
        include_str!("../../../../demo/incidents/04-wannacry-2017.json"),
    ),
    (
        "05-notpetya-2017",
        include_str!("../../../../demo/incidents/05-notpetya-2017.json"),
    ),
    (
        "06-solarwinds-2020",
        include_str!("../../../../demo/incidents/06-solarwinds-2020.json"),
    ),
    (
        "07-colonial-pipeline-2021",
        include_str!("../../../../demo/incidents/07-colonial-pipeline-2021.json"),
    ),
    (
        "08-viasat-2022",
        include_str!("../../../../demo/incidents/08-viasat-2022.json"),
    ),
];

#[derive(serde::Serialize, serde::Deserialize)]
struct DemoCredential {
    token: String,
    key_file: String,
}

/// Creates the demo world unless the node already has parties; returns the credentials file.
pub async fn create_demo_world(node: &Node, data: &Path) -> anyhow::Result<std::path::PathBuf> {
    let credentials_path = data.join(CREDENTIALS_FILE);
    if !node.list_parties().await?.is_empty() {
        if !credentials_path.exists() {
            anyhow::bail!(
                "{} already holds parties but no {CREDENTIALS_FILE}: use a fresh --data directory for the demo",
                data.display()
            );
        }
        return Ok(credentials_path);
    }
    let operator = Caller::Operator;
    let mut credentials = BTreeMap::new();
    for (id, name, languages) in DEMO_STATES {
        let key_path = data.join("keys").join(format!("{id}.pem"));
        let public_key = if key_path.exists() {
            keys::public_key_base64(&keys::read_key_file(&key_path)?)
        } else {
            keys::generate_key_file(&key_path)?
        };
        let party_id = PartyId::parse(id).map_err(anyhow::Error::msg)?;
        node.add_party(
            &operator,
            NewParty {
                id: party_id.clone(),
                kind: PartyKind::State,
                name: name.to_string(),
                languages: languages
                    .iter()
                    .map(|language| language.to_string())
                    .collect(),
                public_keys: vec![public_key],
            },
        )
        .await
        .with_context(|| format!("adding demo party {id}"))?;
        let issued = node
            .issue_token(&operator, &party_id, "demo point of contact")
            .await?;
        let key_file = std::path::absolute(&key_path).unwrap_or(key_path);
        credentials.insert(
            id.to_string(),
            DemoCredential {
                token: issued.token,
                key_file: key_file.display().to_string(),
            },
        );
    }
    for (name, json) in DEMO_INCIDENTS {
        let report = parse_incident_report(json.as_bytes(), node.now())
            .with_context(|| format!("demo incident {name}"))?;
        node.submit_incident(&operator, report)
            .await
            .with_context(|| format!("submitting demo incident {name}"))?;
    }
    // STIX and TAXII: every demo party reads and writes the shared collection, which
    // starts with the demo incidents as STIX (TLP still applies per object).
    let demo_parties = DEMO_STATES
        .iter()
        .map(|(id, _, _)| PartyId::parse(id).map_err(anyhow::Error::msg))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let shared = node
        .ensure_shared_collection(&operator, &demo_parties)
        .await
        .context("creating the shared TAXII collection")?;
    let bundle = node.export_incidents_bundle(&operator).await?;
    node.import_bundle(&operator, &shared.id, &serde_json::to_vec(&bundle)?)
        .await
        .context("putting the demo incidents into the shared collection")?;
    write_private_file(&credentials_path, &serde_json::to_vec_pretty(&credentials)?)?;
    Ok(credentials_path)
}

/// Writes a file only its owner can read (it holds API tokens).
fn write_private_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", path.display()))
}

fn first_token(credentials_path: &Path) -> Option<(String, String)> {
    let text = std::fs::read_to_string(credentials_path).ok()?;
    let credentials: BTreeMap<String, DemoCredential> = serde_json::from_str(&text).ok()?;
    let (party, credential) = credentials.into_iter().find(|(party, _)| party == "EE")?;
    Some((party, credential.token))
}

pub async fn run(settings: Settings, arguments: DemoArguments) -> anyhow::Result<()> {
    super::init::ensure_initialised(&settings)?;
    let node = super::open_local_node(&settings).await?;
    let credentials_path = create_demo_world(&node, &settings.data).await?;
    let incident_count = node.store().count_incidents().await?;
    let address = format!("127.0.0.1:{}", arguments.port);
    println!("redline demo");
    println!("  data:        {}", settings.data.display());
    println!("  incidents:   {incident_count}");
    println!("  credentials: {}", credentials_path.display());
    if arguments.no_serve {
        node.close().await;
        return Ok(());
    }
    println!("  dashboard:   http://{address}/dashboard");
    println!(
        "  API:         http://{address}/api/v1/incidents (OpenAPI: http://{address}/api/openapi.json)"
    );
    if let Some((party, token)) = first_token(&credentials_path) {
        println!();
        println!("Try, as {party}:");
        println!("  curl -H \"Authorization: Bearer {token}\" http://{address}/api/v1/incidents");
        println!(
            "  TAXII 2.1: Server(\"http://{address}/taxii2/\", user=\"{party}\", password=\"{token}\") (taxii2-client)"
        );
    }
    println!();
    println!("Ctrl-C to stop; a second run reuses the data.");
    super::serve::serve_node(node, &settings, &address).await
}
