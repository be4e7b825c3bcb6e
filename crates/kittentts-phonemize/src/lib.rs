//! Phonemiser layer of the native KittenTTS pipeline:
//!
//! ```text
//! spoken-form chunk text ──libespeak-ng 1.52 + phonemizer 3.4.0 rules──▶ IPA ──178-symbol table──▶ token ids
//! ```
//!
//! [`Phonemizer`] loads libespeak-ng at run time (no build-time dependency), drives it the way
//! the Python `phonemizer` package does for KittenTTS
//! (`EspeakBackend("en-us", preserve_punctuation=True, with_stress=True)`), and
//! [`tokenize`] maps the phoneme string to the model's ids with the reference's tokeniser. For
//! the same chunk text the ids are the reference's, except where the reference loses text (see
//! *Differences from the reference* below).
//!
//! ```
//! // Needs the runtime: `bash scripts/fetch-runtimes.sh` (cargo sets KITTENTTS_RUNTIME_DIR).
//! use kittentts_phonemize::{EspeakConfig, Phonemizer, tokenize, wrap_ids};
//!
//! # fn main() -> Result<(), kittentts_phonemize::Error> {
//! let phonemizer = Phonemizer::new(&EspeakConfig::default())?;
//! let phonemes = phonemizer.phonemize("Hello, world!")?;
//! assert_eq!(phonemes, "həlˈoʊ, wˈɜːld! ");
//! let input_ids = wrap_ids(&tokenize(&phonemes));
//! assert_eq!(&input_ids[..6], &[0, 50, 83, 54, 156, 57]); // $ h ə l ˈ o
//! assert_eq!(&input_ids[input_ids.len() - 2..], &[10, 0]);
//!
//! // Chunks whose ids would not fit the model are split at word boundaries:
//! for piece in phonemizer.chunk("A chunk of text.")? {
//!     assert!(piece.ids.len() <= kittentts_phonemize::MAX_TOKENS);
//! }
//! # Ok(()) }
//! ```
//!
//! # Finding libespeak-ng
//! Library: [`EspeakConfig::library`] > `KITTENTTS_ESPEAK_LIBRARY` >
//! `$KITTENTTS_RUNTIME_DIR/espeak-ng/libespeak-ng.so.1` (what `bash scripts/fetch-runtimes.sh`
//! fetches) > the system's `libespeak-ng.so.1`. Data: [`EspeakConfig::data_dir`] >
//! `KITTENTTS_ESPEAK_DATA` > `espeak-ng-data` beside the library > espeak's default.
//! A missing runtime is a typed [`Error`] whose message says how to fetch it. An espeak-ng
//! other than 1.52 (e.g. Debian 12's 1.51) works, with a `tracing` warning naming the version
//! and the parity risk ([`Phonemizer::is_reference_version`]); one older than 1.49 is
//! [`Error::UnsupportedVersion`].
//!
//! # Threads
//! libespeak-ng has global state, so it is loaded once per process and every call into it is
//! serialised behind one process-wide lock, held only while espeak translates one piece of
//! text. [`Phonemizer`] is `Clone + Send + Sync` (an `Arc`). Asking for a *different*
//! library or data directory once one is loaded is [`Error::AlreadyInitialized`] (not a
//! silent reuse); asking again for the same files shares the loaded instance.
//!
//! For throughput across threads, [`EspeakConfig::instances`] loads private copies of the
//! library (each with its own globals and its own lock), so that several threads phonemise at
//! once; results are identical.
//!
//! # Differences from the reference (deliberate)
//! - **No lost items.** `phonemizer` cuts the text at the first occurrence of each mark's
//!   string, so with a digit-dot-digit before a final `.` it returns several items and
//!   KittenTTS speaks only the first ("It is 3.5 meters." → `ɪɾ ɪz θɹˈiː. `). Here all items are
//!   kept and concatenated, each as `phonemizer` produced it (they end with a space; one is
//!   added where an item does not): `ɪɾ ɪz θɹˈiː. fˈaɪv mˈiːɾɚz `.
//!   [`Phonemizer::phonemize_items`] returns the items themselves.
//! - **NUL bytes** are read as spaces (espeak stops at a NUL, losing the rest of the text).
//! - **Very long words**: espeak truncates a word once its phonemes fill its word buffer
//!   (about 150–200 IPA characters: 39 spelled-out letters, ~41 digits, a 132-letter word; a
//!   501-letter word gives 197 characters). A run of word characters of [`LONG_WORD_CHARS`] or
//!   more is phonemised alone first; when espeak reads it as a word of [`LONG_WORD_PHONEMES`]
//!   phoneme characters or more and either splits the run into several words itself or does
//!   not lengthen that word when the run's last character is repeated (the word is full), the
//!   run is cut: in halves (recursively, until no part is full), or, for ASCII digits, into
//!   groups of [`LONG_NUMBER_DIGITS`] (a short last group digit by digit). The parts, and the
//!   text around them, then go to espeak one call each and the outputs are joined with spaces.
//!   Real words and numbers never reach these limits; a chunk without such a word goes to
//!   espeak whole, as in the reference. (A run that exactly fills the buffer, e.g. 39 `q`, is
//!   cut although espeak would just have spoken it.)
//! - **Token budget**: [`Phonemizer::chunk`] splits a chunk whose ids exceed [`MAX_TOKENS`]
//!   (509, so that the wrapped request is at most [`MAX_INPUT_IDS`] = 512; the reference
//!   sends any length and crashes beyond 512 positions).

