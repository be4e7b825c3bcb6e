//! The fallback for tokens that mix letters, digits and symbols: "A100" → "A one hundred",
//! "GPT-4o" → "GPT four o", "AT&T" → "AT and T", "C++" → "C plus plus", "#1" → "number one".
//!
//! Digit runs are read as numbers (with comma groups and decimals); a hyphen between a letter
//! and a digit becomes a space; symbols become words when [`symbols`] is on.
//!
//! [`symbols`]: crate::NormalizeOptions::symbols

use super::super::SpanKind;
use super::super::num::{parse_num, read, read_unsigned};
use super::super::token::{Ctx, Hit};
use crate::words::push_word;

/// The word for a symbol inside a token, if it has one.
pub(crate) fn symbol_word(c: char) -> Option<&'static str> {
    Some(match c {
        '&' => "and",
        '+' => "plus",
        '=' => "equals",
        '@' => "at",
        '%' => "percent",
        '°' => "degrees",
        '×' => "times",
        '÷' => "divided by",
        '^' => "to the power of",
        '<' => "less than",
        '>' => "greater than",
        '≤' => "less than or equal to",
        '≥' => "greater than or equal to",
        '≈' => "approximately",
        '~' => "about",
        '±' => "plus or minus",
        '§' => "section",
        '¶' => "paragraph",
        '©' => "copyright",
        '®' => "registered",
        '™' => "trademark",
        '¢' => "cents",
        '#' => "hashtag",
        _ => return None,
    })
}

