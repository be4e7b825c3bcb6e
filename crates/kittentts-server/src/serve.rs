//! The `kittentts-server` command line, shared by the binary and `kittentts serve`.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use kittentts::Synthesizer;

use crate::connections::{self, NetConfig};
use crate::{App, ServedModel, ServerConfig, router};

/// File descriptors kept free beside the connections: the listener, the models' files, the
/// runtimes, logs, and the refusals' short-lived sockets.
const RESERVED_DESCRIPTORS: usize = 96;

/// An OpenAI-compatible (and Harmony-Speech-Engine-compatible) KittenTTS speech server.
#[derive(clap::Args, Debug, Clone)]
pub struct ServeArgs {
    /// A model to serve: a folder, a hub repo id or a bare KittenML name, optionally
    /// `name=SPEC` to name it. Repeatable; the first is the default.
    #[arg(long, required = true)]
    pub model: Vec<String>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on.
    #[arg(long, default_value_t = 8880)]
    pub port: u16,
    /// Require this API key (`Authorization: Bearer <key>` or `Api-Key: <key>`).
    #[arg(long, env = "KITTENTTS_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// ONNX Runtime sessions per model (default: from the core count).
    #[arg(long)]
    pub sessions: Option<usize>,
    /// ONNX Runtime threads per session (default: from the core count).
    #[arg(long)]
    pub threads: Option<usize>,
    /// The longest `input`, in characters.
    #[arg(long, default_value_t = 4096)]
    pub max_input_chars: usize,
    /// The largest request body, in bytes.
    #[arg(long, default_value_t = 1 << 20)]
    pub max_body_bytes: usize,
    /// Speech requests running or waiting at once (at least 1); more get 429 with Retry-After.
    #[arg(long, default_value_t = 64, value_parser = at_least_one)]
    pub max_queue: usize,
    /// Connections open at once; more are answered 503 with Retry-After and closed. Lowered
    /// (with a warning) to what the process's descriptor limit allows.
    #[arg(long, default_value_t = 512, value_parser = at_least_one)]
    pub max_connections: usize,
    /// Seconds a client has to send a request's head (slow-header clients are cut); 0: no limit.
    #[arg(long, default_value_t = 30.0, value_parser = seconds)]
    pub header_timeout: f64,
    /// Seconds a client has to send a request's body after its head; then 408. 0: no limit.
    #[arg(long, default_value_t = 30.0, value_parser = seconds)]
    pub body_timeout: f64,
    /// Seconds a connection with no request in flight may stay silent before it is closed
    /// (keep-alive); 0: no limit (the header timeout still applies).
    #[arg(long, default_value_t = 15.0, value_parser = seconds)]
    pub idle_timeout: f64,
    /// Seconds one write may wait for a client that does not read; then the connection is
    /// closed, its synthesis stops and its queue place is freed. A client that plays the
    /// audio as it comes (1x real time) is never near it. 0: no limit.
    #[arg(long, default_value_t = 30.0, value_parser = seconds)]
    pub write_timeout: f64,
    /// Seconds to drain after SIGTERM/SIGINT (503 to new requests, those in flight finish);
    /// then the connections still open are cut and the server exits 0.
    #[arg(long, default_value_t = 30.0, value_parser = seconds)]
    pub shutdown_timeout: f64,
    /// The kernel send buffer of each connection, in bytes (SO_SNDBUF; default: the
    /// system's, which grows to megabytes). Smaller bounds the memory a slow client holds
    /// and makes the write timeout see a stalled client sooner.
    #[arg(long)]
    pub send_buffer: Option<usize>,
    /// Also require the API key on /health and /metrics (open by default, for load balancers
    /// and Prometheus).
    #[arg(long)]
    pub auth_status: bool,
    /// Allow browser requests from this origin (`*` for any). Repeatable.
    #[arg(long)]
    pub cors_origin: Vec<String>,
    /// Map an OpenAI voice name to a KittenTTS voice: `alloy=Bella`. Repeatable; replaces
    /// that name's default.
    #[arg(long)]
    pub voice_map: Vec<String>,
    /// Refuse a libespeak-ng other than 1.52 instead of warning.
    #[arg(long)]
    pub strict_espeak: bool,
}

