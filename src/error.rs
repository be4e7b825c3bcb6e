//! The facade's error type.

use std::path::PathBuf;

/// Everything that can go wrong between a model folder and a waveform.
///
/// The layer crates' errors are kept as sources; the variants a caller usually acts on
/// (an unknown voice, a bad speed, empty text) are lifted to the top.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The text holds nothing to speak: it is empty, whitespace only, or its normalised form
    /// has no letter or digit (punctuation or symbols only).
    #[error("the text has nothing to speak (it is empty, or has no letter or digit)")]
    EmptyText,
    /// The text is longer than [`Limits::max_text_chars`](crate::Limits::max_text_chars).
    #[error("the text has {chars} characters, over the limit of {max} (max_text_chars)")]
    TextTooLong {
        /// Characters in the text.
        chars: usize,
        /// The limit.
        max: usize,
    },
    /// The audio the text is expected to give is longer than
    /// [`Limits::max_audio_seconds`](crate::Limits::max_audio_seconds).
    #[error(
        "the text would give about {estimated_seconds:.0} s of audio, over the limit of {max_seconds} s (max_audio_seconds)"
    )]
    AudioTooLong {
        /// The estimate, in seconds (tokens × [`SECONDS_PER_TOKEN`](crate::SECONDS_PER_TOKEN) / speed).
        estimated_seconds: f64,
        /// The limit, in seconds.
        max_seconds: f64,
    },
    /// The speed times the voice's speed prior leaves the allowed range
    /// ([`Limits::min_speed`](crate::Limits::min_speed)..=[`Limits::max_speed`](crate::Limits::max_speed)).
    #[error(
        "speed {speed} × the voice's speed prior {prior} = {effective}, outside the allowed {min}..={max}"
    )]
    SpeedOutOfRange {
        /// The speed that was asked for.
        speed: f32,
        /// The voice's speed prior from config.json (1.0 when it has none).
        prior: f64,
        /// Their product, the speed the model would get.
        effective: f32,
        /// The slowest allowed effective speed.
        min: f32,
        /// The fastest allowed effective speed.
        max: f32,
    },
    /// A builder setting or limit is unusable (zero sessions, zero threads, a zero limit…).
    #[error("invalid {setting} {value}: expected {expected}")]
    InvalidSetting {
        /// The setting.
        setting: &'static str,
        /// The value given.
        value: String,
        /// What it must be.
        expected: &'static str,
    },
    /// A worker thread panicked while making chunk `chunk`. The synthesizer stays usable.
    #[error("synthesis of chunk {chunk} panicked: {message}")]
    WorkerPanicked {
        /// The chunk's index.
        chunk: usize,
        /// The panic's message, when it had one.
        message: String,
    },
    /// The requested voice is neither a voice id nor an alias of the loaded model.
    #[error("unknown voice {name:?}; available voices: {}", available.join(", "))]
    UnknownVoice {
        /// The name that was asked for.
        name: String,
        /// Aliases first, then voice ids, as the model's config lists them.
        available: Vec<String>,
    },
    /// A voice blend (`Bella*0.7+Luna*0.3`) is malformed: an empty part, a weight that is not
    /// a finite number above 0, or too many voices.
    #[error("invalid voice {spec:?}: {reason}; available voices: {}", available.join(", "))]
    InvalidVoiceSpec {
        /// The spec given.
        spec: String,
        /// What is wrong.
        reason: String,
        /// The voices the model has.
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
    /// A native runtime is in none of the places of the search order (see the crate docs).
    #[error(
        "cannot find {library}; looked in, in order:\n{tried}\nrun `kittentts runtimes install` once (in a clone of the repository, `bash scripts/fetch-runtimes.sh`)"
    )]
    RuntimeNotFound {
        /// `ONNX Runtime` or `libespeak-ng`.
        library: String,
        /// The places tried, one per line, numbered.
        tried: String,
        /// What the system's loader said for the last place.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A runtime's place in the search order is unusable (a variable naming nothing, a file
    /// that is not a library for this machine).
    #[error(transparent)]
    Runtime(#[from] kittentts_runtimes::Error),
    /// [`SynthesizerBuilder::strict_espeak_version`](crate::SynthesizerBuilder::strict_espeak_version)
    /// is on and the libespeak-ng found is not 1.52.
    #[error(
        "libespeak-ng {found} was loaded from {library}, but strict parity needs 1.52 (the build the model was trained with); run `kittentts runtimes install`"
    )]
    EspeakVersion {
        /// The version found.
        found: String,
        /// The library it came from.
        library: String,
    },
    /// A lexicon entry or file is bad.
    #[error(transparent)]
    Lexicon(#[from] kittentts_phonemize::LexiconError),
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
