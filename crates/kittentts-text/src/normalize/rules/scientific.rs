//! Scientific notation: "3.2e-5" → "three point two times ten to the negative five",
//! "6.022E23" → "six point zero two two times ten to the twenty-three", "1e-4" → "one times ten
//! to the negative four". ("6.022×10^23" is read by the inline rule: "… times ten to the power
//! of twenty-three".)

use super::super::SpanKind;
use super::super::num::{parse_num, read};
use super::super::token::{Ctx, Hit};
use crate::words::cardinal;

/// Read token `i` when its core is a number in e-notation.
pub(crate) fn apply(cx: &Ctx<'_>, i: usize) -> Option<Hit> {
    if !cx.opts.scientific {
        return None;
    }
    let core = cx.tok(i)?.core;
    let n = parse_num(core, true).filter(|n| !n.grouped && !n.int.is_empty())?;
    let rest = core[n.len..].strip_prefix(['e', 'E'])?;
    let (neg, digits) = match rest.strip_prefix(['-', '−']) {
        Some(d) => (true, d),
        None => (false, rest.strip_prefix('+').unwrap_or(rest)),
    };
    if digits.is_empty() || digits.len() > 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sign = if neg { "negative " } else { "" };
    let mut text = format!("{} times ten to the {sign}{}", read(&n), cardinal(digits));
    // "3E8 m/s" → "… meters per second"
    if cx.opts.units
        && let Some((_, many)) = cx.next_core(i).and_then(|u| {
            super::unit::lookup(u, true).or_else(|| (u == "m").then_some(("meter", "meters")))
        })
    {
        text.push(' ');
        text.push_str(many);
        return Some(Hit::many(SpanKind::Scientific, 2, text));
    }
    Some(Hit::one(SpanKind::Scientific, text))
}

#[cfg(test)]
mod tests {
    use super::super::{norm, norm_with};

    #[test]
    fn scientific() {
        assert_eq!(norm("lr 1e-4,"), "lr one times ten to the negative four,");
        assert_eq!(
            norm("3.2e-5"),
            "three point two times ten to the negative five"
        );
        assert_eq!(
            norm("6.022E23"),
            "six point zero two two times ten to the twenty-three"
        );
        assert_eq!(norm("2.5e+10"), "two point five times ten to the ten");
        assert_eq!(
            norm("6.022×10^23"),
            "six point zero two two times ten to the power of twenty-three"
        );
    }

    #[test]
    fn with_units() {
        assert_eq!(
            norm("3E8 m/s"),
            "three times ten to the eight meters per second"
        );
        assert_eq!(
            norm("1.6e-19 C"),
            "one point six times ten to the negative nineteen C"
        );
    }

    #[test]
    fn switched_off() {
        assert_eq!(norm_with("1e-4", |o| o.scientific = false), "one e four");
    }
}
