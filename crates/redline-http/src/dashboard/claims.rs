//! The public attribution pages: published TLP:CLEAR claims (who names which state, how likely,
//! on what basis, who joined) and one claim with its evidence, co-signers and the named state's
//! reply beside it. A claim that is filed, restricted or never published is "not found" here,
//! like any record the public may not read; consultation positions stay with its participants.

use askama::Template;
use axum::{
    extract::{Path, State},
    response::Response,
};
use redline_node::attribution::{ClaimSummaryView, ClaimView, NamedStateCount};
use uuid::Uuid;

use super::{Page, PageError, ShownTime, render};
use crate::AppState;

#[derive(Template)]
#[template(path = "dashboard/claims.html")]
struct ClaimsTemplate {
    page: Page,
    claims: Vec<ClaimRowView>,
    named_states: Vec<NamedStateCount>,
}

/// One row of the public list.
pub(crate) struct ClaimRowView {
    pub(crate) id: String,
    pub(crate) claimant: String,
    pub(crate) named_state: String,
    pub(crate) actor: String,
    pub(crate) confidence: String,
    pub(crate) cosigners: u32,
    pub(crate) status: String,
    pub(crate) published_at: Option<ShownTime>,
}

fn row_view(summary: &ClaimSummaryView) -> ClaimRowView {
    ClaimRowView {
        id: summary.id.to_string(),
        claimant: summary.claimant.to_string(),
        named_state: summary.named_state.as_str().to_string(),
        actor: summary.actor.clone().unwrap_or_default(),
        confidence: summary.confidence.as_str().to_string(),
        cosigners: summary.cosigners,
        status: summary.status.as_str().to_string(),
        published_at: summary
            .published_at
            .map(|at| ShownTime::from_microseconds(at.as_microseconds())),
    }
}

pub(crate) async fn claims(State(state): State<AppState>, page: Page) -> Response {
    let claims = match state.node.public_claims(200).await {
        Ok(claims) => claims,
        Err(error) => return PageError::new(page, error).into_response_page(),
    };
    let named_states = match state.node.published_claim_counts().await {
        Ok(counts) => counts,
        Err(error) => return PageError::new(page, error).into_response_page(),
    };
    render(&ClaimsTemplate {
        page,
        claims: claims.iter().map(row_view).collect(),
        named_states,
    })
}

#[derive(Template)]
#[template(path = "dashboard/claim.html")]
struct ClaimTemplate {
    page: Page,
    view: ClaimView,
    published_at: Option<ShownTime>,
}

pub(crate) async fn claim(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else {
        return PageError::not_found(page).into_response_page();
    };
    match state.node.public_claim(id).await {
        Ok(view) => render(&ClaimTemplate {
            page,
            published_at: view
                .published_at
                .map(|at| ShownTime::from_microseconds(at.as_microseconds())),
            view,
        }),
        Err(error) => PageError::new(page, error).into_response_page(),
    }
}