mod error;
mod espeak;
mod lexicon;
mod punctuation;
mod pyunicode;
mod pyunicode_table;
mod symbols;

use std::borrow::Cow;
use std::ffi::CString;
use std::sync::Arc;

pub use error::Error;
pub use espeak::{ENV_DATA, ENV_LIBRARY, ENV_RUNTIME_DIR, EspeakConfig};
pub use lexicon::{Lexicon, LexiconError};
pub use symbols::{
    MAX_INPUT_IDS, MAX_TOKENS, SYMBOL_COUNT, symbol_id, tokenize, word_id_ranges, wrap_ids,
};

use espeak::Engine;
use pyunicode::{is_space, is_word};

/// Runs of word characters at least this long are checked for espeak's word truncation.
pub const LONG_WORD_CHARS: usize = 16;
/// A run whose phonemes (alone) hold a single word of this many characters or more is checked
/// for truncation (real words stay far below: the longest English words give ~60; espeak
/// truncates at about 150–200).
pub const LONG_WORD_PHONEMES: usize = 120;
/// Truncated runs of ASCII digits are cut into groups of this many digits.
pub const LONG_NUMBER_DIGITS: usize = 40;

/// One piece of a chunk, ready for the model: its text (for the style row), its phonemes and
/// its unwrapped ids (`ids.len() <= MAX_TOKENS`; pass them through [`wrap_ids`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhonemeChunk {
    /// The text this piece was phonemised from (a part of the chunk when it was split).
    pub text: String,
    /// The phoneme string, as [`Phonemizer::phonemize`] returns it.
    pub phonemes: String,
    /// [`tokenize`] of the phonemes; at most [`MAX_TOKENS`] long.
    pub ids: Vec<i64>,
}

/// Text → IPA through libespeak-ng, with the reference's `phonemizer` rules. Cheap to clone;
/// `Send + Sync`; all clones share the process's one libespeak-ng instance.
#[derive(Debug, Clone)]
pub struct Phonemizer {
    engine: Arc<Engine>,
    lexicon: Option<Arc<Lexicon>>,
}

impl Phonemizer {
    /// Loads libespeak-ng (once per process) and selects the `en-us` voice.
    ///
    /// # Errors
    /// [`Error::LibraryLoad`], [`Error::MissingSymbol`], [`Error::DataDir`],
    /// [`Error::Initialize`], [`Error::UnsupportedVersion`], [`Error::Voice`] when the runtime
    /// is missing or unusable; [`Error::AlreadyInitialized`] when another library or data
    /// directory is already loaded in this process.
    pub fn new(config: &EspeakConfig) -> Result<Self, Error> {
        Ok(Self {
            engine: espeak::engine(config)?,
            lexicon: None,
        })
    }

