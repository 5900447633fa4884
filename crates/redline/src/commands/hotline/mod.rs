//! The hotline at the command line: `keygen`, `sign`, `notify`, `inbox`, `ack`, `reply`,
//! `thread show`, `check start|status`.
//!
//! Every message is built here from flags, checked with `redline_hotline`'s parser (so a
//! mistake is named by its JSON path before anything is sent), signed with the party's key into
//! a DSSE envelope and sent to a node: over HTTP with `--url` and `--token` as the party of the
//! token, or to the local node as its operator (which accepts a message signed by any party, the
//! signature checked against that party's registered key). The node decides everything else.

mod follow;
mod print;
mod target;

use std::path::{Path, PathBuf};

use anyhow::Context;
use ed25519_dalek::SigningKey;
use redline_hotline::{
    HotlineMessage, MessageBody, MessageKind,
    message::{
        AcknowledgementBody, AssistanceOfferBody, AssistanceRequestBody, CheckReplyBody,
        ClarificationRequestBody, ClosureBody, CommunicationCheckBody, MitigationRequestBody,
        NotificationBody, ResponseBody,
    },
    thread::ReplyDraft,
};
use redline_model::{IncidentId, PartyId, Timestamp, Tlp};
use redline_node::{
    AcceptedMessage, CheckStatus, MessageView, NodeError, ThreadSummary, ThreadView,
};
use serde_json::Value;
use uuid::Uuid;

pub(crate) use self::target::Target;
use super::{RemoteOptions, read_answer};
use crate::{config::Settings, exit::UsageError, keys, output::Format};

// ------------------------------------------------------------------------------------------
// Arguments

#[derive(Debug, clap::Args)]
pub struct KeygenArguments {
    /// Where to write the private key (PKCS#8 PEM, mode 0600). An existing file is never
    /// overwritten.
    #[arg(long, short, value_name = "FILE")]
    output: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct SignArguments {
    /// The message payload (JSON), or - for standard input. `id`, `thread` and `sent_at` may be
    /// left out: sign fills in fresh ids (a new thread) and the current time.
    message: PathBuf,
    /// Your party's private key (PKCS#8 PEM, from `redline keygen`).
    #[arg(long, env = "REDLINE_KEY", value_name = "FILE", hide_env_values = true)]
    key: PathBuf,
    /// Sign a record other than a hotline message, byte for byte as the file holds it (the
    /// console's prepared payloads): its DSSE payload type, one of
    /// application/vnd.redline.attribution-claim+json, …attribution-cosignature+json,
    /// …attribution-decision+json, …consultation-request+json, …consultation-reply+json,
    /// …consultation-outcome+json. The payload is checked against its type first.
    #[arg(long, value_name = "TYPE")]
    payload_type: Option<String>,
}

/// Who signs: the key, and the party it signs for.
#[derive(Debug, Clone, clap::Args)]
pub struct SignerOptions {
    /// Your party's private key (PKCS#8 PEM, from `redline keygen`); every message is signed
    /// with it.
    #[arg(long, env = "REDLINE_KEY", value_name = "FILE", hide_env_values = true)]
    key: PathBuf,
    /// The party you send as (default: the party the node has this key registered to).
    #[arg(long, value_name = "PARTY")]
    from: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct NotifyArguments {
    /// The incident the notification is about (incident--<uuid>, as `incident list` shows).
    #[arg(long, value_name = "ID")]
    incident: String,
    /// The parties to notify, comma-separated (UA,GB) or repeated.
    #[arg(long, value_name = "PARTY", value_delimiter = ',', required = true)]
    to: Vec<String>,
    /// What happened, in your words (default: the incident's title).
    #[arg(long, value_name = "TEXT")]
    summary: Option<String>,
    /// The severity level, 0 to 5 (default: the incident's assessed level, if it has one).
    #[arg(long, value_name = "LEVEL")]
    severity: Option<u8>,
    /// An action you ask the recipients to take (repeat for more).
    #[arg(long = "action", value_name = "TEXT")]
    actions: Vec<String>,
    /// Traffic Light Protocol label of the message (default: the incident's).
    #[arg(long, value_name = "TLP")]
    tlp: Option<String>,
    /// Language of your free text (BCP 47: en, fr, ru, zh, ar, es, …).
    #[arg(long, default_value = "en", value_name = "TAG")]
    lang: String,
    /// Mark the message as part of an exercise, so no one takes it for a real one.
    #[arg(long)]
    exercise: bool,
    #[command(flatten)]
    signer: SignerOptions,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    #[command(flatten)]
    remote: RemoteOptions,
}

#[derive(Debug, clap::Args)]
pub struct InboxArguments {
    /// How many threads to show (newest activity first; 1 to 500).
    #[arg(long, default_value_t = 100)]
    limit: u32,
    /// Follow the party's event stream instead: print each event as it arrives (a line, or one
    /// JSON object per line with --format json), reconnecting after a dropped connection, until
    /// Ctrl-C. Needs --url and --token.
    #[arg(long)]
    follow: bool,
    /// With --follow: print only events after this id (default: every event the node holds for
    /// the party, then new ones).
    #[arg(long, value_name = "EVENT_ID", requires = "follow")]
    after: Option<i64>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    #[command(flatten)]
    remote: RemoteOptions,
}

#[derive(Debug, clap::Args)]
pub struct AckArguments {
    /// The id of the message you acknowledge (from `inbox` or `thread show`).
    message_id: String,
    /// Language tag of the acknowledgement.
    #[arg(long, default_value = "en", value_name = "TAG")]
    lang: String,
    #[command(flatten)]
    signer: SignerOptions,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    #[command(flatten)]
    remote: RemoteOptions,
}

/// What kind of message `reply` sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReplyKind {
    /// A substantive answer (--text) to a message (--to-message, default the latest one you
    /// received in the thread).
    Response,
    /// Questions (--question, repeat; or --text for one). Counts as acknowledging the thread.
    ClarificationRequest,
    /// Ask for help (--text the summary, --need repeat).
    AssistanceRequest,
    /// Offer help (--text; --to-message the request answered, default the latest one).
    AssistanceOffer,
    /// Ask the recipient to stop activity from its territory (--text the activity,
    /// --from-territory-of PARTY, --indicator repeat).
    MitigationRequest,
    /// Close the thread (--text the reason); nothing more can be sent in it.
    Closure,
    /// Answer a communication check (no text needed).
    CheckReply,
    /// Say where you stand on an assistance or mitigation request sent to you (--outcome;
    /// --to-message the request, default the latest one sent to you): accepted (--text an
    /// optional summary), partly (--done and --not-done), declined (--reason), completed
    /// (--text an optional summary).
    RequestOutcome,
}

/// An outcome of a request, as `--outcome` spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutcomeArgument {
    Accepted,
    Partly,
    Declined,
    Completed,
}

