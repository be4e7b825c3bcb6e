//! Normalise text line by line: one input line on stdin → one normalised line on stdout.
//!
//! ```text
//! cargo run --release -p kittentts-text --example normalize < lines.txt
//! cargo run --release -p kittentts-text --example normalize -- --chunks < lines.txt   # chunks, joined by " | "
//! cargo run --release -p kittentts-text --example normalize -- --no-roman < lines.txt # roman numerals off
//! ... --line-buffered   # flush after every line (interactive use)
//! ```
//! Lines that start with `{` are read as JSON objects with a "text" field (the scorer's
//! `--cmd-input jsonl`); the output is then plain text as well.

use std::io::{self, BufRead, BufWriter, Write};

use kittentts_text::{DEFAULT_MAX_CHUNK_CHARS, NormalizeOptions, Normalizer, chunk_text};

/// Extract the "text" field of a one-line JSON object (enough for the scorer's input).
fn json_text(line: &str) -> Option<String> {
    let key = line.find("\"text\"")?;
    let rest = line[key + 6..].trim_start().strip_prefix(':')?.trim_start();
    let mut chars = rest.strip_prefix('"')?.chars();
    let mut out = String::new();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    let mut v = u32::from_str_radix(&hex, 16).ok()?;
                    if (0xD800..0xDC00).contains(&v) {
                        let rest: String = chars.by_ref().take(6).collect();
                        let lo = u32::from_str_radix(rest.strip_prefix("\\u")?, 16).ok()?;
                        v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
                    }
                    out.push(char::from_u32(v).unwrap_or('\u{FFFD}'));
                }
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut options = NormalizeOptions::default();
    options.roman_numerals = !args.iter().any(|a| a == "--no-roman");
    let chunks = args.iter().any(|a| a == "--chunks");
    let line_buffered = args.iter().any(|a| a == "--line-buffered");
    let normalizer = Normalizer::new(options);
    let stdin = io::stdin();
    let mut out = BufWriter::new(io::stdout().lock());
    for line in stdin.lock().lines() {
        let line = line?;
        let text = if line.starts_with('{') {
            json_text(&line).unwrap_or(line)
        } else {
            line
        };
        let normalized = normalizer.normalize(&text);
        if chunks {
            writeln!(
                out,
                "{}",
                chunk_text(&normalized, DEFAULT_MAX_CHUNK_CHARS).join(" | ")
            )?;
        } else {
            writeln!(out, "{normalized}")?;
        }
        if line_buffered {
            out.flush()?;
        }
    }
    out.flush()
}
