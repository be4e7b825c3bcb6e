//! Reads chunk texts on stdin (one per line; a line that is a JSON object uses its `"text"`
//! field, so texts with newlines or NULs can be given) and writes one JSON object per line:
//! `{"text", "phonemes", "items", "input_ids"}` with `input_ids` wrapped as the model gets them.
//!
//! ```text
//! cargo run -p kittentts-phonemize --release --example phonemize_lines < chunks.txt
//! # time phonemise + tokenise over all lines, best of N rounds (prints one JSON summary):
//! cargo run -p kittentts-phonemize --release --example phonemize_lines -- --bench 5 < chunks.txt
//! # the same with 2 libespeak-ng instances and 2 threads (EspeakConfig::instances):
//! cargo run -p kittentts-phonemize --release --example phonemize_lines -- --bench 5 --threads 2 < chunks.txt
//! ```
//! `scripts/phonemize-bench.sh` uses the `--bench` mode to compare with the Python reference.

use std::io::{BufRead, Write};
use std::time::Instant;

use kittentts_phonemize::{EspeakConfig, Phonemizer, tokenize, wrap_ids};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (rounds, threads) = match args.as_slice() {
        [] => (None, 1),
        [flag, n] if flag == "--bench" => (Some(n.parse::<usize>()?), 1),
        [flag, n, t, k] if flag == "--bench" && t == "--threads" => {
            (Some(n.parse::<usize>()?), k.parse::<usize>()?.max(1))
        }
        _ => return Err("usage: phonemize_lines [--bench ROUNDS [--threads N]] < lines".into()),
    };
    let mut texts = Vec::new();
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let text = if line.starts_with('{') {
            match serde_json::from_str::<serde_json::Value>(&line)?.get("text") {
                Some(serde_json::Value::String(s)) => s.clone(),
                _ => line,
            }
        } else {
            line
        };
        texts.push(text);
    }
    let phonemizer = Phonemizer::new(&EspeakConfig {
        instances: threads,
        ..EspeakConfig::default()
    })?;
    if !phonemizer.is_reference_version() {
        writeln!(
            std::io::stderr(),
            "warning: libespeak-ng {} is not 1.52: ids may differ from the reference",
            phonemizer.espeak_version()
        )?;
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if let Some(rounds) = rounds {
        let cpu0 = process_cpu_seconds();
        let mut best = f64::INFINITY;
        let mut total_ids = 0usize;
        for _ in 0..rounds.max(1) {
            let t0 = Instant::now();
            let per_thread = texts.len().div_ceil(threads).max(1);
            total_ids = std::thread::scope(|s| {
                let handles: Vec<_> = texts
                    .chunks(per_thread)
                    .map(|part| {
                        let phonemizer = phonemizer.clone();
                        s.spawn(move || {
                            part.iter()
                                .map(|t| Ok(wrap_ids(&tokenize(&phonemizer.phonemize(t)?)).len()))
                                .sum::<Result<usize, kittentts_phonemize::Error>>()
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join()
                            .map_err(|_| "a bench thread panicked")?
                            .map_err(|e| e.to_string())
                    })
                    .sum::<Result<usize, String>>()
            })?;
            best = best.min(t0.elapsed().as_secs_f64());
        }
        let rounds = rounds.max(1);
        let cpu_per_round = process_cpu_seconds()
            .zip(cpu0)
            .map(|(b, a)| (b - a) / rounds as f64);
        let summary = serde_json::json!({
            "cpu_s_per_round": cpu_per_round,
            "texts": texts.len(),
            "ids": total_ids,
            "best_total_s": best,
            "chunks_per_s": texts.len() as f64 / best,
            "espeak": phonemizer.espeak_version(),
            "threads": threads,
        });
        writeln!(out, "{summary}")?;
        return Ok(());
    }
    for t in &texts {
        let items = phonemizer.phonemize_items(t)?;
        let phonemes = phonemizer.phonemize(t)?;
        let row = serde_json::json!({
            "text": t,
            "phonemes": phonemes,
            "items": items,
            "input_ids": wrap_ids(&tokenize(&phonemes)),
        });
        writeln!(out, "{row}")?;
    }
    Ok(())
}

/// User + system CPU time of this process (Linux `/proc/self/stat`, 100 ticks per second);
/// `None` elsewhere. Less sensitive than wall time to other processes on a busy machine.
fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // the fields after the command name, which is in parentheses and may contain spaces
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the full line: 12 and 13 after ")"
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}
