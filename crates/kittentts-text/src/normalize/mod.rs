//! The normaliser: written English → the spoken form espeak-ng reads well.

mod num;
mod prepass;
mod rules;
mod token;

use std::ops::Range;

use token::{Ctx, tokenize};

/// Which rules run. `Default` turns every rule on ([`roman_numerals`](Self::roman_numerals)
/// only where the context makes a numeral a number; the reference leaves them all to
/// libespeak-ng).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NormalizeOptions {
    /// Unicode NFC composition (default on).
    pub unicode_nfc: bool,
    /// Remove HTML tags and decode entities such as `&amp;` (default on).
    pub html: bool,
    /// Read URLs and email addresses ("example dot com") (default on).
    pub urls: bool,
    /// Cardinals and decimals ("-1,234.5" → "negative one thousand two hundred thirty-four
    /// point five") and digits inside words ("A100" → "A one hundred") (default on).
    pub numbers: bool,
    /// Money ("$1.01" → "one dollar and one cent", "$120K") (default on).
    pub currency: bool,
    /// Percentages ("50%" → "fifty percent") (default on).
    pub percentages: bool,
    /// Ordinals ("22nd" → "twenty-second") (default on).
    pub ordinals: bool,
    /// Fractions ("3/4" → "three quarters", "1 1/2" → "one and a half") (default on).
    pub fractions: bool,
    /// Clock times ("6:07 a.m." → "six oh seven AM") (default on).
    pub times: bool,
    /// Dates ("Jan 5, 2024" → "January fifth, twenty twenty-four") (default on).
    pub dates: bool,
    /// Read four-digit numbers as years where the context says so ("in 1937") (default on).
    pub years: bool,
    /// Decades ("1990s", "'90s") (default on).
    pub decades: bool,
    /// Ranges ("10-20" → "ten to twenty") (default on).
    pub ranges: bool,
    /// Phone numbers, read digit by digit in groups (default on).
    pub phone_numbers: bool,
    /// IPv4 addresses, digit by digit with "dot" (default on).
    pub ip_addresses: bool,
    /// Versions and model names ("v1.2.3", "Python 3.12", "GPT-4o") (default on).
    pub versions: bool,
    /// Units after numbers ("5 km", "41°C", "3.6GHz") (default on).
    pub units: bool,
    /// Scientific notation ("3.2e-5") (default on).
    pub scientific: bool,
    /// Scale suffixes ("7B" → "seven billion") (default on).
    pub scale_suffixes: bool,
    /// Abbreviations ("Dr." → "Doctor", "e.g." → "for example") (default on).
    pub abbreviations: bool,
    /// Roman numerals after names and title words ("Louis XIV", "Chapter IV") (default on;
    /// never the pronoun "I", initials, lone `C`/`D`/`L`/`M` or words in capitals).
    pub roman_numerals: bool,
    /// Symbols ("&" → "and", "#1" → "number one", "+" → "plus") (default on).
    pub symbols: bool,
}

impl Default for NormalizeOptions {
    fn default() -> Self {
        Self {
            unicode_nfc: true,
            html: true,
            urls: true,
            numbers: true,
            currency: true,
            percentages: true,
            ordinals: true,
            fractions: true,
            times: true,
            dates: true,
            years: true,
            decades: true,
            ranges: true,
            phone_numbers: true,
            ip_addresses: true,
            versions: true,
            units: true,
            scientific: true,
            scale_suffixes: true,
            abbreviations: true,
            roman_numerals: true,
            symbols: true,
        }
    }
}

impl NormalizeOptions {
    /// All rules off: only whitespace is collapsed and unspeakable characters removed.
    pub fn none() -> Self {
        Self {
            unicode_nfc: false,
            html: false,
            urls: false,
            numbers: false,
            currency: false,
            percentages: false,
            ordinals: false,
            fractions: false,
            times: false,
            dates: false,
            years: false,
            decades: false,
            ranges: false,
            phone_numbers: false,
            ip_addresses: false,
            versions: false,
            units: false,
            scientific: false,
            scale_suffixes: false,
            abbreviations: false,
            roman_numerals: false,
            symbols: false,
        }
    }
}

/// What a span's replacement was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SpanKind {
    /// An HTML tag removed or an entity decoded.
    Html,
    /// A URL or email address read out.
    Url,
    /// A cardinal or decimal number, or digits inside a word.
    Number,
    /// A money amount.
    Currency,
    /// A percentage.
    Percent,
    /// An ordinal.
    Ordinal,
    /// A fraction.
    Fraction,
    /// A clock time.
    Time,
    /// A date.
    Date,
    /// A year.
    Year,
    /// A decade.
    Decade,
    /// A range.
    Range,
    /// A phone number.
    Phone,
    /// An IP address.
    IpAddress,
    /// A version or model name.
    Version,
    /// A number with a unit.
    Unit,
    /// Scientific notation.
    Scientific,
    /// A number with a scale suffix.
    Scale,
    /// An abbreviation.
    Abbreviation,
    /// A roman numeral.
    Roman,
    /// A symbol read as a word.
    Symbol,
}