    /// This phonemiser with a user lexicon: [`chunk`](Self::chunk) speaks each word that has
    /// an entry with the entry's IPA, and leaves the other words' phonemes as espeak made them
    /// (see [`phonemize_with_lexicon`](Self::phonemize_with_lexicon)).
    #[must_use]
    pub fn with_lexicon(mut self, lexicon: Arc<Lexicon>) -> Self {
        self.lexicon = (!lexicon.is_empty()).then_some(lexicon);
        self
    }

    /// The phonemes of `text` with the lexicon's words replaced: the whole text goes to espeak
    /// as usual, then each word with an entry has its phonemes replaced by the entry's IPA, so
    /// the words around it keep exactly the phonemes they had. When espeak's words do not
    /// match the text's one to one (it joins some words, such as "of the"), the text is cut at
    /// the lexicon's words instead and the pieces phonemised apart. Without a lexicon, as
    /// [`phonemize`](Self::phonemize).
    ///
    /// # Errors
    /// As [`phonemize`](Self::phonemize).
    pub fn phonemize_with_lexicon(&self, text: &str) -> Result<String, Error> {
        let Some(lexicon) = &self.lexicon else {
            return self.phonemize(text);
        };
        let hits: Vec<(usize, usize)> = word_runs(text)
            .into_iter()
            .filter(|&(s, e)| lexicon.get(&text[s..e]).is_some())
            .collect();
        if hits.is_empty() {
            return self.phonemize(text);
        }
        let normal = self.phonemize(text)?;
        if let Some(replaced) = replace_aligned(text, &normal, lexicon) {
            return Ok(replaced);
        }
        // Not one to one: phonemise the text between the lexicon's words on its own.
        let mut out = String::new();
        let mut last = 0;
        let push = |out: &mut String, piece: &str| {
            let piece = piece.trim_matches(is_space);
            if piece.is_empty() {
                return;
            }
            if !out.is_empty() && !out.ends_with(is_space) {
                out.push(' ');
            }
            out.push_str(piece);
        };
        for (s, e) in hits {
            let between = &text[last..s];
            if !between.trim_matches(is_space).is_empty() {
                push(&mut out, &self.phonemize(between)?);
            }
            push(&mut out, lexicon.get(&text[s..e]).unwrap_or_default());
            last = e;
        }
        let rest = &text[last..];
        if !rest.trim_matches(is_space).is_empty() {
            push(&mut out, &self.phonemize(rest)?);
        }
        if !out.is_empty() && !out.ends_with(is_space) {
            out.push(' ');
        }
        Ok(out)
    }

    /// The version `espeak_Info` reported, e.g. `1.52.0`.
    pub fn espeak_version(&self) -> &str {
        self.engine.version()
    }

    /// How many independent copies of libespeak-ng serve this process (see
    /// [`EspeakConfig::instances`]); 1 unless more were asked for.
    pub fn espeak_instances(&self) -> usize {
        self.engine.instances()
    }

    /// Whether the loaded library is espeak-ng 1.52, the version the model was trained with.
    pub fn is_reference_version(&self) -> bool {
        self.engine.is_reference_version()
    }

    /// The phoneme string of one chunk of text: the reference's
    /// `backend.phonemize([text])[0]`, except that no item is lost (see the crate docs).
    ///
    /// # Errors
    /// [`Error::EspeakProtocol`] if the library misbehaves.
    pub fn phonemize(&self, text: &str) -> Result<String, Error> {
        let items = self.phonemize_items(text)?;
        if items.len() == 1 {
            return Ok(items.into_iter().next().unwrap_or_default());
        }
        let mut out = String::new();
        for item in items {
            if !out.is_empty() && !out.ends_with(is_space) {
                out.push(' ');
            }
            out.push_str(&item);
        }
        Ok(out)
    }

