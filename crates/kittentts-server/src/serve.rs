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
    /// Give every run the same thread count, instead of every core to a run that starts
    /// alone and a share to runs beside others: one ONNX Runtime session less (about 43 MB
    /// with the nano fp32 model), 10–15% slower for concurrent requests on 2 cores.
    #[arg(long)]
    pub fixed_threads: bool,
    /// The most input ids that one model's runs going at once hold together, or `none`: a
    /// run's memory grows with its length, so this keeps two long inputs from running at
    /// once (doubling the peak) while short ones still go side by side; a run alone always
    /// starts. Default: 256, half the model's context.
    #[arg(long)]
    pub ids_in_flight: Option<kittentts::onnx::IdsInFlight>,
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
    /// Also serve Home Assistant's Wyoming protocol here: `tcp://HOST:PORT` (10200 is the
    /// usual port), `unix://PATH` or `stdio://` (one client on stdin/stdout; the server stops
    /// when stdin ends). Repeatable. It shares the models, the queue, the metrics and the
    /// graceful shutdown with the HTTP API, and answers `describe` while the models load.
    #[arg(long, value_name = "URI")]
    pub wyoming: Vec<String>,
    /// Serve Wyoming only (needs `--wyoming`): no HTTP listener.
    #[arg(long, requires = "wyoming")]
    pub no_http: bool,
    /// Seconds a Wyoming connection may stay silent between events before it is closed; 0:
    /// no limit.
    #[arg(long, default_value_t = 120.0, value_parser = seconds)]
    pub wyoming_idle_timeout: f64,
}

/// Loads the models and serves until SIGINT or SIGTERM (then finishes what is in flight).
///
/// # Errors
/// A model that does not load, a bad flag, an address that cannot be bound.
pub fn serve(args: ServeArgs) -> Result<(), Box<dyn std::error::Error>> {
    if args.shutdown_timeout <= 0.0 {
        return Err("--shutdown-timeout must be above 0 seconds".into());
    }
    let wyoming_uris = args
        .wyoming
        .iter()
        .map(|u| u.parse::<crate::wyoming::Uri>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("--wyoming {e}"))?;
    let pending: Vec<_> = args
        .model
        .iter()
        .map(|spec| pending_program(spec))
        .collect();
    // The CORS origins are checked before anything is loaded.
    cors_layer(&args.cors_origin)?;
    let mut config = ServerConfig {
        api_key: args.api_key.clone().filter(|k| !k.is_empty()),
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
    let shutdown_timeout = net.shutdown_timeout;
    let result = runtime.block_on(async move {
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let stop_tx = Arc::new(stop_tx);
        let (app_tx, app_rx) = tokio::sync::watch::channel(None);
        // Wyoming listens before the models load, so that `describe` is answered at once.
        let wyoming = if wyoming_uris.is_empty() {
            None
        } else {
            let shared = crate::wyoming::Shared {
                app: app_rx,
                pending: Arc::new(pending),
                idle_timeout: timeout(args.wyoming_idle_timeout),
                write_timeout: net.write_timeout,
                stop: stop_rx.clone(),
            };
            Some(crate::wyoming::Servers::start(&wyoming_uris, shared, Arc::clone(&stop_tx)).await?)
        };
        let signal_tx = Arc::clone(&stop_tx);
        tokio::spawn(async move {
            shutdown_signal().await;
            let _ = signal_tx.send(true);
        });
        let load_args = args.clone();
        let models = tokio::task::spawn_blocking(move || load_models(&load_args))
            .await
            .map_err(|e| format!("loading the models panicked: {e}"))??;
        let app = App::new(models, config);
        let _ = app_tx.send(Some(Arc::clone(&app)));
        let stopped = {
            let mut rx = stop_rx.clone();
            async move { crate::wyoming::stopped(&mut rx).await }
        };
        let wyoming_drain = async {
            if let Some(servers) = wyoming {
                crate::wyoming::stopped(&mut stop_rx.clone()).await;
                app.begin_shutdown();
                servers.drain(shutdown_timeout).await;
            }
        };
        if args.no_http {
            tokio::join!(
                async {
                    stopped.await;
                    app.begin_shutdown();
                },
                wyoming_drain
            );
        } else {
            let mut routes = router(Arc::clone(&app));
            if let Some(layer) = cors_layer(&args.cors_origin)? {
                routes = routes.layer(layer);
            }
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
            tracing::info!(%addr, max_connections = net.max_connections, "listening");
            tokio::join!(
                connections::run(listener, routes, Arc::clone(&app), net, stopped),
                wyoming_drain
            );
        }
        tracing::info!("stopped");
        Ok::<(), Box<dyn std::error::Error>>(())
    });
    // Synthesis threads of cut connections stop before their next model run; do not wait
    // long for one that is inside a run.
    runtime.shutdown_timeout(Duration::from_secs(2));
    result
}

/// The CORS layer of `--cors-origin`, if any.
fn cors_layer(origins: &[String]) -> Result<Option<tower_http::cors::CorsLayer>, String> {
    use tower_http::cors::{AllowOrigin, Any, CorsLayer};
    if origins.is_empty() {
        return Ok(None);
    }
    let origin = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        let list = origins
            .iter()
            .map(|o| o.parse())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("--cors-origin: {e}"))?;
        AllowOrigin::list(list)
    };
    Ok(Some(
        CorsLayer::new()
            .allow_origin(origin)
            .allow_methods(Any)
            .allow_headers(Any),
    ))
}

