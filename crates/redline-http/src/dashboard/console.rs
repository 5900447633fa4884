//! The duty officer's console: signing in with a party's API token (a session cookie after the
//! token is posted), and the incident submission form with the node's validation messages shown
//! on the fields they concern.
//!
//! Sessions live in this process's memory only: a random 256-bit session id in an `HttpOnly`,
//! `SameSite=Strict` cookie maps to the token, which the node re-checks on every request (so a
//! revoked token ends the session). Every form that changes something carries the session's CSRF
//! token, compared in constant time; the sign-in form, which has no session yet, is refused when
//! the browser's `Origin` names another site. The server never holds a party's private key.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use askama::Template;
use axum::{
    Extension, Form,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use base64::Engine;
use redline_model::{EffectKind, IncidentStatus, PartyId, Scale, Sector, Tlp, ValidationIssue};
use redline_node::{Caller, NodeError};

use super::{Page, PageError, cookie, render};
use crate::AppState;

const SESSION_COOKIE: &str = "redline_session";
/// A session ends this long after sign-in.
const SESSION_LIFETIME: Duration = Duration::from_secs(8 * 3600);
/// The most sessions kept at once. Past it, new sign-ins are refused until sessions end: no
/// one's session is ever dropped to make room for another party's.
const MAXIMUM_SESSIONS: usize = 10_000;
/// The most sessions one party keeps; a new sign-in past it ends that party's own oldest.
const MAXIMUM_SESSIONS_PER_PARTY: usize = 64;
/// The most sessions signed in from one client address; past it, sign-ins from that address
/// are refused (never evicting, since a proxy may put several parties behind one address).
const MAXIMUM_SESSIONS_PER_ADDRESS: usize = 256;

struct Session {
    token: String,
    party: PartyId,
    csrf: String,
    created: Instant,
    /// The client address that signed in, if the server knows it.
    address: Option<std::net::IpAddr>,
}

/// The signed-in sessions of this process.
#[derive(Clone, Default)]
pub(crate) struct Sessions {
    inner: Arc<Mutex<HashMap<String, Session>>>,
}

/// Why no session was created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SessionRefusal {
    /// Too many sessions from this client address.
    AddressFull,
    /// The node holds as many sessions as it keeps.
    NodeFull,
    /// No random token or no lock.
    Internal,
}

fn random_token() -> Option<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).ok()?;
    Some(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

pub(super) fn constant_time_equal(left: &str, right: &str) -> bool {
    left.len() == right.len()
        && left
            .bytes()
            .zip(right.bytes())
            .fold(0u8, |difference, (a, b)| difference | (a ^ b))
            == 0
}

impl Sessions {
    /// A new session for `party`, within the limits: per address (refused past it), per party
    /// (the party's own oldest session ends), per node (refused past it). A session of another
    /// party is never ended to make room.
    fn create(
        &self,
        token: String,
        party: PartyId,
        address: Option<std::net::IpAddr>,
    ) -> Result<(String, String), SessionRefusal> {
        let id = random_token().ok_or(SessionRefusal::Internal)?;
        let csrf = random_token().ok_or(SessionRefusal::Internal)?;
        let mut sessions = self.inner.lock().map_err(|_| SessionRefusal::Internal)?;
        sessions.retain(|_, session| session.created.elapsed() < SESSION_LIFETIME);
        if address.is_some()
            && sessions
                .values()
                .filter(|session| session.address == address)
                .count()
                >= MAXIMUM_SESSIONS_PER_ADDRESS
        {
            return Err(SessionRefusal::AddressFull);
        }
        let mut own: Vec<(&String, Instant)> = sessions
            .iter()
            .filter(|(_, session)| session.party == party)
            .map(|(id, session)| (id, session.created))
            .collect();
        if own.len() >= MAXIMUM_SESSIONS_PER_PARTY {
            own.sort_by_key(|(_, created)| *created);
            let oldest = own[0].0.clone();
            sessions.remove(&oldest);
        } else if sessions.len() >= MAXIMUM_SESSIONS {
            return Err(SessionRefusal::NodeFull);
        }
        sessions.insert(
            id.clone(),
            Session {
                token,
                party,
                csrf: csrf.clone(),
                created: Instant::now(),
                address,
            },
        );
        Ok((id, csrf))
    }

    /// The token, party and CSRF token of the request's session, if it is current.
    fn lookup(&self, headers: &HeaderMap) -> Option<(String, PartyId, String)> {
        let id = cookie(headers, SESSION_COOKIE)?;
        let sessions = self.inner.lock().ok()?;
        let session = sessions.get(id)?;
        (session.created.elapsed() < SESSION_LIFETIME).then(|| {
            (
                session.token.clone(),
                session.party.clone(),
                session.csrf.clone(),
            )
        })
    }

    fn remove(&self, headers: &HeaderMap) {
        if let (Some(id), Ok(mut sessions)) = (cookie(headers, SESSION_COOKIE), self.inner.lock()) {
            sessions.remove(id);
        }
    }
}

/// The signed-in party of a request, checked with the node (revocation included).
pub(super) struct SignedInParty {
    pub(super) party: PartyId,
    pub(super) csrf: String,
}

pub(super) async fn signed_in(
    state: &AppState,
    sessions: &Sessions,
    headers: &HeaderMap,
) -> Option<SignedInParty> {
    let (token, party, csrf) = sessions.lookup(headers)?;
    match state.node.authenticate(&token).await {
        Ok(authenticated) if authenticated == party => Some(SignedInParty { party, csrf }),
        _ => {
            sessions.remove(headers);
            None
        }
    }
}

/// Whether a form post comes from this site: no `Origin` (old browsers, curl) or one whose host
/// is the request's `Host`.
pub(super) fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers
        .get(header::ORIGIN)
        .and_then(|value| value.to_str().ok())
    else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    origin
        .split_once("://")
        .is_some_and(|(_, origin_host)| origin_host == host)
}

