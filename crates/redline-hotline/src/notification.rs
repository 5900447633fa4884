//! Notifications of hotline events to a party's own webhooks and e-mail addresses, as pure
//! functions: which event kinds may be subscribed to, the JSON body a webhook receives and the
//! plain-text mail (never a message's content, and for `amber`/`red` threads not even the
//! incident id), the HMAC-SHA256 signature of a delivery and its check, the retry schedule, and
//! which network addresses a webhook may never reach (the SSRF rule). The node reads the events,
//! resolves names, sends and keeps the delivery log; everything decided here takes its inputs
//! as arguments.

use core::net::IpAddr;
use std::time::Duration;

use hmac::{KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use uuid::Uuid;

use redline_model::{PartyId, Timestamp};

/// The event kinds a subscription may name: a party's stream carries these.
pub const NOTIFIABLE_EVENT_KINDS: &[&str] = &[
    "message",
    "reminder",
    "overdue-alert",
    "thread-state",
    "consultation",
];

/// The kinds a subscription gets when it names none: what asks for a person's attention.
pub const DEFAULT_EVENT_KINDS: &[&str] = &["message", "reminder", "overdue-alert"];

/// The header carrying `sha256=<hex>` of the signed bytes.
pub const SIGNATURE_HEADER: &str = "X-Redline-Signature";
/// The header carrying the delivery's time in Unix seconds; it is part of the signed bytes.
pub const TIMESTAMP_HEADER: &str = "X-Redline-Timestamp";
/// The header naming the delivery (stable across retries: a receiver drops a repeat by it).
pub const DELIVERY_HEADER: &str = "X-Redline-Delivery";

/// What a party's event says, as far as a notification may repeat it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationFacts {
    /// The event's id on the party's stream (`Last-Event-ID`).
    pub event_id: i64,
    pub party: PartyId,
    pub kind: String,
    pub thread: Uuid,
    pub message: Option<Uuid>,
    pub created_at: Timestamp,
    /// The message kind (`notification`, `acknowledgement`…) of a `message` event.
    pub message_kind: Option<String>,
    /// The sender of a `message` event.
    pub from: Option<String>,
    /// The thread's TLP label, when the event names it.
    pub tlp: Option<String>,
    /// The thread's new state of a `thread-state` event.
    pub state: Option<String>,
    /// The incident the message is about; withheld for `amber` and `red` labels.
    pub incident: Option<String>,
    pub exercise: bool,
}

impl NotificationFacts {
    /// Reads the facts out of an event's `detail` object, keeping only the whitelisted fields.
    pub fn from_event_detail(
        event_id: i64,
        party: PartyId,
        kind: &str,
        thread: Uuid,
        message: Option<Uuid>,
        created_at: Timestamp,
        detail: &serde_json::Value,
    ) -> Self {
        let text = |name: &str| {
            detail
                .get(name)
                .and_then(|value| value.as_str())
                .map(str::to_string)
        };
        let tlp = text("tlp");
        let restricted = is_restricted_label(tlp.as_deref());
        Self {
            event_id,
            party,
            kind: kind.to_string(),
            thread,
            message,
            created_at,
            message_kind: text("kind"),
            from: text("from"),
            tlp,
            state: text("state"),
            incident: if restricted { None } else { text("incident") },
            exercise: detail
                .get("exercise")
                .and_then(|value| value.as_bool())
                .unwrap_or(false),
        }
    }
}

/// Whether a label keeps everything but the event's bare facts out of a notification: `amber`,
/// `amber+strict` and `red`, and a label the node could not read.
pub fn is_restricted_label(tlp: Option<&str>) -> bool {
    !matches!(tlp, None | Some("clear") | Some("green"))
}

/// The JSON body of a webhook delivery: fields in a fixed order.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct WebhookBody {
    pub event_id: i64,
    pub kind: String,
    pub party: String,
    pub thread: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<Uuid>,
    pub created_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tlp: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incident: Option<String>,
    pub exercise: bool,
}

/// The bytes a webhook receives for `facts`.
pub fn webhook_body(facts: &NotificationFacts) -> Vec<u8> {
    let body = WebhookBody {
        event_id: facts.event_id,
        kind: facts.kind.clone(),
        party: facts.party.to_string(),
        thread: facts.thread,
        message: facts.message,
        created_at: facts.created_at,
        message_kind: facts.message_kind.clone(),
        from: facts.from.clone(),
        tlp: facts.tlp.clone(),
        state: facts.state.clone(),
        incident: facts.incident.clone(),
        exercise: facts.exercise,
    };
    serde_json::to_vec(&body).unwrap_or_default()
}

