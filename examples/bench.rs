//! Times synthesis end to end, the way `kitten_ref.py bench` times the Python reference: load
//! the model once, synthesise the first line once as a warm-up, then synthesise every line
//! `--repeat` times and keep the best total. Prints one JSON object with the reference's fields
//! (`load_s`, `texts`, `best_total_s`, `audio_s`, `rtf`) and more.
//!
//! ```text
//! cargo run --release --example bench -- --model ../shared/models/standin-nano --threads 2 < texts.txt
//! cargo run --release --example bench -- --model DIR --callers 2 --sessions 2 --threads 1 < texts.txt
//! cargo run --release --example bench -- --model DIR --stream --sessions 2 --threads 1 < long.txt
//! ```
//! `--callers C` runs C threads over the lines on one shared `Synthesizer` (each line once per
//! pass, taken in turn by whichever caller is free) and adds `callers`, `latency_p50_s` and
//! `latency_p95_s` (per call, best pass). `--stream` times `stream()` instead of
//! `synthesize()` and adds `first_audio_p50_s` / `first_audio_p95_s`, the time from the call to
//! its first chunk; `--first-only` stops each stream there. `peak_rss_mb` is the process's peak resident memory (Linux `VmHWM`).
//! `scripts/bench-vs-reference.sh` and `scripts/bench-engine.sh` use it.
#![allow(clippy::print_stdout, clippy::print_stderr)]

#[path = "../crates/kittentts-cli/src/common.rs"]
mod common;

use std::io::BufRead;
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use clap::Parser;
use kittentts::{FirstChunk, SAMPLE_RATE, SynthesisOptions, Synthesizer};
use serde_json::json;

/// Times synthesis of stdin's lines.
#[derive(Parser)]
struct Args {
    /// Model folder, hub repo id or bare KittenML name.
    #[arg(long)]
    model: String,
    /// Voice id or alias.
    #[arg(long, default_value = "expr-voice-5-m")]
    voice: String,
    /// Timed passes over all lines; the best is reported.
    #[arg(long, default_value_t = 3)]
    repeat: usize,
    /// ONNX Runtime intra-op threads per session (0: from the core count).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// ONNX Runtime sessions (0: from the core count).
    #[arg(long, default_value_t = 0)]
    sessions: usize,
    /// Give each session its own ONNX Runtime session (`share_session(false)`).
    #[arg(long)]
    separate_sessions: bool,
    /// Every run gets the same thread count (`adaptive_threads(false)`).
    #[arg(long)]
    fixed_threads: bool,
    /// Run `Sin`, `InstanceNormalization` and `ConvInteger` on ONNX Runtime's own kernels
    /// (`parallel_kernels(false)`).
    #[arg(long)]
    plain_kernels: bool,
    /// The most input ids the runs going at once may hold together, or `none`
    /// (`ids_in_flight`; default: the library's).
    #[arg(long)]
    ids_in_flight: Option<kittentts::onnx::IdsInFlight>,
    /// How many chunks of one text may run at once (`chunks_at_once`; default: the
    /// library's).
    #[arg(long)]
    chunks_at_once: Option<usize>,
    /// Threads calling the one shared synthesizer at once.
    #[arg(long, default_value_t = 1)]
    callers: usize,
    /// Time `stream()` (and its first chunk) instead of `synthesize()`.
    #[arg(long)]
    stream: bool,
    /// With `--stream`: stop each stream after its first chunk (the first audio of a long text
    /// without synthesising the rest).
    #[arg(long, requires = "stream")]
    first_only: bool,
    /// Longest input text, in characters.
    #[arg(long)]
    max_chars: Option<usize>,
    /// The first chunk's length limit in characters (`0`: the reference's chunking); default
    /// the library's (short in a stream).
    #[arg(long)]
    first_chars: Option<usize>,
}

fn main() -> ExitCode {
    common::main_with("bench", || run(&Args::parse()))
}

