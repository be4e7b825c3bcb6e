//! Native Rust KittenTTS: English text to 24 kHz speech with KittenML's ONNX models.
//!
//! ```text
//! written text ──normalise──▶ spoken-form text ──chunk──▶ sentences (≤ 400 chars)
//!   ──libespeak-ng 1.52 + phonemizer rules──▶ IPA ──178-symbol table──▶ token ids (≤ 509, ≤ 512 with the wrapping)
//!   ──+ one style row of the voice (voices.npz) + speed──▶ ONNX Runtime ──▶ waveform
//! ```
//!
//! Each stage is its own crate, re-exported here: [`text`] (`kittentts-text`),
//! [`phonemize`] (`kittentts-phonemize`), [`voices`] (`kittentts-voices`), [`onnx`]
//! (`kittentts-onnx`) and, with the `hub` feature, [`hub`] (`kittentts-hub`). This crate
//! only wires them together.
//!
//! # Example
//! ```no_run
//! use kittentts::{Synthesizer, SynthesisOptions};
//!
//! # fn main() -> Result<(), kittentts::Error> {
//! let tts = Synthesizer::builder()
//!     .model_dir("tests/data/fixture") // or .model("KittenML/kitten-tts-nano-0.8-int8")
//!     .build()?;
//! let audio = tts.synthesize("Hello there, it is 5:30 p.m.", &SynthesisOptions::new().voice("Leo"))?;
//! assert_eq!(audio.sample_rate, 24_000);
//! # Ok(())
//! # }
//! ```
//!
//! # Native runtimes
//! ONNX Runtime and libespeak-ng are loaded at run time, not linked: `kittentts runtimes
//! install` (the `kittentts-cli` command), `runtimes::install` (feature `runtime-install`) or,
//! in a clone, `bash scripts/fetch-runtimes.sh` fetch the exact builds this crate is tested
//! with (ONNX Runtime 1.32.0 from the PyPI `onnxruntime` wheel, libespeak-ng 1.52.0 from the
//! `espeakng-loader` wheel). Each library is searched for in one order, for examples,
//! installed binaries and apps alike ([`kittentts_runtimes`] has the details): the builder's
//! path ([`SynthesizerBuilder::onnx_runtime`], [`SynthesizerBuilder::espeak_library`]); the
//! environment (`ORT_DYLIB_PATH`, `KITTENTTS_ESPEAK_LIBRARY`, then `$KITTENTTS_RUNTIME_DIR`, a
//! relative value taken from the working folder, one naming nothing an error); next to the
//! executable; the per-user folder ([`runtimes::user_runtime_dir`]); this repository's
//! `runtimes/` (for binaries built in a clone); the system's library. When none loads,
//! [`Error::RuntimeNotFound`] lists every place tried and the fix; [`locate_runtime`] tells
//! where each would come from. libespeak-ng has global state, so every call into it is
//! serialised behind one process-wide lock; one other than 1.52 works with a warning, or is
//! [`Error::EspeakVersion`] with [`SynthesizerBuilder::strict_espeak_version`].
//!
//! # Streaming, sessions, limits
//! [`Synthesizer::stream`] yields [`AudioChunk`]s in order as they are made, with a short first
//! chunk ([`FirstChunk`]), the next chunks phonemised while the model runs and run on every
//! free session at once, at most [`SynthesizerBuilder::lookahead`] ahead of the caller; dropping
//! the stream stops the work. [`SynthesizerBuilder::sessions`] loads several ONNX Runtime
//! sessions (default from the core count, [`default_parallelism`]); concurrent callers take free
//! ones first come first served. [`Limits`] (text length, audio length, speed range) fail
//! before the model runs, with typed errors.
//!
//! # Cargo features
//! | feature | default | what it does |
//! |---|---|---|
//! | `hub` | yes | [`SynthesizerBuilder::model`] accepts Hugging Face Hub ids and bare KittenML names, downloads into the standard Hugging Face cache (shared with Python) |
//! | `runtime-install` | no | `runtimes::install`: download the pinned runtime wheels at run time (only when called) |
//! | `cuda` | no | the CUDA execution provider (ort's `cuda`) |
//! | `tensorrt` | no | the TensorRT execution provider |
//! | `coreml` | no | the CoreML execution provider |
//! | `directml` | no | the DirectML execution provider |
//! | `openvino` | no | the OpenVINO execution provider |
//! | `load-dynamic` | yes | load ONNX Runtime at run time (see "Native runtimes") |
//! | `download-binaries` | no | let ort download its own ONNX Runtime at build time and link it; ort skips the download while `load-dynamic` is on, so use `default-features = false, features = ["hub", "download-binaries"]` |
//!
//! Features only add: results never depend on them. A provider that cannot register warns
//! and falls back to the CPU unless [`SynthesizerBuilder::require_execution_providers`] is set.
//!
//! # Empty text
//! [`Synthesizer::synthesize`] returns [`Error::EmptyText`] for empty or whitespace-only text
//! (the reference crashes); [`Frontend::analyze`] returns an [`Analysis`] with no chunks.
//!
//! # Licences
//! This crate is MIT OR Apache-2.0. libespeak-ng, which it loads at run time, is
//! GPL-3.0-or-later; a program that ships it must meet the GPL's terms.
#![deny(missing_docs)]

mod audio;
mod error;
mod frontend;
#[cfg(feature = "hub")]
mod hub_fetch;
mod limits;
mod runtime_search;
pub use runtime_search::locate_runtime;
mod stream;
mod synthesizer;
mod timing;
mod voice_spec;

pub use audio::{Audio, SAMPLE_RATE};
pub use error::{Error, Result};
pub use frontend::{Analysis, Chunk, Frontend, STYLE_ROWS_0_8};
pub use limits::{
    Limits, MAX_TOKENS_PER_ASCII_CHAR, MAX_TOKENS_PER_OTHER_CHAR, MIN_TOKENS_PER_CHAR,
    SECONDS_PER_TOKEN,
};
pub use stream::{AudioChunk, StreamCanceller, SynthesisStream};
#[cfg(feature = "hub")]
pub use synthesizer::DownloadProgress;
pub use synthesizer::{
    DEFAULT_VOICE, FirstChunk, MAX_SESSIONS, ModelFiles, REFERENCE_TRIM_SAMPLES, SynthesisOptions,
    Synthesizer, SynthesizerBuilder, VoiceInfo, default_parallelism,
};
pub use timing::{Ending, Pauses, WordTiming, to_srt, to_vtt};
pub use voice_spec::MAX_BLEND_VOICES;

pub use kittentts_onnx as onnx;
pub use kittentts_onnx::ExecutionProvider;
pub use kittentts_phonemize as phonemize;
pub use kittentts_phonemize::{EspeakConfig, Lexicon, LexiconError};
pub use kittentts_runtimes as runtimes;
pub use kittentts_text as text;
pub use kittentts_text::NormalizeOptions;
pub use kittentts_voices as voices;

#[cfg(feature = "hub")]
pub use kittentts_hub as hub;

/// The README's code blocks, compiled as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
