//! `kittentts inspect` (and the `inspect` example, which includes this file): what the front
//! end makes of each line of stdin, as JSON.

use std::io::{BufRead, BufWriter, Write};

use clap::Parser;
use kittentts::{EspeakConfig, Frontend, NormalizeOptions, text::Normalizer};
use serde_json::json;

/// Prints the front end's stages for each line of stdin as JSON.
#[derive(Parser, Debug)]
pub(crate) struct Args {
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

/// Runs `inspect`.
pub(crate) fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let stdin = std::io::stdin().lock();
    let mut out = BufWriter::new(std::io::stdout().lock());
    if args.only_normalize {
        let normalizer = Normalizer::new(NormalizeOptions::default());
        for line in Lines(stdin) {
            let value = match line? {
                Ok(text) => json!({"text": text, "normalized": normalizer.normalize(&text)}),
                Err(bad) => bad,
            };
            serde_json::to_writer(&mut out, &value)?;
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
    for line in Lines(stdin) {
        let text = match line? {
            Ok(text) => text,
            Err(bad) => {
                serde_json::to_writer(&mut out, &bad)?;
                out.write_all(b"\n")?;
                continue;
            }
        };
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

/// Stdin's lines; a line that is not UTF-8 is `Err({"text": <lossy>, "error": ...})`, so the
/// run goes on past it.
struct Lines<R>(R);

impl<R: BufRead> Iterator for Lines<R> {
    type Item = std::io::Result<Result<String, serde_json::Value>>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut buf = Vec::new();
        match self.0.read_until(b'\n', &mut buf) {
            Ok(0) => None,
            Err(e) => Some(Err(e)),
            Ok(_) => {
                if buf.last() == Some(&b'\n') {
                    buf.pop();
                    if buf.last() == Some(&b'\r') {
                        buf.pop();
                    }
                }
                Some(Ok(String::from_utf8(buf).map_err(|e| {
                    let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
                    json!({"text": lossy, "error": format!("the line is not UTF-8: {}", e.utf8_error())})
                })))
            }
        }
    }
}