/// One call's figures.
#[derive(Clone, Copy)]
struct Call {
    samples: usize,
    total_s: f64,
    first_s: f64,
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let texts: Vec<String> = std::io::stdin()
        .lock()
        .lines()
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|t| !t.trim().is_empty())
        .collect();
    let first = texts.first().ok_or("no text on stdin")?;
    let t0 = Instant::now();
    let mut builder = Synthesizer::builder().model(&args.model);
    if args.threads > 0 {
        builder = builder.intra_threads(args.threads);
    }
    if args.separate_sessions {
        builder = builder.share_session(false);
    }
    if args.fixed_threads {
        builder = builder.adaptive_threads(false);
    }
    if args.plain_kernels {
        builder = builder.parallel_kernels(false);
    }
    if args.sessions > 0 {
        builder = builder.sessions(args.sessions);
    }
    if let Some(kittentts::onnx::IdsInFlight(ids)) = args.ids_in_flight {
        builder = builder.ids_in_flight(ids);
    }
    if let Some(chunks) = args.chunks_at_once {
        builder = builder.chunks_at_once(chunks);
    }
    if let Some(chars) = args.max_chars {
        builder = builder.max_text_chars(chars).max_audio_seconds(1e7);
    }
    let tts = builder.build()?;
    let load_s = t0.elapsed().as_secs_f64();
    let mut options = SynthesisOptions::new().voice(&args.voice);
    match args.first_chars {
        Some(0) => options = options.first_chunk(FirstChunk::Whole),
        Some(max_chars) => options = options.first_chunk(FirstChunk::Short { max_chars }),
        None => {}
    }
    one_call(&tts, first, &options, args)?;

    let mut best: Option<(f64, Vec<Call>)> = None;
    for _ in 0..args.repeat.max(1) {
        let next = AtomicUsize::new(0);
        let calls = Mutex::new(Vec::with_capacity(texts.len()));
        let t = Instant::now();
        std::thread::scope(|s| -> Result<(), String> {
            let handles: Vec<_> = (0..args.callers.max(1))
                .map(|_| {
                    s.spawn(|| -> Result<(), String> {
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(text) = texts.get(i) else {
                                return Ok(());
                            };
                            let call =
                                one_call(&tts, text, &options, args).map_err(|e| e.to_string())?;
                            calls
                                .lock()
                                .map_err(|_| "a caller panicked".to_owned())?
                                .push(call);
                        }
                    })
                })
                .collect();
            for h in handles {
                h.join().map_err(|_| "a caller panicked".to_owned())??;
            }
            Ok(())
        })?;
        let wall = t.elapsed().as_secs_f64();
        let calls = calls.into_inner().map_err(|_| "a caller panicked")?;
        if best.as_ref().is_none_or(|(b, _)| wall < *b) {
            best = Some((wall, calls));
        }
    }
    let (best, calls) = best.ok_or("no pass ran")?;
    let samples: usize = calls.iter().map(|c| c.samples).sum();
    let audio_s = samples as f64 / f64::from(SAMPLE_RATE);
    let round = |x: f64, digits: i32| (x * 10f64.powi(digits)).round() / 10f64.powi(digits);
    let totals: Vec<f64> = calls.iter().map(|c| c.total_s).collect();
    let mut out = json!({
        "load_s": round(load_s, 4),
        "texts": texts.len(),
        "best_total_s": round(best, 4),
        "wall_s": round(best, 4),
        "audio_s": round(audio_s, 3),
        "rtf": round(if audio_s > 0.0 { best / audio_s } else { 0.0 }, 4),
        "callers": args.callers.max(1),
        "sessions": tts.sessions(),
        "threads": tts.intra_threads(),
        "latency_p50_s": round(percentile(&totals, 0.5), 4),
        "latency_p95_s": round(percentile(&totals, 0.95), 4),
    });
    if args.stream {
        let firsts: Vec<f64> = calls.iter().map(|c| c.first_s).collect();
        out["first_audio_p50_s"] = json!(round(percentile(&firsts, 0.5), 4));
        out["first_audio_p95_s"] = json!(round(percentile(&firsts, 0.95), 4));
    }
    if let Some(mb) = peak_rss_mb() {
        out["peak_rss_mb"] = json!(round(mb, 1));
    }
    println!("{out}");
    Ok(())
}

fn one_call(
    tts: &Synthesizer,
    text: &str,
    options: &SynthesisOptions,
    args: &Args,
) -> Result<Call, kittentts::Error> {
    let t = Instant::now();
    if !args.stream {
        let samples = tts.synthesize(text, options)?.samples.len();
        let total_s = t.elapsed().as_secs_f64();
        return Ok(Call {
            samples,
            total_s,
            first_s: total_s,
        });
    }
    let mut samples = 0;
    let mut first_s = None;
    let mut stream = tts.stream(text, options)?;
    for chunk in stream.by_ref() {
        samples += chunk?.samples.len();
        first_s.get_or_insert_with(|| t.elapsed().as_secs_f64());
        if args.first_only {
            break;
        }
    }
    let total_s = t.elapsed().as_secs_f64();
    drop(stream);
    // A run the dropped stream had started still finishes: wait for it (untimed), so that it
    // does not take the cores from the next call, or run on while the process exits.
    while tts.model().idle_sessions() < tts.sessions() {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    Ok(Call {
        samples,
        total_s,
        first_s: first_s.unwrap_or(total_s),
    })
}

/// The `q` quantile (nearest rank) of `values`.
fn percentile(values: &[f64], q: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return 0.0;
    }
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1]
}

/// The process's peak resident set in MB (`VmHWM` of `/proc/self/status`), where there is one.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}
