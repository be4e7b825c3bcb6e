//! Where KittenTTS finds its two native runtimes, ONNX Runtime and libespeak-ng, and (with the
//! `install` feature) how it fetches them.
//!
//! Pipeline role: none of the speech pipeline. The `kittentts` facade asks [`locate`] for each
//! library before it loads anything, so that examples, installed binaries and downstream apps
//! all search the same places; the `kittentts` command's `runtimes install` uses [`install`]
//! to download the pinned PyPI wheels into the per-user folder. This crate depends on no other
//! layer.
//!
//! # Search order
//! For each library, the first of these that names a file wins:
//! 1. the builder's path (`SynthesizerBuilder::onnx_runtime` / `espeak_library`);
//! 2. the environment: `ORT_DYLIB_PATH` / `KITTENTTS_ESPEAK_LIBRARY` (a file), then
//!    `$KITTENTTS_RUNTIME_DIR/{onnxruntime,espeak-ng}/` (a relative value is taken from the
//!    working folder; a value naming no folder is an error, not a silent fall-through);
//! 3. next to the executable: the library itself beside it, or a `runtimes/` folder beside it;
//! 4. the per-user folder ([`user_runtime_dir`]), where `kittentts runtimes install` puts them;
//! 5. the build folder the caller names (the facade passes this repository's `runtimes/`, which
//!    `scripts/fetch-runtimes.sh` fills, so binaries built here find it);
//! 6. the system's dynamic loader (the bare library name).
//!
//! Every place looked at is kept in [`Located::tried`], so an error can list them in order.
//! A file that is found but cannot be a library for this machine (not ELF, another
//! architecture, cut short) is an [`Error::BadLibrary`] that names it.
//!
//! ```
//! use kittentts_runtimes::{Library, locate};
//! # unsafe { std::env::remove_var("KITTENTTS_RUNTIME_DIR") };
//! let found = locate(Library::Espeak, None, None)?;
//! // Nothing installed in this doc test's places: the system's loader gets the bare name,
//! // and `tried` lists the places before it.
//! assert!(!found.tried.is_empty() || found.place != kittentts_runtimes::Place::System);
//! # Ok::<(), kittentts_runtimes::Error>(())
//! ```
#![deny(missing_docs)]

#[cfg(feature = "install")]
mod install;
mod platform;

use std::fmt;
use std::path::{Path, PathBuf};

#[cfg(feature = "install")]
pub use install::{
    DEFAULT_INDEX_URL, INDEX_URL_ENV, InstallError, InstallOptions, Installed, Progress,
    ProgressFn, Wheel, install, is_complete, pinned_wheels, pinned_wheels_for,
};
#[cfg(feature = "install")]
pub use kittentts_net::{ConnectError, ConnectKind};
pub use platform::{Platform, check_library_for};

/// The ONNX Runtime version the pinned wheel carries.
pub const ORT_VERSION: &str = "1.32.0";
/// The libespeak-ng version the pinned wheel carries (the reference's).
pub const ESPEAK_VERSION: &str = "1.52.0";
/// Environment variable naming a runtimes folder (`onnxruntime/` and `espeak-ng/` inside).
pub const RUNTIME_DIR_ENV: &str = "KITTENTTS_RUNTIME_DIR";
/// The file name of the stamp a complete install leaves in its folder.
pub const STAMP_FILE: &str = ".kittentts-runtimes-complete";
/// The command that fixes a missing runtime, for error messages.
pub const FIX: &str = "run `kittentts runtimes install` (from a clone of the repository, `bash scripts/fetch-runtimes.sh` also works)";

/// One of the two native libraries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Library {
    /// ONNX Runtime (`libonnxruntime.so`).
    OnnxRuntime,
    /// libespeak-ng (`libespeak-ng.so.1`), with its `espeak-ng-data` folder beside it.
    Espeak,
}

