//! `kittentts-server`: the OpenAI-compatible speech server.
//!
//! ```text
//! cargo run --release -p kittentts-server -- --model tests/data/fixture --port 8880
//! kittentts-server --model nano=KittenML/kitten-tts-nano-0.8-int8 --model mini=KittenML/kitten-tts-mini-0.8 --api-key s3cret
//! ```
//! Then `OpenAI(base_url="http://127.0.0.1:8880/v1", api_key="s3cret").audio.speech.create(...)`.
//! SIGINT or SIGTERM stops it gracefully: requests in flight finish, new ones get 503.
#![allow(clippy::print_stderr)]

use std::process::ExitCode;

use clap::Parser;
use kittentts_server::{ServeArgs, init_logging, serve};

/// An OpenAI-compatible (and Harmony-Speech-Engine-compatible) KittenTTS speech server.
#[derive(Parser, Debug)]
#[command(name = "kittentts-server", version, about)]
struct Cli {
    #[command(flatten)]
    args: ServeArgs,
}

fn main() -> ExitCode {
    init_logging();
    match serve(Cli::parse().args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let mut text = format!("kittentts-server: {e}");
            let mut source = e.source();
            while let Some(s) = source {
                let s_text = s.to_string();
                if !text.contains(&s_text) {
                    text.push_str(&format!("\n  caused by: {s_text}"));
                }
                source = s.source();
            }
            eprintln!("{text}");
            ExitCode::FAILURE
        }
    }
}
