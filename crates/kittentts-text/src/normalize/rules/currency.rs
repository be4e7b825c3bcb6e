//! Money: "$5" → "five dollars", "$1.01" → "one dollar and one cent", "£24.99" →
//! "twenty-four pounds and ninety-nine pence", "¥500" → "five hundred yen", "$120K" → "one
//! hundred twenty thousand dollars", "$2.5 billion" → "two point five billion dollars",
//! "-$5" → "negative five dollars", "50¢" → "fifty cents".
//!
//! Amounts with more than two decimals are read as decimals ("$0.005" → "zero point zero zero
//! five dollars"). Yen, won and bitcoin have no minor unit here: "₿0.5" → "zero point five
//! bitcoin".

use super::super::SpanKind;
use super::super::num::{Num, parse_num, read_int, read_unsigned};
use super::super::token::{Ctx, Hit};
use crate::words::cardinal;

/// A currency: symbol, singular, plural, minor singular, minor plural ("" = no minor unit).
pub(crate) struct Currency {
    pub(crate) symbol: char,
    pub(crate) one: &'static str,
    pub(crate) many: &'static str,
    minor_one: &'static str,
    minor_many: &'static str,
}

pub(crate) const CURRENCIES: &[Currency] = &[
    Currency {
        symbol: '$',
        one: "dollar",
        many: "dollars",
        minor_one: "cent",
        minor_many: "cents",
    },
    Currency {
        symbol: '€',
        one: "euro",
        many: "euros",
        minor_one: "cent",
        minor_many: "cents",
    },
    Currency {
        symbol: '£',
        one: "pound",
        many: "pounds",
        minor_one: "penny",
        minor_many: "pence",
    },
    Currency {
        symbol: '¥',
        one: "yen",
        many: "yen",
        minor_one: "",
        minor_many: "",
    },
    Currency {
        symbol: '₹',
        one: "rupee",
        many: "rupees",
        minor_one: "paisa",
        minor_many: "paise",
    },
    Currency {
        symbol: '₩',
        one: "won",
        many: "won",
        minor_one: "",
        minor_many: "",
    },
    Currency {
        symbol: '₿',
        one: "bitcoin",
        many: "bitcoin",
        minor_one: "",
        minor_many: "",
    },
];

/// The scale word for a suffix letter or a following word.
pub(crate) fn scale_word(s: &str) -> Option<&'static str> {
    Some(match s {
        "K" | "k" | "thousand" => "thousand",
        "M" | "m" | "mn" | "million" => "million",
        "B" | "b" | "bn" | "billion" => "billion",
        "T" | "t" | "tn" | "trillion" => "trillion",
        _ => return None,
    })
}

/// Read an amount in a currency, with an optional scale word.
pub(crate) fn read_amount(n: &Num<'_>, cur: &Currency, scale: Option<&str>) -> String {
    let sign = if n.negative { "negative " } else { "" };
    if let Some(scale) = scale {
        return format!("{sign}{} {scale} {}", read_unsigned(n), cur.many);
    }
    let unit = |one: bool| if one { cur.one } else { cur.many };
    match n.frac {
        Some(f) if f.len() <= 2 && !cur.minor_one.is_empty() => {
            let cents: String = format!("{f:0<2}");
            let cents_v: u32 = cents.parse().unwrap_or(0);
            let int_empty = n.int.trim_start_matches('0').is_empty();
            let major = format!(
                "{} {}",
                read_int(if n.int.is_empty() { "0" } else { &n.int }),
                unit(n.is_one_int())
            );
            let minor = format!(
                "{} {}",
                cardinal(&cents),
                if cents_v == 1 {
                    cur.minor_one
                } else {
                    cur.minor_many
                }
            );
            match (int_empty, cents_v) {
                (_, 0) => format!("{sign}{major}"),
                (true, _) => format!("{sign}{minor}"),
                _ => format!("{sign}{major} and {minor}"),
            }
        }
        Some(_) => format!("{sign}{} {}", read_unsigned(n), cur.many),
        None => format!("{sign}{} {}", read_int(&n.int), unit(n.is_one())),
    }
}

/// ISO codes read as the currency's name (singular, plural).
fn code_name(code: &str) -> Option<(&'static str, &'static str)> {
    Some(match code {
        "USD" => ("US dollar", "US dollars"),
        "EUR" => ("euro", "euros"),
        "GBP" => ("pound", "pounds"),
        "JPY" => ("yen", "yen"),
        "INR" => ("rupee", "rupees"),
        "CAD" => ("Canadian dollar", "Canadian dollars"),
        "AUD" => ("Australian dollar", "Australian dollars"),
        "CNY" => ("yuan", "yuan"),
        "CHF" => ("Swiss franc", "Swiss francs"),
        "BTC" => ("bitcoin", "bitcoin"),
        _ => return None,
    })
}

/// "USD 500" / "500 USD" / "EUR 20" → "five hundred US dollars", "twenty euros".
fn with_code(cx: &Ctx<'_>, i: usize) -> Option<Hit> {
    let t = cx.tok(i)?;
    let (num_core, (one, many)) = if let Some(names) = code_name(t.core) {
        let next = cx
            .tok(i + 1)
            .filter(|n| n.lead.is_empty() && t.trail.is_empty())?;
        (next.core, names)
    } else {
        let names = cx.next_core(i).and_then(code_name)?;
        (t.core, names)
    };
    let n = parse_num(num_core, true).filter(|n| n.len == num_core.len())?;
    let unit = if n.is_one() { one } else { many };
    Some(Hit::many(
        SpanKind::Currency,
        2,
        format!("{} {unit}", super::super::num::read(&n)),
    ))
}