#[derive(Template)]
#[template(path = "dashboard/sign_in.html")]
struct SignInTemplate {
    page: Page,
    failed: bool,
}

pub(crate) async fn sign_in_form(page: Page) -> Response {
    render(&SignInTemplate {
        page,
        failed: false,
    })
}

#[derive(serde::Deserialize)]
pub(crate) struct SignInForm {
    token: String,
}

pub(crate) async fn sign_in(
    State(state): State<AppState>,
    Extension(sessions): Extension<Sessions>,
    extensions: axum::http::Extensions,
    page: Page,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let address = extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip());
    if !same_origin(&headers) {
        return (StatusCode::FORBIDDEN, "cross-site sign-in refused").into_response();
    }
    let token = form.token.trim().to_string();
    let party = match state.node.authenticate(&token).await {
        Ok(party) => party,
        Err(_) => {
            let mut response = render(&SignInTemplate { page, failed: true });
            *response.status_mut() = StatusCode::UNAUTHORIZED;
            return response;
        }
    };
    let id = match sessions.create(token, party, address) {
        Ok((id, _csrf)) => id,
        Err(SessionRefusal::Internal) => {
            return PageError::new(
                page,
                NodeError::Internal("no session could be created".into()),
            )
            .into_response();
        }
        Err(refusal) => {
            let message = match refusal {
                SessionRefusal::AddressFull => {
                    "too many console sessions from this address; sign out elsewhere or wait"
                }
                _ => "the node holds as many console sessions as it keeps; try again later",
            };
            return (StatusCode::TOO_MANY_REQUESTS, message).into_response();
        }
    };
    let mut response = Redirect::to("/console").into_response();
    if let Ok(value) = HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}",
        SESSION_LIFETIME.as_secs()
    )) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

#[derive(serde::Deserialize)]
pub(crate) struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub(crate) async fn sign_out(
    State(state): State<AppState>,
    Extension(sessions): Extension<Sessions>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Some(signed) = signed_in(&state, &sessions, &headers).await
        && constant_time_equal(&signed.csrf, &form.csrf)
    {
        sessions.remove(&headers);
    }
    let mut response = Redirect::to("/console/sign-in").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_static("redline_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    response
}

#[derive(Template)]
#[template(path = "dashboard/console.html")]
struct ConsoleTemplate {
    page: Page,
    party: String,
    csrf: String,
    submitted: Option<String>,
    inbox: Vec<super::threads::InboxRow>,
    last_event: i64,
    state_labels_json: String,
}

#[derive(serde::Deserialize)]
pub(crate) struct ConsoleQuery {
    submitted: Option<String>,
}

pub(crate) async fn home(
    State(state): State<AppState>,
    Extension(sessions): Extension<Sessions>,
    mut page: Page,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<ConsoleQuery>,
) -> Response {
    let Some(signed) = signed_in(&state, &sessions, &headers).await else {
        return Redirect::to("/console/sign-in").into_response();
    };
    page.signed_in = Some(signed.party.to_string());
    let submitted = query
        .submitted
        .filter(|id| redline_model::IncidentId::parse(id).is_ok());
    let caller = Caller::Party(signed.party.clone());
    let inbox = match state.node.inbox(&caller, 100).await {
        Ok(threads) => threads
            .iter()
            .map(|thread| super::threads::inbox_row(&page, thread))
            .collect(),
        Err(error) => return PageError::new(page, error).into_response(),
    };
    let last_event = match state.node.latest_event_sequence(&signed.party).await {
        Ok(sequence) => sequence,
        Err(error) => return PageError::new(page, error).into_response(),
    };
    render(&ConsoleTemplate {
        state_labels_json: super::threads::state_labels_json(&page),
        page,
        party: signed.party.to_string(),
        csrf: signed.csrf,
        submitted,
        inbox,
        last_event,
    })
}

/// The incident form's fields, all as text so that any input reaches the model, whose errors
/// name the JSON path.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub(crate) struct IncidentFormFields {
    csrf: String,
    title: String,
    description: String,
    victim: String,
    first_observed: String,
    last_observed: String,
    status: String,
    tlp: String,
    target_sector: String,
    target_country: String,
    essential_service: Option<String>,
    people_affected: String,
    effect_kind: String,
    duration_hours: String,
    effect_scale: String,
}

