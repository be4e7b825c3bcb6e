//! KittenTTS voices and model config: `config.json` and `voices.npz` → the style row the
//! ONNX model gets for each chunk.
//!
//! # Where this sits in the pipeline
//!
//! English text → spoken-form text → sentence chunks → IPA → token ids (other crates) →
//! **one style row of a voice (this crate)** → ONNX Runtime → 24 kHz waveform.
//!
//! - [`ModelConfig`] reads `config.json`: the model [`type`](ModelType) (`ONNX1` for the
//!   0.1/0.2 models, `ONNX2` for 0.8), the ONNX and voices file names, `speed_priors` and
//!   `voice_aliases` (`"Leo": "expr-voice-5-m"`).
//! - [`VoiceBank`] reads `voices.npz`: one [`VoiceTable`] of `(rows, 256)` `f32` per voice
//!   (400 rows for 0.8 voices, 1 for 0.1 voices).
//! - [`Voices`] checks both together at load time and resolves a name to a [`Voice`]: its
//!   table, its style row for a chunk (`min(chars, rows - 1)`, chars counted as Unicode scalar
//!   values like Python's `len`) and its effective speed (`user × prior` in `f64`, then `f32`).
//!
//! Everything is validated when loading, not when synthesising: each failure is a typed
//! [`Error`] naming the file and what is wrong with it.
//!
//! # Example
//!
//! ```
//! use std::path::Path;
//! use kittentts_voices::{ModelConfig, ModelType, Voices};
//!
//! # fn main() -> Result<(), kittentts_voices::Error> {
//! let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/kitten-mini-0.8");
//! let config = ModelConfig::from_file(&dir.join("config.json"))?;
//! assert_eq!(config.model_type, ModelType::Onnx2);
//!
//! let voices = Voices::load(&config, &dir)?;
//! let leo = voices.resolve("Leo")?;
//! assert_eq!(leo.id(), "expr-voice-5-m");
//! assert_eq!(leo.table().rows(), 400);
//!
//! let chunk = "Hello there, how are you?";
//! let style: &[f32] = leo.style_row(chunk); // row 25, borrowed
//! assert_eq!(style.len(), 256);
//! assert_eq!(leo.table().style_index(chunk), 25);
//! assert_eq!(leo.effective_speed(1.0)?, 1.0); // mini-0.8 has no speed priors
//!
//! assert!(voices.resolve("Tom").is_err());
//! # Ok(())
//! # }
//! ```

mod bank;
mod config;
mod error;
mod voices;

pub use bank::{MAX_ENTRY_BYTES, STYLE_DIM, VoiceBank, VoiceTable};
pub use config::{ModelConfig, ModelType};
pub use error::Error;
pub use voices::{Voice, VoiceName, Voices};
