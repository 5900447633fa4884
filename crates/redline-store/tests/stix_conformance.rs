//! The store conformance suite for STIX objects and TAXII collections: the same checks
//! against SQLite and PostgreSQL.
//!
//! PostgreSQL runs when `TEST_POSTGRES_URL` names a server we may create databases on; with
//! `REQUIRE_POSTGRES=1` (as in CI) a missing URL fails the suite instead of skipping it.

#![allow(clippy::unwrap_used)]

use redline_model::{Incident, IncidentId, Party, PartyId, PartyKind, Timestamp};
use redline_store::{
    CollectionAccess, IncidentWrite, SharingStore, SqlStore, SqlStoreOptions, StixObjectQuery,
    StixObjectWrite, Store, StoreError, TaxiiCollection, TaxiiStatusRecord, VersionSelection,
};

fn at(microseconds: i64) -> Timestamp {
    Timestamp::from_microseconds(1_790_000_000_000_000 + microseconds).unwrap()
}

fn party(id: &str) -> Party {
    Party {
        id: PartyId::parse(id).unwrap(),
        kind: PartyKind::State,
        name: format!("Party {id}"),
        languages: vec!["en".into()],
        keys: Vec::new(),
        created_at: at(0),
    }
}

const COLLECTION: &str = "91a7b528-80eb-42ed-a74d-c6fbd5a26116";

