//! The store conformance suite: the same checks against SQLite and PostgreSQL.
//!
//! PostgreSQL runs when `TEST_POSTGRES_URL` names a server we may create databases on; with
//! `REQUIRE_POSTGRES=1` (as in CI) a missing URL fails the suite instead of skipping it.

#![allow(clippy::unwrap_used)]

use redline_model::{
    CountryCode, Incident, IncidentId, IncidentStatus, Party, PartyId, PartyKey, PartyKind, Sector,
    Timestamp, Tlp, parse_incident_report,
};
use redline_store::{
    Backend, Credential, IncidentQuery, IncidentStore, IncidentWrite, NormsAdoption, PartyStore,
    SqlStore, SqlStoreOptions, Store, StoreError, StoreWrite, StoredAssessment,
    StoredNormsDocument,
};
use sqlx::Connection;

fn now() -> Timestamp {
    Timestamp::parse("2026-11-22T10:00:00.123456Z").unwrap()
}

fn party(id: &str, kind: PartyKind) -> Party {
    Party {
        id: PartyId::parse(id).unwrap(),
        kind,
        name: format!("Party {id}"),
        languages: vec!["en".into()],
        keys: vec![PartyKey {
            key_id: format!("{id}-key-1"),
            public_key: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".into(),
            added_at: now(),
            revoked_at: None,
            revocation_reason: None,
        }],
        created_at: now(),
    }
}

fn incident(number: u128, victim: &str, sector: &str, tlp: &str, observed_day: u32) -> Incident {
    let json = format!(
        r#"{{"title":"Incident {number}","reported_by":"{victim}","victim":"{victim}",
            "first_observed":"2026-10-{observed_day:02}T08:00:00.000001Z","status":"confirmed","tlp":"{tlp}",
            "targets":[{{"sector":"{sector}","country":"{victim}","people_affected":1000}}],
            "effects":[{{"kind":"disruption","duration_hours":2.5}}]}}"#
    );
    let mut report = parse_incident_report(json.as_bytes(), now()).unwrap();
    let id = IncidentId::from_random_bytes(number.to_be_bytes());
    report.id = Some(id.clone());
    Incident {
        id,
        version: 1,
        submitted_by: report.reported_by.clone(),
        received_at: now(),
        updated_at: now(),
        report,
    }
}

