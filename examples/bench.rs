//! Times synthesis end to end, the way `kitten_ref.py bench` times the Python reference: load
//! the model once, synthesise the first line once as a warm-up, then synthesise every line
//! `--repeat` times and keep the best total. Prints one JSON object with the same fields.
//!
//! ```text
//! cargo run --release --example bench -- --model ../shared/models/standin-nano --threads 2 < texts.txt
//! ```
//! `scripts/bench-vs-reference.sh` runs both on the same texts and prints the ratio.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod common;

use std::io::BufRead;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use kittentts::{SAMPLE_RATE, SynthesisOptions, Synthesizer};
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
    /// ONNX Runtime intra-op threads (0: its own choice).
    #[arg(long, default_value_t = 0)]
    threads: usize,
}

fn main() -> ExitCode {
    common::main_with("bench", || run(&Args::parse()))
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
    let tts = builder.build()?;
    let load_s = t0.elapsed().as_secs_f64();
    let options = SynthesisOptions::new().voice(&args.voice);
    tts.synthesize(first, &options)?;
    let mut best = f64::INFINITY;
    let mut samples = 0;
    for _ in 0..args.repeat.max(1) {
        let t = Instant::now();
        samples = 0;
        for text in &texts {
            samples += tts.synthesize(text, &options)?.samples.len();
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    let audio_s = samples as f64 / f64::from(SAMPLE_RATE);
    let round = |x: f64, digits: i32| (x * 10f64.powi(digits)).round() / 10f64.powi(digits);
    println!(
        "{}",
        json!({
            "load_s": round(load_s, 4),
            "texts": texts.len(),
            "best_total_s": round(best, 4),
            "audio_s": round(audio_s, 3),
            "rtf": round(if audio_s > 0.0 { best / audio_s } else { 0.0 }, 4),
        })
    );
    Ok(())
}
