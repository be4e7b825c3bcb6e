//! Sentence chunking: the reference's `chunk_text`, with its known faults fixed.
//!
//! The text is cut into sentences at `.`, `!` and `?` when the next character is whitespace (or
//! the end), except after known abbreviations. Sentences longer than the limit are packed word
//! by word; every chunk that does not end in closing punctuation gets a `,`.
//!
//! Differences from kittenml 0.9.6 `chunk_text` (each has a test below):
//! - A chunk, including the added `,`, is never longer than `max_chars` (the reference can give
//!   `max_chars + 1`).
//! - A word longer than the limit on its own is cut at grapheme boundaries into pieces that fit
//!   (the reference emits it whole, e.g. a 10,000-character chunk).
//! - More abbreviations keep a sentence together: `e.g.`, `i.e.`, dotted acronyms such as
//!   `U.S.A.` (unless the next word is capitalised), `St.`, `Mt.`, `vs.`, titles such as `Gen.`
//!   and `Sen.`, and `etc.`, `Jr.`, `Inc.`, `No.` unless the next word is capitalised.
//! - No `,` is added after a chunk that ends in `…` or `—`.
//! - Linear time: the reference's per-dot regex over the whole prefix is quadratic.
//!
//! Whitespace inside a sentence that fits is kept as written; a sentence that has to be packed
//! is rejoined with single spaces (as the reference does). No other character is dropped or
//! repeated.

use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

/// The reference's chunk size limit, in Unicode scalar values (code points).
pub const DEFAULT_MAX_CHUNK_CHARS: usize = 400;

/// The smallest usable limit: one character plus the added `,`. Smaller limits are raised to it.
pub const MIN_MAX_CHUNK_CHARS: usize = 2;

/// Abbreviations (lowercase, letters only) after which a `.` never ends a sentence. The first
/// line is the reference's list; the rest are additions (titles written before a name, and
/// `vs`).
const NEVER_BOUNDARY: &[&str] = &[
    "dr", "prof", "mr", "mrs", "ms", "fig", "figs", "pp", "p", "ch", "sec", "jan", "feb", "mar",
    "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "al", // reference
    "st", "mt", "vs", "gen", "sen", "rep", "gov", "capt", "lt", "col", "sgt", "rev", "hon",
    "messrs",
];

/// Abbreviations after which a `.` ends a sentence only when the next word starts with an
/// uppercase letter (or the text ends).
const CASE_BOUNDARY: &[&str] = &[
    "etc", "jr", "sr", "inc", "ltd", "co", "corp", "dept", "est", "no", "nos", "ca", "cf", "eq",
    "eqs", "vol", "vols", "approx", "ft", "ave", "blvd",
];

/// Python's `str.isspace()`: Rust's whitespace plus the four information separators.
pub(crate) fn py_isspace(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Characters that count as closing punctuation: no `,` is added after them.
fn is_closing(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | ',' | ';' | ':' | '…' | '—')
}

/// Split `text` into chunks of at most `max_chars` code points for synthesis.
///
/// Follows the reference's `chunk_text` (kittenml 0.9.6) on ordinary text, with the fixes listed
/// in the module docs. Empty or whitespace-only input gives no chunks. A `max_chars` below
/// [`MIN_MAX_CHUNK_CHARS`] is treated as [`MIN_MAX_CHUNK_CHARS`].
///
/// ```
/// use kittentts_text::{chunk_text, DEFAULT_MAX_CHUNK_CHARS};
/// let chunks = chunk_text("Dr. Smith arrived. He said hi", DEFAULT_MAX_CHUNK_CHARS);
/// assert_eq!(chunks, ["Dr. Smith arrived.", "He said hi,"]);
/// ```
pub fn chunk_text(text: &str, max_chars: usize) -> Vec<String> {
    chunk_ranges(text, max_chars)
        .into_iter()
        .map(|c| c.text)
        .collect()
}

