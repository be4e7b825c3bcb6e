//! Parsing written numbers (`-1,234.50`, `.5`, `007`) and reading them aloud.

use crate::words::{cardinal, digits_each, push_word};

/// A number written in digits at the start of some text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Num<'a> {
    /// A leading `-` or `−`.
    pub(crate) negative: bool,
    /// The integer digits as written, without grouping commas (may be empty: `.5`).
    pub(crate) int: String,
    /// Digits after the decimal point, if any.
    pub(crate) frac: Option<&'a str>,
    /// Whether the integer part used comma grouping (`1,000`).
    pub(crate) grouped: bool,
    /// Bytes of the source consumed.
    pub(crate) len: usize,
}

impl Num<'_> {
    /// The integer value when it fits in a u64 and there is no fraction or sign.
    pub(crate) fn plain_u64(&self) -> Option<u64> {
        if self.negative || self.frac.is_some() || self.int.is_empty() || self.int.len() > 19 {
            return None;
        }
        self.int.parse().ok()
    }
    /// Whether the integer part is exactly one (fraction ignored).
    pub(crate) fn is_one_int(&self) -> bool {
        self.int == "1"
    }
    /// Whether the value is exactly one (`1`, `1.0` is not: it reads "one point zero").
    pub(crate) fn is_one(&self) -> bool {
        self.frac.is_none() && self.int == "1"
    }
}

fn count_digits(b: &[u8]) -> usize {
    b.iter().take_while(|c| c.is_ascii_digit()).count()
}

/// Parse a number at the start of `s`: optional sign, digits with optional `,ddd` groups, and an
/// optional `.digits` fraction. A leading `.5` is accepted. `allow_sign` controls the sign.
pub(crate) fn parse_num(s: &str, allow_sign: bool) -> Option<Num<'_>> {
    let mut pos = 0;
    let mut negative = false;
    if allow_sign {
        if let Some(rest) = s.strip_prefix('-') {
            negative = true;
            pos = s.len() - rest.len();
        } else if let Some(rest) = s.strip_prefix('−') {
            negative = true;
            pos = s.len() - rest.len();
        }
    }
    let b = s.as_bytes();
    let first = count_digits(&b[pos..]);
    let mut int = String::from(&s[pos..pos + first]);
    pos += first;
    let mut grouped = false;
    if (1..=3).contains(&first) && !int.starts_with('0') {
        // Comma groups: ",ddd" not followed by another digit.
        loop {
            let rest = &b[pos..];
            if rest.len() >= 4 && rest[0] == b',' && count_digits(&rest[1..]) == 3 {
                int.push_str(&s[pos + 1..pos + 4]);
                pos += 4;
                grouped = true;
            } else {
                break;
            }
        }
    }
    let mut frac = None;
    if b.get(pos) == Some(&b'.') {
        let n = count_digits(&b[pos + 1..]);
        if n > 0 {
            frac = Some(&s[pos + 1..pos + 1 + n]);
            pos += 1 + n;
        }
    }
    if int.is_empty() && frac.is_none() {
        return None;
    }
    Some(Num {
        negative,
        int,
        frac,
        grouped,
        len: pos,
    })
}

/// Parse `s` as exactly one number (nothing left over).
pub(crate) fn parse_whole(s: &str, allow_sign: bool) -> Option<Num<'_>> {
    parse_num(s, allow_sign).filter(|n| n.len == s.len())
}

/// Read the integer part: a cardinal, or digit by digit when it has a leading zero
/// ("007" → "zero zero seven"); "" when empty.
pub(crate) fn read_int(int: &str) -> String {
    if int.len() > 1 && int.starts_with('0') {
        digits_each(int)
    } else {
        cardinal(int)
    }
}

/// Read a number without its sign ("3.14" → "three point one four", ".5" → "point five").
pub(crate) fn read_unsigned(n: &Num<'_>) -> String {
    let mut out = read_int(&n.int);
    if let Some(f) = n.frac {
        push_word(&mut out, "point");
        push_word(&mut out, &digits_each(f));
    }
    out
}

/// Read a number with its sign ("-5" → "negative five").
pub(crate) fn read(n: &Num<'_>) -> String {
    let body = read_unsigned(n);
    if n.negative {
        format!("negative {body}")
    } else {
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        let n = parse_num("-1,234.50x", true).unwrap();
        assert_eq!(
            (n.negative, n.int.as_str(), n.frac, n.grouped, n.len),
            (true, "1234", Some("50"), true, 9)
        );
        let n = parse_num("1,23", true).unwrap();
        assert_eq!((n.int.as_str(), n.len), ("1", 1));
        let n = parse_num(".5", true).unwrap();
        assert_eq!((n.int.as_str(), n.frac), ("", Some("5")));
        assert_eq!(parse_num("-x", true), None);
        assert_eq!(parse_num("5.", true).unwrap().len, 1);
    }

    #[test]
    fn reads() {
        let r = |s: &str| read(&parse_whole(s, true).unwrap());
        assert_eq!(r("-5"), "negative five");
        assert_eq!(r("3.14"), "three point one four");
        assert_eq!(r(".05"), "point zero five");
        assert_eq!(r("1,000,000"), "one million");
        assert_eq!(r("007"), "zero zero seven");
        assert_eq!(r("0.5"), "zero point five");
    }
}
