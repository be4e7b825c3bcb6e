//! Plain numbers filling a whole token: cardinals ("-1,234"), decimals ("3.14", ".5") and
//! years ("in 1937" → "in nineteen thirty-seven").
//!
//! A four-digit number from 1000 to 2099, written without a comma, is read as a year unless
//! the next word is a plural noun or a counting word precedes it ("1848 people", "about 1500")
//! — then it is a quantity ("one thousand eight hundred forty-eight people").

use super::super::SpanKind;
use super::super::num::{parse_whole, read};
use super::super::token::{Ctx, Hit};
use crate::words::year;

/// Words before a number that make it a quantity.
const COUNT_PREV: &[&str] = &[
    "about",
    "over",
    "under",
    "than",
    "nearly",
    "almost",
    "approximately",
    "roughly",
    "some",
    "exactly",
    "only",
    "just",
    "total",
    "least",
    "paid",
    "costs",
    "cost",
    "additional",
    "another",
    "all",
    "these",
    "those",
    "the first",
    "the last",
    "top",
];

/// Nouns after a number that make it a quantity even though they do not end in "s".
const COUNT_NEXT: &[&str] = &[
    "people",
    "men",
    "women",
    "children",
    "feet",
    "teeth",
    "mice",
    "geese",
    "sheep",
    "fish",
    "deer",
    "staff",
    "personnel",
    "police",
    "cattle",
    "more",
    "less",
    "fewer",
    "other",
    "others",
    "of",
    "per",
    "times",
    "hundred",
    "thousand",
    "million",
    "billion",
    "new",
    "additional",
    "total",
];

/// Words ending in "s" that are not plural nouns.
const NOT_PLURAL: &[&str] = &[
    "was", "is", "has", "does", "his", "its", "as", "us", "this", "thus", "plus", "always",
    "series", "news", "s", "gas", "bus", "yes", "whereas", "versus",
];