fn object(id_number: u32, version: i64, added: i64, readers: Option<Vec<&str>>) -> StixObjectWrite {
    let object_id = format!("indicator--00000000-0000-4000-8000-{id_number:012}");
    StixObjectWrite {
        collection_id: COLLECTION.to_string(),
        object_id: object_id.clone(),
        object_type: "indicator".to_string(),
        spec_version: "2.1".to_string(),
        version: at(version),
        added_at: at(added),
        added_by: Some(PartyId::parse("EE").unwrap()),
        readers: readers.map(|list| {
            list.into_iter()
                .map(|party| PartyId::parse(party).unwrap())
                .collect()
        }),
        record: format!(r#"{{"id":"{object_id}","v":{version}}}"#),
    }
}

fn query() -> StixObjectQuery {
    StixObjectQuery {
        collection_id: COLLECTION.to_string(),
        limit: 100,
        ..Default::default()
    }
}

async fn run_suite(store: &dyn Store) {
    store.insert_party(&party("EE")).await.unwrap();
    store.insert_party(&party("LV")).await.unwrap();
    let collection = TaxiiCollection {
        id: COLLECTION.to_string(),
        title: "Shared".to_string(),
        description: Some("for everyone".to_string()),
        alias: Some("shared".to_string()),
        created_at: at(0),
    };
    store.insert_taxii_collection(&collection).await.unwrap();
    assert!(matches!(
        store.insert_taxii_collection(&collection).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store.get_taxii_collection(COLLECTION).await.unwrap(),
        Some(collection.clone())
    );
    assert_eq!(
        store.list_taxii_collections().await.unwrap(),
        vec![collection]
    );

    // Access: set, replace, and refuse an unknown party.
    let mut access = CollectionAccess {
        collection_id: COLLECTION.to_string(),
        party: PartyId::parse("EE").unwrap(),
        can_read: true,
        can_write: false,
    };
    store.put_collection_access(&access).await.unwrap();
    access.can_write = true;
    store.put_collection_access(&access).await.unwrap();
    assert_eq!(
        store
            .list_collection_access(Some(COLLECTION))
            .await
            .unwrap(),
        vec![access.clone()]
    );
    assert_eq!(
        store.list_collection_access(None).await.unwrap(),
        vec![access]
    );
    let unknown = CollectionAccess {
        collection_id: COLLECTION.to_string(),
        party: PartyId::parse("FR").unwrap(),
        can_read: true,
        can_write: true,
    };
    assert!(matches!(
        store.put_collection_access(&unknown).await,
        Err(StoreError::NotFound(_))
    ));

    // Objects: three versions of object 1, one restricted object, one plain; a duplicate.
    assert_eq!(store.latest_stix_added_at().await.unwrap(), None);
    let first_batch = vec![
        object(1, 10, 100, None),
        object(1, 20, 101, None),
        object(2, 10, 102, Some(vec!["LV"])),
    ];
    assert_eq!(
        store.insert_stix_objects(&first_batch).await.unwrap(),
        vec![true, true, true]
    );
    let second_batch = vec![
        object(1, 20, 103, None), // the same id and version again
        object(1, 30, 104, None),
        object(3, 10, 105, None),
    ];
    assert_eq!(
        store.insert_stix_objects(&second_batch).await.unwrap(),
        vec![false, true, true]
    );
    assert_eq!(store.latest_stix_added_at().await.unwrap(), Some(at(105)));

    // Latest versions only, by default, in date_added order.
    let page = store.list_stix_objects(&query()).await.unwrap();
    let seen: Vec<(String, Timestamp)> = page
        .objects
        .iter()
        .map(|object| {
            (
                object.object_id[object.object_id.len() - 12..].to_string(),
                object.version,
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            ("000000000002".to_string(), at(10)),
            ("000000000001".to_string(), at(30)),
            ("000000000003".to_string(), at(10)),
        ]
    );
    assert!(!page.more);
    assert!(page.objects[0].restricted);
    assert_eq!(
        page.objects[1].record,
        r#"{"id":"indicator--00000000-0000-4000-8000-000000000001","v":30}"#
    );

    // TLP: EE is not a reader of object 2; LV is.
    let as_estonia = StixObjectQuery {
        visible_to: Some(PartyId::parse("EE").unwrap()),
        ..query()
    };
    assert_eq!(
        store
            .list_stix_objects(&as_estonia)
            .await
            .unwrap()
            .objects
            .len(),
        2
    );
    let as_latvia = StixObjectQuery {
        visible_to: Some(PartyId::parse("LV").unwrap()),
        ..query()
    };
    assert_eq!(
        store
            .list_stix_objects(&as_latvia)
            .await
            .unwrap()
            .objects
            .len(),
        3
    );

    // Versions: all, first, first+last, an exact one.
    let all = StixObjectQuery {
        ids: vec![first_batch[0].object_id.clone()],
        versions: VersionSelection {
            all: true,
            ..Default::default()
        },
        ..query()
    };
    let versions: Vec<Timestamp> = store
        .list_stix_objects(&all)
        .await
        .unwrap()
        .objects
        .iter()
        .map(|object| object.version)
        .collect();
    assert_eq!(versions, vec![at(10), at(20), at(30)]);
    let first = StixObjectQuery {
        versions: VersionSelection {
            first: true,
            last: false,
            ..Default::default()
        },
        ..all.clone()
    };
    assert_eq!(
        store.list_stix_objects(&first).await.unwrap().objects[0].version,
        at(10)
    );
    let first_and_last = StixObjectQuery {
        versions: VersionSelection {
            first: true,
            last: true,
            ..Default::default()
        },
        ..all.clone()
    };
    assert_eq!(
        store
            .list_stix_objects(&first_and_last)
            .await
            .unwrap()
            .objects
            .len(),
        2
    );
    let exact = StixObjectQuery {
        versions: VersionSelection {
            last: false,
            exact: vec![at(20)],
            ..Default::default()
        },
        ..all.clone()
    };
    assert_eq!(
        store.list_stix_objects(&exact).await.unwrap().objects[0].version,
        at(20)
    );

    // Filters: type, spec_version, added_after, metadata only.
    let wrong_type = StixObjectQuery {
        types: vec!["malware".to_string()],
        ..query()
    };
    assert!(
        store
            .list_stix_objects(&wrong_type)
            .await
            .unwrap()
            .objects
            .is_empty()
    );
    let spec = StixObjectQuery {
        spec_versions: vec!["2.0".to_string()],
        ..query()
    };
    assert!(
        store
            .list_stix_objects(&spec)
            .await
            .unwrap()
            .objects
            .is_empty()
    );
    let after = StixObjectQuery {
        added_after: Some(at(104)),
        metadata_only: true,
        ..query()
    };
    let page = store.list_stix_objects(&after).await.unwrap();
    assert_eq!(page.objects.len(), 1);
    assert_eq!(page.objects[0].record, "");

    // Paging with `after`: pages of one, every version, nothing skipped or repeated.
    let mut cursor = None;
    let mut paged = Vec::new();
    loop {
        let page = store
            .list_stix_objects(&StixObjectQuery {
                after: cursor,
                limit: 1,
                versions: VersionSelection {
                    all: true,
                    ..Default::default()
                },
                ..query()
            })
            .await
            .unwrap();
        let last = page.objects.last().unwrap();
        cursor = Some((last.added_at, last.sequence));
        paged.push(last.added_at);
        if !page.more {
            break;
        }
    }
    assert_eq!(paged, vec![at(100), at(101), at(102), at(104), at(105)]);

    incident_objects_follow_the_report_readers(store).await;

    // Status records.
    let status = TaxiiStatusRecord {
        id: "2d086da7-4bdc-4f91-900e-d77486753710".to_string(),
        collection_id: COLLECTION.to_string(),
        requested_by: Some(PartyId::parse("EE").unwrap()),
        created_at: at(200),
        record: r#"{"status":"complete"}"#.to_string(),
    };
    store.insert_taxii_status(&status).await.unwrap();
    assert_eq!(
        store.get_taxii_status(&status.id).await.unwrap(),
        Some(status.clone())
    );
    assert_eq!(store.get_taxii_status("nope").await.unwrap(), None);
    assert!(matches!(
        store.insert_taxii_status(&status).await,
        Err(StoreError::Conflict(_))
    ));

    // A large batch lands in one write (several multi-row INSERTs).
    let large: Vec<StixObjectWrite> = (0..1_234)
        .map(|number| object(1_000 + number, 1, 1_000 + i64::from(number), None))
        .collect();
    let outcome = store.insert_stix_objects(&large).await.unwrap();
    assert_eq!(outcome.len(), 1_234);
    assert!(outcome.iter().all(|new| *new));
}

/// An amber incident report by EE shared with LV, version `version`.
fn amber_incident(id: &IncidentId, version: u32, shared_with: &[&str]) -> Incident {
    let report = serde_json::json!({
        "id": id.as_str(), "title": "Grid outage", "reported_by": "EE", "victim": "EE",
        "first_observed": "2026-09-01T08:00:00Z", "status": "confirmed", "tlp": "amber",
        "targets": [{ "sector": "energy", "country": "EE" }],
        "effects": [{ "kind": "disruption", "scale": "regional" }],
        "shared_with": shared_with,
    });
    let report =
        redline_model::parse_incident_report(report.to_string().as_bytes(), at(50)).unwrap();
    Incident {
        id: id.clone(),
        version,
        submitted_by: PartyId::parse("EE").unwrap(),
        received_at: at(50),
        updated_at: at(50 + i64::from(version)),
        report,
    }
}

/// The STIX object of a stored incident report is read only by parties that may read the
/// report now, as well as by its own readers (narrowing a report over REST narrows its TAXII
/// object at once); other objects and other parties are untouched.
async fn incident_objects_follow_the_report_readers(store: &dyn Store) {
    let id = IncidentId::from_random_bytes([7; 16]);
    store
        .insert_incident(&IncidentWrite::new(amber_incident(&id, 1, &["LV"])))
        .await
        .unwrap();
    let stix_object = |version: i64, added: i64, readers: Option<Vec<&str>>| StixObjectWrite {
        object_id: id.as_str().to_string(),
        object_type: "incident".to_string(),
        record: format!(r#"{{"id":"{id}","v":{version}}}"#),
        ..object(0, version, added, readers)
    };
    let written = store
        .insert_stix_objects(&[
            stix_object(1, 150, Some(vec!["EE", "LV"])),
            stix_object(2, 151, None),
        ])
        .await
        .unwrap();
    assert_eq!(written, vec![true, true]);
    let versions_read_by = |party: &str| StixObjectQuery {
        visible_to: Some(PartyId::parse(party).unwrap()),
        ids: vec![id.as_str().to_string()],
        versions: VersionSelection {
            all: true,
            ..Default::default()
        },
        ..query()
    };
    let count = |party: &'static str| {
        let query = versions_read_by(party);
        async move { store.list_stix_objects(&query).await.unwrap().objects.len() }
    };
    assert_eq!(
        count("LV").await,
        2,
        "LV reads the report, so both versions"
    );
    // EE narrows the report to nobody: LV reads no version any more, EE still reads both.
    store
        .update_incident(&IncidentWrite::new(amber_incident(&id, 2, &[])), 1)
        .await
        .unwrap();
    assert_eq!(count("LV").await, 0);
    assert_eq!(count("EE").await, 2);
    // Widened again: LV reads both versions again, whose own readers include it.
    store
        .update_incident(&IncidentWrite::new(amber_incident(&id, 3, &["LV"])), 2)
        .await
        .unwrap();
    assert_eq!(count("LV").await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stix_conformance_on_sqlite() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("redline.sqlite");
    let store = SqlStore::open_sqlite_file(&path, SqlStoreOptions::default())
        .await
        .unwrap();
    run_suite(&store).await;
    store.close().await;
    let reopened = SqlStore::open_sqlite_file(&path, SqlStoreOptions::default())
        .await
        .unwrap();
    assert_eq!(
        reopened.latest_stix_added_at().await.unwrap(),
        Some(at(1_000 + 1_233))
    );
    late_batches_land_after_the_latest(&reopened).await;
    reopened.close().await;
}

/// A fresh database on the test server (`redline_store::testing`); `None` skips PostgreSQL.
async fn fresh_postgres_database() -> Option<String> {
    let url = redline_store::testing::fresh_postgres_database("redline_stix")
        .await
        .unwrap();
    if url.is_none() {
        println!("STIX store suite: PostgreSQL SKIPPED (set TEST_POSTGRES_URL to run it)");
    }
    url
}

/// A batch stamped earlier than what is stored (another process's clock, or a commit that came
/// later) lands after the latest `date_added`, in its own order: a client paging with
/// `added_after` never skips it.
async fn late_batches_land_after_the_latest(store: &dyn Store) {
    let latest = store
        .latest_stix_added_at()
        .await
        .unwrap()
        .unwrap()
        .as_microseconds();
    let late = vec![object(90, 10, 5, None), object(91, 10, 6, None)];
    assert_eq!(
        store.insert_stix_objects(&late).await.unwrap(),
        vec![true, true]
    );
    assert_eq!(
        store.latest_stix_added_at().await.unwrap(),
        Some(Timestamp::from_microseconds(latest + 2).unwrap())
    );
    let page = store
        .list_stix_objects(&StixObjectQuery {
            added_after: Some(Timestamp::from_microseconds(latest).unwrap()),
            ..query()
        })
        .await
        .unwrap();
    let seen: Vec<(&str, Timestamp)> = page
        .objects
        .iter()
        .map(|object| {
            (
                &object.object_id[object.object_id.len() - 2..],
                object.added_at,
            )
        })
        .collect();
    let stamp = |microseconds: i64| Timestamp::from_microseconds(microseconds).unwrap();
    assert_eq!(
        seen,
        vec![("90", stamp(latest + 1)), ("91", stamp(latest + 2))]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stix_conformance_on_postgres() {
    let Some(url) = fresh_postgres_database().await else {
        return;
    };
    let store = SqlStore::open(&url, SqlStoreOptions::default())
        .await
        .unwrap();
    run_suite(&store).await;
    late_batches_land_after_the_latest(&store).await;
    store.close().await;
}
