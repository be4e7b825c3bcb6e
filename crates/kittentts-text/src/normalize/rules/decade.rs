//! Decades: "80s" → "eighties", "1990s" → "nineteen nineties", "'90s" → "nineties",
//! "2000s" → "two thousands", "1900s" → "nineteen hundreds".

use super::super::SpanKind;
use super::super::token::{Ctx, Hit};
use crate::words::{cardinal, plural_of, year};

/// Read token `i` when its core is a decade.
pub(crate) fn apply(cx: &Ctx<'_>, i: usize) -> Option<Hit> {
    if !cx.opts.decades {
        return None;
    }
    let t = cx.tok(i)?;
    // "mid-1990s", "late-80s"
    let (prefix, core_all) = match t.core.rsplit_once('-') {
        Some((p, d)) if !p.is_empty() && p.chars().all(char::is_alphabetic) => (Some(p), d),
        _ => (None, t.core),
    };
    let (core, eat_lead) = match core_all.strip_prefix('’') {
        Some(rest) => (rest, 0),
        None => (
            core_all,
            usize::from(prefix.is_none() && t.lead.ends_with('\'')),
        ),
    };
    let digits = core
        .strip_suffix("'s")
        .or_else(|| core.strip_suffix("’s"))
        .or_else(|| core.strip_suffix('s'))?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !digits.ends_with('0') {
        return None;
    }
    let words = match digits.len() {
        2 if digits != "00" => cardinal(digits),
        4 => year(digits.parse().ok()?),
        _ => return None,
    };
    let split = words.rfind(' ').map_or(0, |i| i + 1);
    let mut text = format!("{}{}", &words[..split], plural_of(&words[split..]));
    if let Some(p) = prefix {
        text = format!("{p}-{text}");
    }
    Some(Hit::one(SpanKind::Decade, text).eating_lead(eat_lead))
}

#[cfg(test)]
mod tests {
    use super::super::norm;

    #[test]
    fn decades() {
        assert_eq!(norm("The 80s were fun."), "The eighties were fun.");
        assert_eq!(norm("1990s grunge"), "nineteen nineties grunge");
        assert_eq!(norm("the 2000s"), "the two thousands");
        assert_eq!(norm("the 1900s"), "the nineteen hundreds");
        assert_eq!(norm("the 2020s"), "the twenty twenties");
        assert_eq!(norm("born in the '90s"), "born in the nineties");
        assert_eq!(norm("born in the ’60s"), "born in the sixties");
        assert_eq!(norm("the 1960's"), "the nineteen sixties");
        assert_eq!(norm("the mid-1990s"), "the mid-nineteen nineties");
    }
}
