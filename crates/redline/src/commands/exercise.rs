//! Tabletop exercises at the command line: `exercise run` creates an exercise from an
//! exercise file and delivers each inject at its offset (signing the notifications with the
//! sending parties' keys: the facilitator plays them), `exercise decide` records a player's
//! rung, `exercise report` writes the after-action report, `exercise list|show`.
//!
//! With `--url` and `--token` the commands act as the token's party on a running node (the
//! facilitator runs, a player decides); without, as the operator of the local node. Every rule
//! is the node's (`redline_node::exercise`).

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::Context;
use ed25519_dalek::SigningKey;
use redline_model::{IncidentId, PartyId, Timestamp};
use redline_node::{
    Caller, Node, NodeError,
    exercise::{
        Decision, DeliveredInject, DueInject, ExerciseDefinition, ExerciseView, InjectKind,
        InjectStatus, NewDecision, render_html_in, render_markdown_in,
    },
};
use serde_json::Value;

use super::{RemoteOptions, read_answer};
use crate::{
    client::Remote, commands::init::NODE_KEY_FILE, config::Settings, exit::UsageError, keys,
    output::Format,
};

// ------------------------------------------------------------------------------------------
// Arguments

#[derive(Debug, clap::Subcommand)]
pub enum ExerciseCommand {
    /// Create an exercise from an exercise file and deliver each inject at its offset: incident
    /// injects become exercise incident reports, notification injects signed hotline messages.
    #[command(after_help = RUN_HELP)]
    Run(RunArguments),
    /// Record the response rung you (a player) choose for an exercise incident.
    #[command(after_help = DECIDE_HELP)]
    Decide(DecideArguments),
    /// The after-action report: timeline, deadlines met and missed, rungs chosen against the
    /// norms' recommendations (Markdown on standard output, or three files with --output).
    #[command(after_help = REPORT_HELP)]
    Report(ReportArguments),
    /// The exercises you run or play in.
    #[command(after_help = LIST_HELP)]
    List {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        #[command(flatten)]
        remote: RemoteOptions,
    },
    /// One exercise: its parties and what each inject became.
    #[command(after_help = SHOW_HELP)]
    Show {
        /// The exercise id (exercise--<uuid>, printed by `exercise run`).
        exercise_id: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        #[command(flatten)]
        remote: RemoteOptions,
    },
}

#[derive(Debug, clap::Args)]
pub struct RunArguments {
    /// The exercise file (TOML, as in scenarios/exercises/).
    file: PathBuf,
    /// The private key of a party whose notifications the facilitator sends, as PARTY=FILE
    /// (repeat for each sending party).
    #[arg(long = "key", value_name = "PARTY=FILE")]
    keys: Vec<String>,
    /// Exercise minutes per real minute: 60 runs a one-hour exercise in one minute, 600 in six
    /// seconds (1 to 10000). Deadlines are not scaled.
    #[arg(long, value_name = "N", conflicts_with = "now_offsets")]
    speed: Option<f64>,
    /// Deliver every inject at once: the exercise is started as far back as its last offset.
    #[arg(long)]
    now_offsets: bool,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    #[command(flatten)]
    remote: RemoteOptions,
}

#[derive(Debug, clap::Args)]
pub struct DecideArguments {
    /// The exercise id (exercise--<uuid>).
    exercise_id: String,
    /// The exercise incident the decision is about (incident--<uuid>, from `exercise show`).
    #[arg(long, value_name = "ID")]
    incident: String,
    /// The rung of the norms document's escalation ladder you choose.
    #[arg(long, value_name = "N")]
    rung: u32,
    /// Why, in your words.
    #[arg(long, value_name = "TEXT", default_value = "")]
    note: String,
    /// The deciding party (only for the local operator; a party signed in with --token decides
    /// for itself).
    #[arg(long, value_name = "PARTY")]
    party: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    #[command(flatten)]
    remote: RemoteOptions,
}

