//! Coordinated vulnerability disclosure over HTTP. Writes are DSSE envelopes signed by their
//! author's hotline key, sent as the request body: a case version by its coordinator, an action
//! by the coordinator or a vendor. Reads follow the embargo: before it ends (by the node's
//! clock) a case is "not found" to everybody but its coordinator, reporter, vendor parties and
//! the operator; `GET /api/v1/public/advisories…` answer without a token with cases whose
//! embargo has ended, as JSON and as a CSAF advisory (CSAF 2.0 by default, 2.1 with
//! `?version=2.1`). Every decision is the node's (`redline_node::disclosure`).

use std::future::Future;

use axum::{
    Extension, Json, Router,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use redline_disclosure::CsafVersion;
use redline_node::disclosure::{DisclosureCaseListItem, DisclosureCaseView};
use redline_node::{Caller, Node, NodeError};
use serde::Deserialize;
use uuid::Uuid;

use crate::{
    AppState,
    auth::SignedIn,
    error::ApiError,
    incidents::JsonBytes,
    query::ApiQuery,
    signed_records::{
        RecordReads, json_at, list_records, parse_record_id, public_list_records,
        public_show_record, show_record,
    },
};

/// The namespace (the node's public URL) advisories are published under.
#[derive(Debug, Clone)]
pub(crate) struct AdvisoryNamespace(pub(crate) String);

impl AdvisoryNamespace {
    pub(crate) fn from_config(config: &crate::HttpConfig) -> Self {
        Self(
            config
                .public_url
                .clone()
                .unwrap_or_else(|| "https://redline.invalid".to_string())
                .trim_end_matches('/')
                .to_string(),
        )
    }
}

/// The disclosure routes, merged into the application router.
pub(crate) fn routes(config: &crate::HttpConfig) -> Router<AppState> {
    Router::new()
        .route("/api/v1/disclosure/policy", get(policy))
        .route(
            "/api/v1/disclosure/cases",
            get(list_records::<Cases>).post(file),
        )
        .route("/api/v1/disclosure/cases/{id}", get(show_record::<Cases>))
        .route("/api/v1/disclosure/cases/{id}/actions", post(act))
        .route("/api/v1/disclosure/cases/{id}/csaf", get(show_csaf))
        .route("/api/v1/disclosure/cases/{id}/cve", get(show_cve))
        .route(
            "/api/v1/public/advisories",
            get(public_list_records::<Cases>),
        )
        .route(
            "/api/v1/public/advisories/{id}",
            get(public_show_record::<Cases>),
        )
        .route("/api/v1/public/advisories/{id}/csaf", get(public_csaf))
        .layer(Extension(AdvisoryNamespace::from_config(config)))
}

fn parse_case_id(text: &str) -> Result<Uuid, ApiError> {
    parse_record_id(text, "disclosure case")
}

async fn file(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    let view = state.node.file_disclosure_case(&caller, &body).await?;
    let status = if view.version == 1 {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let location = format!("/api/v1/disclosure/cases/{}", view.id);
    Ok(json_at(status, &view, &location))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyQuery {
    coordinator: Option<String>,
}

/// The disclosure policy a case coordinated by `coordinator` (by default the caller) follows:
/// the `[disclosure]` table of the norms document it adopted last, else the baseline's. What a
/// coordinator needs before it signs a case without an embargo end of its own.
async fn policy(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    ApiQuery(query): ApiQuery<PolicyQuery>,
) -> Result<Response, ApiError> {
    let coordinator = match (query.coordinator, caller.party()) {
        (Some(text), _) => redline_model::PartyId::parse(&text).map_err(|message| {
            ApiError::bad_request("invalid", format!("coordinator: {message}"))
                .with_path("coordinator")
        })?,
        (None, Some(party)) => party.clone(),
        (None, None) => {
            return Err(ApiError::bad_request(
                "invalid",
                "coordinator: name the coordinating party",
            )
            .with_path("coordinator"));
        }
    };
    Ok(Json(state.node.disclosure_policy(&coordinator).await).into_response())
}

async fn act(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<String>,
    JsonBytes(body): JsonBytes,
) -> Result<Response, ApiError> {
    let id = parse_case_id(&id)?;
    let view = state
        .node
        .record_disclosure_action(&caller, id, &body)
        .await?;
    Ok(Json(view).into_response())
}

/// `?version=2.0|2.1` of the CSAF routes; 2.0 when absent.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CsafQuery {
    version: Option<String>,
}

impl CsafQuery {
    fn version(&self) -> Result<CsafVersion, ApiError> {
        match &self.version {
            None => Ok(CsafVersion::default()),
            Some(text) => CsafVersion::parse(text).map_err(|message| {
                ApiError::bad_request("invalid", format!("version: {message}")).with_path("version")
            }),
        }
    }
}

async fn show_csaf(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Extension(namespace): Extension<AdvisoryNamespace>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<CsafQuery>,
) -> Result<Response, ApiError> {
    let id = parse_case_id(&id)?;
    let version = query.version()?;
    let advisory = state
        .node
        .disclosure_advisory(Some(&caller), id, &namespace.0, version)
        .await?;
    Ok(Json(advisory).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CveQuery {
    org_id: String,
    short_name: String,
}

async fn show_cve(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Extension(namespace): Extension<AdvisoryNamespace>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<CveQuery>,
) -> Result<Response, ApiError> {
    let id = parse_case_id(&id)?;
    let org_id = Uuid::parse_str(&query.org_id).map_err(|_| {
        ApiError::bad_request("invalid", format!("`{}` is not a UUID", query.org_id))
            .with_path("org_id")
    })?;
    let assigner = redline_disclosure::CveAssigner::new(org_id, &query.short_name)
        .map_err(|message| ApiError::bad_request("invalid", message).with_path("org_id"))?;
    let record = state
        .node
        .disclosure_cve_record(Some(&caller), id, &assigner, &namespace.0)
        .await?;
    Ok(Json(record).into_response())
}

async fn public_csaf(
    State(state): State<AppState>,
    Extension(namespace): Extension<AdvisoryNamespace>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<CsafQuery>,
) -> Result<Response, ApiError> {
    let id = parse_case_id(&id)?;
    let version = query.version()?;
    let advisory = state
        .node
        .public_disclosure_advisory(id, &namespace.0, version)
        .await?;
    Ok(Json(advisory).into_response())
}

/// Disclosure cases, read by the embargo rule: `{cases}` for a signed-in reader,
/// `{advisories}` (cases whose embargo has ended) for the public.
pub(crate) struct Cases;

impl RecordReads for Cases {
    const WHAT: &'static str = "disclosure case";
    const LIST_KEY: &'static str = "cases";
    const PUBLIC_LIST_KEY: &'static str = "advisories";
    type Item = DisclosureCaseListItem;
    type View = DisclosureCaseView;

    fn list(
        node: &Node,
        reader: Option<&Caller>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Self::Item>, NodeError>> + Send {
        node.list_disclosure_cases(reader, limit)
    }

    fn read(
        node: &Node,
        reader: Option<&Caller>,
        id: Uuid,
    ) -> impl Future<Output = Result<Self::View, NodeError>> + Send {
        node.disclosure_case(reader, id)
    }
}

const DISCLOSURE_OPERATIONS: &[crate::openapi::TabledOperation] = {
    use crate::openapi::TabledOperation;
    use utoipa::openapi::HttpMethod::{Get, Post};
    const UNAUTHENTICATED: (&str, &str) = ("401", "no or wrong token");
    const NOT_FOUND: (&str, &str) = (
        "404",
        "no such case, or an embargoed case you do not read (coordinator, reporter, vendor parties)",
    );
    const REFUSED: (&str, &str) = (
        "422",
        "the envelope or its payload breaks a rule: error.issues name each (a signature not by the author's current key is `envelope.signatures`)",
    );
    const SIGNED: (&str, &str) = (
        "403",
        "sent in another party's name, or an action the author may not take",
    );
    const CSAF_VERSION: (&str, &str) = (
        "version",
        "the CSAF version: 2.0 (the default, OASIS Standard) or 2.1 (the OASIS CSAF TC's committee specification draft, as the BSI validator 2.0.10 checks it)",
    );
    const BAD_CSAF_VERSION: (&str, &str) = (
        "400",
        "version is neither 2.0 nor 2.1 (error.path `version`)",
    );
    &[
        TabledOperation::new(Get, "/api/v1/disclosure/policy", "showDisclosurePolicy", "The disclosure policy a case coordinated by `coordinator` (default: you) follows: days for a vendor to acknowledge and to report each product's status, the default embargo in days, their basis, and the norms document they come from (the one the coordinator adopted last, else the baseline)", &[
                (
                    "200",
                    "`{acknowledge_days, status_days, embargo_days, basis, document_id, document_version, document_sha256}`",
                ),
                ("400", "coordinator is not a party id"),
                UNAUTHENTICATED,
            ]).query(&[(
                "coordinator",
                "the coordinating party (default: the signed-in party)",
            )]),
        TabledOperation::new(Post, "/api/v1/disclosure/cases", "fileDisclosureCase", "File a disclosure case version: a DSSE envelope (payloadType application/vnd.redline.disclosure-case+json, schema schemas/disclosure-case.schema.json) signed by the coordinator (a CERT party); version 1 opens the case, version n+1 updates it (vendors and products may be added, never removed; the embargo moves only by an embargo-changed action)", &[
                ("201", "the case opened, as its coordinator reads it"),
                ("200", "the case updated"),
                ("400", "malformed JSON"),
                UNAUTHENTICATED,
                SIGNED,
                NOT_FOUND,
                ("409", "a replay of a stored record"),
                REFUSED,
            ]),
        TabledOperation::new(Get, "/api/v1/disclosure/cases", "listDisclosureCases", "Disclosure cases you may read (embargoed ones you take part in, and public ones), latest embargo end first", &[("200", "`{cases: [...]}`"), UNAUTHENTICATED]).query(&[("limit", "at most this many (1-1000, default 100)")]),
        TabledOperation::new(Get, "/api/v1/disclosure/cases/{id}", "showDisclosureCase", "A case with every vendor and product status, the dates contacted and answered, the deadlines and the policy they follow, the CVSS vectors, the embargo changes (contacts for the coordinator only; an anonymous reporter hidden from vendors), and the incidents you may read that name the case or its CVE id", &[("200", "the case"), UNAUTHENTICATED, NOT_FOUND]),
        TabledOperation::new(Post, "/api/v1/disclosure/cases/{id}/actions", "recordDisclosureAction", "Record an action (payloadType application/vnd.redline.disclosure-action+json): vendor-contacted, vendor-acknowledged, product-status, vendor-unresponsive, embargo-changed, cve-assigned", &[
                ("200", "the case after the action"),
                ("400", "malformed JSON"),
                UNAUTHENTICATED,
                SIGNED,
                NOT_FOUND,
                (
                    "409",
                    "a replay, or the case is there already (contacted twice, the same status)",
                ),
                REFUSED,
            ]),
        TabledOperation::new(Get, "/api/v1/disclosure/cases/{id}/csaf", "showDisclosureAdvisoryDraft", "The case's CSAF security advisory, CSAF 2.0 or 2.1 (a draft for the case's readers before the embargo ends)", &[
                ("200", "a CSAF 2.0 or 2.1 document"),
                BAD_CSAF_VERSION,
                UNAUTHENTICATED,
                NOT_FOUND,
            ]).query(&[CSAF_VERSION]),
        TabledOperation::new(Get, "/api/v1/disclosure/cases/{id}/cve", "showDisclosureCveRecord", "The case's CVE JSON 5 record (dataVersion 5.1, published, with its CNA container) for the CNA named by org_id (a version-4 UUID) and short_name", &[
                ("200", "a CVE JSON 5 record"),
                ("400", "org_id or short_name is not valid"),
                UNAUTHENTICATED,
                (
                    "404",
                    "no such case, an embargoed case you do not read, or no CVE id yet",
                ),
            ]).query(&[
                ("org_id", "the CNA's organisation id at the CVE Program"),
                ("short_name", "the CNA's short name"),
            ]),
        TabledOperation::new(Get, "/api/v1/public/advisories", "listPublicAdvisories", "Disclosure cases whose embargo has ended", &[("200", "`{advisories: [...]}`")]).public().query(&[("limit", "at most this many (1-1000, default 100)")]),
        TabledOperation::new(Get, "/api/v1/public/advisories/{id}", "showPublicAdvisory", "A case whose embargo has ended (no contacts; an anonymous reporter stays anonymous), with the public incidents that name it or its CVE id", &[
                ("200", "the case"),
                ("404", "no such case, or still embargoed"),
            ]).public(),
        TabledOperation::new(Get, "/api/v1/public/advisories/{id}/csaf", "showPublicCsafAdvisory", "The CSAF security advisory of a case whose embargo has ended: CSAF 2.0 (CVSS 3.1 in scores, the CVSS 4.0 vector in a note) or CSAF 2.1 (the CVSS 4.0 vector and base score in metrics[].content.cvss_v4)", &[
                ("200", "a CSAF 2.0 or 2.1 document"),
                BAD_CSAF_VERSION,
                ("404", "no such case, or still embargoed"),
            ]).public().query(&[CSAF_VERSION]),
    ]
};

pub(crate) fn openapi_paths() -> Vec<(String, utoipa::openapi::PathItem)> {
    crate::openapi::tabled_paths("disclosure", DISCLOSURE_OPERATIONS)
}
