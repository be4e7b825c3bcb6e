//! First pass: Unicode NFC, characters that cannot be spoken, HTML tags and entities.
//!
//! Produces the cleaned text plus, for every cleaned character, the range of original
//! characters it came from, so later spans point into the caller's text.
//!
//! - NFC is applied one grapheme cluster at a time (a cluster is never split by composition),
//!   skipped entirely when a quick check says the text is already NFC.
//! - NUL, other C0/C1 control characters, line/paragraph separators and U+200B (zero-width
//!   space) become a space; soft hyphen, word joiner, BOM and bidirectional controls (U+200E,
//!   U+200F, U+202A–U+202E, U+2066–U+2069) are removed. ZWJ/ZWNJ are kept (emoji sequences).
//! - An HTML tag (`<` + letter, `/` or `!`, up to the next `>` within 512 characters, with no
//!   `<` or newline inside) becomes a space; the common named entities and numeric character
//!   references are decoded.

use std::borrow::Cow;
use std::ops::Range;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};
use unicode_segmentation::UnicodeSegmentation;

use super::{NormalizeOptions, Span, SpanKind};

/// Text after the first pass, with the origin of each character.
pub(crate) struct Clean<'a> {
    pub(crate) text: Cow<'a, str>,
    /// For each char of `text`, the original char range it came from; `None` when the text is
    /// the input unchanged (char `i` came from char `i`).
    origin: Option<Vec<Range<usize>>>,
}

impl Clean<'_> {
    /// The original char range that cleaned chars `start..end` came from (`start < end`).
    pub(crate) fn original(&self, start: usize, end: usize) -> Range<usize> {
        match &self.origin {
            None => start..end,
            Some(o) => o[start].start..o[end - 1].end,
        }
    }
}

/// Whether `input` needs no first-pass change at all (the common case), checked in one scan.
fn untouched(input: &str, opts: &NormalizeOptions) -> bool {
    if input.is_ascii() {
        // ASCII is always NFC; only controls and (with `html`) `<` and `&` need the full pass.
        return input.bytes().all(|b| {
            (b >= 0x20 && b != 0x7f && !(opts.html && (b == b'<' || b == b'&')))
                || matches!(b, b'\t' | b'\n' | b'\r')
        });
    }
    input
        .chars()
        .all(|c| matches!(classify(c), CharClass::Keep) && !(opts.html && (c == '<' || c == '&')))
        && (!opts.unicode_nfc || is_nfc_quick(input.chars()) == IsNormalized::Yes)
}

/// What to do with one character.
enum CharClass {
    Keep,
    Space,
    Drop,
}

fn classify(c: char) -> CharClass {
    match c {
        '\t' | '\n' | '\r' | ' ' => CharClass::Keep,
        '\u{00AD}' | '\u{2060}' | '\u{FEFF}' | '\u{200E}' | '\u{200F}' => CharClass::Drop,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => CharClass::Drop,
        '\u{200B}' | '\u{2028}' | '\u{2029}' => CharClass::Space,
        c if c.is_control() => CharClass::Space,
        _ => CharClass::Keep,
    }
}

/// Longest tag we remove; a `<` without a `>` within this many characters is kept as text.
const MAX_TAG: usize = 512;

