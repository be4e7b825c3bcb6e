//! Clock times: "3:30pm" → "three thirty PM", "6:07 a.m." → "six oh seven AM", "3:00" →
//! "three o'clock", "14:00" → "fourteen hundred", "10:30:15" → "ten thirty and fifteen
//! seconds", "11am" / "5 p.m." → "eleven AM" / "five PM", "12:00 noon" → "twelve noon".
//!
//! The meridiem is written "AM"/"PM" (espeak reads the capitals as letters; "a.m." would give it
//! two sentence stops). Its period is kept when it ends the sentence.

use super::super::SpanKind;
use super::super::token::{Ctx, Hit};
use crate::words::{cardinal_u64, digit_word};

/// "AM"/"PM" for a meridiem written as "am", "p.m", "PM", …
fn meridiem(s: &str) -> Option<&'static str> {
    match s.to_ascii_lowercase().as_str() {
        "am" | "a.m" | "a.m." => Some("AM"),
        "pm" | "p.m" | "p.m." => Some("PM"),
        _ => None,
    }
}

/// Parse "H:MM" or "H:MM:SS" (hours 0–24, minutes and seconds 00–59).
fn parse_clock(s: &str) -> Option<(u64, u64, Option<u64>)> {
    let mut parts = s.split(':');
    let h = parts.next()?;
    let m = parts.next()?;
    let sec = parts.next();
    if parts.next().is_some() || h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let all_digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(h) || !all_digits(m) {
        return None;
    }
    let (h, m): (u64, u64) = (h.parse().ok()?, m.parse().ok()?);
    let sec = match sec {
        Some(x) if x.len() == 2 && all_digits(x) => Some(x.parse().ok()?),
        Some(_) => return None,
        None => None,
    };
    (h <= 24 && m <= 59 && sec.is_none_or(|s| s <= 59)).then_some((h, m, sec))
}

/// Read a clock time.
pub(crate) fn read_clock(h: u64, m: u64, sec: Option<u64>, mer: Option<&str>) -> String {
    let mut out = cardinal_u64(h);
    match m {
        0 if mer.is_some() => {}
        0 if h == 0 || h > 12 => out.push_str(" hundred"),
        0 if sec.is_none() => out.push_str(" o'clock"),
        0 => out.push_str(" hundred"),
        1..=9 => {
            out.push_str(" oh ");
            out.push_str(digit_word(char::from(b'0' + m as u8)).unwrap_or(""));
        }
        _ => {
            out.push(' ');
            out.push_str(&cardinal_u64(m));
        }
    }
    if let Some(s) = sec {
        out.push_str(" and ");
        out.push_str(&cardinal_u64(s));
        out.push_str(if s == 1 { " second" } else { " seconds" });
    }
    if let Some(mer) = mer {
        out.push(' ');
        out.push_str(mer);
    }
    out
}

/// Split an attached meridiem off ("3:30pm" → ("3:30", Some("PM"))).
fn split_meridiem(core: &str) -> (&str, Option<&'static str>) {
    for suf in [
        "a.m", "p.m", "am", "pm", "AM", "PM", "A.M", "P.M", "Am", "Pm",
    ] {
        if let Some(head) = core.strip_suffix(suf)
            && !head.is_empty()
        {
            return (head, meridiem(suf));
        }
    }
    (core, None)
}

/// Read a time written alone in a token ("9:30", "5pm", "17:00:05"); a bare hour only when
/// `hour_ok` ("9" in "9-5pm").
fn standalone(s: &str, hour_ok: bool) -> Option<String> {
    let (clock, mer) = split_meridiem(s);
    if let Some((h, m, sec)) = parse_clock(clock) {
        return Some(read_clock(h, m, sec, mer));
    }
    if (mer.is_some() || hour_ok)
        && (1..=2).contains(&clock.len())
        && clock.bytes().all(|b| b.is_ascii_digit())
    {
        let h: u64 = clock.parse().ok().filter(|h| (1..=12).contains(h))?;
        return Some(match mer {
            Some(m) => format!("{} {m}", cardinal_u64(h)),
            None => cardinal_u64(h),
        });
    }
    None
}

/// "9am-5pm", "9:00-17:00", "9-5pm" → "nine AM to five PM", …
fn time_range(core: &str) -> Option<String> {
    let (a, b) = core.split_once(['-', '–'])?;
    let timeish = |s: &str| s.contains(':') || split_meridiem(s).1.is_some();
    if !timeish(a) && !timeish(b) {
        return None;
    }
    let left = standalone(a, split_meridiem(b).1.is_some())?;
    let right = standalone(b, false)?;
    Some(format!("{left} to {right}"))
}

