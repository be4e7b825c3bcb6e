//! One Wyoming connection: its events, one at a time, and the audio groups they ask for.

use std::sync::Arc;
use std::time::Instant;

use axum::http::StatusCode;
use kittentts::SynthesisOptions;
use kittentts_audio::Format;
use serde_json::{Value, json};
use tokio::io::{AsyncBufRead, AsyncWrite, AsyncWriteExt as _};
use tokio::sync::mpsc;

use super::event::{Event, ReadError, encode, read_event};
use super::{Shared, stopped};
use crate::{ApiError, App};

/// Samples per `audio-chunk` (wyoming-piper's default).
const SAMPLES_PER_CHUNK: usize = 1024;
/// Bytes per sample (16-bit PCM).
const WIDTH: usize = 2;
/// The route name of Wyoming requests in the metrics.
const ROUTE: &str = "wyoming";
/// Who made the models.
const ATTRIBUTION: (&str, &str) = ("KittenML", "https://github.com/KittenML/KittenTTS");

/// A model as `info` lists it: its id and its voices (name, voice id).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ProgramSpec {
    /// The model id.
    pub(crate) id: String,
    /// Its voices: (name a client sends, voice id).
    pub(crate) voices: Vec<(String, String)>,
    /// The model's version (config.json's `version`), when known.
    pub(crate) version: Option<String>,
}

impl ProgramSpec {
    /// A loaded model's program: every alias, and the ids no alias names.
    pub(crate) fn of(id: &str, tts: &kittentts::Synthesizer) -> Self {
        let all = tts.voices();
        let aliased: Vec<&str> = all
            .iter()
            .filter(|v| v.name != v.id)
            .map(|v| v.id.as_str())
            .collect();
        let voices = all
            .iter()
            .filter(|v| v.name != v.id || !aliased.contains(&v.id.as_str()))
            .map(|v| (v.name.clone(), v.id.clone()))
            .collect();
        Self {
            id: id.to_owned(),
            voices,
            version: tts.config().version.clone(),
        }
    }

    fn to_json(&self, prefix: Option<&str>) -> Value {
        let attribution = json!({"name": ATTRIBUTION.0, "url": ATTRIBUTION.1});
        let voices: Vec<Value> = self
            .voices
            .iter()
            .map(|(name, id)| {
                let gender = match id.rsplit('-').next() {
                    Some("f") => ", female",
                    Some("m") => ", male",
                    _ => "",
                };
                let shown = match prefix {
                    Some(p) => format!("{p}/{name}"),
                    None => name.clone(),
                };
                json!({
                    "name": shown,
                    "description": format!("{name} ({id}{gender})"),
                    "attribution": attribution,
                    "installed": true,
                    "version": self.version,
                    "languages": ["en_US"],
                })
            })
            .collect();
        json!({
            "name": self.id,
            "description": format!("KittenTTS {} (kittentts-rs {})", self.id, env!("CARGO_PKG_VERSION")),
            "attribution": attribution,
            "installed": true,
            "version": self.version.clone().unwrap_or_else(|| env!("CARGO_PKG_VERSION").to_owned()),
            "voices": voices,
            "supports_synthesize_streaming": true,
        })
    }
}

/// `info`'s data: one TTS program per model. Voices of the first model are listed by their
/// names; those of the others as `MODEL/NAME` (Home Assistant uses the first program).
fn info(programs: &[ProgramSpec]) -> Value {
    let tts: Vec<Value> = programs
        .iter()
        .enumerate()
        .map(|(i, p)| p.to_json((i > 0).then_some(p.id.as_str())))
        .collect();
    json!({"asr": [], "tts": tts, "handle": [], "intent": [], "wake": [], "mic": [], "snd": []})
}

/// Why a connection ends.
enum End {
    /// The client went away or a write failed.
    Gone,
}

/// A streaming request in progress.
struct Streaming {
    voice: Option<Value>,
    /// Text received and not yet spoken.
    pending: String,
}