#[derive(Debug, clap::Args)]
pub struct ReportArguments {
    /// The exercise id (exercise--<uuid>).
    exercise_id: String,
    /// Write report.md, report.html and report.json into this directory (created if needed)
    /// instead of printing the Markdown.
    #[arg(long, value_name = "DIR")]
    output: Option<PathBuf>,
    /// The language of the Markdown and HTML: en, fr, es, ru, zh or ar (the six UN languages;
    /// the HTML runs right to left in Arabic). What was recorded stays as written.
    #[arg(long, value_name = "LANG", default_value = "en", value_parser = super::norms::parse_language)]
    lang: redline_model::Language,
    #[command(flatten)]
    remote: RemoteOptions,
}

// ------------------------------------------------------------------------------------------
// Help

pub const RUN_HELP: &str = "Example (the demo world: US runs it, playing Estonia with EE's key):
  redline exercise run scenarios/exercises/demo-grid-blackout.toml --speed 600 \\
      --key EE=demo-data/keys/EE.pem --url http://127.0.0.1:8080 --token rl_…
Locally as the operator of the node in --data (no --url), any file whose parties exist:
  redline exercise run scenarios/exercises/baltic-grid-blackout.toml --key EE=ee.pem --speed 60
Each inject is delivered when due (offset / speed), with a progress line on standard error;
the exercise id is printed at the end. Players then answer through the ordinary hotline
(`redline inbox`, `redline ack`, `redline reply`) and record their rung with
`redline exercise decide`. Every report and message is marked exercise.";

pub const DECIDE_HELP: &str = "Example (as the player GB):
  redline exercise decide exercise--… --incident incident--… --rung 2 \\
      --note \"Observe and offer CERT assistance\" --url http://127.0.0.1:8080 --token rl_…
Prints the verdict against the incident's assessment: within the recommendation, within the
ceiling, or above the ceiling. The local operator records for a player with --party GB.";

pub const REPORT_HELP: &str = "Examples:
  redline exercise report exercise--… --url http://127.0.0.1:8080 --token rl_… | less
  redline exercise report exercise--… --output aar/    # aar/report.md, report.html, report.json
The facilitator and every player may read it; it says who met and missed which deadline.";

pub const LIST_HELP: &str = "Example:
  redline exercise list --url http://127.0.0.1:8080 --token rl_…";

pub const SHOW_HELP: &str = "Example:
  redline exercise show exercise--… --format json --url http://127.0.0.1:8080 --token rl_…
Shows each inject's due time and what it became (incident id, or message and thread id).";

// ------------------------------------------------------------------------------------------
// Where the work goes

enum Target {
    Local(Arc<Node>),
    Remote(Remote),
}

fn to_json<T: serde::Serialize>(outcome: Result<T, NodeError>) -> anyhow::Result<Value> {
    Ok(serde_json::to_value(outcome?)?)
}

impl Target {
    async fn open(
        settings: &Settings,
        remote: &RemoteOptions,
        command: &str,
    ) -> anyhow::Result<Self> {
        if let Some(client) = remote.remote()? {
            return Ok(Target::Remote(client));
        }
        if !settings.data.join(NODE_KEY_FILE).exists() {
            return Err(UsageError(format!(
                "`redline exercise {command}` talks to a node: give --url URL and --token TOKEN \
                 (or set REDLINE_URL and REDLINE_TOKEN) to act as your party on a running node. \
                 Without --url it works as the operator of the local node in {}, but there is \
                 no node there (see `redline init`)",
                settings.data.display()
            ))
            .into());
        }
        Ok(Target::Local(super::open_local_node(settings).await?))
    }

    async fn close(self) {
        if let Target::Local(node) = self {
            node.close().await;
        }
    }

    fn now(&self) -> Timestamp {
        match self {
            Target::Local(node) => node.now(),
            Target::Remote(_) => Timestamp::from_jiff(jiff::Timestamp::now()),
        }
    }

    async fn create(
        &self,
        text: &str,
        file: &str,
        start: Option<Timestamp>,
        speed: Option<f64>,
    ) -> anyhow::Result<Value> {
        match self {
            Target::Remote(client) => {
                let mut body = serde_json::json!({ "definition": text, "file": file });
                if let Some(start) = start {
                    body["start"] = Value::String(start.to_string());
                }
                if let Some(speed) = speed {
                    body["speed"] = speed.into();
                }
                client
                    .post_json("/api/v1/exercises", serde_json::to_vec(&body)?)
                    .await
            }
            Target::Local(node) => to_json(
                node.create_exercise(&Caller::Operator, text, file, start, speed)
                    .await,
            ),
        }
    }

