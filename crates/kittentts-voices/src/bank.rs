//! `voices.npz`: one `(rows, 256)` float32 style table per voice.

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use ndarray::Array2;
use ndarray_npy::ReadNpyExt;
use ndarray_npy::npy::header::{Header, ReadHeaderError};

use crate::Error;

/// Values in one style row, the model's `style` input width.
pub const STYLE_DIM: usize = 256;

/// The largest entry a voices archive may hold once decompressed (a 0.8 table is 400 KiB).
pub const MAX_ENTRY_BYTES: u64 = 64 << 20;

/// One voice's style table: `rows()` rows of [`STYLE_DIM`] finite `f32` values.
///
/// A 0.8 (ONNX2) voice has 400 rows and the row for a chunk depends on the chunk's length;
/// a 0.1 (ONNX1) voice has one row.
#[derive(Debug, Clone, PartialEq)]
pub struct VoiceTable {
    rows: usize,
    /// Row-major, `rows * STYLE_DIM` values, all finite; `rows >= 1`.
    data: Box<[f32]>,
}

impl VoiceTable {
    /// Builds a table from row-major values, checking what [`VoiceBank::load`] checks:
    /// `values.len()` a non-zero multiple of [`STYLE_DIM`], every value finite.
    ///
    /// # Errors
    /// [`Error::Shape`] or [`Error::NonFinite`]; `origin` and `voice` name the source in them.
    pub fn from_rows(values: Vec<f32>, origin: &Path, voice: &str) -> Result<Self, Error> {
        if values.is_empty() || !values.len().is_multiple_of(STYLE_DIM) {
            return Err(Error::Shape {
                path: origin.to_path_buf(),
                voice: voice.to_owned(),
                shape: vec![values.len()],
            });
        }
        let rows = values.len() / STYLE_DIM;
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(Error::NonFinite {
                path: origin.to_path_buf(),
                voice: voice.to_owned(),
                row: i / STYLE_DIM,
                column: i % STYLE_DIM,
                value: values[i],
            });
        }
        Ok(Self {
            rows,
            data: values.into_boxed_slice(),
        })
    }

    /// Number of rows (400 for 0.8 voices, 1 for 0.1 voices); at least 1.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The row the reference picks for a chunk: `min(chars, rows - 1)`, where `chars`
    /// counts Unicode scalar values (Python's `len(str)`), not bytes or graphemes.
    ///
    /// Counting stops at `rows - 1`, so a 10 MB chunk costs no more than a 400-char one.
    pub fn style_index(&self, chunk_text: &str) -> usize {
        chunk_text.chars().take(self.rows - 1).count()
    }

    /// The style row for a chunk ([`style_index`](Self::style_index)): a borrowed slice of
    /// [`STYLE_DIM`] values, no copy.
    pub fn style_row(&self, chunk_text: &str) -> &[f32] {
        let start = self.style_index(chunk_text) * STYLE_DIM;
        &self.data[start..start + STYLE_DIM]
    }

    /// Row `index` ([`STYLE_DIM`] values), or `None` past the last row.
    pub fn row(&self, index: usize) -> Option<&[f32]> {
        let start = index.checked_mul(STYLE_DIM)?;
        self.data.get(start..start.checked_add(STYLE_DIM)?)
    }

    /// All values, row-major (`rows() * STYLE_DIM`).
    pub fn as_slice(&self) -> &[f32] {
        &self.data
    }
}

/// Every voice of a `voices.npz`, validated at load time.
///
/// Voice ids are the archive's entry names without `.npy` (as `numpy.load` names them), in
/// archive order. Every table is a 2-D little-endian float32 array with [`STYLE_DIM`]
/// columns, at least one row and only finite values; row counts are checked against the
/// model type by [`Voices::load`](crate::Voices::load).
#[derive(Debug, Clone, PartialEq)]
pub struct VoiceBank {
    voices: Vec<(String, VoiceTable)>,
    origin: PathBuf,
}

