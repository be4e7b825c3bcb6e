//! Whitespace tokens with their leading and trailing punctuation split off, and the context
//! a rule sees.

use super::{NormalizeOptions, SpanKind};

/// One whitespace-separated token of the cleaned text.
#[derive(Debug, Clone)]
pub(crate) struct Tok<'a> {
    /// The whole token.
    pub(crate) text: &'a str,
    /// Opening punctuation (`(`, quotes, `¿`).
    pub(crate) lead: &'a str,
    /// The token without its opening and closing punctuation (may be empty).
    pub(crate) core: &'a str,
    /// Closing punctuation (`.`, `,`, `)`, quotes, `…`).
    pub(crate) trail: &'a str,
    /// Char index of the token's first character in the cleaned text.
    pub(crate) start: usize,
    /// Char index just past the token.
    pub(crate) end: usize,
}

impl Tok<'_> {
    /// Char index where the core ends.
    pub(crate) fn core_end(&self) -> usize {
        self.end - self.trail.chars().count()
    }
}

fn is_lead(c: char) -> bool {
    matches!(
        c,
        '(' | '[' | '{' | '"' | '“' | '‘' | '«' | '¿' | '¡' | '*' | '_' | '\''
    )
}

fn is_trail(c: char) -> bool {
    matches!(
        c,
        ')' | ']'
            | '}'
            | '"'
            | '”'
            | '’'
            | '»'
            | '.'
            | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | '…'
            | '*'
            | '_'
            | '\''
    )
}

/// Split `text` into whitespace tokens (Python's whitespace, as the chunker uses).
pub(crate) fn tokenize(text: &str) -> Vec<Tok<'_>> {
    let mut toks = Vec::new();
    let mut char_idx = 0usize;
    let mut start: Option<(usize, usize)> = None; // (byte, char)
    for (b, c) in text.char_indices() {
        if crate::chunk::py_isspace(c) {
            if let Some((sb, sc)) = start.take() {
                push_split(&mut toks, &text[sb..b], sc, char_idx);
            }
        } else if start.is_none() {
            start = Some((b, char_idx));
        }
        char_idx += 1;
    }
    if let Some((sb, sc)) = start {
        push_split(&mut toks, &text[sb..], sc, char_idx);
    }
    toks
}

/// Push a word, splitting a leading approximation or comparison sign off a number ("~5" →
/// "~", "5") so that the number's own rules see it.
fn push_split<'a>(toks: &mut Vec<Tok<'a>>, word: &'a str, start: usize, end: usize) {
    let mut chars = word.chars();
    if let Some(c) = chars.next()
        && matches!(c, '~' | '≈' | '±' | '<' | '>' | '≤' | '≥')
        && chars
            .next()
            .is_some_and(|d| d.is_ascii_digit() || d == '$' || d == '.')
    {
        toks.push(make(&word[..c.len_utf8()], start, start + 1));
        toks.push(make(&word[c.len_utf8()..], start + 1, end));
        return;
    }
    toks.push(make(word, start, end));
}

fn make(word: &str, start: usize, end: usize) -> Tok<'_> {
    let lead_len = word
        .char_indices()
        .find(|&(_, c)| !is_lead(c))
        .map_or(word.len(), |(i, _)| i);
    let (lead, rest) = word.split_at(lead_len);
    let trail_start = rest
        .char_indices()
        .rev()
        .find(|&(_, c)| !is_trail(c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let (core, trail) = rest.split_at(trail_start);
    // A token of punctuation only ("—", "*", "...") is all core, so rules can read it.
    let (lead, core, trail) = if core.is_empty() {
        ("", word, "")
    } else {
        (lead, core, trail)
    };
    Tok {
        text: word,
        lead,
        core,
        trail,
        start,
        end,
    }
}

/// What a rule sees: all tokens, the options, and where it is.
pub(crate) struct Ctx<'a> {
    pub(crate) toks: &'a [Tok<'a>],
    pub(crate) opts: &'a NormalizeOptions,
}

impl<'a> Ctx<'a> {
    /// Token `i`, if any.
    pub(crate) fn tok(&self, i: usize) -> Option<&Tok<'a>> {
        self.toks.get(i)
    }
    /// The core of the previous token, lowercased, if any (and only if the previous token has
    /// no closing punctuation, i.e. it is in the same phrase).
    pub(crate) fn prev_word(&self, i: usize) -> Option<String> {
        let p = self.toks.get(i.checked_sub(1)?)?;
        if !p.trail.is_empty() {
            return None;
        }
        Some(p.core.to_lowercase())
    }
    /// The core of the next token, if token `i` has no closing punctuation.
    pub(crate) fn next_core(&self, i: usize) -> Option<&'a str> {
        let t = self.toks.get(i)?;
        if !t.trail.is_empty() {
            return None;
        }
        Some(self.toks.get(i + 1)?.core)
    }
}

/// A rule's replacement for tokens `i .. i + n`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hit {
    /// Tokens consumed (at least 1).
    pub(crate) n: usize,
    /// The spoken form of the consumed cores (and whatever lies between them).
    pub(crate) text: String,
    /// Characters taken from the end of the first token's `lead` (e.g. the `'` of `'90s`).
    pub(crate) eat_lead: usize,
    /// Characters taken from the start of the last token's `trail` (e.g. the `.` of `Dr.`).
    pub(crate) eat_trail: usize,
    /// What kind of replacement this is.
    pub(crate) kind: SpanKind,
}

impl Hit {
    /// A one-token hit that keeps all punctuation.
    pub(crate) fn one(kind: SpanKind, text: String) -> Self {
        Self::many(kind, 1, text)
    }
    /// A hit over `n` tokens.
    pub(crate) fn many(kind: SpanKind, n: usize, text: String) -> Self {
        Self {
            n,
            text,
            eat_lead: 0,
            eat_trail: 0,
            kind,
        }
    }
    /// The same hit, also taking `n` characters of the last token's closing punctuation.
    pub(crate) fn eating_trail(mut self, n: usize) -> Self {
        self.eat_trail = n;
        self
    }
    /// The same hit, also taking `n` characters of the first token's opening punctuation.
    pub(crate) fn eating_lead(mut self, n: usize) -> Self {
        self.eat_lead = n;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_punctuation() {
        let t = tokenize("(Hello, \"$5.\" 'x' --");
        let parts: Vec<_> = t.iter().map(|t| (t.lead, t.core, t.trail)).collect();
        assert_eq!(
            parts,
            [
                ("(", "Hello", ","),
                ("\"", "$5", ".\""),
                ("'", "x", "'"),
                ("", "--", "")
            ]
        );
        assert_eq!((t[1].start, t[1].end, t[1].core_end()), (8, 13, 11));
    }

    #[test]
    fn splits_approximation_signs() {
        let t = tokenize("~5 <$3");
        let parts: Vec<_> = t.iter().map(|t| (t.core, t.start, t.end)).collect();
        assert_eq!(parts, [("~", 0, 1), ("5", 1, 2), ("<", 3, 4), ("$3", 4, 6)]);
    }
}