    async fn get(&self, id: &str) -> anyhow::Result<Value> {
        match self {
            Target::Remote(client) => client.get(&format!("/api/v1/exercises/{id}"), &[]).await,
            Target::Local(node) => to_json(node.get_exercise(&Caller::Operator, id).await),
        }
    }

    async fn list(&self) -> anyhow::Result<Value> {
        match self {
            Target::Remote(client) => {
                Ok(client.get("/api/v1/exercises", &[]).await?["exercises"].take())
            }
            Target::Local(node) => to_json(node.list_exercises(&Caller::Operator).await),
        }
    }

    async fn due(&self, id: &str) -> anyhow::Result<Value> {
        match self {
            Target::Remote(client) => Ok(client
                .get(&format!("/api/v1/exercises/{id}/injects/due"), &[])
                .await?["injects"]
                .take()),
            Target::Local(node) => to_json(node.exercise_due_injects(&Caller::Operator, id).await),
        }
    }

    async fn deliver(
        &self,
        id: &str,
        inject: &str,
        envelope: Option<Vec<u8>>,
    ) -> anyhow::Result<Value> {
        match self {
            Target::Remote(client) => {
                let body = match &envelope {
                    Some(bytes) => {
                        let envelope: Value = serde_json::from_slice(bytes)?;
                        serde_json::json!({ "envelope": envelope })
                    }
                    None => serde_json::json!({}),
                };
                client
                    .post_json(
                        &format!("/api/v1/exercises/{id}/injects/{inject}/deliver"),
                        serde_json::to_vec(&body)?,
                    )
                    .await
            }
            Target::Local(node) => to_json(
                node.deliver_exercise_inject(&Caller::Operator, id, inject, envelope.as_deref())
                    .await,
            ),
        }
    }

    async fn decide(&self, id: &str, decision: NewDecision) -> anyhow::Result<Value> {
        match self {
            Target::Remote(client) => {
                let mut body = serde_json::json!({
                    "incident": decision.incident.as_str(),
                    "rung": decision.rung,
                    "note": decision.note,
                });
                if let Some(party) = &decision.party {
                    body["party"] = Value::String(party.to_string());
                }
                client
                    .post_json(
                        &format!("/api/v1/exercises/{id}/decisions"),
                        serde_json::to_vec(&body)?,
                    )
                    .await
            }
            Target::Local(node) => to_json(
                node.record_exercise_decision(&Caller::Operator, id, decision)
                    .await,
            ),
        }
    }

    /// The report as (JSON, Markdown, HTML).
    async fn report(
        &self,
        id: &str,
        with_html: bool,
        language: redline_model::Language,
    ) -> anyhow::Result<(Value, String, String)> {
        let lang = ("lang", language.tag().to_string());
        match self {
            Target::Remote(client) => {
                let path = format!("/api/v1/exercises/{id}/report");
                let json = client.get(&path, &[]).await?;
                let markdown = client
                    .get_text(&path, &[("format", "markdown".to_string()), lang.clone()])
                    .await?;
                let html = if with_html {
                    client
                        .get_text(&path, &[("format", "html".to_string()), lang])
                        .await?
                } else {
                    String::new()
                };
                Ok((json, markdown, html))
            }
            Target::Local(node) => {
                let report = node.exercise_report(&Caller::Operator, id).await?;
                Ok((
                    serde_json::to_value(&report)?,
                    render_markdown_in(&report, language),
                    render_html_in(&report, language),
                ))
            }
        }
    }
}

// ------------------------------------------------------------------------------------------
// Commands

