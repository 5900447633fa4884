//! `redline serve`: run the node's HTTP server until Ctrl-C or SIGTERM.

use std::sync::Arc;

use anyhow::Context;
use redline_node::Node;

use crate::config::Settings;

#[derive(Debug, clap::Args)]
pub struct ServeArguments {
    /// Address to listen on (default from the configuration: 127.0.0.1:8080).
    #[arg(long, value_name = "ADDRESS")]
    pub listen: Option<String>,
}

/// Resolves when the process is asked to stop (Ctrl-C, or SIGTERM on Unix).
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("stopping: finishing requests in flight");
}

/// Binds `address` and serves `node` until a stop signal.
pub async fn serve_node(node: Arc<Node>, settings: &Settings, address: &str) -> anyhow::Result<()> {
    // The HTTP clients of a serving node (witnesses, webhooks, federation peers) use rustls.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("listening on {address}"))?;
    let local = listener.local_addr()?;
    // Transparency log: ask the configured witnesses to cosign new checkpoints.
    super::log::spawn_cosignature_collector(node.clone(), settings);
    tracing::info!(address = %local, database = node.store().backend().as_str(), "serving");
    // One stop signal for the HTTP server and the hotline's deadline scheduler (which marks
    // threads overdue and sends reminders); it is started here and nowhere else.
    let stop = Arc::new(tokio::sync::watch::Sender::new(false));
    let http_config = settings.http_config();
    // `/readyz` answers 503 naming the scheduler once its task has ended (or panicked), or
    // when its heartbeat (at least one per wake-up period) is three periods old: a hung loop.
    let scheduler_running = http_config.background_tasks.register_with_heartbeat(
        "deadline_scheduler",
        Node::DEADLINE_SCHEDULER_HEARTBEAT_INTERVAL * 3,
    );
    let scheduler_node = node.clone();
    let scheduler_stop = stop.subscribe();
    let scheduler = tokio::spawn(async move {
        if scheduler_node.is_shared() {
            // Several processes over PostgreSQL: the leader runs the scheduler and the log
            // writer; this one stands ready. A leader that lost its lock ends the process.
            let heartbeat = Arc::new(move || scheduler_running.beat());
            if let Err(error) = scheduler_node
                .run_cluster_member(scheduler_stop, heartbeat)
                .await
            {
                tracing::error!(%error, "stopping this process: it can no longer lead safely");
                std::process::exit(70);
            }
        } else {
            // One process on SQLite: it leads, so it also sends notifications.
            let sender = tokio::spawn(
                scheduler_node
                    .clone()
                    .run_notification_sender(stopped(scheduler_stop.clone())),
            );
            // Federation: relays to peers and syncs from them.
            let federation = tokio::spawn(
                scheduler_node
                    .clone()
                    .run_federation(stopped(scheduler_stop.clone())),
            );
            scheduler_node
                .run_deadline_scheduler_with_heartbeat(stopped(scheduler_stop), move || {
                    scheduler_running.beat();
                })
                .await;
            let _ = sender.await;
            let _ = federation.await;
        }
    });
    let http_stop = stop.clone();
    let served = redline_http::run(listener, node.clone(), http_config, async move {
        shutdown_signal().await;
        http_stop.send_replace(true);
    })
    .await
    .context("serving HTTP");
    // Also when the server failed: the scheduler must not outlive it.
    stop.send_replace(true);
    if let Err(error) = scheduler.await {
        tracing::warn!(%error, "the deadline scheduler ended abnormally");
    }
    node.close().await;
    served
}

/// Resolves once `receiver` has seen `true` (or its sender is gone).
async fn stopped(mut receiver: tokio::sync::watch::Receiver<bool>) {
    let _ = receiver.wait_for(|stop| *stop).await;
}

pub async fn run(settings: Settings, arguments: ServeArguments) -> anyhow::Result<()> {
    super::init::ensure_initialised(&settings)?;
    let node = super::open_local_node(&settings).await?;
    let address = arguments.listen.unwrap_or_else(|| settings.listen.clone());
    println!("redline node listening on http://{address}/ (Ctrl-C to stop)");
    serve_node(node, &settings, &address).await
}
