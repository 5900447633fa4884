//! The test kit every HTTP test builds on: a node on a real SQLite file, state parties with
//! tokens (and keys where given), and the node served over real HTTP on a loopback port.

use std::{path::Path, sync::Arc};

use redline_http::HttpConfig;
use redline_model::{PartyId, PartyKind};
use redline_node::{Caller, NewParty, Node, SystemClock};
use redline_store::{SqlStore, SqlStoreOptions};

/// A node on a fresh SQLite file in `directory`, with the shipped norms loaded.
pub async fn sqlite_node(directory: &Path) -> Arc<Node> {
    sqlite_node_with_clock(directory, Arc::new(SystemClock)).await
}

/// [`sqlite_node`] reading the time from `clock` (a `FixedClock` a test moves).
pub async fn sqlite_node_with_clock(
    directory: &Path,
    clock: Arc<dyn redline_node::Clock>,
) -> Arc<Node> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let store =
        SqlStore::open_sqlite_file(&directory.join("db.sqlite"), SqlStoreOptions::default())
            .await
            .unwrap();
    let node = Arc::new(Node::new(Arc::new(store), clock));
    node.load_norms().await.unwrap();
    node
}

/// Adds the state `id` ("State EE", English) with `public_keys` (standard base64); returns
/// its API token.
pub async fn add_state(node: &Node, id: &str, public_keys: Vec<String>) -> String {
    let party = PartyId::parse(id).unwrap();
    node.add_party(
        &Caller::Operator,
        NewParty {
            id: party.clone(),
            kind: PartyKind::State,
            name: format!("State {id}"),
            languages: vec!["en".into()],
            public_keys,
        },
    )
    .await
    .unwrap();
    node.issue_token(&Caller::Operator, &party, "test")
        .await
        .unwrap()
        .token
}

/// Serves `node` on a loopback port; returns its base URL and the sender whose drop stops it.
pub async fn serve(
    node: Arc<Node>,
    config: HttpConfig,
) -> (String, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(redline_http::run(listener, node, config, async move {
        let _ = stopped.await;
    }));
    (base, shutdown)
}
