//! An OpenAI-compatible speech server over [`kittentts`], as a library ([`router`], to embed in
//! another axum app) and a binary (`kittentts-server`).
//!
//! | route | what |
//! |---|---|
//! | `POST /v1/audio/speech` | OpenAI's `CreateSpeechRequest` → audio streamed as it is made (`mp3`, `opus`, `flac`, `wav`, `pcm`; `stream_format=sse` for base64 events); a body with HSE's `mode` field is a Harmony Speech Engine `TextToSpeechRequest`, answered with HSE's JSON |
//! | `GET /v1/models`, `GET /v1/models/{id}` | the loaded models, OpenAI's list shape |
//! | `GET /v1/audio/voices` | `{"voices":[{"id","name"}]}` (what Open WebUI reads); `?model=` picks the model |
//! | `GET /v1/audio/speech/models` | HSE's model cards, with languages and voices |
//! | `GET /health` | `{"status":"ok"}`, 503 with `Retry-After` while draining |
//! | `GET /metrics` | Prometheus text: requests by route and status, queue depth, synthesis and audio seconds, time to first byte, model runs |
//! | `GET /` | a small page to try it (no external assets) |
//!
//! Beside the routes, `--wyoming tcp://…|unix://…|stdio://` serves Home Assistant's Wyoming
//! protocol (`describe`, `synthesize`, streaming `synthesize-start/-chunk/-stop`) over the same
//! models, queue, metrics and shutdown; see the `wyoming` module's docs in the source.
//!
//! Streaming: one encoder per response (one WAV header with "unknown" sizes, one MP3/Opus
//! encoder, an Ogg page flushed per chunk), bytes sent as each chunk is synthesised; FLAC is
//! sent whole when the audio is complete, its STREAMINFO holding the length and MD5. A client
//! that goes away cancels its synthesis: no model run starts for it afterwards. Errors are
//! OpenAI's `{"error":{"message","type","param","code"}}` (HSE's flat shape for HSE requests)
//! with the right status, never an empty 500; request fields are never used as file paths.
//!
//! The OpenAI voice names map to KittenTTS voices by [`DEFAULT_VOICE_MAP`] (the operator can
//! override it); KittenTTS names and ids work directly, case-insensitively. `instructions` is
//! accepted and ignored (KittenTTS has no style control). Unknown request fields are ignored.
#![deny(missing_docs)]

mod connections;
mod error;
mod metrics;
mod page;
mod serve;
mod speech;
mod wyoming;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kittentts::Synthesizer;
use serde_json::{Value, json};

pub use error::ApiError;
pub use metrics::Metrics;
pub use serve::{ServeArgs, init_logging, serve};

/// The OpenAI built-in voices and the KittenTTS voice each speaks with by default.
pub const DEFAULT_VOICE_MAP: [(&str, &str); 13] = [
    ("alloy", "Luna"),
    ("ash", "Jasper"),
    ("ballad", "Bruno"),
    ("coral", "Rosie"),
    ("echo", "Leo"),
    ("fable", "Hugo"),
    ("onyx", "Bruno"),
    ("nova", "Bella"),
    ("sage", "Kiki"),
    ("shimmer", "Rosie"),
    ("verse", "Jasper"),
    ("marin", "Luna"),
    ("cedar", "Hugo"),
];

/// Model names OpenAI clients send, served by the first loaded model.
pub const OPENAI_MODEL_NAMES: [&str; 3] = ["tts-1", "tts-1-hd", "gpt-4o-mini-tts"];

/// One loaded model.
#[derive(Debug, Clone)]
pub struct ServedModel {
    /// The id clients name (`kitten-tts-nano-0.8-int8`, or the name given with `name=SPEC`).
    pub id: String,
    /// The synthesizer.
    pub tts: Synthesizer,
}

