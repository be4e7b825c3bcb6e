//! Units after numbers: "5 km" / "5km" → "five kilometers", "1 kg" → "one kilogram", "41°C" →
//! "forty-one degrees Celsius", "-5°C" → "minus five degrees Celsius", "3.6GHz" → "three point
//! six gigahertz", "48 ms" → "forty-eight milliseconds", "60 mph", "100 km/h", "2x" → "two
//! times", "1920x1080" → "nineteen twenty by ten eighty".
//!
//! A unit written as a separate word is expanded when it is unambiguous ("kg", "km"), or when it
//! is a one-letter unit followed by a word of measure ("2 m long", "50 L of water", "400 W at
//! peak"; never "in", "s" or "h" on their own); glued to the number ("5m", "200g") all listed
//! units are. Singular when the number is exactly 1. A plain range takes the unit too ("3-5 kg").

use super::super::SpanKind;
use super::super::num::{Num, parse_num, read, read_unsigned};
use super::super::token::{Ctx, Hit};
use crate::words::{cardinal, year};

/// (written, singular, plural, allowed as a separate word).
const UNITS: &[(&str, &str, &str, bool)] = &[
    ("km", "kilometer", "kilometers", true),
    ("m", "meter", "meters", false),
    ("cm", "centimeter", "centimeters", true),
    ("mm", "millimeter", "millimeters", true),
    ("µm", "micrometer", "micrometers", true),
    ("nm", "nanometer", "nanometers", true),
    ("mi", "mile", "miles", true),
    ("ft", "foot", "feet", true),
    ("in", "inch", "inches", false),
    ("yd", "yard", "yards", true),
    ("kg", "kilogram", "kilograms", true),
    ("g", "gram", "grams", false),
    ("mg", "milligram", "milligrams", true),
    ("µg", "microgram", "micrograms", true),
    ("lb", "pound", "pounds", true),
    ("lbs", "pounds", "pounds", true),
    ("oz", "ounce", "ounces", true),
    ("mL", "milliliter", "milliliters", true),
    ("ml", "milliliter", "milliliters", true),
    ("L", "liter", "liters", false),
    ("l", "liter", "liters", false),
    ("TB", "terabyte", "terabytes", true),
    ("GB", "gigabyte", "gigabytes", true),
    ("MB", "megabyte", "megabytes", true),
    ("KB", "kilobyte", "kilobytes", true),
    ("kB", "kilobyte", "kilobytes", true),
    ("PB", "petabyte", "petabytes", true),
    ("GiB", "gibibyte", "gibibytes", true),
    ("MiB", "mebibyte", "mebibytes", true),
    ("KiB", "kibibyte", "kibibytes", true),
    ("TiB", "tebibyte", "tebibytes", true),
    ("kbps", "kilobit per second", "kilobits per second", true),
    ("Gb", "gigabit", "gigabits", true),
    ("Mb", "megabit", "megabits", true),
    ("Gbps", "gigabit per second", "gigabits per second", true),
    ("Mbps", "megabit per second", "megabits per second", true),
    ("GHz", "gigahertz", "gigahertz", true),
    ("MHz", "megahertz", "megahertz", true),
    ("kHz", "kilohertz", "kilohertz", true),
    ("Hz", "hertz", "hertz", true),
    ("ms", "millisecond", "milliseconds", true),
    ("µs", "microsecond", "microseconds", true),
    ("us", "microsecond", "microseconds", false),
    ("ns", "nanosecond", "nanoseconds", true),
    ("s", "second", "seconds", false),
    ("sec", "second", "seconds", true),
    ("secs", "seconds", "seconds", true),
    ("min", "minute", "minutes", true),
    ("mins", "minutes", "minutes", true),
    ("hr", "hour", "hours", true),
    ("hrs", "hours", "hours", true),
    ("h", "hour", "hours", false),
    ("mph", "mile per hour", "miles per hour", true),
    ("kph", "kilometer per hour", "kilometers per hour", true),
    ("km/h", "kilometer per hour", "kilometers per hour", true),
    ("m/s", "meter per second", "meters per second", true),
    ("kW", "kilowatt", "kilowatts", true),
    ("MW", "megawatt", "megawatts", true),
    ("W", "watt", "watts", false),
    ("kWh", "kilowatt hour", "kilowatt hours", true),
    ("V", "volt", "volts", false),
    ("mA", "milliamp", "milliamps", true),
    ("mAh", "milliamp hour", "milliamp hours", true),
    ("dB", "decibel", "decibels", true),
    ("px", "pixel", "pixels", true),
    ("fps", "frame per second", "frames per second", true),
    (
        "rpm",
        "revolution per minute",
        "revolutions per minute",
        true,
    ),
    (
        "psi",
        "pound per square inch",
        "pounds per square inch",
        true,
    ),
    ("kcal", "kilocalorie", "kilocalories", true),
    ("tbsp", "tablespoon", "tablespoons", true),
    ("tsp", "teaspoon", "teaspoons", true),
    ("cal", "calorie", "calories", false),
    ("m²", "square meter", "square meters", true),
    ("km²", "square kilometer", "square kilometers", true),
    ("ft²", "square foot", "square feet", true),
    ("°C", "degree Celsius", "degrees Celsius", true),
    ("°F", "degree Fahrenheit", "degrees Fahrenheit", true),
    ("℃", "degree Celsius", "degrees Celsius", true),
    ("℉", "degree Fahrenheit", "degrees Fahrenheit", true),
    ("°", "degree", "degrees", true),
];

