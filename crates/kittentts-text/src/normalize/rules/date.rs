//! Dates: "Jan 5, 2024" → "January fifth, twenty twenty-four", "March 2024" → "March twenty
//! twenty-four", "5 March 2024" → "the fifth of March, twenty twenty-four", "2024-03-15" and
//! "3/15/2024" → "March fifteenth, twenty twenty-four".
//!
//! A month name must be capitalised ("may 5" is left to the number rule). In a numeric date
//! with slashes the month comes first unless the first number is above 12.

use super::super::SpanKind;
use super::super::token::{Ctx, Hit};
use crate::words::{ordinal, year};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The month for a capitalised name or abbreviation ("Jan", "Sept", "March").
fn month(word: &str) -> Option<&'static str> {
    if !word.starts_with(|c: char| c.is_ascii_uppercase()) || word.len() < 3 || word.len() > 9 {
        return None;
    }
    MONTHS.iter().copied().find(|m| {
        m.eq_ignore_ascii_case(word)
            || ((word.len() == 3 || word.eq_ignore_ascii_case("sept"))
                && m.get(..word.len())
                    .is_some_and(|p| p.eq_ignore_ascii_case(word)))
    })
}

/// A day of the month, "5", "05" or "5th".
fn day(core: &str) -> Option<u32> {
    let digits_len = core.bytes().take_while(u8::is_ascii_digit).count();
    let (d, suffix) = core.split_at(digits_len);
    if d.is_empty()
        || d.len() > 2
        || !matches!(
            suffix.to_ascii_lowercase().as_str(),
            "" | "st" | "nd" | "rd" | "th"
        )
    {
        return None;
    }
    d.parse().ok().filter(|v| (1..=31).contains(v))
}

/// A four-digit year 1000–2999.
fn year_num(core: &str) -> Option<u32> {
    if core.len() != 4 || !core.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    core.parse().ok().filter(|v| (1000..=2999).contains(v))
}

fn month_day_year(m: &str, d: u32, y: Option<u32>) -> String {
    let mut s = format!("{m} {}", ordinal(&d.to_string()));
    if let Some(y) = y {
        s.push_str(", ");
        s.push_str(&year(y));
    }
    s
}

/// Parse "2024-03-15" or "3/15/2024" / "03/15/24".
fn numeric(core: &str) -> Option<(usize, u32, u32)> {
    if !core.starts_with(|c: char| c.is_ascii_digit()) || !core.contains(['-', '/', '.']) {
        return None;
    }
    let parts: Vec<&str> = core.split(['-', '/', '.']).collect();
    if parts.len() != 3
        || !parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let nums: Vec<u32> = parts
        .iter()
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let seps = core
        .chars()
        .filter(|c| matches!(c, '-' | '/' | '.'))
        .collect::<String>();
    if seps == ".." {
        // "15.03.2024" (day first, as written in Europe); only with a four-digit year.
        let (d, m, y) = (nums[0], nums[1], nums[2]);
        return (parts[2].len() == 4
            && (1..=12).contains(&m)
            && (1..=31).contains(&d)
            && y >= 1000)
            .then(|| (m as usize - 1, d, y));
    }
    if (seps == "--" || seps == "//") && parts[0].len() == 4 {
        let (y, m, d) = (nums[0], nums[1], nums[2]);
        return ((1..=12).contains(&m) && (1..=31).contains(&d) && y >= 1000)
            .then(|| (m as usize - 1, d, y));
    }
    if core.contains('/')
        && !core.contains('-')
        && (parts[2].len() == 4 || parts[2].len() == 2)
        && parts[0].len() <= 2
        && parts[1].len() <= 2
    {
        let y = if parts[2].len() == 2 {
            if nums[2] < 50 {
                2000 + nums[2]
            } else {
                1900 + nums[2]
            }
        } else {
            nums[2]
        };
        let (m, d) = if nums[0] > 12 {
            (nums[1], nums[0])
        } else {
            (nums[0], nums[1])
        };
        return ((1..=12).contains(&m) && (1..=31).contains(&d)).then(|| (m as usize - 1, d, y));
    }
    None
}

