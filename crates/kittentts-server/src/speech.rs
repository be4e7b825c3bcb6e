//! `POST /v1/audio/speech`: OpenAI's request, or HSE's when the body has a `mode`.

use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use kittentts::{FirstChunk, SynthesisOptions, Synthesizer};
use kittentts_audio::Format;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::error::from_synthesis;
use crate::{ApiError, App, unix_now};

const ROUTE: &str = "speech";

/// How a response wraps the encoded audio.
#[derive(Debug, Clone, PartialEq)]
enum Framing {
    /// The audio bytes themselves.
    Audio,
    /// OpenAI's server-sent events: base64 deltas, then `speech.audio.done` (or `error`).
    Sse,
    /// HSE's JSON: `prefix`, the audio's base64 as it is encoded, then `"}`.
    Hse {
        /// `{"id":…,"model":…,"created":…,"data":"`
        prefix: String,
    },
}

/// What one request asks for, checked.
struct Job {
    tts: Synthesizer,
    model: String,
    input: String,
    options: SynthesisOptions,
    format: Format,
    framing: Framing,
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
    // The key before the body: an unauthorised caller gets its 401 before any byte of its
    // body is read (and before any `100 Continue`), and learns nothing about it.
    app.authorize(&parts.headers)?;
    let json_body = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            let v = v.to_ascii_lowercase();
            v.starts_with("application/json") || v.contains("+json")
        });
    if !json_body {
        return Err(ApiError::unsupported_media_type());
    }
    let bytes = read_body(app, body).await?;
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::bad_request(None, format!("the body is not valid JSON: {e}")))?;
    let Value::Object(body) = value else {
        return Err(ApiError::bad_request(
            None,
            "the body must be a JSON object",
        ));
    };
    // `"mode": null` is no mode: an OpenAI request.
    if field(&body, "mode").is_some() {
        let job = hse_job(app, &body).map_err(ApiError::in_hse_shape)?;
        let permit = take_place(app).map_err(ApiError::in_hse_shape)?;
        return stream_response(app, job, permit, started)
            .await
            .map_err(ApiError::in_hse_shape);
    }
    let job = openai_job(app, &body)?;
    let permit = take_place(app)?;
    stream_response(app, job, permit, started).await
}

/// A place in the queue, or 429.
pub(crate) fn take_place(app: &App) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
    Arc::clone(&app.queue)
        .try_acquire_owned()
        .map_err(|_| ApiError::queue_full(app.config.max_queue))
}

/// Reads the body within `max_body_bytes` and `body_timeout`: 413 past the size, 408 past the
/// time, 400 for a body that cannot be read (a malformed chunked encoding).
async fn read_body(app: &App, body: Body) -> Result<Bytes, ApiError> {
    let limit = app.config.max_body_bytes;
    let read = axum::body::to_bytes(body, limit);
    let result = match app.config.body_timeout {
        Some(t) => tokio::time::timeout(t, read).await.map_err(|_| {
            app.metrics.timed_out(crate::metrics::Timeout::Body);
            ApiError::body_timeout(t.as_secs_f64())
        })?,
        None => read.await,
    };
    result.map_err(|e| {
        if over_length_limit(&e) {
            ApiError::too_large(limit)
        } else {
            ApiError::unreadable_body(&e)
        }
    })
}

