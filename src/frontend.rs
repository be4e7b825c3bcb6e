//! The model-free half of the pipeline: text → spoken form → chunks → phonemes → token ids.

use kittentts_phonemize::{EspeakConfig, PhonemeChunk, Phonemizer};
use kittentts_text::{
    DEFAULT_MAX_CHUNK_CHARS, NormalizeOptions, Normalized, Normalizer, TextChunk,
};

use crate::Result;

/// Rows of a KittenTTS 0.8 voice table; [`Chunk::style_row`] is computed for this many rows.
pub const STYLE_ROWS_0_8: usize = 400;

/// One piece of text as the model sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// The chunk's text (normalised, with the chunker's closing punctuation).
    pub text: String,
    /// Its IPA phonemes, as the reference's `phonemizer` configuration writes them.
    pub phonemes: String,
    /// The model input: `[0] + token ids + [10, 0]`, never more than 512 ids.
    pub input_ids: Vec<i64>,
    /// The style row this chunk selects in a 400-row (0.8) voice table:
    /// `min(chars in text, 399)`. A voice with another row count picks its own row.
    pub style_row: usize,
}

/// What the front end made of one text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    /// The text after normalisation (the input itself when normalisation is off).
    pub normalized: String,
    /// The chunks, in order. Empty when the text holds nothing to speak.
    pub chunks: Vec<Chunk>,
}

/// The text front end: normaliser, chunker and phonemiser, with no model attached.
///
/// Cheap to clone and `Send + Sync`; every method takes `&self`.
#[derive(Clone)]
pub struct Frontend {
    normalizer: std::sync::Arc<Normalizer>,
    phonemizer: Phonemizer,
    espeak_library: std::path::PathBuf,
    max_chunk_chars: usize,
}

impl std::fmt::Debug for Frontend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Frontend")
            .field("espeak_version", &self.phonemizer.espeak_version())
            .field("max_chunk_chars", &self.max_chunk_chars)
            .finish_non_exhaustive()
    }
}

impl Frontend {
    /// Loads libespeak-ng (from `espeak.library`, else by the crate's search order: see
    /// "Native runtimes" in the crate docs) and sets up the normaliser with `normalize`.
    ///
    /// # Errors
    /// [`Error::RuntimeNotFound`](crate::Error::RuntimeNotFound) listing every place tried when
    /// no libespeak-ng is found; [`Error::Runtime`](crate::Error::Runtime) for an unusable
    /// place; the phonemiser's errors otherwise.
    pub fn new(espeak: &EspeakConfig, normalize: NormalizeOptions) -> Result<Self> {
        let (config, located) = crate::runtime_search::locate_espeak(espeak)?;
        let phonemizer = Phonemizer::new(&config).map_err(|e| match e {
            kittentts_phonemize::Error::LibraryLoad { .. }
                if located.place == kittentts_runtimes::Place::System =>
            {
                crate::runtime_search::not_found(
                    kittentts_runtimes::Library::Espeak,
                    &located,
                    e.into(),
                )
            }
            other => other.into(),
        })?;
        Ok(Self {
            normalizer: std::sync::Arc::new(Normalizer::new(normalize)),
            phonemizer,
            espeak_library: located.path,
            max_chunk_chars: DEFAULT_MAX_CHUNK_CHARS,
        })
    }

    /// The libespeak-ng file the search order chose (a bare name when the system's loader
    /// found it).
    pub fn espeak_library(&self) -> &std::path::Path {
        &self.espeak_library
    }

    /// This front end with a user lexicon (see [`Lexicon`](kittentts_phonemize::Lexicon)): its
    /// words are spoken with the lexicon's IPA; the words around them keep their phonemes.
    #[must_use]
    pub fn with_lexicon(mut self, lexicon: std::sync::Arc<kittentts_phonemize::Lexicon>) -> Self {
        self.phonemizer = self.phonemizer.with_lexicon(lexicon);
        self
    }

    /// Whether the libespeak-ng loaded is 1.52, the version the models were trained with.
    pub fn is_reference_espeak(&self) -> bool {
        self.phonemizer.is_reference_version()
    }

    /// The version of the libespeak-ng that was loaded, e.g. `1.52.0`.
    pub fn espeak_version(&self) -> &str {
        self.phonemizer.espeak_version()
    }

    /// Written text → spoken-form text.
    pub fn normalize(&self, text: &str) -> String {
        self.normalizer.normalize(text)
    }

    /// Written text → spoken-form text, with the span of every replacement.
    pub fn normalize_with_spans(&self, text: &str) -> Normalized {
        self.normalizer.normalize_with_spans(text)
    }

    /// Spoken-form text → sentence chunks (at most 400 characters each), with their ranges.
    pub fn sentences(&self, normalized: &str) -> Vec<TextChunk> {
        kittentts_text::chunk_ranges(normalized, self.max_chunk_chars)
    }

    /// One sentence chunk → the pieces the model gets (usually one; more when its ids exceed
    /// the token budget).
    pub fn pieces(&self, sentence: &str) -> Result<Vec<PhonemeChunk>> {
        Ok(self.phonemizer.chunk(sentence)?)
    }

    /// Text → IPA phonemes of the whole text, as one chunk (no normalisation, no chunking),
    /// the lexicon's words spoken as it says, as in synthesis.
    pub fn phonemize(&self, text: &str) -> Result<String> {
        Ok(self.phonemizer.phonemize_with_lexicon(text)?)
    }

    /// Text → token ids (unwrapped) of the whole text, as one chunk, with the lexicon.
    pub fn token_ids(&self, text: &str) -> Result<Vec<i64>> {
        let phonemes = self.phonemizer.phonemize_with_lexicon(text)?;
        Ok(kittentts_phonemize::tokenize(&phonemes))
    }

    /// Runs the whole front end: normalise (when `normalize`), chunk, phonemise and tokenise.
    ///
    /// Empty or whitespace-only text gives an [`Analysis`] with no chunks, not an error.
    pub fn analyze(&self, text: &str, normalize: bool) -> Result<Analysis> {
        let normalized = if normalize {
            self.normalizer.normalize(text)
        } else {
            text.to_owned()
        };
        let mut chunks = Vec::new();
        for sentence in kittentts_text::chunk_text(&normalized, self.max_chunk_chars) {
            for piece in self.phonemizer.chunk(&sentence)? {
                let style_row = piece.text.chars().count().min(STYLE_ROWS_0_8 - 1);
                chunks.push(Chunk {
                    input_ids: kittentts_phonemize::wrap_ids(&piece.ids),
                    text: piece.text,
                    phonemes: piece.phonemes,
                    style_row,
                });
            }
        }
        Ok(Analysis { normalized, chunks })
    }
}
