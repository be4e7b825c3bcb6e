//! From positions in normalised text back to positions in the text that was normalised.

use std::ops::Range;

use crate::chunk::py_isspace;
use crate::normalize::{Normalized, SpanKind};

/// One piece of the normalised text and the source characters it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Piece {
    normalized: Range<usize>,
    original: Range<usize>,
    /// Copied text: position `k` of the piece is position `k` of the source piece. Otherwise
    /// (a rule's replacement, or a collapsed space) the piece maps as a whole.
    copied: bool,
}

/// Maps character positions of a normalised text to character positions of its source.
///
/// Made by [`Normalized::source_map`] (or [`SourceMap::identity`] when nothing was
/// normalised). A position inside a rule's replacement maps to the whole replaced source
/// ("five dollars" → "$5"); copied words map character by character; collapsed whitespace
/// maps to the whitespace it came from.
///
/// ```
/// use kittentts_text::Normalizer;
/// let source = "I paid  $5 today.";
/// let n = Normalizer::default().normalize_with_spans(source);
/// assert_eq!(n.text, "I paid five dollars today.");
/// let map = n.source_map(source);
/// // "five dollars" (characters 7..19) was "$5" (characters 8..10)
/// assert_eq!(map.source_range(7..19), 8..10);
/// assert_eq!(map.source_range(20..26), 11..17); // "today."
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceMap {
    pieces: Vec<Piece>,
    normalized_len: usize,
    original_len: usize,
}

impl SourceMap {
    /// The map of a text to itself (normalisation off): every position maps to itself.
    pub fn identity(chars: usize) -> Self {
        Self {
            pieces: vec![Piece {
                normalized: 0..chars,
                original: 0..chars,
                copied: true,
            }],
            normalized_len: chars,
            original_len: chars,
        }
    }

    /// The source character range that the normalised character range `normalized` was made
    /// from. Positions past the end map to the end.
    pub fn source_range(&self, normalized: Range<usize>) -> Range<usize> {
        let start = self.map(normalized.start, false);
        let end = self.map(normalized.end, true).max(start);
        start..end
    }

    /// Whether normalised position `p` lies strictly inside one rule's replacement (a cut there
    /// would split "twenty twenty-four" of one "2024").
    pub fn is_inside_replacement(&self, p: usize) -> bool {
        let idx = self
            .pieces
            .partition_point(|piece| piece.normalized.end <= p);
        self.pieces.get(idx).is_some_and(|piece| {
            !piece.copied && !piece.original.is_empty() && piece.normalized.start < p
        })
    }

    /// The source position of normalised position `p`; `end` says whether `p` ends a range
    /// (then a position at a piece's end maps to the end of that piece's source).
    fn map(&self, p: usize, end: bool) -> usize {
        if p >= self.normalized_len && !end {
            return self.original_len;
        }
        // The piece that holds p: for a start, start <= p < end; for an end, start < p <= end.
        let idx = self.pieces.partition_point(|piece| {
            if end {
                piece.normalized.end < p
            } else {
                piece.normalized.end <= p
            }
        });
        let Some(piece) = self.pieces.get(idx) else {
            return self.original_len;
        };
        if piece.copied {
            let k = p.saturating_sub(piece.normalized.start);
            (piece.original.start + k).min(piece.original.end)
        } else if end && p > piece.normalized.start {
            piece.original.end
        } else {
            piece.original.start
        }
    }
}

impl Normalized {
    /// The [`SourceMap`] from this text back to `source`, the text that was normalised.
    pub fn source_map(&self, source: &str) -> SourceMap {
        let original: Vec<char> = source.chars().collect();
        let normalized: Vec<char> = self.text.chars().collect();
        // Removed tags and decoded entities: their normalised position is only approximate,
        // so the alignment skips their source instead of using them as pieces.
        let skips: Vec<Range<usize>> = self
            .spans
            .iter()
            .filter(|s| s.kind == SpanKind::Html)
            .map(|s| s.original.clone())
            .collect();
        let gap = Gap {
            original: &original,
            normalized: &normalized,
            skips: &skips,
        };
        let mut pieces = Vec::new();
        let (mut i, mut j) = (0usize, 0usize);
        for span in self.spans.iter().filter(|s| s.kind != SpanKind::Html) {
            if span.original.start < i || span.normalized.start < j {
                continue; // overlapping or out of order: the earlier span wins
            }
            gap.align(
                (i, span.original.start),
                (j, span.normalized.start),
                &mut pieces,
            );
            if !span.normalized.is_empty() || !span.original.is_empty() {
                pieces.push(Piece {
                    normalized: span.normalized.clone(),
                    original: span.original.clone(),
                    copied: false,
                });
            }
            i = span.original.end;
            j = span.normalized.end;
        }
        gap.align((i, original.len()), (j, normalized.len()), &mut pieces);
        pieces.retain(|p| !p.normalized.is_empty());
        SourceMap {
            pieces,
            normalized_len: normalized.len(),
            original_len: original.len(),
        }
    }
}

/// Text the normaliser copied, to align.
struct Gap<'a> {
    original: &'a [char],
    normalized: &'a [char],
    /// Source ranges the normaliser removed (HTML tags), sorted.
    skips: &'a [Range<usize>],
}