/// Words after a unit that make a one-letter unit a measure: "2 m long", "50 L of water",
/// "400 W at peak", "8,849 m tall".
const MEASURE_CONTEXT: &[&str] = &[
    "of",
    "long",
    "tall",
    "high",
    "wide",
    "deep",
    "away",
    "thick",
    "across",
    "at",
    "per",
    "apart",
    "each",
    "below",
    "above",
    "underground",
    "in",
];

/// The unit word after the number at token `i` (none when the number has closing
/// punctuation): one listed as allowed on its own ("kg", "mg", "km"), or an ambiguous one
/// ("m", "L", "W", "g") followed by a word of measure ("of", "long", "tall"…). Never "in"
/// (inches) on its own.
pub(crate) fn unit_after(cx: &Ctx<'_>, i: usize) -> Option<(&'static str, &'static str)> {
    let word = cx.next_core(i)?;
    if let Some(found) = lookup(word, true) {
        return Some(found);
    }
    if word == "in" || word == "s" || word == "h" {
        return None;
    }
    let found = lookup(word, false)?;
    let unit = cx.tok(i + 1)?;
    let after = cx.tok(i + 2)?;
    (unit.trail.is_empty()
        && after.lead.is_empty()
        && MEASURE_CONTEXT.contains(&after.core.to_lowercase().as_str()))
    .then_some(found)
}

pub(crate) fn lookup(unit: &str, separate: bool) -> Option<(&'static str, &'static str)> {
    UNITS
        .iter()
        .find(|(w, _, _, sep)| *w == unit && (!separate || *sep))
        .map(|&(_, one, many, _)| (one, many))
}

fn read_with_unit(n: &Num<'_>, one: &str, many: &str) -> String {
    let unit = if n.is_one() { one } else { many };
    if n.negative && unit.contains("degree") {
        format!("minus {} {unit}", read_unsigned(n))
    } else {
        format!("{} {unit}", read(n))
    }
}

/// Read a dimension like "1920x1080" (each side a number; 4-digit sides read in pairs).
fn dimension(core: &str) -> Option<String> {
    let (a, b) = core.split_once(['x', '×'])?;
    let side = |s: &str| -> Option<String> {
        let n = parse_num(s, false).filter(|n| n.len == s.len())?;
        Some(match n.plain_u64() {
            Some(v) if (1000..=9999).contains(&v) && v % 100 != 0 => year(u32::try_from(v).ok()?),
            _ => read_unsigned(&n),
        })
    };
    Some(format!("{} by {}", side(a)?, side(b)?))
}

