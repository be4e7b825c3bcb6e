//! `POST /v1/audio/speech`: OpenAI's request, or HSE's when the body has a `mode`.

use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use kittentts::{SynthesisOptions, Synthesizer};
use kittentts_audio::Format;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::error::from_synthesis;
use crate::{ApiError, App, unix_now};

const ROUTE: &str = "speech";

/// What one request asks for, checked.
struct Job {
    tts: Synthesizer,
    model: String,
    input: String,
    options: SynthesisOptions,
    format: Format,
    sse: bool,
}

pub(crate) async fn speech(State(app): State<Arc<App>>, request: Request) -> Response {
    let response = match handle(&app, request).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    };
    app.metrics.request(ROUTE, response.status());
    response
}

async fn handle(app: &Arc<App>, request: Request) -> Result<Response, ApiError> {
    let started = Instant::now();
    if app.is_shutting_down() {
        return Err(ApiError::shutting_down());
    }
    let (parts, body) = request.into_parts();
    let json_body = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            let v = v.to_ascii_lowercase();
            v.starts_with("application/json") || v.contains("+json")
        });
    let limit = app.config.max_body_bytes;
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| ApiError::too_large(limit))?;
    // The key first: an unauthorised caller learns nothing about its body.
    app.authorize(&parts.headers)?;
    if !json_body {
        return Err(ApiError::unsupported_media_type());
    }
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::bad_request(None, format!("the body is not valid JSON: {e}")))?;
    let Value::Object(body) = value else {
        return Err(ApiError::bad_request(
            None,
            "the body must be a JSON object",
        ));
    };
    if body.contains_key("mode") {
        return hse(app, &body, started)
            .await
            .map_err(ApiError::in_hse_shape);
    }
    let job = openai_job(app, &body)?;
    let permit = Arc::clone(&app.queue)
        .try_acquire_owned()
        .map_err(|_| ApiError::queue_full(app.config.max_queue))?;
    stream_response(app, job, permit, started).await
}

fn field<'a>(body: &'a serde_json::Map<String, Value>, name: &str) -> Option<&'a Value> {
    body.get(name).filter(|v| !v.is_null())
}