/// Which form field a JSON path of the report belongs to; `None` for paths without a field.
fn field_of_path(path: &str) -> Option<&'static str> {
    let path = path.trim_start_matches('.');
    let field = match path {
        "title" => "title",
        "description" => "description",
        "victim" => "victim",
        "first_observed" => "first_observed",
        "last_observed" => "last_observed",
        "status" => "status",
        "tlp" => "tlp",
        "targets" | "targets[0]" | "targets[0].sector" => "target_sector",
        "targets[0].country" => "target_country",
        "targets[0].essential_service" => "essential_service",
        "targets[0].people_affected" => "people_affected",
        "effects" | "effects[0]" | "effects[0].kind" => "effect_kind",
        "effects[0].duration_hours" => "duration_hours",
        "effects[0].scale" => "effect_scale",
        _ => return None,
    };
    Some(field)
}

/// A number field as JSON: a number when it reads as one, else the text itself (so the model
/// reports the field's path), absent when empty.
fn number_or_text(text: &str) -> Option<serde_json::Value> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    Some(
        text.parse::<u64>()
            .map(serde_json::Value::from)
            .or_else(|_| text.parse::<f64>().map(serde_json::Value::from))
            .unwrap_or_else(|_| serde_json::Value::from(text)),
    )
}

fn report_json(fields: &IncidentFormFields, party: &PartyId) -> serde_json::Value {
    let mut target = serde_json::json!({
        "sector": fields.target_sector.trim(),
        "country": fields.target_country.trim(),
        "essential_service": fields.essential_service.is_some(),
    });
    if let Some(people) = number_or_text(&fields.people_affected) {
        target["people_affected"] = people;
    }
    let mut effect = serde_json::json!({ "kind": fields.effect_kind.trim() });
    if let Some(hours) = number_or_text(&fields.duration_hours) {
        effect["duration_hours"] = hours;
    }
    if !fields.effect_scale.trim().is_empty() {
        effect["scale"] = fields.effect_scale.trim().into();
    }
    let mut report = serde_json::json!({
        "title": fields.title.trim(),
        "reported_by": party.as_str(),
        "victim": fields.victim.trim(),
        "first_observed": fields.first_observed.trim(),
        "status": fields.status.trim(),
        "tlp": fields.tlp.trim(),
        "targets": [target],
        "effects": [effect],
    });
    if !fields.description.trim().is_empty() {
        report["description"] = fields.description.trim().into();
    }
    if !fields.last_observed.trim().is_empty() {
        report["last_observed"] = fields.last_observed.trim().into();
    }
    report
}

/// One option of a `<select>`.
pub(crate) struct Choice {
    pub(crate) value: &'static str,
    pub(crate) selected: bool,
}