/// Whether a body error is the length limit's (and not a malformed or cut body).
fn over_length_limit(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if s.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = s.source();
    }
    false
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
pub(crate) fn resolve_voice(app: &App, tts: &Synthesizer, asked: &str) -> Result<String, ApiError> {
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

pub(crate) fn check_input(app: &App, input: String) -> Result<String, ApiError> {
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
    let framing = if sse { Framing::Sse } else { Framing::Audio };
    Ok(Job::new(served, input, voice, speed, format, framing))
}

impl Job {
    /// A checked request's job. Every limit is checked before the first byte, so a 200 is
    /// never cut off by one.
    fn new(
        served: &crate::ServedModel,
        input: String,
        voice: String,
        speed: f32,
        format: Format,
        framing: Framing,
    ) -> Self {
        Self {
            tts: served.tts.clone(),
            model: served.id.clone(),
            input,
            options: SynthesisOptions::new()
                .voice(voice)
                .speed(speed)
                .check_limits_first(true),
            format,
            framing,
        }
    }
}

/// One message from the synthesis thread: bytes to send, or the error that ends the stream.
type Message = Result<Bytes, ApiError>;

/// Starts the synthesis thread; the response starts with its first bytes (so that an error
/// before any audio still gets its status). Memory is bounded: a few encoded chunks wait in
/// the channel, and the stream's look-ahead bounds the rest.
async fn stream_response(
    app: &Arc<App>,
    job: Job,
    permit: tokio::sync::OwnedSemaphorePermit,
    started: Instant,
) -> Result<Response, ApiError> {
    let (tx, mut rx) = mpsc::channel::<Message>(2);
    let (cancel_tx, cancel_rx) = tokio::sync::oneshot::channel();
    let metrics = Arc::clone(&app.metrics);
    let in_flight = metrics.enter();
    let content_type = match job.framing {
        Framing::Audio => job.format.content_type(),
        Framing::Sse => "text/event-stream",
        Framing::Hse { .. } => "application/json",
    };
    let sse = job.framing == Framing::Sse;
    let whole = job.framing == Framing::Audio && !job.format.streams();
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let _in_flight = in_flight;
        produce(job, &tx, cancel_tx, &metrics);
    });
    // A client that goes away drops the body (or this future, before the first bytes), and
    // with it this guard: the stream is then cancelled at once, even while its thread waits
    // for a chunk.
    let guard = CancelOnDrop(cancel_rx);
    let first = rx
        .recv()
        .await
        .ok_or_else(|| ApiError::internal("the synthesis thread ended without a result"))??;
    app.metrics.first_byte(started.elapsed().as_secs_f64());
    if whole {
        // A format that is given whole when the audio is complete (FLAC, whose STREAMINFO
        // carries the length and MD5 that libsndfile needs): one body with its Content-Length.
        let mut response = Response::new(Body::from(first));
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        return Ok(response);
    }
    let rest = futures_util::stream::unfold((rx, guard), |(mut rx, guard)| async move {
        match rx.recv().await {
            Some(Ok(bytes)) => Some((Ok::<Bytes, std::io::Error>(bytes), (rx, guard))),
            Some(Err(e)) => {
                // Headers are sent: the status cannot change. The chunked body ends without
                // its last chunk, which every HTTP client reports as an incomplete response.
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
    let mut response = Response::new(Body::from_stream(body));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if sse {
        headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    }
    Ok(response)
}

/// Cancels a synthesis when dropped (finished or not: a finished stream ignores it): held by
/// an HTTP response body, and by a Wyoming audio group while it is sent.
pub(crate) struct CancelOnDrop(
    pub(crate) tokio::sync::oneshot::Receiver<kittentts::StreamCanceller>,
);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Ok(canceller) = self.0.try_recv() {
            canceller.cancel();
        }
    }
}

/// Wraps encoded audio as the response's framing says.
struct Framer {
    framing: Framing,
    /// HSE: the JSON's prefix, until it is sent.
    prefix: Option<String>,
    /// HSE: bytes not yet in base64 (a base64 group is 3 bytes; at most 2 wait here).
    carry: Vec<u8>,
    /// Whether any bytes have been framed (after them, a failure cannot change the status).
    sent: bool,
}

impl Framer {
    fn new(framing: Framing) -> Self {
        let prefix = match &framing {
            Framing::Hse { prefix } => Some(prefix.clone()),
            _ => None,
        };
        Self {
            framing,
            prefix,
            carry: Vec::new(),
            sent: false,
        }
    }

    /// The bytes to send for `bytes` of encoded audio (may be empty for HSE).
    fn frame(&mut self, bytes: &[u8]) -> Bytes {
        let b64 = &base64::engine::general_purpose::STANDARD;
        let out = match &self.framing {
            Framing::Audio => Bytes::copy_from_slice(bytes),
            Framing::Sse => Bytes::from(format!(
                "data: {}\n\n",
                json!({"type": "speech.audio.delta", "audio": b64.encode(bytes)})
            )),
            Framing::Hse { .. } => {
                let mut out = self.prefix.take().unwrap_or_default();
                self.carry.extend_from_slice(bytes);
                let whole = self.carry.len() / 3 * 3;
                b64.encode_string(&self.carry[..whole], &mut out);
                self.carry.drain(..whole);
                Bytes::from(out)
            }
        };
        self.sent |= !out.is_empty();
        out
    }

    /// The end of a response that succeeded: SSE's `speech.audio.done` with the usage, HSE's
    /// last base64 group and `"}`.
    fn finish(&mut self, input_chars: usize, samples: usize) -> Option<Bytes> {
        match &self.framing {
            Framing::Audio => None,
            Framing::Sse => {
                // One output token per 25 ms frame of audio, the model's own unit.
                let output_tokens = samples / 600;
                let done = json!({
                    "type": "speech.audio.done",
                    "usage": {
                        "input_tokens": input_chars,
                        "output_tokens": output_tokens,
                        "total_tokens": input_chars + output_tokens,
                    }
                });
                Some(Bytes::from(format!("data: {done}\n\n")))
            }
            Framing::Hse { .. } => {
                let mut out = self.prefix.take().unwrap_or_default();
                base64::engine::general_purpose::STANDARD.encode_string(&self.carry, &mut out);
                self.carry.clear();
                out.push_str("\"}");
                Some(Bytes::from(out))
            }
        }
    }

    /// How a failure after the first bytes ends the response: SSE sends an `error` event (the
    /// error's OpenAI body with `"type": "error"`) and ends cleanly; the other framings end the
    /// chunked body early (`None`).
    fn failure(&self, error: &ApiError) -> Option<Bytes> {
        (self.framing == Framing::Sse).then(|| {
            let mut event = error.body();
            event["type"] = json!("error");
            Bytes::from(format!("data: {event}\n\n"))
        })
    }
}

/// The synthesis thread: stream, encode each chunk with one encoder, frame, send.
fn produce(
    job: Job,
    tx: &mpsc::Sender<Message>,
    cancel_tx: tokio::sync::oneshot::Sender<kittentts::StreamCanceller>,
    metrics: &crate::Metrics,
) {
    let t = Instant::now();
    let mut framer = Framer::new(job.framing.clone());
    // An error before the first bytes gets its status; after them, the framing's ending.
    let fail = |error: ApiError, framer: &Framer| {
        let message = match framer.failure(&error) {
            Some(event) if framer.sent => Ok(event),
            _ => Err(error),
        };
        let _ = tx.blocking_send(message);
    };
    let stream = match job.tts.stream(&job.input, &job.options) {
        Ok(s) => s,
        Err(e) => return fail(from_synthesis(&e), &framer),
    };
    let _ = cancel_tx.send(stream.canceller());
    let mut encoder = match kittentts_audio::encoder(job.format, kittentts::SAMPLE_RATE) {
        Ok(e) => e,
        Err(e) => return fail(ApiError::internal(e.to_string()), &framer),
    };
    let mut samples = 0usize;
    for chunk in stream {
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) => return fail(from_synthesis(&e), &framer),
        };
        samples += chunk.samples.len();
        let bytes = match encoder.push(&chunk.samples) {
            Ok(b) => b,
            Err(e) => return fail(ApiError::internal(e.to_string()), &framer),
        };
        if bytes.is_empty() {
            continue;
        }
        let framed = framer.frame(&bytes);
        if framed.is_empty() {
            continue;
        }
        if tx.blocking_send(Ok(framed)).is_err() {
            return; // the client went away: dropping the stream stops the work
        }
    }
    let tail = match encoder.finish() {
        Ok(tail) => tail,
        Err(e) => return fail(ApiError::internal(e.to_string()), &framer),
    };
    if !tail.is_empty() && tx.blocking_send(Ok(framer.frame(&tail))).is_err() {
        return;
    }
    metrics.synthesized(t.elapsed().as_secs_f64(), samples);
    tracing::debug!(model = %job.model, samples, seconds = t.elapsed().as_secs_f64(), "speech done");
    if let Some(end) = framer.finish(job.input.chars().count(), samples) {
        let _ = tx.blocking_send(Ok(end));
    }
}

