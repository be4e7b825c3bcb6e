//! Abbreviations: titles ("Dr." → "Doctor", "Mrs." → "Missus", "St." → "Saint" or "Street"),
//! Latin ("e.g." → "for example", "i.e." → "that is", "etc." → "et cetera", "vs." →
//! "versus", "et al." → "et al"), and references ("Fig. 3" → "Figure three", "No. 5" →
//! "number five", "p. 12" → "page twelve").
//!
//! The period of an abbreviation that can end a sentence ("etc.", "Inc.", "Street") is kept when
//! it is the last word or the next word is capitalised, so the chunker still sees the sentence
//! end.

use super::super::SpanKind;
use super::super::token::{Ctx, Hit};

/// How an abbreviation is read.
#[derive(Clone, Copy)]
enum Kind {
    /// Before a name: always expanded, period dropped.
    Title,
    /// Before a number only ("No. 5", "p. 12", "Fig. 3").
    BeforeNumber,
    /// Can end a sentence: the period is kept before a capital or at the end.
    MayEnd,
    /// Inside a sentence: period dropped.
    Inside,
}

/// (written form without the final period, case-sensitive unless all lowercase, needs the
/// period, expansion, kind).
const TABLE: &[(&str, bool, &str, Kind)] = &[
    ("Dr", false, "Doctor", Kind::Title),
    ("Mr", false, "Mister", Kind::Title),
    ("Mrs", false, "Missus", Kind::Title),
    ("Ms", false, "Miz", Kind::Title),
    ("Prof", true, "Professor", Kind::Title),
    ("Gen", true, "General", Kind::Title),
    ("Sen", true, "Senator", Kind::Title),
    ("Rep", true, "Representative", Kind::Title),
    ("Gov", true, "Governor", Kind::Title),
    ("Capt", true, "Captain", Kind::Title),
    ("Lt", true, "Lieutenant", Kind::Title),
    ("Col", true, "Colonel", Kind::Title),
    ("Sgt", true, "Sergeant", Kind::Title),
    ("Rev", true, "Reverend", Kind::Title),
    ("Hon", true, "Honorable", Kind::Title),
    ("Mt", true, "Mount", Kind::Title),
    ("Ft", true, "Fort", Kind::Title),
    ("Messrs", true, "Messieurs", Kind::Title),
    ("Jr", true, "Junior", Kind::MayEnd),
    ("Sr", true, "Senior", Kind::MayEnd),
    ("Fig", true, "Figure", Kind::BeforeNumber),
    ("fig", true, "figure", Kind::BeforeNumber),
    ("Figs", true, "Figures", Kind::BeforeNumber),
    ("No", true, "number", Kind::BeforeNumber),
    ("no", true, "number", Kind::BeforeNumber),
    ("Nos", true, "numbers", Kind::BeforeNumber),
    ("Vol", true, "Volume", Kind::BeforeNumber),
    ("vol", true, "volume", Kind::BeforeNumber),
    ("Ch", true, "Chapter", Kind::BeforeNumber),
    ("ch", true, "chapter", Kind::BeforeNumber),
    ("Sec", true, "Section", Kind::BeforeNumber),
    ("Apt", true, "Apartment", Kind::BeforeNumber),
    ("apt", true, "apartment", Kind::BeforeNumber),
    ("Ste", true, "Suite", Kind::BeforeNumber),
    ("sec", true, "section", Kind::BeforeNumber),
    ("pp", true, "pages", Kind::BeforeNumber),
    ("p", true, "page", Kind::BeforeNumber),
    ("Eq", true, "Equation", Kind::BeforeNumber),
    ("eq", true, "equation", Kind::BeforeNumber),
    ("Art", true, "Article", Kind::BeforeNumber),
    ("e.g", false, "for example", Kind::Inside),
    ("E.g", false, "For example", Kind::Inside),
    ("i.e", false, "that is", Kind::Inside),
    ("I.e", false, "That is", Kind::Inside),
    ("a.k.a", false, "also known as", Kind::Inside),
    ("cf", true, "compare", Kind::Inside),
    ("ca", true, "circa", Kind::Inside),
    ("c", true, "circa", Kind::BeforeNumber),
    ("approx", true, "approximately", Kind::Inside),
    ("Approx", true, "Approximately", Kind::Inside),
    ("vs", false, "versus", Kind::Inside),
    ("etc", true, "et cetera", Kind::MayEnd),
    ("Inc", true, "Incorporated", Kind::MayEnd),
    ("Ltd", true, "Limited", Kind::MayEnd),
    ("Corp", true, "Corporation", Kind::MayEnd),
    ("Co", true, "Company", Kind::MayEnd),
    ("Ave", true, "Avenue", Kind::MayEnd),
    ("Blvd", true, "Boulevard", Kind::MayEnd),
    ("Rd", true, "Road", Kind::MayEnd),
    ("Dept", true, "Department", Kind::MayEnd),
    ("Univ", true, "University", Kind::MayEnd),
];

