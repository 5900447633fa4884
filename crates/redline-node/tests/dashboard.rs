#![allow(clippy::unwrap_used)]
//! The public dashboard's use cases on both databases: the SQL aggregates give the same figures
//! on SQLite and PostgreSQL, only TLP:CLEAR incidents are counted, listed or shown, and the cache
//! follows new incidents. PostgreSQL runs when `TEST_POSTGRES_URL` is set and fails instead of
//! skipping when `REQUIRE_POSTGRES=1`.

use std::{path::Path, sync::Arc};

use redline_model::{IncidentId, PartyId, PartyKind};
use redline_node::{Caller, NewParty, Node, NodeError, SystemClock};
use redline_store::{SqlStore, SqlStoreOptions};
use sqlx::Connection;

async fn seed(node: &Node) -> (Vec<IncidentId>, Vec<IncidentId>) {
    node.load_norms().await.unwrap();
    for id in ["EE", "IR", "UA", "GB", "US", "RU", "KP"] {
        node.add_party(
            &Caller::Operator,
            NewParty {
                id: PartyId::parse(id).unwrap(),
                kind: PartyKind::State,
                name: format!("State {id}"),
                languages: vec![],
                public_keys: vec![],
            },
        )
        .await
        .unwrap();
    }
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/incidents");
    let mut files: Vec<_> = std::fs::read_dir(demo)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut public = Vec::new();
    for file in files {
        let incident = node
            .submit_incident_json(&Caller::Operator, &std::fs::read(file).unwrap())
            .await
            .unwrap();
        public.push(incident.id);
    }
    let mut restricted = Vec::new();
    for tlp in ["green", "amber", "amber+strict", "red"] {
        let report = serde_json::json!({
            "title": format!("restricted {tlp}"), "reported_by": "UA", "victim": "UA",
            "first_observed": "2026-03-01T08:00:00Z", "status": "confirmed", "tlp": tlp,
            "targets": [{ "sector": "healthcare", "country": "UA", "essential_service": true }],
            "effects": [{ "kind": "destruction", "scale": "national" }],
            "suspected_origin": { "state": "RU", "confidence": "very-likely", "basis": ["technical"] }
        });
        let incident = node
            .submit_incident_json(&Caller::Operator, report.to_string().as_bytes())
            .await
            .unwrap();
        restricted.push(incident.id);
    }
    (public, restricted)
}

async fn check(node: &Node) -> String {
    let (public, restricted) = seed(node).await;
    let overview = node.public_overview().await.unwrap();
    assert_eq!(overview.public_incidents, 8);
    let by_severity: u64 = overview.by_severity.iter().map(|count| count.count).sum();
    assert_eq!(by_severity, 8, "{:?}", overview.by_severity);
    assert!(
        overview
            .by_severity
            .iter()
            .all(|count| count.level.is_some()),
        "all assessed"
    );
    assert_eq!(overview.by_month.first().unwrap().0, "2007-04");
    assert_eq!(overview.by_month.last().unwrap().0, "2022-02");
    assert!(overview.acknowledgements.is_none() && overview.checkpoint.is_none());

    let page = node.public_incidents(None, Some(5)).await.unwrap();
    assert_eq!(page.incidents.len(), 5);
    let rest = node
        .public_incidents(page.next_before, Some(5))
        .await
        .unwrap();
    assert_eq!(rest.incidents.len(), 3);
    assert!(rest.next_before.is_none());
    let listed: Vec<String> = page
        .incidents
        .iter()
        .chain(&rest.incidents)
        .map(|row| row.id.clone())
        .collect();
    for id in &public {
        assert!(listed.contains(&id.to_string()));
        let shown = node.public_incident(id).await.unwrap();
        assert!(shown.assessment.is_some() && shown.document.is_some());
    }
    for id in &restricted {
        assert!(!listed.contains(&id.to_string()));
        assert!(matches!(
            node.public_incident(id).await,
            Err(NodeError::NotFound(_))
        ));
    }

    let scorecards = node.public_scorecards().await.unwrap();
    let russia = scorecards
        .iter()
        .find(|card| card.party.id.as_str() == "RU")
        .unwrap();
    assert_eq!(
        russia.counts.attributed, 5,
        "five clear demo incidents suspect Russia"
    );
    let ukraine = scorecards
        .iter()
        .find(|card| card.party.id.as_str() == "UA")
        .unwrap();
    assert_eq!(
        ukraine.counts.reported, 3,
        "restricted reports are not counted"
    );
    let (_, crossed) = node
        .public_scorecard(&PartyId::parse("RU").unwrap(), 50)
        .await
        .unwrap();
    assert_eq!(
        crossed.len() as u64,
        russia.counts.attributed_crossing_red_lines
    );
    assert!(
        crossed
            .iter()
            .all(|incident| !incident.red_lines.is_empty())
    );

    // The cache follows a new public incident.
    let mut report: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo/incidents/01-estonia-2007.json"),
        )
        .unwrap(),
    )
    .unwrap();
    report["title"] = "Another public incident".into();
    node.submit_incident_json(&Caller::Operator, report.to_string().as_bytes())
        .await
        .unwrap();
    assert_eq!(node.public_overview().await.unwrap().public_incidents, 9);
    format!("{:?} {:?}", overview.by_severity, overview.by_month)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_figures_on_sqlite_and_postgres_agree() {
    let directory = tempfile::tempdir().unwrap();
    let sqlite = SqlStore::open_sqlite_file(
        &directory.path().join("db.sqlite"),
        SqlStoreOptions::default(),
    )
    .await
    .unwrap();
    let node = Node::new(Arc::new(sqlite), Arc::new(SystemClock));
    let sqlite_figures = check(&node).await;
    node.close().await;

    let Ok(admin_url) = std::env::var("TEST_POSTGRES_URL") else {
        assert!(
            std::env::var("REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "REQUIRE_POSTGRES=1 but TEST_POSTGRES_URL is not set"
        );
        println!("dashboard on PostgreSQL SKIPPED (set TEST_POSTGRES_URL)");
        return;
    };
    let name = format!("redline_dashboard_{}", std::process::id());
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name}"
    )))
    .execute(&mut admin)
    .await
    .unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .unwrap();
    admin.close().await.unwrap();
    let (base, query) = match admin_url.split_once('?') {
        Some((base, query)) => (base.to_string(), format!("?{query}")),
        None => (admin_url.clone(), String::new()),
    };
    let without_database = base.rsplit_once('/').map(|(head, _)| head).unwrap_or(&base);
    let url = format!("{without_database}/{name}{query}");
    let postgres = SqlStore::open(&url, SqlStoreOptions::default())
        .await
        .unwrap();
    let node = Node::new(Arc::new(postgres), Arc::new(SystemClock));
    let postgres_figures = check(&node).await;
    node.close().await;
    assert_eq!(sqlite_figures, postgres_figures);
}
