//! `kittentts runtimes install|status`.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Subcommand;
use kittentts_runtimes::{InstallOptions, Library, Place};

/// What to do with the runtimes.
#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Download the pinned ONNX Runtime and libespeak-ng wheels from PyPI (only now, never at
    /// build time), verify their SHA-256 and unpack them into the per-user folder. Does
    /// nothing when they are already there.
    Install {
        /// Install into this folder instead of the per-user one (point
        /// KITTENTTS_RUNTIME_DIR at it to use it).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Take the wheels from this folder (e.g. made with `pip download`) before the index.
        #[arg(long)]
        wheels: Option<PathBuf>,
        /// Never use the network (needs --wheels).
        #[arg(long)]
        offline: bool,
        /// The package index (default: `$KITTENTTS_INDEX_URL`, else `https://pypi.org/simple`).
        #[arg(long)]
        index_url: Option<String>,
        /// Install again even when the folder is complete.
        #[arg(long)]
        force: bool,
        /// The machine to install for: linux-x86_64, linux-aarch64 (a Raspberry Pi with a
        /// 64-bit OS), macos-arm64 or windows-x86_64 (default: this one). Another machine's
        /// runtimes need --dir: e.g. a Pi's image or an app bundle, then point
        /// KITTENTTS_RUNTIME_DIR at the folder there.
        #[arg(long)]
        platform: Option<kittentts_runtimes::Platform>,
    },
    /// Show where each runtime would be loaded from, and every place searched.
    Status,
}

/// Runs a `runtimes` command.
pub(crate) fn run(command: &Command) -> Result<(), Box<dyn std::error::Error>> {
    match command {
        Command::Install {
            dir,
            wheels,
            offline,
            index_url,
            force,
            platform,
        } => {
            let bar = std::io::stderr().is_terminal();
            let options = InstallOptions {
                dest: dir.clone(),
                index_url: index_url.clone(),
                wheel_dir: wheels.clone(),
                offline: *offline,
                force: *force,
                platform: *platform,
                progress: bar.then(|| {
                    Box::new(|p: &kittentts_runtimes::Progress| draw(p))
                        as Box<dyn Fn(&kittentts_runtimes::Progress)>
                }),
                ..InstallOptions::default()
            };
            let done = kittentts_runtimes::install(&options)?;
            if done.already {
                eprintln!("runtimes already installed: {}", done.dir.display());
            } else {
                eprintln!(
                    "runtimes installed: {} (ONNX Runtime {}, libespeak-ng {})",
                    done.dir.display(),
                    kittentts_runtimes::ORT_VERSION,
                    kittentts_runtimes::ESPEAK_VERSION
                );
            }
            if dir.is_some() {
                eprintln!(
                    "point KITTENTTS_RUNTIME_DIR at {} to use it",
                    done.dir.display()
                );
            }
            Ok(())
        }
        Command::Status => {
            let mut missing = false;
            for library in [Library::OnnxRuntime, Library::Espeak] {
                let found = kittentts::locate_runtime(library)?;
                let state = if found.place == Place::System {
                    missing = true;
                    "not found in kittentts's places; the system's loader will be asked".to_owned()
                } else {
                    format!("{} ({})", found.path.display(), found.place)
                };
                println!("{library}: {state}");
                println!("{}", found.describe_tried());
            }
            if missing {
                println!("fix: {}", kittentts_runtimes::FIX);
            }
            Ok(())
        }
    }
}

fn draw(p: &kittentts_runtimes::Progress) {
    let mb = |b: u64| b as f64 / 1e6;
    match p.total {
        Some(total) if total > 0 => {
            eprint!(
                "\r{:<60} {:6.1}/{:.1} MB",
                p.file,
                mb(p.downloaded),
                mb(total)
            );
            if p.downloaded >= total {
                eprintln!();
            }
        }
        _ => eprint!("\r{:<60} {:6.1} MB", p.file, mb(p.downloaded)),
    }
}