/// Loads the models and serves until SIGINT or SIGTERM (then finishes what is in flight).
///
/// # Errors
/// A model that does not load, a bad flag, an address that cannot be bound.
pub fn serve(args: ServeArgs) -> Result<(), Box<dyn std::error::Error>> {
    if args.shutdown_timeout <= 0.0 {
        return Err("--shutdown-timeout must be above 0 seconds".into());
    }
    let mut models = Vec::new();
    for spec in &args.model {
        let (name, spec) = match spec.split_once('=') {
            Some((name, spec)) if !name.is_empty() && !name.contains('/') => {
                (Some(name.to_owned()), spec)
            }
            _ => (None, spec.as_str()),
        };
        let mut builder = Synthesizer::builder()
            .model(spec)
            .strict_espeak_version(args.strict_espeak);
        if let Some(s) = args.sessions {
            builder = builder.sessions(s);
        }
        if let Some(t) = args.threads {
            builder = builder.intra_threads(t);
        }
        let tts = builder.build()?;
        let id = name.unwrap_or_else(|| default_id(spec, &tts));
        tracing::info!(model = %id, dir = %tts.model_dir().display(), sessions = tts.sessions(), threads = tts.intra_threads(), "model loaded");
        models.push(ServedModel { id, tts });
    }
    let mut config = ServerConfig {
        api_key: args.api_key.filter(|k| !k.is_empty()),
        max_input_chars: args.max_input_chars,
        max_body_bytes: args.max_body_bytes,
        max_queue: args.max_queue,
        body_timeout: timeout(args.body_timeout),
        auth_status: args.auth_status,
        ..ServerConfig::default()
    };
    let net = NetConfig {
        header_timeout: timeout(args.header_timeout),
        idle_timeout: timeout(args.idle_timeout),
        write_timeout: timeout(args.write_timeout),
        max_connections: connection_limit(args.max_connections),
        shutdown_timeout: Duration::from_secs_f64(args.shutdown_timeout),
        send_buffer: args.send_buffer,
    };
    let mut overrides = BTreeMap::new();
    for pair in &args.voice_map {
        let (from, to) = pair
            .split_once('=')
            .ok_or_else(|| format!("--voice-map {pair:?}: expected OPENAI_NAME=VOICE"))?;
        overrides.insert(from.to_ascii_lowercase(), to.to_owned());
    }
    config.voice_map.extend(overrides);
    let app = App::new(models, config);
    let mut routes = router(Arc::clone(&app));
    if !args.cors_origin.is_empty() {
        use tower_http::cors::{AllowOrigin, Any, CorsLayer};
        let origin = if args.cors_origin.iter().any(|o| o == "*") {
            AllowOrigin::any()
        } else {
            let list = args
                .cors_origin
                .iter()
                .map(|o| o.parse())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("--cors-origin: {e}"))?;
            AllowOrigin::list(list)
        };
        routes = routes.layer(
            CorsLayer::new()
                .allow_origin(origin)
                .allow_methods(Any)
                .allow_headers(Any),
        );
    }
    let addr: SocketAddr = format!("{}:{}", args.host, args.port)
        .parse()
        .or_else(|_| {
            std::net::ToSocketAddrs::to_socket_addrs(&(args.host.as_str(), args.port))
                .map_err(|e| e.to_string())
                .and_then(|mut a| a.next().ok_or_else(|| "no address".to_owned()))
        })
        .map_err(|e| format!("--host {}: {e}", args.host))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let result = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        tracing::info!(%addr, max_connections = net.max_connections, "listening");
        connections::run(listener, routes, app, net, shutdown_signal()).await;
        tracing::info!("stopped");
        Ok::<(), Box<dyn std::error::Error>>(())
    });
    // Synthesis threads of cut connections stop before their next model run; do not wait
    // long for one that is inside a run.
    runtime.shutdown_timeout(Duration::from_secs(2));
    result
}

fn at_least_one(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

fn seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=86_400.0).contains(&v) => Ok(v),
        Ok(v) => Err(format!("{v} is not a number of seconds from 0 to 86400")),
        Err(e) => Err(e.to_string()),
    }
}

/// A timeout flag's value: 0 is none.
fn timeout(seconds: f64) -> Option<Duration> {
    (seconds > 0.0).then(|| Duration::from_secs_f64(seconds))
}

/// `wanted` connections, or fewer when the descriptor limit (raised to its hard limit
/// first) cannot hold them beside [`RESERVED_DESCRIPTORS`].
fn connection_limit(wanted: usize) -> usize {
    let Some(available) = descriptor_limit() else {
        return wanted;
    };
    let fits = available.saturating_sub(RESERVED_DESCRIPTORS).max(1);
    if fits < wanted {
        tracing::warn!(
            max_connections = wanted,
            descriptor_limit = available,
            using = fits,
            "the open-file limit is too low for --max-connections; using fewer (raise it with ulimit -n)"
        );
        return fits;
    }
    wanted
}

/// The soft open-file limit, after raising it to the hard limit.
#[cfg(unix)]
fn descriptor_limit() -> Option<usize> {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    if limit.current < limit.maximum {
        let raised = Rlimit {
            current: limit.maximum,
            maximum: limit.maximum,
        };
        if setrlimit(Resource::Nofile, raised).is_ok() {
            return limit
                .maximum
                .map(|n| usize::try_from(n).unwrap_or(usize::MAX));
        }
    }
    limit
        .current
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
}

#[cfg(not(unix))]
fn descriptor_limit() -> Option<usize> {
    None
}

/// The id a model gets without `name=`: the hub repo's name, or the folder's name.
fn default_id(spec: &str, tts: &Synthesizer) -> String {
    let path = std::path::Path::new(spec);
    if path.is_dir() {
        return path
            .canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| spec.to_owned());
    }
    let repo = spec.split('@').next().unwrap_or(spec);
    let name = repo.rsplit('/').next().unwrap_or(repo);
    if name.is_empty() {
        tts.model_dir().display().to_string()
    } else {
        name.to_owned()
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// Logs the server's news at INFO and ONNX Runtime's only from WARN, on stderr (coloured
/// only on a terminal). Does nothing when a subscriber is already set.
pub fn init_logging() {
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    let targets = tracing_subscriber::filter::Targets::new()
        .with_default(tracing::Level::INFO)
        .with_target("ort", tracing::Level::WARN);
    let _ = tracing_subscriber::registry()
        .with(targets)
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
                .with_writer(std::io::stderr),
        )
        .try_init();
}
