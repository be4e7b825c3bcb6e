//! What every command and example does around its work: show the library's warnings on
//! stderr (coloured only on a terminal), run, and report an error with its causes.

use std::io::IsTerminal;
use std::process::ExitCode;

/// Sets up logging of the library's `tracing` warnings (a provider falling back to the CPU, a
/// libespeak-ng other than 1.52…) on stderr, runs `run`, and prints an error with its causes
/// (a cause whose text the message above it already holds is not repeated).
pub(crate) fn main_with(
    name: &str,
    run: impl FnOnce() -> Result<(), Box<dyn std::error::Error>>,
) -> ExitCode {
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}", report(name, e.as_ref()));
            ExitCode::FAILURE
        }
    }
}

/// `name: message`, then `  caused by: …` for each cause not already in the text above.
pub(crate) fn report(name: &str, e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = format!("{name}: {e}");
    let mut shown = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !shown.contains(&text) {
            out.push_str(&format!("\n  caused by: {text}"));
            shown.push_str(&text);
        }
        source = s.source();
    }
    out
}
