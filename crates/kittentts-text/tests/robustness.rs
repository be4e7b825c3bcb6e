//! Hostile inputs: nothing panics, time stays linear, nothing is silently lost.

use std::time::{Duration, Instant};

use kittentts_text::{DEFAULT_MAX_CHUNK_CHARS, Normalizer, chunk_ranges, chunk_text};
use proptest::prelude::*;

fn norm(s: &str) -> String {
    Normalizer::default().normalize(s)
}

/// Run `f` and check it took less than `limit` (generous: debug builds on a shared machine).
fn timed<T>(limit: Duration, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    assert!(t.elapsed() < limit, "took {:?}", t.elapsed());
    out
}

#[test]
fn ten_thousand_digits_is_linear_and_exact() {
    let digits: String = "1234567890".repeat(1000);
    let out = timed(Duration::from_secs(2), || norm(&digits));
    // More than 66 digits: read digit by digit, every digit kept.
    assert_eq!(out.split(' ').count(), 10_000);
    assert!(out.starts_with("one two three four five six seven eight nine zero one"));
}

#[test]
fn forty_digit_number() {
    let out = norm("1234567890123456789012345678901234567890");
    assert!(
        out.starts_with("one duodecillion two hundred thirty-four undecillion"),
        "{out}"
    );
    assert!(out.ends_with("eight hundred ninety"), "{out}");
}

#[test]
fn five_thousand_dots() {
    let dots = ".".repeat(5000);
    assert_eq!(timed(Duration::from_secs(2), || norm(&dots)), dots);
    let chunks = timed(Duration::from_secs(2), || {
        chunk_text(&dots, DEFAULT_MAX_CHUNK_CHARS)
    });
    assert_eq!(chunks.concat(), dots);
    assert!(
        chunks
            .iter()
            .all(|c| c.chars().count() <= DEFAULT_MAX_CHUNK_CHARS)
    );
}

#[test]
fn one_megabyte_of_text() {
    let text = "On Jan 5, 2024 Dr. Smith paid $4.99 for 3 apples at 6:07 a.m. ".repeat(20_000);
    assert!(text.len() > 1_000_000);
    let out = timed(Duration::from_secs(20), || norm(&text));
    assert_eq!(
        out.matches("four dollars and ninety-nine cents").count(),
        20_000
    );
    let chunks = timed(Duration::from_secs(10), || {
        chunk_text(&out, DEFAULT_MAX_CHUNK_CHARS)
    });
    assert!(
        chunks
            .iter()
            .all(|c| c.chars().count() <= DEFAULT_MAX_CHUNK_CHARS)
    );
    let one_word = "x".repeat(1_000_000);
    let chunks = timed(Duration::from_secs(10), || {
        chunk_text(&one_word, DEFAULT_MAX_CHUNK_CHARS)
    });
    assert_eq!(chunks.len(), 1_000_000 / 399 + 1);
}

#[test]
fn long_single_tokens_stay_linear() {
    for unit in [
        "1/", "1.", "1-", "&", "-", "a1", "$1,", "1e", ":1", "'", "<", "&amp;", "<b>",
    ] {
        let token = unit.repeat(200_000 / unit.len());
        let out = timed(Duration::from_secs(3), || norm(&token));
        assert!(
            !out.is_empty() || token.chars().all(|c| c == '<' || c == 'b' || c == '>'),
            "{unit}"
        );
    }
}

#[test]
fn nul_and_control_characters_become_spaces() {
    assert_eq!(norm("a\0b\u{1}c\u{7f}d"), "a b c d");
    assert_eq!(norm("\0\0\0"), "");
    assert_eq!(norm("5\u{0}6"), "five six");
}

#[test]
fn emoji_combining_rtl_and_zero_width() {
    assert_eq!(norm("I ❤️ 2 🐈‍⬛!"), "I ❤️ two 🐈‍⬛!");
    // NFC composes e + combining acute.
    assert_eq!(norm("cafe\u{301} 3"), "caf\u{e9} three");
    // A lone combining mark survives.
    assert_eq!(norm("\u{301}5"), "\u{301} five");
    assert_eq!(norm("مرحبا 12 שלום"), "مرحبا twelve שלום");
    assert_eq!(
        norm("a\u{200b}b\u{200d}c\u{2060}d\u{202e}e"),
        "a b\u{200d}cde"
    );
}

#[test]
fn empty_and_blank() {
    assert_eq!(norm(""), "");
    assert_eq!(norm(" \n\t "), "");
    assert!(chunk_text("", DEFAULT_MAX_CHUNK_CHARS).is_empty());
}

#[test]
fn reference_crashers_are_handled() {
    // TextPreprocessor raises on these; normalize_text on the last three.
    assert_eq!(norm("$, and , %"), "$, and , percent");
    assert_eq!(
        norm("He said \"5\", then (3), é,"),
        "He said \"five\", then (three), é,"
    );
    assert_eq!(norm("Word-3."), "Word three.");
    assert_eq!(norm("٣٤٥-١٢٣٤"), "٣٤٥-١٢٣٤");
}