/// Serves one connection until it closes, goes idle, breaks the framing or the server stops.
pub(crate) async fn run<R, W>(mut reader: R, mut writer: W, shared: Shared)
where
    R: AsyncBufRead + Unpin + Send,
    W: AsyncWrite + Unpin + Send,
{
    let mut stop = shared.stop.clone();
    let mut streaming: Option<Streaming> = None;
    loop {
        if *stop.borrow() {
            break;
        }
        let read = async {
            match shared.idle_timeout {
                Some(t) => tokio::time::timeout(t, read_event(&mut reader)).await.ok(),
                None => Some(read_event(&mut reader).await),
            }
        };
        let event = tokio::select! {
            r = read => r,
            () = stopped(&mut stop) => break,
        };
        let event = match event {
            None => {
                tracing::debug!("wyoming connection idle: closed");
                break;
            }
            Some(Err(ReadError::Closed)) => break,
            Some(Err(ReadError::Fatal(message))) => {
                let _ = send_error(&mut writer, &shared, &message, "bad_event").await;
                break;
            }
            Some(Err(ReadError::Malformed(message))) => {
                if send_error(&mut writer, &shared, &message, "bad_event")
                    .await
                    .is_err()
                {
                    break;
                }
                continue;
            }
            Some(Ok(event)) => event,
        };
        if handle(event, &mut streaming, &mut writer, &shared)
            .await
            .is_err()
        {
            break;
        }
    }
    let _ = writer.shutdown().await;
}

/// Answers one event.
async fn handle<W: AsyncWrite + Unpin + Send>(
    event: Event,
    streaming: &mut Option<Streaming>,
    writer: &mut W,
    shared: &Shared,
) -> Result<(), End> {
    let text_of = |event: &Event| match event.data.get("text") {
        Some(Value::String(s)) => Ok(s.clone()),
        _ => Err(format!("`{}` needs a `text` string", event.kind)),
    };
    match event.kind.as_str() {
        "describe" => {
            let data = match shared.app.borrow().as_ref() {
                Some(app) => info(
                    &app.models
                        .iter()
                        .map(|m| ProgramSpec::of(&m.id, &m.tts))
                        .collect::<Vec<_>>(),
                ),
                None => info(&shared.pending),
            };
            write(writer, shared, encode("info", Some(data), b"")).await
        }
        "ping" => {
            let data = event.data.get("text").map(|t| json!({"text": t}));
            write(writer, shared, encode("pong", data, b"")).await
        }
        "synthesize" => {
            if streaming.is_some() {
                // The compatibility event a streaming client sends with the whole text.
                return Ok(());
            }
            match text_of(&event) {
                Ok(text) => speak(writer, shared, &text, event.data.get("voice")).await,
                Err(m) => send_error(writer, shared, &m, "bad_request").await,
            }
        }
        "synthesize-start" => {
            if streaming.is_some() {
                return send_error(writer, shared, "`synthesize-start` while a streaming request is open; send `synthesize-stop` first", "out_of_order").await;
            }
            *streaming = Some(Streaming {
                voice: event.data.get("voice").cloned(),
                pending: String::new(),
            });
            Ok(())
        }
        "synthesize-chunk" => {
            let Some(open) = streaming.as_mut() else {
                return send_error(
                    writer,
                    shared,
                    "`synthesize-chunk` outside `synthesize-start` … `synthesize-stop`",
                    "out_of_order",
                )
                .await;
            };
            let text = match text_of(&event) {
                Ok(t) => t,
                Err(m) => return send_error(writer, shared, &m, "bad_request").await,
            };
            open.pending.push_str(&text);
            let voice = open.voice.clone();
            for sentence in complete_sentences(&mut open.pending) {
                speak(writer, shared, &sentence, voice.as_ref()).await?;
            }
            Ok(())
        }
        "synthesize-stop" => {
            let Some(open) = streaming.take() else {
                return send_error(
                    writer,
                    shared,
                    "`synthesize-stop` without `synthesize-start`",
                    "out_of_order",
                )
                .await;
            };
            let rest = open.pending.trim();
            if rest.chars().any(char::is_alphanumeric) {
                speak(writer, shared, rest, open.voice.as_ref()).await?;
            }
            write(writer, shared, encode("synthesize-stopped", None, b"")).await
        }
        other => {
            let message = format!(
                "unsupported event {other:?}: this is a text-to-speech server (describe, synthesize, synthesize-start/-chunk/-stop, ping)"
            );
            send_error(writer, shared, &message, "unsupported_event").await
        }
    }
}

/// Takes the sentences of `pending` that are complete (another sentence has begun after
/// them), as the chunker cuts them: "Dr." or "$5.99" never end one.
fn complete_sentences(pending: &mut String) -> Vec<String> {
    let chunks = kittentts::text::chunk_ranges(pending, kittentts::text::DEFAULT_MAX_CHUNK_CHARS);
    if chunks.len() < 2 {
        return Vec::new();
    }
    let byte_at = |chars: usize| {
        pending
            .char_indices()
            .nth(chars)
            .map_or(pending.len(), |(b, _)| b)
    };
    let mut out = Vec::new();
    let mut start = 0;
    for next in &chunks[1..] {
        let end = byte_at(next.chars.start);
        out.push(pending[start..end].trim().to_owned());
        start = end;
    }
    pending.replace_range(..start, "");
    out.retain(|s| s.chars().any(char::is_alphanumeric));
    out
}

