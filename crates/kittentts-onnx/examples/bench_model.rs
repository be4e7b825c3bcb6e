//! Times `AcousticModel::run` on any KittenTTS-contract ONNX file (e.g. the 0.8 stand-ins in
//! `/work/shared/models`), one JSON line per (model, token count).
//!
//! ```sh
//! cargo run --release -p kittentts-onnx --example bench_model -- \
//!     --threads 2 --runs 5 --tokens 5,50,200,510 path/to/model.onnx [more.onnx ...]
//! # the same inputs through Python onnxruntime, for comparison:
//! $PY crates/kittentts-onnx/examples/bench_model.py --threads 2 --runs 5 --tokens 5,50,200,510 path/to/model.onnx
//! ```
//!
//! Inputs (identical in bench_model.py): ids `[0] + [(7 i + 3) mod 177 + 1 for i < N - 3] + [10, 0]`,
//! style `0.1 sin(0.37 j)` for j < 256, speed 1.0. One warm-up run, then `--runs` timed runs.
//! `cpu_s` is the process CPU time (user + system, all threads, from `/proc/self/stat` at
//! 100 ticks/s; Linux only, else 0) per run, averaged: less sensitive than wall time to other
//! processes competing for the cores.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

#[path = "inputs/mod.rs"]
mod inputs;

use inputs::{ids, style};
use kittentts_onnx::{AcousticModel, ModelOptions};

struct Args {
    threads: usize,
    runs: usize,
    tokens: Vec<usize>,
    models: Vec<PathBuf>,
}

fn parse() -> Result<Args, String> {
    let mut args = Args {
        threads: 2,
        runs: 5,
        tokens: vec![5, 50, 200, 510],
        models: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--threads" => {
                args.threads = value("--threads")?
                    .parse()
                    .map_err(|e| format!("--threads: {e}"))?
            }
            "--runs" => {
                args.runs = value("--runs")?
                    .parse()
                    .map_err(|e| format!("--runs: {e}"))?
            }
            "--tokens" => {
                args.tokens = value("--tokens")?
                    .split(',')
                    .map(|t| t.parse().map_err(|e| format!("--tokens: {e}")))
                    .collect::<Result<_, _>>()?;
            }
            _ => args.models.push(PathBuf::from(a)),
        }
    }
    if args.models.is_empty() || args.runs == 0 || args.tokens.iter().any(|&n| n < 3) {
        return Err("usage: bench_model [--threads N] [--runs R] [--tokens 5,50,...(each >= 3)] MODEL.onnx...".into());
    }
    Ok(args)
}

/// Process CPU seconds so far (user + system, all threads), from `/proc/self/stat`.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse()?;
    let style = style();
    let mut out = std::io::stdout().lock();
    for model_path in &args.models {
        let t0 = Instant::now();
        let options = ModelOptions::new()
            .with_intra_threads(args.threads)
            .with_inter_threads(1);
        let model = AcousticModel::load(model_path, &options)?;
        let load_s = t0.elapsed().as_secs_f64();
        for &n in &args.tokens {
            let ids = ids(n);
            let warm = model.run(&ids, &style, 1.0)?;
            let mut times = Vec::with_capacity(args.runs);
            let cpu0 = cpu_seconds();
            for _ in 0..args.runs {
                let t = Instant::now();
                let o = model.run(&ids, &style, 1.0)?;
                times.push(t.elapsed().as_secs_f64());
                std::hint::black_box(o);
            }
            let cpu_s = (cpu_seconds() - cpu0) / args.runs as f64;
            times.sort_by(f64::total_cmp);
            let frames: i64 = warm.durations.as_deref().unwrap_or_default().iter().sum();
            writeln!(
                out,
                "{{\"impl\": \"rust\", \"model\": \"{}\", \"threads\": {}, \"N\": {n}, \"runs\": {}, \"load_s\": {load_s:.4}, \
                 \"median_s\": {:.5}, \"min_s\": {:.5}, \"cpu_s\": {cpu_s:.4}, \"samples\": {}, \"frames\": {frames}, \"ort\": \"{}\"}}",
                model_path.display(),
                args.threads,
                args.runs,
                times[times.len() / 2],
                times[0],
                warm.waveform.len(),
                kittentts_onnx::runtime_version().unwrap_or_default(),
            )?;
        }
    }
    Ok(())
}