fn starts_upper(s: &str) -> bool {
    s.chars().next().is_some_and(char::is_uppercase)
}

fn starts_digit(s: &str) -> bool {
    s.trim_start_matches('#')
        .starts_with(|c: char| c.is_ascii_digit())
}

/// Read token `i` when it is a known abbreviation.
pub(crate) fn apply(cx: &Ctx<'_>, i: usize) -> Option<Hit> {
    if !cx.opts.abbreviations {
        return None;
    }
    let t = cx.tok(i)?;
    let has_dot = t.trail.starts_with('.');
    // Quick reject: without a period only these forms are abbreviations.
    if !has_dot
        && !t.core.contains('.')
        && !matches!(t.core, "Dr" | "Mr" | "Mrs" | "Ms" | "vs" | "et")
    {
        return None;
    }
    let next = cx.tok(i + 1).map(|n| n.text);
    let next_upper_or_end = next.is_none_or(starts_upper);
    // "et al."
    if t.core == "et" && t.trail.is_empty() {
        let n = cx.tok(i + 1)?;
        if n.lead.is_empty() && n.core == "al" {
            let keep =
                n.trail.starts_with('.') && cx.tok(i + 2).is_none_or(|x| starts_upper(x.text));
            let eat = usize::from(n.trail.starts_with('.') && !keep);
            return Some(Hit::many(SpanKind::Abbreviation, 2, "et al".into()).eating_trail(eat));
        }
        return None;
    }
    // "St." → Saint before a name, Street otherwise.
    if t.core == "St" && has_dot {
        if next.is_some_and(starts_upper)
            && t.trail == "."
            && cx.tok(i + 1).is_some_and(|n| n.lead.is_empty())
        {
            // "St. Louis" (a following capital after a bare "St." is a name, not a new sentence).
            return Some(Hit::one(SpanKind::Abbreviation, "Saint".into()).eating_trail(1));
        }
        let eat = usize::from(!next_upper_or_end);
        return Some(Hit::one(SpanKind::Abbreviation, "Street".into()).eating_trail(eat));
    }
    let Some(&(_, needs_dot, expansion, kind)) = TABLE.iter().find(|(w, ..)| *w == t.core) else {
        return dotted_acronym(cx, i);
    };
    if needs_dot && !has_dot {
        return None;
    }
    let eat = usize::from(has_dot);
    match kind {
        Kind::Title => {
            // "Dr." before a name; "Elm Dr." (a street) is left alone.
            if !has_dot && !next.is_some_and(starts_upper) {
                return None;
            }
            if t.core == "Dr" && !next.is_some_and(starts_upper) {
                return None;
            }
            Some(Hit::one(SpanKind::Abbreviation, expansion.into()).eating_trail(eat))
        }
        Kind::BeforeNumber => {
            if !t.trail.is_empty() && t.trail != "." {
                return None;
            }
            if !next.is_some_and(starts_digit) {
                return None;
            }
            Some(Hit::one(SpanKind::Abbreviation, expansion.into()).eating_trail(eat))
        }
        Kind::Inside => Some(Hit::one(SpanKind::Abbreviation, expansion.into()).eating_trail(eat)),
        Kind::MayEnd => {
            let eat = usize::from(has_dot && !next_upper_or_end);
            Some(Hit::one(SpanKind::Abbreviation, expansion.into()).eating_trail(eat))
        }
    }
}