/// One chunk of [`chunk_ranges`]: its text and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextChunk {
    /// The chunk as [`chunk_text`] returns it (with the added `,` where it has one).
    pub text: String,
    /// The range of the source text the chunk was taken from, in characters (Unicode scalar
    /// values), from its first to its last non-space character. The added `,` is not in it;
    /// a packed chunk's inner whitespace is.
    pub chars: Range<usize>,
}

/// [`chunk_text`], with the character range of the source that each chunk covers.
///
/// ```
/// use kittentts_text::{chunk_ranges, DEFAULT_MAX_CHUNK_CHARS};
/// let chunks = chunk_ranges("Hi there.  How are you", DEFAULT_MAX_CHUNK_CHARS);
/// assert_eq!(chunks[0].text, "Hi there.");
/// assert_eq!(chunks[0].chars, 0..9);
/// assert_eq!(chunks[1].text, "How are you,");
/// assert_eq!(chunks[1].chars, 11..22);
/// ```
pub fn chunk_ranges(text: &str, max_chars: usize) -> Vec<TextChunk> {
    let max = max_chars.max(MIN_MAX_CHUNK_CHARS);
    let chars: Vec<char> = text.chars().collect();
    let mut chunks = Vec::new();
    let mut start = 0;
    for i in 0..chars.len() {
        if is_sentence_boundary(&chars, i) {
            push_sentence(&chars, start..i + 1, max, &mut chunks);
            start = i + 1;
        }
    }
    if start < chars.len() {
        push_sentence(&chars, start..chars.len(), max, &mut chunks);
    }
    chunks
}

/// Whether the character at `i` ends a sentence.
fn is_sentence_boundary(text: &[char], i: usize) -> bool {
    let c = text[i];
    if !matches!(c, '.' | '!' | '?') {
        return false;
    }
    let next = text.get(i + 1).copied();
    if c == '.' {
        // The ASCII letters right before the dot (the reference's `([A-Za-z]+)$`).
        let mut t = i;
        while t > 0 && text[t - 1].is_ascii_alphabetic() {
            t -= 1;
        }
        let token: String = text[t..i].iter().map(char::to_ascii_lowercase).collect();
        if NEVER_BOUNDARY.contains(&token.as_str()) {
            return false;
        }
        if (token == "a" || token == "p") && next.is_some_and(|n| n.to_lowercase().eq(['m'])) {
            return false;
        }
        let dotted = token.len() == 1 && t >= 2 && text[t - 1] == '.';
        if dotted {
            // "e.g." and "i.e." are always followed by more of the sentence.
            let pair = [
                text[t - 2].to_ascii_lowercase(),
                text[t].to_ascii_lowercase(),
            ];
            if pair == ['e', 'g'] || pair == ['i', 'e'] {
                return false;
            }
        }
        // "a.m.", "p.m." (reference), dotted acronyms like "U.S.A." and the CASE_BOUNDARY list
        // (additions): a boundary only before a capital letter or the end.
        if dotted || CASE_BOUNDARY.contains(&token.as_str()) {
            return next_word_starts_upper_or_end(&text[i + 1..]);
        }
    }
    next.is_none_or(py_isspace)
}

/// Whether the text after whitespace is empty or starts with an uppercase letter. Only called
/// when `rest` starts with whitespace or is empty (otherwise it is not a boundary anyway).
fn next_word_starts_upper_or_end(rest: &[char]) -> bool {
    match rest.first() {
        None => true,
        Some(&c) if !py_isspace(c) => false,
        Some(_) => rest
            .iter()
            .find(|c| !py_isspace(**c))
            .is_none_or(|c| c.is_uppercase()),
    }
}

/// Strip Python whitespace from both ends of `range` of `text`.
fn strip(text: &[char], mut range: Range<usize>) -> Range<usize> {
    while range.start < range.end && py_isspace(text[range.start]) {
        range.start += 1;
    }
    while range.end > range.start && py_isspace(text[range.end - 1]) {
        range.end -= 1;
    }
    range
}

