//! Supply-chain notice pages (GGE 13(i)): the public list and page of `clear` notices and, in
//! the console, every notice the signed-in party may read with the acknowledgement matrix —
//! each addressed party, its deadline, its standing (on time, late, missed, pending), its
//! exposure and its note. A notice the reader may not read is "not found"; linked incidents
//! appear only where the reader may read them. The node decides (`redline_node::supply_chain`).

use askama::Template;
use redline_node::supply_chain::{SupplyChainNoticeListItem, SupplyChainNoticeView};

use super::record_pages::RecordPages;
use super::{Page, ShownTime};

fn shown(at: redline_model::Timestamp) -> ShownTime {
    ShownTime::from_microseconds(at.as_microseconds())
}

/// One row of a notice list.
pub(crate) struct NoticeRow {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) notifying_party: String,
    pub(crate) tlp: String,
    pub(crate) issued_at: ShownTime,
    pub(crate) acknowledged: usize,
    pub(crate) recipients: usize,
    /// `None` on the public pages (exposures are not public).
    pub(crate) affected: Option<usize>,
}

fn row(item: &SupplyChainNoticeListItem) -> NoticeRow {
    NoticeRow {
        id: item.id.to_string(),
        title: item.title.clone(),
        notifying_party: item.notifying_party.to_string(),
        tlp: item.tlp.clone(),
        issued_at: shown(item.issued_at),
        acknowledged: item.acknowledged_count,
        recipients: item.recipient_count,
        affected: item.affected_count,
    }
}

#[derive(Template)]
#[template(path = "dashboard/supply_chain_notices.html")]
struct NoticesTemplate {
    page: Page,
    console: bool,
    notices: Vec<NoticeRow>,
}

/// One line of the acknowledgement matrix.
pub(crate) struct RecipientRow {
    pub(crate) party: String,
    pub(crate) standing: String,
    pub(crate) acknowledged_at: Option<ShownTime>,
    pub(crate) exposure: String,
    pub(crate) note: String,
}

#[derive(Template)]
#[template(path = "dashboard/supply_chain_notice.html")]
struct NoticeTemplate {
    page: Page,
    console: bool,
    view: SupplyChainNoticeView,
    issued_at: ShownTime,
    acknowledge_by: ShownTime,
    recipients: Vec<RecipientRow>,
}

impl NoticeTemplate {
    fn new(page: Page, console: bool, view: SupplyChainNoticeView) -> Self {
        let recipients = view
            .recipients
            .iter()
            .map(|recipient| RecipientRow {
                party: recipient.party.to_string(),
                standing: recipient.standing.clone(),
                acknowledged_at: recipient.acknowledged_at.map(shown),
                exposure: recipient.exposure.clone().unwrap_or_default(),
                note: recipient.note.clone().unwrap_or_default(),
            })
            .collect();
        NoticeTemplate {
            issued_at: shown(view.issued_at),
            acknowledge_by: shown(view.acknowledge_by),
            recipients,
            page,
            console,
            view,
        }
    }

    fn compromise_word(&self) -> String {
        self.page.t(&format!(
            "supply-chain-compromise-{}",
            self.view.notice.compromise.as_str()
        ))
    }

    fn standing_word(&self, standing: &str) -> String {
        self.page.t(&format!("supply-chain-standing-{standing}"))
    }

    fn exposure_word(&self, exposure: &str) -> String {
        if exposure.is_empty() {
            "—".to_string()
        } else {
            self.page.t(&format!("supply-chain-exposure-{exposure}"))
        }
    }
}

/// Supply-chain notices: `/dashboard/supply-chain` (every `clear` notice),
/// `/dashboard/supply-chain/{id}` (one `clear` notice), `/console/supply-chain` (every notice the
/// signed-in party may read) and `/console/supply-chain/{id}` (a notice with its acknowledgement
/// matrix).
impl RecordPages for crate::supply_chain::Notices {
    fn list_page(page: Page, console: bool, items: &[Self::Item]) -> impl Template {
        NoticesTemplate {
            page,
            console,
            notices: items.iter().map(row).collect(),
        }
    }

    fn record_page(page: Page, console: bool, view: Self::View) -> impl Template {
        NoticeTemplate::new(page, console, view)
    }
}