/// Words before a number that make it a year even when a plural follows ("in 1990 prices
/// rose").
const YEAR_PREV: &[&str] = &[
    "in",
    "since",
    "until",
    "till",
    "during",
    "circa",
    "year",
    "by",
    "from",
    "before",
    "after",
    "early",
    "late",
    "mid",
    "summer",
    "winter",
    "spring",
    "autumn",
    "fall",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Whether the word after a number marks it as a count.
pub(crate) fn is_count_noun(word: &str) -> bool {
    let w = word.to_lowercase();
    if COUNT_NEXT.contains(&w.as_str()) {
        return true;
    }
    // A capitalised plural is a name ("the 2024 Olympics"), not a count.
    !word.starts_with(char::is_uppercase)
        && w.len() > 2
        && w.ends_with('s')
        && !w.ends_with("ss")
        && !w.ends_with("'s")
        && !NOT_PLURAL.contains(&w.as_str())
        && w.chars().all(char::is_alphabetic)
}

/// Whether the number at token `i` (value `v`) reads as a year.
pub(crate) fn is_year(cx: &Ctx<'_>, i: usize, v: u64) -> bool {
    if !cx.opts.years || !(1000..=2099).contains(&v) {
        return false;
    }
    let prev = cx.prev_word(i);
    let prev = prev.as_deref().unwrap_or("");
    if YEAR_PREV.contains(&prev) {
        return true;
    }
    if COUNT_PREV.contains(&prev) || prev.starts_with('$') {
        return false;
    }
    !cx.next_core(i).is_some_and(is_count_noun)
}

/// Numbers said as digit strings: "call 911" → "nine one one", "CA 90210" → "nine zero two one
/// zero", "at 0600 hours" → "oh six hundred hours".
fn digit_strings(cx: &Ctx<'_>, i: usize, n: &super::super::num::Num<'_>) -> Option<String> {
    if n.negative || n.grouped || n.frac.is_some() {
        return None;
    }
    let d = n.int.as_str();
    let prev = i
        .checked_sub(1)
        .and_then(|p| cx.tok(p))
        .filter(|p| p.trail.is_empty() || p.trail == ",");
    let prev_core = prev.map_or("", |p| p.core);
    if d.len() == 3
        && matches!(
            prev_core.to_ascii_lowercase().as_str(),
            "call" | "dial" | "text" | "phone"
        )
    {
        return Some(crate::words::digits_each(d));
    }
    if d.len() == 5
        && prev_core.len() == 2
        && prev_core.bytes().all(|b| b.is_ascii_uppercase())
        && prev.is_some_and(|p| p.trail.is_empty() || p.trail == ",")
    {
        return Some(crate::words::digits_each(d));
    }
    if d.len() == 4 && cx.next_core(i).is_some_and(|w| w == "hours" || w == "hrs") {
        let (h, m) = d.split_at(2);
        let (hv, mv): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        if hv > 23 || mv > 59 {
            return None;
        }
        let word = |s: &str| -> String {
            match s.as_bytes() {
                [b'0', b'0'] => "zero".into(),
                [b'0', x] => format!(
                    "oh {}",
                    crate::words::digit_word(char::from(*x)).unwrap_or("")
                ),
                _ => crate::words::cardinal(s),
            }
        };
        let mins = if m == "00" {
            "hundred".to_string()
        } else {
            word(m)
        };
        return Some(format!("{} {mins}", word(h)));
    }
    None
}

/// Read token `i` when its core is one number.
pub(crate) fn apply(cx: &Ctx<'_>, i: usize) -> Option<Hit> {
    if !cx.opts.numbers {
        return None;
    }
    let t = cx.tok(i)?;
    let n = parse_whole(t.core, true)?;
    if let Some(text) = digit_strings(cx, i, &n) {
        return Some(Hit::one(SpanKind::Number, text));
    }
    if !n.grouped
        && n.int.len() == 4
        && let Some(v) = n.plain_u64().filter(|&v| is_year(cx, i, v))
    {
        let y = u32::try_from(v).ok()?;
        return Some(Hit::one(SpanKind::Year, year(y)));
    }
    Some(Hit::one(SpanKind::Number, read(&n)))
}

#[cfg(test)]
mod tests {
    use super::super::{norm, norm_with};

    #[test]
    fn cardinals_and_decimals() {
        assert_eq!(norm("I have 42 cats."), "I have forty-two cats.");
        assert_eq!(norm("It was -5 outside"), "It was negative five outside");
        assert_eq!(
            norm("Pi is 3.14159."),
            "Pi is three point one four one five nine."
        );
        assert_eq!(norm("Add .5 cups"), "Add point five cups");
        assert_eq!(
            norm("7,900,000,000 people"),
            "seven billion nine hundred million people"
        );
        assert_eq!(norm("(12)"), "(twelve)");
    }

    #[test]
    fn beyond_two_to_the_53_is_exact() {
        assert_eq!(
            norm("9007199254740993"),
            "nine quadrillion seven trillion one hundred ninety-nine billion two hundred \
             fifty-four million seven hundred forty thousand nine hundred ninety-three"
        );
    }

    #[test]
    fn years_and_counts() {
        assert_eq!(
            norm("in 1937 it rained"),
            "in nineteen thirty-seven it rained"
        );
        assert_eq!(
            norm("The 2024 election."),
            "The twenty twenty-four election."
        );
        assert_eq!(norm("It was 2019."), "It was twenty nineteen.");
        assert_eq!(
            norm("1848 people came"),
            "one thousand eight hundred forty-eight people came"
        );
        assert_eq!(
            norm("about 1500 years"),
            "about one thousand five hundred years"
        );
        assert_eq!(norm("1,500 years"), "one thousand five hundred years");
        assert_eq!(norm("in 2005"), "in two thousand five");
        assert_eq!(norm("in 1905"), "in nineteen oh five");
        assert_eq!(norm("The 2024 Olympics"), "The twenty twenty-four Olympics");
    }

    #[test]
    fn digit_strings() {
        assert_eq!(norm("Call 911 now."), "Call nine one one now.");
        assert_eq!(
            norm("Beverly Hills, CA 90210."),
            "Beverly Hills, CA nine zero two one zero."
        );
        assert_eq!(norm("at 0600 hours"), "at oh six hundred hours");
        assert_eq!(norm("at 1530 hours"), "at fifteen thirty hours");
    }

    #[test]
    fn switched_off() {
        assert_eq!(
            norm_with("I have 42 cats.", |o| o.numbers = false),
            "I have 42 cats."
        );
        assert_eq!(
            norm_with("in 1937", |o| o.years = false),
            "in one thousand nine hundred thirty-seven"
        );
    }
}
