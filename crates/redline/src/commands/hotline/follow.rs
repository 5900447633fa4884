//! `redline inbox --follow`: the party's event stream (`/api/v1/stream`) printed as it arrives,
//! one line per event (a table line, or one JSON object with `--format json`), until Ctrl-C. A
//! dropped connection (the node restarting, say) is opened again with `Last-Event-ID`, so no
//! event is missed or printed twice; a refusal (a revoked token) ends the command.

use std::time::Duration;

use redline_node::EventView;

use crate::client::{Remote, RemoteError};
use crate::output::Format;

/// The longest wait between two reconnection attempts.
const LONGEST_RECONNECT_DELAY: Duration = Duration::from_secs(5);

/// One server-sent event as read off the wire.
#[derive(Debug, Default, PartialEq, Eq)]
struct WireEvent {
    id: Option<String>,
    data: String,
}

/// Reads the complete events at the front of `buffer` and leaves the rest (an event cut in the
/// middle) there. Comments (keep-alives) and fields other than `id` and `data` are skipped.
fn take_events(buffer: &mut String) -> Vec<WireEvent> {
    let mut events = Vec::new();
    while let Some(end) = buffer.find("\n\n") {
        let block: String = buffer.drain(..end + 2).collect();
        let mut event = WireEvent::default();
        let mut has_data = false;
        for line in block.lines() {
            let (field, value) = match line.split_once(':') {
                Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
                None => (line, ""),
            };
            match field {
                "id" => event.id = Some(value.to_string()),
                "data" => {
                    if has_data {
                        event.data.push('\n');
                    }
                    event.data.push_str(value);
                    has_data = true;
                }
                _ => {}
            }
        }
        if has_data {
            events.push(event);
        }
    }
    events
}

fn print_event(event: &EventView, format: Format) -> anyhow::Result<()> {
    match format {
        Format::Json => println!("{}", serde_json::to_string(event)?),
        Format::Table => {
            let detail = |name: &str| event.detail.get(name).and_then(|value| value.as_str());
            let mut about = Vec::new();
            if let Some(kind) = detail("kind") {
                about.push(kind.to_string());
            }
            if let Some(from) = detail("from") {
                about.push(format!("from {from}"));
            }
            if let Some(state) = detail("state") {
                about.push(format!("now {state}"));
            }
            if let Some(tlp) = detail("tlp") {
                about.push(format!("TLP:{}", tlp.to_uppercase()));
            }
            let message = event
                .message
                .map(|id| id.to_string())
                .unwrap_or_else(|| "-".to_string());
            println!(
                "{:<8} {}  {:<14} thread {}  message {}  {}",
                event.sequence,
                event.created_at,
                event.kind,
                event.thread,
                message,
                about.join(", ")
            );
        }
    }
    use std::io::Write;
    std::io::stdout().flush()?;
    Ok(())
}

/// Reads one connection's events until it ends; returns the last event id seen.
async fn read_stream(
    mut response: reqwest::Response,
    mut last: Option<i64>,
    format: Format,
    announced: &mut bool,
) -> (Option<i64>, anyhow::Result<()>) {
    if !*announced {
        eprintln!("following the event stream (Ctrl-C to stop)");
        *announced = true;
    }
    let mut buffer = String::new();
    loop {
        let chunk = match response.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => return (last, Ok(())),
            Err(error) => return (last, Err(error.into())),
        };
        buffer.push_str(&String::from_utf8_lossy(&chunk).replace("\r\n", "\n"));
        for wire in take_events(&mut buffer) {
            let event: EventView = match serde_json::from_str(&wire.data) {
                Ok(event) => event,
                Err(error) => {
                    eprintln!("skipping an event that is not one: {error}");
                    continue;
                }
            };
            if last.is_some_and(|seen| event.sequence <= seen) {
                continue;
            }
            if let Err(error) = print_event(&event, format) {
                return (last, Err(error));
            }
            last = Some(
                wire.id
                    .and_then(|id| id.parse().ok())
                    .unwrap_or(event.sequence),
            );
        }
    }
}

/// Follows the stream until Ctrl-C, reconnecting after a dropped connection.
pub async fn follow(remote: Remote, format: Format, after: Option<i64>) -> anyhow::Result<()> {
    let stop = tokio::signal::ctrl_c();
    tokio::pin!(stop);
    let mut last = after;
    let mut delay = Duration::from_millis(250);
    let mut announced = false;
    loop {
        let connection = async {
            match remote.open_stream("/api/v1/stream", last).await {
                Ok(response) => {
                    let (seen, outcome) = read_stream(response, last, format, &mut announced).await;
                    (seen, outcome.map(|()| true))
                }
                Err(error) => (last, Err(error)),
            }
        };
        let (seen, outcome) = tokio::select! {
            answer = connection => answer,
            _ = &mut stop => return Ok(()),
        };
        if seen != last {
            delay = Duration::from_millis(250);
        }
        last = seen;
        match outcome {
            Err(error)
                if error
                    .downcast_ref::<RemoteError>()
                    .and_then(|remote| remote.status)
                    .is_some_and(|status| status.is_client_error()) =>
            {
                return Err(error);
            }
            Err(error) => eprintln!(
                "the stream dropped ({error}); reconnecting in {} ms",
                delay.as_millis()
            ),
            Ok(_) => eprintln!("the stream ended; reconnecting in {} ms", delay.as_millis()),
        }
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            _ = &mut stop => return Ok(()),
        }
        delay = (delay * 2).min(LONGEST_RECONNECT_DELAY);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_cut_anywhere_are_read_whole_and_keep_alives_are_skipped() {
        let mut buffer = String::from(
            ": keep-alive\n\nid: 7\nevent: message\ndata: {\"a\":1}\n\nid: 8\nevent: rem",
        );
        let events = take_events(&mut buffer);
        assert_eq!(
            events,
            vec![WireEvent {
                id: Some("7".into()),
                data: "{\"a\":1}".into()
            }]
        );
        assert_eq!(buffer, "id: 8\nevent: rem");
        buffer.push_str("inder\ndata: {}\n\n");
        assert_eq!(take_events(&mut buffer)[0].id.as_deref(), Some("8"));
        assert!(buffer.is_empty());
    }
}