fn choices(values: impl Iterator<Item = &'static str>, current: &str) -> Vec<Choice> {
    values
        .map(|value| Choice {
            value,
            selected: value == current,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "dashboard/incident_form.html")]
struct IncidentFormTemplate {
    page: Page,
    csrf: String,
    fields: IncidentFormFields,
    /// Field name → its problems.
    errors: HashMap<&'static str, Vec<String>>,
    /// Problems not tied to a field.
    general_errors: Vec<String>,
    statuses: Vec<Choice>,
    labels: Vec<Choice>,
    sectors: Vec<Choice>,
    effect_kinds: Vec<Choice>,
    scales: Vec<Choice>,
}

impl IncidentFormTemplate {
    fn new(
        page: Page,
        csrf: String,
        fields: IncidentFormFields,
        issues: &[ValidationIssue],
    ) -> Self {
        let mut errors: HashMap<&'static str, Vec<String>> = HashMap::new();
        let mut general_errors = Vec::new();
        for issue in issues {
            match field_of_path(&issue.path) {
                Some(field) => errors.entry(field).or_default().push(issue.message.clone()),
                None => general_errors.push(issue.to_string()),
            }
        }
        IncidentFormTemplate {
            statuses: choices(
                IncidentStatus::ALL.iter().map(IncidentStatus::as_str),
                &fields.status,
            ),
            labels: choices(Tlp::ALL.iter().map(Tlp::as_str), &fields.tlp),
            sectors: choices(
                Sector::ALL.iter().map(Sector::as_str),
                &fields.target_sector,
            ),
            effect_kinds: choices(
                EffectKind::ALL.iter().map(EffectKind::as_str),
                &fields.effect_kind,
            ),
            scales: choices(Scale::ALL.iter().map(Scale::as_str), &fields.effect_scale),
            page,
            csrf,
            fields,
            errors,
            general_errors,
        }
    }

    /// The problems of a field, shown in a paragraph the field's `aria-describedby` names (the
    /// template escapes them).
    fn field_errors(&self, field: &str) -> &[String] {
        self.errors.get(field).map_or(&[], Vec::as_slice)
    }

    /// `aria-invalid` and `aria-describedby` for a field with problems.
    fn invalid(&self, field: &str) -> bool {
        self.errors.contains_key(field)
    }
}

pub(crate) async fn incident_form(
    State(state): State<AppState>,
    Extension(sessions): Extension<Sessions>,
    mut page: Page,
    headers: HeaderMap,
) -> Response {
    let Some(signed) = signed_in(&state, &sessions, &headers).await else {
        return Redirect::to("/console/sign-in").into_response();
    };
    page.signed_in = Some(signed.party.to_string());
    let fields = IncidentFormFields {
        status: "ongoing".into(),
        tlp: "amber".into(),
        first_observed: jiff::Timestamp::from_microsecond(state.node.now().as_microseconds())
            .unwrap_or_default()
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string(),
        ..Default::default()
    };
    render(&IncidentFormTemplate::new(page, signed.csrf, fields, &[]))
}

pub(crate) async fn submit_incident(
    State(state): State<AppState>,
    Extension(sessions): Extension<Sessions>,
    mut page: Page,
    headers: HeaderMap,
    Form(fields): Form<IncidentFormFields>,
) -> Response {
    let Some(signed) = signed_in(&state, &sessions, &headers).await else {
        return Redirect::to("/console/sign-in").into_response();
    };
    if !constant_time_equal(&signed.csrf, &fields.csrf) {
        return (
            StatusCode::FORBIDDEN,
            "the form's CSRF token is missing or wrong",
        )
            .into_response();
    }
    page.signed_in = Some(signed.party.to_string());
    let report = report_json(&fields, &signed.party);
    let bytes = report.to_string().into_bytes();
    let caller = Caller::Party(signed.party.clone());
    match state.node.submit_incident_json(&caller, &bytes).await {
        Ok(incident) => {
            Redirect::to(&format!("/console?submitted={}", incident.id)).into_response()
        }
        Err(error) => {
            let issues = match error {
                NodeError::Invalid(issues) => issues,
                NodeError::Malformed(model_error) => model_error.issues(),
                NodeError::Forbidden(message) => vec![ValidationIssue::new("reported_by", message)],
                other => return PageError::new(page, other).into_response(),
            };
            let mut response = render(&IncidentFormTemplate::new(
                page,
                signed.csrf,
                fields,
                &issues,
            ));
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_fields() {
        assert_eq!(field_of_path("targets[0].sector"), Some("target_sector"));
        assert_eq!(field_of_path("victim"), Some("victim"));
        assert_eq!(field_of_path("shared_with[2]"), None);
    }

    #[test]
    fn numbers_stay_text_when_they_are_not_numbers() {
        assert_eq!(number_or_text("12"), Some(serde_json::json!(12)));
        assert_eq!(number_or_text("1.5"), Some(serde_json::json!(1.5)));
        assert_eq!(number_or_text("many"), Some(serde_json::json!("many")));
        assert_eq!(number_or_text(" "), None);
    }
}