/// Extra characters a chunk ending with `last` needs (the added comma).
fn comma_len(last: Option<char>) -> usize {
    usize::from(!last.is_some_and(is_closing))
}

/// Append `chunk` (covering `chars` of the source) with the reference's `ensure_punctuation`
/// (a `,` unless it ends in closing punctuation).
fn finish(chunk: &[char], chars: Range<usize>, out: &mut Vec<TextChunk>) {
    let mut text: String = chunk.iter().collect();
    if comma_len(chunk.last().copied()) == 1 {
        text.push(',');
    }
    out.push(TextChunk { text, chars });
}

/// A chunk being packed: its characters and the source range they came from.
#[derive(Default)]
struct Packing {
    chars: Vec<char>,
    range: Range<usize>,
}

impl Packing {
    fn flush(&mut self, out: &mut Vec<TextChunk>) {
        if !self.chars.is_empty() {
            finish(&self.chars, self.range.clone(), out);
            self.chars.clear();
        }
    }
}

/// Chunk one sentence (`range` of `text`, between two boundaries).
fn push_sentence(text: &[char], range: Range<usize>, max: usize, out: &mut Vec<TextChunk>) {
    let range = strip(text, range);
    let sentence = &text[range.clone()];
    if sentence.is_empty() {
        return;
    }
    if sentence.len() + comma_len(sentence.last().copied()) <= max {
        finish(sentence, range, out);
        return;
    }
    let mut current = Packing::default();
    let mut at = range.start;
    for word in sentence.split(|c| py_isspace(*c)) {
        let word_range = at..at + word.len();
        at = word_range.end + 1;
        if word.is_empty() {
            continue;
        }
        let need = |len: usize, w: &[char]| len + comma_len(w.last().copied());
        if !current.chars.is_empty() && need(current.chars.len() + 1 + word.len(), word) <= max {
            current.chars.push(' ');
            current.chars.extend_from_slice(word);
            current.range.end = word_range.end;
            continue;
        }
        current.flush(out);
        if need(word.len(), word) <= max {
            current.chars.extend_from_slice(word);
            current.range = word_range;
        } else {
            split_long_word(word, word_range.start, max, &mut current, out);
        }
    }
    current.flush(out);
}