/// `name=SPEC` → (`name`, `SPEC`); a spec without a name (or a repo id with a `/` before
/// any `=`) → (`None`, spec).
fn split_name(spec: &str) -> (Option<String>, &str) {
    match spec.split_once('=') {
        Some((name, rest)) if !name.is_empty() && !name.contains('/') => {
            (Some(name.to_owned()), rest)
        }
        _ => (None, spec),
    }
}

/// Loads every `--model`.
fn load_models(args: &ServeArgs) -> Result<Vec<ServedModel>, kittentts::Error> {
    let mut models = Vec::new();
    for spec in &args.model {
        let (name, spec) = split_name(spec);
        let mut builder = Synthesizer::builder()
            .model(spec)
            .strict_espeak_version(args.strict_espeak);
        if let Some(s) = args.sessions {
            builder = builder.sessions(s);
        }
        if let Some(t) = args.threads {
            builder = builder.intra_threads(t);
        }
        if args.fixed_threads {
            builder = builder.adaptive_threads(false);
        }
        if let Some(kittentts::onnx::IdsInFlight(ids)) = args.ids_in_flight {
            builder = builder.ids_in_flight(ids);
        }
        let tts = builder.build()?;
        // Every session now, not on the first requests at once.
        tts.model().make_all_sessions();
        let id = name.unwrap_or_else(|| default_id(spec, &tts));
        tracing::info!(model = %id, dir = %tts.model_dir().display(), sessions = tts.sessions(), threads = tts.intra_threads(), ort_sessions = tts.model().ort_sessions(), "model loaded");
        models.push(ServedModel { id, tts });
    }
    Ok(models)
}

/// What `info` lists for a model before it is loaded: a local folder's voices from its
/// config.json, else the voices every KittenML model has.
fn pending_program(spec: &str) -> crate::wyoming::ProgramSpec {
    let (name, spec) = split_name(spec);
    let dir = std::path::Path::new(spec);
    let config = kittentts::voices::ModelConfig::from_file(&dir.join("config.json")).ok();
    let id = name.unwrap_or_else(|| id_of(spec));
    let voices = match &config {
        Some(c) if !c.voice_aliases.is_empty() => c
            .voice_aliases
            .iter()
            .map(|(n, v)| (n.clone(), v.clone()))
            .collect(),
        _ => KITTENML_VOICES
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect(),
    };
    crate::wyoming::ProgramSpec {
        id,
        voices,
        version: config.and_then(|c| c.version),
    }
}

/// The voices of every KittenML 0.8 model (their config.json's aliases).
const KITTENML_VOICES: [(&str, &str); 8] = [
    ("Bella", "expr-voice-2-f"),
    ("Jasper", "expr-voice-2-m"),
    ("Luna", "expr-voice-3-f"),
    ("Bruno", "expr-voice-3-m"),
    ("Rosie", "expr-voice-4-f"),
    ("Hugo", "expr-voice-4-m"),
    ("Kiki", "expr-voice-5-f"),
    ("Leo", "expr-voice-5-m"),
];

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
    let id = id_of(spec);
    if id.is_empty() {
        tts.model_dir().display().to_string()
    } else {
        id
    }
}

/// [`default_id`] before the model is loaded (empty for a spec that names nothing).
fn id_of(spec: &str) -> String {
    let path = std::path::Path::new(spec);
    if path.is_dir() {
        return path
            .canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| spec.to_owned());
    }
    let repo = spec.split('@').next().unwrap_or(spec);
    repo.rsplit('/').next().unwrap_or(repo).to_owned()
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Command {
        #[command(flatten)]
        serve: ServeArgs,
    }

    fn parse(args: &[&str]) -> Result<ServeArgs, clap::Error> {
        Command::try_parse_from(["kittentts-server", "--model", "m"].iter().chain(args))
            .map(|c| c.serve)
    }

    #[test]
    fn the_ids_in_flight_flag_is_a_count_or_none() {
        let ids = |args: &[&str]| parse(args).map(|a| a.ids_in_flight);
        assert_eq!(ids(&[]).ok(), Some(None));
        assert_eq!(
            ids(&["--ids-in-flight", "128"]).ok(),
            Some(Some(kittentts::onnx::IdsInFlight(Some(128))))
        );
        assert_eq!(
            ids(&["--ids-in-flight", "none"]).ok(),
            Some(Some(kittentts::onnx::IdsInFlight(None)))
        );
        let refused = ids(&["--ids-in-flight", "lots"])
            .err()
            .map(|e| e.to_string());
        assert!(
            refused.is_some_and(|e| e.contains("`lots` is neither a count of ids nor `none`")),
            "the flag's error names the value"
        );
    }
}
