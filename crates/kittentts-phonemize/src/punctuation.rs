//! `phonemizer`'s punctuation handling (`Punctuation.preserve` / `restore` with the default
//! marks, `preserve_punctuation=True`, word separator `" "`, `strip=False`), ported rule by rule.
//!
//! Marks are hidden from espeak: the text is cut into pieces around them, each piece is
//! phonemised alone, and the marks are put back between the phonemised pieces.

use crate::pyunicode::is_space;

/// The default marks of `phonemizer` 3.4.0.
const MARKS: &str = ";:,.!?¡¿—…\"«»“”(){}[]";

/// Where a mark stands in its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Position {
    /// The whole line is this one mark.
    All,
    /// The first mark, and the line starts with it.
    Begin,
    /// The last mark, and the line ends with it.
    End,
    /// Anywhere else.
    Inside,
}

/// One run of whitespace and marks, with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mark {
    pub(crate) text: String,
    pub(crate) position: Position,
}

/// Whether `c`, between `prev` and `next`, is a punctuation mark: one of [`MARKS`], except
/// `,` and `.` between two ASCII digits (`3.5`, `1,000`).
fn is_mark_between(prev: Option<char>, c: char, next: Option<char>) -> bool {
    if !MARKS.contains(c) {
        return false;
    }
    let digit = |x: Option<char>| x.is_some_and(|x| x.is_ascii_digit());
    !((c == ',' || c == '.') && digit(prev) && digit(next))
}

/// Whether the character at `i` of `chars` is a punctuation mark.
fn is_mark(chars: &[char], i: usize) -> bool {
    let prev = i.checked_sub(1).map(|j| chars[j]);
    is_mark_between(prev, chars[i], chars.get(i + 1).copied())
}

/// [`is_mark`] over `(byte offset, char)` pairs, for callers that keep offsets.
pub(crate) fn is_mark_at(chars: &[(usize, char)], i: usize) -> bool {
    let prev = i.checked_sub(1).map(|j| chars[j].1);
    is_mark_between(prev, chars[i].1, chars.get(i + 1).map(|&(_, c)| c))
}

/// The marks of a line: every maximal run of (Python) whitespace and mark characters that
/// holds at least one mark, in order.
fn find_marks(line: &str) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !(is_space(chars[i]) || is_mark(&chars, i)) {
            i += 1;
            continue;
        }
        let start = i;
        let mut has_mark = false;
        while i < chars.len() && (is_space(chars[i]) || is_mark(&chars, i)) {
            has_mark |= is_mark(&chars, i);
            i += 1;
        }
        if has_mark {
            out.push(chars[start..i].iter().collect());
        }
    }
    out
}

/// `Punctuation.preserve` for one line: the non-empty pieces to phonemise and the marks.
///
/// The line is cut at the FIRST occurrence of each mark's string in what remains, like
/// `phonemizer` does; a mark `"."` therefore also cuts at the `.` of `3.5` when that comes
/// first (the source of the reference's multi-item results).
pub(crate) fn preserve(line: &str) -> (Vec<String>, Vec<Mark>) {
    let found = find_marks(line);
    if found.is_empty() {
        return (non_empty(vec![line.to_owned()]), Vec::new());
    }
    if found.len() == 1 && found[0] == line {
        return (
            Vec::new(),
            vec![Mark {
                text: line.to_owned(),
                position: Position::All,
            }],
        );
    }
    let last = found.len() - 1;
    let marks: Vec<Mark> = found
        .into_iter()
        .enumerate()
        .map(|(i, text)| {
            let position = if i == 0 && line.starts_with(text.as_str()) {
                Position::Begin
            } else if i == last && line.ends_with(text.as_str()) {
                Position::End
            } else {
                Position::Inside
            };
            Mark { text, position }
        })
        .collect();

    let mut pieces = Vec::with_capacity(marks.len() + 1);
    let mut rest = line;
    for mark in &marks {
        match rest.split_once(mark.text.as_str()) {
            Some((before, after)) => {
                pieces.push(before.to_owned());
                rest = after;
            }
            None => {
                pieces.push(rest.to_owned());
                rest = "";
            }
        }
    }
    pieces.push(rest.to_owned());
    (non_empty(pieces), marks)
}

fn non_empty(pieces: Vec<String>) -> Vec<String> {
    pieces.into_iter().filter(|p| !p.is_empty()).collect()
}

