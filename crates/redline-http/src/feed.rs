//! Public feeds of the public record: `/feed.json` (JSON Feed 1.1), `/feed.atom` (Atom 1.0,
//! RFC 4287) and `/export/incidents.csv`.
//!
//! Everything here comes from the node's public path (`Node::public_incidents`,
//! `Node::public_incident`, `Node::public_claims`), which admits only `TLP:CLEAR` incidents and
//! published `clear` claims and never shows a reporter's suspected origin. The feeds carry the
//! newest [`FEED_ENTRY_LIMIT`] items (incidents and published claims together, newest first),
//! each with its public assessment summary and a link to its dashboard page; the CSV carries
//! every public incident, newest first, streamed one page of the public listing at a time.
//!
//! Decided here:
//! - Links are absolute, built from the request's `Host` (when it is a plain host name or
//!   address with an optional port) and whether the client came over HTTPS; otherwise they are
//!   relative to the node.
//! - An item's date is when the incident was last updated, or when the claim was published.
//! - Characters XML 1.0 forbids (control characters) are dropped from Atom text; JSON and CSV
//!   carry text as it is.

use axum::{
    Extension, Router,
    body::Body,
    extract::State,
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Response},
    routing::get,
};
use quick_xml::{
    Writer,
    events::{BytesDecl, BytesText, Event},
};
use serde_json::{Value, json};

use redline_model::{IncidentId, Timestamp};
use redline_node::{
    Node, NodeError,
    attribution::ClaimSummaryView,
    dashboard::{DashboardIncidentRow, PublicIncident},
};

use crate::{AppState, client_address::ClientOrigin, error::ApiError};

/// The most items a feed carries.
pub(crate) const FEED_ENTRY_LIMIT: usize = 100;
/// The media type of JSON Feed.
pub(crate) const JSON_FEED_MEDIA_TYPE: &str = "application/feed+json";
/// The media type of Atom.
pub(crate) const ATOM_MEDIA_TYPE: &str = "application/atom+xml";
/// The CSV export's header row.
pub(crate) const CSV_COLUMNS: [&str; 12] = [
    "id",
    "title",
    "reported_by",
    "victim",
    "first_observed",
    "updated_at",
    "severity_level",
    "severity_name",
    "legal_category",
    "legal_certainty",
    "recommended_ceiling",
    "url",
];

const FEED_TITLE: &str = "redline: the public record";
const FEED_DESCRIPTION: &str = "Incidents labelled TLP:CLEAR with their assessments against the adopted norms, and published attribution claims";

/// The feed routes, to be merged into the application router.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/feed.json", get(json_feed))
        .route("/feed.atom", get(atom_feed))
        .route("/export/incidents.csv", get(incidents_csv))
}

/// One item of a feed: a public incident or a published claim.
struct FeedItem {
    /// The dashboard path, e.g. `/dashboard/incidents/incident--…`.
    path: String,
    title: String,
    /// The public assessment or claim summary, as plain text.
    summary: String,
    published: Timestamp,
    updated: Timestamp,
    tags: Vec<String>,
}

/// Where the node is, as the client reached it: `https://host` or `http://host`, or empty (links
/// relative to the node) when the `Host` header is missing or not a plain authority.
fn node_origin(headers: &HeaderMap, origin: Option<&ClientOrigin>) -> String {
    let plain_authority = |host: &&str| {
        !host.is_empty()
            && host.len() <= 255
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
    };
    let scheme = if origin.is_some_and(|origin| origin.https) {
        "https"
    } else {
        "http"
    };
    headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .filter(plain_authority)
        .map(|host| format!("{scheme}://{host}"))
        .unwrap_or_default()
}

// --- reading the public record -------------------------------------------------------------

/// The public incident listing from the newest, one page after another, up to `limit` rows.
async fn newest_public_incident_rows(
    node: &Node,
    limit: usize,
) -> Result<Vec<DashboardIncidentRow>, NodeError> {
    let mut rows = Vec::new();
    let mut before = None;
    loop {
        let page = node.public_incidents(before, None).await?;
        rows.extend(page.incidents);
        match page.next_before {
            Some(next) if rows.len() < limit => before = Some(next),
            _ => break,
        }
    }
    rows.truncate(limit);
    Ok(rows)
}

