//! Configuration: built-in defaults, then a `redline.toml`, then `REDLINE_*` environment
//! variables, then flags — each later layer wins. Errors name the source of the bad value.

use std::path::{Path, PathBuf};

use anyhow::Context;
use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};
use serde::{Deserialize, Serialize};

/// Flags every command takes.
#[derive(Debug, Clone, clap::Args)]
pub struct GlobalOptions {
    /// Configuration file (default: ./redline.toml if it exists).
    #[arg(long, global = true, env = "REDLINE_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory of the local node (default: ./redline-data).
    #[arg(long, global = true, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Database URL: sqlite://FILE or postgres://… (default: SQLite in the data directory).
    #[arg(long, global = true, value_name = "URL")]
    pub database: Option<String>,
    /// Log filter, such as `info` or `redline_http=debug`.
    #[arg(long, global = true, value_name = "FILTER")]
    pub log: Option<String>,
}

/// The resolved settings of a command.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Where the node keeps its database (SQLite), keys and demo credentials.
    pub data: PathBuf,
    /// Database URL; empty means SQLite at `<data>/redline.sqlite`.
    pub database: Option<String>,
    /// Address the server listens on.
    pub listen: String,
    /// Largest request body, in bytes.
    pub maximum_body_bytes: usize,
    /// Requests per second per party (signed in) or client address; 0 turns the limit off.
    pub rate_limit_per_second: u64,
    /// Requests a client may send in a burst.
    pub rate_limit_burst: u32,
    /// Seconds a client may take to send a request head before its connection is closed.
    pub header_read_timeout_seconds: u64,
    /// Seconds a connection may stay open with no request in flight.
    pub idle_timeout_seconds: u64,
    /// The most connections served at once; more wait until one closes.
    pub maximum_connections: usize,
    /// Reverse proxies (IP networks or addresses) whose `X-Forwarded-For` and
    /// `X-Forwarded-Proto` are believed, e.g. `["127.0.0.1", "10.0.0.0/8"]`.
    pub trusted_proxies: Vec<String>,
    /// The URL clients reach the node at, e.g. `https://redline.example.org`; `https://` makes
    /// the console's cookie `Secure` even without `X-Forwarded-Proto`.
    pub public_url: Option<String>,
    /// Log filter; `RUST_LOG`, when set, wins.
    pub log: String,
    /// `text` or `json`.
    pub log_format: String,
    // Transparency log.
    /// The log's origin line and key name, e.g. `redline.example.org/log`.
    pub log_origin: String,
    /// How long the log writer waits for more entries after the first of a batch when someone
    /// waits for it (a receipt, or a proof or checkpoint read that must see every answered write).
    pub log_batch_interval_ms: u64,
    /// How long it gathers the entries of answered writes (nobody waits for those) before it
    /// signs a checkpoint: the most a fresh entry waits to be sequenced.
    pub log_sequencing_interval_ms: u64,
    /// The most entries in one log batch.
    pub log_batch_entries: usize,
    /// Witnesses asked to cosign this node's checkpoints.
    pub log_witnesses: Vec<LogWitnessSetting>,
    /// How many of `log_witnesses` must cosign for a checkpoint to count as witnessed.
    pub log_witness_quorum: usize,
    /// Verifier keys (C2SP vkey) of the logs this node witnesses.
    pub witnessed_logs: Vec<String>,
    // Federation.
    /// Peer nodes (`[[peers]]`): URL, the peer log's verifier key (`redline log key`, first
    /// line), optionally its witness key (second line: the peer then cosigns this node's
    /// checkpoints, counted in `log_witness_quorum`), a TAXII token and collections to sync.
    /// This node witnesses every peer's log.
    pub peers: Vec<PeerSetting>,
    /// Seconds between two syncs with each peer (statements, collections, checkpoints).
    pub federation_sync_interval_seconds: u64,
    /// The longest wait, in seconds, between two attempts to relay to a peer that is down.
    pub federation_relay_retry_ceiling_seconds: u64,
    // Commitments.
    /// The party (the regional secretariat) that runs this node, e.g. `osce`: it is reminded,
    /// with each adopting party, before a norms document's `review_by`, and told when a review
    /// is overdue. Unset: only the adopting parties are.
    pub secretariat: Option<String>,
    // Hotline.
    /// How far a message's `sent_at` may be from the node's clock, either way, in seconds.
    pub hotline_allowed_clock_skew_seconds: u64,
    // Notifications.
    /// Whether webhooks may reach loopback, private and link-local addresses (a node inside a
    /// closed network); the node's own addresses are refused anyway.
    pub notification_allow_private_targets: bool,
    /// Attempts (retried after 1 s, 2 s, 4 s…) before a delivery has failed for good.
    pub notification_maximum_attempts: u32,
    /// The SMTP server notification e-mail goes through; unset: no e-mail.
    pub smtp_host: Option<String>,
    pub smtp_port: u16,
    /// `starttls` (required), `tls` (SMTPS) or `none` (a relay on the same host only).
    pub smtp_security: String,
    /// The sender address of notification e-mail.
    pub smtp_from: Option<String>,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<String>,
}

