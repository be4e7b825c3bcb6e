//! Fetches files of a model through the cache, as the facade does, and prints their paths.
//!
//! ```text
//! cargo run -p kittentts-hub --example hub-fetch -- SPEC [FILE ...]
//! ```
//!
//! `SPEC` is a model spec (`kitten-tts-mini-0.8`, `KittenML/kitten-tts-nano-0.8-int8@main`, a
//! folder); files default to `config.json`. Options come from the environment (`HF_ENDPOINT`,
//! `HF_HOME`, `HF_HUB_CACHE`, `HF_TOKEN`, `HF_HUB_OFFLINE`). Progress goes to stderr.

use std::io::Write;
use std::process::ExitCode;

use kittentts_hub::{Hub, ModelSource, Progress};

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let spec = args.next().ok_or("usage: hub-fetch SPEC [FILE ...]")?;
    let mut files: Vec<String> = args.collect();
    if files.is_empty() {
        files.push("config.json".to_owned());
    }
    let source = ModelSource::resolve_spec(&spec)?;
    let hub = Hub::from_env()?;
    let show = |p: Progress| {
        let total = p.total.map_or_else(|| "?".to_owned(), |t| t.to_string());
        let _ = write!(
            std::io::stderr(),
            "\r{}: {}/{} bytes",
            p.file,
            p.downloaded,
            total
        );
        if p.total == Some(p.downloaded) {
            let _ = writeln!(std::io::stderr());
        }
    };
    let mut out = std::io::stdout().lock();
    for file in &files {
        let path = hub.locate(&source, file, Some(&show))?;
        writeln!(out, "{}", path.display())?;
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let mut message = e.to_string();
            let mut source = e.source();
            while let Some(s) = source {
                message.push_str(&format!(": {s}"));
                source = s.source();
            }
            let _ = writeln!(std::io::stderr(), "error: {message}");
            ExitCode::FAILURE
        }
    }
}