/// The public incident behind a listing row (with its public assessment); `None` when it has
/// stopped being public since the listing was read.
async fn public_incident_of_row(
    node: &Node,
    row: &DashboardIncidentRow,
) -> Result<Option<PublicIncident>, NodeError> {
    let Ok(id) = IncidentId::parse(&row.id) else {
        return Ok(None);
    };
    match node.public_incident(&id).await {
        Ok(incident) => Ok(Some(incident)),
        Err(NodeError::NotFound(_)) => Ok(None),
        Err(error) => Err(error),
    }
}

/// The public assessment of an incident in one line.
fn assessment_summary(incident: &PublicIncident) -> String {
    match &incident.assessment {
        Some(assessment) => format!(
            "Severity {} ({}); legal category {} ({}); recommended response ceiling: rung {}.",
            assessment.severity.level,
            assessment.severity.name,
            assessment.legal.category.as_str(),
            assessment.legal.certainty.as_str(),
            assessment.responses.ceiling,
        ),
        None => "Not assessed yet.".to_string(),
    }
}

fn incident_item(incident: &PublicIncident) -> FeedItem {
    let report = &incident.incident.report;
    let summary = [
        Some(assessment_summary(incident)),
        report.description.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("\n\n");
    let tags = incident
        .assessment
        .as_ref()
        .map(|assessment| {
            vec![
                format!("severity-{}", assessment.severity.level),
                assessment.legal.category.as_str().to_string(),
            ]
        })
        .unwrap_or_default();
    FeedItem {
        path: format!("/dashboard/incidents/{}", incident.incident.id),
        title: report.title.clone(),
        summary,
        published: incident.incident.received_at,
        updated: incident.incident.updated_at,
        tags: [vec!["incident".to_string()], tags].concat(),
    }
}

fn claim_item(claim: &ClaimSummaryView) -> Option<FeedItem> {
    let published = claim.published_at?;
    let actor = claim
        .actor
        .as_deref()
        .map(|actor| format!(" (actor: {actor})"))
        .unwrap_or_default();
    Some(FeedItem {
        path: format!("/dashboard/claims/{}", claim.id),
        title: format!(
            "Attribution claim: {} names {} for {}",
            claim.claimant, claim.named_state, claim.incident
        ),
        summary: format!(
            "{} attributes incident {} to {}{actor}, with {} confidence; status {}; {} co-signer(s).",
            claim.claimant,
            claim.incident,
            claim.named_state,
            claim.confidence.as_str(),
            claim.status.as_str(),
            claim.cosigners,
        ),
        published,
        updated: published.max(claim.updated_at),
        tags: vec!["attribution-claim".to_string()],
    })
}

/// The newest public incidents and published claims, newest first, at most
/// [`FEED_ENTRY_LIMIT`].
async fn feed_items(node: &Node) -> Result<Vec<FeedItem>, NodeError> {
    let rows = newest_public_incident_rows(node, FEED_ENTRY_LIMIT).await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        if let Some(incident) = public_incident_of_row(node, row).await? {
            items.push(incident_item(&incident));
        }
    }
    let claims = node
        .public_claims(u32::try_from(FEED_ENTRY_LIMIT).unwrap_or(u32::MAX))
        .await?;
    items.extend(claims.iter().filter_map(claim_item));
    items.sort_by_key(|item| std::cmp::Reverse(item.updated));
    items.truncate(FEED_ENTRY_LIMIT);
    Ok(items)
}

/// When the feed last changed: its newest item's date, or the epoch for an empty feed.
fn feed_updated(items: &[FeedItem]) -> Timestamp {
    items
        .iter()
        .map(|item| item.updated)
        .max()
        .unwrap_or_else(|| Timestamp::from_jiff(jiff::Timestamp::UNIX_EPOCH))
}

// --- JSON Feed ---------------------------------------------------------------------------------

fn json_feed_document(origin: &str, items: &[FeedItem]) -> Value {
    let items: Vec<Value> = items
        .iter()
        .map(|item| {
            let url = format!("{origin}{}", item.path);
            json!({
                "id": url,
                "url": url,
                "title": item.title,
                "content_text": item.summary,
                "summary": item.summary,
                "date_published": item.published.to_string(),
                "date_modified": item.updated.to_string(),
                "tags": item.tags,
            })
        })
        .collect();
    json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": FEED_TITLE,
        "description": FEED_DESCRIPTION,
        "home_page_url": format!("{origin}/dashboard"),
        "feed_url": format!("{origin}/feed.json"),
        "language": "en",
        "items": items,
    })
}

