//! The token budget: no piece of [`Phonemizer::chunk`] has more than `MAX_TOKENS` ids, the
//! pieces' texts put back together give the chunk (up to the whitespace at the cuts), and a
//! chunk that fits is returned whole with the reference's phonemes.

// Helpers outside #[test] functions are test code too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kittentts_phonemize::{
    EspeakConfig, MAX_INPUT_IDS, MAX_TOKENS, Phonemizer, tokenize, wrap_ids,
};

fn phonemizer() -> Phonemizer {
    Phonemizer::new(&EspeakConfig::default()).expect("bash scripts/fetch-runtimes.sh")
}

fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn limits() {
    assert_eq!(MAX_INPUT_IDS, 512);
    assert_eq!(MAX_TOKENS, 509);
    assert_eq!(wrap_ids(&vec![1; MAX_TOKENS]).len(), MAX_INPUT_IDS);
}

#[test]
fn a_chunk_that_fits_is_one_piece() {
    let p = phonemizer();
    let text = "Hello, world! How are you today?";
    let pieces = p.chunk(text).unwrap();
    assert_eq!(pieces.len(), 1);
    assert_eq!(pieces[0].text, text);
    assert_eq!(pieces[0].phonemes, "həlˈoʊ, wˈɜːld! hˌaʊ ɑːɹ juː tədˈeɪ? ");
    assert_eq!(pieces[0].ids, tokenize(&pieces[0].phonemes));
    let empty = p.chunk("").unwrap();
    assert_eq!(empty.len(), 1);
    assert_eq!(empty[0].ids, Vec::<i64>::new());
}

#[test]
fn a_long_chunk_is_split_at_word_boundaries() {
    let p = phonemizer();
    // ~1,400 characters of ordinary words: far more than 509 ids.
    let sentence = "The extraordinary circumstances surrounding the investigation, \
                    unprecedented in scale; required meticulous documentation ";
    let text = sentence.repeat(12);
    let whole = tokenize(&p.phonemize(&text).unwrap()).len();
    assert!(whole > 2 * MAX_TOKENS, "{whole}");
    let pieces = p.chunk(&text).unwrap();
    assert!(pieces.len() >= 3, "{}", pieces.len());
    let mut offset = 0;
    for piece in &pieces {
        assert!(piece.ids.len() <= MAX_TOKENS, "{}", piece.ids.len());
        assert_eq!(piece.ids, tokenize(&piece.phonemes));
        assert_eq!(piece.phonemes, p.phonemize(&piece.text).unwrap());
        // each piece is the next stretch of the text, cut where a space or a mark ends a word
        let at = offset + text[offset..].find(piece.text.as_str()).unwrap();
        assert_eq!(text[offset..at].trim(), "", "nothing skipped");
        offset = at + piece.text.len();
        let next = text[offset..].chars().next();
        let last = piece.text.chars().last().unwrap();
        assert!(
            next.is_none_or(char::is_whitespace) || matches!(last, ',' | ';'),
            "{:?}",
            &piece.text
        );
    }
    assert_eq!(text[offset..].trim(), "");
    // every piece but the last is filled close to the budget (the cut is the last fitting one)
    for piece in &pieces[..pieces.len() - 1] {
        assert!(piece.ids.len() > MAX_TOKENS - 60, "{}", piece.ids.len());
    }
    let joined: Vec<&str> = pieces.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(squeeze(&joined.join(" ")), squeeze(&text));
}

#[test]
fn a_single_over_long_word_is_split_hard() {
    let p = phonemizer();
    let word = "abcdefghij".repeat(300); // 3,000 letters, one word
    let pieces = p.chunk(&word).unwrap();
    assert!(pieces.len() >= 2, "{}", pieces.len());
    for piece in &pieces {
        assert!(piece.ids.len() <= MAX_TOKENS, "{}", piece.ids.len());
        assert!(!piece.ids.is_empty());
    }
    let joined: String = pieces.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(joined, word);
}

#[test]
fn punctuation_is_a_boundary_too() {
    let p = phonemizer();
    // No spaces at all: words joined by commas.
    let text = vec!["extraordinary"; 120].join(",");
    let pieces = p.chunk(&text).unwrap();
    assert!(pieces.len() >= 2);
    for piece in &pieces {
        assert!(piece.ids.len() <= MAX_TOKENS);
        assert!(
            piece.text.ends_with(',') || piece.text.ends_with('y'),
            "{:?}",
            &piece.text[piece.text.len() - 5..]
        );
    }
    let joined: String = pieces.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(joined, text);
}
