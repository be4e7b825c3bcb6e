//! Arithmetic operators written as separate words between numbers: "5 * 3" → "five times
//! three", "6 x 4" → "six times four", "10 / 2" → "ten divided by two", "7 - 2" → "seven minus
//! two". ("+" and "=" are read by the inline rule everywhere.)

use super::super::SpanKind;
use super::super::num::parse_num;
use super::super::token::{Ctx, Hit};

fn is_number(core: &str) -> bool {
    parse_num(core, true).is_some_and(|n| n.len == core.len())
}

/// Read token `i` when it is an operator between two numbers.
pub(crate) fn apply(cx: &Ctx<'_>, i: usize) -> Option<Hit> {
    if !cx.opts.symbols {
        return None;
    }
    let t = cx.tok(i)?;
    let word = match t.core {
        "*" | "x" | "×" | "·" => "times",
        "/" | "÷" => "divided by",
        "-" | "−" | "–" => "minus",
        _ => return None,
    };
    let prev = cx.tok(i.checked_sub(1)?)?;
    let next = cx.tok(i + 1)?;
    if !prev.trail.is_empty()
        || !t.trail.is_empty()
        || !t.lead.is_empty()
        || !is_number(prev.core)
        || !is_number(next.core)
    {
        return None;
    }
    Some(Hit::one(SpanKind::Symbol, word.to_string()))
}

#[cfg(test)]
mod tests {
    use super::super::{norm, norm_with};

    #[test]
    fn operators() {
        assert_eq!(norm("5 * 3 = 15"), "five times three equals fifteen");
        assert_eq!(norm("6 x 4"), "six times four");
        assert_eq!(norm("10 / 2"), "ten divided by two");
        assert_eq!(norm("7 - 2 = 5"), "seven minus two equals five");
        assert_eq!(norm("a - b"), "a - b");
        assert_eq!(norm("then - 5 more"), "then - five more");
    }

    #[test]
    fn switched_off() {
        assert_eq!(norm_with("5 * 3", |o| o.symbols = false), "five * three");
    }
}
