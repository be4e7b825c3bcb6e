//! # kittentts-text
//!
//! The text layer of KittenTTS: written English → spoken-form English → sentence chunks.
//!
//! Pipeline role: the facade calls [`Normalizer::normalize`] on the user's text, then
//! [`chunk_text`] (at most [`DEFAULT_MAX_CHUNK_CHARS`] characters per chunk), and hands each
//! chunk to the phonemiser (`kittentts-phonemize`, espeak-ng en-us). The output is words, not
//! digits, written the way espeak reads them well, with sentence punctuation kept so the chunker
//! and the phonemiser still see sentences. This crate has no dependency on the other layers.
//!
//! ```
//! use kittentts_text::{chunk_text, Normalizer, DEFAULT_MAX_CHUNK_CHARS};
//!
//! let normalizer = Normalizer::default();
//! let spoken = normalizer.normalize("Dr. Smith paid $5 for 3 apples at 6:07 a.m. on Jan 5, 2024.");
//! assert_eq!(
//!     spoken,
//!     "Doctor Smith paid five dollars for three apples at six oh seven AM on January fifth, \
//!      twenty twenty-four."
//! );
//! let chunks = chunk_text(&spoken, DEFAULT_MAX_CHUNK_CHARS);
//! assert_eq!(chunks.len(), 1);
//! ```
//!
//! ## The normaliser
//!
//! One linear pass. First, per character: Unicode NFC (per grapheme cluster), characters that
//! cannot be spoken (below), HTML tags removed and entities decoded. Then the text is split at
//! whitespace into tokens, each with its opening and closing punctuation set aside, and at each
//! token the rules are tried in this fixed order; the first that matches replaces the token (or
//! a few tokens, as in "Jan 5, 2024") and the scan goes on after it:
//!
//! | # | rule (option) | example |
//! |---|---|---|
//! | 1 | URLs, emails (`urls`) | `https://example.com/docs` → "example dot com slash docs" |
//! | 2 | abbreviations (`abbreviations`) | `Dr. Lee`, `e.g.`, `St. Louis`, `U.S.` → "Doctor Lee", "for example", "Saint Louis", "US" |
//! | 3 | dates (`dates`) | `Jan 5, 2024`, `2024-03-15`, `5 March 2024` |
//! | 4 | times (`times`) | `6:07 a.m.` → "six oh seven AM"; `14:00`; `9am-5pm` |
//! | 5 | phone numbers (`phone_numbers`) | `(555) 123-4567` → "five five five, one two three, four five six seven" |
//! | 6 | IP addresses (`ip_addresses`) | `10.0.0.1` → "one zero dot zero dot zero dot one" |
//! | 7 | currency (`currency`) | `$1.01` → "one dollar and one cent"; `$120K`; `£24.99` → "… pence" |
//! | 8 | percentages (`percentages`) | `3.5%` → "three point five percent" |
//! | 9 | scientific notation (`scientific`) | `3.2e-5` → "three point two times ten to the negative five" |
//! | 10 | ranges (`ranges`) | `10-20` → "ten to twenty"; `2020–2024` |
//! | 11 | fractions (`fractions`) | `3/4` → "three quarters"; `1 1/2` → "one and a half"; `½` |
//! | 12 | decades (`decades`) | `1990s`, `'90s` → "nineteen nineties", "nineties" |
//! | 13 | ordinals (`ordinals`) | `50th` → "fiftieth" |
//! | 14 | versions (`versions`) | `v1.2.3`, `Python 3.12` → "Python three point twelve" |
//! | 15 | units (`units`) | `41°C`, `5 km`, `3.6GHz`, `2x`, `1920x1080`, `5'11"` |
//! | 16 | scale suffixes (`scale_suffixes`) | `7B` → "seven billion" |
//! | 17 | roman numerals (`roman_numerals`; in context only) | `Louis XIV` → "Louis the fourteenth"; `World War II` → "World War two" |
//! | 18 | numbers and years (`numbers`, `years`) | `-1,234.5`; `in 1937` → "in nineteen thirty-seven"; `1848 people` |
//! | 19 | inline digits and symbols (`numbers`, `symbols`) | `GPT-4o` → "GPT four o"; `AT&T` → "AT and T"; `#1` → "number one"; `C#` |
//!
//! Every replacement is reported as a [`Span`] by [`Normalizer::normalize_with_spans`]: the
//! original and normalised character ranges (Python string indices, like the reference's
//! `normalize_text(..., return_spans=True)`).
//!
//! Cardinals are exact for any length: digits are read in groups of three up to
//! "vigintillion" (10^63), and an integer with more than 66 digits is read digit by digit. The
//! `num2words` crate is not used: its English cardinals add a British "and" ("nine hundred and
//! thirty-two") and go through a float type that loses digits past about 40.
//!
//! ### Characters that cannot be spoken
//! - NUL, other C0/C1 control characters, U+2028/U+2029 and U+200B (zero-width space) become a
//!   space (espeak stops reading at a NUL).
//! - Soft hyphen, word joiner, BOM and bidirectional controls are removed.
//! - Everything else is passed through as written: letters of any script, emoji (espeak names
//!   many of them), combining marks, ZWJ/ZWNJ, and punctuation the rules do not read
//!   (`*`, `|`, `\`, brackets). Digits other than ASCII `0-9` are not read as numbers.
//! - Runs of whitespace become one space; the result has no leading or trailing space.
//!
//! ### Deliberate differences from the reference (kittenml 0.9.6)
//! Compared with `TextPreprocessor` (the path of `generate(clean_text=True)`) and the newer
//! `normalize_text`:
//! - Letter case is kept ("US" stays "US", not "us"); contractions are left to espeak ("It's
//!   been" stays, not "it is been").
//! - Years are read as years where the context says so: "in 1937" → "in nineteen thirty-seven"
//!   (reference: "one thousand nine hundred thirty-seven"); counts stay counts: "1848 people".
//! - Times keep the next word apart and read seconds: "3:00 this" → "three o'clock this"
//!   (reference: "three hundredthis"); "10:30:15" → "ten thirty and fifteen seconds".
//! - URLs and emails are read out, not deleted: "hello@example.com." → "hello at example dot
//!   com." (the sentence's period is kept).
//! - Money in the right units and number: "$1.01" → "one dollar and one cent" (reference: "one
//!   dollars"); "£24.99" → "twenty-four pounds and ninety-nine pence"; "¥500" → "five hundred
//!   yen" (reference: "yens").
//! - Versions and model names: "v2.4.1" → "version two point four point one" (reference:
//!   "v2.four point one"); "GPT-4o" → "GPT four o"; "A100" → "A one hundred".
//! - Ordinals by their words: "50th" → "fiftieth" (reference: "fiftyth").
//! - Numbers above 2^53 are exact and nothing past the trillions is dropped.
//! - Abbreviations are expanded by default ("Dr." → "Doctor"); "1 1/2" → "one and a half"
//!   (reference: "one one half"); ".05" → "point zero five"; "41°C" → "forty-one degrees
//!   Celsius"; "3.2e-5" is read; "p.m." → "PM"; phone numbers are read digit by digit, not as
//!   ranges.
//! - "a.m."/"p.m." are written "AM"/"PM" (espeak reads the capitals as letters; the dotted form
//!   makes it stop twice).
//! - Nothing raises: "$," and ", %", a comma after a quote or `)`, "Word-3.", non-ASCII digits,
//!   empty text — all have a result. Time is linear (the reference takes about 20 s on 10,000
//!   digits).
//! - Roman numerals are read where the context makes them numbers ("Louis XIV", "World War
//!   II", "the XIX century", a heading "IV."); the reference leaves them to libespeak-ng, which
//!   says "Henry roman eight". Never the pronoun "I", initials, "type C" or words in capitals
//!   (`tests/data/roman.tsv`).
//!
//! ## The chunker
//! [`chunk_text`] follows the reference's `chunk_text` on ordinary text (same chunks, so the
//! phoneme ids match), with its faults fixed: a chunk is never longer than the limit including
//! the added comma; a word longer than the limit on its own is cut at grapheme boundaries;
//! "e.g.", "i.e.", "U.S.A.", "St.", "vs." and similar do not end a sentence; no comma after "…"
//! or "—"; linear time. See the function's docs for the details.
#![deny(missing_docs)]