/// Read token `i` (and a following "a.m."/"pm") when it is a clock time.
pub(crate) fn apply(cx: &Ctx<'_>, i: usize) -> Option<Hit> {
    if !cx.opts.times {
        return None;
    }
    let t = cx.tok(i)?;
    if !t.core.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    if let Some(text) = time_range(t.core) {
        return Some(Hit::one(SpanKind::Time, text));
    }
    let (clock, mut mer) = split_meridiem(t.core);
    let mut n = 1;
    let mut last_trail = t.trail;
    if mer.is_none()
        && t.trail.is_empty()
        && let Some(next) = cx.tok(i + 1)
        && next.lead.is_empty()
        && let Some(m) = meridiem(next.core)
    {
        mer = Some(m);
        n = 2;
        last_trail = next.trail;
    }
    // A trailing "." of "a.m." belongs to the meridiem unless it also ends the sentence.
    let eat = if mer.is_some() && last_trail.starts_with('.') {
        let cont = cx
            .tok(i + n)
            .is_some_and(|x| !x.text.starts_with(char::is_uppercase));
        usize::from(cont)
    } else {
        0
    };
    let text = if let Some((h, m, s)) = parse_clock(clock) {
        let noon = t.trail.is_empty()
            && cx
                .tok(i + 1)
                .is_some_and(|x| x.core.eq_ignore_ascii_case("noon"));
        if noon && mer.is_none() {
            return Some(Hit::many(
                SpanKind::Time,
                2,
                format!("{} noon", cardinal_u64(h)),
            ));
        }
        let oclock_follows = n == 1
            && t.trail.is_empty()
            && cx
                .tok(i + 1)
                .is_some_and(|x| x.core.eq_ignore_ascii_case("o'clock") || x.core == "o’clock");
        if oclock_follows && m == 0 {
            // "9:00 o'clock": the word is already there.
            cardinal_u64(h)
        } else {
            read_clock(h, m, s, mer)
        }
    } else {
        // "11am", "5 p.m."
        let mer = mer?;
        let h: u64 = clock.parse().ok().filter(|h| (1..=12).contains(h))?;
        if !clock.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        format!("{} {mer}", cardinal_u64(h))
    };
    Some(Hit::many(SpanKind::Time, n, text).eating_trail(eat))
}

#[cfg(test)]
mod tests {
    use super::super::{norm, norm_with};

    #[test]
    fn twelve_hour() {
        assert_eq!(norm("at 3:30pm"), "at three thirty PM");
        assert_eq!(norm("at 6:07 a.m. today"), "at six oh seven AM today");
        assert_eq!(norm("at 6:07 a.m. Then"), "at six oh seven AM. Then");
        assert_eq!(norm("by 9:05 AM."), "by nine oh five AM.");
        assert_eq!(norm("at 11am"), "at eleven AM");
        assert_eq!(norm("at 5 p.m. sharp"), "at five PM sharp");
        assert_eq!(norm("12:00 PM"), "twelve PM");
        assert_eq!(norm("open 9am-5pm"), "open nine AM to five PM");
        assert_eq!(
            norm("open 9:00-17:30."),
            "open nine o'clock to seventeen thirty."
        );
        assert_eq!(norm("open 9-5pm"), "open nine to five PM");
    }

    #[test]
    fn plain_and_24_hour() {
        assert_eq!(norm("at 3:00 this"), "at three o'clock this");
        assert_eq!(norm("at 14:00."), "at fourteen hundred.");
        assert_eq!(norm("at 23:45"), "at twenty-three forty-five");
        assert_eq!(norm("at 10:30:15"), "at ten thirty and fifteen seconds");
        assert_eq!(norm("at 12:00 noon"), "at twelve noon");
    }

    #[test]
    fn not_times() {
        assert_eq!(norm("a 3:0 score"), "a three to zero score");
        assert_eq!(norm("at 25:00"), "at twenty-five zero zero");
    }

    #[test]
    fn oclock_written_out() {
        assert_eq!(norm("It's 9:00 o'clock."), "It's nine o'clock.");
    }

    #[test]
    fn switched_off() {
        assert_eq!(norm_with("at 3:30", |o| o.times = false), "at three thirty");
    }
}