/// Writes `bytes`, within the write timeout.
async fn write<W: AsyncWrite + Unpin>(
    writer: &mut W,
    shared: &Shared,
    bytes: Vec<u8>,
) -> Result<(), End> {
    let io = async {
        writer.write_all(&bytes).await?;
        writer.flush().await
    };
    match shared.write_timeout {
        Some(t) => match tokio::time::timeout(t, io).await {
            Ok(Ok(())) => Ok(()),
            _ => Err(End::Gone),
        },
        None => io.await.map_err(|_| End::Gone),
    }
}

async fn send_error<W: AsyncWrite + Unpin>(
    writer: &mut W,
    shared: &Shared,
    text: &str,
    code: &str,
) -> Result<(), End> {
    write(
        writer,
        shared,
        encode("error", Some(json!({"text": text, "code": code})), b""),
    )
    .await
}

async fn send_api_error<W: AsyncWrite + Unpin>(
    writer: &mut W,
    shared: &Shared,
    app: &App,
    e: &ApiError,
) -> Result<(), End> {
    app.metrics.request(ROUTE, e.status);
    let code = e.code.unwrap_or(e.kind);
    send_error(writer, shared, &e.message, code).await
}

/// Waits for the models to load.
async fn loaded(shared: &Shared) -> Option<Arc<App>> {
    let mut rx = shared.app.clone();
    let app = rx.wait_for(Option::is_some).await.ok()?;
    app.as_ref().map(Arc::clone)
}

/// The model and voice a `voice` object names: `{"name": "Leo"}`, `{"name": "MODEL/Leo"}`,
/// or none (the first model's default voice).
fn choose(
    app: &App,
    voice: Option<&Value>,
) -> Result<(crate::ServedModel, Option<String>), ApiError> {
    let name = match voice.and_then(|v| v.get("name")) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(s.trim().to_owned()),
        Some(_) => {
            return Err(ApiError::bad_request(
                Some("voice"),
                "`voice.name` must be a string",
            ));
        }
    };
    let (model, name) = match name.as_deref().and_then(|n| n.split_once('/')) {
        Some((model, voice)) if app.models.iter().any(|m| m.id == model) => {
            (app.model(Some(model))?, Some(voice.to_owned()))
        }
        _ => (app.model(None)?, name),
    };
    let voice = match name {
        Some(n) => Some(crate::speech::resolve_voice(app, &model.tts, &n)?),
        None => None,
    };
    Ok((model.clone(), voice))
}