impl OutcomeArgument {
    fn outcome(self) -> redline_hotline::RequestOutcomeKind {
        match self {
            OutcomeArgument::Accepted => redline_hotline::RequestOutcomeKind::Accepted,
            OutcomeArgument::Partly => redline_hotline::RequestOutcomeKind::Partly,
            OutcomeArgument::Declined => redline_hotline::RequestOutcomeKind::Declined,
            OutcomeArgument::Completed => redline_hotline::RequestOutcomeKind::Completed,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct ReplyArguments {
    /// The thread to answer in (from `inbox`).
    thread_id: String,
    /// What kind of message to send.
    #[arg(long, value_enum, default_value_t = ReplyKind::Response)]
    kind: ReplyKind,
    /// Your text: the response, the summary, the offer, the activity or the reason.
    #[arg(long, value_name = "TEXT")]
    text: Option<String>,
    /// A question (clarification-request; repeat for more).
    #[arg(long = "question", value_name = "TEXT")]
    questions: Vec<String>,
    /// Something you need (assistance-request; repeat for more).
    #[arg(long = "need", value_name = "TEXT")]
    needs: Vec<String>,
    /// An indicator: address, domain, hash (mitigation-request; repeat for more).
    #[arg(long = "indicator", value_name = "TEXT")]
    indicators: Vec<String>,
    /// The party whose territory the activity comes from (mitigation-request).
    #[arg(long, value_name = "PARTY")]
    from_territory_of: Option<String>,
    /// The message answered (response, assistance-offer, request-outcome).
    #[arg(long, value_name = "MESSAGE_ID")]
    to_message: Option<String>,
    /// The outcome of the request (request-outcome).
    #[arg(long, value_enum)]
    outcome: Option<OutcomeArgument>,
    /// Why you decline (request-outcome --outcome declined).
    #[arg(long, value_name = "TEXT")]
    reason: Option<String>,
    /// What is done (request-outcome --outcome partly).
    #[arg(long, value_name = "TEXT")]
    done: Option<String>,
    /// What is not done (request-outcome --outcome partly).
    #[arg(long, value_name = "TEXT")]
    not_done: Option<String>,
    /// Recipients, comma-separated (default: everyone else in the thread; the check's sender
    /// for a check-reply).
    #[arg(long, value_name = "PARTY", value_delimiter = ',')]
    to: Vec<String>,
    /// Traffic Light Protocol label (default: the thread's).
    #[arg(long, value_name = "TLP")]
    tlp: Option<String>,
    /// Language of your free text.
    #[arg(long, default_value = "en", value_name = "TAG")]
    lang: String,
    #[command(flatten)]
    signer: SignerOptions,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    #[command(flatten)]
    remote: RemoteOptions,
}

#[derive(Debug, clap::Subcommand)]
pub enum ThreadCommand {
    /// Show a thread: its state and deadlines, then every message in order as its standard
    /// form, with the thread's state after each.
    #[command(after_help = THREAD_SHOW_HELP)]
    Show {
        /// The thread id (from `inbox`).
        thread_id: String,
        /// Language of the standard forms: en, fr, es, ru, zh or ar (others fall back to en).
        #[arg(long, default_value = "en", value_name = "TAG")]
        lang: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        #[command(flatten)]
        remote: RemoteOptions,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum CheckCommand {
    /// Start a communication check: a signed ping each target must answer with a check-reply.
    /// The node sets the reply deadline from the acknowledgement duty (level 0) of the norms
    /// document the first target adopted.
    #[command(after_help = CHECK_START_HELP)]
    Start {
        /// Parties to check, comma-separated (default: every other party on the node).
        #[arg(long, value_name = "PARTY", value_delimiter = ',')]
        to: Vec<String>,
        /// Mark the check as part of an exercise.
        #[arg(long)]
        exercise: bool,
        /// Traffic Light Protocol label.
        #[arg(long, default_value = "green", value_name = "TLP")]
        tlp: String,
        #[arg(long, default_value = "en", value_name = "TAG")]
        lang: String,
        #[command(flatten)]
        signer: SignerOptions,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        #[command(flatten)]
        remote: RemoteOptions,
    },
    /// Who answered a communication check: answered, late, waiting or silent, and how fast.
    #[command(after_help = CHECK_STATUS_HELP)]
    Status {
        /// The check id (printed by `check start`).
        check_id: String,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        #[command(flatten)]
        remote: RemoteOptions,
    },
}

// ------------------------------------------------------------------------------------------
// Help a duty officer can follow

pub const KEYGEN_HELP: &str = "Example:
  redline keygen --output ~/.redline/ee.pem
The public key printed is what the node's operator registers for your party:
  redline party add --id EE --name \"Republic of Estonia\" --public-key <printed key>
Keep the .pem file private: anyone holding it can sign messages as your party.";

pub const SIGN_HELP: &str =
    "Example (paste the output into the console, or POST it to /api/v1/messages):
  redline sign message.json --key ee.pem > envelope.json
message.json is the payload, for instance:
  {\"v\": 1, \"from\": \"EE\", \"to\": [\"UA\"], \"kind\": \"notification\", \"tlp\": \"amber\",
   \"lang\": \"en\", \"body\": {\"summary\": \"DDoS on government portals\"}}
Left-out `id`, `thread` and `sent_at` are filled in; the node refuses a sent_at more than
5 minutes from its clock, so sign just before sending. A mistake exits 1 naming its JSON path.";

pub const NOTIFY_HELP: &str = "Example:
  redline notify --incident incident--0b6c… --to UA,GB --key ee.pem \\
      --url https://node.example --token rl_…
Prints the new thread's id, the message id and the deadlines by which the recipients must
acknowledge and respond (from the norms document and the incident's severity).
Watch it with `redline thread show THREAD_ID`.";

pub const INBOX_HELP: &str = "Example:
  redline inbox --url https://node.example --token rl_…
YOU OWE says what you must send: `ack` (then `redline ack MESSAGE_ID`) or `response`
(then `redline reply THREAD_ID --text …`). Deadlines are relative to now; `overdue` means the
node has already reminded you and alerted the sender.";

pub const ACK_HELP: &str = "Example:
  redline ack 5f0e…-message-id --key ua.pem --url https://node.example --token rl_…
Acknowledging says you received the message; a substantive answer is still owed
(`redline reply`). The message id is in `redline thread show`.";

pub const REPLY_HELP: &str = "Examples:
  redline reply THREAD_ID --text \"We are investigating; first findings by 18:00 UTC\"
  redline reply THREAD_ID --kind clarification-request --question \"Which addresses?\"
  redline reply THREAD_ID --kind assistance-offer --text \"CERT team on standby\"
  redline reply THREAD_ID --kind mitigation-request --text \"Botnet C2 traffic\" \\
      --from-territory-of RU --indicator 203.0.113.7
  redline reply THREAD_ID --kind closure --text \"Resolved\"
  redline reply THREAD_ID --kind check-reply
  redline reply THREAD_ID --kind request-outcome --outcome declined --reason \"No capacity this week\"
  redline reply THREAD_ID --kind request-outcome --outcome partly --done \"Blocked 2 of 3 hosts\" \\
      --not-done \"The third is a CDN address\"
(each with --key FILE, and --url/--token for a running node).";

pub const THREAD_SHOW_HELP: &str = "Example:
  redline thread show THREAD_ID --lang fr --url https://node.example --token rl_…
Reading a thread as a recipient counts as delivery. Free text is shown as the sender wrote it;
the standard sentences around it are in --lang.";

pub const CHECK_START_HELP: &str = "Example:
  redline check start --to UA,GB --key ee.pem --url https://node.example --token rl_…
Then `redline check status CHECK_ID`. Targets answer with
  redline reply THREAD_ID --kind check-reply --key their.pem …
Without --url, the operator of the local node may start a check signed with any party's key.";

pub const CHECK_STATUS_HELP: &str = "Outcomes: answered (in time), late (after the deadline),
waiting (no answer yet, deadline not passed), silent (no answer, deadline passed).";

// ------------------------------------------------------------------------------------------
// Input helpers

fn parse_party(flag: &str, text: &str) -> Result<PartyId, NodeError> {
    PartyId::parse(text.trim()).map_err(|message| NodeError::invalid(flag, message))
}

fn parse_parties(flag: &str, texts: &[String]) -> Result<Vec<PartyId>, NodeError> {
    texts
        .iter()
        .filter(|text| !text.trim().is_empty())
        .map(|text| parse_party(flag, text))
        .collect()
}

fn parse_id(what: &str, text: &str) -> Result<Uuid, NodeError> {
    Uuid::try_parse(text.trim())
        .map_err(|_| NodeError::invalid(what, format!("`{text}` is not a {what} (a UUID)")))
}

fn parse_tlp(text: &str) -> Result<Tlp, NodeError> {
    Tlp::parse(text.trim()).ok_or_else(|| {
        let known: Vec<&str> = Tlp::ALL.iter().map(Tlp::as_str).collect();
        NodeError::invalid(
            "--tlp",
            format!(
                "`{text}` is not a TLP label: use one of {}",
                known.join(", ")
            ),
        )
    })
}

fn fresh_id() -> anyhow::Result<Uuid> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|error| anyhow::anyhow!("no randomness from the OS: {error}"))?;
    Ok(uuid::Builder::from_random_bytes(bytes).into_uuid())
}

fn read_key(path: &Path) -> anyhow::Result<SigningKey> {
    keys::read_key_file(path)
        .map_err(|error| NodeError::invalid("--key", format!("{error:#}")).into())
}

fn read_input(file: &Path) -> anyhow::Result<Vec<u8>> {
    if file.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
            .context("reading the message from standard input")?;
        Ok(bytes)
    } else {
        std::fs::read(file).map_err(|error| {
            NodeError::invalid("MESSAGE", format!("reading {}: {error}", file.display())).into()
        })
    }
}

/// Prints every problem on its own line with its JSON path, and returns the error to exit with.
fn explain(error: NodeError) -> anyhow::Error {
    if let NodeError::Invalid(issues) = &error {
        for issue in issues {
            eprintln!("  at {}: {}", issue.path, issue.message);
        }
    }
    error.into()
}

/// A message checked exactly as the node will read it, and its signed envelope.
fn seal(message: &HotlineMessage, key: &SigningKey) -> anyhow::Result<(HotlineMessage, Vec<u8>)> {
    let checked = HotlineMessage::parse(&message.to_json_bytes())
        .map_err(|error| explain(NodeError::from(error)))?;
    let envelope = redline_hotline::sign_message(&checked, key);
    Ok((checked, envelope))
}

/// Who signs, and as which party.
pub(crate) struct Signer {
    pub(crate) key: SigningKey,
    pub(crate) party: PartyId,
}

impl Signer {
    pub(crate) async fn resolve(target: &Target, options: &SignerOptions) -> anyhow::Result<Self> {
        let key = read_key(&options.key)?;
        if let Some(from) = &options.from {
            return Ok(Self {
                key,
                party: parse_party("--from", from)?,
            });
        }
        let key_id = redline_hotline::key_id_for(&key.verifying_key());
        let parties = target.parties().await?;
        let owner = parties
            .iter()
            .find(|party| {
                party.keys.iter().any(|registered| {
                    registered.key_id == key_id && registered.revoked_at.is_none()
                })
            })
            .or_else(|| {
                parties.iter().find(|party| {
                    party
                        .keys
                        .iter()
                        .any(|registered| registered.key_id == key_id)
                })
            });
        match owner {
            Some(party) => Ok(Self {
                key,
                party: party.id.clone(),
            }),
            None => Err(NodeError::invalid(
                "--key",
                format!(
                    "the key in {} (key id {key_id}) is registered to no party on this node: \
                     pass --from PARTY, or have the operator register its public key \
                     (`redline keygen` printed it)",
                    options.key.display()
                ),
            )
            .into()),
        }
    }
}

/// What a command puts in a message; `new_message` adds the id, sender and time.
struct Draft {
    thread: Uuid,
    to: Vec<PartyId>,
    tlp: Tlp,
    lang: String,
    exercise: bool,
    incident: Option<IncidentId>,
    body: MessageBody,
}

/// A message from `signer` with a fresh id, sent now.
fn new_message(target: &Target, signer: &Signer, draft: Draft) -> anyhow::Result<HotlineMessage> {
    Ok(HotlineMessage {
        id: fresh_id()?,
        thread: draft.thread,
        from: signer.party.clone(),
        to: draft.to,
        sent_at: target.now(),
        incident: draft.incident,
        tlp: draft.tlp,
        lang: draft.lang.trim().to_string(),
        exercise: draft.exercise,
        body: draft.body,
    })
}

/// Signs and sends; answers what the node accepted.
async fn send(
    target: &Target,
    signer: &Signer,
    message: &HotlineMessage,
) -> anyhow::Result<(Value, AcceptedMessage)> {
    let (_, envelope) = seal(message, &signer.key)?;
    let answer = target.send(envelope).await.map_err(explain_remote)?;
    let accepted = read_answer(answer.clone(), "an accepted message")?;
    Ok((answer, accepted))
}

/// Builds a message from `draft`, signs and sends it, and prints what the node accepted.
async fn send_draft(
    target: &Target,
    signer: &Signer,
    draft: Draft,
    format: Format,
) -> anyhow::Result<()> {
    let message = new_message(target, signer, draft)?;
    let (answer, accepted) = send(target, signer, &message).await?;
    match format {
        Format::Json => crate::output::print_json(&answer),
        Format::Table => {
            print::accepted(&message, &accepted, target.now());
            Ok(())
        }
    }
}

/// The node's refusal, printed with its JSON path when it gave one.
fn explain_remote(error: anyhow::Error) -> anyhow::Error {
    match error.downcast::<NodeError>() {
        Ok(node_error) => explain(node_error),
        Err(other) => other,
    }
}

// ------------------------------------------------------------------------------------------
// Commands

pub fn keygen(arguments: KeygenArguments) -> anyhow::Result<()> {
    if arguments.output.exists() {
        return Err(NodeError::Conflict(format!(
            "{} exists already; a key file is never overwritten (choose another --output)",
            arguments.output.display()
        ))
        .into());
    }
    let public_key = keys::generate_key_file(&arguments.output)?;
    let key = keys::read_key_file(&arguments.output)?;
    println!("{public_key}");
    eprintln!(
        "private key written to {} (mode 0600); key id {}",
        arguments.output.display(),
        redline_hotline::key_id_for(&key.verifying_key())
    );
    eprintln!(
        "register the public key above for your party: redline party add --id ID --name NAME --public-key {public_key}"
    );
    Ok(())
}

pub fn sign(arguments: SignArguments) -> anyhow::Result<()> {
    let bytes = read_input(&arguments.message)?;
    let key = read_key(&arguments.key)?;
    if let Some(payload_type) = &arguments.payload_type {
        return sign_record_bytes(payload_type, bytes, &key);
    }
    let bytes = fill_in_missing(&bytes)?;
    let message = HotlineMessage::parse(&bytes).map_err(|error| explain(NodeError::from(error)))?;
    let envelope = redline_hotline::sign_message(&message, &key);
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&envelope)?;
    stdout.write_all(b"\n")?;
    Ok(())
}

/// Signs an attribution or consultation record exactly as given, after checking it reads as the
/// record its payload type names (a mistake is named by its field before anything is signed).
fn sign_record_bytes(payload_type: &str, bytes: Vec<u8>, key: &SigningKey) -> anyhow::Result<()> {
    use redline_hotline::consultation::{
        CONSULTATION_OUTCOME_PAYLOAD_TYPE, CONSULTATION_REPLY_PAYLOAD_TYPE,
        CONSULTATION_REQUEST_PAYLOAD_TYPE,
    };
    use redline_model::attribution::{
        CLAIM_DECISION_PAYLOAD_TYPE, CLAIM_PAYLOAD_TYPE, COSIGNATURE_PAYLOAD_TYPE,
    };
    let checked = match payload_type {
        CLAIM_PAYLOAD_TYPE => redline_model::AttributionClaim::parse(&bytes).map(|_| ()),
        COSIGNATURE_PAYLOAD_TYPE => redline_model::ClaimCosignature::parse(&bytes).map(|_| ()),
        CLAIM_DECISION_PAYLOAD_TYPE => redline_model::ClaimDecision::parse(&bytes).map(|_| ()),
        CONSULTATION_REQUEST_PAYLOAD_TYPE => {
            redline_hotline::ConsultationRequest::parse(&bytes).map(|_| ())
        }
        CONSULTATION_REPLY_PAYLOAD_TYPE => {
            redline_hotline::ConsultationReply::parse(&bytes).map(|_| ())
        }
        CONSULTATION_OUTCOME_PAYLOAD_TYPE => {
            redline_hotline::ConsultationOutcome::parse(&bytes).map(|_| ())
        }
        // Commitments: adoptions, implementation reports, peer-review records.
        other if crate::commands::commitments::is_commitment_payload_type(other) => {
            crate::commands::commitments::check_payload(other, &bytes)
        }
        other => {
            return Err(NodeError::invalid(
                "--payload-type",
                format!(
                    "`{other}` is not a record redline signs: use one of {CLAIM_PAYLOAD_TYPE}, {COSIGNATURE_PAYLOAD_TYPE}, {CLAIM_DECISION_PAYLOAD_TYPE}, {CONSULTATION_REQUEST_PAYLOAD_TYPE}, {CONSULTATION_REPLY_PAYLOAD_TYPE}, {CONSULTATION_OUTCOME_PAYLOAD_TYPE} or a commitment record's type (`redline commitments send --help`)"
                ),
            )
            .into());
        }
    };
    checked.map_err(|error| explain(NodeError::from(error)))?;
    let envelope = redline_hotline::sign_record(payload_type, bytes, key);
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&envelope)?;
    stdout.write_all(b"\n")?;
    Ok(())
}

/// Adds a fresh `id`, a new `thread` and the current `sent_at` when the payload leaves them out;
/// anything that is not a JSON object goes to the parser unchanged, to be refused with its path.
fn fill_in_missing(bytes: &[u8]) -> anyhow::Result<Vec<u8>> {
    let Ok(Value::Object(mut object)) = serde_json::from_slice::<Value>(bytes) else {
        return Ok(bytes.to_vec());
    };
    if !object.contains_key("id") {
        object.insert("id".into(), Value::String(fresh_id()?.to_string()));
    }
    if !object.contains_key("thread") {
        object.insert("thread".into(), Value::String(fresh_id()?.to_string()));
    }
    if !object.contains_key("sent_at") {
        let now = Timestamp::from_jiff(jiff::Timestamp::now());
        object.insert("sent_at".into(), serde_json::to_value(now)?);
    }
    Ok(serde_json::to_vec(&Value::Object(object))?)
}

pub async fn notify(settings: &Settings, arguments: NotifyArguments) -> anyhow::Result<()> {
    let incident = IncidentId::parse(arguments.incident.trim())
        .map_err(|message| NodeError::invalid("--incident", message))?;
    let to = parse_parties("--to", &arguments.to)?;
    let tlp = arguments.tlp.as_deref().map(parse_tlp).transpose()?;
    let target = Target::open(settings, &arguments.remote, "notify").await?;
    let outcome = async {
        let signer = Signer::resolve(&target, &arguments.signer).await?;
        let report = target.incident(&incident).await?;
        let summary = match &arguments.summary {
            Some(summary) => summary.clone(),
            None => report
                .pointer("/report/title")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        };
        let tlp = match tlp {
            Some(tlp) => tlp,
            None => report
                .pointer("/report/tlp")
                .and_then(Value::as_str)
                .and_then(Tlp::parse)
                .unwrap_or(Tlp::Amber),
        };
        let severity_level = match arguments.severity {
            Some(level) => Some(level),
            None => target
                .assessment(&incident)
                .await?
                .and_then(|assessment| assessment.pointer("/severity/level")?.as_u64())
                .and_then(|level| u8::try_from(level).ok()),
        };
        let draft = Draft {
            thread: fresh_id()?,
            to,
            tlp,
            lang: arguments.lang.clone(),
            exercise: arguments.exercise,
            incident: Some(incident.clone()),
            body: MessageBody::Notification(NotificationBody {
                summary,
                severity_level,
                requested_actions: arguments.actions.clone(),
            }),
        };
        let message = new_message(&target, &signer, draft)?;
        let (answer, accepted) = send(&target, &signer, &message).await?;
        match arguments.format {
            Format::Json => crate::output::print_json(&answer),
            Format::Table => {
                print::accepted(&message, &accepted, target.now());
                println!("next:           redline thread show {}", accepted.thread);
                Ok(())
            }
        }
    }
    .await;
    target.close().await;
    outcome
}

pub async fn inbox(settings: &Settings, arguments: InboxArguments) -> anyhow::Result<()> {
    if arguments.follow {
        let Some(remote) = arguments.remote.remote()? else {
            return Err(UsageError(
                "--follow reads a running node's stream: give --url and --token".into(),
            )
            .into());
        };
        return follow::follow(remote, arguments.format, arguments.after).await;
    }
    let target = Target::open(settings, &arguments.remote, "inbox").await?;
    let outcome = target.inbox(arguments.limit).await;
    let now = target.now();
    let local = target.is_local();
    target.close().await;
    let answer = outcome?;
    match arguments.format {
        Format::Json => crate::output::print_json(&serde_json::json!({ "threads": answer })),
        Format::Table => {
            let threads: Vec<ThreadSummary> = read_answer(answer, "a list of threads")?;
            print::inbox(&threads, now, local);
            Ok(())
        }
    }
}

pub async fn ack(settings: &Settings, arguments: AckArguments) -> anyhow::Result<()> {
    let message_id = parse_id("message id", &arguments.message_id)?;
    let target = Target::open(settings, &arguments.remote, "ack").await?;
    let outcome = async {
        let signer = Signer::resolve(&target, &arguments.signer).await?;
        let original: MessageView = read_answer(target.message(message_id).await?, "a message")?;
        if original.from == signer.party {
            return Err(NodeError::invalid(
                "MESSAGE_ID",
                format!(
                    "{} sent message {message_id}; acknowledgements come from its recipients",
                    signer.party
                ),
            )
            .into());
        }
        let tlp = Tlp::parse(&original.tlp).unwrap_or(Tlp::Amber);
        let draft = Draft {
            thread: original.thread,
            to: vec![original.from.clone()],
            tlp,
            lang: arguments.lang.clone(),
            exercise: original.exercise,
            incident: None,
            body: MessageBody::Acknowledgement(AcknowledgementBody { of: message_id }),
        };
        send_draft(&target, &signer, draft, arguments.format).await
    }
    .await;
    target.close().await;
    outcome
}

fn require_text(text: &Option<String>, kind: &str, meaning: &str) -> anyhow::Result<String> {
    match text {
        Some(text) if !text.trim().is_empty() => Ok(text.clone()),
        _ => Err(UsageError(format!("a {kind} needs --text: {meaning}")).into()),
    }
}

impl ReplyKind {
    fn message_kind(self) -> MessageKind {
        match self {
            ReplyKind::Response => MessageKind::Response,
            ReplyKind::ClarificationRequest => MessageKind::ClarificationRequest,
            ReplyKind::AssistanceRequest => MessageKind::AssistanceRequest,
            ReplyKind::AssistanceOffer => MessageKind::AssistanceOffer,
            ReplyKind::MitigationRequest => MessageKind::MitigationRequest,
            ReplyKind::Closure => MessageKind::Closure,
            ReplyKind::CheckReply => MessageKind::CheckReply,
            ReplyKind::RequestOutcome => MessageKind::RequestOutcome,
        }
    }
}

fn reply_body(
    arguments: &ReplyArguments,
    view: &ThreadView,
    drafted: &ReplyDraft,
) -> anyhow::Result<MessageBody> {
    let answered = arguments
        .to_message
        .as_deref()
        .map(|text| parse_id("--to-message", text))
        .transpose()?;
    Ok(match arguments.kind {
        ReplyKind::Response => {
            let to = match answered.or(drafted.answers) {
                Some(id) => id,
                None => {
                    return Err(
                        NodeError::invalid("THREAD_ID", "the thread has no messages").into(),
                    );
                }
            };
            MessageBody::Response(ResponseBody {
                to,
                text: require_text(&arguments.text, "response", "your answer")?,
            })
        }
        ReplyKind::ClarificationRequest => {
            let mut questions = arguments.questions.clone();
            if questions.is_empty()
                && let Some(text) = &arguments.text
            {
                questions.push(text.clone());
            }
            if questions.is_empty() {
                return Err(UsageError(
                    "a clarification-request needs --question TEXT (repeat for more) or --text"
                        .into(),
                )
                .into());
            }
            MessageBody::ClarificationRequest(ClarificationRequestBody { questions })
        }
        ReplyKind::AssistanceRequest => MessageBody::AssistanceRequest(AssistanceRequestBody {
            summary: require_text(&arguments.text, "assistance-request", "what help you need")?,
            needs: arguments.needs.clone(),
        }),
        ReplyKind::AssistanceOffer => MessageBody::AssistanceOffer(AssistanceOfferBody {
            request: answered.or(drafted.answers),
            offer: require_text(&arguments.text, "assistance-offer", "the help you offer")?,
        }),
        ReplyKind::MitigationRequest => {
            let Some(territory) = &arguments.from_territory_of else {
                return Err(UsageError(
                    "a mitigation-request needs --from-territory-of PARTY: the party whose territory the activity comes from"
                        .into(),
                )
                .into());
            };
            MessageBody::MitigationRequest(MitigationRequestBody {
                activity: require_text(
                    &arguments.text,
                    "mitigation-request",
                    "the activity to stop",
                )?,
                from_territory_of: parse_party("--from-territory-of", territory)?,
                indicators: arguments.indicators.clone(),
            })
        }
        ReplyKind::Closure => MessageBody::Closure(ClosureBody {
            reason: require_text(&arguments.text, "closure", "why the thread is finished")?,
        }),
        ReplyKind::CheckReply => {
            let check_id = view
                .messages
                .iter()
                .find(|message| Some(message.id) == drafted.answers)
                .and_then(|message| message.payload.pointer("/body/check_id")?.as_str())
                .and_then(|text| Uuid::try_parse(text).ok())
                .ok_or_else(|| {
                    NodeError::invalid(
                        "THREAD_ID",
                        format!(
                            "thread {} is not a communication check; a check-reply answers one",
                            view.thread.id
                        ),
                    )
                })?;
            MessageBody::CheckReply(CheckReplyBody { check_id })
        }
        ReplyKind::RequestOutcome => {
            let Some(outcome) = arguments.outcome else {
                return Err(UsageError(
                    "a request-outcome needs --outcome accepted, partly, declined or completed"
                        .into(),
                )
                .into());
            };
            let Some(request) = answered.or(drafted.answers) else {
                return Err(NodeError::invalid(
                    "THREAD_ID",
                    format!(
                        "thread {} has no assistance or mitigation request sent to you; name one with --to-message",
                        view.thread.id
                    ),
                )
                .into());
            };
            // The model's parser says which field an outcome lacks or must not give.
            MessageBody::RequestOutcome(redline_hotline::message::RequestOutcomeBody {
                request,
                outcome: outcome.outcome(),
                reason: arguments.reason.clone(),
                done: arguments.done.clone(),
                not_done: arguments.not_done.clone(),
                summary: arguments.text.clone(),
            })
        }
    })
}

pub async fn reply(settings: &Settings, arguments: ReplyArguments) -> anyhow::Result<()> {
    let thread_id = parse_id("thread id", &arguments.thread_id)?;
    let recipients = parse_parties("--to", &arguments.to)?;
    let tlp = arguments.tlp.as_deref().map(parse_tlp).transpose()?;
    let target = Target::open(settings, &arguments.remote, "reply").await?;
    let outcome = async {
        let signer = Signer::resolve(&target, &arguments.signer).await?;
        let view: ThreadView = read_answer(target.thread(thread_id).await?, "a thread")?;
        let drafted = view.draft_reply(&signer.party, arguments.kind.message_kind());
        let body = reply_body(&arguments, &view, &drafted)?;
        let to = if recipients.is_empty() {
            drafted.to
        } else {
            recipients
        };
        let tlp = tlp.unwrap_or(view.thread.tlp);
        let draft = Draft {
            thread: thread_id,
            to,
            tlp,
            lang: arguments.lang.clone(),
            exercise: view.thread.exercise,
            incident: None,
            body,
        };
        send_draft(&target, &signer, draft, arguments.format).await
    }
    .await;
    target.close().await;
    outcome
}

pub async fn thread(settings: &Settings, command: ThreadCommand) -> anyhow::Result<()> {
    let ThreadCommand::Show {
        thread_id,
        lang,
        format,
        remote,
    } = command;
    let thread_id = parse_id("thread id", &thread_id)?;
    let target = Target::open(settings, &remote, "thread show").await?;
    let outcome = async {
        let answer = target.thread(thread_id).await?;
        let view: ThreadView = read_answer(answer.clone(), "a thread")?;
        let mut forms = Vec::with_capacity(view.messages.len());
        for message in &view.messages {
            forms.push(target.form(message.id, &lang).await?);
        }
        let states = print::states_after_each_message(&view.thread, &view.messages);
        match format {
            Format::Json => {
                let mut answer = answer;
                if let Some(messages) = answer["messages"].as_array_mut() {
                    for ((message, form), state) in messages.iter_mut().zip(&forms).zip(&states) {
                        message["form"] = form.clone();
                        message["thread_state_after"] = Value::String(state.clone());
                    }
                }
                crate::output::print_json(&answer)
            }
            Format::Table => {
                print::thread(&view, &forms, &states, target.now());
                Ok(())
            }
        }
    }
    .await;
    target.close().await;
    outcome
}

pub async fn check(settings: &Settings, command: CheckCommand) -> anyhow::Result<()> {
    match command {
        CheckCommand::Start {
            to,
            exercise,
            tlp,
            lang,
            signer,
            format,
            remote,
        } => {
            let to = parse_parties("--to", &to)?;
            let tlp = parse_tlp(&tlp)?;
            let target = Target::open(settings, &remote, "check start").await?;
            let outcome = async {
                let signer = Signer::resolve(&target, &signer).await?;
                let to = if to.is_empty() {
                    target
                        .parties()
                        .await?
                        .into_iter()
                        .map(|party| party.id)
                        .filter(|party| *party != signer.party)
                        .collect()
                } else {
                    to
                };
                let check_id = fresh_id()?;
                let draft = Draft {
                    thread: fresh_id()?,
                    to,
                    tlp,
                    lang: lang.clone(),
                    exercise,
                    incident: None,
                    body: MessageBody::CommunicationCheck(CommunicationCheckBody { check_id }),
                };
                let message = new_message(&target, &signer, draft)?;
                let (answer, accepted) = send(&target, &signer, &message).await?;
                match format {
                    Format::Json => {
                        let mut answer = answer;
                        answer["check_id"] = Value::String(check_id.to_string());
                        crate::output::print_json(&answer)
                    }
                    Format::Table => {
                        print::check_started(check_id, &message, &accepted, target.now());
                        Ok(())
                    }
                }
            }
            .await;
            target.close().await;
            outcome
        }
        CheckCommand::Status {
            check_id,
            format,
            remote,
        } => {
            let check_id = parse_id("check id", &check_id)?;
            let target = Target::open(settings, &remote, "check status").await?;
            let outcome = target.check(check_id).await;
            let now = target.now();
            target.close().await;
            let answer = outcome?;
            match format {
                Format::Json => crate::output::print_json(&answer),
                Format::Table => {
                    let check: CheckStatus = read_answer(answer, "a communication check")?;
                    print::check_status(&check, now);
                    Ok(())
                }
            }
        }
    }
}
