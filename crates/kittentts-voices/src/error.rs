//! The crate's one error type.

use std::path::PathBuf;

use crate::config::ModelType;

/// Everything that can go wrong while loading or using voices and a model config.
///
/// Every load-time variant names the file (`path`) and says what is wrong with it; the
/// underlying error, where there is one, is kept as the [`source`](std::error::Error::source).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file does not exist.
    #[error("{path}: file not found")]
    NotFound {
        /// The file that was asked for.
        path: PathBuf,
        /// The I/O error (kind `NotFound`).
        #[source]
        source: std::io::Error,
    },

    /// The file exists but could not be read.
    #[error("{path}: cannot read the file")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    /// The voices file is not a zip archive, or the archive is corrupt (bad central
    /// directory, truncated data, CRC mismatch, unsupported compression).
    #[error("{path}: not a valid .npz (zip) archive")]
    Zip {
        /// The voices file.
        path: PathBuf,
        /// What the zip reader reported.
        #[source]
        source: zip::result::ZipError,
    },

    /// An entry of the voices archive could not be decompressed or read.
    #[error("{path}: cannot read archive entry {entry:?}")]
    ZipEntry {
        /// The voices file.
        path: PathBuf,
        /// The entry's name inside the archive.
        entry: String,
        /// The I/O error from the decompressor (a CRC mismatch is reported here).
        #[source]
        source: std::io::Error,
    },

    /// An entry of the voices archive is not a `.npy` array (wrong name, a directory, bad
    /// magic, a malformed header, or a data length that does not match the header's shape).
    #[error("{path}: entry {entry:?} is not a valid .npy array: {reason}")]
    NotNpy {
        /// The voices file.
        path: PathBuf,
        /// The entry's name inside the archive.
        entry: String,
        /// What is wrong with it.
        reason: String,
    },

    /// An entry decompresses to more bytes than any voice table needs.
    #[error("{path}: entry {entry:?} is larger than the {limit}-byte limit for a voice table")]
    EntryTooLarge {
        /// The voices file.
        path: PathBuf,
        /// The entry's name inside the archive.
        entry: String,
        /// The limit in bytes.
        limit: u64,
    },

    /// A voice table's dtype is not little-endian float32 (`<f4`).
    #[error("{path}: voice {voice:?} has dtype {dtype}, expected little-endian float32 ('<f4')")]
    Dtype {
        /// The voices file.
        path: PathBuf,
        /// The voice id.
        voice: String,
        /// The dtype descriptor found in the `.npy` header (e.g. `'<f8'`, `'>f4'`).
        dtype: String,
    },

    /// A voice table is not a 2-D array with 256 columns and at least one row.
    #[error("{path}: voice {voice:?} has shape {shape:?}, expected (rows >= 1, 256)")]
    Shape {
        /// The voices file.
        path: PathBuf,
        /// The voice id.
        voice: String,
        /// The shape found in the `.npy` header.
        shape: Vec<usize>,
    },

    /// A voice table holds NaN or an infinity.
    #[error("{path}: voice {voice:?} has a non-finite value {value} at row {row}, column {column}")]
    NonFinite {
        /// The voices file.
        path: PathBuf,
        /// The voice id.
        voice: String,
        /// Row of the first bad value.
        row: usize,
        /// Column of the first bad value.
        column: usize,
        /// The value.
        value: f32,
    },

    /// The voices archive holds no voice.
    #[error("{path}: the voices archive holds no voice")]
    EmptyVoices {
        /// The voices file.
        path: PathBuf,
    },

    /// A voice table's row count does not fit the model type (ONNX2 models need 400 rows).
    #[error("{path}: voice {voice:?} has {rows} rows, but {model_type} models need {expected}")]
    RowCount {
        /// The voices file.
        path: PathBuf,
        /// The voice id.
        voice: String,
        /// Rows found.
        rows: usize,
        /// Rows the model type needs.
        expected: usize,
        /// The model type from config.json.
        model_type: ModelType,
    },

    /// config.json is not valid JSON.
    #[error("{path}: not valid JSON")]
    ConfigJson {
        /// The config file.
        path: PathBuf,
        /// The parser's error (with line and column).
        #[source]
        source: serde_json::Error,
    },

    /// A config.json key is missing, has the wrong JSON type, or an unusable value.
    #[error("{path}: config key {key:?}: {reason}")]
    ConfigField {
        /// The config file.
        path: PathBuf,
        /// The key (`model_file`, `voices`, `voice_aliases.Bella`, ...).
        key: String,
        /// What is wrong.
        reason: String,
    },

    /// config.json's `type` is not one this crate can run (`ONNX1` or `ONNX2`).
    #[error(
        "{path}: unsupported model type {found:?}; expected \"ONNX1\" or \"ONNX2\"{}",
        if found == "KITTEN2" { " (KittenTTS 2 models are not ONNX models)" } else { "" }
    )]
    UnknownModelType {
        /// The config file.
        path: PathBuf,
        /// The `type` value found.
        found: String,
    },

    /// A `voice_aliases` entry points at a voice that is not in the voices file.
    #[error("{path}: alias {alias:?} points at {target:?}, which is not a voice in {voices_file}")]
    AliasTarget {
        /// The config file.
        path: PathBuf,
        /// The alias.
        alias: String,
        /// The voice id it points at.
        target: String,
        /// The voices file that was searched.
        voices_file: PathBuf,
    },

    /// A `speed_priors` value is not a finite positive number.
    #[error("{path}: speed prior for {voice:?} is {value}, expected a finite number > 0")]
    SpeedPrior {
        /// The config file.
        path: PathBuf,
        /// The key of the prior.
        voice: String,
        /// The value found.
        value: f64,
    },

    /// A `speed_priors` key is neither a voice id nor an alias.
    #[error("{path}: speed prior for {voice:?}, which is neither a voice id nor an alias")]
    SpeedPriorVoice {
        /// The config file.
        path: PathBuf,
        /// The key of the prior.
        voice: String,
    },

    /// The requested voice is neither an alias nor a voice id.
    #[error("unknown voice {name:?}; available voices: {}", available.join(", "))]
    UnknownVoice {
        /// The name that was asked for.
        name: String,
        /// Aliases (sorted), then voice ids (in voices-file order).
        available: Vec<String>,
    },

    /// A user speed that is zero, negative, NaN or infinite, or whose product with the
    /// voice's speed prior is not a finite positive `f32`.
    #[error("invalid speed {speed} (speed prior {prior}): the speed must be a finite number > 0")]
    InvalidSpeed {
        /// The user's speed (widened to `f64`).
        speed: f64,
        /// The voice's speed prior (1.0 when it has none).
        prior: f64,
    },
}

impl Error {
    /// Maps an I/O error on `path` to [`Error::NotFound`] or [`Error::Io`].
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        let path = path.to_path_buf();
        if source.kind() == std::io::ErrorKind::NotFound {
            Error::NotFound { path, source }
        } else {
            Error::Io { path, source }
        }
    }
}
