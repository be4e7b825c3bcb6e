//! A strict reader for the one `.npy` layout a voice table may have: a 2-D little-endian
//! float32 array (`'<f4'`), C or Fortran order.
//!
//! Format: <https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html>. The
//! header is a Python dict literal such as
//! `{'descr': '<f4', 'fortran_order': False, 'shape': (400, 256), }`; only the subset of
//! Python literal syntax that numpy writes is parsed.

const MAGIC: &[u8] = b"\x93NUMPY";

/// Why bytes are not an acceptable voice table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum NpyError {
    /// Not a `.npy` file, or a malformed one.
    Malformed(String),
    /// A valid `.npy` whose dtype is not `'<f4'`; holds the descriptor as written.
    Dtype(String),
    /// A valid `.npy` whose shape is not `(rows >= 1, columns)`.
    Shape(Vec<usize>),
}

/// A decoded table: `rows * columns` values in row-major order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Table {
    pub(crate) rows: usize,
    pub(crate) data: Vec<f32>,
}

/// Decodes a `.npy` file holding a `(rows, columns)` `'<f4'` array, `rows >= 1`.
pub(crate) fn decode_f32_table(bytes: &[u8], columns: usize) -> Result<Table, NpyError> {
    let (header, data) = split_header(bytes)?;
    let dict = parse_header(header)?;
    let descr = dict
        .get("descr")
        .ok_or_else(|| malformed("header has no 'descr'"))?;
    match descr {
        Lit::Str(s) if s == "<f4" => {}
        other => return Err(NpyError::Dtype(other.to_string())),
    }
    let fortran_order = match dict.get("fortran_order") {
        Some(Lit::Bool(b)) => *b,
        Some(other) => return Err(malformed(format!("'fortran_order' is {other}"))),
        None => return Err(malformed("header has no 'fortran_order'")),
    };
    let shape = match dict.get("shape") {
        Some(Lit::Seq(items)) => items
            .iter()
            .map(|item| match item {
                Lit::Int(n) => usize::try_from(*n).map_err(|_| malformed("shape too large")),
                other => Err(malformed(format!("shape holds {other}"))),
            })
            .collect::<Result<Vec<usize>, NpyError>>()?,
        Some(other) => return Err(malformed(format!("'shape' is {other}"))),
        None => return Err(malformed("header has no 'shape'")),
    };
    let [rows, cols] = shape[..] else {
        return Err(NpyError::Shape(shape));
    };
    if rows == 0 || cols != columns {
        return Err(NpyError::Shape(shape));
    }
    let expected = rows
        .checked_mul(cols)
        .and_then(|n| n.checked_mul(4))
        .ok_or_else(|| malformed("shape too large"))?;
    if data.len() != expected {
        return Err(malformed(format!(
            "shape ({rows}, {cols}) needs {expected} data bytes, the entry has {}",
            data.len()
        )));
    }
    let values: Vec<f32> = data
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let data = if fortran_order {
        // Column-major on disk: value (r, c) is at c * rows + r.
        let mut row_major = Vec::with_capacity(values.len());
        for r in 0..rows {
            row_major.extend((0..cols).map(|c| values[c * rows + r]));
        }
        row_major
    } else {
        values
    };
    Ok(Table { rows, data })
}

fn malformed(reason: impl Into<String>) -> NpyError {
    NpyError::Malformed(reason.into())
}

