//! The HTTP connections: the accept loop, each connection's timeouts, the connection limit
//! and the drain at shutdown.
//!
//! ```text
//! accept ─▶ a place free? ── no ──▶ 503 + Retry-After, close
//!              │ yes
//!              ▼
//!   hyper HTTP/1 over TimedIo: the head within --header-timeout; no bytes and no request
//!   for --idle-timeout closes; a write the client does not take for --write-timeout ends
//!   the connection (its response body is dropped, which cancels its synthesis)
//! SIGTERM ─▶ draining: the listener stays open, every request (and /health) gets 503 with
//!   `Connection: close`; idle connections close; requests in flight finish; at
//!   --shutdown-timeout the rest are cut and the server exits.
//! ```

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, Request, Response, header};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::time::{Instant, Sleep};
use tower::ServiceExt as _;

use crate::metrics::Timeout;
use crate::{ApiError, App};

/// Refused connections answered at once and given [`REFUSAL_TIME`] to send their request;
/// past these, a refused connection gets its 503 written once (if the socket takes it) and is
/// closed at once.
const REFUSAL_SLOTS: usize = 32;

/// How long a refused connection gets to take its 503 and say what it sent.
const REFUSAL_TIME: Duration = Duration::from_millis(500);

/// The connection settings of [`run`].
#[derive(Debug, Clone)]
pub(crate) struct NetConfig {
    /// Longest wait for a request's head (`None`: no limit).
    pub(crate) header_timeout: Option<Duration>,
    /// Longest time a connection with no request in flight may send nothing.
    pub(crate) idle_timeout: Option<Duration>,
    /// Longest time one write to the client may wait for the client to read.
    pub(crate) write_timeout: Option<Duration>,
    /// Connections open at once; more get 503.
    pub(crate) max_connections: usize,
    /// Longest drain after SIGTERM/SIGINT.
    pub(crate) shutdown_timeout: Duration,
    /// SO_SNDBUF of each connection (`None`: the system's).
    pub(crate) send_buffer: Option<usize>,
}

/// Serves `router` on `listener` until `shutdown` completes, then drains (see the module
/// docs). Returns when nothing is in flight, or at the shutdown deadline.
pub(crate) async fn run(
    listener: TcpListener,
    router: Router,
    app: Arc<App>,
    net: NetConfig,
    shutdown: impl Future<Output = ()>,
) {
    let places = Arc::new(Semaphore::new(net.max_connections));
    let refusals = Arc::new(Semaphore::new(REFUSAL_SLOTS));
    let (drain_tx, drain_rx) = watch::channel(false);
    // Connections that have served a request and are still open: a response whose body is
    // done may still be in the connection's buffer, so the drain waits for these to close.
    let busy = Arc::new(AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    let mut deadline: Option<Instant> = None;
    let never = Instant::now() + Duration::from_secs(10 * 365 * 86_400);
    tokio::pin!(shutdown);
    loop {
        while tasks.try_join_next().is_some() {}
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    if let Ok(place) = Arc::clone(&places).try_acquire_owned() {
                        let connection = Connection {
                            app: Arc::clone(&app),
                            router: router.clone(),
                            net: net.clone(),
                            drain: drain_rx.clone(),
                            busy: Arc::clone(&busy),
                        };
                        tasks.spawn(connection.serve(stream, place));
                    } else {
                        app.metrics().connection_refused();
                        if let Ok(slot) = Arc::clone(&refusals).try_acquire_owned() {
                            tasks.spawn(refuse(stream, net.max_connections, slot));
                        } else {
                            let _ = stream.try_write(refusal(net.max_connections).as_bytes());
                        }
                    }
                }
                Err(e) => {
                    // Out of descriptors, or a connection reset before it was accepted: wait
                    // a little instead of spinning.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            () = &mut shutdown, if deadline.is_none() => {
                tracing::info!(
                    busy_connections = busy.load(Ordering::Acquire),
                    timeout_s = net.shutdown_timeout.as_secs_f64(),
                    "shutting down: answering 503 to new requests, finishing those in flight"
                );
                app.begin_shutdown();
                let _ = drain_tx.send(true);
                deadline = Some(Instant::now() + net.shutdown_timeout);
            }
            () = drained(&busy), if deadline.is_some() => break,
            () = tokio::time::sleep_until(deadline.unwrap_or(never)), if deadline.is_some() => {
                tracing::warn!(
                    busy_connections = busy.load(Ordering::Acquire),
                    "the shutdown timeout passed: closing the connections still open"
                );
                break;
            }
        }
    }
    // Dropping each connection drops its response body, which cancels its synthesis.
    tasks.abort_all();
    while tasks.join_next().await.is_some() {}
}

