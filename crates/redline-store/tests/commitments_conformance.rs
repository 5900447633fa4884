//! The store conformance suite for commitments (adoptions, implementation reports, peer-review
//! records and their deadlines): the same checks against SQLite and PostgreSQL.
//!
//! PostgreSQL runs when `TEST_POSTGRES_URL` names a server we may create databases on; with
//! `REQUIRE_POSTGRES=1` (as in CI) a missing URL fails the suite instead of skipping it.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use redline_model::{Party, PartyId, PartyKind, Timestamp, Tlp};
use redline_store::{
    CommitmentDeadline, CommitmentQuery, CommitmentRecord, CommitmentRecordKind, Store, StoreError,
    StoreWrite,
};

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_microseconds(1_790_000_000_000_000 + seconds * 1_000_000).unwrap()
}

fn id(text: &str) -> PartyId {
    PartyId::parse(text).unwrap()
}

fn party(text: &str) -> Party {
    Party {
        id: id(text),
        kind: PartyKind::State,
        name: format!("Party {text}"),
        languages: vec!["en".into()],
        keys: Vec::new(),
        created_at: at(0),
    }
}

fn record(number: u32, kind: CommitmentRecordKind, tlp: Tlp, readers: &[&str]) -> CommitmentRecord {
    CommitmentRecord {
        sequence: 0,
        payload_digest: format!("sha256:{number:064}"),
        kind,
        subject: format!("subject-{}", number % 2),
        party: id("EE"),
        recorded_at: at(i64::from(number)),
        tlp,
        readers: readers.iter().map(|text| id(text)).collect::<BTreeSet<_>>(),
        public_summary: (tlp == Tlp::Amber).then(|| r#"{"text":"public words"}"#.to_string()),
        envelope: format!(r#"{{"n":{number}}}"#),
    }
}

async fn run_suite(store: &dyn Store) {
    for text in ["EE", "FI", "LV"] {
        store.insert_party(&party(text)).await.unwrap();
    }
    let clear = record(1, CommitmentRecordKind::Adoption, Tlp::Clear, &[]);
    let green = record(
        2,
        CommitmentRecordKind::ImplementationReport,
        Tlp::Green,
        &[],
    );
    let amber = record(
        3,
        CommitmentRecordKind::ImplementationReport,
        Tlp::Amber,
        &["EE", "FI"],
    );
    store
        .commit(
            vec![
                StoreWrite::InsertCommitmentRecord(clear.clone()),
                StoreWrite::InsertCommitmentRecord(green.clone()),
                StoreWrite::InsertCommitmentRecord(amber.clone()),
            ],
            Vec::new(),
        )
        .await
        .unwrap();
    // The same signed payload twice is a conflict and changes nothing.
    assert!(matches!(
        store
            .commit(
                vec![StoreWrite::InsertCommitmentRecord(clear.clone())],
                Vec::new()
            )
            .await,
        Err(StoreError::Conflict(_))
    ));
    let list =
        |visible_to: Option<Option<PartyId>>, kinds: Vec<CommitmentRecordKind>| CommitmentQuery {
            visible_to,
            kinds,
            limit: 100,
            ..Default::default()
        };
    let digests = |records: Vec<CommitmentRecord>| -> Vec<String> {
        records
            .into_iter()
            .map(|record| record.payload_digest)
            .collect()
    };
    // TLP in SQL: anonymous reads clear only; a party reads clear, green and what it is
    // addressed to; the operator reads everything, envelopes byte for byte.
    let all = store
        .list_commitment_records(&list(None, Vec::new()))
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[2].envelope, amber.envelope);
    assert_eq!(all[2].readers, amber.readers);
    assert_eq!(
        digests(
            store
                .list_commitment_records(&list(Some(None), Vec::new()))
                .await
                .unwrap()
        ),
        vec![clear.payload_digest.clone()]
    );
    assert_eq!(
        digests(
            store
                .list_commitment_records(&list(Some(Some(id("LV"))), Vec::new()))
                .await
                .unwrap()
        ),
        vec![clear.payload_digest.clone(), green.payload_digest.clone()]
    );
    assert_eq!(
        store
            .list_commitment_records(&list(
                Some(Some(id("FI"))),
                vec![CommitmentRecordKind::ImplementationReport]
            ))
            .await
            .unwrap()
            .len(),
        2
    );
    let by_subject = CommitmentQuery {
        subject: Some("subject-1".to_string()),
        limit: 100,
        ..Default::default()
    };
    assert_eq!(
        store
            .list_commitment_records(&by_subject)
            .await
            .unwrap()
            .len(),
        2
    );
    // Only the public summary of a restricted report, never its envelope.
    let summaries = store.public_report_summaries().await.unwrap();
    assert_eq!(summaries.len(), 1);
    assert_eq!(summaries[0].public_summary, r#"{"text":"public words"}"#);

    // Deadlines: a reminder fires once, then the deadline once; done duties never fire.
    let deadline = CommitmentDeadline {
        subject: "round".to_string(),
        party: id("FI"),
        duty: "review".to_string(),
        remind_at: at(100),
        due_at: at(200),
        reminded_at: None,
        overdue_at: None,
        done_at: None,
    };
    let done = CommitmentDeadline {
        party: id("LV"),
        done_at: Some(at(50)),
        ..deadline.clone()
    };
    store
        .commit(
            vec![
                StoreWrite::PutCommitmentDeadline(deadline.clone()),
                StoreWrite::PutCommitmentDeadline(done.clone()),
            ],
            Vec::new(),
        )
        .await
        .unwrap();
    assert_eq!(
        store.earliest_commitment_deadline().await.unwrap(),
        Some(at(100))
    );
    assert!(
        store
            .commitment_deadlines_due(at(99))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.commitment_deadlines_due(at(100)).await.unwrap(),
        vec![deadline.clone()]
    );
    let stamp = |overdue: bool, when: i64| StoreWrite::StampCommitmentDeadline {
        deadline: deadline.clone(),
        overdue,
        at: at(when),
    };
    store
        .commit(vec![stamp(false, 100)], Vec::new())
        .await
        .unwrap();
    assert!(matches!(
        store.commit(vec![stamp(false, 101)], Vec::new()).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(
        store
            .commitment_deadlines_due(at(150))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.earliest_commitment_deadline().await.unwrap(),
        Some(at(200))
    );
    assert_eq!(
        store.commitment_deadlines_due(at(200)).await.unwrap().len(),
        1
    );
    store
        .commit(vec![stamp(true, 200)], Vec::new())
        .await
        .unwrap();
    assert!(
        store
            .commitment_deadlines_due(at(300))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.earliest_commitment_deadline().await.unwrap(), None);
    // Hotline duties: the SQL runs on both databases (no thread here, so none).
    assert!(store.hotline_duty_rows(None).await.unwrap().is_empty());
    assert!(
        store
            .hotline_duty_rows(Some(&id("EE")))
            .await
            .unwrap()
            .is_empty()
    );
    let rows = store.commitment_deadlines_of("round").await.unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].reminded_at, Some(at(100)));
    assert_eq!(rows[0].overdue_at, Some(at(200)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commitments_conformance_on_sqlite() {
    redline_store::testing::run_on_sqlite(run_suite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commitments_conformance_on_postgres() {
    redline_store::testing::run_on_postgres("commitments store suite", run_suite).await;
}