/// `Punctuation.restore`: puts the marks back between the phonemised pieces. Returns
/// `phonemizer`'s LIST of output strings (usually one; several when the cuts of [`preserve`]
/// and the marks disagree).
pub(crate) fn restore(pieces: Vec<String>, marks: Vec<Mark>) -> Vec<String> {
    let mut text: std::collections::VecDeque<String> = pieces.into();
    let mut marks: std::collections::VecDeque<Mark> = marks.into();
    let mut out = Vec::new();
    // `phonemizer` compares each mark's line number (always 0 here) with a counter that
    // grows once a line is emitted; after that no mark is placed any more.
    let mut placing = true;
    let word_end = |mark: &str| if mark.ends_with(' ') { "" } else { " " };

    while !text.is_empty() || !marks.is_empty() {
        if marks.is_empty() {
            for mut line in text.drain(..) {
                if !line.ends_with(' ') {
                    line.push(' ');
                }
                out.push(line);
            }
        } else if text.is_empty() {
            out.push(marks.drain(..).map(|m| m.text).collect());
        } else if placing {
            let Some(mark) = marks.pop_front() else { break };
            let single = text.len() == 1;
            let Some(current) = text.front_mut() else {
                break;
            };
            if current.ends_with(' ') {
                current.pop();
            }
            match mark.position {
                Position::Begin => current.insert_str(0, &mark.text),
                Position::End => {
                    let mut line = text.pop_front().unwrap_or_default();
                    line.push_str(&mark.text);
                    line.push_str(word_end(&mark.text));
                    out.push(line);
                    placing = false;
                }
                Position::All => {
                    out.push(format!("{}{}", mark.text, word_end(&mark.text)));
                    placing = false;
                }
                Position::Inside => {
                    if single {
                        current.push_str(&mark.text);
                    } else {
                        let mut first = text.pop_front().unwrap_or_default();
                        first.push_str(&mark.text);
                        if let Some(next) = text.front_mut() {
                            first.push_str(next);
                            *next = first;
                        }
                    }
                }
            }
        } else if let Some(line) = text.pop_front() {
            out.push(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn marks_are_whitespace_and_mark_runs() {
        assert_eq!(find_marks("Hello, world!"), owned(&[", ", "!"]));
        assert_eq!(find_marks("a  b"), Vec::<String>::new());
        assert_eq!(find_marks(" (a) "), owned(&[" (", ") "]));
        // decimal separators between ASCII digits are not marks; elsewhere they are
        assert_eq!(find_marks("3.5 and 1,000"), Vec::<String>::new());
        assert_eq!(find_marks("3. 5 ,5 x.5"), owned(&[". ", " ,", "."]));
        // U+001F is Python whitespace and belongs to the mark
        assert_eq!(find_marks("a\u{1f}.b"), owned(&["\u{1f}."]));
        // dashes and apostrophes are left to espeak
        assert_eq!(find_marks("it's a—b - c – d"), owned(&["—"]));
    }

    #[test]
    fn positions_and_pieces() {
        let (pieces, marks) = preserve("\"Hi,\" she said.");
        assert_eq!(pieces, owned(&["Hi", "she said"]));
        let got: Vec<(&str, Position)> = marks
            .iter()
            .map(|m| (m.text.as_str(), m.position))
            .collect();
        assert_eq!(
            got,
            vec![
                ("\"", Position::Begin),
                (",\" ", Position::Inside),
                (".", Position::End)
            ]
        );
        let (pieces, marks) = preserve("...");
        assert!(pieces.is_empty());
        assert_eq!(marks[0].position, Position::All);
    }

    #[test]
    fn first_occurrence_quirk() {
        // The final "." cuts at the "." of "3.5", leaving two pieces for one mark.
        let (pieces, marks) = preserve("It is 3.5 meters.");
        assert_eq!(pieces, owned(&["It is 3", "5 meters."]));
        assert_eq!(marks.len(), 1);
        let items = restore(owned(&["ɪɾ ɪz θɹˈiː ", "fˈaɪv mˈiːɾɚz "]), marks);
        assert_eq!(items, owned(&["ɪɾ ɪz θɹˈiː. ", "fˈaɪv mˈiːɾɚz "]));
    }

    #[test]
    fn restore_places_every_kind_of_mark() {
        let (_, marks) = preserve("\"Hi,\" she said.");
        let items = restore(owned(&["hˈaɪ ", "ʃiː sˈɛd "]), marks);
        assert_eq!(items, owned(&["\"hˈaɪ,\" ʃiː sˈɛd. "]));
        let (_, marks) = preserve("...");
        assert_eq!(restore(Vec::new(), marks), owned(&["..."]));
        // a mark that ends with a space gets no extra one
        let (pieces, marks) = preserve("Hi! ");
        assert_eq!(pieces, owned(&["Hi"]));
        assert_eq!(restore(owned(&["hˈaɪ "]), marks), owned(&["hˈaɪ! "]));
        // no marks at all
        assert_eq!(restore(owned(&["ə"]), Vec::new()), owned(&["ə "]));
    }
}