/// The bytes signed for a delivery: the timestamp header's value, a dot, then the body, so a
/// captured delivery replayed later fails the receiver's freshness check on the timestamp.
pub fn signed_bytes(timestamp_seconds: i64, body: &[u8]) -> Vec<u8> {
    let mut bytes = format!("{timestamp_seconds}.").into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// `sha256=<hex>`: HMAC-SHA256 of [`signed_bytes`] under the subscription's secret.
pub fn webhook_signature(secret: &[u8], timestamp_seconds: i64, body: &[u8]) -> String {
    let Ok(mut mac) = hmac::Hmac::<Sha256>::new_from_slice(secret) else {
        // HMAC takes keys of any length; this branch is never taken.
        return String::new();
    };
    mac.update(&signed_bytes(timestamp_seconds, body));
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Why a receiver refuses a delivery.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureRefusal {
    #[error("the signature header is not `sha256=<64 hex digits>`")]
    Malformed,
    #[error("the signature does not match the body and timestamp under the secret")]
    Mismatch,
    #[error("the timestamp is {0} s from the receiver's clock, more than allowed")]
    Stale(i64),
}

/// What a receiver does: checks the signature in constant time, and that the timestamp is
/// within `tolerance_seconds` of its own clock `now_seconds`.
pub fn verify_webhook_signature(
    secret: &[u8],
    timestamp_seconds: i64,
    body: &[u8],
    signature_header: &str,
    now_seconds: i64,
    tolerance_seconds: i64,
) -> Result<(), SignatureRefusal> {
    let digest = signature_header
        .strip_prefix("sha256=")
        .and_then(|hex_digits| hex::decode(hex_digits).ok())
        .filter(|digest| digest.len() == 32)
        .ok_or(SignatureRefusal::Malformed)?;
    let mut mac =
        hmac::Hmac::<Sha256>::new_from_slice(secret).map_err(|_| SignatureRefusal::Mismatch)?;
    mac.update(&signed_bytes(timestamp_seconds, body));
    mac.verify_slice(&digest)
        .map_err(|_| SignatureRefusal::Mismatch)?;
    let skew = now_seconds.saturating_sub(timestamp_seconds);
    if skew.abs() > tolerance_seconds {
        return Err(SignatureRefusal::Stale(skew));
    }
    Ok(())
}

/// A notification mail: subject and plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationMail {
    pub subject: String,
    pub text: String,
}

/// The mail for `facts`: the subject names the kind and the thread; the text the bare facts and
/// where to read the rest (signed in, on the node), never a message's content.
pub fn notification_mail(facts: &NotificationFacts) -> NotificationMail {
    let exercise = if facts.exercise { "[exercise] " } else { "" };
    let subject = format!(
        "{exercise}[redline] {} on thread {}",
        facts.kind, facts.thread
    );
    let mut lines = vec![
        format!("Event:    {} (#{})", facts.kind, facts.event_id),
        format!("Party:    {}", facts.party),
        format!("Thread:   {}", facts.thread),
    ];
    if let Some(message) = facts.message {
        lines.push(format!("Message:  {message}"));
    }
    if let Some(kind) = &facts.message_kind {
        lines.push(format!("Kind:     {kind}"));
    }
    if let Some(from) = &facts.from {
        lines.push(format!("From:     {from}"));
    }
    if let Some(tlp) = &facts.tlp {
        lines.push(format!("TLP:      {tlp}"));
    }
    if let Some(state) = &facts.state {
        lines.push(format!("State:    {state}"));
    }
    if let Some(incident) = &facts.incident {
        lines.push(format!("Incident: {incident}"));
    }
    lines.push(format!("Time:     {}", facts.created_at));
    lines.push(String::new());
    lines.push(
        "Read the thread on the node (`redline inbox`, or the console) with your credentials; \
         this mail never carries a message's content."
            .to_string(),
    );
    NotificationMail {
        subject,
        text: lines.join("\n") + "\n",
    }
}

/// When a failed delivery is tried again: `base` × 2^(attempts − 1), at most `ceiling`; `None`
/// after `maximum_attempts` (the delivery has failed for good).
pub fn retry_delay(
    attempts_made: u32,
    maximum_attempts: u32,
    base: Duration,
    ceiling: Duration,
) -> Option<Duration> {
    if attempts_made >= maximum_attempts {
        return None;
    }
    let doublings = attempts_made.saturating_sub(1).min(30);
    Some(base.saturating_mul(1u32 << doublings).min(ceiling))
}

/// Why a webhook may not go to an address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressRefusal {
    #[error("{0} is a loopback, private, link-local or otherwise non-public address")]
    NotPublic(IpAddr),
    #[error("{0} is unspecified, multicast or reserved")]
    Unroutable(IpAddr),
}

