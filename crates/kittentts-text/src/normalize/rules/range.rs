//! Ranges: "10-20" → "ten to twenty", "2020-2024" → "twenty twenty to twenty twenty-four",
//! "1990-95" → "nineteen ninety to ninety-five", "5–10%" → "five to ten percent", "$10-$20" /
//! "$10-20" → "ten to twenty dollars", "pages 100–200".
//!
//! Both ends must be plain non-negative numbers joined by `-`, `–` or `—` with nothing
//! between; phone numbers ("555-1234") are matched first by their own rule.

use super::super::SpanKind;
use super::super::num::{Num, parse_num, read_unsigned};
use super::super::token::{Ctx, Hit};
use super::currency::CURRENCIES;
use crate::words::year;

fn as_year(n: &Num<'_>) -> Option<u32> {
    if n.grouped || n.frac.is_some() || n.int.len() != 4 {
        return None;
    }
    n.int.parse().ok().filter(|v| (1000..=2099).contains(v))
}

/// Read token `i` when its core is a range.
pub(crate) fn apply(cx: &Ctx<'_>, i: usize) -> Option<Hit> {
    if !cx.opts.ranges {
        return None;
    }
    let core = cx.tok(i)?.core;
    let mut chars = core.chars();
    let first = chars.clone().next()?;
    let cur = CURRENCIES.iter().find(|c| c.symbol == first);
    let body = if cur.is_some() {
        chars.by_ref().next().map(|_| chars.as_str())?
    } else {
        core
    };
    let a = parse_num(body, false)?;
    let rest = &body[a.len..];
    // A scale letter or a percent sign may follow either end: "$10K-$20K", "10%-20%".
    let (a_scale, rest) = split_scale(rest);
    let rest = rest.strip_prefix('%').map_or(rest, |r| {
        if r.starts_with(['-', '–', '—']) {
            r
        } else {
            rest
        }
    });
    let dash = rest
        .chars()
        .next()
        .filter(|c| matches!(c, '-' | '–' | '—'))?;
    let mut rest = &rest[dash.len_utf8()..];
    if let Some(c) = cur {
        rest = rest.strip_prefix(c.symbol).unwrap_or(rest);
    }
    let b = parse_num(rest, false)?;
    let (b_scale, suffix) = split_scale(&rest[b.len..]);
    let unit = match (suffix, cur) {
        ("", None) => String::new(),
        ("%", None) => " percent".to_string(),
        ("", Some(c)) => format!(
            " {}",
            if b.is_one() && b_scale.is_none() {
                c.one
            } else {
                c.many
            }
        ),
        _ => return None,
    };
    if a.int == "50" && b.int == "50" && a.frac.is_none() && b.frac.is_none() && unit.is_empty() {
        return Some(Hit::one(SpanKind::Range, "fifty-fifty".to_string()));
    }
    let (left, right) = match (as_year(&a), as_year(&b)) {
        (Some(x), Some(y)) if a_scale.is_none() && b_scale.is_none() => (year(x), year(y)),
        (Some(x), None)
            if b.int.len() == 2 && b.frac.is_none() && cur.is_none() && b_scale.is_none() =>
        {
            (year(x), read_unsigned(&b))
        }
        _ => (read_unsigned(&a), read_unsigned(&b)),
    };
    let with = |w: String, s: Option<&str>| s.map_or_else(|| w.clone(), |s| format!("{w} {s}"));
    let spoken = format!("{} to {}{unit}", with(left, a_scale), with(right, b_scale));
    // A unit word after a plain range: "3-5 kg" → "three to five kilograms".
    if unit.is_empty()
        && a_scale.is_none()
        && b_scale.is_none()
        && cx.opts.units
        && let Some((_, many)) = super::unit::unit_after(cx, i)
    {
        return Some(Hit::many(SpanKind::Range, 2, format!("{spoken} {many}")));
    }
    Some(Hit::one(SpanKind::Range, spoken))
}

/// Split a scale letter ("K", "M", "B", "T") off the front of `s` when no letter follows it.
fn split_scale(s: &str) -> (Option<&'static str>, &str) {
    let mut it = s.chars();
    let word = match it.next() {
        Some('K' | 'k') => "thousand",
        Some('M') => "million",
        Some('B') => "billion",
        Some('T') => "trillion",
        _ => return (None, s),
    };
    let rest = it.as_str();
    if rest.starts_with(char::is_alphanumeric) {
        return (None, s);
    }
    (Some(word), rest)
}

#[cfg(test)]
mod tests {
    use super::super::{norm, norm_with};

    #[test]
    fn ranges() {
        assert_eq!(norm("pages 10-20"), "pages ten to twenty");
        assert_eq!(norm("ages 6–12."), "ages six to twelve.");
        assert_eq!(
            norm("from 2020-2024"),
            "from twenty twenty to twenty twenty-four"
        );
        assert_eq!(
            norm("the 1990-95 season"),
            "the nineteen ninety to ninety-five season"
        );
        assert_eq!(norm("5-10%"), "five to ten percent");
        assert_eq!(norm("$10-$20"), "ten to twenty dollars");
        assert_eq!(norm("$10-20"), "ten to twenty dollars");
        assert_eq!(norm("1.5-2.5"), "one point five to two point five");
    }

    #[test]
    fn with_scales_and_percent_signs() {
        assert_eq!(norm("$10K-$20K"), "ten thousand to twenty thousand dollars");
        assert_eq!(norm("10%-20%"), "ten to twenty percent");
        assert_eq!(norm("5M-10M users"), "five million to ten million users");
    }

    #[test]
    fn even_split() {
        assert_eq!(norm("a 50-50 split"), "a fifty-fifty split");
    }

    #[test]
    fn switched_off() {
        assert_eq!(norm_with("10-20", |o| o.ranges = false), "ten-twenty");
    }
}