impl VoiceBank {
    /// Reads and validates `path`.
    ///
    /// # Errors
    /// [`Error::NotFound`]/[`Error::Io`] when the file cannot be read; otherwise as
    /// [`VoiceBank::from_bytes`].
    pub fn load(path: &Path) -> Result<Self, Error> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Self::from_bytes(&bytes, path)
    }

    /// Parses and validates the bytes of a `voices.npz`; `origin` names the file in errors.
    ///
    /// Stored and deflated (`np.savez_compressed`) archives are both read. When two entries
    /// have the same name the last one is used, as Python's `zipfile` (and so the reference)
    /// does.
    ///
    /// # Errors
    /// [`Error::Zip`] (not a zip, corrupt archive), [`Error::ZipEntry`] (entry data corrupt,
    /// CRC mismatch), [`Error::NotNpy`] (an entry that is not a `.npy` file, including
    /// directories), [`Error::EntryTooLarge`], [`Error::Dtype`]
    /// (anything but `'<f4'`: `f64`, big-endian, integers), [`Error::Shape`] (not
    /// `(rows >= 1, 256)`), [`Error::NonFinite`] (NaN or ±inf), [`Error::EmptyVoices`].
    pub fn from_bytes(bytes: &[u8], origin: &Path) -> Result<Self, Error> {
        Self::from_bytes_with_limit(bytes, origin, MAX_ENTRY_BYTES)
    }

    /// [`from_bytes`](Self::from_bytes) with `limit` bytes per decompressed entry.
    fn from_bytes_with_limit(bytes: &[u8], origin: &Path, limit: u64) -> Result<Self, Error> {
        let zip_err = |source| Error::Zip {
            path: origin.to_path_buf(),
            source,
        };
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(zip_err)?;
        let mut voices: Vec<(String, VoiceTable)> = Vec::with_capacity(archive.len());
        let mut buf = Vec::new();
        for index in 0..archive.len() {
            let entry = archive.by_index(index).map_err(zip_err)?;
            let name = entry.name().to_owned();
            let not_npy = |reason: &str| Error::NotNpy {
                path: origin.to_path_buf(),
                entry: name.clone(),
                reason: reason.to_owned(),
            };
            if entry.is_dir() {
                return Err(not_npy("a directory"));
            }
            let Some(voice) = name.strip_suffix(".npy").filter(|v| !v.is_empty()) else {
                return Err(not_npy("the name does not end in .npy"));
            };
            let voice = voice.to_owned();
            buf.clear();
            let read = entry
                .take(limit.saturating_add(1))
                .read_to_end(&mut buf)
                .map_err(|source| Error::ZipEntry {
                    path: origin.to_path_buf(),
                    entry: name.clone(),
                    source,
                })?;
            if read as u64 > limit {
                return Err(Error::EntryTooLarge {
                    path: origin.to_path_buf(),
                    entry: name,
                    limit,
                });
            }
            let table = decode_table(&buf, origin, &name, &voice)?;
            tracing::trace!(voice, rows = table.rows(), "read voice table");
            voices.push((voice, table));
        }
        tracing::debug!(origin = %origin.display(), voices = voices.len(), "read voices");
        Self::from_tables(voices, origin)
    }

    /// A bank from tables built in memory (e.g. with [`VoiceTable::from_rows`]); `origin`
    /// names it in errors. A repeated id replaces the earlier table in its place, as a
    /// repeated archive entry does.
    ///
    /// # Errors
    /// [`Error::EmptyVoices`] when `tables` is empty.
    pub fn from_tables(
        tables: impl IntoIterator<Item = (String, VoiceTable)>,
        origin: &Path,
    ) -> Result<Self, Error> {
        let mut voices: Vec<(String, VoiceTable)> = Vec::new();
        for (id, table) in tables {
            match voices.iter_mut().find(|(v, _)| *v == id) {
                Some(slot) => slot.1 = table,
                None => voices.push((id, table)),
            }
        }
        if voices.is_empty() {
            return Err(Error::EmptyVoices {
                path: origin.to_path_buf(),
            });
        }
        Ok(Self {
            voices,
            origin: origin.to_path_buf(),
        })
    }

    /// Voice ids in archive order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.voices.iter().map(|(id, _)| id.as_str())
    }

    /// The table of voice `id` (exact, case-sensitive match).
    pub fn get(&self, id: &str) -> Option<&VoiceTable> {
        self.voices.iter().find(|(v, _)| v == id).map(|(_, t)| t)
    }

    /// Number of voices (at least 1).
    pub fn len(&self) -> usize {
        self.voices.len()
    }

    /// Always `false`: an empty archive is rejected at load time.
    pub fn is_empty(&self) -> bool {
        self.voices.is_empty()
    }

    /// The file the bank was read from.
    pub fn origin(&self) -> &Path {
        &self.origin
    }

    /// `(id, table)` pairs in archive order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &VoiceTable)> {
        self.voices.iter().map(|(id, t)| (id.as_str(), t))
    }
}