/// Read a date starting at token `i`.
pub(crate) fn apply(cx: &Ctx<'_>, i: usize) -> Option<Hit> {
    if !cx.opts.dates {
        return None;
    }
    let t = cx.tok(i)?;
    if let Some((m, d, y)) = numeric(t.core) {
        return Some(Hit::one(
            SpanKind::Date,
            month_day_year(MONTHS[m], d, Some(y)),
        ));
    }
    // "Jan 5, 2024", "Jan. 5th 2024", "March 2024", "March 5"
    if let Some(m) = month(t.core)
        && (t.trail.is_empty() || t.trail == ".")
        && let Some(next) = cx.tok(i + 1)
        && next.lead.is_empty()
    {
        if let Some(y) = year_num(next.core) {
            return Some(Hit::many(SpanKind::Date, 2, format!("{m} {}", year(y))));
        }
        if let Some((d1, d2)) = next.core.split_once(['-', '–']) {
            let (d1, d2) = (day(d1)?, day(d2)?);
            let mut s = format!(
                "{m} {} to {}",
                ordinal(&d1.to_string()),
                ordinal(&d2.to_string())
            );
            let mut n = 2;
            if (next.trail.is_empty() || next.trail == ",")
                && let Some(after) = cx.tok(i + 2)
                && after.lead.is_empty()
                && let Some(y) = year_num(after.core)
            {
                s.push_str(", ");
                s.push_str(&year(y));
                n = 3;
            }
            return Some(Hit::many(SpanKind::Date, n, s));
        }
        let d = day(next.core)?;
        if (next.trail.is_empty() || next.trail == ",")
            && let Some(after) = cx.tok(i + 2)
            && after.lead.is_empty()
            && let Some(y) = year_num(after.core)
        {
            return Some(Hit::many(SpanKind::Date, 3, month_day_year(m, d, Some(y))));
        }
        return Some(Hit::many(SpanKind::Date, 2, month_day_year(m, d, None)));
    }
    // "5 March 2024", "5th of March"
    if let Some(d) = day(t.core)
        && t.trail.is_empty()
    {
        let mut j = i + 1;
        if cx
            .tok(j)
            .is_some_and(|x| x.core == "of" && x.trail.is_empty())
        {
            j += 1;
        }
        let mt = cx.tok(j)?;
        let m = month(mt.core).filter(|_| mt.lead.is_empty())?;
        let the = if cx.prev_word(i).as_deref() == Some("the") {
            ""
        } else {
            "the "
        };
        let mut s = format!("{the}{} of {m}", ordinal(&d.to_string()));
        let mut n = j - i + 1;
        if (mt.trail.is_empty() || mt.trail == ",")
            && let Some(yt) = cx.tok(j + 1)
            && let Some(y) = year_num(yt.core)
        {
            s.push_str(", ");
            s.push_str(&year(y));
            n += 1;
        }
        return Some(Hit::many(SpanKind::Date, n, s));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::{norm, norm_with};

    #[test]
    fn month_first() {
        assert_eq!(
            norm("On Jan 5, 2024 we met."),
            "On January fifth, twenty twenty-four we met."
        );
        assert_eq!(norm("Jan. 5th 2024"), "January fifth, twenty twenty-four");
        assert_eq!(norm("in March 2024."), "in March twenty twenty-four.");
        assert_eq!(norm("on July 4."), "on July fourth.");
        assert_eq!(
            norm("Sept 11, 2001"),
            "September eleventh, two thousand one"
        );
    }

    #[test]
    fn day_first() {
        assert_eq!(
            norm("on 5 March 2024"),
            "on the fifth of March, twenty twenty-four"
        );
        assert_eq!(norm("the 4th of July"), "the fourth of July");
    }

    #[test]
    fn numeric() {
        assert_eq!(
            norm("on 2024-03-15."),
            "on March fifteenth, twenty twenty-four."
        );
        assert_eq!(
            norm("on 3/15/2024"),
            "on March fifteenth, twenty twenty-four"
        );
        assert_eq!(
            norm("on 15/3/2024"),
            "on March fifteenth, twenty twenty-four"
        );
        assert_eq!(
            norm("on 12/25/99"),
            "on December twenty-fifth, nineteen ninety-nine"
        );
    }

    #[test]
    fn other_numeric_forms() {
        assert_eq!(
            norm("on 2024/03/15"),
            "on March fifteenth, twenty twenty-four"
        );
        assert_eq!(
            norm("on 15.03.2024"),
            "on March fifteenth, twenty twenty-four"
        );
    }

    #[test]
    fn day_ranges() {
        assert_eq!(norm("on Jan 5-7"), "on January fifth to seventh");
        assert_eq!(
            norm("March 3–5, 2024 in Rome"),
            "March third to fifth, twenty twenty-four in Rome"
        );
    }

    #[test]
    fn switched_off() {
        assert_eq!(norm_with("Jan 5", |o| o.dates = false), "Jan five");
    }
}
