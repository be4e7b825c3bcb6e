//! The `kittentts` command.
//!
//! ```text
//! kittentts runtimes install            # once: ONNX Runtime and libespeak-ng into the per-user folder
//! kittentts say --model KittenML/kitten-tts-nano-0.8-int8 --out hi.wav "Hello there."
//! kittentts say --model DIR --out - < book.txt | aplay -r 24000 -f S16_LE
//! kittentts voices --model DIR
//! echo 'It costs $5.' | kittentts inspect
//! kittentts runtimes status
//! kittentts serve --model KittenML/kitten-tts-nano-0.8-int8 --port 8880
//! ```
//! `say` takes the flags of the `speak` example (it is the same code); `inspect` those of the
//! `inspect` example. Install with `cargo install --path crates/kittentts-cli`.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod common;
mod inspect;
mod runtimes;
mod say;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// KittenTTS: English text to 24 kHz speech.
#[derive(Parser, Debug)]
#[command(name = "kittentts", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Speak text into a WAV file, or stream raw samples to stdout.
    Say(say::Args),
    /// List a model's voices.
    Voices(VoicesArgs),
    /// Show what the front end makes of each line of stdin, as JSON.
    Inspect(inspect::Args),
    /// Install or check the native runtimes (ONNX Runtime, libespeak-ng).
    Runtimes {
        #[command(subcommand)]
        command: runtimes::Command,
    },
    /// Run the OpenAI-compatible speech server (the `kittentts-server` binary's flags).
    Serve(kittentts_server::ServeArgs),
}

/// `kittentts voices`.
#[derive(Parser, Debug)]
struct VoicesArgs {
    /// Model folder, hub repo id or bare KittenML name.
    #[arg(long, default_value = "KittenML/kitten-tts-nano-0.8-int8")]
    model: String,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let name = match &cli.command {
        Command::Say(_) => "kittentts say",
        Command::Voices(_) => "kittentts voices",
        Command::Inspect(_) => "kittentts inspect",
        Command::Runtimes { .. } => "kittentts runtimes",
        Command::Serve(_) => "kittentts serve",
    };
    if let Command::Serve(args) = cli.command {
        kittentts_server::init_logging();
        return common::main_with(name, || kittentts_server::serve(args));
    }
    common::main_with(name, || match &cli.command {
        Command::Say(args) => say::run(args),
        Command::Voices(args) => voices(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Runtimes { command } => runtimes::run(command),
        Command::Serve(_) => Ok(()),
    })
}

fn voices(args: &VoicesArgs) -> Result<(), Box<dyn std::error::Error>> {
    let tts = kittentts::Synthesizer::builder()
        .model(&args.model)
        .sessions(1)
        .build()?;
    let mut out = std::io::stdout().lock();
    for v in tts.voices() {
        if writeln!(out, "{}\t{}", v.name, v.id).is_err() {
            break; // a closed pipe ends the listing quietly
        }
    }
    Ok(())
}
