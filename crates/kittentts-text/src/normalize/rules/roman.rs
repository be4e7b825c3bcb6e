//! Roman numerals, where the context makes them numbers (on by default; the reference leaves
//! them to libespeak-ng, which says "Henry roman eight"): after a title word they are
//! cardinals ("World War II" → "World War two", "Chapter IV" → "Chapter four", "Super Bowl
//! LVII"); after a regnal name, or any name after a royal title, they are ordinals ("Louis
//! XIV" → "Louis the fourteenth", "Queen Margrethe II" → "Queen Margrethe the second"); before
//! "century" an ordinal ("the XIX century" → "the nineteenth century"); a numeral heading the
//! text ("IV. Results") is a cardinal.
//!
//! Never numbers: the pronoun "I" (expanded only after a title word or a name), initials
//! ("I. M. Pei"), a lone `C`, `D`, `L` or `M` ("type C", "Vitamin D", "size L"), numerals of
//! 400 and more in fewer than four letters ("Type MIX", "DC"), words that are no canonical
//! numeral ("CIVIL", "LIVID"), and letters inside words or codes ("V-neck"). The cases are
//! in `tests/data/roman.tsv`, false positives beside the numbers.

use super::super::SpanKind;
use super::super::token::{Ctx, Hit};
use crate::words::{cardinal_u64, ordinal_of};

const TITLE_WORDS: &[&str] = &[
    "war",
    "chapter",
    "part",
    "volume",
    "act",
    "scene",
    "book",
    "section",
    "article",
    "phase",
    "round",
    "level",
    "stage",
    "class",
    "type",
    "version",
    "episode",
    "season",
    "bowl",
    "title",
    "appendix",
    "psalm",
    "canto",
    "schedule",
    "amendment",
    "apollo",
    "vatican",
    "mark",
    "rocky",
    "star",
    "final",
    "fantasy",
    "grade",
    "tier",
    "unit",
    "lesson",
    "movement",
    "symphony",
];

/// Titles before a ruler's name: "Queen Margrethe II", "Emperor Akihito".
const ROYAL_TITLES: &[&str] = &[
    "king", "queen", "pope", "emperor", "empress", "tsar", "czar", "tsarina", "sultan", "shah",
    "kaiser", "prince", "princess", "duke", "duchess", "pharaoh", "saint", "st", "emir", "grand",
];

const REGNAL: &[&str] = &[
    "Louis",
    "Henry",
    "Edward",
    "George",
    "William",
    "James",
    "Charles",
    "Richard",
    "John",
    "Elizabeth",
    "Mary",
    "Anne",
    "Victoria",
    "Pope",
    "Pius",
    "Benedict",
    "Leo",
    "Gregory",
    "Innocent",
    "Clement",
    "Paul",
    "Philip",
    "Frederick",
    "Napoleon",
    "Peter",
    "Catherine",
    "Alexander",
    "Nicholas",
    "Ivan",
    "Constantine",
    "Ramesses",
    "Ptolemy",
    "Alfonso",
    "Ferdinand",
    "Carlos",
    "Juan",
    "Felipe",
    "Gustav",
    "Olaf",
    "Harald",
    "Christian",
    "Haakon",
    "Rama",
    "Otto",
    "Ludwig",
    "Wilhelm",
    "Francis",
    "Urban",
    "Boniface",
    "Sixtus",
    "Stephen",
];

/// The value of a strict, canonical Roman numeral in capitals (1–3999): "IV" → 4; "IIII",
/// "VX" and "MMMM" are rejected.
pub(crate) fn roman_value(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 15 {
        return None;
    }
    let val = |c: char| match c {
        'I' => Some(1u64),
        'V' => Some(5),
        'X' => Some(10),
        'L' => Some(50),
        'C' => Some(100),
        'D' => Some(500),
        'M' => Some(1000),
        _ => None,
    };
    let vals: Vec<u64> = s.chars().map(val).collect::<Option<_>>()?;
    let mut total: i64 = 0;
    for (k, &v) in vals.iter().enumerate() {
        let v = i64::try_from(v).ok()?;
        if vals
            .get(k + 1)
            .is_some_and(|&n| i64::try_from(n).is_ok_and(|n| n > v))
        {
            total -= v;
        } else {
            total += v;
        }
    }
    let total = u64::try_from(total)
        .ok()
        .filter(|t| (1..=3999).contains(t))?;
    (to_roman(total) == s).then_some(total)
}