/// The `.npy` magic string.
const NPY_MAGIC: &[u8] = b"\x93NUMPY";

/// The longest `.npy` header accepted, numpy's own default (`max_header_size`, numpy >= 1.24):
/// it bounds what the header parser allocates and how deeply a crafted header can nest.
const MAX_HEADER_BYTES: usize = 10_000;

/// The deepest bracket nesting accepted in a `.npy` header (numpy writes 2 for a plain dtype,
/// 4 for a structured one with sub-array fields).
const MAX_HEADER_DEPTH: usize = 4;

/// The deepest nesting of `(`, `[`, `{` in `text`, counting brackets inside strings too.
fn nesting_depth(text: &[u8]) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for &b in text {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Decodes one `.npy` entry into a table: a `(rows >= 1, 256)` `'<f4'` array, C or Fortran
/// order, with only finite values.
///
/// ndarray-npy parses the header and reads the data. Its header is read first, on its own,
/// because `Array2::<f32>::read_npy` accepts big-endian `'>f4'` (converting it), reports a
/// wrong rank without the shape, and allocates what the header declares before reading; so
/// the dtype, the shape and the data length are checked against the header before the data
/// is read.
fn decode_table(
    bytes: &[u8],
    origin: &Path,
    entry: &str,
    voice: &str,
) -> Result<VoiceTable, Error> {
    let not_npy = |reason: String| Error::NotNpy {
        path: origin.to_path_buf(),
        entry: entry.to_owned(),
        reason,
    };
    if !bytes.starts_with(NPY_MAGIC) {
        return Err(not_npy("no \\x93NUMPY magic".to_owned()));
    }
    // The header length: a u16 after the 2 version bytes in format 1.0, a u32 in 2.0 and 3.0.
    let header_len = match bytes.get(6) {
        Some(1) => bytes
            .get(8..10)
            .and_then(|b| <[u8; 2]>::try_from(b).ok())
            .map(|b| usize::from(u16::from_le_bytes(b))),
        Some(2 | 3) => bytes
            .get(8..12)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .and_then(|b| usize::try_from(u32::from_le_bytes(b)).ok()),
        _ => None,
    };
    if let Some(len) = header_len.filter(|&len| len > MAX_HEADER_BYTES) {
        return Err(not_npy(format!(
            "header of {len} bytes is longer than {MAX_HEADER_BYTES} bytes"
        )));
    }
    // ndarray-npy's header parser (py_literal, a pest grammar) backtracks exponentially on
    // nested brackets: 16 unclosed `{` take over a minute. A `'<f4'` header nests 2 deep.
    let start = if bytes.get(6) == Some(&1) { 10 } else { 12 };
    let header_text = bytes.get(start..).unwrap_or_default();
    let header_text = &header_text[..header_len.unwrap_or(0).min(header_text.len())];
    if nesting_depth(header_text) > MAX_HEADER_DEPTH {
        return Err(not_npy(format!(
            "header nests brackets deeper than {MAX_HEADER_DEPTH}"
        )));
    }
    let mut data = bytes;
    let header = Header::from_reader(&mut data).map_err(|e| {
        not_npy(match e {
            ReadHeaderError::Io(_) => "the header is truncated".to_owned(),
            ReadHeaderError::Parse(e) => format!("bad header: {e}"),
        })
    })?;
    let descr = &header.type_descriptor;
    if descr.as_string().map(String::as_str) != Some("<f4") {
        return Err(Error::Dtype {
            path: origin.to_path_buf(),
            voice: voice.to_owned(),
            dtype: descr
                .format_ascii()
                .unwrap_or_else(|_| format!("{descr:?}")),
        });
    }
    let rows = match header.shape[..] {
        [rows, STYLE_DIM] if rows > 0 => rows,
        _ => {
            return Err(Error::Shape {
                path: origin.to_path_buf(),
                voice: voice.to_owned(),
                shape: header.shape,
            });
        }
    };
    let needed = rows
        .checked_mul(STYLE_DIM * size_of::<f32>())
        .ok_or_else(|| not_npy("shape too large".to_owned()))?;
    if data.len() != needed {
        return Err(not_npy(format!(
            "shape ({rows}, {STYLE_DIM}) needs {needed} data bytes, the entry has {}",
            data.len()
        )));
    }
    let array = Array2::<f32>::read_npy(bytes).map_err(|e| not_npy(e.to_string()))?;
    // Row-major values: the array's own buffer in C order, a transposing copy in Fortran order.
    let values = if array.is_standard_layout() {
        array.into_raw_vec_and_offset().0
    } else {
        array.iter().copied().collect()
    };
    VoiceTable::from_rows(values, origin, voice)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: usize) -> VoiceTable {
        let values = (0..rows * STYLE_DIM).map(|i| i as f32).collect();
        VoiceTable::from_rows(values, Path::new("t.npz"), "v").unwrap()
    }

    #[test]
    fn style_row_clamps_to_the_last_row() {
        let t = table(400);
        for (text, row) in [
            ("", 0),
            ("a", 1),
            (&"a".repeat(399) as &str, 399),
            (&"a".repeat(400), 399),
            (&"a".repeat(10_000), 399),
            ("é€😀", 3),
        ] {
            assert_eq!(t.style_index(text), row);
            assert_eq!(t.style_row(text)[0], (row * STYLE_DIM) as f32);
            assert_eq!(t.style_row(text).len(), STYLE_DIM);
        }
    }

    #[test]
    fn single_row_table_always_gives_row_zero() {
        let t = table(1);
        assert_eq!(t.style_index(&"x".repeat(500)), 0);
        assert_eq!(t.style_row("hello")[255], 255.0);
    }

    #[test]
    fn row_is_none_past_the_end() {
        let t = table(2);
        assert_eq!(t.row(1).unwrap()[0], 256.0);
        assert_eq!(t.row(2), None);
        assert_eq!(t.row(usize::MAX), None);
        assert_eq!(t.as_slice().len(), 512);
    }

    /// A version 1.0 `.npy` file with `header` (padded as numpy pads it) and `data`.
    fn npy(header: &str, data: &[u8]) -> Vec<u8> {
        let mut h = header.as_bytes().to_vec();
        while !(10 + h.len() + 1).is_multiple_of(64) {
            h.push(b' ');
        }
        h.push(b'\n');
        let mut out = NPY_MAGIC.to_vec();
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

    /// A zip with one entry `name` holding `npy`.
    fn zip_of(name: &str, npy: &[u8], method: zip::CompressionMethod) -> Vec<u8> {
        use std::io::Write;
        let options = zip::write::SimpleFileOptions::default().compression_method(method);
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        writer.start_file(name, options).unwrap();
        writer.write_all(npy).unwrap();
        writer.finish().unwrap().into_inner()
    }

    /// A zip with one entry `name` holding a `(rows, 256)` `'<f4'` table of zeros.
    fn npz(name: &str, rows: usize, method: zip::CompressionMethod) -> Vec<u8> {
        let header =
            format!("{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, 256), }}");
        let npy = npy(&header, &vec![0; rows * STYLE_DIM * 4]);
        zip_of(name, &npy, method)
    }

    /// Decodes one `.npy` file as the single entry `v.npy` of an archive.
    fn decode(npy: &[u8]) -> Result<VoiceTable, Error> {
        let zip = zip_of("v.npy", npy, zip::CompressionMethod::Stored);
        let bank = VoiceBank::from_bytes(&zip, Path::new("t.npz"))?;
        Ok(bank.get("v").unwrap().clone())
    }

    /// `rows * 256` values `0, 1, 2, ...` in row-major order.
    fn counting(rows: usize) -> Vec<f32> {
        (0..rows * STYLE_DIM).map(|i| i as f32).collect()
    }

    #[test]
    fn decodes_c_order() {
        let bytes = npy(&header("<f4", false, "(2, 256)"), &f32_bytes(counting(2)));
        let t = decode(&bytes).unwrap();
        assert_eq!(t.rows(), 2);
        assert_eq!(t.as_slice(), counting(2));
    }

    #[test]
    fn transposes_fortran_order() {
        // Column-major (2, 256): value (r, c) = r * 256 + c is stored at c * 2 + r.
        let column_major = (0..2 * STYLE_DIM).map(|i| ((i % 2) * STYLE_DIM + i / 2) as f32);
        let bytes = npy(&header("<f4", true, "(2, 256)"), &f32_bytes(column_major));
        let t = decode(&bytes).unwrap();
        assert_eq!(t.as_slice(), counting(2));
        assert_eq!(t.row(1).unwrap()[3], 259.0);
    }

    #[test]
    fn reads_version_2_and_3_headers() {
        for major in [2u8, 3] {
            // numpy ends every header with a newline; ndarray-npy requires it.
            let h = header("<f4", false, "(1, 256)") + "\n";
            let mut bytes = NPY_MAGIC.to_vec();
            bytes.extend_from_slice(&[major, 0]);
            bytes.extend_from_slice(&u32::try_from(h.len()).unwrap().to_le_bytes());
            bytes.extend_from_slice(h.as_bytes());
            bytes.extend_from_slice(&f32_bytes(counting(1)));
            assert_eq!(decode(&bytes).unwrap().as_slice(), counting(1));
        }
    }

    #[test]
    fn rejects_wrong_dtypes_with_the_descriptor() {
        for (descr, width) in [("<f8", 8), (">f4", 4), ("<i4", 4), ("|u1", 1), ("<f2", 2)] {
            let bytes = npy(
                &header(descr, false, "(1, 256)"),
                &vec![0; width * STYLE_DIM],
            );
            match decode(&bytes) {
                Err(Error::Dtype { dtype, voice, .. }) => {
                    assert_eq!((dtype, voice), (format!("'{descr}'"), "v".to_owned()));
                }
                other => panic!("{descr}: {other:?}"),
            }
        }
        let structured = "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }";
        assert!(matches!(
            decode(&npy(structured, &[0; 4])),
            Err(Error::Dtype { dtype, .. }) if dtype == "[('a', '<f4')]"
        ));
    }

    #[test]
    fn rejects_wrong_shapes() {
        for (shape, dims) in [
            ("(4,)", vec![4]),
            ("(1, 2, 256)", vec![1, 2, 256]),
            ("(2, 3)", vec![2, 3]),
            ("(0, 256)", vec![0, 256]),
            ("()", vec![]),
        ] {
            let bytes = npy(&header("<f4", false, shape), &[0; 16]);
            match decode(&bytes) {
                Err(Error::Shape { shape: found, .. }) => assert_eq!(found, dims, "{shape}"),
                other => panic!("{shape}: {other:?}"),
            }
        }
    }

    #[test]
    fn rejects_malformed_files() {
        let good = npy(&header("<f4", false, "(1, 256)"), &f32_bytes(counting(1)));
        let mut long_header = NPY_MAGIC.to_vec();
        long_header.extend_from_slice(&[2, 0]);
        long_header.extend_from_slice(&u32::MAX.to_le_bytes());
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (b"PK\x03\x04".to_vec(), "magic"),
            (good[..7].to_vec(), "truncated"),
            (good[..9].to_vec(), "truncated"),
            (good[..30].to_vec(), "truncated"),
            (
                good[..good.len() - 1].to_vec(),
                "needs 1024 data bytes, the entry has 1023",
            ),
            ([good.as_slice(), &[0]].concat(), "the entry has 1025"),
            (
                npy("{'descr': '<f4', 'shape': (1, 256)}", &[0; 1024]),
                "fortran_order",
            ),
            (
                npy("{'descr': '<f4', 'fortran_order': False}", &[0; 1024]),
                "missing key",
            ),
            (
                npy("{'fortran_order': False, 'shape': (1, 256)}", &[0; 1024]),
                "descr",
            ),
            (npy("['descr']", &[0; 1024]), "not a dict"),
            (npy("{'descr': '<f4'", &[0; 1024]), "bad header"),
            (npy("{'descr': nope}", &[0; 1024]), "bad header"),
            (
                npy(&header("<f4", false, "(99999999999999999999, 256)"), &[]),
                "illegal value for key shape",
            ),
            (
                npy(&header("<f4", false, "(4611686018427387904, 256)"), &[]),
                "too large",
            ),
            (npy(&"[".repeat(100), &[]), "deeper than 4"),
            (npy(&"{".repeat(16), &[]), "deeper than 4"),
            (
                npy(&"[".repeat(10_100), &[]),
                "header of 10102 bytes is longer than 10000",
            ),
            (
                long_header,
                "header of 4294967295 bytes is longer than 10000",
            ),
            (
                [NPY_MAGIC, b"\x09\x00\x10\x00"].concat(),
                "unknown version number: 9.0",
            ),
            // numpy always ends the header with a newline; ndarray-npy requires it.
            (
                {
                    let mut bytes = good.clone();
                    bytes[10 + 117] = b' ';
                    bytes
                },
                "newline",
            ),
        ];
        for (bytes, expect) in cases {
            match decode(&bytes) {
                Err(Error::NotNpy { reason, entry, .. }) => {
                    assert_eq!(entry, "v.npy");
                    assert!(reason.contains(expect), "{reason:?} lacks {expect:?}");
                }
                other => panic!("{expect}: {other:?}"),
            }
        }
    }

    #[test]
    fn entries_over_the_limit_are_refused() {
        // The limit is checked on decompressed bytes, so a small deflated file cannot blow
        // up in memory. A (4, 256) table is 4096 data bytes plus a 128-byte header.
        for method in [
            zip::CompressionMethod::Stored,
            zip::CompressionMethod::Deflated,
        ] {
            let bytes = npz("a.npy", 4, method);
            let origin = Path::new("big.npz");
            match VoiceBank::from_bytes_with_limit(&bytes, origin, 4096) {
                Err(Error::EntryTooLarge { path, entry, limit }) => {
                    assert_eq!(
                        (path.as_path(), entry.as_str(), limit),
                        (origin, "a.npy", 4096)
                    );
                }
                other => panic!("{other:?}"),
            }
            let bank = VoiceBank::from_bytes_with_limit(&bytes, origin, 4096 + 128).unwrap();
            assert_eq!(bank.get("a").unwrap().rows(), 4);
        }
        assert_eq!(MAX_ENTRY_BYTES, 64 << 20);
    }

    #[test]
    fn from_tables_replaces_repeated_ids_and_rejects_none() {
        let origin = Path::new("mem");
        let bank = VoiceBank::from_tables(
            [
                ("a".into(), table(1)),
                ("b".into(), table(2)),
                ("a".into(), table(3)),
            ],
            origin,
        )
        .unwrap();
        assert_eq!(bank.ids().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(bank.get("a").unwrap().rows(), 3);
        assert_eq!(bank.len(), 2);
        assert!(matches!(
            VoiceBank::from_tables([], origin),
            Err(Error::EmptyVoices { path }) if path == origin
        ));
    }

    #[test]
    fn from_rows_rejects_ragged_and_non_finite_values() {
        let origin = Path::new("t.npz");
        assert!(matches!(
            VoiceTable::from_rows(vec![], origin, "v"),
            Err(Error::Shape { shape, .. }) if shape == [0]
        ));
        assert!(matches!(
            VoiceTable::from_rows(vec![0.0; 300], origin, "v"),
            Err(Error::Shape { shape, .. }) if shape == [300]
        ));
        let mut values = vec![0.0; 512];
        values[300] = f32::NEG_INFINITY;
        assert!(matches!(
            VoiceTable::from_rows(values, origin, "v"),
            Err(Error::NonFinite { row: 1, column: 44, value, .. }) if value == f32::NEG_INFINITY
        ));
    }
}
