//! `/dashboard/federation`: this node among its peers, for anyone — per peer the relay (what
//! waits, what was delivered, the delays, the oldest item waiting and the last error), each
//! sync (last success, lag, resume point, the last error with its detail), the alarms about
//! peers' logs with the two signed checkpoints that show a fork or split view, and the public
//! incidents synced from peers with their origin node. Counts, times and public records only.

use askama::Template;
use axum::{extract::State, response::Response};
use redline_node::federation::{AlarmView, FederationStatus, PeerIncidentView};

use super::{Page, PageError, ShownTime, render};
use crate::AppState;

#[derive(Template)]
#[template(path = "dashboard/federation.html")]
struct FederationTemplate {
    page: Page,
    node: Option<String>,
    peers: Vec<PeerRow>,
    syncs: Vec<SyncRow>,
    alarms: Vec<AlarmRow>,
    incidents: Vec<PeerIncidentView>,
}

struct PeerRow {
    node: String,
    url: String,
    parties_homed: usize,
    pending: u64,
    delivered: u64,
    delay_p50: String,
    delay_p99: String,
    oldest_pending: Option<ShownTime>,
    last_error: String,
}

struct SyncRow {
    peer: String,
    what: String,
    last_success: Option<ShownTime>,
    lag: String,
    objects: u64,
    resume_point: String,
    last_error: String,
}

struct AlarmRow {
    origin: String,
    kind: String,
    detail: String,
    first_note: String,
    second_note: String,
    reported_by: String,
    detected_at: ShownTime,
}

fn milliseconds(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_string(), |ms| format!("{ms:.1} ms"))
}

fn shown(at: Option<redline_model::Timestamp>) -> Option<ShownTime> {
    at.map(|at| ShownTime::from_microseconds(at.as_microseconds()))
}

fn alarm_row(alarm: &AlarmView) -> AlarmRow {
    AlarmRow {
        origin: alarm.origin.clone(),
        kind: alarm.kind.clone(),
        detail: alarm.detail.clone(),
        first_note: alarm.first_note.clone(),
        second_note: alarm.second_note.clone(),
        reported_by: alarm.reported_by.clone(),
        detected_at: ShownTime::from_microseconds(alarm.detected_at.as_microseconds()),
    }
}

fn template_of(page: Page, status: FederationStatus) -> FederationTemplate {
    let peers = status
        .peers
        .iter()
        .map(|peer| PeerRow {
            node: peer.node.clone(),
            url: peer.url.clone(),
            parties_homed: peer.parties_homed,
            pending: peer.relay.pending,
            delivered: peer.relay.delivered,
            delay_p50: milliseconds(peer.relay.delay_p50_ms),
            delay_p99: milliseconds(peer.relay.delay_p99_ms),
            oldest_pending: shown(peer.relay.oldest_pending_since),
            last_error: peer.relay.last_error.clone().unwrap_or_default(),
        })
        .collect();
    let syncs = status
        .peers
        .iter()
        .flat_map(|peer| {
            peer.syncs.iter().map(|sync| SyncRow {
                peer: peer.node.clone(),
                what: sync.what.clone(),
                last_success: shown(sync.last_success_at),
                lag: sync
                    .lag_seconds
                    .map_or_else(|| "—".to_string(), |seconds| format!("{seconds} s")),
                objects: sync.objects,
                resume_point: sync.resume_point.clone().unwrap_or_default(),
                last_error: sync.last_error.clone().unwrap_or_default(),
            })
        })
        .collect();
    FederationTemplate {
        page,
        node: status.node.clone(),
        peers,
        syncs,
        alarms: status.alarms.iter().map(alarm_row).collect(),
        incidents: status.peer_incidents,
    }
}

pub(crate) async fn federation(State(state): State<AppState>, page: Page) -> Response {
    match state.node.federation_status().await {
        Ok(status) => render(&template_of(page, status)),
        Err(error) => PageError::new(page, error).into_response_page(),
    }
}
