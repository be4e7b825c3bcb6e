//! Fractions: "1/2" → "one half", "3/4" → "three quarters", "2/3" → "two thirds", "5/8" →
//! "five eighths", "1 1/2" → "one and a half", "2 3/4" → "two and three quarters", "½" →
//! "one half", "1½" → "one and a half", "50/50" → "fifty-fifty", "24/7" → "twenty-four seven",
//! "9/11" → "nine eleven". A denominator of 0 or above 100 is read "N over M".

use super::super::SpanKind;
use super::super::token::{Ctx, Hit};
use crate::words::{cardinal, ordinal, plural_of};

/// The vulgar fraction characters.
fn vulgar(c: char) -> Option<(u64, u64)> {
    Some(match c {
        '½' => (1, 2),
        '⅓' => (1, 3),
        '⅔' => (2, 3),
        '¼' => (1, 4),
        '¾' => (3, 4),
        '⅕' => (1, 5),
        '⅖' => (2, 5),
        '⅗' => (3, 5),
        '⅘' => (4, 5),
        '⅙' => (1, 6),
        '⅚' => (5, 6),
        '⅐' => (1, 7),
        '⅛' => (1, 8),
        '⅜' => (3, 8),
        '⅝' => (5, 8),
        '⅞' => (7, 8),
        '⅑' => (1, 9),
        '⅒' => (1, 10),
        _ => return None,
    })
}

/// Read "num/den".
pub(crate) fn read_fraction(num: u64, den: u64) -> String {
    let n = cardinal(&num.to_string());
    if den == 0 || den > 100 {
        return format!("{n} over {}", cardinal(&den.to_string()));
    }
    let d = match den {
        1 => return format!("{n} over one"),
        2 => "half".to_string(),
        4 => "quarter".to_string(),
        _ => ordinal(&den.to_string()),
    };
    let d = if num == 1 {
        d
    } else if d == "half" {
        "halves".to_string()
    } else {
        plural_of(&d)
    };
    format!("{n} {d}")
}

/// "and a half" / "and three quarters" after a whole number.
fn and_fraction(num: u64, den: u64) -> String {
    if num == 1 && den == 2 {
        "and a half".to_string()
    } else {
        format!("and {}", read_fraction(num, den))
    }
}

fn parse_slash(core: &str) -> Option<(u64, u64)> {
    let (a, b) = core.split_once('/')?;
    let ok = |x: &str| !x.is_empty() && x.len() <= 9 && x.bytes().all(|c| c.is_ascii_digit());
    (ok(a) && ok(b)).then(|| Some((a.parse().ok()?, b.parse().ok()?)))?
}

/// Read a fraction at token `i` (or a whole number followed by one).
pub(crate) fn apply(cx: &Ctx<'_>, i: usize) -> Option<Hit> {
    if !cx.opts.fractions {
        return None;
    }
    let t = cx.tok(i)?;
    let core = t.core;
    // "½", "1½"
    if let Some(last) = core.chars().last()
        && let Some((num, den)) = vulgar(last)
    {
        let whole = &core[..core.len() - last.len_utf8()];
        if whole.is_empty() {
            return Some(Hit::one(SpanKind::Fraction, read_fraction(num, den)));
        }
        if whole.bytes().all(|b| b.is_ascii_digit()) && whole.len() <= 18 {
            let text = format!("{} {}", cardinal(whole), and_fraction(num, den));
            return Some(Hit::one(SpanKind::Fraction, text));
        }
        return None;
    }
    // "1 1/2"
    if core.len() <= 18
        && !core.is_empty()
        && core.bytes().all(|b| b.is_ascii_digit())
        && t.trail.is_empty()
        && let Some(next) = cx.tok(i + 1)
        && next.lead.is_empty()
        && let Some((num, den)) = parse_slash(next.core)
        && num < den
        && den <= 100
    {
        let text = format!("{} {}", cardinal(core), and_fraction(num, den));
        return Some(Hit::many(SpanKind::Fraction, 2, text));
    }
    let (num, den) = parse_slash(core)?;
    let text = match (num, den) {
        (50, 50) => "fifty-fifty".to_string(),
        (24, 7) => "twenty-four seven".to_string(),
        (9, 11) => "nine eleven".to_string(),
        // "the 2023/24 season"
        (y, next) if (1900..=2099).contains(&y) && next == (y + 1) % 100 && core.len() == 7 => {
            format!(
                "{} to {}",
                crate::words::year(u32::try_from(y).ok()?),
                cardinal(&next.to_string())
            )
        }
        _ => read_fraction(num, den),
    };
    Some(Hit::one(SpanKind::Fraction, text))
}

#[cfg(test)]
mod tests {
    use super::super::{norm, norm_with};

    #[test]
    fn fractions() {
        assert_eq!(norm("1/2 cup"), "one half cup");
        assert_eq!(norm("3/4 mile"), "three quarters mile");
        assert_eq!(norm("2/3 done"), "two thirds done");
        assert_eq!(norm("5/8 inch"), "five eighths inch");
        assert_eq!(norm("1/10"), "one tenth");
        assert_eq!(norm("3/2"), "three halves");
        assert_eq!(norm("7/1000"), "seven over one thousand");
    }

    #[test]
    fn mixed_and_vulgar() {
        assert_eq!(norm("1 1/2 cups"), "one and a half cups");
        assert_eq!(norm("2 3/4 miles"), "two and three quarters miles");
        assert_eq!(norm("½ cup"), "one half cup");
        assert_eq!(norm("1½ hours"), "one and a half hours");
    }

    #[test]
    fn idioms() {
        assert_eq!(norm("a 50/50 chance"), "a fifty-fifty chance");
        assert_eq!(norm("open 24/7."), "open twenty-four seven.");
    }

    #[test]
    fn seasons() {
        assert_eq!(
            norm("the 2023/24 season"),
            "the twenty twenty-three to twenty-four season"
        );
    }

    #[test]
    fn switched_off() {
        assert_eq!(norm_with("1/2", |o| o.fractions = false), "one slash two");
    }
}