async fn json_feed(
    State(state): State<AppState>,
    origin: Option<Extension<ClientOrigin>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let origin = node_origin(&headers, origin.as_ref().map(|Extension(origin)| origin));
    let items = feed_items(&state.node).await?;
    let body = json_feed_document(&origin, &items).to_string();
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(JSON_FEED_MEDIA_TYPE),
        )],
        body,
    )
        .into_response())
}

// --- Atom --------------------------------------------------------------------------------------

/// `text` without the characters XML 1.0 does not allow (control characters other than tab,
/// line feed and carriage return).
fn xml_text(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

/// Writes `<name>text</name>`, escaped.
fn write_text_element(writer: &mut Writer<Vec<u8>>, name: &str, text: &str) -> std::io::Result<()> {
    writer
        .create_element(name)
        .write_text_content(BytesText::new(&xml_text(text)))?;
    Ok(())
}

fn write_atom_entry(
    writer: &mut Writer<Vec<u8>>,
    origin: &str,
    item: &FeedItem,
) -> std::io::Result<()> {
    let url = format!("{origin}{}", item.path);
    writer
        .create_element("entry")
        .write_inner_content(|writer| {
            write_text_element(writer, "id", &url)?;
            write_text_element(writer, "title", &item.title)?;
            writer
                .create_element("link")
                .with_attributes([("rel", "alternate"), ("href", url.as_str())])
                .write_empty()?;
            write_text_element(writer, "published", &item.published.to_string())?;
            write_text_element(writer, "updated", &item.updated.to_string())?;
            for tag in &item.tags {
                writer
                    .create_element("category")
                    .with_attribute(("term", xml_text(tag).as_str()))
                    .write_empty()?;
            }
            writer
                .create_element("summary")
                .with_attribute(("type", "text"))
                .write_text_content(BytesText::new(&xml_text(&item.summary)))?;
            Ok(())
        })?;
    Ok(())
}

fn atom_document(origin: &str, items: &[FeedItem]) -> std::io::Result<Vec<u8>> {
    let mut writer = Writer::new(Vec::new());
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))?;
    writer
        .create_element("feed")
        .with_attributes([("xmlns", "http://www.w3.org/2005/Atom"), ("xml:lang", "en")])
        .write_inner_content(|writer| {
            write_text_element(writer, "id", &format!("{origin}/feed.atom"))?;
            write_text_element(writer, "title", FEED_TITLE)?;
            write_text_element(writer, "subtitle", FEED_DESCRIPTION)?;
            write_text_element(writer, "updated", &feed_updated(items).to_string())?;
            writer
                .create_element("link")
                .with_attributes([
                    ("rel", "self"),
                    ("type", ATOM_MEDIA_TYPE),
                    ("href", format!("{origin}/feed.atom").as_str()),
                ])
                .write_empty()?;
            writer
                .create_element("link")
                .with_attributes([
                    ("rel", "alternate"),
                    ("type", "text/html"),
                    ("href", format!("{origin}/dashboard").as_str()),
                ])
                .write_empty()?;
            writer
                .create_element("author")
                .write_inner_content(|writer| write_text_element(writer, "name", "redline"))?;
            for item in items {
                write_atom_entry(writer, origin, item)?;
            }
            Ok(())
        })?;
    Ok(writer.into_inner())
}

async fn atom_feed(
    State(state): State<AppState>,
    origin: Option<Extension<ClientOrigin>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let origin = node_origin(&headers, origin.as_ref().map(|Extension(origin)| origin));
    let items = feed_items(&state.node).await?;
    let body = atom_document(&origin, &items)
        .map_err(|error| NodeError::Internal(format!("writing the Atom feed: {error}")))?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/atom+xml; charset=utf-8"),
        )],
        body,
    )
        .into_response())
}

// --- CSV ---------------------------------------------------------------------------------------

/// One CSV record of a public incident.
fn csv_record(origin: &str, row: &DashboardIncidentRow, incident: &PublicIncident) -> Vec<String> {
    let first_observed = Timestamp::from_microseconds(row.first_observed_us)
        .map(|at| at.to_string())
        .unwrap_or_default();
    let assessment = incident.assessment.as_ref();
    vec![
        incident.incident.id.to_string(),
        incident.incident.report.title.clone(),
        incident.incident.report.reported_by.to_string(),
        incident.incident.report.victim.to_string(),
        first_observed,
        incident.incident.updated_at.to_string(),
        assessment
            .map(|assessment| assessment.severity.level.to_string())
            .unwrap_or_default(),
        assessment
            .map(|assessment| assessment.severity.name.clone())
            .unwrap_or_default(),
        assessment
            .map(|assessment| assessment.legal.category.as_str().to_string())
            .unwrap_or_default(),
        assessment
            .map(|assessment| assessment.legal.certainty.as_str().to_string())
            .unwrap_or_default(),
        assessment
            .map(|assessment| assessment.responses.ceiling.to_string())
            .unwrap_or_default(),
        format!("{origin}/dashboard/incidents/{}", incident.incident.id),
    ]
}

