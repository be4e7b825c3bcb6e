//! Home Assistant's Wyoming protocol beside the HTTP API: `describe` → `info`, one-shot
//! `synthesize`, and streaming input (`synthesize-start`, `synthesize-chunk`…,
//! `synthesize-stop` → one audio group per sentence, then `synthesize-stopped`).
//!
//! ```text
//! --wyoming tcp://0.0.0.0:10200 | unix:///run/kittentts.sock | stdio://
//!   listeners start before the models load: `describe` is answered at once (from the model
//!   specs while they load), a `synthesize` waits for its model
//!   each connection: events read one by one (framing and bounds in `event`), idle
//!   connections closed after --wyoming-idle-timeout
//!   each audio group: audio-start {24000 Hz, 2 bytes, 1 channel}, audio-chunk × (1024 samples),
//!   audio-stop; the queue place, metrics and limits are the HTTP API's
//! SIGTERM ─▶ no new connection or synthesis; a group in flight finishes (until
//!   --shutdown-timeout), then the connection closes
//! ```

mod event;
mod session;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

pub(crate) use session::ProgramSpec;

/// Where a Wyoming server listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Uri {
    /// `tcp://HOST:PORT`.
    Tcp(String),
    /// `unix://PATH`.
    Unix(PathBuf),
    /// `stdio://`: one connection on stdin and stdout; the server stops when stdin ends.
    Stdio,
}

impl std::str::FromStr for Uri {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        if let Some(addr) = s.strip_prefix("tcp://") {
            if addr
                .rsplit_once(':')
                .is_none_or(|(_, port)| port.parse::<u16>().is_err())
            {
                return Err(format!("{s:?}: expected tcp://HOST:PORT"));
            }
            return Ok(Self::Tcp(addr.to_owned()));
        }
        if let Some(path) = s.strip_prefix("unix://") {
            if path.is_empty() {
                return Err(format!("{s:?}: expected unix://PATH"));
            }
            return Ok(Self::Unix(PathBuf::from(path)));
        }
        if s == "stdio://" {
            return Ok(Self::Stdio);
        }
        Err(format!(
            "{s:?}: expected tcp://HOST:PORT, unix://PATH or stdio://"
        ))
    }
}

/// What the Wyoming servers share.
#[derive(Debug, Clone)]
pub(crate) struct Shared {
    /// The server, once its models are loaded.
    pub(crate) app: watch::Receiver<Option<Arc<crate::App>>>,
    /// The programs `info` lists while the models load.
    pub(crate) pending: Arc<Vec<ProgramSpec>>,
    /// Longest silence of a connection between events.
    pub(crate) idle_timeout: Option<Duration>,
    /// Longest wait for one write to the client.
    pub(crate) write_timeout: Option<Duration>,
    /// Becomes true at shutdown.
    pub(crate) stop: watch::Receiver<bool>,
}

/// Completes when the stop signal is given (or its sender is gone).
pub(crate) async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await.map(drop);
}

/// The running Wyoming listeners.
pub(crate) struct Servers {
    tasks: tokio::task::JoinSet<()>,
}

impl Servers {
    /// Binds every URI and starts accepting. `stdio_done` is told when a `stdio://` session
    /// ends (the server then stops).
    pub(crate) async fn start(
        uris: &[Uri],
        shared: Shared,
        stdio_done: Arc<watch::Sender<bool>>,
    ) -> Result<Self, String> {
        let mut tasks = tokio::task::JoinSet::new();
        for uri in uris {
            match uri {
                Uri::Tcp(addr) => {
                    let listener = tokio::net::TcpListener::bind(addr.as_str())
                        .await
                        .map_err(|e| format!("--wyoming tcp://{addr}: cannot listen: {e}"))?;
                    let local: Option<SocketAddr> = listener.local_addr().ok();
                    tracing::info!(addr = ?local, "wyoming listening");
                    tasks.spawn(accept(listener, shared.clone()));
                }
                #[cfg(unix)]
                Uri::Unix(path) => {
                    if std::fs::symlink_metadata(path)
                        .is_ok_and(|m| std::os::unix::fs::FileTypeExt::is_socket(&m.file_type()))
                    {
                        let _ = std::fs::remove_file(path);
                    }
                    let listener = tokio::net::UnixListener::bind(path).map_err(|e| {
                        format!("--wyoming unix://{}: cannot listen: {e}", path.display())
                    })?;
                    tracing::info!(path = %path.display(), "wyoming listening");
                    tasks.spawn(accept(listener, shared.clone()));
                }
                #[cfg(not(unix))]
                Uri::Unix(path) => {
                    return Err(format!(
                        "--wyoming unix://{}: Unix sockets need a Unix system",
                        path.display()
                    ));
                }
                Uri::Stdio => {
                    let shared = shared.clone();
                    let done = Arc::clone(&stdio_done);
                    tasks.spawn(async move {
                        let reader = tokio::io::BufReader::new(tokio::io::stdin());
                        session::run(reader, tokio::io::stdout(), shared).await;
                        let _ = done.send(true);
                    });
                }
            }
        }
        Ok(Self { tasks })
    }

