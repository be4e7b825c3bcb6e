//! The crate's error type.

use std::path::PathBuf;

/// Where the libespeak-ng runtime comes from, in every error that is about a missing or bad
/// runtime.
const FETCH_HINT: &str = "run `kittentts runtimes install` (in a clone of the repository, `bash scripts/fetch-runtimes.sh`) to fetch libespeak-ng 1.52 and its data, \
     or point KITTENTTS_ESPEAK_LIBRARY / KITTENTTS_ESPEAK_DATA (or EspeakConfig) at a libespeak-ng 1.52 build";

/// Everything that can go wrong while loading libespeak-ng or phonemising.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The shared library could not be opened (missing file, wrong architecture, ...).
    #[error("cannot load libespeak-ng from `{library}`; {hint}", hint = FETCH_HINT)]
    LibraryLoad {
        /// The path or library name that was tried.
        library: String,
        /// The loader's error.
        #[source]
        source: libloading::Error,
    },
    /// The library opened but lacks a function this crate calls (not a libespeak-ng build).
    #[error("`{library}` has no symbol `{symbol}`: not a libespeak-ng library; {hint}", hint = FETCH_HINT)]
    MissingSymbol {
        /// The library that was opened.
        library: String,
        /// The missing C symbol.
        symbol: &'static str,
        /// The loader's error.
        #[source]
        source: libloading::Error,
    },
    /// The espeak-ng data directory is missing or lacks its phoneme tables.
    #[error("espeak-ng data directory `{}` is missing or incomplete (no `{missing}`); {hint}", path.display(), hint = FETCH_HINT)]
    DataDir {
        /// The directory that was checked.
        path: PathBuf,
        /// The first required file that was not found in it.
        missing: &'static str,
    },
    /// `espeak_Initialize` failed.
    #[error("espeak_Initialize failed with code {code} (data directory: {data_dir}); {hint}", hint = FETCH_HINT)]
    Initialize {
        /// The value espeak returned.
        code: i32,
        /// The data directory passed to espeak, or `espeak's default`.
        data_dir: String,
    },
    /// The library reports a version this crate cannot drive (older than espeak-ng 1.49, or
    /// unparseable). Other espeak-ng versions than 1.52 load with a warning instead.
    #[error("libespeak-ng version `{version}` is not supported (need espeak-ng >= 1.49; the model was trained on 1.52); {hint}", hint = FETCH_HINT)]
    UnsupportedVersion {
        /// What `espeak_Info` returned.
        version: String,
    },
    /// The `en-us` voice is not in the data directory, or espeak refused to select it.
    #[error("espeak-ng cannot select the `{voice}` voice (code {code}); {hint}", hint = FETCH_HINT)]
    Voice {
        /// The language code that was asked for.
        voice: String,
        /// espeak's error code, or -1 when the voice is not listed at all.
        code: i32,
    },
    /// libespeak-ng is already loaded in this process from another library or data directory.
    /// libespeak-ng keeps global state, so one process holds one instance: build every
    /// [`Phonemizer`](crate::Phonemizer) from the same [`EspeakConfig`](crate::EspeakConfig)
    /// (or clone the first one).
    #[error(
        "libespeak-ng is already loaded in this process as `{loaded}`; cannot load `{requested}` too"
    )]
    AlreadyInitialized {
        /// The library and data directory loaded first.
        loaded: String,
        /// The library and data directory asked for now.
        requested: String,
    },
    /// A private copy of the library (see `EspeakConfig::instances`) could not be written.
    #[error("cannot copy libespeak-ng to `{}` for an extra instance", path.display())]
    InstanceCopy {
        /// The temporary folder that was being written.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// espeak moved its input pointer somewhere unexpected (a bug in the library build).
    #[error("libespeak-ng returned an input position outside the text it was given")]
    EspeakProtocol,
}