/// Read token `i` (and maybe a scale word after it) when it is an amount of money.
pub(crate) fn apply(cx: &Ctx<'_>, i: usize) -> Option<Hit> {
    if !cx.opts.currency {
        return None;
    }
    let t = cx.tok(i)?;
    if let Some(hit) = with_code(cx, i) {
        return Some(hit);
    }
    let mut core = t.core;
    let mut negative = false;
    if let Some(rest) = core.strip_prefix(['-', '−']) {
        negative = true;
        core = rest;
    }
    // "50¢", "50p"
    if let Some((num, one, many)) = core
        .strip_suffix('¢')
        .map(|n| (n, "cent", "cents"))
        .or_else(|| {
            // Not "720p" and the other video line counts (the unit rule reads those).
            core.strip_suffix('p')
                .filter(|n| !matches!(*n, "240" | "360" | "480" | "576" | "720"))
                .map(|n| (n, "penny", "pence"))
        })
    {
        let n = parse_num(num, false)
            .filter(|n| n.len == num.len() && n.frac.is_none() && n.int.len() <= 3)?;
        let unit = if n.is_one() { one } else { many };
        return Some(Hit::one(
            SpanKind::Currency,
            format!("{} {unit}", read_int(&n.int)),
        ));
    }
    let (sym, rest) = {
        let mut it = core.chars();
        let c = it.next()?;
        (c, it.as_str())
    };
    let cur = CURRENCIES.iter().find(|c| c.symbol == sym)?;
    let mut n = parse_num(rest, false)?;
    n.negative = negative;
    let suffix = &rest[n.len..];
    if suffix.is_empty() {
        if let Some(scale) = cx.next_core(i).and_then(|w| {
            matches!(w, "thousand" | "million" | "billion" | "trillion")
                .then(|| scale_word(w))
                .flatten()
        }) {
            return Some(Hit::many(
                SpanKind::Currency,
                2,
                read_amount(&n, cur, Some(scale)),
            ));
        }
        return Some(Hit::one(SpanKind::Currency, read_amount(&n, cur, None)));
    }
    // "$5/month" → "five dollars per month", "$2M/year"
    let (scale_part, per) = match suffix.split_once('/') {
        Some((s, p)) if !p.is_empty() && p.chars().all(char::is_alphabetic) => (s, Some(p)),
        _ => (suffix, None),
    };
    let scale = if scale_part.is_empty() {
        None
    } else {
        Some(scale_word(scale_part)?)
    };
    let mut text = read_amount(&n, cur, scale);
    if let Some(p) = per {
        let p = match p {
            "hr" | "h" => "hour",
            "mo" => "month",
            "yr" => "year",
            "wk" => "week",
            other => other,
        };
        text.push_str(" per ");
        text.push_str(p);
    }
    Some(Hit::one(SpanKind::Currency, text))
}

#[cfg(test)]
mod tests {
    use super::super::{norm, norm_with};

    #[test]
    fn dollars_and_cents() {
        assert_eq!(norm("It costs $5."), "It costs five dollars.");
        assert_eq!(norm("$1"), "one dollar");
        assert_eq!(norm("$1.01"), "one dollar and one cent");
        assert_eq!(norm("$4.99"), "four dollars and ninety-nine cents");
        assert_eq!(norm("$0.50"), "fifty cents");
        assert_eq!(norm("$1,000,000"), "one million dollars");
        assert_eq!(norm("$3.5"), "three dollars and fifty cents");
        assert_eq!(norm("$0.002"), "zero point zero zero two dollars");
        assert_eq!(norm("-$5"), "negative five dollars");
        assert_eq!(norm("50¢"), "fifty cents");
        assert_eq!(norm("a 50p coin"), "a fifty pence coin");
    }

    #[test]
    fn other_currencies() {
        assert_eq!(norm("£24.99"), "twenty-four pounds and ninety-nine pence");
        assert_eq!(norm("€1,200"), "one thousand two hundred euros");
        assert_eq!(norm("¥500"), "five hundred yen");
        assert_eq!(norm("₹100"), "one hundred rupees");
        assert_eq!(norm("₩1000"), "one thousand won");
        assert_eq!(norm("₿0.5"), "zero point five bitcoin");
    }

    #[test]
    fn scales() {
        assert_eq!(
            norm("$120K salary"),
            "one hundred twenty thousand dollars salary"
        );
        assert_eq!(norm("$2.5M"), "two point five million dollars");
        assert_eq!(norm("$3bn"), "three billion dollars");
        assert_eq!(
            norm("$2.5 billion deal"),
            "two point five billion dollars deal"
        );
    }

    #[test]
    fn per_unit() {
        assert_eq!(norm("$5/month"), "five dollars per month");
        assert_eq!(norm("$20/hr"), "twenty dollars per hour");
    }

    #[test]
    fn iso_codes() {
        assert_eq!(
            norm("USD 500 or 20 EUR."),
            "five hundred US dollars or twenty euros."
        );
    }

    #[test]
    fn switched_off() {
        assert_eq!(norm_with("$5", |o| o.currency = false), "$ five");
    }
}
