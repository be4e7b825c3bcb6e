//! The acoustic-model layer of kittentts: an ONNX Runtime session that turns token ids, one
//! style row and a speed into a 24 kHz waveform (plus per-token durations when the model has
//! them).
//!
//! Pipeline role: text → spoken form → chunks → IPA → token ids (`kittentts-phonemize`) → style
//! row (`kittentts-voices`) → **`AcousticModel::run`** → waveform. This crate knows nothing about
//! text or voices; the `kittentts` facade wires the layers together.
//!
//! ONNX Runtime is loaded at run time (ort's `load-dynamic`): from
//! [`ModelOptions::ort_library`], else `ORT_DYLIB_PATH`, else
//! `$KITTENTTS_RUNTIME_DIR/onnxruntime/libonnxruntime.so` (what `bash scripts/fetch-runtimes.sh`
//! fetches), else the system's `libonnxruntime.so`. A missing or too old library is a typed
//! [`Error`] that says how to fetch one.
//!
//! | feature | effect |
//! |---|---|
//! | `load-dynamic` (default) | load ONNX Runtime at run time, as described above |
//! | `cuda`, `tensorrt`, `coreml`, `directml`, `openvino` | compile in that [`ExecutionProvider`] (ort's feature of the same name); without it, asking for the provider falls back to the CPU |
//! | `download-binaries` | let ort download ONNX Runtime at build time and link it; only with `default-features = false` (ort-sys skips the download whenever `load-dynamic` is on) |
//!
//! ```
//! use kittentts_onnx::{AcousticModel, ModelOptions, STYLE_DIM};
//! # let model_path = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/fixture/model.onnx"));
//!
//! let model = AcousticModel::load(model_path, &ModelOptions::new().with_intra_threads(1))?;
//! // ids are already wrapped: [0] + phoneme ids + [10, 0]
//! let out = model.run(&[0, 50, 83, 156, 102, 16, 4, 10, 0], &[0.1; STYLE_DIM], 1.0)?;
//! let durations = out.durations.unwrap_or_default();
//! assert_eq!(durations.len(), 9);
//! assert_eq!(out.waveform.len(), 600 * durations.iter().sum::<i64>() as usize);
//! # Ok::<(), kittentts_onnx::Error>(())
//! ```
#![deny(missing_docs)]

mod error;
mod model;
mod parallel;
mod pool;
mod provider;
mod run;
mod runtime;

pub use error::Error;
pub use model::{
    AcousticModel, DEFAULT_IDS_IN_FLIGHT, IdsInFlight, MAX_INPUT_IDS, ModelOptions, ModelOutput,
    ParseIdsInFlightError, SAMPLE_RATE, SAMPLES_PER_FRAME, STYLE_DIM,
};
pub use pool::RunWidth;
pub use provider::ExecutionProvider;
pub use runtime::{
    LibrarySource, MIN_ORT_MINOR_VERSION, ORT_DYLIB_PATH_ENV, RUNTIME_DIR_ENV, init_runtime,
    library_file_name, resolve_library, runtime_library, runtime_version,
};
