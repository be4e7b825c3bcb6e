//! # kittentts-text
//!
//! The text layer of KittenTTS: written English → spoken-form English → sentence chunks.
//!
//! Pipeline role: the facade calls [`Normalizer::normalize`] on the user's text, then
//! [`chunk_text`] (at most [`DEFAULT_MAX_CHUNK_CHARS`] characters per chunk), and hands each chunk
//! to the phonemiser (`kittentts-phonemize`, espeak-ng en-us). The output is words, not digits,
//! with sentence punctuation kept so the chunker and the phonemiser still see sentences.
//!
//! ```
//! use kittentts_text::{chunk_text, Normalizer, DEFAULT_MAX_CHUNK_CHARS};
//!
//! let normalizer = Normalizer::default();
//! let spoken = normalizer.normalize("Dr. Smith paid $5 for 3 apples.");
//! assert_eq!(spoken, "Doctor Smith paid five dollars for three apples.");
//! let chunks = chunk_text(&spoken, DEFAULT_MAX_CHUNK_CHARS);
//! assert_eq!(chunks, ["Doctor Smith paid five dollars for three apples."]);
//! ```
#![deny(missing_docs)]

mod chunk;
mod error;
mod normalize;
mod words;

pub use chunk::{DEFAULT_MAX_CHUNK_CHARS, MIN_MAX_CHUNK_CHARS, chunk_text};
pub use error::TextError;
pub use normalize::{NormalizeOptions, Normalized, Normalizer, Span, SpanKind};

/// [`chunk_text`] that rejects a limit below [`MIN_MAX_CHUNK_CHARS`] instead of raising it.
///
/// ```
/// use kittentts_text::{try_chunk_text, TextError};
/// assert_eq!(try_chunk_text("Hi there.", 400), Ok(vec!["Hi there.".to_string()]));
/// assert!(matches!(try_chunk_text("Hi", 1), Err(TextError::ChunkLimitTooSmall { .. })));
/// ```
pub fn try_chunk_text(text: &str, max_chars: usize) -> Result<Vec<String>, TextError> {
    if max_chars < MIN_MAX_CHUNK_CHARS {
        return Err(TextError::ChunkLimitTooSmall {
            max_chars,
            min: MIN_MAX_CHUNK_CHARS,
        });
    }
    Ok(chunk_text(text, max_chars))
}
