//! Shows what the front end makes of each line of text: one JSON object per input line (the
//! `kittentts inspect` command, as an example; it compiles the same source file).
//!
//! ```text
//! echo "It costs $5." | cargo run --release --example inspect
//! {"text":"It costs $5.","normalized":"It costs five dollars.","chunks":[{"text":…,"phonemes":…,"input_ids":[0,…,10,0],"style_row":22}]}
//! ```
//! `--no-normalize` skips normalisation; `--only-normalize` prints `{"text", "normalized"}`
//! alone (and loads no libespeak-ng). A line that fails (not UTF-8 included) prints
//! `{"text", "error"}` and the run goes on. No model is needed.
#![allow(clippy::print_stdout, clippy::print_stderr)]

#[path = "../crates/kittentts-cli/src/common.rs"]
mod common;
#[path = "../crates/kittentts-cli/src/inspect.rs"]
mod inspect;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    common::main_with("inspect", || inspect::run(&inspect::Args::parse()))
}
