//! Number words: exact cardinals from digit strings, ordinals, years, digit-by-digit readings.
//!
//! Cardinals are built from the decimal digit string in groups of three, so they are exact for
//! any length (no float round trip). Scale names go up to "vigintillion" (10^63); an integer
//! with more than 66 digits is read digit by digit. The `num2words` crate is not used here: its
//! English cardinals insert a British "and" ("nine hundred and thirty-two") and go through a
//! `BigFloat` that loses digits past about 40.

const ONES: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS: [&str; 10] = [
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];
const SCALES: [&str; 22] = [
    "",
    "thousand",
    "million",
    "billion",
    "trillion",
    "quadrillion",
    "quintillion",
    "sextillion",
    "septillion",
    "octillion",
    "nonillion",
    "decillion",
    "undecillion",
    "duodecillion",
    "tredecillion",
    "quattuordecillion",
    "quindecillion",
    "sexdecillion",
    "septendecillion",
    "octodecillion",
    "novemdecillion",
    "vigintillion",
];

/// Most digits read as one cardinal; longer integers are read digit by digit.
pub(crate) const MAX_CARDINAL_DIGITS: usize = SCALES.len() * 3;

/// The word for one ASCII digit ("zero" for `0`); `None` for anything else.
pub(crate) fn digit_word(d: char) -> Option<&'static str> {
    d.to_digit(10)
        .filter(|_| d.is_ascii_digit())
        .and_then(|v| ONES.get(v as usize).copied())
}

/// Append the words for `0 < n < 1000`.
fn push_below_thousand(n: usize, out: &mut String) {
    let (h, rest) = (n / 100, n % 100);
    if h > 0 {
        push_word(out, ONES[h]);
        push_word(out, "hundred");
    }
    if rest == 0 {
        return;
    }
    if rest < 20 {
        push_word(out, ONES[rest]);
    } else {
        push_word(out, TENS[rest / 10]);
        if rest % 10 != 0 {
            out.push('-');
            out.push_str(ONES[rest % 10]);
        }
    }
}

/// Append `w` to `out` with a separating space when `out` is not empty and does not already end
/// in a space.
pub(crate) fn push_word(out: &mut String, w: &str) {
    if !out.is_empty() && !out.ends_with(' ') {
        out.push(' ');
    }
    out.push_str(w);
}

/// Read a string of ASCII digits as a cardinal ("1200" → "one thousand two hundred").
///
/// Leading zeros are ignored ("007" → "seven"); an empty string or non-digits give "".
/// More than [`MAX_CARDINAL_DIGITS`] significant digits are read digit by digit.
pub(crate) fn cardinal(digits: &str) -> String {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return String::new();
    }
    let sig = digits.trim_start_matches('0');
    if sig.is_empty() {
        return "zero".to_string();
    }
    if sig.len() > MAX_CARDINAL_DIGITS {
        return digits_each(sig);
    }
    let bytes = sig.as_bytes();
    let first = bytes.len() % 3;
    let mut groups: Vec<usize> = Vec::with_capacity(bytes.len() / 3 + 1);
    if first > 0 {
        groups.push(group_value(&bytes[..first]));
    }
    for g in bytes[first..].chunks(3) {
        groups.push(group_value(g));
    }
    let mut out = String::new();
    let n = groups.len();
    for (i, &g) in groups.iter().enumerate() {
        if g == 0 {
            continue;
        }
        push_below_thousand(g, &mut out);
        let scale = SCALES[n - 1 - i];
        if !scale.is_empty() {
            push_word(&mut out, scale);
        }
    }
    out
}

fn group_value(g: &[u8]) -> usize {
    g.iter().fold(0, |acc, b| acc * 10 + usize::from(b - b'0'))
}

/// Read a cardinal from a small number.
pub(crate) fn cardinal_u64(n: u64) -> String {
    cardinal(&n.to_string())
}

/// Read each digit on its own ("0199" → "zero one nine nine"). Non-digits are skipped.
pub(crate) fn digits_each(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() * 5);
    for d in digits.chars() {
        if let Some(w) = digit_word(d) {
            push_word(&mut out, w);
        }
    }
    out
}

