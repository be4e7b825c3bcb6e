//! `voices.npz`: one `(rows, 256)` float32 style table per voice.

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use crate::Error;
use crate::npy::{self, NpyError};

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
            let table = npy::decode_f32_table(&buf, STYLE_DIM).map_err(|e| match e {
                NpyError::Malformed(reason) => Error::NotNpy {
                    path: origin.to_path_buf(),
                    entry: name.clone(),
                    reason,
                },
                NpyError::Dtype(dtype) => Error::Dtype {
                    path: origin.to_path_buf(),
                    voice: voice.clone(),
                    dtype,
                },
                NpyError::Shape(shape) => Error::Shape {
                    path: origin.to_path_buf(),
                    voice: voice.clone(),
                    shape,
                },
            })?;
            let table = VoiceTable::from_rows(table.data, origin, &voice)?;
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

    /// A stored zip with one entry `name` holding a `(rows, 256)` `'<f4'` table of zeros.
    fn npz(name: &str, rows: usize, method: zip::CompressionMethod) -> Vec<u8> {
        use std::io::Write;
        let header =
            format!("{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, 256), }}");
        let npy = crate::npy::tests::npy(&header, &vec![0; rows * STYLE_DIM * 4]);
        let options = zip::write::SimpleFileOptions::default().compression_method(method);
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        writer.start_file(name, options).unwrap();
        writer.write_all(&npy).unwrap();
        writer.finish().unwrap().into_inner()
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
