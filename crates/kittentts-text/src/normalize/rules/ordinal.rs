//! Ordinals written with a suffix: "1st" → "first", "22nd" → "twenty-second", "50th" →
//! "fiftieth", "1,000th" → "one thousandth".

use super::super::SpanKind;
use super::super::num::parse_num;
use super::super::token::{Ctx, Hit};
use crate::words::ordinal;

/// Read token `i` when its core is an ordinal.
pub(crate) fn apply(cx: &Ctx<'_>, i: usize) -> Option<Hit> {
    if !cx.opts.ordinals {
        return None;
    }
    let core = cx.tok(i)?.core;
    let n = parse_num(core, false).filter(|n| n.frac.is_none() && !n.int.is_empty())?;
    let rest = &core[n.len..];
    let (suffix, tail) = match rest.find(['-', '–']) {
        Some(k) => rest.split_at(k),
        None => (rest, ""),
    };
    if !matches!(
        suffix.to_ascii_lowercase().as_str(),
        "st" | "nd" | "rd" | "th"
    ) {
        return None;
    }
    // "1st-3rd" → "first to third"
    if let Some(other) = tail.get(1..).and_then(|t| {
        let m = parse_num(t, false).filter(|m| m.frac.is_none() && !m.int.is_empty())?;
        matches!(
            t[m.len..].to_ascii_lowercase().as_str(),
            "st" | "nd" | "rd" | "th"
        )
        .then(|| ordinal(&m.int))
    }) {
        return Some(Hit::one(
            SpanKind::Ordinal,
            format!("{} to {other}", ordinal(&n.int)),
        ));
    }
    // "2nd-largest" → "second-largest"
    Some(Hit::one(
        SpanKind::Ordinal,
        format!("{}{tail}", ordinal(&n.int)),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::{norm, norm_with};

    #[test]
    fn ordinals() {
        assert_eq!(
            norm("She was 1st, he 2nd, I 3rd."),
            "She was first, he second, I third."
        );
        assert_eq!(norm("the 21st century"), "the twenty-first century");
        assert_eq!(norm("his 42nd marathon"), "his forty-second marathon");
        assert_eq!(norm("the 50th time"), "the fiftieth time");
        assert_eq!(norm("the 100TH day"), "the one hundredth day");
        assert_eq!(norm("the 1,000th visitor"), "the one thousandth visitor");
        assert_eq!(norm("the 2nd-largest city"), "the second-largest city");
        assert_eq!(norm("1st-3rd place"), "first to third place");
    }

    #[test]
    fn switched_off() {
        assert_eq!(
            norm_with("the 50th", |o| o.ordinals = false),
            "the fifty th"
        );
    }
}
