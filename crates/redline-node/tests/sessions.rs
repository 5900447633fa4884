#![allow(clippy::unwrap_used)]
//! Console sessions live in the database: one survives a restart, one opened on a node is good
//! on a second node over the same PostgreSQL database, a revoked token ends its sessions, and
//! the limits end only the signing-in party's own oldest sessions.

use std::sync::Arc;

use redline_model::{PartyId, PartyKind};
use redline_node::sessions::{MAXIMUM_SESSIONS_PER_PARTY, SessionRefusal};
use redline_node::{Caller, NewParty, Node, SystemClock};
use redline_store::{SqlStore, SqlStoreOptions};

async fn sqlite_node(file: &std::path::Path) -> Node {
    let store = SqlStore::open_sqlite_file(file, SqlStoreOptions::default())
        .await
        .unwrap();
    Node::new(Arc::new(store), Arc::new(SystemClock))
}

async fn node_at(url: &str) -> Node {
    let store = SqlStore::open(url, SqlStoreOptions::default())
        .await
        .unwrap();
    Node::new(Arc::new(store), Arc::new(SystemClock))
}

/// Adds the state `id` and issues it a token; returns the token and its id.
async fn party_with_token(node: &Node, id: &str) -> (String, String) {
    let party = PartyId::parse(id).unwrap();
    node.add_party(
        &Caller::Operator,
        NewParty {
            id: party.clone(),
            kind: PartyKind::State,
            name: format!("State {id}"),
            languages: vec![],
            public_keys: vec![],
        },
    )
    .await
    .unwrap();
    let issued = node
        .issue_token(&Caller::Operator, &party, "console")
        .await
        .unwrap();
    (issued.token, issued.token_id)
}

fn address(text: &str) -> Option<std::net::IpAddr> {
    Some(text.parse().unwrap())
}

#[tokio::test]
async fn a_session_survives_a_restart_of_the_node() {
    let directory = tempfile::tempdir().unwrap();
    let file = directory.path().join("db.sqlite");
    let node = sqlite_node(&file).await;
    let (token, _) = party_with_token(&node, "EE").await;
    let session = node
        .open_session(&token, address("192.0.2.1"))
        .await
        .unwrap();
    let before = node.session_party(&session.secret).await.unwrap().unwrap();
    node.close().await;
    drop(node);

    let restarted = sqlite_node(&file).await;
    let after = restarted
        .session_party(&session.secret)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after, before);
    assert_eq!(after.party.as_str(), "EE");
    assert_eq!(after.csrf, session.csrf);

    // Neither the session's secret nor the token is in the database file.
    restarted.close().await;
    drop(restarted);
    let bytes = std::fs::read(&file).unwrap();
    let contains = |needle: &str| {
        bytes
            .windows(needle.len())
            .any(|window| window == needle.as_bytes())
    };
    assert!(!contains(&session.secret), "the session secret is stored");
    assert!(!contains(&token), "the token is stored");
}

#[tokio::test]
async fn a_session_opened_on_one_node_is_good_on_another_over_the_same_postgresql() {
    let Some(url) = redline_store::testing::fresh_postgres_database("sessions")
        .await
        .unwrap()
    else {
        return;
    };
    let first = node_at(&url).await;
    let second = node_at(&url).await;
    let (token, _) = party_with_token(&first, "UA").await;
    let session = first.open_session(&token, None).await.unwrap();
    let seen = second
        .session_party(&session.secret)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(seen.party.as_str(), "UA");
    assert_eq!(seen.csrf, session.csrf);
    // Signing out on the second ends it on the first.
    second.close_session(&session.secret).await.unwrap();
    assert!(
        first
            .session_party(&session.secret)
            .await
            .unwrap()
            .is_none()
    );
    first.close().await;
    second.close().await;
}

#[tokio::test]
async fn a_revoked_token_ends_its_sessions() {
    let directory = tempfile::tempdir().unwrap();
    let node = sqlite_node(&directory.path().join("db.sqlite")).await;
    let (token, token_id) = party_with_token(&node, "GB").await;
    let (other_token, _) = party_with_token(&node, "US").await;
    let first = node.open_session(&token, None).await.unwrap();
    let second = node.open_session(&token, None).await.unwrap();
    let other = node.open_session(&other_token, None).await.unwrap();
    node.revoke_token(&Caller::Operator, &token_id)
        .await
        .unwrap();
    assert!(node.session_party(&first.secret).await.unwrap().is_none());
    assert!(node.session_party(&second.secret).await.unwrap().is_none());
    assert!(node.session_party(&other.secret).await.unwrap().is_some());
    assert!(matches!(
        node.open_session(&token, None).await,
        Err(SessionRefusal::Unauthenticated(_))
    ));
    assert!(node.session_party("not-a-session").await.unwrap().is_none());
    node.close().await;
}

#[tokio::test]
async fn past_its_limit_a_party_ends_only_its_own_oldest_sessions() {
    let directory = tempfile::tempdir().unwrap();
    let node = sqlite_node(&directory.path().join("db.sqlite")).await;
    let (ru_token, _) = party_with_token(&node, "RU").await;
    let (ua_token, _) = party_with_token(&node, "UA").await;
    let ua = node.open_session(&ua_token, None).await.unwrap();
    let mut ru_sessions = Vec::new();
    for _ in 0..MAXIMUM_SESSIONS_PER_PARTY + 3 {
        ru_sessions.push(node.open_session(&ru_token, None).await.unwrap());
    }
    assert!(node.session_party(&ua.secret).await.unwrap().is_some());
    for (index, session) in ru_sessions.iter().enumerate() {
        let alive = node.session_party(&session.secret).await.unwrap().is_some();
        assert_eq!(alive, index >= 3, "RU session {index}");
    }
    node.close().await;
}