/// "U.S." → "US", "D.C." → "DC", "Ph.D." → "PhD": capitalised one- or two-letter pieces joined
/// by periods lose the periods (espeak would pause at each one). The final period is kept when
/// the sentence ends there.
fn dotted_acronym(cx: &Ctx<'_>, i: usize) -> Option<Hit> {
    let t = cx.tok(i)?;
    let pieces: Vec<&str> = t.core.split('.').collect();
    if pieces.len() < 2
        || !pieces.iter().all(|p| {
            (1..=2).contains(&p.chars().count())
                && p.starts_with(|c: char| c.is_uppercase())
                && p.chars().all(char::is_alphabetic)
        })
    {
        return None;
    }
    let has_dot = t.trail.starts_with('.');
    let next_upper_or_end = cx.tok(i + 1).is_none_or(|n| starts_upper(n.text));
    let eat = usize::from(has_dot && !next_upper_or_end);
    Some(Hit::one(SpanKind::Abbreviation, pieces.concat()).eating_trail(eat))
}

#[cfg(test)]
mod tests {
    use super::super::{norm, norm_with};

    #[test]
    fn titles() {
        assert_eq!(
            norm("Dr. Smith met Mr. and Mrs. Jones."),
            "Doctor Smith met Mister and Missus Jones."
        );
        assert_eq!(norm("Ms. Lee and Prof. Chen"), "Miz Lee and Professor Chen");
        assert_eq!(norm("He lives on Elm Dr."), "He lives on Elm Dr.");
        assert_eq!(
            norm("Martin Luther King Jr. was born"),
            "Martin Luther King Junior was born"
        );
    }

    #[test]
    fn saint_and_street() {
        assert_eq!(norm("We visited St. Louis."), "We visited Saint Louis.");
        assert_eq!(
            norm("He lives on Main St. in town"),
            "He lives on Main Street in town"
        );
        assert_eq!(norm("He lives on Main St."), "He lives on Main Street.");
    }

    #[test]
    fn latin() {
        assert_eq!(norm("fruit, e.g. apples"), "fruit, for example apples");
        assert_eq!(norm("one thing, i.e., this"), "one thing, that is, this");
        assert_eq!(norm("cats vs. dogs"), "cats versus dogs");
        assert_eq!(norm("pens, etc. are"), "pens, et cetera are");
        assert_eq!(norm("pens, etc."), "pens, et cetera.");
        assert_eq!(norm("Smith et al. showed"), "Smith et al showed");
        assert_eq!(norm("by Smith et al."), "by Smith et al.");
    }

    #[test]
    fn dotted_acronyms() {
        assert_eq!(norm("The U.S. economy grew."), "The US economy grew.");
        assert_eq!(
            norm("He lives in the U.S.A. Now"),
            "He lives in the USA. Now"
        );
        assert_eq!(norm("in Washington, D.C. today"), "in Washington, DC today");
        assert_eq!(norm("a Ph.D. student"), "a PhD student");
    }

    #[test]
    fn references() {
        assert_eq!(
            norm("See Fig. 3 and p. 12."),
            "See Figure three and page twelve."
        );
        assert_eq!(norm("He was No. 1"), "He was number one");
        assert_eq!(norm("I said no. Then"), "I said no. Then");
    }

    #[test]
    fn switched_off() {
        assert_eq!(
            norm_with("Dr. Smith", |o| o.abbreviations = false),
            "Dr. Smith"
        );
    }
}