/// CSV text of `records` (the header row first when `with_header`).
fn csv_text(with_header: bool, records: &[Vec<String>]) -> Result<Vec<u8>, NodeError> {
    let failed = |error: csv::Error| NodeError::Internal(format!("writing CSV: {error}"));
    let mut writer = csv::Writer::from_writer(Vec::new());
    if with_header {
        writer.write_record(CSV_COLUMNS).map_err(failed)?;
    }
    for record in records {
        writer.write_record(record).map_err(failed)?;
    }
    writer
        .into_inner()
        .map_err(|error| NodeError::Internal(format!("writing CSV: {error}")))
}

/// Where the CSV stream is: before the first page, at a page of the listing, or done.
enum CsvCursor {
    Start,
    Before(i64),
    Done,
}

/// The CSV chunk of one page of the public listing, and where the next page starts.
async fn csv_page(
    node: &Node,
    origin: &str,
    cursor: CsvCursor,
) -> Option<(Result<Vec<u8>, NodeError>, CsvCursor)> {
    let (before, with_header) = match cursor {
        CsvCursor::Start => (None, true),
        CsvCursor::Before(before) => (Some(before), false),
        CsvCursor::Done => return None,
    };
    let page = match node.public_incidents(before, None).await {
        Ok(page) => page,
        Err(error) => return Some((Err(error), CsvCursor::Done)),
    };
    let mut records = Vec::with_capacity(page.incidents.len());
    for row in &page.incidents {
        match public_incident_of_row(node, row).await {
            Ok(Some(incident)) => records.push(csv_record(origin, row, &incident)),
            Ok(None) => {}
            Err(error) => return Some((Err(error), CsvCursor::Done)),
        }
    }
    let next = page.next_before.map_or(CsvCursor::Done, CsvCursor::Before);
    Some((csv_text(with_header, &records), next))
}

async fn incidents_csv(
    State(state): State<AppState>,
    origin: Option<Extension<ClientOrigin>>,
    headers: HeaderMap,
) -> Response {
    let origin = node_origin(&headers, origin.as_ref().map(|Extension(origin)| origin));
    let node = state.node;
    let chunks = futures::stream::unfold(CsvCursor::Start, move |cursor| {
        let node = std::sync::Arc::clone(&node);
        let origin = origin.clone();
        async move {
            let (chunk, next) = csv_page(&node, &origin, cursor).await?;
            let chunk = chunk.map_err(|error| {
                tracing::error!(%error, "the CSV export failed part way");
                std::io::Error::other(error.to_string())
            });
            Some((chunk, next))
        }
    });
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8; header=present"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"incidents.csv\""),
            ),
        ],
        Body::from_stream(chunks),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_text_drops_control_characters_only() {
        assert_eq!(xml_text("a\u{0}b\u{1b}c\td\ne"), "abc\td\ne");
        assert_eq!(xml_text("<&>\"'"), "<&>\"'");
    }

    #[test]
    fn node_origin_takes_a_plain_host_only() {
        let mut headers = HeaderMap::new();
        assert_eq!(node_origin(&headers, None), "");
        headers.insert(header::HOST, HeaderValue::from_static("node.example:8080"));
        assert_eq!(node_origin(&headers, None), "http://node.example:8080");
        headers.insert(
            header::HOST,
            HeaderValue::from_static("evil.example/<script>"),
        );
        assert_eq!(node_origin(&headers, None), "");
    }

    #[test]
    fn atom_text_is_escaped() {
        let item = FeedItem {
            path: "/dashboard/incidents/x".to_string(),
            title: "<script>alert(1)</script> & more".to_string(),
            summary: "a \u{7} bell".to_string(),
            published: Timestamp::from_jiff(jiff::Timestamp::UNIX_EPOCH),
            updated: Timestamp::from_jiff(jiff::Timestamp::UNIX_EPOCH),
            tags: vec!["incident".to_string()],
        };
        let document = atom_document("http://node", &[item]).unwrap_or_default();
        let text = String::from_utf8(document).unwrap_or_default();
        assert!(text.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"));
        assert!(!text.contains("<script>"));
        assert!(text.contains("a  bell"));
    }
}
