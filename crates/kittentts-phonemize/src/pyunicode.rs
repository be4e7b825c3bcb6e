//! Python's idea of whitespace and word characters, which `phonemizer` and the KittenTTS
//! tokeniser use (through `str.isspace()`, `str.strip()` and `re`'s `\s` / `\w`).

use crate::pyunicode_table::PY_WORD_RANGES;

/// Python's `str.isspace()`: Rust's `char::is_whitespace` plus the information separators
/// U+001C–U+001F.
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `re` `\w` for `str` patterns: `str.isalnum()` or `_` (Unicode 14.0, as in the
/// reference's Python 3.11). Combining marks are NOT word characters.
pub(crate) fn is_word(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    let cp = u32::from(c);
    PY_WORD_RANGES
        .binary_search_by(|&(lo, hi)| {
            if hi < cp {
                std::cmp::Ordering::Less
            } else if lo > cp {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Python's `str.strip()` with no argument.
pub(crate) fn strip(s: &str) -> &str {
    s.trim_matches(is_space)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn space_matches_python_isspace() {
        // The full list of str.isspace() characters in Python 3.11.
        let python: Vec<u32> = vec![
            0x9, 0xa, 0xb, 0xc, 0xd, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000,
            0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028,
            0x2029, 0x202f, 0x205f, 0x3000,
        ];
        let ours: Vec<u32> = (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|&c| is_space(c))
            .map(u32::from)
            .collect();
        assert_eq!(ours, python);
    }

    #[test]
    fn word_characters_follow_python() {
        for c in [
            'a', 'Z', '0', '_', 'ə', 'ˈ', 'ˌ', 'ː', 'ɾ', 'é', '一', '٣', 'ᵻ',
        ] {
            assert!(is_word(c), "{c:?} is \\w in Python");
        }
        // Combining marks (U+0329 in n̩, U+0303, U+0345) and punctuation are not.
        for c in [
            '\u{329}', '\u{303}', '\u{345}', '.', ' ', '—', '"', '\'', '😀', '\u{200d}',
        ] {
            assert!(!is_word(c), "{c:?} is not \\w in Python");
        }
    }

    #[test]
    fn strip_uses_python_whitespace() {
        assert_eq!(strip("\u{1f} ab c\u{a0}\n"), "ab c");
        assert_eq!(strip("\u{200b}x"), "\u{200b}x");
    }
}
