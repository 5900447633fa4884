//! The duty officer's console: signing in with a party's API token (a session cookie after the
//! token is posted), and the incident submission form with the node's validation messages shown
//! on the fields they concern.
//!
//! Sessions live in the database (`redline_node::sessions`): the cookie holds a random 256-bit
//! secret (`HttpOnly`, `SameSite=Strict`), of which the node keeps only the SHA-256, with the
//! party and the id of the token signed in with, re-checked on every request (so a revoked token
//! ends the session, on every process over the same database). Every form that changes something
//! carries the session's CSRF token, compared in constant time; the sign-in form, which has no
//! session yet, is refused when the browser's `Origin` names another site. The server never
//! holds a party's private key.

use std::collections::HashMap;

use askama::Template;
use axum::{
    Extension, Form,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use redline_model::{EffectKind, IncidentStatus, PartyId, Scale, Sector, Tlp, ValidationIssue};
use redline_node::{Caller, NodeError, sessions::SessionRefusal};

use super::{Page, PageError, cookie, render};
use crate::AppState;

const SESSION_COOKIE: &str = "redline_session";

/// The console's handle on sessions, which the node keeps in the database (so it holds nothing
/// itself; the handlers still take it, so that the console's routes are the ones with sessions).
#[derive(Clone, Default)]
pub(crate) struct Sessions {
    _kept_by_the_node: (),
}

pub(super) fn constant_time_equal(left: &str, right: &str) -> bool {
    left.len() == right.len()
        && left
            .bytes()
            .zip(right.bytes())
            .fold(0u8, |difference, (a, b)| difference | (a ^ b))
            == 0
}

/// The signed-in party of a request, checked with the node (revocation included).
pub(super) struct SignedInParty {
    pub(super) party: PartyId,
    pub(super) csrf: String,
}

pub(super) async fn signed_in(
    state: &AppState,
    _sessions: &Sessions,
    headers: &HeaderMap,
) -> Option<SignedInParty> {
    let secret = cookie(headers, SESSION_COOKIE)?;
    match state.node.session_party(secret).await {
        Ok(Some(session)) => Some(SignedInParty {
            party: session.party,
            csrf: session.csrf,
        }),
        Ok(None) => None,
        Err(error) => {
            tracing::warn!(%error, "a console session could not be read");
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
    let session = match state.node.open_session(form.token.trim(), address).await {
        Ok(session) => session,
        Err(SessionRefusal::Unauthenticated(_)) => {
            let mut response = render(&SignInTemplate { page, failed: true });
            *response.status_mut() = StatusCode::UNAUTHORIZED;
            return response;
        }
        Err(SessionRefusal::Node(error)) => return PageError::new(page, error).into_response(),
        Err(refusal) => {
            return (StatusCode::TOO_MANY_REQUESTS, refusal.to_string()).into_response();
        }
    };
    let mut response = Redirect::to("/console").into_response();
    if let Ok(value) = HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}",
        session.secret,
        redline_node::sessions::SESSION_LIFETIME_SECONDS
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
    page: Page,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Some(signed) = signed_in(&state, &sessions, &headers).await
        && constant_time_equal(&signed.csrf, &form.csrf)
        && let Some(secret) = cookie(&headers, SESSION_COOKIE)
        && let Err(error) = state.node.close_session(secret).await
    {
        return PageError::new(page, error).into_response();
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
