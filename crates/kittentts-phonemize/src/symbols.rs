//! The model's 178-symbol table and the KittenTTS tokeniser (phoneme string → token ids).

use crate::pyunicode::{is_space, is_word};

/// The reference's symbol list, in id order: pad, punctuation (with space), ASCII letters, IPA.
/// 178 entries, 175 distinct characters: where a character repeats (`"` at 11, 14, 15 and `'`
/// at 174, 176), the later index wins, as in the reference's dict construction.
const SYMBOLS: &str = concat!(
    "$",
    ";:,.!?¡¿—…\"«»\"\" ",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "ɑɐɒæɓʙβɔɕçɗɖðʤəɘɚɛɜɝɞɟʄɡɠɢʛɦɧħɥʜɨɪʝɭɬɫɮʟɱɯɰŋɳɲɴøɵɸθœɶʘɹɺɾɻʀʁɽʂʃʈʧʉʊʋⱱʌɣɤʍχʎʏʑʐʒʔʡʕʢǀǁǂǃˈˌːˑʼʴʰʱʲʷˠˤ˞↓↑→↗↘'̩'ᵻ",
);

/// Number of entries in the symbol list (the model's embedding rows).
pub const SYMBOL_COUNT: usize = 178;

/// The most ids the model's text encoder accepts in one request (its position table has 512
/// rows; the reference crashes beyond it, KittenTTS issue #28).
pub const MAX_INPUT_IDS: usize = 512;

/// The longest id sequence one chunk may have before [`wrap_ids`] adds its three ids
/// (`[0] + ids + [10, 0]`), so that a wrapped request never exceeds [`MAX_INPUT_IDS`]:
/// 509 + 3 = 512.
pub const MAX_TOKENS: usize = MAX_INPUT_IDS - 3;

/// The id of one phoneme character in the model's symbol table, or `None` when the character
/// is not in it (the tokeniser drops such characters).
///
/// ```
/// use kittentts_phonemize::symbol_id;
/// assert_eq!(symbol_id('$'), Some(0));
/// assert_eq!(symbol_id(' '), Some(16));
/// assert_eq!(symbol_id('"'), Some(15)); // the last of three entries wins
/// assert_eq!(symbol_id('\''), Some(176));
/// assert_eq!(symbol_id('ə'), Some(83));
/// assert_eq!(symbol_id('“'), None);
/// ```
pub fn symbol_id(c: char) -> Option<i64> {
    lookup(c)
}

/// Lookup table built once: ASCII by array, the rest by a sorted list.
struct Table {
    ascii: [i64; 128],
    other: Vec<(char, i64)>,
}

fn table() -> &'static Table {
    static TABLE: std::sync::OnceLock<Table> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut ascii = [-1i64; 128];
        let mut other: Vec<(char, i64)> = Vec::new();
        for (i, c) in SYMBOLS.chars().enumerate() {
            let id = i as i64;
            if c.is_ascii() {
                ascii[c as usize] = id;
            } else if let Some(slot) = other.iter_mut().find(|(s, _)| *s == c) {
                slot.1 = id;
            } else {
                other.push((c, id));
            }
        }
        other.sort_unstable_by_key(|&(c, _)| c);
        Table { ascii, other }
    })
}

fn lookup(c: char) -> Option<i64> {
    let t = table();
    if c.is_ascii() {
        let id = t.ascii[c as usize];
        return (id >= 0).then_some(id);
    }
    t.other
        .binary_search_by_key(&c, |&(s, _)| s)
        .ok()
        .map(|i| t.other[i].1)
}

/// Token ids of a phoneme string, exactly as the reference computes them: split with
/// `\w+|[^\w\s]` (Python's `\w` and `\s`), join the tokens with single spaces, map every
/// character through the symbol table and drop the ones it lacks. Not wrapped: see
/// [`wrap_ids`].
///
/// ```
/// use kittentts_phonemize::tokenize;
/// // "ðə." → tokens "ðə" "." → "ðə ." → ð ə ␠ .
/// assert_eq!(tokenize("ðə."), vec![81, 83, 16, 4]);
/// // whitespace runs collapse; a combining mark is a token of its own.
/// assert_eq!(tokenize("n\u{329}  a"), vec![56, 16, 175, 16, 43]);
/// ```
pub fn tokenize(phonemes: &str) -> Vec<i64> {
    let mut ids = Vec::with_capacity(phonemes.len());
    let mut first = true;
    let mut in_word = false;
    for c in phonemes.chars() {
        if is_word(c) {
            if !in_word {
                if !first {
                    ids.push(16);
                }
                first = false;
                in_word = true;
            }
            if let Some(id) = lookup(c) {
                ids.push(id);
            }
        } else {
            in_word = false;
            if is_space(c) {
                continue;
            }
            // a one-character token of its own
            if !first {
                ids.push(16);
            }
            first = false;
            if let Some(id) = lookup(c) {
                ids.push(id);
            }
        }
    }
    ids
}