/// Settings of a server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The API key; `None` lets every request in.
    pub api_key: Option<String>,
    /// The longest `input`, in characters (OpenAI's limit is 4096).
    pub max_input_chars: usize,
    /// The largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Speech requests running or waiting at once (at least 1); more get 429.
    pub max_queue: usize,
    /// OpenAI voice name → KittenTTS voice.
    pub voice_map: BTreeMap<String, String>,
    /// Longest wait for a request's body, from the end of its head; then 408. `None`: no
    /// limit.
    pub body_timeout: Option<Duration>,
    /// Require the API key on `/health` and `/metrics` too (by default they answer anyone,
    /// for load balancers and Prometheus; they tell the models loaded and the counters,
    /// nothing else).
    pub auth_status: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            api_key: None,
            max_input_chars: 4096,
            max_body_bytes: 1 << 20,
            max_queue: 64,
            body_timeout: Some(Duration::from_secs(30)),
            auth_status: false,
            voice_map: DEFAULT_VOICE_MAP
                .iter()
                .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
                .collect(),
        }
    }
}

/// The server's shared state.
#[derive(Debug)]
pub struct App {
    models: Vec<ServedModel>,
    config: ServerConfig,
    queue: Arc<tokio::sync::Semaphore>,
    metrics: Arc<Metrics>,
    shutting_down: AtomicBool,
    started: u64,
}

impl App {
    /// A server over `models` (the first is the default) with `config`. A `max_queue` of 0
    /// is taken as 1 here; the command line refuses it.
    pub fn new(models: Vec<ServedModel>, config: ServerConfig) -> Arc<Self> {
        let queue = Arc::new(tokio::sync::Semaphore::new(config.max_queue.max(1)));
        Arc::new(Self {
            models,
            config,
            queue,
            metrics: Arc::new(Metrics::default()),
            shutting_down: AtomicBool::new(false),
            started: unix_now(),
        })
    }

    /// From now on, new requests get 503 and `/health` says so; requests in flight finish.
    pub fn begin_shutdown(&self) {
        self.shutting_down.store(true, Ordering::Release);
    }

    /// Whether [`begin_shutdown`](Self::begin_shutdown) was called.
    pub fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::Acquire)
    }

    /// The metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    pub(crate) fn metrics_arc(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// The model a request names: its id, an OpenAI model name (the first model), an HSE name
    /// (`kitten-tts-nano` → a loaded model whose id starts with it), or the default when none.
    pub(crate) fn model(&self, name: Option<&str>) -> Result<&ServedModel, ApiError> {
        let first = self
            .models
            .first()
            .ok_or_else(|| ApiError::internal("no model is loaded"))?;
        let Some(name) = name.filter(|n| !n.is_empty()) else {
            return Ok(first);
        };
        if let Some(m) = self.models.iter().find(|m| m.id == name) {
            return Ok(m);
        }
        if OPENAI_MODEL_NAMES.contains(&name) {
            return Ok(first);
        }
        if name.starts_with("kitten-tts")
            && let Some(m) = self.models.iter().find(|m| {
                m.id.strip_prefix(name)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('-'))
            })
        {
            return Ok(m);
        }
        Err(ApiError::model_not_found(
            name,
            &self.models.iter().map(|m| m.id.clone()).collect::<Vec<_>>(),
        ))
    }

    /// Checks the API key (either `Authorization: Bearer` or `Api-Key` is enough), in constant
    /// time.
    pub(crate) fn authorize(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        let Some(key) = &self.config.api_key else {
            return Ok(());
        };
        let bearer = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            });
        let api_key = headers.get("api-key").and_then(|v| v.to_str().ok());
        let ok = [bearer, api_key]
            .into_iter()
            .flatten()
            .any(|given| constant_time_eq(given.trim().as_bytes(), key.as_bytes()));
        if ok {
            Ok(())
        } else {
            Err(ApiError::unauthorized())
        }
    }
}

/// Equality of two byte strings in time that depends only on their lengths.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The server's routes over `app`, to serve or to nest in another axum app.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(page::index))
        .route("/v1/audio/speech", post(speech::speech))
        .route("/v1/models", get(list_models))
        .route("/v1/models/{id}", get(get_model))
        .route("/v1/audio/voices", get(list_voices))
        .route("/v1/audio/speech/models", get(hse_models))
        .route("/health", get(health))
        .route("/metrics", get(metrics::render))
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(app)
}

async fn fallback(State(app): State<Arc<App>>, uri: Uri) -> Response {
    app.metrics.request("other", StatusCode::NOT_FOUND);
    ApiError::no_route(uri.path()).into_response()
}