pub async fn run(settings: &Settings, command: ExerciseCommand) -> anyhow::Result<()> {
    match command {
        ExerciseCommand::Run(arguments) => run_exercise(settings, arguments).await,
        ExerciseCommand::Decide(arguments) => decide(settings, arguments).await,
        ExerciseCommand::Report(arguments) => report(settings, arguments).await,
        ExerciseCommand::List { format, remote } => {
            let target = Target::open(settings, &remote, "list").await?;
            let outcome = target.list().await;
            target.close().await;
            let exercises = outcome?;
            match format {
                Format::Json => {
                    crate::output::print_json(&serde_json::json!({ "exercises": exercises }))
                }
                Format::Table => {
                    let exercises: Vec<ExerciseView> =
                        read_answer(exercises, "a list of exercises")?;
                    print_list(&exercises);
                    Ok(())
                }
            }
        }
        ExerciseCommand::Show {
            exercise_id,
            format,
            remote,
        } => {
            let target = Target::open(settings, &remote, "show").await?;
            let outcome = target.get(exercise_id.trim()).await;
            target.close().await;
            let view = outcome?;
            match format {
                Format::Json => crate::output::print_json(&view),
                Format::Table => {
                    let view: ExerciseView = read_answer(view, "an exercise")?;
                    print_view(&view);
                    Ok(())
                }
            }
        }
    }
}

/// `--key PARTY=FILE` as the parties' signing keys.
fn read_keys(texts: &[String]) -> anyhow::Result<BTreeMap<PartyId, SigningKey>> {
    let mut keys = BTreeMap::new();
    for text in texts {
        let Some((party, file)) = text.split_once('=') else {
            return Err(NodeError::invalid(
                "--key",
                format!("`{text}` is not PARTY=FILE (for example EE=ee.pem)"),
            )
            .into());
        };
        let party = PartyId::parse(party.trim())
            .map_err(|message| NodeError::invalid("--key", format!("`{text}`: {message}")))?;
        let key = keys::read_key_file(Path::new(file.trim()))
            .map_err(|error| NodeError::invalid("--key", format!("{party}: {error:#}")))?;
        keys.insert(party, key);
    }
    Ok(keys)
}

async fn run_exercise(settings: &Settings, arguments: RunArguments) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&arguments.file).map_err(|error| {
        NodeError::invalid(
            "EXERCISE",
            format!("reading {}: {error}", arguments.file.display()),
        )
    })?;
    let file = arguments.file.display().to_string();
    // Checked here first, so a missing key is named before anything is created.
    let definition = ExerciseDefinition::parse(&text, &file)
        .map_err(|error| NodeError::invalid("EXERCISE", error.to_string()))?;
    let keys = read_keys(&arguments.keys)?;
    for inject in &definition.injects {
        if let InjectKind::Notification { from, .. } = &inject.kind
            && !keys.contains_key(from)
        {
            return Err(NodeError::invalid(
                "--key",
                format!(
                    "inject `{}` is a notification from {from}: the facilitator signs it with \
                     {from}'s key; give --key {from}=FILE",
                    inject.id
                ),
            )
            .into());
        }
    }
    let target = Target::open(settings, &arguments.remote, "run").await?;
    let outcome = play(&target, &arguments, &text, &file, &definition, &keys).await;
    target.close().await;
    let view = outcome?;
    match arguments.format {
        Format::Json => crate::output::print_json(&view),
        Format::Table => {
            let view: ExerciseView = read_answer(view, "an exercise")?;
            let id = &view.id;
            let injects = view.injects.len();
            println!("exercise   {id}");
            println!("title      {}", view.title);
            println!("delivered  {injects} of {injects} injects");
            println!(
                "players    act with `redline inbox`, `redline ack`, `redline exercise decide {id}`"
            );
            println!("report     redline exercise report {id}");
            Ok(())
        }
    }
}