fn string_field(
    body: &serde_json::Map<String, Value>,
    name: &'static str,
    required: bool,
) -> Result<Option<String>, ApiError> {
    match field(body, name) {
        None if required => Err(ApiError::bad_request(
            Some(name),
            format!("missing required parameter `{name}`"),
        )),
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(ApiError::bad_request(
            Some(name),
            format!("`{name}` must be a string, not {}", type_name(other)),
        )),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A voice as a request names it → the name the model knows: an OpenAI name through the
/// map, a KittenTTS name or id in any letter case.
fn resolve_voice(app: &App, tts: &Synthesizer, asked: &str) -> Result<String, ApiError> {
    let asked = asked.trim();
    let mapped = app
        .config
        .voice_map
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(asked))
        .map_or(asked, |(_, v)| v.as_str());
    // A blend (`Bella*0.7+Luna*0.3`) goes to the library, which checks each part.
    if mapped.contains(['+', '*']) {
        return Ok(mapped.to_owned());
    }
    let voices = tts.voices();
    if let Some(v) = voices.iter().find(|v| v.name.eq_ignore_ascii_case(mapped)) {
        return Ok(v.name.clone());
    }
    let mut available: Vec<String> = voices.into_iter().map(|v| v.name).collect();
    available.extend(app.config.voice_map.keys().cloned());
    Err(ApiError::bad_request(
        Some("voice"),
        format!(
            "unknown voice {asked:?}; available voices: {}",
            available.join(", ")
        ),
    ))
}

fn check_input(app: &App, input: String) -> Result<String, ApiError> {
    if input.trim().is_empty() {
        return Err(ApiError::bad_request(Some("input"), "`input` is empty"));
    }
    let chars = input.chars().count();
    if chars > app.config.max_input_chars {
        return Err(ApiError::bad_request(
            Some("input"),
            format!(
                "`input` has {chars} characters, over the limit of {}",
                app.config.max_input_chars
            ),
        ));
    }
    Ok(input)
}

fn check_speed(value: Option<&Value>, param: &'static str) -> Result<f32, ApiError> {
    let Some(v) = value else {
        return Ok(1.0);
    };
    let speed = v.as_f64().ok_or_else(|| {
        ApiError::bad_request(
            Some(param),
            format!("`{param}` must be a number, not {}", type_name(v)),
        )
    })?;
    if !(0.25..=4.0).contains(&speed) {
        return Err(ApiError::bad_request(
            Some(param),
            format!("`{param}` {speed} is outside 0.25 to 4.0"),
        ));
    }
    Ok(speed as f32)
}

fn openai_job(app: &App, body: &serde_json::Map<String, Value>) -> Result<Job, ApiError> {
    let model_name = string_field(body, "model", true)?;
    let served = app.model(model_name.as_deref())?;
    let input = check_input(app, string_field(body, "input", true)?.unwrap_or_default())?;
    let voice = match field(body, "voice") {
        None => {
            return Err(ApiError::bad_request(
                Some("voice"),
                "missing required parameter `voice`",
            ));
        }
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(o)) => match o.get("id") {
            Some(Value::String(id)) if o.len() == 1 => id.clone(),
            _ => {
                return Err(ApiError::bad_request(
                    Some("voice"),
                    "`voice` as an object must be {\"id\": \"<voice>\"}",
                ));
            }
        },
        Some(other) => {
            return Err(ApiError::bad_request(
                Some("voice"),
                format!(
                    "`voice` must be a string or {{\"id\": ...}}, not {}",
                    type_name(other)
                ),
            ));
        }
    };
    let voice = resolve_voice(app, &served.tts, &voice)?;
    // `instructions`: accepted and ignored (KittenTTS has no style control), but typed.
    string_field(body, "instructions", false)?;
    let format = match string_field(body, "response_format", false)?.as_deref() {
        None | Some("mp3") => Format::Mp3,
        Some("opus") => Format::Opus,
        Some("flac") => Format::Flac,
        Some("wav") => Format::Wav,
        Some("pcm") => Format::Pcm,
        Some("aac") => {
            return Err(ApiError::bad_request(
                Some("response_format"),
                "`aac` is not available in this server build; use mp3, opus, flac, wav or pcm",
            ));
        }
        Some(other) => {
            return Err(ApiError::bad_request(
                Some("response_format"),
                format!("unknown `response_format` {other:?}; use mp3, opus, flac, wav or pcm"),
            ));
        }
    };
    let sse = match string_field(body, "stream_format", false)?.as_deref() {
        None | Some("audio") => false,
        Some("sse") => true,
        Some(other) => {
            return Err(ApiError::bad_request(
                Some("stream_format"),
                format!("unknown `stream_format` {other:?}; use audio or sse"),
            ));
        }
    };
    let speed = check_speed(field(body, "speed"), "speed")?;
    Ok(Job {
        tts: served.tts.clone(),
        model: served.id.clone(),
        input,
        options: SynthesisOptions::new().voice(voice).speed(speed),
        format,
        sse,
    })
}

/// One message from the synthesis thread: bytes to send, or the error that ends the stream.
type Message = Result<Bytes, ApiError>;

/// Starts the synthesis thread; the response starts with its first bytes (so that an error
/// before any audio still gets its status).
async fn stream_response(
    app: &Arc<App>,
    job: Job,
    permit: tokio::sync::OwnedSemaphorePermit,
    started: Instant,
) -> Result<Response, ApiError> {
    let (tx, mut rx) = mpsc::channel::<Message>(8);
    let (cancel_tx, cancel_rx) = tokio::sync::oneshot::channel();
    let metrics = Arc::clone(&app.metrics);
    let in_flight = metrics.enter();
    let format = job.format;
    let sse = job.sse;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let _in_flight = in_flight;
        produce(job, &tx, cancel_tx, &metrics);
    });
    let first = rx
        .recv()
        .await
        .ok_or_else(|| ApiError::internal("the synthesis thread ended without a result"))??;
    app.metrics.first_byte(started.elapsed().as_secs_f64());
    // A client that goes away drops the body, and with it this guard: the stream is then
    // cancelled at once, even while its thread waits for a chunk.
    let guard = CancelOnDrop(cancel_rx);
    let rest = futures_util::stream::unfold((rx, guard), |(mut rx, guard)| async move {
        match rx.recv().await {
            Some(Ok(bytes)) => Some((Ok::<Bytes, std::io::Error>(bytes), (rx, guard))),
            Some(Err(e)) => {
                // Headers are sent: the status cannot change. End the body early; the
                // client sees a short response.
                tracing::warn!(error = %e.message, "speech stream failed after its first bytes");
                Some((Err(std::io::Error::other(e.message)), (rx, guard)))
            }
            None => None,
        }
    });
    let body = futures_util::StreamExt::chain(
        futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(first) }),
        rest,
    );
    let content_type = if sse {
        "text/event-stream"
    } else {
        format.content_type()
    };
    let mut response = Response::new(Body::from_stream(body));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if sse {
        headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    }
    Ok(response)
}