/// One replacement: `original` (char range in the input) became `normalized` (char range in
/// the output). Ranges count Unicode scalar values (Python string indices), not bytes.
///
/// A replacement covers the token's text without its surrounding punctuation (the `$5` of
/// `($5)`), or several tokens when a rule reads them together (`Jan 5, 2024`). For a removed
/// HTML tag or a decoded entity ([`SpanKind::Html`]) the `normalized` range is empty and sits at
/// the start of the output token that followed it. Whitespace collapsing and removed control
/// characters have no span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// Character range in the text passed to [`Normalizer::normalize_with_spans`].
    pub original: Range<usize>,
    /// Character range in [`Normalized::text`].
    pub normalized: Range<usize>,
    /// Which rule made the replacement.
    pub kind: SpanKind,
}

/// Normalised text with the spans of every replacement, sorted by original position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    /// The spoken-form text.
    pub text: String,
    /// One span per replacement.
    pub spans: Vec<Span>,
}

/// Written English → spoken-form English, in one linear pass. Cheap to clone and share
/// (`Send + Sync`).
#[derive(Debug, Clone, Default)]
pub struct Normalizer {
    options: NormalizeOptions,
}

impl Normalizer {
    /// A normaliser with these options.
    pub fn new(options: NormalizeOptions) -> Self {
        Self { options }
    }

    /// The options in use.
    pub fn options(&self) -> &NormalizeOptions {
        &self.options
    }

    /// Normalise `text` (see the crate docs for the rules and their order).
    ///
    /// ```
    /// let n = kittentts_text::Normalizer::default();
    /// assert_eq!(n.normalize("It costs $5."), "It costs five dollars.");
    /// ```
    pub fn normalize(&self, text: &str) -> String {
        self.normalize_with_spans(text).text
    }

    /// Normalise `text` and report where each replacement came from.
    ///
    /// ```
    /// let n = kittentts_text::Normalizer::default();
    /// let out = n.normalize_with_spans("I have 42 cats.");
    /// assert_eq!(out.text, "I have forty-two cats.");
    /// assert_eq!(out.spans[0].original, 7..9);
    /// assert_eq!(out.spans[0].normalized, 7..16);
    /// ```
    pub fn normalize_with_spans(&self, text: &str) -> Normalized {
        let mut spans = Vec::new();
        let clean = prepass::run(text, &self.options, &mut spans);
        // Prepass spans point into the cleaned text; they are remapped below.
        let mut pre_spans = std::mem::take(&mut spans);
        let toks = tokenize(&clean.text);
        let cx = Ctx {
            toks: &toks,
            opts: &self.options,
        };
        let mut out = String::with_capacity(clean.text.len() + clean.text.len() / 4);
        let mut out_chars = 0usize;
        // Map from cleaned-text char index to output char index, for the prepass spans.
        let mut clean_to_out: Vec<(usize, usize)> = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            if i > 0 {
                out.push(' ');
                out_chars += 1;
            }
            let t = &toks[i];
            clean_to_out.push((t.start, out_chars));
            let hit = rules::apply(&cx, i);
            let Some(hit) = hit.filter(|h| h.n >= 1 && i + h.n <= toks.len() && !h.text.is_empty())
            else {
                out.push_str(t.text);
                out_chars += t.end - t.start;
                i += 1;
                continue;
            };
            let last = &toks[i + hit.n - 1];
            let lead: Vec<char> = t.lead.chars().collect();
            let keep_lead = lead.len().saturating_sub(hit.eat_lead);
            for &c in &lead[..keep_lead] {
                out.push(c);
            }
            out_chars += keep_lead;
            let orig_start = t.start + keep_lead;
            let trail: Vec<char> = last.trail.chars().collect();
            let eat_trail = hit.eat_trail.min(trail.len());
            let orig_end = last.core_end() + eat_trail;
            let norm_start = out_chars;
            out.push_str(&hit.text);
            out_chars += hit.text.chars().count();
            if orig_end > orig_start {
                spans.push(Span {
                    original: clean.original(orig_start, orig_end),
                    normalized: norm_start..out_chars,
                    kind: hit.kind,
                });
            }
            for &c in &trail[eat_trail..] {
                out.push(c);
            }
            out_chars += trail.len() - eat_trail;
            i += hit.n;
        }
        // Prepass spans: map the cleaned position to the output (approximately, to the start of
        // the token that holds it; a removed tag between tokens maps to the space there).
        for s in &mut pre_spans {
            let pos = s.normalized.start;
            let idx = clean_to_out.partition_point(|&(c, _)| c <= pos);
            let at = if idx == 0 { 0 } else { clean_to_out[idx - 1].1 };
            s.normalized = at..at;
        }
        spans.extend(pre_spans);
        spans.sort_by_key(|s| (s.original.start, s.original.end));
        Normalized { text: out, spans }
    }
}
