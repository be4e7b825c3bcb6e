//! Speaks text into a WAV file.
//!
//! ```text
//! cargo run --release --example speak -- --model tests/data/fixture --voice Leo --out hello.wav "Hello there."
//! cargo run --release --example speak -- --model KittenML/kitten-tts-mini-0.8 --out hi.wav "Hi."
//! ```
//! `--model` takes a local folder, a Hugging Face repo id or a bare KittenML name (default
//! `KittenML/kitten-tts-nano-0.8-int8`). The text comes from the arguments, or from stdin
//! when there are none. `--f32` writes 32-bit float WAV (default 16-bit PCM);
//! `--no-normalize` skips text normalisation.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod common;

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use kittentts::{SAMPLE_RATE, SynthesisOptions, Synthesizer};

/// Speaks text into a WAV file.
#[derive(Parser)]
struct Args {
    /// Model folder, hub repo id (`KittenML/kitten-tts-mini-0.8`) or bare KittenML name.
    #[arg(long, default_value = "KittenML/kitten-tts-nano-0.8-int8")]
    model: String,
    /// Voice id or alias (`Leo`, `Bella`, `expr-voice-2-f`…).
    #[arg(long, default_value = "Leo")]
    voice: String,
    /// Speaking rate (1.0 = the model's own).
    #[arg(long, default_value_t = 1.0)]
    speed: f32,
    /// Output WAV file.
    #[arg(long, default_value = "out.wav")]
    out: PathBuf,
    /// Write 32-bit float samples instead of 16-bit PCM.
    #[arg(long)]
    f32: bool,
    /// Skip text normalisation.
    #[arg(long)]
    no_normalize: bool,
    /// ONNX Runtime intra-op threads (default: its own choice).
    #[arg(long)]
    threads: Option<usize>,
    /// List the model's voices and exit.
    #[arg(long)]
    list_voices: bool,
    /// The text to speak (default: stdin).
    text: Vec<String>,
}

fn main() -> ExitCode {
    common::main_with("speak", || run(&Args::parse()))
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let text = if args.text.is_empty() {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        s
    } else {
        args.text.join(" ")
    };

    let start = Instant::now();
    let mut builder = Synthesizer::builder()
        .model(&args.model)
        .download_progress(progress_bar);
    if let Some(threads) = args.threads {
        builder = builder.intra_threads(threads);
    }
    let tts = builder.build()?;
    let loaded = start.elapsed();

    if args.list_voices {
        for v in tts.voices() {
            println!("{}\t{}", v.name, v.id);
        }
        return Ok(());
    }

    let options = SynthesisOptions::new()
        .voice(&args.voice)
        .speed(args.speed)
        .normalize(!args.no_normalize);
    let t = Instant::now();
    let audio = tts.synthesize(&text, &options)?;
    let synthesized = t.elapsed();

    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: SAMPLE_RATE,
        bits_per_sample: if args.f32 { 32 } else { 16 },
        sample_format: if args.f32 {
            hound::SampleFormat::Float
        } else {
            hound::SampleFormat::Int
        },
    };
    let mut wav = hound::WavWriter::create(&args.out, spec)?;
    if args.f32 {
        for &s in &audio.samples {
            wav.write_sample(s)?;
        }
    } else {
        for s in audio.to_i16() {
            wav.write_sample(s)?;
        }
    }
    wav.finalize()?;
    let seconds = audio.duration().as_secs_f64();
    eprintln!(
        "wrote {}: {:.2} s of audio ({} samples) in {:.3} s (load {:.3} s, synthesis {:.3} s, RTF {:.3})",
        args.out.display(),
        seconds,
        audio.samples.len(),
        start.elapsed().as_secs_f64(),
        loaded.as_secs_f64(),
        synthesized.as_secs_f64(),
        if seconds > 0.0 {
            synthesized.as_secs_f64() / seconds
        } else {
            0.0
        },
    );
    Ok(())
}

/// Draws a one-line progress bar on stderr for hub downloads.
fn progress_bar(p: &kittentts::hub::Progress) {
    const WIDTH: usize = 30;
    let mb = |b: u64| b as f64 / 1e6;
    match p.total {
        Some(total) if total > 0 => {
            let done = (p.downloaded.min(total) as f64 / total as f64 * WIDTH as f64) as usize;
            eprint!(
                "\r{:<28} [{}{}] {:6.1}/{:.1} MB",
                p.file,
                "#".repeat(done),
                " ".repeat(WIDTH - done),
                mb(p.downloaded),
                mb(total)
            );
            if p.downloaded >= total {
                eprintln!();
            }
        }
        _ => eprint!("\r{:<28} {:6.1} MB", p.file, mb(p.downloaded)),
    }
}
