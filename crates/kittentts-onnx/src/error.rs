//! The crate's error type.

use std::path::PathBuf;

use crate::ExecutionProvider;

/// Everything that can go wrong while loading ONNX Runtime, loading a model or running it.
///
/// Every variant that concerns a file names it; sources are kept so callers can walk the chain.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The ONNX Runtime shared library could not be opened (missing file, wrong architecture,
    /// missing symbols).
    #[error(
        "could not load the ONNX Runtime library `{}` (found via {origin}): {source}; \
         run `kittentts runtimes install` (in a clone, `bash scripts/fetch-runtimes.sh`) to fetch it, or point ORT_DYLIB_PATH at a \
         libonnxruntime of version 1.{min_minor} or newer",
        path.display(),
        min_minor = crate::MIN_ORT_MINOR_VERSION
    )]
    RuntimeLoad {
        /// The library path that was tried.
        path: PathBuf,
        /// Where that path came from (`builder`, `ORT_DYLIB_PATH`, ...).
        origin: crate::runtime::LibrarySource,
        /// What the loader said (ort's `LoadDynamicError` with the default `load-dynamic`).
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The ONNX Runtime library was found but its version is older than this crate needs.
    #[error(
        "the ONNX Runtime library `{}` is version {found}, but kittentts-onnx needs 1.{required_minor} or newer; \
         run `kittentts runtimes install` (in a clone, `bash scripts/fetch-runtimes.sh`) to fetch ONNX Runtime 1.32.0, or point ORT_DYLIB_PATH at a newer one",
        path.display()
    )]
    RuntimeVersion {
        /// The library path that was tried.
        path: PathBuf,
        /// The version string the library reported.
        found: String,
        /// The minimum minor version (`1.<minor>`) required.
        required_minor: u32,
    },
    /// [`init_runtime`](crate::init_runtime) was asked for a library other than the one this
    /// process already loaded (a shared library cannot be swapped once loaded).
    #[error(
        "ONNX Runtime is already loaded from `{}`; cannot switch to `{}` in the same process",
        loaded.display(),
        requested.display()
    )]
    RuntimeConflict {
        /// The library loaded first.
        loaded: PathBuf,
        /// The library requested afterwards.
        requested: PathBuf,
    },
    /// The model file does not exist or cannot be read.
    #[error("cannot read the model file `{}`: {source}", path.display())]
    ModelFile {
        /// The model path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// ONNX Runtime could not create a session from the file (not ONNX, corrupt, unsupported ops).
    #[error("`{}` is not a loadable ONNX model: {source}", path.display())]
    InvalidModel {
        /// The model path.
        path: PathBuf,
        /// ONNX Runtime's error.
        #[source]
        source: ort::Error,
    },
    /// The model loaded, but its inputs or outputs do not match the KittenTTS contract
    /// (`input_ids` int64, `style` float32, `speed` float32 → float32 waveform).
    #[error("`{}` does not have the KittenTTS model interface: {details}", path.display())]
    ContractMismatch {
        /// The model path.
        path: PathBuf,
        /// What differs, e.g. `missing input "input_ids" (int64); the model has inputs tokens: int64, ...`.
        details: String,
    },
    /// An execution provider could not be registered and the options asked for an error
    /// ([`ModelOptions::require_providers`](crate::ModelOptions::require_providers)).
    #[error("execution provider {provider} is not available: {reason}")]
    ProviderUnavailable {
        /// The provider that failed.
        provider: ExecutionProvider,
        /// Why (feature not compiled in, or ONNX Runtime's registration error).
        reason: String,
    },
    /// No input ids were given.
    #[error("input_ids is empty; the model needs at least one id")]
    EmptyInput,
    /// More ids than the text encoder has positions; the caller must split the text first.
    #[error(
        "{len} input ids exceed the model's {max} positions; split the text into shorter chunks"
    )]
    TooManyIds {
        /// How many ids were given.
        len: usize,
        /// The limit ([`MAX_INPUT_IDS`](crate::MAX_INPUT_IDS)).
        max: usize,
    },
    /// The style vector has the wrong number of values.
    #[error("style has {actual} values, the model expects {expected}")]
    StyleLength {
        /// Values the model's `style` input takes.
        expected: usize,
        /// Values given.
        actual: usize,
    },
    /// The speed is not a finite number greater than zero.
    #[error("speed must be a finite number greater than 0, got {speed}")]
    InvalidSpeed {
        /// The rejected speed.
        speed: f32,
    },
    /// ONNX Runtime failed while setting up the environment or a session option.
    #[error("ONNX Runtime failed to {context}: {source}")]
    Runtime {
        /// What was being done.
        context: &'static str,
        /// ONNX Runtime's error.
        #[source]
        source: ort::Error,
    },
    /// ONNX Runtime failed while running the model.
    #[error("running `{}` failed: {source}", path.display())]
    Inference {
        /// The model path.
        path: PathBuf,
        /// ONNX Runtime's error.
        #[source]
        source: ort::Error,
    },
    /// The model ran but an output was missing or had an unexpected type.
    #[error("`{}` produced an unusable output: {details}", path.display())]
    InvalidOutput {
        /// The model path.
        path: PathBuf,
        /// What was wrong.
        details: String,
    },
    /// The run was cancelled before it started.
    #[error("the model run was cancelled before it started")]
    Cancelled,
}
