//! The four pages of a kind of record read under its TLP rule (disclosure cases, supply-chain
//! notices): the public list and one record on the dashboard, the same two in the console for
//! the signed-in party. An area says how to read its records and which templates show them
//! (`RecordPages`); the handlers here do the rest alike: the console's sign-in (or the redirect
//! to it), the id in the path (not a UUID is "not found"), and the error page. The node decides
//! what each reader may read.

use askama::Template;
use axum::{
    Extension,
    extract::{Path, State},
    http::HeaderMap,
    response::{IntoResponse, Redirect, Response},
};
use redline_node::Caller;
use uuid::Uuid;

use super::console::Sessions;
use super::{Page, PageError, render};
use crate::AppState;
use crate::signed_records::RecordReads;

/// How many records a list page shows at the most.
const LISTED: u32 = 500;

/// A kind of record with a list page and a record page, public and in the console, read as the
/// API reads it (`RecordReads`: the same node calls, the same reading rule); `console` says
/// which of the two a page is.
pub(crate) trait RecordPages: RecordReads {
    /// The list page.
    fn list_page(page: Page, console: bool, items: &[Self::Item]) -> impl Template;

    /// The record's page.
    fn record_page(page: Page, console: bool, view: Self::View) -> impl Template;
}

/// The party signed in to the console, marked on `page`, or the redirect to the sign-in page.
async fn console_reader(
    state: &AppState,
    sessions: &Sessions,
    page: &mut Page,
    headers: &HeaderMap,
) -> Result<Caller, Response> {
    let Some(signed) = super::console::signed_in(state, sessions, headers).await else {
        return Err(Redirect::to("/console/sign-in").into_response());
    };
    page.signed_in = Some(signed.party.to_string());
    Ok(Caller::Party(signed.party))
}

async fn list_for<Records: RecordPages>(
    state: &AppState,
    page: Page,
    reader: Option<Caller>,
) -> Response {
    match Records::list(&state.node, reader.as_ref(), LISTED).await {
        Ok(items) => render(&Records::list_page(page, reader.is_some(), &items)),
        Err(error) => PageError::new(page, error).into_response(),
    }
}

async fn record_for<Records: RecordPages>(
    state: &AppState,
    page: Page,
    reader: Option<Caller>,
    id: &str,
) -> Response {
    let Ok(id) = Uuid::parse_str(id) else {
        return PageError::not_found(page).into_response();
    };
    match Records::read(&state.node, reader.as_ref(), id).await {
        Ok(view) => render(&Records::record_page(page, reader.is_some(), view)),
        Err(error) => PageError::new(page, error).into_response(),
    }
}

/// The public list (`/dashboard/…`).
pub(crate) async fn public_list<Records: RecordPages>(
    State(state): State<AppState>,
    page: Page,
) -> Response {
    list_for::<Records>(&state, page, None).await
}

/// One record for the public (`/dashboard/…/{id}`).
pub(crate) async fn public_record<Records: RecordPages>(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> Response {
    record_for::<Records>(&state, page, None, &id).await
}

/// The list in the console (`/console/…`), for the signed-in party.
pub(crate) async fn console_list<Records: RecordPages>(
    State(state): State<AppState>,
    Extension(sessions): Extension<Sessions>,
    mut page: Page,
    headers: HeaderMap,
) -> Response {
    match console_reader(&state, &sessions, &mut page, &headers).await {
        Ok(reader) => list_for::<Records>(&state, page, Some(reader)).await,
        Err(redirect) => redirect,
    }
}

/// One record in the console (`/console/…/{id}`), as the signed-in party may read it.
pub(crate) async fn console_record<Records: RecordPages>(
    State(state): State<AppState>,
    Extension(sessions): Extension<Sessions>,
    mut page: Page,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    match console_reader(&state, &sessions, &mut page, &headers).await {
        Ok(reader) => record_for::<Records>(&state, page, Some(reader), &id).await,
        Err(redirect) => redirect,
    }
}