#[test]
fn spans_point_at_the_input() {
    let text = "Pay $5 to Dr. Lee";
    let out = Normalizer::default().normalize_with_spans(text);
    assert_eq!(out.text, "Pay five dollars to Doctor Lee");
    let pairs: Vec<(String, String)> = out
        .spans
        .iter()
        .map(|s| {
            let o: String = text
                .chars()
                .skip(s.original.start)
                .take(s.original.len())
                .collect();
            let n: String = out
                .text
                .chars()
                .skip(s.normalized.start)
                .take(s.normalized.len())
                .collect();
            (o, n)
        })
        .collect();
    assert_eq!(
        pairs,
        [
            ("$5".to_string(), "five dollars".to_string()),
            ("Dr.".to_string(), "Doctor".to_string())
        ]
    );
}

#[test]
fn spans_after_nfc_and_tags() {
    let text = "<i>cafe\u{301}</i> 42";
    let out = Normalizer::default().normalize_with_spans(text);
    assert_eq!(out.text, "caf\u{e9} forty-two");
    let num = out
        .spans
        .iter()
        .find(|s| s.kind == kittentts_text::SpanKind::Number)
        .unwrap();
    assert_eq!(num.original, 13..15);
    assert_eq!(num.normalized, 5..14);
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,200}",
        "[0-9$€£.,:/%\\-+ aAmMpPeEkKBxX°#&@~'\"()]{0,80}",
        "([A-Z][a-z]{0,6}\\.? |[0-9]{1,5}[.,:/-]?[0-9]{0,4} |\\. ){0,30}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512)
    ))]

    /// Normalising never panics, gives no NUL, no double or edge spaces, and spans in range.
    #[test]
    fn normalize_is_total(text in any_text()) {
        let n = Normalizer::default().normalize_with_spans(&text);
        let in_len = text.chars().count();
        let out_len = n.text.chars().count();
        prop_assert!(!n.text.contains('\0'));
        prop_assert!(!n.text.contains("  "));
        prop_assert_eq!(n.text.trim(), n.text.as_str());
        for s in &n.spans {
            prop_assert!(s.original.start <= s.original.end && s.original.end <= in_len);
            prop_assert!(s.normalized.start <= s.normalized.end && s.normalized.end <= out_len);
        }
    }

    /// Chunks respect the limit, and only an added final comma is new: nothing lost or doubled.
    #[test]
    fn chunks_are_bounded_and_lossless(text in any_text(), max in 2usize..60) {
        let chunks = chunk_text(&text, max);
        for c in &chunks {
            prop_assert!(c.chars().count() <= max, "{:?}", c);
            prop_assert!(!c.is_empty());
        }
        let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace() && !('\u{1c}'..='\u{1f}').contains(c)).collect::<String>();
        let joined = chunks.join(" ");
        // Only commas may be added (at most one per chunk); all else is kept in order.
        let src = squash(&text);
        let out = squash(&joined);
        prop_assert_eq!(src.replace(',', ""), out.replace(',', ""));
        let added = out.matches(',').count() - src.matches(',').count();
        prop_assert!(added <= chunks.len());
    }

    /// Each chunk's range holds exactly its text (whitespace aside, and without the added
    /// comma); ranges are in order and do not overlap.
    #[test]
    fn chunk_ranges_point_at_their_text(text in any_text(), max in 2usize..60) {
        let chars: Vec<char> = text.chars().collect();
        let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace() && !('\u{1c}'..='\u{1f}').contains(c)).collect::<String>();
        let mut last_end = 0;
        for c in chunk_ranges(&text, max) {
            prop_assert!(c.chars.start >= last_end && c.chars.start < c.chars.end && c.chars.end <= chars.len(), "{:?}", c);
            last_end = c.chars.end;
            let source: String = chars[c.chars.clone()].iter().collect();
            let want = squash(&source);
            let got = squash(&c.text);
            prop_assert!(got == want || got.strip_suffix(',') == Some(want.as_str()), "{:?} vs {:?}", c, source);
        }
    }

    /// Source ranges of consecutive normalised words are in bounds and in order.
    #[test]
    fn source_map_is_monotone(text in any_text()) {
        let n = Normalizer::default().normalize_with_spans(&text);
        let map = n.source_map(&text);
        let len = text.chars().count();
        let norm: Vec<char> = n.text.chars().collect();
        let mut last = 0;
        let mut start = 0;
        for k in 0..=norm.len() {
            if k == norm.len() || norm[k] == ' ' {
                if k > start {
                    let r = map.source_range(start..k);
                    prop_assert!(r.start <= r.end && r.end <= len, "{:?}", r);
                    prop_assert!(r.start >= last, "{:?} after {}", r, last);
                    last = r.start;
                }
                start = k + 1;
            }
        }
    }
}