/// Cancels the response's synthesis when the response body is dropped (finished or not: a
/// finished stream ignores it).
struct CancelOnDrop(tokio::sync::oneshot::Receiver<kittentts::StreamCanceller>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Ok(canceller) = self.0.try_recv() {
            canceller.cancel();
        }
    }
}

/// The synthesis thread: stream, encode each chunk with one encoder, send.
fn produce(
    job: Job,
    tx: &mpsc::Sender<Message>,
    cancel_tx: tokio::sync::oneshot::Sender<kittentts::StreamCanceller>,
    metrics: &crate::Metrics,
) {
    let t = Instant::now();
    let stream = match job.tts.stream(&job.input, &job.options) {
        Ok(s) => s,
        Err(e) => {
            let _ = tx.blocking_send(Err(from_synthesis(&e)));
            return;
        }
    };
    let _ = cancel_tx.send(stream.canceller());
    let mut encoder = match kittentts_audio::encoder(job.format, kittentts::SAMPLE_RATE) {
        Ok(e) => e,
        Err(e) => {
            let _ = tx.blocking_send(Err(ApiError::internal(e.to_string())));
            return;
        }
    };
    let mut samples = 0usize;
    let send = |bytes: Vec<u8>| -> bool {
        if bytes.is_empty() {
            return true;
        }
        let message = if job.sse {
            let audio = base64::engine::general_purpose::STANDARD.encode(&bytes);
            Bytes::from(format!(
                "data: {}\n\n",
                json!({"type": "speech.audio.delta", "audio": audio})
            ))
        } else {
            Bytes::from(bytes)
        };
        tx.blocking_send(Ok(message)).is_ok()
    };
    for chunk in stream {
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) => {
                let _ = tx.blocking_send(Err(from_synthesis(&e)));
                return;
            }
        };
        samples += chunk.samples.len();
        let bytes = match encoder.push(&chunk.samples) {
            Ok(b) => b,
            Err(e) => {
                let _ = tx.blocking_send(Err(ApiError::internal(e.to_string())));
                return;
            }
        };
        if !send(bytes) {
            return; // the client went away: dropping the stream stops the work
        }
    }
    match encoder.finish() {
        Ok(tail) => {
            if !send(tail) {
                return;
            }
        }
        Err(e) => {
            let _ = tx.blocking_send(Err(ApiError::internal(e.to_string())));
            return;
        }
    }
    metrics.synthesized(t.elapsed().as_secs_f64(), samples);
    tracing::debug!(model = %job.model, samples, seconds = t.elapsed().as_secs_f64(), "speech done");
    if job.sse {
        let input_tokens = job.input.chars().count();
        // One output token per 25 ms frame of audio, the model's own unit.
        let output_tokens = samples / 600;
        let done = json!({
            "type": "speech.audio.done",
            "usage": {
                "input_tokens": input_tokens,
                "output_tokens": output_tokens,
                "total_tokens": input_tokens + output_tokens,
            }
        });
        let _ = tx.blocking_send(Ok(Bytes::from(format!("data: {done}\n\n"))));
    }
}

