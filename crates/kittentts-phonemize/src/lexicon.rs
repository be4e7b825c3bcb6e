//! A user lexicon: words whose phonemes the user sets.
//!
//! File format (UTF-8): one entry per line, the word, then whitespace, then its IPA, e.g.
//! `Kubernetes  kˈuːbɚnˈɛtiːz`. Blank lines and lines starting with `#` are ignored. The word
//! is one run of letters and digits (what the phonemiser calls a word: no spaces, no
//! apostrophes or hyphens). Case: an entry written in lowercase matches the word in any case
//! (`kitten` matches `Kitten` and `KITTEN`); an entry with a capital letter matches that exact
//! spelling only (`US` but not `us`), and wins over a lowercase one. Every character of the
//! IPA must be one of the model's 178 symbols; a stress mark (`ˈ`, `ˌ`) and length mark (`ː`)
//! are symbols like any other.

use std::collections::HashMap;
use std::path::Path;

use crate::pyunicode::is_word;
use crate::symbol_id;

/// What is wrong with a lexicon entry or file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LexiconError {
    /// An entry's word is empty, or is not one run of letters and digits.
    #[error(
        "lexicon line {line}: {word:?} is not a word (one run of letters and digits, no spaces)"
    )]
    BadWord {
        /// The line (1-based; 0 for an entry added in code).
        line: usize,
        /// The word.
        word: String,
    },
    /// An entry has no IPA.
    #[error("lexicon line {line}: {word:?} has no pronunciation")]
    EmptyIpa {
        /// The line.
        line: usize,
        /// The word.
        word: String,
    },
    /// An entry's IPA holds a character that is not one of the model's symbols.
    #[error(
        "lexicon line {line}: the pronunciation of {word:?} has {symbol:?} (U+{code:04X}), which is not one of the model's symbols"
    )]
    UnknownSymbol {
        /// The line.
        line: usize,
        /// The word.
        word: String,
        /// The character.
        symbol: char,
        /// Its code point.
        code: u32,
    },
    /// The file cannot be read.
    #[error("cannot read the lexicon {path}: {reason}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
}

/// Words and the IPA to speak them with. Cheap to clone (share it in an `Arc` for many
/// phonemisers).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lexicon {
    /// Exact-case entries (with a capital letter).
    exact: HashMap<String, String>,
    /// Lowercase entries, matched in any case.
    folded: HashMap<String, String>,
}

impl Lexicon {
    /// An empty lexicon.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) one entry.
    ///
    /// # Errors
    /// [`LexiconError::BadWord`], [`LexiconError::EmptyIpa`], [`LexiconError::UnknownSymbol`].
    pub fn insert(&mut self, word: &str, ipa: &str) -> Result<(), LexiconError> {
        self.insert_at(0, word, ipa)
    }

    fn insert_at(&mut self, line: usize, word: &str, ipa: &str) -> Result<(), LexiconError> {
        if word.is_empty() || !word.chars().all(is_word) || word.contains('_') {
            return Err(LexiconError::BadWord {
                line,
                word: word.to_owned(),
            });
        }
        let ipa = ipa.trim();
        if ipa.is_empty() {
            return Err(LexiconError::EmptyIpa {
                line,
                word: word.to_owned(),
            });
        }
        if let Some(symbol) = ipa
            .chars()
            .find(|&c| c.is_whitespace() || symbol_id(c).is_none() || !is_word(c))
        {
            return Err(LexiconError::UnknownSymbol {
                line,
                word: word.to_owned(),
                symbol,
                code: u32::from(symbol),
            });
        }
        if word.chars().any(char::is_uppercase) {
            self.exact.insert(word.to_owned(), ipa.to_owned());
        } else {
            self.folded.insert(word.to_owned(), ipa.to_owned());
        }
        Ok(())
    }

    /// Parses the file format (see the module docs).
    ///
    /// # Errors
    /// The first bad entry's error, naming its line.
    pub fn parse(text: &str) -> Result<Self, LexiconError> {
        let mut lexicon = Self::new();
        for (i, line) in text.lines().enumerate() {
            let line_no = i + 1;
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (word, ipa) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            lexicon.insert_at(line_no, word, ipa)?;
        }
        Ok(lexicon)
    }

    /// Reads and parses a lexicon file.
    ///
    /// # Errors
    /// [`LexiconError::Read`], or as [`parse`](Self::parse).
    pub fn from_file(path: &Path) -> Result<Self, LexiconError> {
        let text = std::fs::read_to_string(path).map_err(|e| LexiconError::Read {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Self::parse(&text)
    }

    /// The IPA for `word`, if it has an entry (exact case first, then any case).
    pub fn get(&self, word: &str) -> Option<&str> {
        self.exact
            .get(word)
            .or_else(|| self.folded.get(&word.to_lowercase()))
            .map(String::as_str)
    }

    /// How many entries it has.
    pub fn len(&self) -> usize {
        self.exact.len() + self.folded.len()
    }

    /// Whether it has no entry.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_case_rules_and_errors() {
        let l = Lexicon::parse("# names\nkitten  kˈɪɾən\n\nUS  jˈuːˈɛs\nus ʌs\n").unwrap();
        assert_eq!(l.len(), 3);
        assert_eq!(l.get("KITTEN"), Some("kˈɪɾən"));
        assert_eq!(l.get("US"), Some("jˈuːˈɛs"));
        assert_eq!(l.get("Us"), Some("ʌs"));
        assert_eq!(l.get("dog"), None);
        assert!(matches!(
            Lexicon::parse("two words x"),
            Err(LexiconError::UnknownSymbol {
                line: 1,
                symbol: ' ',
                ..
            })
        ));
        assert!(matches!(
            Lexicon::parse("ok\n\nword"),
            Err(LexiconError::EmptyIpa { line: 1, .. })
        ));
        assert!(matches!(
            Lexicon::parse("don't dˈoʊnt"),
            Err(LexiconError::BadWord { .. })
        ));
        let e = Lexicon::parse("cat kæt§").unwrap_err();
        assert!(matches!(e, LexiconError::UnknownSymbol { symbol: '§', .. }));
        assert!(e.to_string().contains("cat") && e.to_string().contains('§'));
        let mut l = Lexicon::new();
        assert!(matches!(
            l.insert("", "a"),
            Err(LexiconError::BadWord { .. })
        ));
        assert!(matches!(
            l.insert("a b", "a"),
            Err(LexiconError::BadWord { .. })
        ));
    }
}