    /// `phonemizer`'s list of output items for one chunk (usually one; the reference keeps
    /// only the first). An empty text gives an empty list.
    ///
    /// # Errors
    /// [`Error::EspeakProtocol`] if the library misbehaves.
    pub fn phonemize_items(&self, text: &str) -> Result<Vec<String>, Error> {
        let text: Cow<'_, str> = if text.contains('\0') {
            Cow::Owned(text.replace('\0', " "))
        } else {
            Cow::Borrowed(text)
        };
        let (pieces, marks) = punctuation::preserve(&text);
        let phonemized = pieces
            .iter()
            .map(|p| self.phonemize_piece(p))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(punctuation::restore(phonemized, marks))
    }

    /// Phonemises a chunk and returns its ids, split into pieces that fit the model.
    ///
    /// Normally one piece. When the ids exceed [`MAX_TOKENS`], the text is cut at the last
    /// word or punctuation boundary whose prefix fits (found by bisection over the boundaries,
    /// and verified), the prefix becomes a piece, and the rest is processed the same way; a
    /// single word that does not fit is cut between characters. Whitespace at a cut is dropped;
    /// no other text is lost. Never returns an empty list (an empty text gives one piece with
    /// no ids).
    ///
    /// # Errors
    /// As [`Phonemizer::phonemize`].
    pub fn chunk(&self, text: &str) -> Result<Vec<PhonemeChunk>, Error> {
        let mut out = Vec::new();
        let mut rest = text;
        loop {
            let piece = self.piece(rest)?;
            if piece.ids.len() <= MAX_TOKENS {
                out.push(piece);
                return Ok(out);
            }
            let (head, cut) = self.fitting_prefix(rest)?;
            tracing::debug!(
                ids = piece.ids.len(),
                head_chars = head.text.chars().count(),
                "chunk over the token budget: split"
            );
            out.push(head);
            rest = rest[cut..].trim_start_matches(is_space);
            if rest.is_empty() {
                return Ok(out);
            }
        }
    }

    fn piece(&self, text: &str) -> Result<PhonemeChunk, Error> {
        let phonemes = self.phonemize_with_lexicon(text)?;
        let ids = tokenize(&phonemes);
        Ok(PhonemeChunk {
            text: text.to_owned(),
            phonemes,
            ids,
        })
    }

    /// The longest prefix of `text` (at a boundary) whose ids fit, and the byte offset where
    /// the rest starts. `text`'s own ids do not fit.
    fn fitting_prefix(&self, text: &str) -> Result<(PhonemeChunk, usize), Error> {
        let boundaries = word_boundaries(text);
        if let Some(found) = self.bisect(text, &boundaries)? {
            return Ok(found);
        }
        // No boundary fits: the first word alone is too long; cut between characters.
        let chars: Vec<usize> = text
            .char_indices()
            .map(|(i, c)| i + c.len_utf8())
            .take_while(|&end| end < text.len())
            .collect();
        if let Some(found) = self.bisect(text, &chars)? {
            return Ok(found);
        }
        // Even the first character alone does not fit. espeak's word limit (~200 phoneme
        // characters) makes this impossible; should it happen, the ids are cut to the budget
        // with a warning rather than sent over the model's limit.
        let end = text.chars().next().map_or(text.len(), char::len_utf8);
        let mut piece = self.piece(&text[..end])?;
        if piece.ids.len() > MAX_TOKENS {
            tracing::warn!(
                text = %piece.text,
                ids = piece.ids.len(),
                "one character gives more ids than the model takes: ids cut to the budget"
            );
            piece.ids.truncate(MAX_TOKENS);
        }
        Ok((piece, end))
    }

    /// Largest `cut` in `cuts` (ascending byte offsets) whose trimmed prefix fits.
    fn bisect(&self, text: &str, cuts: &[usize]) -> Result<Option<(PhonemeChunk, usize)>, Error> {
        let (mut lo, mut hi) = (0usize, cuts.len());
        let mut best: Option<(PhonemeChunk, usize)> = None;
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let cut = cuts[mid];
            let head = text[..cut].trim_end_matches(is_space);
            let piece = self.piece(head)?;
            if !head.is_empty() && piece.ids.len() <= MAX_TOKENS {
                best = Some((piece, cut));
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        Ok(best)
    }

    /// One punctuation-free piece through espeak and `phonemizer`'s line post-processing.
    fn phonemize_piece(&self, piece: &str) -> Result<String, Error> {
        let raw = match self.long_word_segments(piece)? {
            None => self.espeak(piece)?,
            Some(segments) => {
                let mut outputs = Vec::with_capacity(segments.len());
                for segment in &segments {
                    let out = self.espeak(segment)?;
                    if !out.is_empty() {
                        outputs.push(out);
                    }
                }
                outputs.join(" ")
            }
        };
        Ok(postprocess(&raw))
    }

    fn espeak(&self, text: &str) -> Result<String, Error> {
        // NULs were replaced by spaces in `phonemize_items`; the probe texts have none either.
        let c = CString::new(text.replace('\0', " ")).map_err(|_| Error::EspeakProtocol)?;
        self.engine.text_to_phonemes(&c)
    }

    /// `None` when the piece has no word espeak truncates (the common case: the piece goes to
    /// espeak whole, as in the reference). Otherwise the piece cut into segments that go to
    /// espeak one by one: the text between truncated words, and the parts of each such word
    /// (see the crate docs).
    fn long_word_segments<'a>(&self, piece: &'a str) -> Result<Option<Vec<Cow<'a, str>>>, Error> {
        let mut segments: Vec<Cow<'a, str>> = Vec::new();
        let mut last = 0;
        for (s, e) in word_runs(piece) {
            let run = &piece[s..e];
            if run.chars().count() < LONG_WORD_CHARS || !self.truncates(run)? {
                continue;
            }
            segments.push(Cow::Borrowed(&piece[last..s]));
            if run.bytes().all(|b| b.is_ascii_digit()) {
                digit_groups(run, &mut segments);
            } else {
                self.halve_until_spoken(run, &mut segments)?;
            }
            last = e;
        }
        if segments.is_empty() {
            return Ok(None);
        }
        segments.push(Cow::Borrowed(&piece[last..]));
        segments.retain(|s| !s.trim_matches(is_space).is_empty());
        tracing::debug!(
            chars = piece.chars().count(),
            segments = segments.len(),
            "cut words espeak would truncate"
        );
        Ok(Some(segments))
    }

    /// Whether espeak truncates this run of word characters: it reads it as a word of at
    /// least [`LONG_WORD_PHONEMES`] phoneme characters, and either splits the run into several
    /// words itself (a run longer than its input buffer) or stops growing that word when the
    /// run's last character is repeated once more (the word is full).
    fn truncates(&self, run: &str) -> Result<bool, Error> {
        let full = self.espeak(run)?;
        let longest = longest_word_phonemes(&full);
        if longest < LONG_WORD_PHONEMES {
            return Ok(false);
        }
        if full.split(is_space).filter(|w| !w.is_empty()).count() > 1 {
            return Ok(true);
        }
        let mut longer = run.to_owned();
        longer.extend(run.chars().last());
        Ok(longest_word_phonemes(&self.espeak(&longer)?) <= longest)
    }

    fn halve_until_spoken<'a>(
        &self,
        run: &'a str,
        parts: &mut Vec<Cow<'a, str>>,
    ) -> Result<(), Error> {
        let n = run.chars().count();
        if n < 2 || !self.truncates(run)? {
            parts.push(Cow::Borrowed(run));
            return Ok(());
        }
        let mid = run.char_indices().nth(n / 2).map_or(run.len(), |(i, _)| i);
        self.halve_until_spoken(&run[..mid], parts)?;
        self.halve_until_spoken(&run[mid..], parts)
    }
}