/// Run the first pass. Spans for removed tags and decoded entities are pushed to `spans`.
pub(crate) fn run<'a>(input: &'a str, opts: &NormalizeOptions, spans: &mut Vec<Span>) -> Clean<'a> {
    if untouched(input, opts) {
        return Clean {
            text: Cow::Borrowed(input),
            origin: None,
        };
    }
    // Step 1: NFC with origins.
    let mut chars: Vec<char> = Vec::with_capacity(input.len());
    let mut origin: Vec<Range<usize>> = Vec::with_capacity(input.len());
    if !opts.unicode_nfc || is_nfc_quick(input.chars()) == IsNormalized::Yes {
        for (i, c) in input.chars().enumerate() {
            chars.push(c);
            origin.push(i..i + 1);
        }
    } else {
        let mut pos = 0;
        for g in input.graphemes(true) {
            let n = g.chars().count();
            for c in g.nfc() {
                chars.push(c);
                origin.push(pos..pos + n);
            }
            pos += n;
        }
    }

    // Step 2: control characters, tags, entities.
    let mut text = String::with_capacity(input.len());
    let mut out_origin: Vec<Range<usize>> = Vec::with_capacity(chars.len());
    let mut out_chars = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let replaced = if !opts.html {
            None
        } else if c == '<' {
            tag_end(&chars, i).map(|end| (' ', end))
        } else if c == '&' {
            entity(&chars, i)
        } else {
            None
        };
        if let Some((decoded, end)) = replaced {
            let orig = origin[i].start..origin[end - 1].end;
            spans.push(Span {
                original: orig.clone(),
                normalized: out_chars..out_chars + 1,
                kind: SpanKind::Html,
            });
            text.push(decoded);
            out_origin.push(orig);
            out_chars += 1;
            i = end;
            continue;
        }
        match classify(c) {
            CharClass::Keep => {
                text.push(c);
                out_origin.push(origin[i].clone());
                out_chars += 1;
            }
            CharClass::Space => {
                text.push(' ');
                out_origin.push(origin[i].clone());
                out_chars += 1;
            }
            CharClass::Drop => {}
        }
        i += 1;
    }
    Clean {
        text: Cow::Owned(text),
        origin: Some(out_origin),
    }
}

/// If a tag starts at `i`, the index just past its `>`.
fn tag_end(chars: &[char], i: usize) -> Option<usize> {
    let next = *chars.get(i + 1)?;
    if !(next.is_ascii_alphabetic() || next == '/' || next == '!') {
        return None;
    }
    let limit = chars.len().min(i + MAX_TAG);
    for (j, &c) in chars.iter().enumerate().take(limit).skip(i + 1) {
        match c {
            '>' => return Some(j + 1),
            '<' | '\n' => return None,
            _ => {}
        }
    }
    None
}

/// If an entity (`&amp;`, `&#39;`, `&#x2014;`) starts at `i`, its character and end index.
fn entity(chars: &[char], i: usize) -> Option<(char, usize)> {
    let limit = chars.len().min(i + 12);
    let semi = (i + 1..limit).find(|&j| chars[j] == ';')?;
    let name: String = chars[i + 1..semi].iter().collect();
    let c = if let Some(num) = name.strip_prefix('#') {
        let v = if let Some(hex) = num.strip_prefix(['x', 'X']) {
            u32::from_str_radix(hex, 16).ok()?
        } else {
            num.parse::<u32>().ok()?
        };
        char::from_u32(v).filter(|c| !c.is_control() || *c == '\n' || *c == '\t')?
    } else {
        match name.as_str() {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "nbsp" => ' ',
            "mdash" => '—',
            "ndash" => '–',
            "hellip" => '…',
            "rsquo" => '’',
            "lsquo" => '‘',
            "rdquo" => '”',
            "ldquo" => '“',
            "copy" => '©',
            "reg" => '®',
            "deg" => '°',
            "euro" => '€',
            "pound" => '£',
            "yen" => '¥',
            "cent" => '¢',
            _ => return None,
        }
    };
    Some((c, semi + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(s: &str) -> String {
        run(s, &NormalizeOptions::default(), &mut Vec::new())
            .text
            .into_owned()
    }

    #[test]
    fn controls_become_spaces_or_go() {
        assert_eq!(clean("a\0b\u{7}c"), "a b c");
        assert_eq!(clean("a\u{200B}b\u{FEFF}c\u{202E}d"), "a bcd");
    }

    #[test]
    fn tags_and_entities() {
        assert_eq!(clean("<b>Hi</b> &amp; bye&#33;"), " Hi  & bye!");
        assert_eq!(clean("a < b and c > d"), "a < b and c > d");
        assert_eq!(clean("x <br/"), "x <br/");
        assert_eq!(clean("&bogus; &#xZZ;"), "&bogus; &#xZZ;");
    }

    #[test]
    fn nfc_with_origins() {
        let c = run("e\u{301}x", &NormalizeOptions::default(), &mut Vec::new());
        assert_eq!(c.text, "\u{e9}x");
        assert_eq!((c.original(0, 1), c.original(1, 2)), (0..2, 2..3));
        let c = run("plain", &NormalizeOptions::default(), &mut Vec::new());
        assert!(matches!(c.text, Cow::Borrowed(_)));
        assert_eq!(c.original(1, 3), 1..3);
    }
}
