//! URLs and email addresses, read out instead of deleted: `https://example.com/docs` →
//! "example dot com slash docs", "jane.doe@mail.org" → "jane dot doe at mail dot org",
//! "www.kitten.ai" → "www dot kitten dot ai".
//!
//! The scheme (`http://`, `https://`) and a trailing `/` are not read. A bare domain is
//! recognised only with a common top-level domain (`.com`, `.org`, `.io`, …), so "Node.js" and
//! "e.g" stay words.

use super::super::SpanKind;
use super::super::token::{Ctx, Hit};
use crate::words::{cardinal, digits_each, push_word};

const TLDS: &[&str] = &[
    "com", "org", "net", "edu", "gov", "io", "ai", "dev", "co", "uk", "us", "app", "info", "me",
    "tv", "ly", "gg", "xyz", "de", "fr", "ca", "au", "jp", "in", "eu", "biz", "cloud", "tech",
    "news", "blog", "site", "online", "store", "mil", "int", "ru", "cn", "br", "nl", "es", "it",
    "ch", "se", "no", "fi", "pl", "nz", "ie", "be", "at", "dk", "kr", "sg", "hk", "mx",
];

fn sep_word(c: char) -> Option<&'static str> {
    Some(match c {
        '.' => "dot",
        '/' => "slash",
        '@' => "at",
        '-' => "dash",
        '_' => "underscore",
        ':' => "colon",
        '?' => "question mark",
        '=' => "equals",
        '&' => "and",
        '#' => "hash",
        '~' => "tilde",
        '+' => "plus",
        '%' => "percent",
        _ => return None,
    })
}

fn is_domain(s: &str) -> bool {
    let labels: Vec<&str> = s.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
                && !l.starts_with('-')
        })
        && labels
            .last()
            .is_some_and(|tld| TLDS.contains(&tld.to_ascii_lowercase().as_str()))
        && labels.iter().any(|l| l.chars().any(char::is_alphabetic))
}

fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || ".+-_".contains(c))
        && is_domain(domain)
}

/// Spell a URL or address: words kept, separators named, digits read.
pub(crate) fn read_out(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.is_empty() {
            return;
        }
        // Split letters and digits: "web3" → "web three".
        let mut cur = String::new();
        let mut cur_digit = false;
        for c in word.chars() {
            let d = c.is_ascii_digit();
            if !cur.is_empty() && d != cur_digit {
                push_part(&cur, cur_digit, out);
                cur.clear();
            }
            cur_digit = d;
            cur.push(c);
        }
        push_part(&cur, cur_digit, out);
        word.clear();
    };
    for c in s.chars() {
        if let Some(w) = sep_word(c) {
            flush(&mut word, &mut out);
            push_word(&mut out, w);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

fn push_part(part: &str, digits: bool, out: &mut String) {
    if digits {
        let w = if part.len() <= 4 && !part.starts_with('0') {
            cardinal(part)
        } else {
            digits_each(part)
        };
        push_word(out, &w);
    } else {
        push_word(out, part);
    }
}

/// Read token `i` when it is a URL or an email address.
pub(crate) fn apply(cx: &Ctx<'_>, i: usize) -> Option<Hit> {
    if !cx.opts.urls {
        return None;
    }
    let core = cx.tok(i)?.core;
    if !core.contains(['.', '@', ':']) {
        return None;
    }
    let lower = core.to_ascii_lowercase();
    let body = if let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    {
        &core[core.len() - rest.len()..]
    } else if lower.starts_with("www.") || is_email(core) {
        core
    } else {
        let host = core.split('/').next().unwrap_or(core);
        if !is_domain(host) {
            return None;
        }
        core
    };
    let body = body.trim_end_matches('/');
    if body.is_empty() {
        return None;
    }
    Some(Hit::one(SpanKind::Url, read_out(body)))
}

#[cfg(test)]
mod tests {
    use super::super::{norm, norm_with};

    #[test]
    fn urls() {
        assert_eq!(
            norm("Visit https://example.com/docs."),
            "Visit example dot com slash docs."
        );
        assert_eq!(
            norm("Go to www.kitten.ai today"),
            "Go to www dot kitten dot ai today"
        );
        assert_eq!(
            norm("see github.com/org/repo-2"),
            "see github dot com slash org slash repo dash two"
        );
        assert_eq!(
            norm("Node.js and e.g. this"),
            "Node.js and for example this"
        );
    }

    #[test]
    fn emails() {
        assert_eq!(
            norm("Mail jane.doe@mail.org."),
            "Mail jane dot doe at mail dot org."
        );
        assert_eq!(norm("hello@example.com"), "hello at example dot com");
    }

    #[test]
    fn switched_off() {
        assert_eq!(norm_with("example.com", |o| o.urls = false), "example.com");
    }
}
