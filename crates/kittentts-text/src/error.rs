//! The crate's error type.

/// Errors from the text layer.
///
/// Normalising never fails (every input has a documented result); the only fallible calls
/// are the ones that validate a caller's settings.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum TextError {
    /// A chunk limit too small to hold one character and the added comma.
    #[error("chunk limit {max_chars} is below the minimum of {min}")]
    ChunkLimitTooSmall {
        /// The limit asked for.
        max_chars: usize,
        /// The smallest accepted limit.
        min: usize,
    },
}
