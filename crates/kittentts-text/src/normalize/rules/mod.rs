//! The rules, one per file, tried in a fixed order at each token; the first that matches wins.
//!
//! Order (earlier rules see the text first):
//! 1. [`url`] — URLs and email addresses
//! 2. [`abbreviation`] — "Dr.", "e.g.", "St.", "No. 5"
//! 3. [`date`] — "Jan 5, 2024", "5 March 2024", "2024-03-15", "3/15/2024"
//! 4. [`time`] — "6:07 a.m.", "14:00", "11am"
//! 5. [`phone`] — "555-1234", "(555) 123-4567"
//! 6. [`ip`] — "192.168.1.1"
//! 7. [`currency`] — "$1.01", "£5", "$120K", "$2 billion"
//! 8. [`percent`] — "3.5%"
//! 9. [`scientific`] — "3.2e-5"
//! 10. [`range`] — "10-20", "2020–2024", "$10-20"
//! 11. [`fraction`] — "3/4", "1 1/2", "½"
//! 12. [`decade`] — "1990s", "'90s"
//! 13. [`ordinal`] — "22nd"
//! 14. [`version`] — "v1.2.3", "Python 3.12"
//! 15. [`unit`](mod@unit) — "5 km", "41°C", "2x", "1920x1080"
//! 16. [`scale`] — "7B", "340M"
//! 17. [`roman`] — "Louis XIV" (in context only)
//! 18. [`operator`] — "5 * 3", "6 x 4", "10 / 2" between numbers
//! 19. [`number`] — plain cardinals, decimals and years (whole token)
//! 20. [`inline`] — digits and symbols inside a token ("A100", "GPT-4o", "AT&T"), the fallback

pub(crate) mod abbreviation;
pub(crate) mod currency;
pub(crate) mod date;
pub(crate) mod decade;
pub(crate) mod fraction;
pub(crate) mod inline;
pub(crate) mod ip;
pub(crate) mod number;
pub(crate) mod operator;
pub(crate) mod ordinal;
pub(crate) mod percent;
pub(crate) mod phone;
pub(crate) mod range;
pub(crate) mod roman;
pub(crate) mod scale;
pub(crate) mod scientific;
pub(crate) mod time;
pub(crate) mod unit;
pub(crate) mod url;
pub(crate) mod version;

use super::token::{Ctx, Hit};

/// Try every enabled rule at token `i`, in order.
pub(crate) fn apply(cx: &Ctx<'_>, i: usize) -> Option<Hit> {
    let core = cx.toks.get(i)?.core;
    if core.is_empty() {
        return None;
    }
    // Fast path: a plain word (ASCII letters and apostrophes) can only be an abbreviation, a
    // month, a currency code ("USD 5"), a roman numeral or an operator ("x").
    if core.bytes().all(|b| b.is_ascii_alphabetic() || b == b'\'') {
        const WORD_RULES: &[fn(&Ctx<'_>, usize) -> Option<Hit>] = &[
            abbreviation::apply,
            date::apply,
            currency::apply,
            roman::apply,
            operator::apply,
        ];
        return WORD_RULES.iter().find_map(|rule| rule(cx, i));
    }
    const RULES: &[fn(&Ctx<'_>, usize) -> Option<Hit>] = &[
        url::apply,
        abbreviation::apply,
        date::apply,
        time::apply,
        phone::apply,
        ip::apply,
        currency::apply,
        percent::apply,
        scientific::apply,
        range::apply,
        fraction::apply,
        decade::apply,
        ordinal::apply,
        version::apply,
        unit::apply,
        scale::apply,
        roman::apply,
        operator::apply,
        number::apply,
        inline::apply,
    ];
    RULES.iter().find_map(|rule| rule(cx, i))
}

/// Normalise with the default options (tests).
#[cfg(test)]
pub(crate) fn norm(s: &str) -> String {
    crate::Normalizer::default().normalize(s)
}

/// Normalise with only the rules `f` leaves on (tests).
#[cfg(test)]
pub(crate) fn norm_with(s: &str, f: impl FnOnce(&mut crate::NormalizeOptions)) -> String {
    let mut o = crate::NormalizeOptions::default();
    f(&mut o);
    crate::Normalizer::new(o).normalize(s)
}