/// The SSRF rule for one resolved address of a webhook's host: unspecified, multicast,
/// broadcast and documentation addresses never; loopback, private (RFC 1918, unique local),
/// link-local (with the cloud metadata address 169.254.169.254), carrier-grade NAT and
/// IPv4-mapped forms of those only when the operator allows private targets.
pub fn check_webhook_address(address: IpAddr, allow_private: bool) -> Result<(), AddressRefusal> {
    let address = match address {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    };
    let (unroutable, private) = match address {
        IpAddr::V4(v4) => {
            let octets = v4.octets();
            let carrier_grade_nat = octets[0] == 100 && (64..128).contains(&octets[1]);
            (
                v4.is_unspecified()
                    || v4.is_multicast()
                    || v4.is_broadcast()
                    || v4.is_documentation()
                    || octets[0] == 0
                    || octets[0] >= 240,
                v4.is_loopback() || v4.is_private() || v4.is_link_local() || carrier_grade_nat,
            )
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            (
                v6.is_unspecified()
                    || v6.is_multicast()
                    || first == 0x2001 && v6.segments()[1] == 0xdb8,
                v6.is_loopback() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80,
            )
        }
    };
    if unroutable {
        return Err(AddressRefusal::Unroutable(address));
    }
    if private && !allow_private {
        return Err(AddressRefusal::NotPublic(address));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(tlp: &str) -> NotificationFacts {
        let detail = serde_json::json!({
            "from": "ee-cert", "kind": "notification", "tlp": tlp, "exercise": false,
            "incident": "INC-1", "text": "the secret content"
        });
        NotificationFacts::from_event_detail(
            7,
            PartyId::parse("fi-cert").unwrap(),
            "message",
            Uuid::nil(),
            Some(Uuid::nil()),
            Timestamp::from_microseconds(1_700_000_000_000_000).unwrap(),
            &detail,
        )
    }

    #[test]
    fn restricted_threads_lose_the_incident_and_nothing_carries_content() {
        let amber = facts("amber");
        assert_eq!(amber.incident, None);
        let body = String::from_utf8(webhook_body(&amber)).unwrap();
        assert!(!body.contains("secret content") && !body.contains("INC-1"));
        let green = facts("green");
        assert_eq!(green.incident.as_deref(), Some("INC-1"));
        let mail = notification_mail(&amber);
        assert!(
            mail.subject.contains("message") && mail.subject.contains(&Uuid::nil().to_string())
        );
        assert!(!mail.text.contains("secret content") && !mail.text.contains("INC-1"));
    }

    #[test]
    fn a_signature_verifies_only_with_its_secret_body_and_timestamp() {
        let body = webhook_body(&facts("green"));
        let signature = webhook_signature(b"secret", 1000, &body);
        assert_eq!(
            verify_webhook_signature(b"secret", 1000, &body, &signature, 1010, 300),
            Ok(())
        );
        assert_eq!(
            verify_webhook_signature(b"other", 1000, &body, &signature, 1010, 300),
            Err(SignatureRefusal::Mismatch)
        );
        assert_eq!(
            verify_webhook_signature(b"secret", 1001, &body, &signature, 1010, 300),
            Err(SignatureRefusal::Mismatch)
        );
        assert_eq!(
            verify_webhook_signature(b"secret", 1000, &body, &signature, 5000, 300),
            Err(SignatureRefusal::Stale(4000))
        );
        assert_eq!(
            verify_webhook_signature(b"secret", 1000, &body, "sha1=00", 1000, 300),
            Err(SignatureRefusal::Malformed)
        );
    }

    #[test]
    fn retries_double_up_to_the_ceiling_and_stop_after_the_limit() {
        let second = Duration::from_secs(1);
        let delays: Vec<Option<Duration>> = (1..=6)
            .map(|attempt| retry_delay(attempt, 5, second, Duration::from_secs(5)))
            .collect();
        assert_eq!(
            delays,
            vec![
                Some(Duration::from_secs(1)),
                Some(Duration::from_secs(2)),
                Some(Duration::from_secs(4)),
                Some(Duration::from_secs(5)),
                None,
                None
            ]
        );
    }

    #[test]
    fn the_ssrf_rule_table() {
        let refused_always = ["0.0.0.0", "224.0.0.1", "255.255.255.255", "::", "ff02::1"];
        for address in refused_always {
            assert!(
                check_webhook_address(address.parse().unwrap(), true).is_err(),
                "{address}"
            );
        }
        let private = [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ];
        for address in private {
            assert!(
                check_webhook_address(address.parse().unwrap(), false).is_err(),
                "{address}"
            );
            assert!(
                check_webhook_address(address.parse().unwrap(), true).is_ok(),
                "{address}"
            );
        }
        for address in ["93.184.216.34", "2606:2800:220:1::1"] {
            assert!(
                check_webhook_address(address.parse().unwrap(), false).is_ok(),
                "{address}"
            );
        }
    }
}