/// Creates the exercise and delivers every inject when due; answers the final view.
async fn play(
    target: &Target,
    arguments: &RunArguments,
    text: &str,
    file: &str,
    definition: &ExerciseDefinition,
    keys: &BTreeMap<PartyId, SigningKey>,
) -> anyhow::Result<Value> {
    let (start, speed) = if arguments.now_offsets {
        let last = definition
            .injects
            .iter()
            .map(|inject| i64::from(inject.at_minutes))
            .max()
            .unwrap_or(0);
        let start = target
            .now()
            .plus_seconds(-last * 60)
            .context("the exercise's last offset is too far back")?;
        (Some(start), Some(1.0))
    } else {
        (None, arguments.speed)
    };
    let created: ExerciseView = read_answer(
        target.create(text, file, start, speed).await?,
        "an exercise",
    )?;
    let id = created.id.clone();
    let total = created.injects.len();
    eprintln!(
        "exercise {id}: {} — {total} injects at {} exercise minutes per real minute",
        created.title, created.speed
    );
    let started = Instant::now();
    let minute_of = |name: &str| -> u32 {
        definition
            .inject(name)
            .map(|inject| inject.at_minutes)
            .unwrap_or(0)
    };
    let mut delivered = 0usize;
    let mut idle_rounds = 0u32;
    loop {
        let due: Vec<DueInject> = read_answer(target.due(&id).await?, "a list of due injects")?;
        for inject in &due {
            let name = inject.id.as_str();
            let envelope = match (&inject.payload, &inject.sign_as) {
                (Some(payload), Some(party)) => {
                    let key = keys.get(party).ok_or_else(|| {
                        NodeError::invalid("--key", format!("give --key {party}=FILE"))
                    })?;
                    let payload_bytes = serde_json::to_vec(payload)?;
                    Some(
                        redline_hotline::sign_exercise_payload(&inject.kind, &payload_bytes, key)
                            .map_err(|error| {
                            anyhow::anyhow!("the node's payload for {name}: {error}")
                        })?,
                    )
                }
                _ => None,
            };
            let answer: DeliveredInject = read_answer(
                target
                    .deliver(&id, name, envelope)
                    .await
                    .with_context(|| format!("delivering inject {name}"))?,
                "a delivered inject",
            )?;
            delivered += 1;
            let became = match (&answer.incident, answer.message) {
                (_, Some(message)) => format!(
                    "message {message} in thread {}",
                    answer
                        .thread
                        .map(|thread| thread.to_string())
                        .unwrap_or_default()
                ),
                (Some(incident), None) => format!("incident {incident}"),
                (None, None) => "delivered".to_string(),
            };
            eprintln!(
                "[{:>7.1} s] minute {:>4}  {delivered}/{total}  {name} ({}): {became}",
                started.elapsed().as_secs_f64(),
                minute_of(name),
                inject.kind,
            );
        }
        let view = target.get(&id).await?;
        let current: ExerciseView = read_answer(view.clone(), "an exercise")?;
        let waiting: Vec<Timestamp> = current
            .injects
            .iter()
            .filter(|inject| inject.delivered.is_none())
            .map(|inject| inject.due_at)
            .collect();
        let Some(next) = waiting.iter().min().copied() else {
            return Ok(view);
        };
        let wait_microseconds = next.as_microseconds() - target.now().as_microseconds();
        if due.is_empty() && wait_microseconds <= 0 {
            // Due by this clock, not yet by the node's (or waiting for its incident).
            idle_rounds += 1;
            if idle_rounds > 300 {
                return Err(NodeError::Conflict(format!(
                    "an inject of {id} has been due since {next} but the node does not offer it"
                ))
                .into());
            }
        } else {
            idle_rounds = 0;
        }
        let wait = Duration::from_micros(u64::try_from(wait_microseconds.max(0)).unwrap_or(0))
            .max(Duration::from_millis(50));
        tokio::time::sleep(wait.min(Duration::from_secs(60))).await;
    }
}

