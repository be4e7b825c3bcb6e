//! Percentages: "50%" → "fifty percent", "3.5%" → "three point five percent", "-2%" →
//! "negative two percent".

use super::super::SpanKind;
use super::super::num::{parse_num, read};
use super::super::token::{Ctx, Hit};

/// Read token `i` when its core is a number followed by `%`.
pub(crate) fn apply(cx: &Ctx<'_>, i: usize) -> Option<Hit> {
    if !cx.opts.percentages {
        return None;
    }
    let core = cx.tok(i)?.core;
    let num = core.strip_suffix('%')?;
    let n = parse_num(num, true).filter(|n| n.len == num.len())?;
    Some(Hit::one(SpanKind::Percent, format!("{} percent", read(&n))))
}

#[cfg(test)]
mod tests {
    use super::super::{norm, norm_with};

    #[test]
    fn percentages() {
        assert_eq!(norm("50% off"), "fifty percent off");
        assert_eq!(norm("rose 3.5%."), "rose three point five percent.");
        assert_eq!(norm("fell -2% today"), "fell negative two percent today");
        assert_eq!(norm("a 100 % chance"), "a one hundred percent chance");
    }

    #[test]
    fn switched_off() {
        assert_eq!(norm_with("50%", |o| o.percentages = false), "fifty percent");
        assert_eq!(
            norm_with("50%", |o| {
                o.percentages = false;
                o.symbols = false
            }),
            "fifty%"
        );
    }
}