impl Library {
    /// The platform's file name: `libonnxruntime.so`, `libespeak-ng.so.1` on Linux (see
    /// [`Platform::file_names`] for the others the search accepts).
    pub fn file_name(self) -> &'static str {
        platform::file_names_on(std::env::consts::OS, self)[0]
    }

    /// The sub-folder of a runtimes folder that holds it.
    pub fn subdir(self) -> &'static str {
        match self {
            Self::OnnxRuntime => "onnxruntime",
            Self::Espeak => "espeak-ng",
        }
    }

    /// The environment variable that names the library file itself.
    pub fn env_var(self) -> &'static str {
        match self {
            Self::OnnxRuntime => "ORT_DYLIB_PATH",
            Self::Espeak => "KITTENTTS_ESPEAK_LIBRARY",
        }
    }
}

impl fmt::Display for Library {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::OnnxRuntime => "ONNX Runtime",
            Self::Espeak => "libespeak-ng",
        })
    }
}

/// Which place of the search order a path came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Place {
    /// The builder's explicit path.
    Explicit,
    /// `ORT_DYLIB_PATH` / `KITTENTTS_ESPEAK_LIBRARY`.
    EnvFile,
    /// `$KITTENTTS_RUNTIME_DIR`.
    RuntimeDirEnv,
    /// Next to the executable.
    BesideExecutable,
    /// The per-user folder.
    UserDir,
    /// The build folder the caller named (this repository's `runtimes/`).
    BuildDir,
    /// The system's dynamic loader.
    System,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Explicit => "the builder's path",
            Self::EnvFile => "the environment variable",
            Self::RuntimeDirEnv => "$KITTENTTS_RUNTIME_DIR",
            Self::BesideExecutable => "next to the executable",
            Self::UserDir => "the per-user folder",
            Self::BuildDir => "the build's runtimes folder",
            Self::System => "the system's library search path",
        })
    }
}

/// One place the search looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Which place.
    pub place: Place,
    /// The path looked at (a bare name for [`Place::System`]).
    pub path: PathBuf,
}

impl fmt::Display for Candidate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.path.display(), self.place)
    }
}

/// Where a library was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The path to load (a bare name when it falls to the system's loader).
    pub path: PathBuf,
    /// Where it came from.
    pub place: Place,
    /// The places looked at before it, in order (the chosen one not included).
    pub tried: Vec<Candidate>,
}

impl Located {
    /// Every place looked at, the chosen one last, one per line, numbered: for error messages.
    pub fn describe_tried(&self) -> String {
        self.tried
            .iter()
            .chain(std::iter::once(&Candidate {
                place: self.place,
                path: self.path.clone(),
            }))
            .enumerate()
            .map(|(i, c)| format!("  {}. {c}", i + 1))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// What can go wrong while searching.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An environment variable names a file or folder that does not exist.
    #[error(
        "{var}={value:?} names {}, which does not exist; fix the variable or unset it ({FIX})",
        resolved.display()
    )]
    EnvPathMissing {
        /// The variable.
        var: &'static str,
        /// Its value.
        value: String,
        /// The value made absolute (relative values are taken from the working folder).
        resolved: PathBuf,
    },
    /// A file that was found cannot be a library for this machine.
    #[error("{} cannot be loaded: {reason}; replace it ({FIX})", path.display())]
    BadLibrary {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}

