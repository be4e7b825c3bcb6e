//! Speaks text into a WAV file, or streams raw samples to stdout as each chunk is ready: the
//! `kittentts say` command, as an example (it compiles the same source file).
//!
//! ```text
//! cargo run --release --example speak -- --model tests/data/fixture --voice Leo --out hello.wav "Hello there."
//! cargo run --release --example speak -- --model KittenML/kitten-tts-mini-0.8 --out hi.wav "Hi."
//! cargo run --release --example speak -- --model DIR --out - --format pcm < book.txt | aplay -r 24000 -f S16_LE
//! ```
//! `--model` takes a local folder, a Hugging Face repo id or a bare KittenML name (default
//! `KittenML/kitten-tts-nano-0.8-int8`). The text comes from the arguments, or from stdin
//! when there are none. `--format` is `wav` (16-bit), `wav-f32` (also `--f32`), `pcm` (raw
//! 16-bit little-endian, the default for `--out -`), `f32` (raw 32-bit float), `flac`, `mp3`
//! or `opus`; by default the `--out` file's extension picks it. `--timings FILE` writes word
//! timings, `--lexicon FILE` sets pronunciations, `--ending` picks how chunks end. Audio is
//! written chunk by chunk as it is made; to stdout the
//! first chunk is short, so playback starts at once. `--sessions` and `--threads` set the
//! ONNX Runtime sessions and threads per session; `--strict-espeak` refuses a libespeak-ng
//! other than 1.52. A progress bar is drawn on stderr for long texts when stderr is a
//! terminal.
#![allow(clippy::print_stdout, clippy::print_stderr)]

#[path = "../crates/kittentts-cli/src/common.rs"]
mod common;
#[path = "../crates/kittentts-cli/src/say.rs"]
mod say;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    common::main_with("speak", || say::run(&say::Args::parse()))
}