fn to_roman(mut n: u64) -> String {
    const TABLE: [(u64, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (v, r) in TABLE {
        while n >= v {
            out.push_str(r);
            n -= v;
        }
    }
    out
}

/// Read token `i` when it is a Roman numeral in a context that makes it one.
pub(crate) fn apply(cx: &Ctx<'_>, i: usize) -> Option<Hit> {
    if !cx.opts.roman_numerals {
        return None;
    }
    let t = cx.tok(i)?;
    let v = roman_value(t.core)?;
    // Letters that are far more often letters: "type C", "Vitamin D", "size L", "DC", "MIX".
    if matches!(t.core, "C" | "D" | "L" | "M") || (v >= 400 && t.core.len() < 4) {
        return None;
    }
    let initial = |k: usize| {
        cx.tok(k).is_some_and(|n| {
            n.trail.starts_with('.')
                && n.core.chars().count() == 1
                && n.core.starts_with(char::is_uppercase)
        })
    };
    // A heading: "IV. Results" at the very start (but not the initials of "I. M. Pei").
    if i == 0
        && t.trail == "."
        && !initial(1)
        && cx
            .tok(1)
            .is_some_and(|n| n.text.starts_with(char::is_uppercase))
    {
        return Some(Hit::one(SpanKind::Roman, capitalise(&cardinal_u64(v))));
    }
    let said = || ordinal_of(&cardinal_u64(v));
    let ordinal = || Some(Hit::one(SpanKind::Roman, format!("the {}", said())));
    // "the XIX century" → "the nineteenth century" (not the pronoun: "I century" is no date).
    if t.core != "I"
        && t.trail.is_empty()
        && cx
            .tok(i + 1)
            .is_some_and(|n| matches!(n.core.to_lowercase().as_str(), "century" | "centuries"))
    {
        let prev_is_the = i
            .checked_sub(1)
            .and_then(|k| cx.tok(k))
            .is_some_and(|p| p.core.eq_ignore_ascii_case("the"));
        return Some(Hit::one(
            SpanKind::Roman,
            if prev_is_the {
                said()
            } else {
                format!("the {}", said())
            },
        ));
    }
    let p = cx.tok(i.checked_sub(1)?)?;
    if !p.trail.is_empty() || initial(i) {
        return None;
    }
    if TITLE_WORDS.contains(&p.core.to_lowercase().as_str()) {
        return Some(Hit::one(SpanKind::Roman, cardinal_u64(v)));
    }
    // Only known regnal names, or a capitalised name after a royal title: after any
    // capitalised word, "CV", "XL" or "VI" would be misread ("Washington DC", "size XL").
    if REGNAL.contains(&p.core) {
        return ordinal();
    }
    let titled = i.checked_sub(2).and_then(|k| cx.tok(k)).is_some_and(|q| {
        q.trail.is_empty() && ROYAL_TITLES.contains(&q.core.to_lowercase().as_str())
    });
    if titled && p.core.starts_with(char::is_uppercase) && p.core.chars().all(char::is_alphabetic) {
        return ordinal();
    }
    None
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

#[cfg(test)]
mod tests {
    use super::super::{norm, norm_with};
    use super::roman_value;

    fn roman(s: &str) -> String {
        norm_with(s, |o| o.roman_numerals = true)
    }

    #[test]
    fn values() {
        assert_eq!(roman_value("XIV"), Some(14));
        assert_eq!(roman_value("MCMXCIV"), Some(1994));
        assert_eq!(roman_value("IIII"), None);
        assert_eq!(roman_value("VX"), None);
        assert_eq!(roman_value("ABC"), None);
    }

    #[test]
    fn in_context() {
        assert_eq!(roman("World War II ended."), "World War two ended.");
        assert_eq!(roman("Chapter IV begins"), "Chapter four begins");
        assert_eq!(
            roman("Louis XIV was king."),
            "Louis the fourteenth was king."
        );
        assert_eq!(roman("Henry VIII"), "Henry the eighth");
        assert_eq!(roman("Elizabeth I died"), "Elizabeth the first died");
        assert_eq!(roman("Super Bowl LVII"), "Super Bowl fifty-seven");
        assert_eq!(roman("IV. Results"), "Four. Results");
    }

    #[test]
    fn not_numerals() {
        assert_eq!(roman("I think I can."), "I think I can.");
        assert_eq!(roman("Mix I with V"), "Mix I with V");
        assert_eq!(roman("I am MI"), "I am MI");
        assert_eq!(
            roman("Washington DC and size XL"),
            "Washington DC and size XL"
        );
        assert_eq!(roman("Send your CV"), "Send your CV");
    }

    #[test]
    fn on_by_default() {
        assert_eq!(norm("World War II"), "World War two");
        assert_eq!(
            norm("Henry VIII broke with Rome."),
            "Henry the eighth broke with Rome."
        );
    }

    #[test]
    fn off_when_asked() {
        assert_eq!(
            norm_with("World War II", |o| o.roman_numerals = false),
            "World War II"
        );
    }

    /// `tests/data/roman.tsv`: each line a text and what it becomes; the false positives (the
    /// text unchanged) beside the numbers.
    #[test]
    fn the_case_file() {
        let cases = include_str!("../../../tests/data/roman.tsv");
        let mut n = 0;
        for line in cases
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        {
            let (input, want) = line.split_once('\t').unwrap_or((line, line));
            assert_eq!(norm(input), want, "{input}");
            n += 1;
        }
        assert!(n >= 40, "{n} cases");
    }
}