/// Speaks `text` as one audio group.
async fn speak<W: AsyncWrite + Unpin + Send>(
    writer: &mut W,
    shared: &Shared,
    text: &str,
    voice: Option<&Value>,
) -> Result<(), End> {
    let started = Instant::now();
    let Some(app) = loaded(shared).await else {
        return send_error(writer, shared, "the server is stopping", "shutting_down").await;
    };
    if app.is_shutting_down() {
        return send_api_error(writer, shared, &app, &ApiError::shutting_down()).await;
    }
    let job = choose(&app, voice).and_then(|(model, voice)| {
        let input = crate::speech::check_input(&app, text.to_owned())?;
        let permit = crate::speech::take_place(&app)?;
        Ok((model, voice, input, permit))
    });
    let (model, voice, input, permit) = match job {
        Ok(j) => j,
        Err(e) => return send_api_error(writer, shared, &app, &e).await,
    };
    let mut options = SynthesisOptions::new().check_limits_first(true);
    if let Some(v) = voice {
        options = options.voice(v);
    }
    let (tx, mut rx) = mpsc::channel::<Result<Vec<u8>, ApiError>>(2);
    let metrics = Arc::clone(app.metrics_arc());
    let in_flight = metrics.enter();
    let (cancel_tx, cancel_rx) = tokio::sync::oneshot::channel::<kittentts::StreamCanceller>();
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let _in_flight = in_flight;
        let t = Instant::now();
        let stream = match model.tts.stream(&input, &options) {
            Ok(s) => s,
            Err(e) => {
                let _ = tx.blocking_send(Err(crate::error::from_synthesis(&e)));
                return;
            }
        };
        let _ = cancel_tx.send(stream.canceller());
        let mut samples = 0;
        for chunk in stream {
            let bytes = chunk
                .map_err(|e| crate::error::from_synthesis(&e))
                .and_then(|c| {
                    samples += c.samples.len();
                    kittentts_audio::encode(Format::Pcm, kittentts::SAMPLE_RATE, &c.samples)
                        .map_err(|e| ApiError::internal(e.to_string()))
                });
            let failed = bytes.is_err();
            if tx.blocking_send(bytes).is_err() || failed {
                return;
            }
        }
        metrics.synthesized(t.elapsed().as_secs_f64(), samples);
    });
    let cancel = crate::speech::CancelOnDrop(cancel_rx);
    let format = json!({"rate": kittentts::SAMPLE_RATE, "width": WIDTH, "channels": 1});
    let mut started_group = false;
    let mut carry: Vec<u8> = Vec::new();
    let chunk_bytes = SAMPLES_PER_CHUNK * WIDTH;
    while let Some(item) = rx.recv().await {
        let bytes = match item {
            Ok(b) => b,
            Err(e) => {
                if started_group {
                    write(writer, shared, encode("audio-stop", None, b"")).await?;
                }
                return send_api_error(writer, shared, &app, &e).await;
            }
        };
        if !started_group {
            started_group = true;
            app.metrics.first_byte(started.elapsed().as_secs_f64());
            write(
                writer,
                shared,
                encode("audio-start", Some(format.clone()), b""),
            )
            .await?;
        }
        carry.extend_from_slice(&bytes);
        let whole = carry.len() / chunk_bytes * chunk_bytes;
        let mut out = Vec::new();
        for piece in carry[..whole].chunks(chunk_bytes) {
            out.extend(encode("audio-chunk", Some(format.clone()), piece));
        }
        carry.drain(..whole);
        if !out.is_empty() {
            write(writer, shared, out).await?;
        }
    }
    drop(cancel);
    if !started_group {
        return send_api_error(
            writer,
            shared,
            &app,
            &ApiError::internal("the synthesis ended without audio"),
        )
        .await;
    }
    if !carry.is_empty() {
        write(
            writer,
            shared,
            encode("audio-chunk", Some(format.clone()), &carry),
        )
        .await?;
    }
    app.metrics.request(ROUTE, StatusCode::OK);
    write(writer, shared, encode("audio-stop", None, b"")).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn take(text: &str) -> (Vec<String>, String) {
        let mut pending = text.to_owned();
        let done = complete_sentences(&mut pending);
        (done, pending)
    }

    #[test]
    fn only_sentences_followed_by_another_are_complete() {
        assert_eq!(take("Hello there"), (vec![], "Hello there".into()));
        assert_eq!(take("Hello there."), (vec![], "Hello there.".into()));
        assert_eq!(
            take("Hello there. How"),
            (vec!["Hello there.".into()], "How".into())
        );
        assert_eq!(
            take("One. Two! Three? Fo"),
            (
                vec!["One.".into(), "Two!".into(), "Three?".into()],
                "Fo".into()
            )
        );
        // An abbreviation or a decimal point never ends a sentence.
        assert_eq!(take("Ask Dr. Smith"), (vec![], "Ask Dr. Smith".into()));
        assert_eq!(
            take("It costs $5.99 now"),
            (vec![], "It costs $5.99 now".into())
        );
        assert_eq!(take("It costs $5."), (vec![], "It costs $5.".into()));
        // Non-ASCII text before the cut.
        assert_eq!(
            take("Café déjà vu. Et"),
            (vec!["Café déjà vu.".into()], "Et".into())
        );
    }

    #[test]
    fn info_lists_every_voice_with_what_home_assistant_needs() {
        let spec = ProgramSpec {
            id: "kitten-tts-nano-0.8-int8".into(),
            voices: vec![
                ("Leo".into(), "expr-voice-5-m".into()),
                ("Bella".into(), "expr-voice-2-f".into()),
            ],
            version: Some("0.8".into()),
        };
        let mut second = spec.clone();
        second.id = "mini".into();
        let data = info(&[spec, second]);
        let tts = data["tts"].as_array().unwrap();
        assert_eq!(tts.len(), 2);
        assert_eq!(tts[0]["supports_synthesize_streaming"], true);
        assert_eq!(tts[0]["attribution"]["name"], "KittenML");
        let voices = tts[0]["voices"].as_array().unwrap();
        assert_eq!(voices[0]["name"], "Leo");
        assert_eq!(voices[0]["languages"], json!(["en_US"]));
        assert_eq!(voices[0]["description"], "Leo (expr-voice-5-m, male)");
        assert_eq!(voices[1]["description"], "Bella (expr-voice-2-f, female)");
        assert_eq!(tts[1]["voices"][0]["name"], "mini/Leo");
    }
}
