//! Shows what the front end makes of each line of text: one JSON object per input line.
//!
//! ```text
//! echo "It costs $5." | cargo run --release --example inspect
//! {"text":"It costs $5.","normalized":"It costs five dollars.","chunks":[{"text":…,"phonemes":…,"input_ids":[0,…,10,0],"style_row":22}]}
//! ```
//! `--no-normalize` skips normalisation; `--only-normalize` prints `{"text", "normalized"}`
//! alone (and loads no libespeak-ng). A line that fails prints `{"text", "error"}` and the
//! run goes on. No model is needed.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod common;

use std::io::{BufRead, BufWriter, Write};
use std::process::ExitCode;

use clap::Parser;
use kittentts::{EspeakConfig, Frontend, NormalizeOptions, text::Normalizer};
use serde_json::json;

/// Prints the front end's stages for each line of stdin as JSON.
#[derive(Parser)]
struct Args {
    /// Skip text normalisation (phonemise each line as written).
    #[arg(long, conflicts_with = "only_normalize")]
    no_normalize: bool,
    /// Print only {"text", "normalized"}.
    #[arg(long)]
    only_normalize: bool,
    /// libespeak-ng shared library to load.
    #[arg(long)]
    espeak_library: Option<std::path::PathBuf>,
}

fn main() -> ExitCode {
    common::main_with("inspect", || run(&Args::parse()))
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let stdin = std::io::stdin().lock();
    let mut out = BufWriter::new(std::io::stdout().lock());
    if args.only_normalize {
        let normalizer = Normalizer::new(NormalizeOptions::default());
        for line in stdin.lines() {
            let text = line?;
            let normalized = normalizer.normalize(&text);
            serde_json::to_writer(&mut out, &json!({"text": text, "normalized": normalized}))?;
            out.write_all(b"\n")?;
        }
        out.flush()?;
        return Ok(());
    }
    let espeak = EspeakConfig {
        library: args.espeak_library.clone(),
        ..EspeakConfig::default()
    };
    let frontend = Frontend::new(&espeak, NormalizeOptions::default())?;
    for line in stdin.lines() {
        let text = line?;
        let value = match frontend.analyze(&text, !args.no_normalize) {
            Ok(analysis) => json!({
                "text": text,
                "normalized": analysis.normalized,
                "chunks": analysis.chunks.iter().map(|c| json!({
                    "text": c.text,
                    "phonemes": c.phonemes,
                    "input_ids": c.input_ids,
                    "style_row": c.style_row,
                })).collect::<Vec<_>>(),
            }),
            Err(e) => json!({"text": text, "error": e.to_string()}),
        };
        serde_json::to_writer(&mut out, &value)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}
