//! The dashboard: server-rendered HTML pages (askama templates under `templates/dashboard/`)
//! for the public record and the duty officer's console.
//!
//! Owns the page routes under `/dashboard` and `/console`, the page context every template gets
//! (language, direction, navigation, the signed-in party), the language choice (`?lang=`, the
//! `redline_lang` cookie, `Accept-Language`), HTML error pages and the embedded static assets.
//! Every page is readable without JavaScript; the one script only adds the reader's local time
//! beside UTC times. What a page may show is decided by the node (`redline_node::dashboard`): the
//! public pages only ever receive `TLP:CLEAR` incidents from it.

mod charts;
mod claims;
// Commitments: the comparison, a party's commitments, a published review round.
mod commitments;
mod console;
mod console_claims;
mod console_commitments;
mod diff;
// This node among its peers.
mod federation;
mod i18n;
mod public;
// The public and console pages of a kind of record read under its TLP rule.
mod record_pages;
mod threads;
// Coordinated vulnerability disclosure: public advisories and the console's vendor matrix.
mod disclosure;
// Supply-chain notices (GGE 13(i)): public `clear` notices and the console's acknowledgement matrix.
mod supply_chain;

use askama::Template;
use axum::{
    Router,
    extract::{FromRequestParts, Request},
    http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts},
    middleware::{self, Next},
    response::{Html, IntoResponse, Response},
    routing::{get, post},
};
use redline_node::NodeError;

use crate::AppState;
use crate::disclosure::Cases as Advisories;
use crate::supply_chain::Notices;
pub(crate) use i18n::Language;

/// The routes of the dashboard, merged into the application router.
pub(crate) fn routes() -> Router<AppState> {
    let sessions = console::Sessions::default();
    Router::new()
        .route("/dashboard", get(public::overview))
        .route("/dashboard/incidents", get(public::incidents))
        .route("/dashboard/incidents/{id}", get(public::incident))
        .route("/dashboard/parties", get(public::parties))
        .route("/dashboard/claims", get(claims::claims))
        .route("/dashboard/federation", get(federation::federation))
        .route("/dashboard/claims/{id}", get(claims::claim))
        .route("/dashboard/parties/{id}", get(public::party))
        .route("/dashboard/norms", get(public::norms))
        .route("/dashboard/norms/{sha256}", get(public::norms_document))
        .route(
            "/dashboard/norms/{sha256}/diff/{other}",
            get(public::norms_difference),
        )
        .route("/dashboard/verify", get(public::verify))
        .route("/dashboard/commitments", get(commitments::comparison))
        .route("/dashboard/commitments/{id}", get(commitments::party))
        .route("/dashboard/review-rounds/{id}", get(commitments::round))
        .route(
            "/dashboard/advisories",
            get(record_pages::public_list::<Advisories>),
        )
        .route(
            "/dashboard/advisories/{id}",
            get(record_pages::public_record::<Advisories>),
        )
        .route(
            "/console/disclosure",
            get(record_pages::console_list::<Advisories>),
        )
        .route(
            "/console/disclosure/{id}",
            get(record_pages::console_record::<Advisories>),
        )
        .route(
            "/dashboard/supply-chain",
            get(record_pages::public_list::<Notices>),
        )
        .route(
            "/dashboard/supply-chain/{id}",
            get(record_pages::public_record::<Notices>),
        )
        .route(
            "/console/supply-chain",
            get(record_pages::console_list::<Notices>),
        )
        .route(
            "/console/supply-chain/{id}",
            get(record_pages::console_record::<Notices>),
        )
        .route("/dashboard/static/dashboard.css", get(stylesheet))
        .route("/dashboard/static/dashboard.js", get(script))
        .route("/console", get(console::home))
        .route(
            "/console/sign-in",
            get(console::sign_in_form).post(console::sign_in),
        )
        .route("/console/sign-out", post(console::sign_out))
        .route(
            "/console/incidents/new",
            get(console::incident_form).post(console::submit_incident),
        )
        .route("/console/threads/{id}", get(threads::thread))
        .route("/console/threads/{id}/prepare", post(threads::prepare))
        .route("/console/messages", post(threads::send))
        .route("/console/stream", get(threads::stream))
        .route(
            "/console/claims",
            get(console_claims::claims).post(console_claims::prepare_new_claim),
        )
        .route("/console/claims/send", post(console_claims::send_record))
        .route("/console/claims/{id}", get(console_claims::claim))
        .route(
            "/console/claims/{id}/prepare",
            post(console_claims::prepare_claim_action),
        )
        .route(
            "/console/commitments",
            get(console_commitments::commitments),
        )
        .route("/console/commitments/send", post(console_commitments::send))
        .route(
            "/console/review-rounds/{id}",
            get(console_commitments::round),
        )
        .layer(axum::Extension(sessions))
        .layer(middleware::from_fn(remember_language))
}

/// Remembers a language chosen with `?lang=` in a cookie, so the links of the page keep it.
async fn remember_language(request: Request, next: Next) -> Response {
    let chosen = request
        .uri()
        .query()
        .and_then(language_from_query)
        .map(Language::tag);
    let mut response = next.run(request).await;
    if let Some(tag) = chosen
        && let Ok(value) = HeaderValue::from_str(&format!(
            "redline_lang={tag}; Path=/; Max-Age=31536000; SameSite=Lax"
        ))
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

fn language_from_query(query: &str) -> Option<Language> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| *name == "lang")
        .and_then(|(_, value)| Language::from_tag(value))
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// One entry of the language switcher.
pub(crate) struct LanguageLink {
    pub(crate) tag: &'static str,
    pub(crate) name: &'static str,
    pub(crate) href: String,
    pub(crate) current: bool,
}

