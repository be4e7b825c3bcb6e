//! Scale suffixes: "7B" → "seven billion", "340M" → "three hundred forty million", "1.5K" →
//! "one point five thousand", "2T" → "two trillion", "10k" → "ten thousand".

use super::super::SpanKind;
use super::super::num::{parse_num, read};
use super::super::token::{Ctx, Hit};

/// Read token `i` when its core is a number with a scale letter.
pub(crate) fn apply(cx: &Ctx<'_>, i: usize) -> Option<Hit> {
    if !cx.opts.scale_suffixes {
        return None;
    }
    let core = cx.tok(i)?.core;
    let n = parse_num(core, true)?;
    // "4K video", "8K display": the resolution, read as a letter.
    if matches!(&core[n.len..], "K" | "k")
        && cx.next_core(i).is_some_and(|w| {
            matches!(
                w.to_ascii_lowercase().as_str(),
                "video"
                    | "videos"
                    | "display"
                    | "displays"
                    | "resolution"
                    | "tv"
                    | "tvs"
                    | "monitor"
                    | "monitors"
                    | "screen"
                    | "screens"
                    | "hdr"
                    | "uhd"
                    | "content"
                    | "streaming"
                    | "camera"
                    | "footage"
            )
        })
    {
        return Some(Hit::one(SpanKind::Scale, format!("{} K", read(&n))));
    }
    // "10M+" → "ten million plus"
    let (suffix, plus) = match core[n.len..].strip_suffix('+') {
        Some(s) => (s, " plus"),
        None => (&core[n.len..], ""),
    };
    let word = match suffix {
        "K" | "k" => "thousand",
        "M" => "million",
        "B" | "bn" => "billion",
        "T" => "trillion",
        _ => return None,
    };
    Some(Hit::one(
        SpanKind::Scale,
        format!("{} {word}{plus}", read(&n)),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::{norm, norm_with};

    #[test]
    fn scales() {
        assert_eq!(norm("a 7B model"), "a seven billion model");
        assert_eq!(norm("the 340M one"), "the three hundred forty million one");
        assert_eq!(norm("1.5K stars"), "one point five thousand stars");
        assert_eq!(norm("a 10k run"), "a ten thousand run");
    }

    #[test]
    fn resolutions() {
        assert_eq!(norm("a 4K video"), "a four K video");
    }

    #[test]
    fn plus() {
        assert_eq!(norm("10M+ users"), "ten million plus users");
    }

    #[test]
    fn switched_off() {
        assert_eq!(norm_with("7B", |o| o.scale_suffixes = false), "seven B");
    }
}
