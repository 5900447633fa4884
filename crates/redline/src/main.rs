//! `redline`: the command line of a redline node.
//!
//! Owns argument parsing, configuration loading (defaults, then `redline.toml`, then `REDLINE_*`
//! variables, then flags), exit codes, and printing. Every rule lives in the library crates; the
//! commands here only gather input, call the node (locally or over HTTP) and show the answer.

mod client;
mod commands;
mod config;
mod exit;
mod keys;
mod output;

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

use crate::config::GlobalOptions;

/// redline: publish red lines, report and assess incidents, keep a verifiable record.
#[derive(Debug, Parser)]
#[command(
    name = "redline",
    version,
    about = "redline: publish red lines, report and assess cyber incidents, keep a verifiable record",
    long_about = "redline turns international cyber norms into working software: signed norms \
                  documents, incident reports assessed against them, a signed hotline with \
                  acknowledgement deadlines, and a public transparency log.\n\n\
                  Start with `redline demo`, then open the printed URL.",
    after_help = exit::EXIT_CODES_HELP
)]
struct Cli {
    #[command(flatten)]
    global: GlobalOptions,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a data directory with the node's signing key and a configuration file.
    Init(commands::init::InitArguments),
    /// Run the node's HTTP server.
    Serve(commands::serve::ServeArguments),
    /// Start a node with a demo world: states, keys, tokens and eight historical incidents.
    Demo(commands::demo::DemoArguments),
    /// Add and list parties, issue and revoke their API tokens.
    #[command(subcommand)]
    Party(commands::party::PartyCommand),
    /// Submit, list and show incident reports, locally or on a running node (--url).
    #[command(subcommand)]
    Incident(commands::incident::IncidentCommand),
    /// Check, show, add and adopt norms documents.
    #[command(subcommand)]
    Norms(commands::norms::NormsCommand),
    /// Assess an incident report against a norms document (no node needed).
    Assess(commands::norms::AssessArguments),
    /// Escalation simulations: what confidence-building measures are worth.
    #[command(subcommand)]
    Sim(commands::sim::SimCommand),
    /// Print JSON Schemas of redline's documents.
    #[command(subcommand)]
    Schema(commands::schema::SchemaCommand),
    // STIX and TAXII.
    /// Import a STIX 2.1 bundle into the local node, or export its incidents as one.
    #[command(subcommand)]
    Stix(commands::stix::StixCommand),
    /// TAXII 2.1 collections of the local node, and pulling another server's collection.
    #[command(subcommand)]
    Taxii(commands::taxii::TaxiiCommand),
    /// The transparency log: print its key, verify a log, mirror one.
    #[command(subcommand)]
    Log(commands::log::LogCommand),
    // The hotline.
    /// Create an Ed25519 key pair for signing hotline messages; prints the public key.
    #[command(after_help = commands::hotline::KEYGEN_HELP)]
    Keygen(commands::hotline::KeygenArguments),
    /// Sign a hotline message (JSON) into the envelope a node accepts, and print it.
    #[command(after_help = commands::hotline::SIGN_HELP)]
    Sign(commands::hotline::SignArguments),
    /// Notify parties of an incident: opens a hotline thread with deadlines to acknowledge.
    #[command(after_help = commands::hotline::NOTIFY_HELP)]
    Notify(commands::hotline::NotifyArguments),
    /// Your hotline threads: state, deadlines, and what you owe.
    #[command(after_help = commands::hotline::INBOX_HELP)]
    Inbox(commands::hotline::InboxArguments),
    /// Acknowledge a hotline message you received.
    #[command(after_help = commands::hotline::ACK_HELP)]
    Ack(commands::hotline::AckArguments),
    /// Answer in a hotline thread: response, questions, assistance, mitigation, closure, check.
    #[command(after_help = commands::hotline::REPLY_HELP)]
    Reply(commands::hotline::ReplyArguments),
    /// Read a hotline thread: every message as its standard form, with the thread's state.
    #[command(subcommand)]
    Thread(commands::hotline::ThreadCommand),
    /// Communication checks: test that the points of contact answer, and how fast.
    #[command(subcommand)]
    Check(commands::hotline::CheckCommand),
    /// Parties' webhooks and e-mail addresses for their hotline events, and the delivery log.
    #[command(subcommand)]
    Notifications(commands::notifications::NotificationsCommand),
    // Tabletop exercises.
    /// Tabletop exercises: run an exercise file's injects, record decisions, the after-action
    /// report.
    #[command(subcommand)]
    Exercise(commands::exercise::ExerciseCommand),
    /// Attribution claims under the code of conduct: file, co-sign, consult, reply, publish,
    /// withdraw.
    #[command(subcommand)]
    Attribution(commands::attribution::AttributionCommand),
    /// Commitments: signed adoptions, implementation reports, peer-review rounds and the record
    /// of every party's commitments.
    #[command(subcommand)]
    Commitments(commands::commitments::CommitmentsCommand),
    /// Coordinated vulnerability disclosure: open a case, contact vendors, record statuses,
    /// move the embargo, print the CSAF advisory.
    #[command(subcommand)]
    Disclosure(commands::disclosure::DisclosureCommand),
    /// Supply-chain notices (GGE 13(i)): notify every party that a product or its update
    /// channel is compromised; acknowledge a notice with your exposure.
    #[command(subcommand)]
    SupplyChain(commands::supply_chain::SupplyChainCommand),
    // Backups.
    /// Back up the local node while it serves: database, log, keys and configuration.
    Backup(commands::backup::BackupArguments),
    /// Restore a backup into an empty data directory (--data) and check it against its log.
    Restore(commands::backup::RestoreArguments),
    // Reference material for people and shells.
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish) to standard output.
    Completions(commands::completions::CompletionsArguments),
    /// Write manual pages: redline.1 and one page per subcommand.
    Man(commands::completions::ManArguments),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(exit::INTERNAL);
        }
    };
    let outcome = runtime.block_on(async move {
        let settings = config::load(&cli.global)?;
        // Servers log at the configured level; one-shot commands stay quiet unless asked.
        let is_server = matches!(cli.command, Command::Serve(_) | Command::Demo(_));
        let log_filter = if is_server || cli.global.log.is_some() {
            settings.log.clone()
        } else {
            "warn".to_string()
        };
        config::init_logging(&settings, &log_filter);
        match cli.command {
            Command::Init(arguments) => commands::init::run(&settings, arguments).await,
            Command::Serve(arguments) => commands::serve::run(settings, arguments).await,
            Command::Demo(arguments) => commands::demo::run(settings, arguments).await,
            Command::Party(command) => commands::party::run(&settings, command).await,
            Command::Incident(command) => commands::incident::run(&settings, command).await,
            Command::Schema(command) => commands::schema::run(command),
            Command::Sim(command) => commands::sim::run(command),
            Command::Norms(command) => commands::norms::run(&settings, command).await,
            Command::Assess(arguments) => commands::norms::assess(arguments),
            // STIX and TAXII.
            Command::Stix(command) => commands::stix::run(&settings, command).await,
            Command::Taxii(command) => commands::taxii::run(&settings, command).await,
            Command::Log(command) => commands::log::run(&settings, command).await,
            // The hotline.
            Command::Keygen(arguments) => commands::hotline::keygen(arguments),
            Command::Sign(arguments) => commands::hotline::sign(arguments),
            Command::Notify(arguments) => commands::hotline::notify(&settings, arguments).await,
            Command::Inbox(arguments) => commands::hotline::inbox(&settings, arguments).await,
            Command::Ack(arguments) => commands::hotline::ack(&settings, arguments).await,
            Command::Reply(arguments) => commands::hotline::reply(&settings, arguments).await,
            Command::Thread(command) => commands::hotline::thread(&settings, command).await,
            Command::Check(command) => commands::hotline::check(&settings, command).await,
            Command::Notifications(command) => {
                commands::notifications::run(&settings, command).await
            }
            // Tabletop exercises.
            Command::Exercise(command) => commands::exercise::run(&settings, command).await,
            Command::Attribution(command) => commands::attribution::run(&settings, command).await,
            Command::Commitments(command) => commands::commitments::run(&settings, command).await,
            Command::Disclosure(command) => commands::disclosure::run(&settings, command).await,
            Command::SupplyChain(command) => commands::supply_chain::run(&settings, command).await,
            // Backups.
            Command::Backup(arguments) => commands::backup::backup(&settings, arguments).await,
            Command::Restore(arguments) => commands::backup::restore(&settings, arguments).await,
            // Reference material.
            Command::Completions(arguments) => {
                commands::completions::completions(arguments, Cli::command())
            }
            Command::Man(arguments) => commands::completions::man(arguments, Cli::command()),
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let code = exit::code_for(&error);
            eprintln!("error: {error:#}");
            ExitCode::from(code)
        }
    }
}