/// Completes once every connection that served a request has closed: no request is in
/// flight, and every response's last bytes are written.
async fn drained(busy: &AtomicUsize) {
    while busy.load(Ordering::Acquire) > 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Answers a connection past the limit with a 503 and closes it.
async fn refuse(mut stream: TcpStream, limit: usize, _slot: OwnedSemaphorePermit) {
    let response = refusal(limit);
    let _ = tokio::time::timeout(REFUSAL_TIME, async {
        stream.write_all(response.as_bytes()).await?;
        stream.shutdown().await?;
        // Read what the client sent (a little of it) so that closing does not reset the
        // connection before the client has read the answer.
        let mut sink = [0u8; 4096];
        let mut total = 0;
        while total < (64 << 10) {
            let n = stream.read(&mut sink).await?;
            if n == 0 {
                break;
            }
            total += n;
        }
        Ok::<(), io::Error>(())
    })
    .await;
}

/// The whole 503 response for a connection past the limit.
fn refusal(limit: usize) -> String {
    let body = ApiError::too_many_connections(limit).body().to_string();
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// One accepted connection and what serving it needs.
struct Connection {
    app: Arc<App>,
    router: Router,
    net: NetConfig,
    drain: watch::Receiver<bool>,
    busy: Arc<AtomicUsize>,
}

/// Counts its connection in `busy` from its first request until it closes (or is dropped).
struct Busy {
    counted: AtomicBool,
    busy: Arc<AtomicUsize>,
}

impl Busy {
    fn mark(&self) {
        if !self.counted.swap(true, Ordering::AcqRel) {
            self.busy.fetch_add(1, Ordering::AcqRel);
        }
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        if *self.counted.get_mut() {
            self.busy.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

impl Connection {
    async fn serve(self, stream: TcpStream, _place: OwnedSemaphorePermit) {
        let Self {
            app,
            router,
            net,
            mut drain,
            busy,
        } = self;
        let busy = Arc::new(Busy {
            counted: AtomicBool::new(false),
            busy,
        });
        let _open = app.metrics_arc().connection_opened();
        let _ = stream.set_nodelay(true);
        if let Some(bytes) = net.send_buffer
            && let Err(e) = socket2::SockRef::from(&stream).set_send_buffer_size(bytes)
        {
            tracing::debug!(error = %e, "setting the send buffer failed");
        }
        let activity = Arc::new(AtomicUsize::new(0));
        let io = TimedIo {
            io: stream,
            activity: Arc::clone(&activity),
            idle_timeout: net.idle_timeout,
            write_timeout: net.write_timeout,
            read_timer: StallTimer::default(),
            write_timer: StallTimer::default(),
            app: Arc::clone(&app),
        };
        let service_app = Arc::clone(&app);
        let service_busy = Arc::clone(&busy);
        let service = hyper::service::service_fn(move |request: Request<Incoming>| {
            service_busy.mark();
            let guard = RequestGuard::new(&activity);
            let router = router.clone();
            let app = Arc::clone(&service_app);
            async move {
                let response = match router.oneshot(request).await {
                    Ok(r) => r,
                    Err(never) => match never {},
                };
                let (mut parts, body) = response.into_parts();
                if app.is_shutting_down() {
                    // Draining: the client should take its next request elsewhere.
                    parts
                        .headers
                        .insert(header::CONNECTION, HeaderValue::from_static("close"));
                }
                Ok::<_, Infallible>(Response::from_parts(
                    parts,
                    TrackedBody {
                        body,
                        _guard: guard,
                    },
                ))
            }
        });
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(net.header_timeout)
            .keep_alive(true);
        let connection = builder.serve_connection(TokioIo::new(io), service);
        tokio::pin!(connection);
        let draining = *drain.borrow();
        let result = if draining {
            connection.await
        } else {
            tokio::select! {
                result = connection.as_mut() => result,
                () = async { drop(drain.wait_for(|draining| *draining).await) } => {
                    // Idle: closed now; busy: closed after its response.
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            }
        };
        if let Err(e) = result {
            if e.is_timeout() {
                app.metrics().timed_out(Timeout::Header);
            }
            tracing::debug!(error = %e, "connection ended with an error");
        }
    }
}

/// A request being served on its connection, from its head to the end of its response body:
/// a connection with one is not idle.
struct RequestGuard(Arc<AtomicUsize>);

impl RequestGuard {
    fn new(connection: &Arc<AtomicUsize>) -> Self {
        connection.fetch_add(1, Ordering::AcqRel);
        Self(Arc::clone(connection))
    }
}

impl Drop for RequestGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A response body that holds its request's [`RequestGuard`] until it is sent or dropped.
struct TrackedBody {
    body: Body,
    _guard: RequestGuard,
}

impl http_body::Body for TrackedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

/// A TCP stream with an idle timeout on reads (only while no request is in flight on it) and
/// a stall timeout on writes.
struct TimedIo {
    io: TcpStream,
    /// Requests in flight on this connection.
    activity: Arc<AtomicUsize>,
    idle_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
    read_timer: StallTimer,
    write_timer: StallTimer,
    app: Arc<App>,
}

/// A timer armed when an operation first has to wait, cleared when one goes through.
#[derive(Default)]
struct StallTimer(Option<Pin<Box<Sleep>>>);

impl StallTimer {
    /// Whether the wait has lasted `limit` (the timer starts on the first call); a timer that
    /// fired is cleared.
    fn expired(&mut self, cx: &mut Context<'_>, limit: Duration) -> bool {
        let timer = self
            .0
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        let fired = timer.as_mut().poll(cx).is_ready();
        if fired {
            self.0 = None;
        }
        fired
    }

    fn clear(&mut self) {
        self.0 = None;
    }
}

impl TimedIo {
    /// Arms (or polls) the write timer while a write waits; clears it when one goes through.
    fn write_deadline<T>(
        &mut self,
        cx: &mut Context<'_>,
        poll: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        match poll {
            Poll::Pending => {
                if let Some(limit) = self.write_timeout
                    && self.write_timer.expired(cx, limit)
                {
                    self.app.metrics().timed_out(Timeout::Write);
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!(
                            "the client read nothing for {} s (--write-timeout)",
                            limit.as_secs_f64()
                        ),
                    )));
                }
                Poll::Pending
            }
            ready => {
                self.write_timer.clear();
                ready
            }
        }
    }
}

impl AsyncRead for TimedIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match Pin::new(&mut this.io).poll_read(cx, buf) {
            Poll::Pending => {
                match this.idle_timeout {
                    Some(limit) if this.activity.load(Ordering::Acquire) == 0 => {
                        if this.read_timer.expired(cx, limit) {
                            this.app.metrics().timed_out(Timeout::Idle);
                            return Poll::Ready(Err(io::Error::new(
                                io::ErrorKind::TimedOut,
                                "idle connection closed (--idle-timeout)",
                            )));
                        }
                    }
                    _ => this.read_timer.clear(),
                }
                Poll::Pending
            }
            ready => {
                this.read_timer.clear();
                ready
            }
        }
    }
}

impl AsyncWrite for TimedIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.io).poll_write(cx, buf);
        this.write_deadline(cx, poll)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.io).poll_write_vectored(cx, bufs);
        this.write_deadline(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.io).poll_flush(cx);
        this.write_deadline(cx, poll)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.io).poll_shutdown(cx);
        this.write_deadline(cx, poll)
    }
}