/// Federation: one peer node.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeerSetting {
    /// The peer's base URL.
    pub url: String,
    /// The peer log's verifier key (C2SP vkey): names the peer and checks what it signs.
    pub log_key: String,
    /// The peer's witness cosigner key (C2SP vkey, type 0x04): the peer cosigns this node's
    /// checkpoints.
    #[serde(default)]
    pub witness_key: Option<String>,
    /// A token the peer issued to this node, for its TAXII collections.
    #[serde(default)]
    pub taxii_token: Option<String>,
    /// The peer's TAXII collections to sync into this node's shared collection.
    #[serde(default)]
    pub collections: Vec<String>,
    /// Whether to show the peer's public incidents (default true).
    #[serde(default = "yes")]
    pub public_incidents: bool,
}

fn yes() -> bool {
    true
}

/// Transparency log: a witness of this node's log.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogWitnessSetting {
    /// Base URL; requests go to `<url>/add-checkpoint`.
    pub url: String,
    /// The witness's cosigner key (C2SP vkey, type 0x04).
    pub vkey: String,
}

impl Default for Settings {
    fn default() -> Self {
        let http = redline_http::HttpConfig::default();
        Self {
            data: PathBuf::from("redline-data"),
            database: None,
            listen: "127.0.0.1:8080".into(),
            maximum_body_bytes: http.maximum_body_bytes,
            rate_limit_per_second: http.rate_limit_per_second,
            rate_limit_burst: http.rate_limit_burst,
            header_read_timeout_seconds: http.header_read_timeout.as_secs(),
            idle_timeout_seconds: http.idle_timeout.as_secs(),
            maximum_connections: http.maximum_connections,
            trusted_proxies: Vec::new(),
            public_url: None,
            log: "info".into(),
            log_format: "text".into(),
            // Transparency log.
            log_origin: "redline.localhost/log".into(),
            log_batch_interval_ms: 2,
            log_sequencing_interval_ms: 100,
            log_batch_entries: 65_536,
            log_witnesses: Vec::new(),
            log_witness_quorum: 0,
            witnessed_logs: Vec::new(),
            peers: Vec::new(),
            federation_sync_interval_seconds: 30,
            federation_relay_retry_ceiling_seconds: 30,
            secretariat: None,
            hotline_allowed_clock_skew_seconds: 300,
            notification_allow_private_targets: false,
            notification_maximum_attempts: 10,
            smtp_host: None,
            smtp_port: 587,
            smtp_security: "starttls".into(),
            smtp_from: None,
            smtp_username: None,
            smtp_password: None,
        }
    }
}

impl Settings {
    pub fn database_url(&self) -> String {
        match &self.database {
            Some(url) if !url.is_empty() => url.clone(),
            _ => format!(
                "sqlite://{}?mode=rwc",
                self.data.join("redline.sqlite").display()
            ),
        }
    }

    /// The federation settings of the node.
    pub fn federation_settings(&self) -> redline_node::federation::FederationSettings {
        redline_node::federation::FederationSettings {
            peers: self
                .peers
                .iter()
                .map(|peer| redline_node::federation::PeerSettings {
                    url: peer.url.clone(),
                    log_key: peer.log_key.clone(),
                    taxii_token: peer.taxii_token.clone(),
                    collections: peer.collections.clone(),
                    public_incidents: peer.public_incidents,
                })
                .collect(),
            sync_interval: std::time::Duration::from_secs(
                self.federation_sync_interval_seconds.max(1),
            ),
            relay_retry_ceiling: std::time::Duration::from_secs(
                self.federation_relay_retry_ceiling_seconds.max(1),
            ),
        }
    }