    /// Waits for the listeners and their connections to finish after the stop signal, at
    /// most `timeout`; then cuts what is left.
    pub(crate) async fn drain(mut self, timeout: Duration) {
        let all = async { while self.tasks.join_next().await.is_some() {} };
        if tokio::time::timeout(timeout, all).await.is_err() {
            tracing::warn!(
                "the shutdown timeout passed: closing the Wyoming connections still open"
            );
            self.tasks.abort_all();
            while self.tasks.join_next().await.is_some() {}
        }
    }
}

/// A listener whose connections split into a reader and a writer.
trait Listener: Send + 'static {
    type Read: tokio::io::AsyncRead + Unpin + Send + 'static;
    type Write: tokio::io::AsyncWrite + Unpin + Send + 'static;
    fn accept_split(
        &self,
    ) -> impl std::future::Future<Output = std::io::Result<(Self::Read, Self::Write)>> + Send;
}

impl Listener for tokio::net::TcpListener {
    type Read = tokio::net::tcp::OwnedReadHalf;
    type Write = tokio::net::tcp::OwnedWriteHalf;
    async fn accept_split(&self) -> std::io::Result<(Self::Read, Self::Write)> {
        let (stream, _) = self.accept().await?;
        let _ = stream.set_nodelay(true);
        Ok(stream.into_split())
    }
}

#[cfg(unix)]
impl Listener for tokio::net::UnixListener {
    type Read = tokio::net::unix::OwnedReadHalf;
    type Write = tokio::net::unix::OwnedWriteHalf;
    async fn accept_split(&self) -> std::io::Result<(Self::Read, Self::Write)> {
        let (stream, _) = self.accept().await?;
        Ok(stream.into_split())
    }
}

/// Accepts connections until the stop signal, then waits for them (each ends after its group
/// in flight).
async fn accept<L: Listener>(listener: L, shared: Shared) {
    let mut stop = shared.stop.clone();
    let mut sessions = tokio::task::JoinSet::new();
    loop {
        while sessions.try_join_next().is_some() {}
        tokio::select! {
            accepted = listener.accept_split() => match accepted {
                Ok((read, write)) => {
                    sessions.spawn(session::run(tokio::io::BufReader::new(read), write, shared.clone()));
                }
                Err(e) => {
                    tracing::warn!(error = %e, "accepting a Wyoming connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            () = stopped(&mut stop) => break,
        }
    }
    drop(listener);
    while sessions.join_next().await.is_some() {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_parse_and_bad_ones_say_what_is_expected() {
        assert_eq!(
            "tcp://0.0.0.0:10200".parse(),
            Ok(Uri::Tcp("0.0.0.0:10200".into()))
        );
        assert_eq!(
            "unix:///run/k.sock".parse(),
            Ok(Uri::Unix("/run/k.sock".into()))
        );
        assert_eq!("stdio://".parse(), Ok(Uri::Stdio));
        for bad in [
            "tcp://host",
            "tcp://host:port",
            "unix://",
            "http://x:1",
            "10200",
        ] {
            let err = bad.parse::<Uri>().unwrap_err();
            assert!(err.contains("expected"), "{bad}: {err}");
        }
    }
}
