#![allow(clippy::unwrap_used)]
//! The supply-chain area of the store, the same checks on SQLite and PostgreSQL: a notice and
//! its addressed parties are stored once (a second insert is a conflict); its signed records
//! sit in `disclosure_records` beside no case's; an acknowledgement keeps the first time and
//! the latest exposure, and one by a party the notice was not addressed to is "not found"; the
//! list applies the TLP rule in SQL (anonymous: `clear` only; a party: `clear`, `green` and the
//! restricted notices it is addressed in or sent); a missed acknowledgement is due once, and
//! its reminder fires once. Needs `TEST_POSTGRES_URL` for the PostgreSQL half
//! (`REQUIRE_POSTGRES=1` makes its absence a failure).

use redline_model::{IncidentId, Party, PartyId, PartyKind, Timestamp, Tlp};
use redline_store::{
    DisclosureRecord, DisclosureRecordKind, NoticeRecipientRow, Store, StoreError, StoreWrite,
    SupplyChainNoticeQuery, SupplyChainNoticeSummary,
};
use uuid::Uuid;

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_microseconds(1_800_000_000_000_000 + seconds * 1_000_000).unwrap()
}

fn party(id: &str) -> PartyId {
    PartyId::parse(id).unwrap()
}

fn notice(id: u128, from: &str, tlp: Tlp, issued: i64, to: &[&str]) -> SupplyChainNoticeSummary {
    SupplyChainNoticeSummary {
        notice_id: Uuid::from_u128(id),
        notifying_party: party(from),
        title: format!("notice {id}"),
        compromise: "update-channel".into(),
        tlp,
        issued_at: at(issued),
        acknowledge_by: at(issued + 100),
        updated_at: at(issued),
        incidents: vec![
            IncidentId::parse(&format!("incident--00000000-0000-4000-8000-{id:012}")).unwrap(),
        ],
        recipients: to
            .iter()
            .map(|id| NoticeRecipientRow {
                party: party(id),
                acknowledged_at: None,
                exposure: None,
                reminded_at: None,
            })
            .collect(),
    }
}

fn record(notice: u128, kind: DisclosureRecordKind, by: &str, digest: &str) -> DisclosureRecord {
    DisclosureRecord {
        sequence: 0,
        payload_digest: digest.into(),
        case_id: Uuid::from_u128(notice),
        kind,
        party: party(by),
        recorded_at: at(0),
        envelope: format!("{{\"digest\":\"{digest}\"}}"),
    }
}

async fn listed(store: &dyn Store, visible_to: Option<Option<&str>>) -> Vec<u128> {
    store
        .list_supply_chain_notices(&SupplyChainNoticeQuery {
            visible_to: visible_to.map(|party| party.map(self::party)),
            limit: 100,
        })
        .await
        .unwrap()
        .iter()
        .map(|summary| summary.notice_id.as_u128())
        .collect()
}