/// A run of ASCII digits espeak truncates (it reads runs of 33 digits or more digit by digit,
/// and stops after about 41): groups of [`LONG_NUMBER_DIGITS`], which espeak reads whole and
/// digit by digit; a last group too short for that (under 33 digits, which espeak would read
/// as a number) is given digit by digit, separated by spaces.
fn digit_groups<'a>(run: &'a str, out: &mut Vec<Cow<'a, str>>) {
    // ASCII digits: one byte each, so every byte offset is a char boundary.
    let mut at = 0;
    while at < run.len() {
        let end = (at + LONG_NUMBER_DIGITS).min(run.len());
        let group = &run[at..end];
        if group.len() >= 33 {
            out.push(Cow::Borrowed(group));
        } else {
            let spaced: Vec<&str> = (0..group.len()).map(|i| &group[i..=i]).collect();
            out.push(Cow::Owned(spaced.join(" ")));
        }
        at = end;
    }
}

/// `phonemizer`'s `_postprocess_line` for `with_stress=True`, word separator `" "`, no phone
/// separator, `strip=False`: strip, newlines to spaces, one pass of `"  "` → `" "`, then every
/// space-separated word stripped, its `_` removed, and followed by one space.
fn postprocess(raw: &str) -> String {
    let line = pyunicode::strip(raw).replace('\n', " ").replace("  ", " ");
    if line.is_empty() {
        return String::new();
    }
    let mut out = String::with_capacity(line.len() + 8);
    for word in line.split(' ') {
        out.extend(pyunicode::strip(word).chars().filter(|&c| c != '_'));
        out.push(' ');
    }
    out
}