/// Rewrite a token's core that holds digits or symbols.
pub(crate) fn apply(cx: &Ctx<'_>, i: usize) -> Option<Hit> {
    let t = cx.tok(i)?;
    let text = rewrite(t.core, cx.opts.numbers, cx.opts.symbols)?;
    let kind = if t.core.bytes().any(|b| b.is_ascii_digit()) {
        SpanKind::Number
    } else {
        SpanKind::Symbol
    };
    Some(Hit::one(kind, text))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Last {
    Start,
    Letter,
    Digit,
    /// Just after a symbol read as a word ("^" → "to the power of"): a sign may follow.
    Symbol,
    Other,
}

/// Rewrite `core`; `None` when nothing changes.
pub(crate) fn rewrite(core: &str, numbers: bool, symbols: bool) -> Option<String> {
    let has_digit = numbers && core.bytes().any(|b| b.is_ascii_digit());
    let has_symbol = symbols && core.chars().any(|c| c == '/' || symbol_word(c).is_some());
    if !has_digit && !has_symbol {
        return None;
    }
    let mut out = String::with_capacity(core.len() * 4);
    let mut last = Last::Start;
    let mut pos = 0;
    let b = core.as_bytes();
    while pos < core.len() {
        let rest = &core[pos..];
        let Some(c) = rest.chars().next() else { break };
        if numbers
            && (c.is_ascii_digit()
                || (c == '.'
                    && b.get(pos + 1).is_some_and(u8::is_ascii_digit)
                    && last != Last::Digit))
        {
            let signed = last == Last::Start;
            if let Some(n) = parse_num(rest, false) {
                let before = &core[..pos];
                let after_word = last == Last::Letter
                    || before
                        .strip_suffix('-')
                        .is_some_and(|b| b.ends_with(char::is_alphabetic));
                let as_year = after_word
                    && n.int.len() == 4
                    && !n.grouped
                    && n.frac.is_none()
                    && n.plain_u64().is_some_and(|v| (1900..=2099).contains(&v));
                let words = if as_year {
                    // "FY2024" → "FY twenty twenty-four"
                    crate::words::year(n.int.parse().unwrap_or(0))
                } else if signed {
                    read(&n)
                } else {
                    read_unsigned(&n)
                };
                push_word(&mut out, &words);
                pos += n.len;
                last = Last::Digit;
                continue;
            }
        }
        if numbers
            && matches!(last, Last::Start | Last::Symbol)
            && (c == '-' || c == '−')
            && rest[c.len_utf8()..].starts_with(|d: char| d.is_ascii_digit())
        {
            push_word(&mut out, "negative");
            pos += c.len_utf8();
            continue;
        }
        if (c == '-' || c == '–') && last != Last::Start {
            let next = rest[c.len_utf8()..].chars().next();
            let next_digit = next.is_some_and(|d| d.is_ascii_digit());
            let next_letter = next.is_some_and(char::is_alphabetic);
            if (last == Last::Letter && next_digit && numbers)
                || (last == Last::Digit && next_letter)
            {
                out.push(' ');
                pos += c.len_utf8();
                last = Last::Other;
                continue;
            }
        }
        let two_digits_end = rest.len() >= 3
            && rest.as_bytes()[1..3].iter().all(u8::is_ascii_digit)
            && !rest.as_bytes().get(3).is_some_and(u8::is_ascii_digit);
        if c == ':' && last == Last::Digit && two_digits_end {
            // "25:30": minutes and seconds (a clock time was taken by the time rule).
            out.push(' ');
            pos += 1;
            last = Last::Other;
            continue;
        }
        if c == ':' && last == Last::Digit && rest[1..].starts_with(|d: char| d.is_ascii_digit()) {
            // "3:0", "16:9": a score or a ratio.
            push_word(&mut out, "to");
            out.push(' ');
            pos += 1;
            last = Last::Other;
            continue;
        }
        if c == '/' && last != Last::Start {
            let next = rest[1..].chars().next();
            if last == Last::Digit && next.is_some_and(|d| d.is_ascii_digit()) {
                push_word(&mut out, "slash");
            }
            out.push(' ');
            pos += 1;
            last = Last::Other;
            continue;
        }
        if symbols && c == '#' {
            let next = rest[1..].chars().next();
            let word = if next.is_some_and(|d| d.is_ascii_digit()) {
                "number"
            } else if pos == 1 && matches!(b[0], b'A'..=b'G') {
                // "C#", "F#": the musical sharp (and the language).
                "sharp"
            } else if last == Last::Start {
                "hashtag"
            } else {
                "hash"
            };
            push_word(&mut out, word);
            out.push(' ');
            pos += 1;
            last = Last::Other;
            continue;
        }
        if let Some(w) = symbols.then(|| symbol_word(c)).flatten() {
            push_word(&mut out, w);
            out.push(' ');
            pos += c.len_utf8();
            last = Last::Symbol;
            continue;
        }
        if c.is_alphabetic() {
            if last == Last::Digit {
                out.push(' ');
            }
            last = Last::Letter;
        } else {
            last = Last::Other;
        }
        out.push(c);
        pos += c.len_utf8();
    }
    // A hyphen kept between two readings joins them ("10-20" with ranges off → "ten-twenty").
    let out = out.replace("- ", "-");
    let out = out
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (out != core).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::super::norm;

    #[test]
    fn mixed_tokens() {
        assert_eq!(
            norm("the A100 and H100"),
            "the A one hundred and H one hundred"
        );
        assert_eq!(norm("GPT-4o is new"), "GPT four o is new");
        assert_eq!(norm("COVID-19 spread"), "COVID nineteen spread");
        assert_eq!(norm("an mp3 file"), "an mp three file");
    }

    #[test]
    fn symbols() {
        assert_eq!(norm("AT&T and C++"), "AT and T and C plus plus");
        assert_eq!(norm("We're #1!"), "We're number one!");
        assert_eq!(norm("a=b"), "a equals b");
        assert_eq!(norm("rock & roll"), "rock and roll");
        assert_eq!(norm("and/or"), "and or");
        assert_eq!(norm("C# and F#"), "C sharp and F sharp");
        assert_eq!(norm("#NLP rocks"), "hashtag NLP rocks");
        assert_eq!(norm("10^-11"), "ten to the power of negative eleven");
        assert_eq!(norm("FY2024 results"), "FY twenty twenty-four results");
        assert_eq!(norm("by mid-2024"), "by mid twenty twenty-four");
        assert_eq!(norm("ran it in 25:30"), "ran it in twenty-five thirty");
    }
}
