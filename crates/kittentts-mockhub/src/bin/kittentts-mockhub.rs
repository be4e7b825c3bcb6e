//! Serves folders as mock hub repos on 127.0.0.1 until stdin closes or the process is killed.
//!
//! ```text
//! kittentts-mockhub [--port N] [--commit SHA] ORG/NAME=FOLDER [ORG/NAME=FOLDER ...]
//! ```
//!
//! Prints the endpoint (`http://127.0.0.1:PORT`, the `HF_ENDPOINT` to use) on the first line of
//! stdout, then each request as it is logged when the server stops.

use std::io::{BufRead, Write};
use std::path::Path;
use std::process::ExitCode;

use kittentts_mockhub::MockHub;

const USAGE: &str =
    "usage: kittentts-mockhub [--port N] [--commit SHA] ORG/NAME=FOLDER [ORG/NAME=FOLDER ...]";

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let mut port = 0u16;
    let mut commit = None;
    let mut builder = MockHub::builder();
    let mut repos = 0;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => {
                let value = args.next().ok_or(USAGE)?;
                port = value.parse().map_err(|e| format!("--port {value}: {e}"))?;
            }
            "--commit" => commit = Some(args.next().ok_or(USAGE)?),
            "-h" | "--help" => return Err(USAGE.to_owned()),
            spec => {
                let (repo, dir) = spec.split_once('=').ok_or(USAGE)?;
                builder = builder.repo(repo);
                if let Some(commit) = &commit {
                    builder = builder.commit(repo, commit);
                }
                builder = builder
                    .files_from_dir(repo, Path::new(dir))
                    .map_err(|e| format!("{dir}: {e}"))?;
                repos += 1;
            }
        }
    }
    if repos == 0 {
        return Err(USAGE.to_owned());
    }
    let mut hub = builder
        .start_on(port)
        .map_err(|e| format!("cannot start: {e}"))?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", hub.url())
        .and_then(|()| out.flush())
        .map_err(|e| e.to_string())?;
    // Serve until stdin reaches EOF (or the process is killed).
    for line in std::io::stdin().lock().lines() {
        if line.is_err() {
            break;
        }
    }
    hub.stop();
    for entry in hub.request_log() {
        writeln!(out, "{entry}").map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "{message}");
            ExitCode::FAILURE
        }
    }
}
