//! Supply-chain notices (GGE 13(i)) over HTTP. Writes are DSSE envelopes signed by their
//! author's hotline key, sent as the request body: a notice by its notifying party, an
//! acknowledgement by an addressed party. Reads follow the notice's TLP label (the one rule,
//! decided by `redline_node::supply_chain`): `GET /api/v1/public/supply-chain-notices…` answer
//! without a token with `clear` notices only.

use std::future::Future;

use axum::{
    Json, Router,
    extract::{Path, State},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use redline_node::supply_chain::{SupplyChainNoticeListItem, SupplyChainNoticeView};
use redline_node::{Caller, Node, NodeError};
use uuid::Uuid;

use crate::{
    AppState,
    auth::SignedIn,
    error::ApiError,
    incidents::JsonBytes,
    signed_records::{
        RecordReads, created_at, list_records, parse_record_id, public_list_records,
        public_show_record, show_record,
    },
};

/// The supply-chain routes, merged into the application router.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/supply-chain-notices",
            get(list_records::<Notices>).post(issue),
        )
        .route(
            "/api/v1/supply-chain-notices/{id}",
            get(show_record::<Notices>),
        )
        .route(
            "/api/v1/supply-chain-notices/{id}/acknowledgements",
            post(acknowledge),
        )
        .route(
            "/api/v1/public/supply-chain-notices",
            get(public_list_records::<Notices>),
        )
        .route(
            "/api/v1/public/supply-chain-notices/{id}",
            get(public_show_record::<Notices>),
        )
}

pub(crate) fn parse_notice_id(text: &str) -> Result<Uuid, ApiError> {
    parse_record_id(text, "supply-chain notice")
}

async fn issue(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    let view = state.node.issue_supply_chain_notice(&caller, &body).await?;
    let location = format!("/api/v1/supply-chain-notices/{}", view.notice.id);
    Ok(created_at(&view, &location))
}

async fn acknowledge(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<String>,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    let id = parse_notice_id(&id)?;
    let view = state
        .node
        .acknowledge_supply_chain_notice(&caller, id, &body)
        .await?;
    Ok(Json(view).into_response())
}

/// Supply-chain notices, read by their TLP label: `{notices}` for a signed-in reader and for
/// the public (`clear` notices only).
pub(crate) struct Notices;

impl RecordReads for Notices {
    const WHAT: &'static str = "supply-chain notice";
    const LIST_KEY: &'static str = "notices";
    const PUBLIC_LIST_KEY: &'static str = "notices";
    type Item = SupplyChainNoticeListItem;
    type View = SupplyChainNoticeView;

    fn list(
        node: &Node,
        reader: Option<&Caller>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Self::Item>, NodeError>> + Send {
        node.list_supply_chain_notices(reader, limit)
    }

    fn read(
        node: &Node,
        reader: Option<&Caller>,
        id: Uuid,
    ) -> impl Future<Output = Result<Self::View, NodeError>> + Send {
        node.supply_chain_notice(reader, id)
    }
}

const SUPPLY_CHAIN_OPERATIONS: &[crate::openapi::TabledOperation] = {
    use crate::openapi::TabledOperation;
    use utoipa::openapi::HttpMethod::{Get, Post};
    const UNAUTHENTICATED: (&str, &str) = ("401", "no or wrong token");
    const NOT_FOUND: (&str, &str) = (
        "404",
        "no such notice, or one whose TLP label you are not among the readers of",
    );
    const REFUSED: (&str, &str) = (
        "422",
        "the envelope or its payload breaks a rule: error.issues name each (a signature not by the author's current key is `envelope.signatures`; a linked incident the notifying party cannot read is `incidents[i]`)",
    );
    const SIGNED: (&str, &str) = (
        "403",
        "sent in another party's name, or an acknowledgement by a party the notice was not addressed to",
    );
    &[
        TabledOperation::new(Post, "/api/v1/supply-chain-notices", "issueSupplyChainNotice", "Issue a supply-chain notice (GGE 13(i)): a DSSE envelope (payloadType application/vnd.redline.supply-chain-notice+json, schema schemas/supply-chain-notice.schema.json) signed by the notifying party, naming the compromised products (purl or CPE) and versions, the update channel, indicators, the mitigation and linked incidents. It is addressed to every other party of the node, each owing an acknowledgement within the acknowledge duty of the norms document the notifying party adopted", &[
                ("201", "the notice, as its notifying party reads it"),
                ("400", "malformed JSON"),
                UNAUTHENTICATED,
                SIGNED,
                ("409", "a notice with this id exists already"),
                REFUSED,
            ]),
        TabledOperation::new(Get, "/api/v1/supply-chain-notices", "listSupplyChainNotices", "Supply-chain notices you may read, latest first, each with how many parties acknowledged and said they are affected", &[("200", "`{notices: [...]}`"), UNAUTHENTICATED]).query(&[("limit", "at most this many (1-1000, default 100)")]),
        TabledOperation::new(Get, "/api/v1/supply-chain-notices/{id}", "showSupplyChainNotice", "A notice as signed, with every addressed party's acknowledgement deadline, standing (on-time, late, missed, pending), exposure and reminder, the linked incidents you may read and the signed records' digests", &[("200", "the notice"), UNAUTHENTICATED, NOT_FOUND]),
        TabledOperation::new(Post, "/api/v1/supply-chain-notices/{id}/acknowledgements", "acknowledgeSupplyChainNotice", "Acknowledge a notice (payloadType application/vnd.redline.supply-chain-acknowledgement+json, schema schemas/supply-chain-acknowledgement.schema.json) with your exposure: received, investigating, affected, mitigated or not-affected. The first acknowledgement meets the deadline; later ones update the exposure", &[
                ("200", "the notice after the acknowledgement"),
                ("400", "malformed JSON"),
                UNAUTHENTICATED,
                SIGNED,
                NOT_FOUND,
                ("409", "a replay of a stored acknowledgement"),
                REFUSED,
            ]),
        TabledOperation::new(Get, "/api/v1/public/supply-chain-notices", "listPublicSupplyChainNotices", "Supply-chain notices labelled TLP:CLEAR", &[("200", "`{notices: [...]}`")]).public().query(&[("limit", "at most this many (1-1000, default 100)")]),
        TabledOperation::new(Get, "/api/v1/public/supply-chain-notices/{id}", "showPublicSupplyChainNotice", "A TLP:CLEAR notice (linked incidents only where they are public too)", &[
                ("200", "the notice"),
                ("404", "no such notice, or not TLP:CLEAR"),
            ]).public(),
    ]
};

pub(crate) fn openapi_paths() -> Vec<(String, utoipa::openapi::PathItem)> {
    crate::openapi::tabled_paths("supply-chain", SUPPLY_CHAIN_OPERATIONS)
}
