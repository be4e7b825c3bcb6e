//! The facade's errors as the Python exception classes of `kittentts_rs.errors`.
//!
//! The classes live in Python (`python/kittentts_rs/errors.py`) because they inherit from two
//! bases (`KittenTTSError` and `ValueError`, `FileNotFoundError` or `ConnectionError`), which
//! a class made by `create_exception!` cannot. The message is the Rust one followed by its
//! causes, one per line.

use kittentts::Error;
use kittentts::hub::Error as HubError;
use kittentts::onnx::Error as OnnxError;
use kittentts::voices::Error as VoicesError;
use pyo3::prelude::*;

/// The `kittentts_rs.errors` class for an error.
fn class_of(error: &Error) -> &'static str {
    match error {
        Error::EmptyText => "EmptyTextError",
        Error::TextTooLong { .. } | Error::AudioTooLong { .. } => "TextTooLongError",
        Error::SpeedOutOfRange { .. }
        | Error::InvalidSpeed { .. }
        | Error::Voices(VoicesError::InvalidSpeed { .. }) => "InvalidSpeedError",
        Error::UnknownVoice { .. } | Error::Voices(VoicesError::UnknownVoice { .. }) => {
            "UnknownVoiceError"
        }
        Error::InvalidVoiceSpec { .. } => "InvalidVoiceSpecError",
        Error::InvalidSetting { .. } => "InvalidSettingError",
        Error::Lexicon(_) => "LexiconError",
        Error::NoModel
        | Error::ModelDirNotFound { .. }
        | Error::Voices(VoicesError::NotFound { .. })
        | Error::Onnx(OnnxError::ModelFile { .. })
        | Error::Hub(
            HubError::LocalNotFound { .. }
            | HubError::LocalFileMissing { .. }
            | HubError::RepoNotFound { .. }
            | HubError::RevisionNotFound { .. }
            | HubError::FileNotFound { .. }
            | HubError::Offline { .. }
            | HubError::DownloadDisabled { .. },
        ) => "ModelNotFoundError",
        Error::Hub(HubError::InvalidSpec { .. } | HubError::InvalidFileName { .. }) => {
            "InvalidInputError"
        }
        Error::Hub(
            HubError::Network { .. }
            | HubError::Http { .. }
            | HubError::Truncated { .. }
            | HubError::ChecksumMismatch { .. }
            | HubError::Unauthorized { .. },
        ) => "DownloadError",
        Error::RuntimeNotFound { .. }
        | Error::Runtime(_)
        | Error::Onnx(OnnxError::RuntimeLoad { .. })
        | Error::Phonemize(kittentts::phonemize::Error::LibraryLoad { .. }) => {
            "RuntimeNotFoundError"
        }
        Error::Onnx(OnnxError::ProviderUnavailable { .. }) => "ProviderError",
        Error::Voices(_)
        | Error::Onnx(
            OnnxError::InvalidModel { .. }
            | OnnxError::ContractMismatch { .. }
            | OnnxError::RuntimeVersion { .. },
        )
        | Error::EspeakVersion { .. } => "ModelError",
        // Another ONNX Runtime library is already loaded in this process.
        Error::Onnx(OnnxError::RuntimeConflict { .. }) => "KittenTTSError",
        Error::Onnx(_) | Error::WorkerPanicked { .. } | Error::Phonemize(_) => "SynthesisError",
        _ => "KittenTTSError",
    }
}

/// The error's message and the messages of its sources, one per line, without repeating a
/// source whose text the message already holds (thiserror's `transparent` and `{source}`).
pub(crate) fn message(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let line = cause.to_string();
        if !text.contains(&line) {
            text.push_str("\ncaused by: ");
            text.push_str(&line);
        }
        source = cause.source();
    }
    text
}

/// An instance of `kittentts_rs.errors.<class>` with `message`.
pub(crate) fn new_error(py: Python<'_>, class: &str, message: String) -> PyErr {
    let made = py
        .import("kittentts_rs.errors")
        .and_then(|module| module.getattr(class))
        .and_then(|cls| cls.call1((message.clone(),)));
    match made {
        Ok(instance) => PyErr::from_value(instance),
        // The Python layer is missing (the module imported bare): still an exception.
        Err(_) => pyo3::exceptions::PyRuntimeError::new_err(message),
    }
}

/// The facade's error as its Python exception.
pub(crate) fn to_py(py: Python<'_>, error: &Error) -> PyErr {
    new_error(py, class_of(error), message(error))
}

/// `Result<T, kittentts::Error>` → `PyResult<T>`.
pub(crate) trait IntoPyResult<T> {
    /// Maps the error to its Python class.
    fn py_err(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for Result<T, Error> {
    fn py_err(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py(py, &e))
    }
}

/// A bad argument of the binding itself (not one the facade checks): `InvalidSettingError`.
pub(crate) fn invalid(py: Python<'_>, message: impl Into<String>) -> PyErr {
    new_error(py, "InvalidSettingError", message.into())
}