    /// The witnesses of this node's log: the configured ones and every peer with a witness
    /// key (its witness endpoint is `<peer>/log/add-checkpoint`).
    pub fn all_log_witnesses(&self) -> Vec<LogWitnessSetting> {
        let mut witnesses = self.log_witnesses.clone();
        for peer in &self.peers {
            if let Some(vkey) = &peer.witness_key {
                witnesses.push(LogWitnessSetting {
                    url: format!("{}/log", peer.url.trim_end_matches('/')),
                    vkey: vkey.clone(),
                });
            }
        }
        witnesses
    }

    /// The logs this node witnesses: the configured ones and every peer's.
    pub fn all_witnessed_logs(&self) -> Vec<String> {
        let mut logs = self.witnessed_logs.clone();
        logs.extend(self.peers.iter().map(|peer| peer.log_key.clone()));
        logs
    }

    /// How the node runs commitments; `load` has checked `secretariat` already.
    pub fn commitment_settings(&self) -> redline_node::commitments::CommitmentSettings {
        redline_node::commitments::CommitmentSettings {
            secretariat: self
                .secretariat
                .as_deref()
                .filter(|id| !id.is_empty())
                .and_then(|id| redline_model::PartyId::parse(id).ok()),
        }
    }

    /// How the node sends notifications; `load` has checked the SMTP settings already.
    pub fn notification_settings(&self) -> redline_node::NotificationSettings {
        let security = match self.smtp_security.as_str() {
            "none" => redline_node::SmtpSecurity::None,
            "tls" => redline_node::SmtpSecurity::Tls,
            _ => redline_node::SmtpSecurity::Starttls,
        };
        let smtp = match (&self.smtp_host, &self.smtp_from) {
            (Some(host), Some(from)) if !host.is_empty() => Some(redline_node::SmtpSettings {
                host: host.clone(),
                port: self.smtp_port,
                security,
                from: from.clone(),
                username: self.smtp_username.clone().filter(|name| !name.is_empty()),
                password: self.smtp_password.clone(),
            }),
            _ => None,
        };
        redline_node::NotificationSettings {
            allow_private_targets: self.notification_allow_private_targets,
            smtp,
            maximum_attempts: self.notification_maximum_attempts,
            ..Default::default()
        }
    }

    /// The HTTP server's settings; `load` has checked `trusted_proxies` already, so an entry
    /// that does not parse here is skipped.
    pub fn http_config(&self) -> redline_http::HttpConfig {
        let trusted_proxies = redline_http::TrustedProxies(
            self.trusted_proxies
                .iter()
                .filter_map(|entry| {
                    redline_http::TrustedProxies::parse([entry.as_str()])
                        .ok()
                        .map(|parsed| parsed.0)
                })
                .flatten()
                .collect(),
        );
        redline_http::HttpConfig {
            maximum_body_bytes: self.maximum_body_bytes,
            rate_limit_per_second: self.rate_limit_per_second,
            rate_limit_burst: self.rate_limit_burst,
            header_read_timeout: std::time::Duration::from_secs(self.header_read_timeout_seconds),
            idle_timeout: std::time::Duration::from_secs(self.idle_timeout_seconds),
            maximum_connections: self.maximum_connections,
            trusted_proxies,
            public_url: self.public_url.clone().filter(|url| !url.is_empty()),
            ..Default::default()
        }
    }
}

/// The variables read from the environment; anything else named `REDLINE_*` is left alone.
const ENVIRONMENT_KEYS: [&str; 23] = [
    "data",
    "secretariat",
    "notification_allow_private_targets",
    "notification_maximum_attempts",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_from",
    "smtp_username",
    "smtp_password",
    "hotline_allowed_clock_skew_seconds",
    "database",
    "listen",
    "maximum_body_bytes",
    "rate_limit_per_second",
    "rate_limit_burst",
    "header_read_timeout_seconds",
    "idle_timeout_seconds",
    "maximum_connections",
    "trusted_proxies",
    "public_url",
    "log",
    "log_format",
];