/// HSE's `TextToSpeechRequest` on the same path, answered with HSE's JSON, streamed.
fn hse_job(app: &App, body: &serde_json::Map<String, Value>) -> Result<Job, ApiError> {
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
    let prefix = format!(
        "{{\"id\":{},\"model\":{},\"created\":{},\"data\":\"",
        Value::from(format!("tts-{}", request_id())),
        Value::from(served.id.as_str()),
        unix_now(),
    );
    let mut job = Job::new(served, input, voice, speed, format, Framing::Hse { prefix });
    // HSE's audio is not played as it comes: the reference's chunking (as `synthesize`).
    job.options.first_chunk = FirstChunk::Whole;
    Ok(job)
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn hse_framing_is_one_base64_string_however_the_audio_is_split() {
        let audio: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        let whole = base64::engine::general_purpose::STANDARD.encode(&audio);
        for split in [1, 2, 3, 4, 7, 500, 999, 1000] {
            let mut framer = Framer::new(Framing::Hse {
                prefix: "{\"id\":\"x\",\"data\":\"".into(),
            });
            let mut out = Vec::new();
            for piece in audio.chunks(split) {
                out.extend_from_slice(&framer.frame(piece));
            }
            out.extend_from_slice(&framer.finish(5, 1000).unwrap());
            let value: Value = serde_json::from_slice(&out).unwrap();
            assert_eq!(value["data"], Value::from(whole.as_str()), "split {split}");
            assert_eq!(value["id"], "x");
        }
        // Nothing framed yet: the prefix still comes once.
        let mut framer = Framer::new(Framing::Hse {
            prefix: "{\"data\":\"".into(),
        });
        assert_eq!(&framer.finish(0, 0).unwrap()[..], b"{\"data\":\"\"}");
    }

    #[test]
    fn a_failure_after_the_first_bytes_is_an_sse_error_event_and_cuts_the_others() {
        let error = ApiError::bad_request(Some("input"), "too long");
        let sse = Framer::new(Framing::Sse).failure(&error).unwrap();
        let text = std::str::from_utf8(&sse).unwrap();
        let event: Value =
            serde_json::from_str(text.strip_prefix("data: ").unwrap().trim()).unwrap();
        assert_eq!(event["type"], "error");
        assert_eq!(event["error"]["message"], "too long");
        assert_eq!(event["error"]["param"], "input");
        assert!(Framer::new(Framing::Audio).failure(&error).is_none());
        assert!(
            Framer::new(Framing::Hse {
                prefix: String::new()
            })
            .failure(&error)
            .is_none()
        );
    }

    #[test]
    fn sse_deltas_decode_to_the_audio_and_done_counts_frames() {
        let mut framer = Framer::new(Framing::Sse);
        let delta = framer.frame(&[1, 2, 3, 4]);
        let text = std::str::from_utf8(&delta).unwrap();
        let event: Value =
            serde_json::from_str(text.strip_prefix("data: ").unwrap().trim()).unwrap();
        assert_eq!(event["audio"], "AQIDBA==");
        let done = framer.finish(10, 1200).unwrap();
        let event: Value = serde_json::from_str(
            std::str::from_utf8(&done)
                .unwrap()
                .strip_prefix("data: ")
                .unwrap()
                .trim(),
        )
        .unwrap();
        assert_eq!(event["usage"]["output_tokens"], 2);
        assert_eq!(event["usage"]["total_tokens"], 12);
    }
}