/// Splits a `.npy` file into its header text and its data bytes.
fn split_header(bytes: &[u8]) -> Result<(&str, &[u8]), NpyError> {
    if !bytes.starts_with(MAGIC) {
        return Err(malformed("no \\x93NUMPY magic"));
    }
    let version = bytes
        .get(6..8)
        .ok_or_else(|| malformed("truncated before the version"))?;
    let (len_size, utf8) = match version[0] {
        1 => (2, false),
        2 => (4, false),
        3 => (4, true),
        major => return Err(malformed(format!("unsupported format version {major}"))),
    };
    let start = 8 + len_size;
    let len_bytes = bytes
        .get(8..start)
        .ok_or_else(|| malformed("truncated before the header length"))?;
    let header_len = len_bytes
        .iter()
        .rev()
        .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
    let end = start
        .checked_add(header_len)
        .ok_or_else(|| malformed("header length overflows"))?;
    let header = bytes
        .get(start..end)
        .ok_or_else(|| malformed(format!("header of {header_len} bytes is truncated")))?;
    let text = if utf8 {
        std::str::from_utf8(header).map_err(|_| malformed("header is not UTF-8"))?
    } else if header.is_ascii() {
        // Latin-1 in versions 1 and 2; numpy only ever writes ASCII there.
        std::str::from_utf8(header).map_err(|_| malformed("header is not ASCII"))?
    } else {
        return Err(malformed("header is not ASCII"));
    };
    Ok((text, &bytes[end..]))
}

/// The subset of Python literals that appears in `.npy` headers.
#[derive(Debug, Clone, PartialEq)]
enum Lit {
    Str(String),
    Bool(bool),
    None,
    Int(u64),
    Seq(Vec<Lit>),
    Dict(Vec<(Lit, Lit)>),
}

impl std::fmt::Display for Lit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Lit::Str(s) => write!(f, "'{s}'"),
            Lit::Bool(true) => f.write_str("True"),
            Lit::Bool(false) => f.write_str("False"),
            Lit::None => f.write_str("None"),
            Lit::Int(n) => write!(f, "{n}"),
            Lit::Seq(items) => {
                f.write_str("(")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str(")")
            }
            Lit::Dict(items) => {
                f.write_str("{")?;
                for (i, (k, v)) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                f.write_str("}")
            }
        }
    }
}

/// The header dict, keyed by its string keys.
struct HeaderDict(Vec<(String, Lit)>);

