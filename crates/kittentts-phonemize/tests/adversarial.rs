//! Adversarial input: no panic, no error, and no lost text (within what can be checked).

// Helpers outside #[test] functions are test code too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kittentts_phonemize::{EspeakConfig, MAX_TOKENS, Phonemizer, tokenize};

fn phonemizer() -> Phonemizer {
    Phonemizer::new(&EspeakConfig::default()).expect("bash scripts/fetch-runtimes.sh")
}

#[test]
fn nul_and_control_characters() {
    let p = phonemizer();
    // espeak stops at NUL: text after it would be lost; we read NUL as a space.
    assert_eq!(
        p.phonemize("one\0two").unwrap(),
        p.phonemize("one two").unwrap()
    );
    // like the reference for "   ": one empty word
    assert_eq!(p.phonemize("\0\0\0").unwrap(), " ");
    for c in (0u32..0x20).chain(0x7f..0xa0) {
        let ch = char::from_u32(c).unwrap();
        let text = format!("left{ch}right.");
        // both words are spoken (some controls join them into one word: stress may move)
        let out = p.phonemize(&text).unwrap().replace(['ˈ', 'ˌ'], "");
        assert!(out.contains("lɛft"), "{c:#x}: {out:?}");
        assert!(out.contains("ɹaɪt"), "{c:#x}: {out:?}");
    }
}

#[test]
fn ten_thousand_character_words() {
    let p = phonemizer();
    let word = "abcdefghij".repeat(1000);
    let out = p.phonemize(&word).unwrap();
    // espeak alone would give ~170 characters for any length; every letter is spoken here.
    assert!(out.chars().count() > 10_000, "{}", out.chars().count());
    let digits = "1234567890".repeat(1000);
    let out = p.phonemize(&digits).unwrap();
    assert!(
        out.matches("zˈiəɹoʊ").count() >= 1000,
        "{}",
        out.matches("zˈiəɹoʊ").count()
    );
    let pieces = p.chunk(&word).unwrap();
    assert!(pieces.iter().all(|c| c.ids.len() <= MAX_TOKENS));
    assert_eq!(
        pieces.iter().map(|c| c.text.as_str()).collect::<String>(),
        word
    );
}

#[test]
fn lone_combining_marks_and_odd_characters() {
    let p = phonemizer();
    for text in [
        "\u{301}",
        "\u{329}",
        "\u{303}\u{303}\u{303}",
        "a\u{301}\u{301}\u{301}\u{301}",
        "\u{200d}",
        "\u{feff}",
        "\u{fffd}",
        "\u{ffff}",
        "\u{10ffff}",
        "\u{e000}",
        "\u{202e}abc",
        "👨‍👩‍👧‍👦",
        "🇺🇳",
        "\u{1d54c}",
        "",
        " ",
        "\n\n",
        ".",
        "…",
        "—",
        "\"",
        "((((",
        "_",
        "__a__",
    ] {
        let out = p.phonemize(text).unwrap();
        let ids = tokenize(&out);
        assert!(ids.len() <= out.chars().count() * 2 + 1, "{text:?}");
    }
    assert_eq!(p.phonemize("...").unwrap(), "...");
    // espeak names a lone combining mark
    assert_eq!(p.phonemize("\u{329}").unwrap(), "sɪmbəlθɹˈiːtˈuːnˈaɪn ");
}

#[test]
fn a_character_from_every_unicode_block() {
    let p = phonemizer();
    // One assigned-looking code point every 0x80 over the BMP and the supplementary planes
    // in use, embedded in a sentence: nothing panics or errors, and the words around survive.
    let mut checked = 0;
    let points = (0x80u32..0x3_0000)
        .step_by(0x80)
        .chain([0xE_0001, 0xF_0000, 0x10_FFFD]);
    let mut batch = String::new();
    for cp in points {
        let Some(c) = char::from_u32(cp + 0x21) else {
            continue;
        };
        batch.push_str(&format!("cat {c} dog. "));
        checked += 1;
        if batch.len() > 300 {
            let out = p.phonemize(&batch).unwrap();
            let cats = batch.matches("cat ").count();
            assert!(out.matches("kˈæt").count() >= cats, "{batch:?} → {out:?}");
            batch.clear();
        }
    }
    assert!(checked > 1500, "{checked}");
}
