//! The connection layer: accepts TCP connections up to a cap, serves HTTP/1.1 on each with
//! hyper, and closes the connections that hold the node without asking it anything — a request
//! head not complete within the header-read timeout (however slowly it trickles in), and a
//! keep-alive connection with no request in flight for the idle timeout. A response still being
//! sent is a request in flight, so a live event stream is never cut for idleness. Past the cap
//! the server stops accepting: new connections wait in the listen queue until one closes.
//! Shutdown stops accepting, closes idle connections and lets the requests in flight finish.

use std::{
    convert::Infallible,
    future::Future,
    io,
    net::SocketAddr,
    pin::{Pin, pin},
    sync::Arc,
    task::{Context, Poll},
    time::Duration,
};

use axum::{
    Router,
    body::{Body, Bytes},
    extract::ConnectInfo,
};
use hyper::body::{Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::{
    net::{TcpListener, TcpStream},
    sync::{OwnedSemaphorePermit, Semaphore, watch},
};
use tower::ServiceExt;

/// How long a connection may take to do its part, and how many may be open at once.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnectionLimits {
    /// The most time between the moment the server waits for a request head (a new
    /// connection, or a kept-alive one after its last response) and the head's last byte.
    pub(crate) header_read_timeout: Duration,
    /// The most time a connection may stay open with no request in flight.
    pub(crate) idle_timeout: Duration,
    /// The most connections served at once.
    pub(crate) maximum_connections: usize,
}

/// Serves `app` on `listener` until `shutdown` completes, then waits for every connection to
/// end (idle ones are closed at once, busy ones after their response).
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    // Each connection watches `stop_sender.closed()`: the receiver is dropped on shutdown.
    let (stop_sender, stop_receiver) = watch::channel(());
    tokio::spawn(async move {
        shutdown.await;
        drop(stop_receiver);
    });
    // Each connection holds a clone of `ended_receiver`; when all are gone, all have ended.
    let (ended_sender, ended_receiver) = watch::channel(());
    let permits = Arc::new(Semaphore::new(limits.maximum_connections.max(1)));
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_closed) => break,
            },
            () = stop_sender.closed() => break,
        };
        let (stream, remote_address) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    wait_after_accept_error(error).await;
                    continue;
                }
            },
            () = stop_sender.closed() => break,
        };
        tokio::spawn(serve_connection(
            stream,
            remote_address,
            app.clone(),
            limits,
            ConnectionTokens {
                stop: stop_sender.clone(),
                _ended: ended_receiver.clone(),
                _permit: permit,
            },
        ));
    }
    drop(ended_receiver);
    drop(listener);
    ended_sender.closed().await;
    Ok(())
}

/// A failed accept: the peer gave up (go on at once), or the process is out of something, such
/// as file descriptors (wait a moment so the loop does not spin).
async fn wait_after_accept_error(error: io::Error) {
    if matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::error!(%error, "accepting a connection failed");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// What a connection task holds for the server: the shutdown signal, its place among the
/// connections shutdown waits for, and its permit under the cap.
struct ConnectionTokens {
    stop: watch::Sender<()>,
    _ended: watch::Receiver<()>,
    _permit: OwnedSemaphorePermit,
}

async fn serve_connection(
    stream: TcpStream,
    remote_address: SocketAddr,
    app: Router,
    limits: ConnectionLimits,
    tokens: ConnectionTokens,
) {
    let requests_in_flight = Arc::new(watch::Sender::new(0usize));
    let idle = idle_for(requests_in_flight.subscribe(), limits.idle_timeout);
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let in_flight = RequestInFlight::begin(&requests_in_flight);
        let mut request = request.map(Body::new);
        // The rate limiter and the handlers read the peer's address from here.
        request.extensions_mut().insert(ConnectInfo(remote_address));
        let app = app.clone();
        async move {
            let response = match app.oneshot(request).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            Ok::<_, Infallible>(response.map(|body| TrackedBody {
                body,
                _in_flight: in_flight,
            }))
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let mut connection = pin!(builder.serve_connection(TokioIo::new(stream), service));
    let mut idle = pin!(idle);
    let mut stop = pin!(tokens.stop.closed());
    let mut closing = false;
    loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!(%error, %remote_address, "connection ended with an error");
                }
                break;
            }
            () = &mut stop, if !closing => {
                closing = true;
                connection.as_mut().graceful_shutdown();
            }
            () = &mut idle, if !closing => {
                tracing::debug!(%remote_address, "closing an idle connection");
                closing = true;
                connection.as_mut().graceful_shutdown();
            }
        }
    }
}

/// Completes once no request has been in flight for `idle_timeout`.
async fn idle_for(mut requests_in_flight: watch::Receiver<usize>, idle_timeout: Duration) {
    loop {
        let busy = *requests_in_flight.borrow_and_update() > 0;
        // Every start and end of a request marks the value changed, even a request that began
        // and ended between two looks: the clock starts again after the last one.
        let changed = if busy {
            requests_in_flight.changed().await
        } else {
            match tokio::time::timeout(idle_timeout, requests_in_flight.changed()).await {
                Ok(changed) => changed,
                Err(_elapsed) => return,
            }
        };
        if changed.is_err() {
            // The connection is gone: nothing to close.
            return std::future::pending().await;
        }
    }
}

/// One request counted in flight from the moment hyper hands it over until its response body
/// is dropped (sent in full, or abandoned).
struct RequestInFlight(Arc<watch::Sender<usize>>);

impl RequestInFlight {
    fn begin(requests_in_flight: &Arc<watch::Sender<usize>>) -> Self {
        requests_in_flight.send_modify(|count| *count += 1);
        Self(Arc::clone(requests_in_flight))
    }
}

impl Drop for RequestInFlight {
    fn drop(&mut self) {
        self.0.send_modify(|count| *count = count.saturating_sub(1));
    }
}

/// A response body that keeps its request counted in flight while it is being sent.
struct TrackedBody {
    body: Body,
    _in_flight: RequestInFlight,
}

impl hyper::body::Body for TrackedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(context)
    }

    fn is_end_stream(&self) -> bool {
        hyper::body::Body::is_end_stream(&self.body)
    }

    fn size_hint(&self) -> SizeHint {
        hyper::body::Body::size_hint(&self.body)
    }
}