/// The length in characters of the longest word of a raw espeak output (phoneme separators
/// `_` not counted). espeak truncates single words, so this is what signals a truncation; a run
/// that espeak reads as many words (mixed scripts, CJK) is left alone.
fn longest_word_phonemes(raw: &str) -> usize {
    raw.split(is_space)
        .map(|w| w.chars().filter(|&c| c != '_').count())
        .max()
        .unwrap_or(0)
}

/// The phonemes with each lexicon word's espeak phonemes replaced, when the text's
/// whitespace-separated words and the phonemes' words match one to one and each lexicon word
/// is the only run of word characters of its text word; `None` otherwise.
fn replace_aligned(text: &str, phonemes: &str, lexicon: &Lexicon) -> Option<String> {
    let text_words: Vec<&str> = text
        .split(is_space)
        .filter(|w| w.chars().any(is_word))
        .collect();
    let phoneme_words = phonemes
        .split(' ')
        .filter(|w| w.chars().any(is_word))
        .count();
    if text_words.len() != phoneme_words {
        return None;
    }
    let mut overrides: Vec<Option<&str>> = Vec::with_capacity(text_words.len());
    for w in &text_words {
        let runs = word_runs(w);
        let hit = runs.iter().find_map(|&(s, e)| lexicon.get(&w[s..e]));
        if hit.is_some() && runs.len() != 1 {
            return None; // "x-Kitten": the lexicon word shares its text word
        }
        overrides.push(hit);
    }
    let mut i = 0;
    let out: Vec<String> = phonemes
        .split(' ')
        .map(|pw| {
            if !pw.chars().any(is_word) {
                return pw.to_owned();
            }
            let replaced = match overrides.get(i).copied().flatten() {
                Some(ipa) => {
                    // Keep the marks around the word (`,` `.` `"`), replace the rest (its
                    // letters, and combining marks such as the syllabic ̩ after them).
                    let mark = |c: char| !is_word(c) && !is_combining(c);
                    let s = pw.find(|c: char| !mark(c)).unwrap_or(0);
                    let e = pw.rfind(|c: char| !mark(c)).map_or(pw.len(), |i| {
                        i + pw[i..].chars().next().map_or(0, char::len_utf8)
                    });
                    format!("{}{ipa}{}", &pw[..s], &pw[e..])
                }
                None => pw.to_owned(),
            };
            i += 1;
            replaced
        })
        .collect();
    Some(out.join(" "))
}