impl Gap<'_> {
    /// The next source position at or after `i` that is not inside a removed range.
    fn skip(&self, mut i: usize) -> usize {
        let k = self.skips.partition_point(|r| r.end <= i);
        for r in &self.skips[k..] {
            if r.start > i {
                break;
            }
            i = i.max(r.end);
        }
        i
    }

    /// Aligns `normalized[j0..j1]` with `original[i0..i1]`: words are copied character by
    /// character, except for characters the normaliser removed or composed, and each run of
    /// whitespace became one space.
    fn align(&self, (i0, i1): (usize, usize), (j0, j1): (usize, usize), out: &mut Vec<Piece>) {
        let (original, normalized) = (self.original, self.normalized);
        let i1 = i1.min(original.len());
        let j1 = j1.min(normalized.len());
        let mut i = i0.min(i1);
        let mut j = j0;
        while j < j1 {
            let word_start = j;
            if py_isspace(normalized[j]) {
                let from = i;
                loop {
                    i = self.skip(i).min(i1);
                    if i >= i1 || matches_next(original[i], normalized.get(j + 1)) {
                        break;
                    }
                    i += 1;
                }
                j += 1;
                out.push(Piece {
                    normalized: word_start..j,
                    original: from..i,
                    copied: false,
                });
                continue;
            }
            // Source whitespace or removed characters before the word.
            loop {
                i = self.skip(i).min(i1);
                if i >= i1 || original[i] == normalized[j] || !py_isspace(original[i]) {
                    break;
                }
                i += 1;
            }
            let from = i;
            while j < j1 && !py_isspace(normalized[j]) {
                let c = normalized[j];
                i = self.skip(i).min(i1);
                let window = (i + 8).min(i1);
                if let Some(k) = (i..window).find(|&k| original[k] == c) {
                    i = k + 1;
                } else if i < i1 {
                    i += 1;
                }
                j += 1;
            }
            out.push(Piece {
                normalized: word_start..j,
                original: from..i,
                copied: true,
            });
        }
    }
}

/// Whether source character `c` can start the normalised word that begins with `next`.
fn matches_next(c: char, next: Option<&char>) -> bool {
    !py_isspace(c) && next.is_none_or(|&n| n == c || !c.is_control())
}

#[cfg(test)]
mod tests {
    use crate::Normalizer;

    fn mapped(source: &str) -> Vec<(String, String)> {
        let n = Normalizer::default().normalize_with_spans(source);
        let map = n.source_map(source);
        let norm: Vec<char> = n.text.chars().collect();
        let orig: Vec<char> = source.chars().collect();
        // Map every space-separated normalised word.
        let mut out = Vec::new();
        let mut start = 0;
        for (k, &c) in norm.iter().chain(std::iter::once(&' ')).enumerate() {
            if c == ' ' {
                if k > start {
                    let r = map.source_range(start..k);
                    out.push((
                        norm[start..k].iter().collect(),
                        orig[r].iter().collect::<String>(),
                    ));
                }
                start = k + 1;
            }
        }
        out
    }

    #[test]
    fn copied_words_map_to_themselves() {
        let m = mapped("Hello   there,\n\tfriend.");
        assert_eq!(
            m,
            [
                ("Hello".into(), "Hello".into()),
                ("there,".into(), "there,".into()),
                ("friend.".into(), "friend.".into())
            ]
        );
    }

    #[test]
    fn replacements_map_to_what_they_replaced() {
        let m = mapped("It costs $5.99 on Jan 5, 2024.");
        let money: Vec<&str> = m
            .iter()
            .filter(|(n, _)| {
                ["five", "dollars", "and", "ninety-nine", "cents"].contains(&n.as_str())
            })
            .map(|(_, o)| o.as_str())
            .collect();
        assert_eq!(money, ["$5.99"; 5]);
        assert_eq!(m.last().map(|(_, o)| o.as_str()), Some("Jan 5, 2024."));
        assert_eq!(m[0], ("It".into(), "It".into()));
    }

    #[test]
    fn html_and_controls_are_skipped() {
        let m = mapped("a <b>bold</b>\u{0}word");
        assert_eq!(m[0], ("a".into(), "a".into()));
        assert_eq!(m[1], ("bold".into(), "bold".into()));
        assert_eq!(m[2], ("word".into(), "word".into()));
    }

    #[test]
    fn positions_inside_a_replacement_are_known() {
        let source = "On March 3rd, 2024, we met.";
        let n = Normalizer::default().normalize_with_spans(source);
        let map = n.source_map(source);
        let at = |s: &str| n.text.find(s).map(|b| n.text[..b].chars().count()).unwrap();
        assert!(map.is_inside_replacement(at("twenty")));
        assert!(!map.is_inside_replacement(at("March")));
        assert!(!map.is_inside_replacement(at(" we met") + 1));
        assert!(!super::SourceMap::identity(5).is_inside_replacement(2));
    }

    #[test]
    fn identity_maps_positions_to_themselves() {
        let map = super::SourceMap::identity(10);
        assert_eq!(map.source_range(2..5), 2..5);
        assert_eq!(map.source_range(8..20), 8..10);
    }
}