async fn method_not_allowed(State(app): State<Arc<App>>) -> Response {
    app.metrics.request("other", StatusCode::METHOD_NOT_ALLOWED);
    ApiError::method_not_allowed().into_response()
}

/// Runs the checks every API route shares: shutdown, then the key.
fn gate(app: &App, headers: &HeaderMap, route: &'static str) -> Result<(), ApiError> {
    let checked = if app.is_shutting_down() {
        Err(ApiError::shutting_down())
    } else {
        app.authorize(headers)
    };
    checked.inspect_err(|e| app.metrics.request(route, e.status))
}

/// The key check of `/health` and `/metrics`: only with `--auth-status`.
fn status_gate(app: &App, headers: &HeaderMap, route: &'static str) -> Result<(), ApiError> {
    if !app.config.auth_status {
        return Ok(());
    }
    app.authorize(headers)
        .inspect_err(|e| app.metrics.request(route, e.status))
}

fn model_json(app: &App, m: &ServedModel) -> Value {
    json!({"id": m.id, "object": "model", "created": app.started, "owned_by": "kittentts"})
}

async fn list_models(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    if let Err(e) = gate(&app, &headers, "models") {
        return e.into_response();
    }
    app.metrics.request("models", StatusCode::OK);
    let data: Vec<Value> = app.models.iter().map(|m| model_json(&app, m)).collect();
    axum::Json(json!({"object": "list", "data": data})).into_response()
}

async fn get_model(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(e) = gate(&app, &headers, "models") {
        return e.into_response();
    }
    match app.models.iter().find(|m| m.id == id) {
        Some(m) => {
            app.metrics.request("models", StatusCode::OK);
            axum::Json(model_json(&app, m)).into_response()
        }
        None => {
            let e = ApiError::model_not_found(
                &id,
                &app.models.iter().map(|m| m.id.clone()).collect::<Vec<_>>(),
            );
            app.metrics.request("models", e.status);
            e.into_response()
        }
    }
}

async fn list_voices(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    if let Err(e) = gate(&app, &headers, "voices") {
        return e.into_response();
    }
    let model = match app.model(q.get("model").map(String::as_str)) {
        Ok(m) => m,
        Err(e) => {
            app.metrics.request("voices", e.status);
            return e.into_response();
        }
    };
    app.metrics.request("voices", StatusCode::OK);
    let mut voices: Vec<Value> = model
        .tts
        .voices()
        .into_iter()
        .map(|v| json!({"id": v.name, "name": v.name}))
        .collect();
    voices.extend(
        app.config
            .voice_map
            .keys()
            .map(|k| json!({"id": k, "name": k})),
    );
    axum::Json(json!({"voices": voices})).into_response()
}

async fn hse_models(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    if let Err(e) = gate(&app, &headers, "hse_models") {
        return e.into_response();
    }
    app.metrics.request("hse_models", StatusCode::OK);
    let data: Vec<Value> = app
        .models
        .iter()
        .map(|m| {
            let voices: Vec<Value> = m
                .tts
                .voices()
                .into_iter()
                .filter(|v| v.name != v.id)
                .map(|v| json!({"voice": v.name, "styles": []}))
                .collect();
            json!({
                "id": m.id,
                "object": "model",
                "created": app.started,
                "owned_by": "kittentts",
                "languages": [{"language": "en", "voices": voices}],
                "root": m.id,
                "parent": null,
            })
        })
        .collect();
    axum::Json(json!({"object": "list", "data": data})).into_response()
}

async fn health(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    if let Err(e) = status_gate(&app, &headers, "health") {
        return e.into_response();
    }
    if app.is_shutting_down() {
        app.metrics
            .request("health", StatusCode::SERVICE_UNAVAILABLE);
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(axum::http::header::RETRY_AFTER, "5")],
            axum::Json(json!({"status": "shutting_down"})),
        )
            .into_response();
    }
    app.metrics.request("health", StatusCode::OK);
    axum::Json(json!({
        "status": "ok",
        "models": app.models.iter().map(|m| m.id.clone()).collect::<Vec<_>>(),
    }))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_compare_in_full() {
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secret2"));
    }
}