impl HeaderDict {
    fn get(&self, key: &str) -> Option<&Lit> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

fn parse_header(text: &str) -> Result<HeaderDict, NpyError> {
    let mut parser = Parser {
        chars: text.char_indices().peekable(),
        depth: 0,
    };
    let value = parser.value()?;
    parser.skip_ws();
    if let Some((_, c)) = parser.chars.next() {
        return Err(malformed(format!("unexpected {c:?} after the header dict")));
    }
    let Lit::Dict(items) = value else {
        return Err(malformed("header is not a dict"));
    };
    let mut dict = Vec::with_capacity(items.len());
    for (k, v) in items {
        let Lit::Str(k) = k else {
            return Err(malformed("header dict has a non-string key"));
        };
        dict.push((k, v));
    }
    Ok(HeaderDict(dict))
}

/// Nesting deeper than this is not a numpy header (and would risk the stack).
const MAX_DEPTH: usize = 16;

struct Parser<'a> {
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    depth: usize,
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while self.chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
    }

    fn peek(&mut self) -> Option<char> {
        self.skip_ws();
        self.chars.peek().map(|&(_, c)| c)
    }

    fn value(&mut self) -> Result<Lit, NpyError> {
        match self.peek() {
            None => Err(malformed("header ends early")),
            Some('\'' | '"') => self.string(),
            Some('(') => self.seq(')').map(Lit::Seq),
            Some('[') => self.seq(']').map(Lit::Seq),
            Some('{') => self.dict(),
            Some(c) if c.is_ascii_digit() => self.int(),
            Some(c) if c.is_ascii_alphabetic() => self.word(),
            Some(c) => Err(malformed(format!("unexpected {c:?} in header"))),
        }
    }

    fn enter(&mut self) -> Result<(), NpyError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(malformed("header nests too deeply"));
        }
        Ok(())
    }

    fn string(&mut self) -> Result<Lit, NpyError> {
        let Some((_, quote)) = self.chars.next() else {
            return Err(malformed("header ends early"));
        };
        let mut s = String::new();
        loop {
            match self.chars.next() {
                None => return Err(malformed("unterminated string in header")),
                Some((_, c)) if c == quote => return Ok(Lit::Str(s)),
                Some((_, '\\')) => match self.chars.next() {
                    Some((_, c)) => s.push(c),
                    None => return Err(malformed("unterminated string in header")),
                },
                Some((_, c)) => s.push(c),
            }
        }
    }

    fn int(&mut self) -> Result<Lit, NpyError> {
        let mut n: u64 = 0;
        while let Some((_, c)) = self.chars.next_if(|(_, c)| c.is_ascii_digit()) {
            n = n
                .checked_mul(10)
                .and_then(|n| n.checked_add(u64::from(c) - u64::from('0')))
                .ok_or_else(|| malformed("integer too large in header"))?;
        }
        // Python 2 era headers may write `400L`.
        self.chars.next_if(|&(_, c)| c == 'L');
        Ok(Lit::Int(n))
    }

    fn word(&mut self) -> Result<Lit, NpyError> {
        let mut w = String::new();
        while let Some((_, c)) = self.chars.next_if(|(_, c)| c.is_ascii_alphanumeric()) {
            w.push(c);
        }
        match w.as_str() {
            "True" => Ok(Lit::Bool(true)),
            "False" => Ok(Lit::Bool(false)),
            "None" => Ok(Lit::None),
            _ => Err(malformed(format!("unexpected word {w:?} in header"))),
        }
    }

    fn seq(&mut self, close: char) -> Result<Vec<Lit>, NpyError> {
        self.enter()?;
        self.chars.next();
        let mut items = Vec::new();
        loop {
            if self.peek() == Some(close) {
                self.chars.next();
                break;
            }
            items.push(self.value()?);
            match self.peek() {
                Some(',') => {
                    self.chars.next();
                }
                Some(c) if c == close => {}
                _ => return Err(malformed(format!("expected ',' or {close:?} in header"))),
            }
        }
        self.depth -= 1;
        Ok(items)
    }

    fn dict(&mut self) -> Result<Lit, NpyError> {
        self.enter()?;
        self.chars.next();
        let mut items = Vec::new();
        loop {
            if self.peek() == Some('}') {
                self.chars.next();
                break;
            }
            let key = self.value()?;
            if self.peek() != Some(':') {
                return Err(malformed("expected ':' in header dict"));
            }
            self.chars.next();
            let value = self.value()?;
            items.push((key, value));
            match self.peek() {
                Some(',') => {
                    self.chars.next();
                }
                Some('}') => {}
                _ => return Err(malformed("expected ',' or '}' in header dict")),
            }
        }
        self.depth -= 1;
        Ok(Lit::Dict(items))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A version 1.0 `.npy` file with `header` (padded as numpy pads it) and `data`.
    pub(crate) fn npy(header: &str, data: &[u8]) -> Vec<u8> {
        let mut h = header.as_bytes().to_vec();
        while !(10 + h.len() + 1).is_multiple_of(64) {
            h.push(b' ');
        }
        h.push(b'\n');
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&[1, 0]);
        out.extend_from_slice(&u16::try_from(h.len()).unwrap().to_le_bytes());
        out.extend_from_slice(&h);
        out.extend_from_slice(data);
        out
    }

    fn f32_bytes(values: impl IntoIterator<Item = f32>) -> Vec<u8> {
        values.into_iter().flat_map(f32::to_le_bytes).collect()
    }

    fn header(descr: &str, fortran: bool, shape: &str) -> String {
        let f = if fortran { "True" } else { "False" };
        format!("{{'descr': '{descr}', 'fortran_order': {f}, 'shape': {shape}, }}")
    }

    #[test]
    fn decodes_c_order() {
        let bytes = npy(
            &header("<f4", false, "(2, 3)"),
            &f32_bytes([0., 1., 2., 3., 4., 5.]),
        );
        let t = decode_f32_table(&bytes, 3).unwrap();
        assert_eq!(t.rows, 2);
        assert_eq!(t.data, [0., 1., 2., 3., 4., 5.]);
    }

    #[test]
    fn transposes_fortran_order() {
        // Column-major (2, 3): columns [0, 3], [1, 4], [2, 5].
        let bytes = npy(
            &header("<f4", true, "(2, 3)"),
            &f32_bytes([0., 3., 1., 4., 2., 5.]),
        );
        let t = decode_f32_table(&bytes, 3).unwrap();
        assert_eq!(t.data, [0., 1., 2., 3., 4., 5.]);
    }

    #[test]
    fn reads_version_2_and_3_headers() {
        for major in [2u8, 3] {
            let h = header("<f4", false, "(1, 2)");
            let mut bytes = MAGIC.to_vec();
            bytes.extend_from_slice(&[major, 0]);
            bytes.extend_from_slice(&u32::try_from(h.len()).unwrap().to_le_bytes());
            bytes.extend_from_slice(h.as_bytes());
            bytes.extend_from_slice(&f32_bytes([7.0, -1.5]));
            assert_eq!(decode_f32_table(&bytes, 2).unwrap().data, [7.0, -1.5]);
        }
    }

    #[test]
    fn rejects_wrong_dtypes_with_the_descriptor() {
        for (descr, data) in [("<f8", 16), (">f4", 8), ("<i4", 8), ("|u1", 2), ("<f2", 4)] {
            let bytes = npy(&header(descr, false, "(1, 2)"), &vec![0; data]);
            assert_eq!(
                decode_f32_table(&bytes, 2),
                Err(NpyError::Dtype(format!("'{descr}'")))
            );
        }
        let structured = "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }";
        assert_eq!(
            decode_f32_table(&npy(structured, &[0; 4]), 2),
            Err(NpyError::Dtype("(('a', '<f4'))".into()))
        );
    }

    #[test]
    fn rejects_wrong_shapes() {
        for (shape, dims) in [
            ("(4,)", vec![4]),
            ("(1, 2, 2)", vec![1, 2, 2]),
            ("(2, 3)", vec![2, 3]),
            ("(0, 2)", vec![0, 2]),
            ("()", vec![]),
        ] {
            let bytes = npy(&header("<f4", false, shape), &[0; 16]);
            assert_eq!(
                decode_f32_table(&bytes, 2),
                Err(NpyError::Shape(dims)),
                "{shape}"
            );
        }
    }

    #[test]
    fn rejects_malformed_files() {
        let good = npy(&header("<f4", false, "(1, 2)"), &f32_bytes([1.0, 2.0]));
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (b"PK\x03\x04".to_vec(), "magic"),
            (good[..7].to_vec(), "version"),
            (good[..9].to_vec(), "header length"),
            (good[..30].to_vec(), "truncated"),
            (
                good[..good.len() - 1].to_vec(),
                "needs 8 data bytes, the entry has 7",
            ),
            ([good.as_slice(), &[0]].concat(), "the entry has 9"),
            (
                npy("{'descr': '<f4', 'shape': (1, 2)}", &[0; 8]),
                "fortran_order",
            ),
            (
                npy("{'descr': '<f4', 'fortran_order': False}", &[0; 8]),
                "no 'shape'",
            ),
            (
                npy("{'fortran_order': False, 'shape': (1, 2)}", &[0; 8]),
                "descr",
            ),
            (npy("['descr']", &[0; 8]), "not a dict"),
            (npy("{'descr': '<f4'", &[0; 8]), "expected ','"),
            (npy("{'descr': nope}", &[0; 8]), "unexpected word"),
            (
                npy(&header("<f4", false, "(99999999999999999999, 2)"), &[]),
                "too large",
            ),
            (
                npy(&header("<f4", false, "(4611686018427387904, 2)"), &[]),
                "too large",
            ),
            (npy(&"[".repeat(100), &[]), "nests too deeply"),
        ];
        for (bytes, expect) in cases {
            match decode_f32_table(&bytes, 2) {
                Err(NpyError::Malformed(reason)) => {
                    assert!(reason.contains(expect), "{reason:?} lacks {expect:?}");
                }
                other => panic!("{expect}: {other:?}"),
            }
        }
    }
}
