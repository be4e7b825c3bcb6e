//! What every example's `main` does: show the library's warnings, run, report errors.

use std::process::ExitCode;

/// Sets up logging of the library's `tracing` warnings (a provider falling back to the CPU, a
/// libespeak-ng other than 1.52…) on stderr, runs `run`, and prints an error with its causes.
pub(crate) fn main_with(
    name: &str,
    run: impl FnOnce() -> Result<(), Box<dyn std::error::Error>>,
) -> ExitCode {
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_writer(std::io::stderr)
        .init();
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{name}: {e}");
            let mut source = e.source();
            while let Some(s) = source {
                eprintln!("  caused by: {s}");
                source = s.source();
            }
            ExitCode::FAILURE
        }
    }
}
