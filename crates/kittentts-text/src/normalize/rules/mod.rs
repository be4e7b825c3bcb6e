//! The rules, one per file, tried in a fixed order at each token; the first that matches wins.
//!
//! Order (earlier rules see the text first):
//! 1. [`abbreviation`] — "Dr.", "e.g.", "St.", "No. 5"
//! 2. [`currency`] — "$1.01", "£5", "$120K", "$2 billion"
//! 3. [`ordinal`] — "22nd"
//! 4. [`decade`] — "1990s", "'90s"
//! 5. [`number`] — plain cardinals, decimals and years (whole token)
//! 6. [`inline`] — digits and symbols inside a token ("A100", "GPT-4o", "AT&T"), the fallback

pub(crate) mod abbreviation;
pub(crate) mod currency;
pub(crate) mod decade;
pub(crate) mod inline;
pub(crate) mod number;
pub(crate) mod ordinal;

use super::token::{Ctx, Hit};

/// Try every enabled rule at token `i`, in order.
pub(crate) fn apply(cx: &Ctx<'_>, i: usize) -> Option<Hit> {
    let core = cx.toks.get(i)?.core;
    if core.is_empty() {
        return None;
    }
    const RULES: &[fn(&Ctx<'_>, usize) -> Option<Hit>] = &[
        abbreviation::apply,
        currency::apply,
        ordinal::apply,
        decade::apply,
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