async fn decide(settings: &Settings, arguments: DecideArguments) -> anyhow::Result<()> {
    let incident = IncidentId::parse(arguments.incident.trim())
        .map_err(|message| NodeError::invalid("--incident", message))?;
    let party = match &arguments.party {
        Some(text) => Some(
            PartyId::parse(text.trim())
                .map_err(|message| NodeError::invalid("--party", message))?,
        ),
        None => None,
    };
    let target = Target::open(settings, &arguments.remote, "decide").await?;
    let outcome = target
        .decide(
            arguments.exercise_id.trim(),
            NewDecision {
                party,
                incident,
                rung: arguments.rung,
                note: arguments.note.clone(),
            },
        )
        .await;
    target.close().await;
    let decision = outcome?;
    match arguments.format {
        Format::Json => crate::output::print_json(&decision),
        Format::Table => {
            let decision: Decision = read_answer(decision, "a decision")?;
            let verdict = match decision.verdict.as_str() {
                "recommended" => "within the recommendation",
                "within-ceiling" => "within the ceiling, not recommended",
                "above-ceiling" => "above the ceiling",
                other => other,
            };
            let recommended: Vec<String> = decision
                .recommended
                .iter()
                .map(ToString::to_string)
                .collect();
            println!("decision     {}", decision.id);
            println!(
                "party        {} chose rung {} ({})",
                decision.party, decision.rung, decision.rung_title
            );
            println!("verdict      {verdict}");
            println!(
                "norms        ceiling {}, recommended {}",
                decision.ceiling,
                if recommended.is_empty() {
                    "none".to_string()
                } else {
                    recommended.join(", ")
                }
            );
            Ok(())
        }
    }
}

async fn report(settings: &Settings, arguments: ReportArguments) -> anyhow::Result<()> {
    let target = Target::open(settings, &arguments.remote, "report").await?;
    let outcome = target
        .report(
            arguments.exercise_id.trim(),
            arguments.output.is_some(),
            arguments.lang,
        )
        .await;
    target.close().await;
    let (json, markdown, html) = outcome?;
    let Some(directory) = arguments.output else {
        print!("{markdown}");
        return Ok(());
    };
    std::fs::create_dir_all(&directory)
        .with_context(|| format!("creating {}", directory.display()))?;
    for (name, bytes) in [
        ("report.md", markdown.into_bytes()),
        ("report.html", html.into_bytes()),
        ("report.json", serde_json::to_vec_pretty(&json)?),
    ] {
        let path = directory.join(name);
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
        println!("{}", path.display());
    }
    Ok(())
}

// ------------------------------------------------------------------------------------------
// Printing

fn print_list(exercises: &[ExerciseView]) {
    if exercises.is_empty() {
        println!("no exercises");
        return;
    }
    println!("{:<48}  {:<20}  {:<8}  TITLE", "ID", "STARTED", "INJECTS");
    for exercise in exercises {
        let delivered = exercise
            .injects
            .iter()
            .filter(|inject| inject.delivered.is_some())
            .count();
        println!(
            "{:<48}  {:<20}  {:<8}  {}",
            exercise.id,
            exercise.started_at.to_string(),
            format!("{delivered}/{}", exercise.injects.len()),
            exercise.title
        );
    }
}

/// What an inject became, in words.
fn became(inject: &InjectStatus) -> String {
    match &inject.delivered {
        None => "not delivered".to_string(),
        Some(DeliveredInject {
            message: Some(message),
            thread,
            ..
        }) => format!(
            "message {message} thread {}",
            thread.map(|thread| thread.to_string()).unwrap_or_default()
        ),
        Some(delivered) => format!(
            "incident {}",
            delivered
                .incident
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default()
        ),
    }
}

fn print_view(view: &ExerciseView) {
    println!("EXERCISE — {}", view.title);
    println!("id         {}", view.id);
    println!("started    {}", view.started_at);
    // As the node's JSON writes the number (`60.0`, not `60`).
    let speed = serde_json::Number::from_f64(view.speed)
        .map_or_else(|| view.speed.to_string(), |number| number.to_string());
    println!("speed      {speed} exercise minutes per real minute");
    for party in &view.parties {
        println!("party      {:<12} {}", party.id.as_str(), party.role);
    }
    println!();
    println!(
        "{:<20}  {:<6}  {:<12}  {:<22}  BECAME",
        "INJECT", "MINUTE", "KIND", "DUE"
    );
    for inject in &view.injects {
        println!(
            "{:<20}  {:<6}  {:<12}  {:<27}  {}",
            inject.id,
            inject.at_minutes.to_string(),
            inject.kind,
            inject.due_at.to_string(),
            became(inject),
        );
    }
}