/// What every page template needs: the language and the navigation.
pub(crate) struct Page {
    pub(crate) language: Language,
    pub(crate) path: String,
    pub(crate) signed_in: Option<String>,
}

impl Page {
    pub(crate) fn t(&self, key: &str) -> String {
        i18n::translate(self.language, key)
    }

    pub(crate) fn t_with(&self, key: &str, arguments: &[(&str, &str)]) -> String {
        i18n::translate_with(self.language, key, arguments)
    }

    pub(crate) fn lang(&self) -> &'static str {
        self.language.tag()
    }

    pub(crate) fn dir(&self) -> &'static str {
        self.language.direction().as_html_dir()
    }

    pub(crate) fn languages(&self) -> Vec<LanguageLink> {
        Language::ALL
            .into_iter()
            .map(|language| LanguageLink {
                tag: language.tag(),
                name: language.native_name(),
                href: format!("{}?lang={}", self.path, language.tag()),
                current: language == self.language,
            })
            .collect()
    }

    /// `aria-current="page"` for the navigation entry of the current section.
    pub(crate) fn current(&self, prefix: &str) -> &'static str {
        let here = if prefix == "/dashboard" {
            self.path == "/dashboard"
        } else {
            self.path.starts_with(prefix)
        };
        if here { "page" } else { "false" }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Page {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let language = parts
            .uri
            .query()
            .and_then(language_from_query)
            .or_else(|| cookie(&parts.headers, "redline_lang").and_then(Language::from_tag))
            .or_else(|| {
                parts
                    .headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|value| value.to_str().ok())
                    .and_then(Language::from_accept_language)
            })
            .unwrap_or(Language::English);
        Ok(Page {
            language,
            path: parts.uri.path().to_string(),
            signed_in: None,
        })
    }
}

/// A time as the pages show it: UTC text in a `<time>` element the script adds local time to.
pub(crate) struct ShownTime {
    pub(crate) machine: String,
    pub(crate) human: String,
}

impl ShownTime {
    pub(crate) fn from_microseconds(microseconds: i64) -> ShownTime {
        let timestamp = jiff::Timestamp::from_microsecond(microseconds).unwrap_or_default();
        ShownTime::from_jiff(timestamp)
    }

    pub(crate) fn from_jiff(timestamp: jiff::Timestamp) -> ShownTime {
        ShownTime {
            machine: timestamp.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
            human: timestamp.strftime("%Y-%m-%d %H:%M UTC").to_string(),
        }
    }
}

/// A duration in whole seconds as short text (`2 h 05 min`, `10 min 00 s`, `42 s`); the unit
/// symbols are the SI ones, the same in every language.
pub(crate) fn duration_text(seconds: u64) -> String {
    let (hours, minutes, rest) = (seconds / 3600, (seconds % 3600) / 60, seconds % 60);
    if hours > 0 {
        format!("{hours} h {minutes:02} min")
    } else if minutes > 0 {
        format!("{minutes} min {rest:02} s")
    } else {
        format!("{rest} s")
    }
}

#[derive(Template)]
#[template(path = "dashboard/error.html")]
struct ErrorTemplate {
    page: Page,
    title: String,
    message: String,
}

/// A page the dashboard could not show, as HTML in the reader's language.
pub(crate) struct PageError {
    page: Page,
    status: StatusCode,
    message: String,
}

impl PageError {
    pub(crate) fn new(page: Page, error: NodeError) -> PageError {
        let (status, message) = match &error {
            NodeError::NotFound(_) => (StatusCode::NOT_FOUND, page.t("not-found")),
            NodeError::Invalid(_) | NodeError::Malformed(_) | NodeError::Rejected(_) => {
                (StatusCode::BAD_REQUEST, error.to_string())
            }
            NodeError::Forbidden(message) => (StatusCode::FORBIDDEN, message.clone()),
            NodeError::Unauthenticated(message) => (StatusCode::UNAUTHORIZED, message.clone()),
            NodeError::Conflict(message) => (StatusCode::CONFLICT, message.clone()),
            NodeError::Internal(message) => {
                tracing::error!(%message, "dashboard page failed");
                (StatusCode::INTERNAL_SERVER_ERROR, page.t("error-title"))
            }
        };
        PageError {
            page,
            status,
            message,
        }
    }

    pub(crate) fn not_found(page: Page) -> PageError {
        let message = page.t("not-found");
        PageError {
            page,
            status: StatusCode::NOT_FOUND,
            message,
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let title = if self.status == StatusCode::NOT_FOUND {
            self.page.t("not-found-title")
        } else {
            self.page.t("error-title")
        };
        let body = ErrorTemplate {
            page: self.page,
            title,
            message: self.message,
        };
        (self.status, render(&body)).into_response()
    }
}

/// Renders a template to an HTML response (a rendering failure is a 500 with a plain message).
pub(crate) fn render<T: Template>(template: &T) -> Response {
    match template.render() {
        Ok(html) => (
            [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
            Html(html),
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "a dashboard template failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be rendered",
            )
                .into_response()
        }
    }
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/dashboard.css"),
    )
}

async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/dashboard.js"),
    )
}