async fn check_supply_chain(store: &dyn Store) {
    for id in ["EE", "UA", "GB", "KP"] {
        store
            .commit(
                vec![StoreWrite::InsertParty(Party {
                    id: party(id),
                    kind: PartyKind::State,
                    name: id.into(),
                    languages: vec![],
                    keys: vec![],
                    created_at: at(0),
                })],
                Vec::new(),
            )
            .await
            .unwrap();
    }
    // Three notices: clear, green and amber; KP was not a party yet when they went out.
    for (id, tlp, issued) in [
        (1, Tlp::Clear, 10),
        (2, Tlp::Green, 20),
        (3, Tlp::Amber, 30),
    ] {
        store
            .commit(
                vec![
                    StoreWrite::InsertSupplyChainNotice(notice(
                        id,
                        "EE",
                        tlp,
                        issued,
                        &["GB", "UA"],
                    )),
                    StoreWrite::InsertDisclosureRecord(record(
                        id,
                        DisclosureRecordKind::Notice,
                        "EE",
                        &format!("sha256:notice-{id}"),
                    )),
                ],
                Vec::new(),
            )
            .await
            .unwrap();
    }
    let again = store
        .commit(
            vec![StoreWrite::InsertSupplyChainNotice(notice(
                1,
                "EE",
                Tlp::Clear,
                10,
                &[],
            ))],
            Vec::new(),
        )
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let records = store
        .list_disclosure_records(Uuid::from_u128(3))
        .await
        .unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].kind, DisclosureRecordKind::Notice);

    // An incident's notices, found by the link written with each.
    let linking = store
        .supply_chain_notices_linking(
            &IncidentId::parse("incident--00000000-0000-4000-8000-000000000002").unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(linking.len(), 1);
    assert_eq!(linking[0].notice_id, Uuid::from_u128(2));

    // The TLP rule in SQL, latest first.
    assert_eq!(listed(store, None).await, [3, 2, 1]);
    assert_eq!(listed(store, Some(None)).await, [1]);
    assert_eq!(listed(store, Some(Some("UA"))).await, [3, 2, 1]);
    assert_eq!(listed(store, Some(Some("EE"))).await, [3, 2, 1]);
    assert_eq!(listed(store, Some(Some("KP"))).await, [2, 1]);

    // Acknowledgements: the first time stays, the exposure is the latest.
    let acknowledge =
        |who: &str, exposure: &str, second: i64| StoreWrite::RecordNoticeAcknowledgement {
            notice_id: Uuid::from_u128(3),
            party: party(who),
            exposure: exposure.into(),
            at: at(second),
        };
    store
        .commit(vec![acknowledge("UA", "investigating", 40)], Vec::new())
        .await
        .unwrap();
    store
        .commit(vec![acknowledge("UA", "affected", 200)], Vec::new())
        .await
        .unwrap();
    let stored = store
        .get_supply_chain_notice(Uuid::from_u128(3))
        .await
        .unwrap()
        .unwrap();
    let ukraine = stored
        .recipients
        .iter()
        .find(|row| row.party == party("UA"))
        .unwrap();
    assert_eq!(ukraine.acknowledged_at, Some(at(40)));
    assert_eq!(ukraine.exposure.as_deref(), Some("affected"));
    assert_eq!(stored.updated_at, at(200));
    let outsider = store
        .commit(vec![acknowledge("KP", "received", 50)], Vec::new())
        .await;
    assert!(
        matches!(outsider, Err(StoreError::NotFound(_))),
        "{outsider:?}"
    );
    assert!(
        store
            .get_supply_chain_notice(Uuid::from_u128(9))
            .await
            .unwrap()
            .is_none()
    );

    // Deadlines: each notice's is due at issue + 100 s while someone has neither acknowledged
    // nor been reminded.
    assert_eq!(
        store.earliest_supply_chain_deadline().await.unwrap(),
        Some(at(110))
    );
    assert!(
        store
            .supply_chain_notices_due(at(109))
            .await
            .unwrap()
            .is_empty()
    );
    let due: Vec<u128> = store
        .supply_chain_notices_due(at(130))
        .await
        .unwrap()
        .iter()
        .map(|id| id.as_u128())
        .collect();
    assert_eq!(due, [1, 2, 3], "in deadline order");
    let remind = |id: u128, who: &[&str]| StoreWrite::MarkNoticeReminded {
        notice_id: Uuid::from_u128(id),
        parties: who.iter().map(|id| party(id)).collect(),
        at: at(131),
    };
    store
        .commit(vec![remind(1, &["GB", "UA"])], Vec::new())
        .await
        .unwrap();
    // UA acknowledged notice 3: reminding it is a conflict, and changes nothing.
    let refused = store
        .commit(vec![remind(3, &["GB", "UA"])], Vec::new())
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    let notice_three = store
        .get_supply_chain_notice(Uuid::from_u128(3))
        .await
        .unwrap()
        .unwrap();
    assert!(
        notice_three
            .recipients
            .iter()
            .all(|row| row.reminded_at.is_none())
    );
    store
        .commit(vec![remind(3, &["GB"])], Vec::new())
        .await
        .unwrap();
    // Reminded once: a second firing is a conflict.
    let twice = store.commit(vec![remind(1, &["GB"])], Vec::new()).await;
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
    let due: Vec<u128> = store
        .supply_chain_notices_due(at(130))
        .await
        .unwrap()
        .iter()
        .map(|id| id.as_u128())
        .collect();
    assert_eq!(due, [2], "notice 2 was never reminded");
    assert_eq!(
        store.earliest_supply_chain_deadline().await.unwrap(),
        Some(at(120))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supply_chain_conformance_on_sqlite() {
    redline_store::testing::run_on_sqlite(check_supply_chain).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supply_chain_conformance_on_postgres() {
    redline_store::testing::run_on_postgres("supply-chain conformance", check_supply_chain).await;
}