/// Finds `library`: `explicit` (the builder's path) first, then the places of the search order
/// (see the crate docs); `build_dir` is the caller's own runtimes folder (place 5), if any.
///
/// # Errors
/// [`Error::EnvPathMissing`] when an environment variable names nothing,
/// [`Error::BadLibrary`] when the file found is not a library for this machine.
pub fn locate(
    library: Library,
    explicit: Option<&Path>,
    build_dir: Option<&Path>,
) -> Result<Located, Error> {
    let mut tried = Vec::new();
    let found = |place, path: PathBuf, tried: Vec<Candidate>| -> Result<Located, Error> {
        check_library(&path)?;
        Ok(Located { path, place, tried })
    };
    if let Some(path) = explicit {
        return Ok(Located {
            path: path.to_path_buf(),
            place: Place::Explicit,
            tried,
        });
    }
    if let Some(value) = env_value(library.env_var()) {
        let resolved = absolute(&value);
        if !resolved.is_file() {
            return Err(Error::EnvPathMissing {
                var: library.env_var(),
                value,
                resolved,
            });
        }
        return found(Place::EnvFile, resolved, tried);
    }
    if let Some(value) = env_value(RUNTIME_DIR_ENV) {
        let resolved = absolute(&value);
        if !resolved.is_dir() {
            return Err(Error::EnvPathMissing {
                var: RUNTIME_DIR_ENV,
                value,
                resolved,
            });
        }
        let path = resolved.join(library.subdir()).join(library.file_name());
        if path.is_file() {
            return found(Place::RuntimeDirEnv, path, tried);
        }
        tried.push(Candidate {
            place: Place::RuntimeDirEnv,
            path,
        });
    }
    let exe_dir = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf));
    let mut dirs: Vec<(Place, PathBuf)> = Vec::new();
    if let Some(dir) = &exe_dir {
        dirs.push((Place::BesideExecutable, dir.join(library.file_name())));
        dirs.push((
            Place::BesideExecutable,
            dir.join("runtimes")
                .join(library.subdir())
                .join(library.file_name()),
        ));
    }
    if let Some(dir) = user_runtime_dir() {
        dirs.push((
            Place::UserDir,
            dir.join(library.subdir()).join(library.file_name()),
        ));
    }
    if let Some(dir) = build_dir {
        dirs.push((
            Place::BuildDir,
            dir.join(library.subdir()).join(library.file_name()),
        ));
    }
    for (place, path) in dirs {
        // The usual name first, then the platform's other names for it (a library copied
        // from a wheel keeps its versioned name: `libonnxruntime.so.1.32.0`).
        let names = platform::file_names_on(std::env::consts::OS, library);
        if let Some(hit) = names
            .iter()
            .map(|name| path.with_file_name(name))
            .find(|p| p.is_file())
        {
            return found(place, hit, tried);
        }
        tried.push(Candidate { place, path });
    }
    Ok(Located {
        path: PathBuf::from(library.file_name()),
        place: Place::System,
        tried,
    })
}

/// The per-user runtimes folder, versioned by the pinned runtimes:
/// `$XDG_DATA_HOME/kittentts/runtimes/ort-1.32.0-espeak-ng-1.52.0` (else
/// `~/.local/share/…` on Linux, `~/Library/Application Support/…` on macOS,
/// `%LOCALAPPDATA%\…` on Windows). `None` when no home folder is known.
pub fn user_runtime_dir() -> Option<PathBuf> {
    Some(
        user_data_dir()?
            .join("kittentts")
            .join("runtimes")
            .join(format!("ort-{ORT_VERSION}-espeak-ng-{ESPEAK_VERSION}")),
    )
}

fn user_data_dir() -> Option<PathBuf> {
    if let Some(dir) = env_value("XDG_DATA_HOME").map(PathBuf::from)
        && dir.is_absolute()
    {
        return Some(dir);
    }
    if cfg!(windows) {
        return env_value("LOCALAPPDATA").map(PathBuf::from);
    }
    let home = PathBuf::from(env_value("HOME")?);
    Some(if cfg!(target_os = "macos") {
        home.join("Library").join("Application Support")
    } else {
        home.join(".local").join("share")
    })
}

fn env_value(var: &str) -> Option<String> {
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(|v| v.to_string_lossy().into_owned())
}

/// `value` as an absolute path (relative to the working folder).
fn absolute(value: &str) -> PathBuf {
    std::path::absolute(value).unwrap_or_else(|_| PathBuf::from(value))
}

/// Checks that `path` can be a shared library for this machine (see [`check_library_for`]);
/// on a machine with no pinned platform, only that it is a non-empty file.
///
/// # Errors
/// [`Error::BadLibrary`] naming the file and what is wrong.
pub fn check_library(path: &Path) -> Result<(), Error> {
    platform::check_file(path, Platform::host())
}