mod chunk;
mod error;
mod normalize;
mod source_map;
mod words;

pub use chunk::{
    DEFAULT_MAX_CHUNK_CHARS, MIN_MAX_CHUNK_CHARS, TextChunk, chunk_ranges, chunk_text,
};
pub use error::TextError;
pub use normalize::{NormalizeOptions, Normalized, Normalizer, Span, SpanKind};
pub use source_map::SourceMap;

/// [`chunk_text`] that rejects a limit below [`MIN_MAX_CHUNK_CHARS`] instead of raising it.
///
/// ```
/// use kittentts_text::{try_chunk_text, TextError};
/// assert_eq!(try_chunk_text("Hi there.", 400), Ok(vec!["Hi there.".to_string()]));
/// assert!(matches!(try_chunk_text("Hi", 1), Err(TextError::ChunkLimitTooSmall { .. })));
/// ```
///
/// # Errors
/// [`TextError::ChunkLimitTooSmall`] when `max_chars` is below [`MIN_MAX_CHUNK_CHARS`].
pub fn try_chunk_text(text: &str, max_chars: usize) -> Result<Vec<String>, TextError> {
    if max_chars < MIN_MAX_CHUNK_CHARS {
        return Err(TextError::ChunkLimitTooSmall {
            max_chars,
            min: MIN_MAX_CHUNK_CHARS,
        });
    }
    Ok(chunk_text(text, max_chars))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn normalizer_is_send_sync() {
        assert_send_sync::<Normalizer>();
        assert_send_sync::<Normalized>();
    }
}