async fn check_parties(store: &dyn Store) {
    let estonia = party("EE", PartyKind::State);
    store.insert_party(&estonia).await.unwrap();
    store
        .insert_party(&party("cert-eu", PartyKind::Cert))
        .await
        .unwrap();
    assert_eq!(
        store.get_party(&estonia.id).await.unwrap().as_ref(),
        Some(&estonia)
    );
    assert!(matches!(
        store.insert_party(&estonia).await,
        Err(StoreError::Conflict(_))
    ));
    let listed = store.list_parties().await.unwrap();
    assert_eq!(
        listed.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
        ["EE", "cert-eu"]
    );

    let second_key = PartyKey {
        key_id: "EE-key-2".into(),
        public_key: "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB=".into(),
        added_at: now().plus_seconds(60).unwrap(),
        revoked_at: None,
        revocation_reason: None,
    };
    store.add_party_key(&estonia.id, &second_key).await.unwrap();
    let reloaded = store.get_party(&estonia.id).await.unwrap().unwrap();
    assert_eq!(reloaded.keys.len(), 2);
    assert_eq!(reloaded.keys[1], second_key);

    let missing = PartyId::parse("FI").unwrap();
    assert_eq!(
        store
            .missing_parties(&[missing.clone(), estonia.id.clone()])
            .await
            .unwrap(),
        vec![missing.clone()]
    );
    assert!(matches!(
        store.add_party_key(&missing, &second_key).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(store.get_party(&missing).await.unwrap(), None);
}

async fn check_credentials(store: &dyn Store) {
    let credential = Credential {
        token_id: "tok1".into(),
        party_id: PartyId::parse("EE").unwrap(),
        secret_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        label: "duty officer".into(),
        created_at: now(),
        revoked_at: None,
    };
    store.insert_credential(&credential).await.unwrap();
    assert_eq!(
        store.get_credential("tok1").await.unwrap().as_ref(),
        Some(&credential)
    );
    assert!(matches!(
        store.insert_credential(&credential).await,
        Err(StoreError::Conflict(_))
    ));
    let revoked_at = now().plus_seconds(5).unwrap();
    store.revoke_credential("tok1", revoked_at).await.unwrap();
    assert_eq!(
        store
            .get_credential("tok1")
            .await
            .unwrap()
            .unwrap()
            .revoked_at,
        Some(revoked_at)
    );
    assert!(matches!(
        store.revoke_credential("tok1", revoked_at).await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(store.get_credential("nope").await.unwrap(), None);
    let orphan = Credential {
        token_id: "tok2".into(),
        party_id: PartyId::parse("FI").unwrap(),
        ..credential
    };
    assert!(matches!(
        store.insert_credential(&orphan).await,
        Err(StoreError::NotFound(_))
    ));
}

async fn check_incident_versions(store: &dyn Store) {
    let original = incident(1, "EE", "energy", "green", 1);
    store
        .insert_incident(&IncidentWrite::new(original.clone()))
        .await
        .unwrap();
    assert_eq!(
        store.get_incident(&original.id).await.unwrap().as_ref(),
        Some(&original)
    );
    assert!(matches!(
        store
            .insert_incident(&IncidentWrite::new(original.clone()))
            .await,
        Err(StoreError::Conflict(_))
    ));

    let mut updated = original.clone();
    updated.version = 2;
    updated.report.status = IncidentStatus::Contained;
    updated.report.targets[0].sector = Sector::Healthcare;
    updated.updated_at = now().plus_seconds(3600).unwrap();
    store
        .update_incident(&IncidentWrite::new(updated.clone()), 1)
        .await
        .unwrap();
    assert_eq!(
        store.get_incident(&original.id).await.unwrap().as_ref(),
        Some(&updated)
    );
    let versions = store.list_incident_versions(&original.id).await.unwrap();
    assert_eq!(versions, vec![original.clone(), updated.clone()]);

    // A stale writer loses and changes nothing.
    let mut stale = updated.clone();
    stale.report.title = "stale".into();
    assert!(matches!(
        store.update_incident(&IncidentWrite::new(stale), 1).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store.get_incident(&original.id).await.unwrap().as_ref(),
        Some(&updated)
    );
    let unknown = incident(999, "EE", "energy", "green", 1);
    assert!(matches!(
        store.update_incident(&IncidentWrite::new(unknown), 1).await,
        Err(StoreError::NotFound(_))
    ));

    // The sector index follows the update.
    let by_energy = store
        .list_incidents(&IncidentQuery {
            sector: Some(Sector::Energy),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(by_energy.incidents.iter().all(|i| i.id != original.id));
    let by_health = store
        .list_incidents(&IncidentQuery {
            sector: Some(Sector::Healthcare),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(by_health.incidents.iter().any(|i| i.id == original.id));
}

async fn check_listing(store: &dyn Store) {
    let mut all = Vec::new();
    for number in 0..25u128 {
        let victim = if number % 2 == 0 { "UA" } else { "EE" };
        let sector = if number % 3 == 0 {
            "healthcare"
        } else {
            "utilities"
        };
        let tlp = match number % 5 {
            0 => "red",
            1 => "amber",
            _ => "clear",
        };
        all.push(incident(
            100 + number,
            victim,
            sector,
            tlp,
            1 + number as u32,
        ));
    }
    let writes = all
        .iter()
        .cloned()
        .map(IncidentWrite::new)
        .collect::<Vec<_>>();
    // Concurrent writes go through in batches; each answer means committed.
    let results =
        futures::future::join_all(writes.iter().map(|write| store.insert_incident(write))).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");

    // Walk every page as the operator: each incident exactly once, newest first.
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .list_incidents(&IncidentQuery {
                after_cursor: cursor,
                limit: 7,
                ..Default::default()
            })
            .await
            .unwrap();
        seen.extend(page.incidents.iter().map(|i| i.id.clone()));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let listed_of_ours = seen
        .iter()
        .filter(|id| all.iter().any(|i| &i.id == *id))
        .count();
    assert_eq!(listed_of_ours, 25);
    let unique: std::collections::BTreeSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len());

    let ours: std::collections::BTreeSet<IncidentId> = all.iter().map(|i| i.id.clone()).collect();
    let ours = &ours;
    let query = |query: IncidentQuery| async move {
        store
            .list_incidents(&IncidentQuery {
                limit: 100,
                ..query
            })
            .await
            .unwrap()
            .incidents
            .into_iter()
            .filter(|i| ours.contains(&i.id))
            .collect::<Vec<_>>()
    };
    let ukrainian = query(IncidentQuery {
        victim: Some(CountryCode::parse("UA").unwrap()),
        ..Default::default()
    })
    .await;
    assert_eq!(ukrainian.len(), 13);
    assert!(ukrainian.iter().all(|i| i.report.victim.as_str() == "UA"));

    let health = query(IncidentQuery {
        sector: Some(Sector::Healthcare),
        ..Default::default()
    })
    .await;
    assert_eq!(health.len(), 9);

    let window = query(IncidentQuery {
        observed_since: Some(Timestamp::parse("2026-10-05T00:00:00Z").unwrap()),
        observed_until: Some(Timestamp::parse("2026-10-10T00:00:00Z").unwrap()),
        ..Default::default()
    })
    .await;
    assert_eq!(window.len(), 5);

    let confirmed = query(IncidentQuery {
        status: Some(IncidentStatus::Confirmed),
        ..Default::default()
    })
    .await;
    assert_eq!(confirmed.len(), 25);

    // TLP: a third party sees only clear and green; the victim sees its own red and amber ones.
    let finland = query(IncidentQuery {
        visible_to: Some(PartyId::parse("FI").unwrap()),
        ..Default::default()
    })
    .await;
    assert!(finland.iter().all(|i| !i.report.tlp.is_restricted()));
    assert_eq!(finland.len(), 15);
    let ukraine = query(IncidentQuery {
        visible_to: Some(PartyId::parse("UA").unwrap()),
        ..Default::default()
    })
    .await;
    let restricted_for_ukraine = ukraine.iter().filter(|i| i.report.tlp.is_restricted());
    assert!(
        restricted_for_ukraine
            .clone()
            .all(|i| i.report.victim.as_str() == "UA")
    );
    assert_eq!(restricted_for_ukraine.count(), 5);
    assert!(
        ukraine
            .iter()
            .all(|i| i.report.tlp != Tlp::Red || i.report.victim.as_str() == "UA")
    );
}

async fn check_batch_isolation(store: &dyn Store) {
    // One bad write in a batch fails alone; the others commit.
    let fresh: Vec<_> = (500..540u128)
        .map(|n| IncidentWrite::new(incident(n, "EE", "water", "green", 3)))
        .collect();
    let duplicate = IncidentWrite::new(incident(100, "EE", "water", "green", 3));
    let mut futures = fresh
        .iter()
        .map(|write| store.insert_incident(write))
        .collect::<Vec<_>>();
    futures.insert(20, store.insert_incident(&duplicate));
    let results = futures::future::join_all(futures).await;
    assert!(matches!(results[20], Err(StoreError::Conflict(_))));
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 40);
    for write in &fresh {
        assert!(
            store
                .get_incident(&write.incident.id)
                .await
                .unwrap()
                .is_some()
        );
    }
}

async fn check_grouped_submissions_and_the_log_outbox(store: &dyn Store) {
    // Submissions that arrive together are stored with multi-row statements; each must come
    // back whole: sectors and readers (the listing filters use them), its assessment, and its
    // log entries in the outbox with the ids the commit answered.
    // (The document of their assessments was stored by `check_norms_and_assessments`.)
    let writes: Vec<IncidentWrite> = (700..730u128)
        .map(|n| {
            let tlp = if n % 3 == 0 { "amber" } else { "green" };
            let sector = if n % 2 == 0 { "nuclear" } else { "dams" };
            let write = IncidentWrite::new(incident(n, "EE", sector, tlp, 28));
            let assessment = StoredAssessment {
                incident_id: write.incident.id.clone(),
                incident_version: 1,
                norms_sha256: "ab".repeat(32),
                assessed_at: now(),
                assessment_json: format!(r#"{{"incident":"{}"}}"#, write.incident.id),
            };
            write.with_assessment(assessment)
        })
        .collect();
    let commits = writes.iter().map(|write| {
        store.commit(
            vec![StoreWrite::InsertIncident(write.clone())],
            vec![
                format!("submitted {}", write.incident.id),
                format!("assessed {}", write.incident.id),
            ],
        )
    });
    let outbox_ids = futures::future::join_all(commits).await;
    let pending: std::collections::HashMap<i64, String> = store
        .pending_log_entries(0)
        .await
        .unwrap()
        .into_iter()
        .collect();
    for (write, ids) in writes.iter().zip(&outbox_ids) {
        let ids = ids.as_ref().unwrap();
        assert_eq!(ids.len(), 2);
        assert_eq!(pending[&ids[0]], format!("submitted {}", write.incident.id));
        assert_eq!(pending[&ids[1]], format!("assessed {}", write.incident.id));
        assert_eq!(
            store
                .get_incident(&write.incident.id)
                .await
                .unwrap()
                .as_ref(),
            Some(&write.incident)
        );
        assert_eq!(
            store
                .get_latest_assessment(&write.incident.id)
                .await
                .unwrap()
                .unwrap()
                .assessment_json,
            format!(r#"{{"incident":"{}"}}"#, write.incident.id)
        );
    }
    let nuclear = store
        .list_incidents(&IncidentQuery {
            sector: Some(Sector::Nuclear),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(nuclear.incidents.len(), 15);
    let seen_by_finland = store
        .list_incidents(&IncidentQuery {
            visible_to: Some(PartyId::parse("FI").unwrap()),
            observed_since: Some(Timestamp::parse("2026-10-28T00:00:00Z").unwrap()),
            observed_until: Some(Timestamp::parse("2026-10-29T00:00:00Z").unwrap()),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(seen_by_finland.incidents.len(), 20, "the amber ten are not");

    // Forgetting rows does not wait; they are gone once the next write has committed.
    let all: Vec<i64> = outbox_ids.into_iter().flat_map(Result::unwrap).collect();
    assert!(store.forget_log_entries(all.clone()));
    store.commit(Vec::new(), Vec::new()).await.unwrap();
    let left: Vec<i64> = store
        .pending_log_entries(0)
        .await
        .unwrap()
        .into_iter()
        .map(|(id, _)| id)
        .filter(|id| all.contains(id))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

async fn check_norms_and_assessments(store: &dyn Store) {
    let document = StoredNormsDocument {
        sha256: "ab".repeat(32),
        document_id: "baseline".into(),
        version: "1.0.0".into(),
        title: "Baseline".into(),
        file_name: "baseline.toml".into(),
        text: "[document]\nid = \"baseline\"\n".into(),
        added_at: now(),
    };
    store.insert_norms_document(&document).await.unwrap();
    assert!(matches!(
        store.insert_norms_document(&document).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store.get_norms_document(&document.sha256).await.unwrap(),
        Some(document.clone())
    );
    assert_eq!(
        store.list_norms_documents().await.unwrap(),
        vec![document.clone()]
    );

    let adoption = NormsAdoption {
        sequence: 0,
        document_sha256: document.sha256.clone(),
        parties: vec![
            PartyId::parse("EE").unwrap(),
            PartyId::parse("cert-eu").unwrap(),
        ],
        adopted_at: now(),
        signed: false,
    };
    store.insert_norms_adoption(&adoption).await.unwrap();
    let adoptions = store.list_norms_adoptions().await.unwrap();
    assert_eq!(adoptions.len(), 1);
    assert_eq!(adoptions[0].parties, adoption.parties);
    assert!(adoptions[0].sequence > 0);
    let unknown_document = NormsAdoption {
        document_sha256: "cd".repeat(32),
        ..adoption.clone()
    };
    assert!(matches!(
        store.insert_norms_adoption(&unknown_document).await,
        Err(StoreError::NotFound(_))
    ));

    // An assessment written with its incident, then replaced by a recomputation.
    let assessed = incident(7_000, "EE", "healthcare", "clear", 2);
    let stored = StoredAssessment {
        incident_id: assessed.id.clone(),
        incident_version: 1,
        norms_sha256: document.sha256.clone(),
        assessed_at: now(),
        assessment_json: "{\"severity\":1}".into(),
    };
    store
        .insert_incident(&IncidentWrite::new(assessed.clone()).with_assessment(stored.clone()))
        .await
        .unwrap();
    assert_eq!(
        store.get_latest_assessment(&assessed.id).await.unwrap(),
        Some(stored.clone())
    );
    let recomputed = StoredAssessment {
        assessed_at: now().plus_seconds(10).unwrap(),
        assessment_json: "{\"severity\":2}".into(),
        ..stored.clone()
    };
    store.put_assessment(&recomputed).await.unwrap();
    assert_eq!(
        store.get_latest_assessment(&assessed.id).await.unwrap(),
        Some(recomputed)
    );
    // An assessment against a document the node does not have is refused, and so is the
    // incident written with it: nothing of it is stored.
    let orphan = incident(7_001, "EE", "healthcare", "clear", 2);
    let bad = StoredAssessment {
        incident_id: orphan.id.clone(),
        norms_sha256: "ef".repeat(32),
        ..stored
    };
    assert!(
        store
            .insert_incident(&IncidentWrite::new(orphan.clone()).with_assessment(bad))
            .await
            .is_err()
    );
    assert_eq!(store.get_incident(&orphan.id).await.unwrap(), None);
}

async fn run_suite(store: &dyn Store) {
    check_parties(store).await;
    check_credentials(store).await;
    check_incident_versions(store).await;
    check_listing(store).await;
    check_batch_isolation(store).await;
    check_norms_and_assessments(store).await;
    check_grouped_submissions_and_the_log_outbox(store).await;
    assert_eq!(store.count_incidents().await.unwrap(), 1 + 25 + 40 + 30 + 1);
}

/// The parties every check but `check_parties` builds on (EE and cert-eu, without the second key
/// `check_parties` adds to EE: no other check reads it).
async fn seed_parties(store: &dyn Store) {
    store
        .insert_party(&party("EE", PartyKind::State))
        .await
        .unwrap();
    store
        .insert_party(&party("cert-eu", PartyKind::Cert))
        .await
        .unwrap();
}

/// One named test per check and backend, each on a store of its own where only what the check
/// builds on has run first (named beside it), so that a failure names the rule it broke and the
/// backend it broke on; the whole suite in one store, below, checks that the checks also hold
/// together.
macro_rules! one_test_per_check {
    ($($check:ident after [$($prerequisite:ident),*]),+ $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $check() {
                    redline_store::testing::run_on_sqlite(async |store| {
                        $(super::$prerequisite(store).await;)*
                        super::$check(store).await;
                    })
                    .await;
                }
            )+
        }
        mod on_postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $check() {
                    redline_store::testing::run_on_postgres(
                        concat!("conformance ", stringify!($check)),
                        async |store| {
                            $(super::$prerequisite(store).await;)*
                            super::$check(store).await;
                        },
                    )
                    .await;
                }
            )+
        }
    };
}

one_test_per_check!(
    check_parties after [],
    check_credentials after [seed_parties],
    check_incident_versions after [seed_parties],
    check_listing after [seed_parties],
    // The duplicate it refuses is one of the listing's incidents.
    check_batch_isolation after [seed_parties, check_listing],
    check_norms_and_assessments after [seed_parties],
    // Its assessments refer to the document the norms check stores.
    check_grouped_submissions_and_the_log_outbox after [seed_parties, check_norms_and_assessments],
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_on_sqlite() {
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("redline.sqlite");
    let store = SqlStore::open_sqlite_file(&path, SqlStoreOptions::default())
        .await
        .unwrap();
    assert_eq!(store.backend(), Backend::Sqlite);
    run_suite(&store).await;
    store.close().await;

    // Everything answered is still there after reopening the file.
    let reopened = SqlStore::open_sqlite_file(&path, SqlStoreOptions::default())
        .await
        .unwrap();
    assert_eq!(reopened.count_incidents().await.unwrap(), 97);
    assert_eq!(reopened.list_parties().await.unwrap().len(), 2);
    reopened.close().await;
    println!("store conformance suite: SQLite passed");
}

/// A fresh database on the test server (`redline_store::testing`); `None` skips PostgreSQL.
async fn fresh_postgres_database() -> Option<String> {
    let url = redline_store::testing::fresh_postgres_database("redline_test")
        .await
        .unwrap();
    if url.is_none() {
        println!("store conformance suite: PostgreSQL SKIPPED (set TEST_POSTGRES_URL to run it)");
    }
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_on_postgres() {
    let Some(url) = fresh_postgres_database().await else {
        return;
    };
    let store = SqlStore::open(&url, SqlStoreOptions::default())
        .await
        .unwrap();
    assert_eq!(store.backend(), Backend::Postgres);
    run_suite(&store).await;
    store.close().await;
    let reopened = SqlStore::open(&url, SqlStoreOptions::default())
        .await
        .unwrap();
    assert_eq!(reopened.count_incidents().await.unwrap(), 97);
    reopened.close().await;
    println!("store conformance suite: PostgreSQL passed");
}

/// The two migration sets must describe the same tables and columns.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_schemas_match() {
    let Some(url) = fresh_postgres_database().await else {
        return;
    };
    let postgres = SqlStore::open(&url, SqlStoreOptions::default())
        .await
        .unwrap();
    postgres.close().await;
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("schema.sqlite");
    let sqlite = SqlStore::open_sqlite_file(&path, SqlStoreOptions::default())
        .await
        .unwrap();
    sqlite.close().await;

    let mut sqlite_connection =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
    let mut sqlite_columns: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%' ORDER BY 1, 2",
    )
    .fetch_all(&mut sqlite_connection)
    .await
    .unwrap();
    let mut postgres_connection = sqlx::PgConnection::connect(&url).await.unwrap();
    let mut postgres_columns: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%' ORDER BY 1, 2",
    )
    .fetch_all(&mut postgres_connection)
    .await
    .unwrap();
    // Tables of shared deployments only (migration 0012): the log's pointer in the database. A
    // SQLite node serves one process, and its pointer is the log's checkpoint file.
    const POSTGRES_ONLY: &[&str] = &["log_checkpoints"];
    postgres_columns.retain(|(table, _)| !POSTGRES_ONLY.contains(&table.as_str()));
    // Sort here: the two databases collate `_` differently.
    sqlite_columns.sort();
    postgres_columns.sort();
    assert!(!sqlite_columns.is_empty());
    assert_eq!(sqlite_columns, postgres_columns);
}