/// HSE's `TextToSpeechRequest` on the same path, answered with HSE's JSON.
async fn hse(
    app: &Arc<App>,
    body: &serde_json::Map<String, Value>,
    started: Instant,
) -> Result<Response, ApiError> {
    let mode = string_field(body, "mode", true)?.unwrap_or_default();
    match mode.as_str() {
        "single_speaker_tts" => {}
        "voice_cloning" => {
            return Err(ApiError::bad_request(
                Some("mode"),
                "voice_cloning is not supported by KittenTTS; use single_speaker_tts",
            ));
        }
        other => {
            return Err(ApiError::bad_request(
                Some("mode"),
                format!("unknown mode {other:?}; use single_speaker_tts"),
            ));
        }
    }
    let model_name = string_field(body, "model", true)?;
    let served = app.model(model_name.as_deref())?;
    let input = check_input(app, string_field(body, "input", true)?.unwrap_or_default())?;
    let voice = string_field(body, "voice", false)?.unwrap_or_else(|| "Jasper".into());
    let voice = resolve_voice(app, &served.tts, &voice)?;
    let object = |name: &'static str| -> Result<Option<&serde_json::Map<String, Value>>, ApiError> {
        match field(body, name) {
            None => Ok(None),
            Some(Value::Object(o)) => Ok(Some(o)),
            Some(other) => Err(ApiError::bad_request(
                Some(name),
                format!("`{name}` must be an object, not {}", type_name(other)),
            )),
        }
    };
    let speed = match object("generation_options")? {
        Some(g) => check_speed(
            g.get("speed").filter(|v| !v.is_null()),
            "generation_options.speed",
        )?,
        None => 1.0,
    };
    let output = object("output_options")?;
    let format = match output
        .and_then(|o| o.get("format"))
        .filter(|v| !v.is_null())
    {
        None => Format::Wav,
        Some(Value::String(f)) => match f.as_str() {
            "wav" => Format::Wav,
            "mp3" => Format::Mp3,
            "flac" => Format::Flac,
            "opus" | "ogg" => Format::Opus,
            "pcm" => Format::Pcm,
            other => {
                return Err(ApiError::bad_request(
                    Some("output_options.format"),
                    format!("unknown format {other:?}; use wav, mp3, flac, opus or pcm"),
                ));
            }
        },
        Some(other) => {
            return Err(ApiError::bad_request(
                Some("output_options.format"),
                format!("`format` must be a string, not {}", type_name(other)),
            ));
        }
    };
    if let Some(rate) = output
        .and_then(|o| o.get("sample_rate"))
        .filter(|v| !v.is_null())
        && rate.as_u64() != Some(u64::from(kittentts::SAMPLE_RATE))
    {
        return Err(ApiError::bad_request(
            Some("output_options.sample_rate"),
            "KittenTTS speaks at 24000 Hz only",
        ));
    }
    if output
        .and_then(|o| o.get("stream"))
        .is_some_and(|v| v.as_bool() == Some(true))
    {
        return Err(ApiError::bad_request(
            Some("output_options.stream"),
            "HSE requests are not streamed (as in HSE); use the OpenAI fields to stream",
        ));
    }
    let permit = Arc::clone(&app.queue)
        .try_acquire_owned()
        .map_err(|_| ApiError::queue_full(app.config.max_queue))?;
    let tts = served.tts.clone();
    let model = served.id.clone();
    let metrics = Arc::clone(&app.metrics);
    let options = SynthesisOptions::new().voice(voice).speed(speed);
    let audio = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let _in_flight = metrics.enter();
        let t = Instant::now();
        let audio = tts
            .synthesize(&input, &options)
            .map_err(|e| from_synthesis(&e))?;
        metrics.synthesized(t.elapsed().as_secs_f64(), audio.samples.len());
        kittentts_audio::encode(format, kittentts::SAMPLE_RATE, &audio.samples)
            .map_err(|e| ApiError::internal(e.to_string()))
    })
    .await
    .map_err(|e| ApiError::internal(format!("the synthesis task failed: {e}")))??;
    app.metrics.first_byte(started.elapsed().as_secs_f64());
    let body = json!({
        "id": format!("tts-{}", request_id()),
        "model": model,
        "created": unix_now(),
        "data": base64::engine::general_purpose::STANDARD.encode(&audio),
    });
    Ok((StatusCode::OK, axum::Json(body)).into_response())
}

/// A unique enough id: the time in nanoseconds and a counter, as hex.
fn request_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    format!(
        "{nanos:016x}{:08x}",
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}
