//! Prometheus metrics, kept in atomics and one small map.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::App;

/// Upper bounds of the time-to-first-byte histogram, in seconds.
const TTFB_BUCKETS: [f64; 10] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0];

/// The server's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(&'static str, u16), u64>>,
    in_flight: AtomicU64,
    synthesis_micros: AtomicU64,
    audio_samples: AtomicU64,
    ttfb_buckets: [AtomicU64; TTFB_BUCKETS.len()],
    ttfb_count: AtomicU64,
    ttfb_micros: AtomicU64,
    connections_open: AtomicU64,
    connections_refused: AtomicU64,
    timeouts: [AtomicU64; Timeout::ALL.len()],
}

/// What a connection timed out on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Timeout {
    /// The request head took longer than `--header-timeout`.
    Header,
    /// The request body took longer than `--body-timeout`.
    Body,
    /// No request and no bytes for `--idle-timeout`.
    Idle,
    /// The client read nothing for `--write-timeout`.
    Write,
}

impl Timeout {
    const ALL: [Timeout; 4] = [Self::Header, Self::Body, Self::Idle, Self::Write];

    fn name(self) -> &'static str {
        match self {
            Self::Header => "header",
            Self::Body => "body",
            Self::Idle => "idle",
            Self::Write => "write",
        }
    }
}

impl Metrics {
    /// Counts one answered request.
    pub fn request(&self, route: &'static str, status: StatusCode) {
        *self
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry((route, status.as_u16()))
            .or_default() += 1;
    }

    /// How many requests with this route and status were answered.
    pub fn requests(&self, route: &'static str, status: u16) -> u64 {
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&(route, status))
            .copied()
            .unwrap_or(0)
    }

    pub(crate) fn enter(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(Arc::clone(self))
    }

    pub(crate) fn synthesized(&self, seconds: f64, samples: usize) {
        self.synthesis_micros
            .fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
        self.audio_samples
            .fetch_add(samples as u64, Ordering::Relaxed);
    }

    pub(crate) fn first_byte(&self, seconds: f64) {
        for (i, &bound) in TTFB_BUCKETS.iter().enumerate() {
            if seconds <= bound {
                self.ttfb_buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.ttfb_count.fetch_add(1, Ordering::Relaxed);
        self.ttfb_micros
            .fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
    }
}

impl Metrics {
    pub(crate) fn connection_opened(self: &Arc<Self>) -> OpenConnection {
        self.connections_open.fetch_add(1, Ordering::Relaxed);
        OpenConnection(Arc::clone(self))
    }

    pub(crate) fn connection_refused(&self) {
        self.connections_refused.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn timed_out(&self, what: Timeout) {
        self.timeouts[what as usize].fetch_add(1, Ordering::Relaxed);
    }
}

/// An open connection: the connections gauge.
pub(crate) struct OpenConnection(Arc<Metrics>);

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.0.connections_open.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A request being served (or waiting for a session): the queue-depth gauge.
pub(crate) struct InFlight(Arc<Metrics>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// One metric with one value: its HELP, TYPE and value lines.
fn one(out: &mut String, name: &str, kind: &str, help: &str, value: impl std::fmt::Display) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
    let _ = writeln!(out, "{name} {value}");
}

pub(crate) async fn render(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    if let Err(e) = crate::status_gate(&app, &headers, "metrics") {
        return e.into_response();
    }
    app.metrics.request("metrics", StatusCode::OK);
    let m = &app.metrics;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# HELP kittentts_requests_total Requests answered, by route and status."
    );
    let _ = writeln!(out, "# TYPE kittentts_requests_total counter");
    for ((route, status), n) in m
        .requests
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
    {
        let _ = writeln!(
            out,
            "kittentts_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
        );
    }
    one(
        &mut out,
        "kittentts_requests_in_flight",
        "gauge",
        "Speech requests running or waiting for a session.",
        m.in_flight.load(Ordering::Relaxed),
    );
    let (mut waiting, mut idle, mut runs) = (0, 0, 0);
    for model in &app.models {
        waiting += model.tts.model().waiting();
        idle += model.tts.model().idle_sessions();
        runs += model.tts.model().runs_started();
    }
    one(
        &mut out,
        "kittentts_queue_depth",
        "gauge",
        "Model runs waiting for a free session.",
        waiting,
    );
    one(
        &mut out,
        "kittentts_idle_sessions",
        "gauge",
        "ONNX Runtime sessions free right now.",
        idle,
    );
    one(
        &mut out,
        "kittentts_model_runs_started_total",
        "counter",
        "Model runs started.",
        runs,
    );
    one(
        &mut out,
        "kittentts_synthesis_seconds_total",
        "counter",
        "Wall time spent making speech.",
        m.synthesis_micros.load(Ordering::Relaxed) as f64 / 1e6,
    );
    one(
        &mut out,
        "kittentts_audio_seconds_total",
        "counter",
        "Seconds of audio made.",
        m.audio_samples.load(Ordering::Relaxed) as f64 / f64::from(kittentts::SAMPLE_RATE),
    );
    let _ = writeln!(
        out,
        "# HELP kittentts_time_to_first_byte_seconds From a speech request to its first audio byte."
    );
    let _ = writeln!(out, "# TYPE kittentts_time_to_first_byte_seconds histogram");
    for (i, bound) in TTFB_BUCKETS.iter().enumerate() {
        let _ = writeln!(
            out,
            "kittentts_time_to_first_byte_seconds_bucket{{le=\"{bound}\"}} {}",
            m.ttfb_buckets[i].load(Ordering::Relaxed)
        );
    }
    let count = m.ttfb_count.load(Ordering::Relaxed);
    let _ = writeln!(
        out,
        "kittentts_time_to_first_byte_seconds_bucket{{le=\"+Inf\"}} {count}"
    );
    let _ = writeln!(
        out,
        "kittentts_time_to_first_byte_seconds_sum {}",
        m.ttfb_micros.load(Ordering::Relaxed) as f64 / 1e6
    );
    let _ = writeln!(out, "kittentts_time_to_first_byte_seconds_count {count}");
    one(
        &mut out,
        "kittentts_connections_open",
        "gauge",
        "HTTP connections open now.",
        m.connections_open.load(Ordering::Relaxed),
    );
    one(
        &mut out,
        "kittentts_connections_refused_total",
        "counter",
        "Connections answered 503 at --max-connections.",
        m.connections_refused.load(Ordering::Relaxed),
    );
    let _ = writeln!(
        out,
        "# HELP kittentts_timeouts_total Connections and requests ended by a timeout, by kind."
    );
    let _ = writeln!(out, "# TYPE kittentts_timeouts_total counter");
    for kind in Timeout::ALL {
        let _ = writeln!(
            out,
            "kittentts_timeouts_total{{kind=\"{}\"}} {}",
            kind.name(),
            m.timeouts[kind as usize].load(Ordering::Relaxed)
        );
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response()
}