/// Combining diacritics (U+0300–U+036F), which espeak puts after letters (`n̩`).
fn is_combining(c: char) -> bool {
    ('\u{300}'..='\u{36f}').contains(&c)
}

/// Byte ranges of the maximal runs of (Python) word characters.
fn word_runs(text: &str) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (is_word(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                runs.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        runs.push((s, text.len()));
    }
    runs
}

/// Byte offsets where a chunk may be cut, ascending, excluding 0 and the end: before each
/// whitespace run that follows text, and after a punctuation character that is followed by
/// more text, when that character is one of `phonemizer`'s marks (not a decimal separator
/// between digits) or the next character is not a word character. So `a,b` and `a—b` may be
/// cut after the mark, but `don't`, `x-ray` and `3.5` are never cut inside.
fn word_boundaries(text: &str) -> Vec<usize> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut cuts = Vec::new();
    for (k, pair) in chars.windows(2).enumerate() {
        let [(_, p), (i, c)] = pair else { continue };
        let (p, c) = (*p, *c);
        let before_space = is_space(c) && !is_space(p);
        let after_punct = !is_word(p)
            && !is_space(p)
            && !is_space(c)
            && (!is_word(c) || punctuation::is_mark_at(&chars, k));
        if before_space || after_punct {
            cuts.push(*i);
        }
    }
    cuts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postprocess_follows_phonemizer() {
        assert_eq!(postprocess(" h_ə_l_ˈoʊ w_ˈɜː_l_d\n"), "həlˈoʊ wˈɜːld ");
        assert_eq!(postprocess(""), "");
        assert_eq!(postprocess("  \n "), "");
        // three spaces become two (one pass), leaving an empty word
        assert_eq!(postprocess("a   b"), "a  b ");
        assert_eq!(postprocess("a\n b"), "a b ");
    }

    #[test]
    fn boundaries() {
        assert_eq!(word_boundaries("ab cd, ef"), vec![2, 6]);
        assert_eq!(word_boundaries("a—b"), vec![4]);
        assert_eq!(word_boundaries("a,b"), vec![2]);
        assert_eq!(word_boundaries("don't x-ray 3.5 3,5"), vec![5, 11, 15]);
        assert_eq!(word_boundaries("a-(b"), vec![2, 3]);
        assert_eq!(word_boundaries("abc"), Vec::<usize>::new());
        assert_eq!(word_boundaries(""), Vec::<usize>::new());
    }

    #[test]
    fn phonemizer_is_clone_send_sync() {
        fn check<T: Clone + Send + Sync + std::fmt::Debug>() {}
        check::<Phonemizer>();
        check::<PhonemeChunk>();
        check::<EspeakConfig>();
    }

    #[test]
    fn digit_groups_read_digit_by_digit() {
        let run = "1".repeat(85);
        let mut out = Vec::new();
        digit_groups(&run, &mut out);
        assert_eq!(out.len(), 3);
        assert_eq!(out[0], "1".repeat(40));
        assert_eq!(out[1], "1".repeat(40));
        assert_eq!(out[2], "1 1 1 1 1");
        let run = "2".repeat(75);
        let mut out = Vec::new();
        digit_groups(&run, &mut out);
        assert_eq!(out, vec!["2".repeat(40), "2".repeat(35)]);
    }

    #[test]
    fn longest_word_ignores_phoneme_separators() {
        assert_eq!(longest_word_phonemes("h_ə_l_ˈoʊ w_ˈɜː_l_d"), 6);
        assert_eq!(longest_word_phonemes(""), 0);
    }

    #[test]
    fn runs() {
        assert_eq!(word_runs("ab, c_d é"), vec![(0, 2), (4, 7), (8, 10)]);
        assert_eq!(word_runs("n\u{329}"), vec![(0, 1)]);
    }
}