/// Turn a cardinal's words into the ordinal ("twenty-one" → "twenty-first").
pub(crate) fn ordinal_of(words: &str) -> String {
    let split = words.rfind([' ', '-']).map_or(0, |i| i + 1);
    let (head, last) = words.split_at(split);
    let last_ord = match last {
        "one" => "first".to_string(),
        "two" => "second".to_string(),
        "three" => "third".to_string(),
        "five" => "fifth".to_string(),
        "eight" => "eighth".to_string(),
        "nine" => "ninth".to_string(),
        "twelve" => "twelfth".to_string(),
        l if l.ends_with('y') => format!("{}ieth", &l[..l.len() - 1]),
        l => format!("{l}th"),
    };
    format!("{head}{last_ord}")
}

/// Read digits as an ordinal ("22" → "twenty-second").
pub(crate) fn ordinal(digits: &str) -> String {
    let c = cardinal(digits);
    if c.is_empty() { c } else { ordinal_of(&c) }
}

/// Read a four-digit-or-shorter number the way years are said ("1905" → "nineteen oh five",
/// "2024" → "twenty twenty-four", "2005" → "two thousand five", "1900" → "nineteen hundred").
pub(crate) fn year(n: u32) -> String {
    let (hi, lo) = (n / 100, n % 100);
    if !(1000..=9999).contains(&n) || (2000..=2009).contains(&n) || n.is_multiple_of(1000) {
        return cardinal_u64(u64::from(n));
    }
    let hi_w = cardinal_u64(u64::from(hi));
    match lo {
        0 => format!("{hi_w} hundred"),
        1..=9 => format!("{hi_w} oh {}", ONES[lo as usize]),
        _ => format!("{hi_w} {}", cardinal_u64(u64::from(lo))),
    }
}

/// Read the plural of a decade's tens word ("eighty" → "eighties", "ten" → "tens").
pub(crate) fn plural_of(words: &str) -> String {
    if let Some(stem) = words.strip_suffix('y') {
        format!("{stem}ies")
    } else if words.ends_with('x') {
        format!("{words}es")
    } else {
        format!("{words}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cardinals() {
        let cases = [
            ("0", "zero"),
            ("7", "seven"),
            ("15", "fifteen"),
            ("40", "forty"),
            ("42", "forty-two"),
            ("100", "one hundred"),
            ("105", "one hundred five"),
            ("1200", "one thousand two hundred"),
            ("1000000", "one million"),
            ("1001001", "one million one thousand one"),
            ("007", "seven"),
            (
                "9007199254740993",
                "nine quadrillion seven trillion one hundred ninety-nine billion two hundred fifty-four million seven hundred forty thousand nine hundred ninety-three",
            ),
        ];
        for (d, w) in cases {
            assert_eq!(cardinal(d), w, "{d}");
        }
    }

    #[test]
    fn forty_digit_cardinal_is_exact() {
        let d = "1234567890123456789012345678901234567890";
        let w = cardinal(d);
        assert!(
            w.starts_with("one duodecillion two hundred thirty-four undecillion"),
            "{w}"
        );
        assert!(
            w.ends_with("five hundred sixty-seven thousand eight hundred ninety"),
            "{w}"
        );
    }

    #[test]
    fn huge_numbers_read_digit_by_digit() {
        let d = "1".repeat(67);
        assert_eq!(cardinal(&d), vec!["one"; 67].join(" "));
    }

    #[test]
    fn ordinals() {
        for (d, w) in [
            ("1", "first"),
            ("2", "second"),
            ("3", "third"),
            ("11", "eleventh"),
            ("12", "twelfth"),
            ("21", "twenty-first"),
            ("22", "twenty-second"),
            ("50", "fiftieth"),
            ("100", "one hundredth"),
            ("101", "one hundred first"),
        ] {
            assert_eq!(ordinal(d), w, "{d}");
        }
    }

    #[test]
    fn years() {
        for (n, w) in [
            (1905, "nineteen oh five"),
            (1937, "nineteen thirty-seven"),
            (1900, "nineteen hundred"),
            (2000, "two thousand"),
            (2005, "two thousand five"),
            (2010, "twenty ten"),
            (2024, "twenty twenty-four"),
            (1066, "ten sixty-six"),
            (999, "nine hundred ninety-nine"),
        ] {
            assert_eq!(year(n), w, "{n}");
        }
    }
}