/// `5'11"` → "five feet eleven inches" (also with primes `′ ″`).
fn feet_inches(cx: &Ctx<'_>, i: usize) -> Option<Hit> {
    let t = cx.tok(i)?;
    let (ft, inches) = t.core.split_once(['\'', '′'])?;
    let ok = |s: &str| (1..=2).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    if !ok(ft) || !ok(inches) || !t.trail.starts_with(['"', '″', '”']) {
        return None;
    }
    let feet = if ft == "1" { "foot" } else { "feet" };
    let inch = if inches == "1" { "inch" } else { "inches" };
    let text = format!("{} {feet} {} {inch}", cardinal(ft), cardinal(inches));
    Some(Hit::one(SpanKind::Unit, text).eating_trail(1))
}

/// "1080p" → "ten eighty p", "720p", "4320p".
fn video_lines(core: &str) -> Option<Hit> {
    let digits = core.strip_suffix(['p', 'i'])?;
    let scan = &core[digits.len()..];
    if !matches!(
        digits,
        "240" | "360" | "480" | "576" | "720" | "1080" | "1440" | "2160" | "4320"
    ) {
        return None;
    }
    let v: u32 = digits.parse().ok()?;
    let words = if v >= 1000 { year(v) } else { cardinal(digits) };
    Some(Hit::one(SpanKind::Unit, format!("{words} {scan}")))
}