/// Where each word of a phoneme string lands in [`tokenize`]'s ids: for each run of word
/// characters (a phonemised word, punctuation apart), the range of its ids (the separating
/// space ids excluded). Ranges are in order and index the unwrapped ids.
///
/// ```
/// use kittentts_phonemize::{tokenize, word_id_ranges};
/// let p = "həlˈoʊ, wˈɜːld! ";
/// let ids = tokenize(p);
/// let words = word_id_ranges(p);
/// assert_eq!(words.len(), 2);
/// assert_eq!(words[0], 0..6);            // h ə l ˈ o ʊ
/// assert_eq!(ids[words[0].end], 16);     // the space before ","
/// assert_eq!(words[1].end, ids.len() - 2); // then " !"
/// ```
pub fn word_id_ranges(phonemes: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut n = 0usize;
    let mut first = true;
    let mut in_word = false;
    let mut start = 0usize;
    for c in phonemes.chars() {
        if is_word(c) {
            if !in_word {
                if !first {
                    n += 1;
                }
                first = false;
                in_word = true;
                start = n;
            }
            if lookup(c).is_some() {
                n += 1;
            }
        } else {
            if in_word {
                out.push(start..n);
            }
            in_word = false;
            if is_space(c) {
                continue;
            }
            if !first {
                n += 1;
            }
            first = false;
            if lookup(c).is_some() {
                n += 1;
            }
        }
    }
    if in_word {
        out.push(start..n);
    }
    out
}

/// Wraps a chunk's ids the way the model expects them: `[0] + ids + [10, 0]`.
///
/// ```
/// assert_eq!(kittentts_phonemize::wrap_ids(&[50, 51]), vec![0, 50, 51, 10, 0]);
/// ```
pub fn wrap_ids(ids: &[i64]) -> Vec<i64> {
    let mut out = Vec::with_capacity(ids.len() + 3);
    out.push(0);
    out.extend_from_slice(ids);
    out.extend_from_slice(&[10, 0]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_178_entries_and_175_distinct_characters() {
        assert_eq!(SYMBOLS.chars().count(), SYMBOL_COUNT);
        let mut distinct: Vec<char> = SYMBOLS.chars().collect();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), 175);
    }

    #[test]
    fn ids_of_every_entry() {
        // Every character maps to its last index; ids 11, 14 and 174 are shadowed.
        let chars: Vec<char> = SYMBOLS.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            let id = lookup(c).unwrap();
            let last = chars.iter().rposition(|&s| s == c).unwrap();
            assert_eq!(id, last as i64, "{c:?} at {i}");
            assert_eq!(symbol_id(c), Some(id));
        }
        let produced: std::collections::BTreeSet<i64> =
            chars.iter().map(|&c| lookup(c).unwrap()).collect();
        for never in [11, 14, 174] {
            assert!(!produced.contains(&never));
        }
        assert_eq!(lookup('A'), Some(17));
        assert_eq!(lookup('z'), Some(68));
        assert_eq!(lookup('ɑ'), Some(69));
        assert_eq!(lookup('ᵻ'), Some(177));
        assert_eq!(lookup('…'), Some(10));
        assert_eq!(lookup('\u{329}'), Some(175));
    }

    #[test]
    fn unknown_characters_are_dropped_but_their_token_spaces_stay() {
        // "ab ☺ c" → tokens ab, ☺, c → "ab ☺ c" → ☺ dropped, both spaces kept.
        assert_eq!(tokenize("ab☺c"), vec![43, 44, 16, 16, 45]);
        assert_eq!(tokenize(""), Vec::<i64>::new());
        assert_eq!(tokenize("   "), Vec::<i64>::new());
        assert_eq!(tokenize("“a”"), vec![16, 43, 16]);
    }

    #[test]
    fn punctuation_runs_become_separate_tokens() {
        // "?!" → "?" "!" → "? !"
        assert_eq!(tokenize("a?!"), vec![43, 16, 6, 16, 5]);
        assert_eq!(tokenize("ˈa_b"), vec![156, 43, 44]); // '_' is a word char, not in table
    }
}