pub fn load(options: &GlobalOptions) -> anyhow::Result<Settings> {
    load_from(options, Path::new("redline.toml"))
}

fn load_from(options: &GlobalOptions, default_file: &Path) -> anyhow::Result<Settings> {
    let mut figment = Figment::from(Serialized::defaults(Settings::default()));
    match &options.config {
        Some(path) => {
            if !path.exists() {
                anyhow::bail!(figment::Error::from(format!(
                    "the configuration file {} does not exist",
                    path.display()
                )));
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        None if default_file.exists() => figment = figment.merge(Toml::file_exact(default_file)),
        None => {}
    }
    figment = figment.merge(Env::prefixed("REDLINE_").only(&ENVIRONMENT_KEYS));
    if let Some(data) = &options.data {
        figment = figment.merge(Serialized::default("data", data));
    }
    if let Some(database) = &options.database {
        figment = figment.merge(Serialized::default("database", database));
    }
    if let Some(log) = &options.log {
        figment = figment.merge(Serialized::default("log", log));
    }
    let settings: Settings = figment
        .extract()
        .map_err(anyhow::Error::from)
        .context("reading the configuration")?;
    if !matches!(settings.log_format.as_str(), "text" | "json") {
        anyhow::bail!(figment::Error::from(format!(
            "log_format must be `text` or `json`, not `{}`",
            settings.log_format
        )));
    }
    if let Some(secretariat) = settings.secretariat.as_deref().filter(|id| !id.is_empty())
        && let Err(error) = redline_model::PartyId::parse(secretariat)
    {
        anyhow::bail!(figment::Error::from(format!(
            "secretariat `{secretariat}` is not a party id: {error}"
        )));
    }
    if settings.hotline_allowed_clock_skew_seconds == 0
        || settings.hotline_allowed_clock_skew_seconds > 86_400
    {
        anyhow::bail!(figment::Error::from(format!(
            "hotline_allowed_clock_skew_seconds must be between 1 and 86400, not {}",
            settings.hotline_allowed_clock_skew_seconds
        )));
    }
    for (name, value) in [
        (
            "header_read_timeout_seconds",
            settings.header_read_timeout_seconds,
        ),
        ("idle_timeout_seconds", settings.idle_timeout_seconds),
    ] {
        if value == 0 || value > 3600 {
            anyhow::bail!(figment::Error::from(format!(
                "{name} must be between 1 and 3600, not {value}"
            )));
        }
    }
    if let Err(error) =
        redline_http::TrustedProxies::parse(settings.trusted_proxies.iter().map(String::as_str))
    {
        anyhow::bail!(figment::Error::from(format!("trusted_proxies: {error}")));
    }
    if !matches!(settings.smtp_security.as_str(), "starttls" | "tls" | "none") {
        anyhow::bail!(figment::Error::from(format!(
            "smtp_security must be `starttls`, `tls` or `none`, not `{}`",
            settings.smtp_security
        )));
    }
    if settings
        .smtp_host
        .as_deref()
        .is_some_and(|host| !host.is_empty())
        && settings
            .smtp_from
            .as_deref()
            .is_none_or(|from| !from.contains('@'))
    {
        anyhow::bail!(figment::Error::from(
            "smtp_host is set: smtp_from must be the sender's e-mail address".to_string()
        ));
    }
    if settings.notification_maximum_attempts == 0 || settings.notification_maximum_attempts > 30 {
        anyhow::bail!(figment::Error::from(format!(
            "notification_maximum_attempts must be between 1 and 30, not {}",
            settings.notification_maximum_attempts
        )));
    }
    if settings.maximum_connections == 0 {
        anyhow::bail!(figment::Error::from(
            "maximum_connections must be at least 1".to_string()
        ));
    }
    Ok(settings)
}

/// Sets up logging to stderr: `RUST_LOG` when set (it wins over `filter`, the configured
/// level), text or JSON as configured, and colour only on a terminal when `NO_COLOR` is unset.
pub fn init_logging(settings: &Settings, filter: &str) {
    let filter = effective_log_filter(filter, std::env::var("RUST_LOG").ok().as_deref());
    let filter = tracing_subscriber::EnvFilter::try_new(&filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let colour = use_colour(
        std::io::IsTerminal::is_terminal(&std::io::stderr()),
        std::env::var_os("NO_COLOR").as_deref(),
    );
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour)
        .with_writer(std::io::stderr);
    let result = if settings.log_format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    if let Err(error) = result {
        eprintln!("warning: logging not set up: {error}");
    }
}

/// The log filter in force: `RUST_LOG` when it is set and not blank, else the configured one.
fn effective_log_filter(configured: &str, rust_log: Option<&str>) -> String {
    rust_log
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .unwrap_or(configured)
        .to_string()
}

/// ANSI colours only on a terminal, and never when `NO_COLOR` is set to anything non-empty
/// (<https://no-color.org>).
fn use_colour(stderr_is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    stderr_is_terminal && no_color.is_none_or(std::ffi::OsStr::is_empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_flags() -> GlobalOptions {
        GlobalOptions {
            config: None,
            data: None,
            database: None,
            log: None,
        }
    }

    #[test]
    fn file_then_flags_override_defaults_and_bad_values_name_their_source() {
        let directory = tempfile::tempdir().expect("test fixture");
        let file = directory.path().join("redline.toml");
        std::fs::write(
            &file,
            "listen = \"127.0.0.1:9999\"\ndata = \"/srv/redline\"\n",
        )
        .expect("test fixture");
        let mut options = no_flags();
        options.config = Some(file.clone());
        options.data = Some(PathBuf::from("/tmp/flag-wins"));
        let settings = load_from(&options, Path::new("/nonexistent")).expect("test fixture");
        assert_eq!(settings.listen, "127.0.0.1:9999");
        assert_eq!(settings.data, PathBuf::from("/tmp/flag-wins"));

        std::fs::write(&file, "rate_limit_burst = \"many\"\n").expect("test fixture");
        let error = load_from(&options, Path::new("/nonexistent")).unwrap_err();
        let message = format!("{error:#}");
        assert!(message.contains("rate_limit_burst"), "{message}");
        assert!(message.contains("redline.toml"), "{message}");

        std::fs::write(&file, "lisen = \"typo\"\n").expect("test fixture");
        let message = format!(
            "{:#}",
            load_from(&options, Path::new("/nonexistent")).unwrap_err()
        );
        assert!(message.contains("lisen"), "{message}");
    }

    #[test]
    fn connection_limits_come_from_the_file_into_the_server_and_must_be_sensible() {
        let directory = tempfile::tempdir().expect("test fixture");
        let file = directory.path().join("redline.toml");
        let mut options = no_flags();
        options.config = Some(file.clone());
        std::fs::write(&file, "").expect("test fixture");
        let defaults = load_from(&options, Path::new("/nonexistent")).expect("test fixture");
        let http = defaults.http_config();
        assert_eq!(http.header_read_timeout, std::time::Duration::from_secs(10));
        assert_eq!(http.idle_timeout, std::time::Duration::from_secs(60));
        assert_eq!(http.maximum_connections, 4096);
        std::fs::write(
            &file,
            "header_read_timeout_seconds = 5\nidle_timeout_seconds = 30\nmaximum_connections = 100\n",
        )
        .expect("test fixture");
        let http = load_from(&options, Path::new("/nonexistent"))
            .expect("test fixture")
            .http_config();
        assert_eq!(http.header_read_timeout, std::time::Duration::from_secs(5));
        assert_eq!(http.idle_timeout, std::time::Duration::from_secs(30));
        assert_eq!(http.maximum_connections, 100);
        for bad in [
            "header_read_timeout_seconds = 0\n",
            "idle_timeout_seconds = 0\n",
            "maximum_connections = 0\n",
        ] {
            std::fs::write(&file, bad).expect("test fixture");
            let message = format!(
                "{:#}",
                load_from(&options, Path::new("/nonexistent")).unwrap_err()
            );
            let name = bad.split(' ').next().unwrap_or_default();
            assert!(message.contains(name), "{message}");
        }
    }

    #[test]
    fn the_hotline_clock_skew_comes_from_the_file_and_must_be_sensible() {
        let directory = tempfile::tempdir().expect("test fixture");
        let file = directory.path().join("redline.toml");
        let mut options = no_flags();
        options.config = Some(file.clone());
        std::fs::write(&file, "hotline_allowed_clock_skew_seconds = 30\n").expect("test fixture");
        let settings = load_from(&options, Path::new("/nonexistent")).expect("test fixture");
        assert_eq!(settings.hotline_allowed_clock_skew_seconds, 30);
        std::fs::write(&file, "hotline_allowed_clock_skew_seconds = 0\n").expect("test fixture");
        let message = format!(
            "{:#}",
            load_from(&options, Path::new("/nonexistent")).unwrap_err()
        );
        assert!(
            message.contains("hotline_allowed_clock_skew_seconds"),
            "{message}"
        );
    }

    #[test]
    fn the_secretariat_comes_from_the_file_and_must_be_a_party_id() {
        let directory = tempfile::tempdir().expect("test fixture");
        let file = directory.path().join("redline.toml");
        let mut options = no_flags();
        options.config = Some(file.clone());
        let defaults = load_from(&no_flags(), Path::new("/nonexistent")).expect("test fixture");
        assert_eq!(defaults.commitment_settings().secretariat, None);
        std::fs::write(&file, "secretariat = \"osce\"\n").expect("test fixture");
        let settings = load_from(&options, Path::new("/nonexistent")).expect("test fixture");
        assert_eq!(
            settings
                .commitment_settings()
                .secretariat
                .map(|party| party.to_string()),
            Some("osce".to_string())
        );
        std::fs::write(&file, "secretariat = \"not a party\"\n").expect("test fixture");
        let message = format!(
            "{:#}",
            load_from(&options, Path::new("/nonexistent")).unwrap_err()
        );
        assert!(message.contains("secretariat `not a party`"), "{message}");
    }

    #[test]
    fn rust_log_wins_over_the_configured_level_and_colour_needs_a_terminal_without_no_color() {
        assert_eq!(effective_log_filter("info", None), "info");
        assert_eq!(effective_log_filter("info", Some("  ")), "info");
        assert_eq!(
            effective_log_filter("info", Some("redline_http=debug")),
            "redline_http=debug"
        );
        assert!(use_colour(true, None));
        assert!(!use_colour(false, None));
        assert!(!use_colour(true, Some(std::ffi::OsStr::new("1"))));
        assert!(use_colour(true, Some(std::ffi::OsStr::new(""))));
    }

    #[test]
    fn trusted_proxies_and_the_public_url_come_from_the_file_and_must_parse() {
        let directory = tempfile::tempdir().expect("test fixture");
        let file = directory.path().join("redline.toml");
        let mut options = no_flags();
        options.config = Some(file.clone());
        std::fs::write(
            &file,
            "trusted_proxies = [\"127.0.0.1\", \"10.0.0.0/8\"]\npublic_url = \"https://redline.example.org\"\n",
        )
        .expect("test fixture");
        let http = load_from(&options, Path::new("/nonexistent"))
            .expect("test fixture")
            .http_config();
        assert!(
            http.trusted_proxies
                .contains("10.1.2.3".parse().expect("address"))
        );
        assert!(
            http.trusted_proxies
                .contains("127.0.0.1".parse().expect("address"))
        );
        assert!(
            !http
                .trusted_proxies
                .contains("192.0.2.1".parse().expect("address"))
        );
        assert_eq!(
            http.public_url.as_deref(),
            Some("https://redline.example.org")
        );
        std::fs::write(&file, "trusted_proxies = [\"proxy.example.org\"]\n").expect("test fixture");
        let message = format!(
            "{:#}",
            load_from(&options, Path::new("/nonexistent")).unwrap_err()
        );
        assert!(message.contains("trusted_proxies"), "{message}");
    }

    #[test]
    fn defaults_need_no_file() {
        let settings = load_from(&no_flags(), Path::new("/nonexistent")).expect("test fixture");
        assert_eq!(settings.listen, "127.0.0.1:8080");
        assert!(
            settings
                .database_url()
                .ends_with("redline-data/redline.sqlite?mode=rwc")
        );
    }
}