/// Read token `i` (and maybe the unit word after it) when it is a number with a unit.
pub(crate) fn apply(cx: &Ctx<'_>, i: usize) -> Option<Hit> {
    if !cx.opts.units {
        return None;
    }
    let t = cx.tok(i)?;
    if let Some(hit) = feet_inches(cx, i).or_else(|| video_lines(t.core)) {
        return Some(hit);
    }
    let n = parse_num(t.core, true)?;
    let suffix = &t.core[n.len..];
    if suffix.is_empty()
        && cx.next_core(i) == Some("sq")
        && let Some(u) = cx
            .tok(i + 2)
            .filter(|_| cx.tok(i + 1).is_some_and(|t| t.trail.is_empty()))
        && u.lead.is_empty()
    {
        // "5,000 sq ft" → "five thousand square feet"
        let (one, many) = match u.core {
            "ft" => ("square foot", "square feet"),
            "m" => ("square meter", "square meters"),
            "km" => ("square kilometer", "square kilometers"),
            "mi" => ("square mile", "square miles"),
            "in" => ("square inch", "square inches"),
            _ => return None,
        };
        return Some(Hit::many(SpanKind::Unit, 3, read_with_unit(&n, one, many)));
    }
    if suffix.is_empty() {
        let (one, many) = unit_after(cx, i)?;
        let hit = Hit::many(SpanKind::Unit, 2, read_with_unit(&n, one, many));
        // "2 tbsp. of butter": the abbreviation's period goes with it inside a sentence.
        let unit = cx.tok(i + 1)?;
        let inside = cx
            .tok(i + 2)
            .is_some_and(|w| w.text.starts_with(char::is_lowercase));
        return Some(if unit.trail == "." && inside && unit.core.len() > 1 {
            hit.eating_trail(1)
        } else {
            hit
        });
    }
    // "a 5-km race", "a 10-kg bag": the unit as an adjective, singular.
    if let Some(u) = suffix.strip_prefix('-')
        && let Some((one, _)) = lookup(u, false)
    {
        return Some(Hit::one(SpanKind::Unit, format!("{}-{one}", read(&n))));
    }
    if let Some((one, many)) = lookup(suffix, false) {
        return Some(Hit::one(SpanKind::Unit, read_with_unit(&n, one, many)));
    }
    if suffix == "x" || suffix == "×" {
        return Some(Hit::one(SpanKind::Unit, format!("{} times", read(&n))));
    }
    if !n.negative
        && let Some(d) = dimension(t.core)
    {
        return Some(Hit::one(SpanKind::Unit, d));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::{norm, norm_with};

    #[test]
    fn one_letter_units_need_a_word_of_measure() {
        assert_eq!(
            norm("The cable is 2 m long."),
            "The cable is two meters long."
        );
        assert_eq!(
            norm("It holds 50 L of water."),
            "It holds fifty liters of water."
        );
        assert_eq!(
            norm("It makes 400 W at peak."),
            "It makes four hundred watts at peak."
        );
        assert_eq!(norm("Add 5 g of salt."), "Add five grams of salt.");
        // Not measures: an address, a count, a sign.
        assert_eq!(
            norm("He lives at 400 W Main St."),
            "He lives at four hundred W Main Street."
        );
        assert_eq!(norm("I scored 2 in a row."), "I scored two in a row.");
        assert_eq!(norm("A 5 m sign."), "A five m sign.");
        assert_eq!(norm("Wait 5 s of time"), "Wait five s of time");
    }

    #[test]
    fn ranges_and_abbreviated_units() {
        assert_eq!(
            norm("Doses of 100-200 mg are typical."),
            "Doses of one hundred to two hundred milligrams are typical."
        );
        assert_eq!(
            norm("Add 2 tbsp. of butter."),
            "Add two tablespoons of butter."
        );
        assert_eq!(
            norm("It weighs 5 kg. Then"),
            "It weighs five kilograms. Then"
        );
        assert_eq!(
            norm("Pages 10-20 are missing."),
            "Pages ten to twenty are missing."
        );
    }

    #[test]
    fn units() {
        assert_eq!(
            norm("a 42km trail"),
            "a forty-two kilometer trail".replace("kilometer", "kilometers")
        );
        assert_eq!(norm("weighs 1 kg."), "weighs one kilogram.");
        assert_eq!(
            norm("water boils at 100°C."),
            "water boils at one hundred degrees Celsius."
        );
        assert_eq!(norm("it was 41 °F"), "it was forty-one degrees Fahrenheit");
        assert_eq!(norm("-5°C outside"), "minus five degrees Celsius outside");
        assert_eq!(norm("runs at 3.6GHz"), "runs at three point six gigahertz");
        assert_eq!(
            norm("latency is 48 ms."),
            "latency is forty-eight milliseconds."
        );
        assert_eq!(norm("at 60 mph"), "at sixty miles per hour");
        assert_eq!(norm("a 2.5GB file"), "a two point five gigabytes file");
        assert_eq!(norm("a 90° angle"), "a ninety degrees angle");
        assert_eq!(norm("5 m away"), "five meters away");
        assert_eq!(norm("5 m"), "five m");
        assert_eq!(norm("5m away"), "five meters away");
    }

    #[test]
    fn times_and_dimensions() {
        assert_eq!(norm("2x faster"), "two times faster");
        assert_eq!(
            norm("a 1920x1080 screen"),
            "a nineteen twenty by ten eighty screen"
        );
        assert_eq!(norm("a 4x4 truck"), "a four by four truck");
    }

    #[test]
    fn heights_and_video() {
        assert_eq!(
            norm("He is 5'11\" tall."),
            "He is five feet eleven inches tall."
        );
        assert_eq!(
            norm("in 1080p and 720p"),
            "in ten eighty p and seven hundred twenty p"
        );
    }

    #[test]
    fn adjectives() {
        assert_eq!(norm("a 5-km race"), "a five-kilometer race");
    }

    #[test]
    fn more_units() {
        assert_eq!(
            norm("a 5,000 sq ft house"),
            "a five thousand square feet house"
        );
        assert_eq!(norm("wait 5s"), "wait five seconds");
        assert_eq!(norm("walk 3 mi"), "walk three miles");
        assert_eq!(norm("16 GiB"), "sixteen gibibytes");
    }

    #[test]
    fn switched_off() {
        assert_eq!(norm_with("5km", |o| o.units = false), "five km");
    }
}
