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
    let max = max_chars.max(MIN_MAX_CHUNK_CHARS);
    let chars: Vec<char> = text.chars().collect();
    let mut chunks = Vec::new();
    let mut start = 0;
    for i in 0..chars.len() {
        if is_sentence_boundary(&chars, i) {
            push_sentence(&chars[start..=i], max, &mut chunks);
            start = i + 1;
        }
    }
    if start < chars.len() {
        push_sentence(&chars[start..], max, &mut chunks);
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

/// Strip Python whitespace from both ends of a char slice.
fn strip(mut s: &[char]) -> &[char] {
    while let [first, rest @ ..] = s {
        if py_isspace(*first) {
            s = rest;
        } else {
            break;
        }
    }
    while let [rest @ .., last] = s {
        if py_isspace(*last) {
            s = rest;
        } else {
            break;
        }
    }
    s
}

/// Extra characters a chunk ending with `last` needs (the added comma).
fn comma_len(last: Option<char>) -> usize {
    usize::from(!last.is_some_and(is_closing))
}

/// Append `chunk` with the reference's `ensure_punctuation` (a `,` unless it ends in closing
/// punctuation).
fn finish(chunk: &[char], out: &mut Vec<String>) {
    let mut s: String = chunk.iter().collect();
    if comma_len(chunk.last().copied()) == 1 {
        s.push(',');
    }
    out.push(s);
}

/// Chunk one sentence (the text between two boundaries).
fn push_sentence(sentence: &[char], max: usize, out: &mut Vec<String>) {
    let sentence = strip(sentence);
    if sentence.is_empty() {
        return;
    }
    if sentence.len() + comma_len(sentence.last().copied()) <= max {
        finish(sentence, out);
        return;
    }
    let mut current: Vec<char> = Vec::new();
    for word in sentence.split(|c| py_isspace(*c)).filter(|w| !w.is_empty()) {
        let need = |len: usize, w: &[char]| len + comma_len(w.last().copied());
        if !current.is_empty() && need(current.len() + 1 + word.len(), word) <= max {
            current.push(' ');
            current.extend_from_slice(word);
            continue;
        }
        if !current.is_empty() {
            finish(&current, out);
            current.clear();
        }
        if need(word.len(), word) <= max {
            current.extend_from_slice(word);
        } else {
            split_long_word(word, max, &mut current, out);
        }
    }
    if !current.is_empty() {
        finish(&current, out);
    }
}

/// Cut a word that alone exceeds the limit into pieces of at most `max - 1` code points at
/// grapheme boundaries (a single grapheme longer than that is cut at code points). The last
/// piece is left in `current` so that following words can join it.
fn split_long_word(word: &[char], max: usize, current: &mut Vec<char>, out: &mut Vec<String>) {
    let word: String = word.iter().collect();
    let limit = max - 1;
    for grapheme in word.graphemes(true) {
        let g: Vec<char> = grapheme.chars().collect();
        for piece in g.chunks(limit) {
            if current.len() + piece.len() > limit {
                finish(current, out);
                current.clear();
            }
            current.extend_from_slice(piece);
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
