//! Phone numbers, read digit by digit with a pause between groups: "555-1234" → "five five
//! five, one two three four", "(555) 123-4567", "1-800-555-0199", "555.123.4567",
//! "+1-555-123-4567" → "plus one, five five five, …".
//!
//! Recognised shapes: `ddd-dddd`; `ddd-ddd-dddd` (with `-` or `.`); an optional leading `1-`
//! or `+country-`; and `(ddd) ddd-dddd` over two tokens.

use super::super::SpanKind;
use super::super::token::{Ctx, Hit};
use crate::words::digits_each;

fn groups(core: &str) -> Option<Vec<&str>> {
    let sep = if core.contains('.') { '.' } else { '-' };
    let parts: Vec<&str> = core.split(sep).collect();
    if !parts
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let lens: Vec<usize> = parts.iter().map(|p| p.len()).collect();
    let ok = match lens.as_slice() {
        [3, 4] => sep == '-',
        [3, 3, 4] => true,
        [1..=3, 3, 3, 4] => true,
        _ => false,
    };
    ok.then_some(parts)
}

fn read(prefix: Option<&str>, parts: &[&str]) -> String {
    let mut out: Vec<String> = Vec::new();
    if let Some(p) = prefix {
        out.push(format!("plus {}", digits_each(p)));
    }
    out.extend(parts.iter().map(|p| digits_each(p)));
    out.join(", ")
}

/// Read a phone number at token `i`.
pub(crate) fn apply(cx: &Ctx<'_>, i: usize) -> Option<Hit> {
    if !cx.opts.phone_numbers {
        return None;
    }
    let t = cx.tok(i)?;
    if !t.core.starts_with(|c: char| c.is_ascii_digit() || c == '+') {
        return None;
    }
    // "(555) 123-4567"
    if t.lead.ends_with('(')
        && t.trail == ")"
        && t.core.len() == 3
        && t.core.bytes().all(|b| b.is_ascii_digit())
        && let Some(next) = cx.tok(i + 1)
        && next.lead.is_empty()
        && let Some(parts) = groups(next.core)
        && parts.len() == 2
    {
        let text = read(None, &[t.core, parts[0], parts[1]]);
        return Some(Hit::many(SpanKind::Phone, 2, text).eating_lead(1));
    }
    // "+44 20 7946 0958": a country code and groups written with spaces.
    if let Some(cc) = t.core.strip_prefix('+')
        && (1..=3).contains(&cc.len())
        && cc.bytes().all(|b| b.is_ascii_digit())
        && t.trail.is_empty()
    {
        let mut parts = Vec::new();
        let mut j = i + 1;
        while let Some(g) = cx.tok(j) {
            let digits = g.lead.is_empty()
                && (2..=4).contains(&g.core.len())
                && g.core.bytes().all(|b| b.is_ascii_digit());
            if !digits || parts.len() == 4 {
                break;
            }
            parts.push(g.core);
            j += 1;
            if !g.trail.is_empty() {
                break;
            }
        }
        let total: usize = parts.iter().map(|p| p.len()).sum();
        if parts.len() >= 2 && (6..=12).contains(&total) {
            return Some(Hit::many(
                SpanKind::Phone,
                1 + parts.len(),
                read(Some(cc), &parts),
            ));
        }
    }
    // "555 123 4567" after "call", "dial", "phone", "tel", "fax", "at" or "number": three tokens.
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if digits(t.core, 3)
        && t.trail.is_empty()
        && let (Some(b), Some(c)) = (cx.tok(i + 1), cx.tok(i + 2))
        && digits(b.core, 3)
        && b.trail.is_empty()
        && b.lead.is_empty()
        && digits(c.core, 4)
        && c.lead.is_empty()
        && i.checked_sub(1).and_then(|p| cx.tok(p)).is_some_and(|p| {
            (p.trail.is_empty() || p.trail == ":")
                && matches!(
                    p.core.to_ascii_lowercase().as_str(),
                    "call" | "dial" | "phone" | "tel" | "fax" | "at" | "number" | "text"
                )
        })
    {
        return Some(Hit::many(
            SpanKind::Phone,
            3,
            read(None, &[t.core, b.core, c.core]),
        ));
    }
    let (prefix, core) = match t.core.strip_prefix('+') {
        Some(rest) => {
            let (cc, rest) = rest.split_once(['-', ' '])?;
            if cc.is_empty() || cc.len() > 3 || !cc.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            (Some(cc), rest)
        }
        None => (None, t.core),
    };
    let parts = groups(core)?;
    if prefix.is_some() && parts.len() < 3 {
        return None;
    }
    // "800-1000 people" is a range, not a local number: a 3-4 shape followed by a plural noun
    // (or a unit) reads as a range.
    if parts.len() == 2
        && cx.next_core(i).is_some_and(|w| {
            super::number::is_count_noun(w) || super::unit::lookup(w, true).is_some()
        })
    {
        return None;
    }
    Some(Hit::one(SpanKind::Phone, read(prefix, &parts)))
}

#[cfg(test)]
mod tests {
    use super::super::{norm, norm_with};

    #[test]
    fn phones() {
        assert_eq!(
            norm("Call 555-1234."),
            "Call five five five, one two three four."
        );
        assert_eq!(
            norm("Call 555-123-4567 now"),
            "Call five five five, one two three, four five six seven now"
        );
        assert_eq!(
            norm("1-800-555-0199"),
            "one, eight zero zero, five five five, zero one nine nine"
        );
        assert_eq!(
            norm("Call (555) 123-4567."),
            "Call five five five, one two three, four five six seven."
        );
        assert_eq!(
            norm("+1-555-123-4567"),
            "plus one, five five five, one two three, four five six seven"
        );
        assert_eq!(
            norm("555.123.4567"),
            "five five five, one two three, four five six seven"
        );
    }

    #[test]
    fn international_with_spaces() {
        assert_eq!(
            norm("Call +44 20 7946 0958."),
            "Call plus four four, two zero, seven nine four six, zero nine five eight."
        );
    }

    #[test]
    fn ranges_are_not_phones() {
        assert_eq!(
            norm("800-1000 people"),
            "eight hundred to one thousand people"
        );
        assert_eq!(
            norm("Call 555-1234 now"),
            "Call five five five, one two three four now"
        );
    }

    #[test]
    fn spaced_groups_after_a_cue() {
        assert_eq!(
            norm("Call 555 123 4567."),
            "Call five five five, one two three, four five six seven."
        );
        assert_eq!(
            norm("Tel: 555 123 4567"),
            "Tel: five five five, one two three, four five six seven"
        );
        assert_eq!(
            norm("It has 555 123 4567"),
            "It has five hundred fifty-five one hundred twenty-three four thousand five hundred sixty-seven"
        );
    }

    #[test]
    fn switched_off() {
        assert_eq!(
            norm_with("555-1234", |o| o.phone_numbers = false),
            "five hundred fifty-five to one thousand two hundred thirty-four"
        );
    }
}