/// Cut a word (starting at source character `start`) that alone exceeds the limit into pieces
/// of at most `max - 1` code points at grapheme boundaries (a single grapheme longer than that
/// is cut at code points). The last piece is left in `current` so that following words can
/// join it.
fn split_long_word(
    word: &[char],
    start: usize,
    max: usize,
    current: &mut Packing,
    out: &mut Vec<TextChunk>,
) {
    let word: String = word.iter().collect();
    let limit = max - 1;
    let mut at = start;
    for grapheme in word.graphemes(true) {
        let g: Vec<char> = grapheme.chars().collect();
        for piece in g.chunks(limit) {
            if current.chars.len() + piece.len() > limit {
                current.flush(out);
            }
            if current.chars.is_empty() {
                current.range = at..at;
            }
            current.chars.extend_from_slice(piece);
            at += piece.len();
            current.range.end = at;
        }
    }
    // The remainder may end in closing punctuation and so be allowed one more character; it
    // never exceeds `limit`, so it always fits.
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(text: &str) -> Vec<String> {
        chunk_text(text, DEFAULT_MAX_CHUNK_CHARS)
    }

    #[test]
    fn sentences_and_added_comma() {
        assert_eq!(
            chunks("Hello world. How are you? Fine!  Bye"),
            ["Hello world.", "How are you?", "Fine!", "Bye,"]
        );
    }

    #[test]
    fn empty_and_whitespace_give_nothing() {
        assert!(chunks("").is_empty());
        assert!(chunks(" \n\t\u{1f} ").is_empty());
    }

    #[test]
    fn reference_abbreviations_do_not_split() {
        assert_eq!(
            chunks("Dr. Smith and Mrs. Jones met at 3 p.m. on Jan. 5. Then they left."),
            [
                "Dr. Smith and Mrs. Jones met at 3 p.m. on Jan. 5.",
                "Then they left."
            ]
        );
        assert_eq!(
            chunks("It starts at 9 a.m. Sharp."),
            ["It starts at 9 a.m.", "Sharp."]
        );
    }

    #[test]
    fn added_abbreviations_do_not_split() {
        // The reference splits each of these into two or more chunks.
        assert_eq!(
            chunks("Fruit, e.g. apples, is good."),
            ["Fruit, e.g. apples, is good."]
        );
        assert_eq!(chunks("That is, i.e. nothing."), ["That is, i.e. nothing."]);
        assert_eq!(chunks("The U.S.A. is large."), ["The U.S.A. is large."]);
        assert_eq!(chunks("We visited St. Louis."), ["We visited St. Louis."]);
        assert_eq!(chunks("Cats vs. dogs."), ["Cats vs. dogs."]);
        assert_eq!(chunks("See vol. 3 now."), ["See vol. 3 now."]);
        assert_eq!(
            chunks("It is 10 ft. The roof is low."),
            ["It is 10 ft.", "The roof is low."]
        );
        assert_eq!(
            chunks("Apples, pears etc. are fruit."),
            ["Apples, pears etc. are fruit."]
        );
        assert_eq!(
            chunks("We sell pears etc. Buy some."),
            ["We sell pears etc.", "Buy some."]
        );
        assert_eq!(
            chunks("I live in the U.S.A. It is big."),
            ["I live in the U.S.A.", "It is big."]
        );
    }

    #[test]
    fn decimals_do_not_split() {
        assert_eq!(
            chunks("It is 3.5 meters. Yes."),
            ["It is 3.5 meters.", "Yes."]
        );
    }

    #[test]
    fn no_comma_after_ellipsis_or_dash() {
        assert_eq!(chunks("Well…"), ["Well…"]);
        assert_eq!(chunks("And then—"), ["And then—"]);
    }

    #[test]
    fn never_over_the_limit_with_the_comma() {
        // The reference returns one 401-char chunk for this 400-char sentence.
        let text = format!("{} b", "a".repeat(398));
        let out = chunk_text(&text, 400);
        assert_eq!(out, [format!("{},", "a".repeat(398)), "b,".to_string()]);
    }

    #[test]
    fn long_sentence_packs_words() {
        let text = "one two three four five six.";
        assert_eq!(
            chunk_text(text, 10),
            ["one two,", "three,", "four five,", "six."]
        );
    }

    #[test]
    fn over_long_word_is_cut() {
        let text = format!("{} end.", "x".repeat(25));
        let out = chunk_text(&text, 10);
        assert_eq!(out, ["xxxxxxxxx,", "xxxxxxxxx,", "xxxxxxx,", "end."]);
        assert!(out.iter().all(|c| c.chars().count() <= 10));
    }

    #[test]
    fn over_long_word_keeps_graphemes_whole() {
        // "é" as e + combining acute: 2 code points, one grapheme.
        let word = "e\u{301}".repeat(6);
        let out = chunk_text(&word, 6);
        assert_eq!(
            out,
            [
                "e\u{301}e\u{301},",
                "e\u{301}e\u{301},",
                "e\u{301}e\u{301},"
            ]
        );
    }

    #[test]
    fn tiny_limit_is_raised() {
        assert_eq!(chunk_text("ab", 0), ["a,", "b,"]);
    }

    #[test]
    fn many_dots_are_linear_and_lossless() {
        let text = ".".repeat(5000);
        let out = chunks(&text);
        assert_eq!(out.concat(), text);
        let text = "a. ".repeat(5000);
        assert_eq!(chunks(&text).len(), 5000);
    }
}
