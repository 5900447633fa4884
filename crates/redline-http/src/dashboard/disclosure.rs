//! Disclosure pages: the public advisories (cases whose embargo has ended by the node's clock)
//! and, in the console, the cases a signed-in party takes part in with the vendor status
//! matrix — every vendor, every product, its status, when it was contacted and answered, the
//! vendor's deadlines — and the embargo end in UTC with the reader's local time beside it (the
//! dashboard script adds it to every `<time>`). An embargoed case is "not found" on the public
//! pages like any record the public may not read; the node decides (`redline_node::disclosure`).

use askama::Template;
use redline_node::disclosure::{DisclosureCaseListItem, DisclosureCaseView};

use super::record_pages::RecordPages;
use super::{Page, ShownTime};

/// One row of an advisory list.
pub(crate) struct CaseRow {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) cve: String,
    pub(crate) severity: String,
    pub(crate) score: String,
    pub(crate) vendors: usize,
    pub(crate) products: usize,
    pub(crate) embargo_end: ShownTime,
    pub(crate) public: bool,
}

fn row(item: &DisclosureCaseListItem) -> CaseRow {
    CaseRow {
        id: item.id.to_string(),
        title: item.title.clone(),
        cve: item.cve.clone().unwrap_or_default(),
        severity: item.severity.to_lowercase(),
        score: format!("{:.1}", item.score),
        vendors: item.vendor_count,
        products: item.product_count,
        embargo_end: ShownTime::from_microseconds(item.embargo_end.as_microseconds()),
        public: item.public,
    }
}

/// One line of the vendor status matrix.
pub(crate) struct MatrixRow {
    pub(crate) vendor: String,
    pub(crate) vendor_party: String,
    /// Shown to the coordinator only (the node leaves it out for everyone else).
    pub(crate) contact: String,
    /// The number of products of this vendor on its first line, 0 on the others.
    pub(crate) vendor_rows: usize,
    pub(crate) deadlines: Vec<(String, ShownTime, bool)>,
    pub(crate) product: String,
    pub(crate) identifier: String,
    pub(crate) status: String,
    pub(crate) contacted: Option<ShownTime>,
    pub(crate) answered: Option<ShownTime>,
    pub(crate) statement: String,
}

fn shown(at: Option<redline_model::Timestamp>) -> Option<ShownTime> {
    at.map(|at| ShownTime::from_microseconds(at.as_microseconds()))
}

pub(crate) fn matrix(view: &DisclosureCaseView) -> Vec<MatrixRow> {
    let mut rows = Vec::new();
    for vendor in &view.vendors {
        for (index, product) in vendor.products.iter().enumerate() {
            rows.push(MatrixRow {
                vendor: vendor.name.clone(),
                vendor_party: vendor
                    .party
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                contact: vendor.contact.clone().unwrap_or_default(),
                vendor_rows: if index == 0 { vendor.products.len() } else { 0 },
                deadlines: vendor
                    .deadlines
                    .iter()
                    .map(|deadline| {
                        (
                            deadline.duty.clone(),
                            ShownTime::from_microseconds(deadline.due_at.as_microseconds()),
                            deadline.met,
                        )
                    })
                    .collect(),
                product: product.name.clone(),
                identifier: product.identifier.clone(),
                status: product.status.clone(),
                contacted: shown(product.contacted_at),
                answered: shown(product.answered_at),
                statement: product.statement.clone().unwrap_or_default(),
            });
        }
    }
    rows
}

#[derive(Template)]
#[template(path = "dashboard/advisories.html")]
struct AdvisoriesTemplate {
    page: Page,
    console: bool,
    cases: Vec<CaseRow>,
}

#[derive(Template)]
#[template(path = "dashboard/advisory.html")]
pub(crate) struct AdvisoryTemplate {
    pub(crate) page: Page,
    pub(crate) console: bool,
    pub(crate) view: DisclosureCaseView,
    pub(crate) rows: Vec<MatrixRow>,
    pub(crate) embargo_end: ShownTime,
    pub(crate) reported_at: ShownTime,
    pub(crate) embargo_changes: Vec<(ShownTime, ShownTime, String, String)>,
    /// The deadlines' policy in words (the console shows it beside the deadlines).
    pub(crate) policy_text: String,
}

impl AdvisoryTemplate {
    pub(crate) fn new(page: Page, console: bool, view: DisclosureCaseView) -> Self {
        let at = |timestamp: redline_model::Timestamp| {
            ShownTime::from_microseconds(timestamp.as_microseconds())
        };
        let policy = &view.policy;
        let document = format!("{} {}", policy.document_id, policy.document_version);
        let policy_text = page.t_with(
            "advisory-policy",
            &[
                ("document", document.trim()),
                ("acknowledge", &policy.policy.acknowledge_days.to_string()),
                ("status", &policy.policy.status_days.to_string()),
                ("embargo", &policy.policy.embargo_days.to_string()),
            ],
        );
        AdvisoryTemplate {
            policy_text,
            rows: matrix(&view),
            embargo_end: at(view.embargo_end),
            reported_at: at(view.reported_at),
            embargo_changes: view
                .embargo_changes
                .iter()
                .map(|change| {
                    (
                        at(change.from),
                        at(change.to),
                        change.reason.clone(),
                        change.by.to_string(),
                    )
                })
                .collect(),
            page,
            console,
            view,
        }
    }

    fn reporter(&self) -> String {
        match &self.view.reporter {
            None => self.page.t("advisory-anonymous"),
            Some(reporter) => reporter
                .name
                .clone()
                .or_else(|| reporter.party.as_ref().map(ToString::to_string))
                .unwrap_or_default(),
        }
    }

    fn status_word(&self, status: &str) -> String {
        self.page.t(&format!("disclosure-status-{status}"))
    }
}

/// Disclosure cases: `/dashboard/advisories` (every public advisory), `/dashboard/advisories/{id}`
/// (one with its vendor status matrix), `/console/disclosure` (the cases the signed-in party
/// takes part in, embargoed or not) and `/console/disclosure/{id}` (a case's vendor status
/// matrix as the signed-in party may see it).
impl RecordPages for crate::disclosure::Cases {
    fn list_page(page: Page, console: bool, items: &[Self::Item]) -> impl Template {
        AdvisoriesTemplate {
            page,
            console,
            cases: items.iter().map(row).collect(),
        }
    }

    fn record_page(page: Page, console: bool, view: Self::View) -> impl Template {
        AdvisoryTemplate::new(page, console, view)
    }
}
