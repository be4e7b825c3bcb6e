//! The facade's error type.

use std::path::PathBuf;

/// Everything that can go wrong between a model folder and a waveform.
///
/// The layer crates' errors are kept as sources; the variants a caller usually acts on
/// (an unknown voice, a bad speed, empty text) are lifted to the top.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text holds nothing to speak: it is empty, whitespace only, or normalises to nothing.
    #[error("the text has nothing to speak (it is empty or whitespace only)")]
    EmptyText,
    /// The requested voice is neither a voice id nor an alias of the loaded model.
    #[error("unknown voice {name:?}; available voices: {}", available.join(", "))]
    UnknownVoice {
        /// The name that was asked for.
        name: String,
        /// Aliases first, then voice ids, as the model's config lists them.
        available: Vec<String>,
    },
    /// The speed is zero, negative, NaN or infinite.
    #[error("invalid speed {speed}: it must be a finite number greater than zero")]
    InvalidSpeed {
        /// The speed that was asked for.
        speed: f32,
    },
    /// The builder was given no model.
    #[error("no model given: call `model_dir(...)` or `model(...)` on the builder")]
    NoModel,
    /// The model folder does not exist or is not a folder.
    #[error("model folder {path} does not exist or is not a folder")]
    ModelDirNotFound {
        /// The folder that was given.
        path: PathBuf,
    },
    /// A hub model was asked for, but the crate was built without the `hub` feature.
    #[error(
        "{spec:?} names a Hugging Face Hub model, but kittentts was built without the `hub` feature"
    )]
    HubDisabled {
        /// The model spec that was given.
        spec: String,
    },
    /// Loading libespeak-ng or phonemising failed.
    #[error(transparent)]
    Phonemize(#[from] kittentts_phonemize::Error),
    /// Reading config.json or voices.npz failed, or a voice could not be resolved.
    #[error(transparent)]
    Voices(#[from] kittentts_voices::Error),
    /// Loading ONNX Runtime or the model, or running it, failed.
    #[error(transparent)]
    Onnx(#[from] kittentts_onnx::Error),
    /// Resolving or downloading a Hugging Face Hub model failed.
    #[cfg(feature = "hub")]
    #[error(transparent)]
    Hub(#[from] kittentts_hub::Error),
}

/// The facade's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
