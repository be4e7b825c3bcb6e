//! The synthetic inputs the `kittentts-onnx` benchmarks share (and `bench_model.py` mirrors).

use kittentts_onnx::STYLE_DIM;

/// `n` wrapped ids: `[0] + [(7 i + 3) mod 177 + 1 for i < n - 3] + [10, 0]` (`n >= 3`).
pub(crate) fn ids(n: usize) -> Vec<i64> {
    let mut ids = vec![0];
    ids.extend((0..n - 3).map(|i| (7 * i as i64 + 3) % 177 + 1));
    ids.extend([10, 0]);
    ids
}

/// The style row: `0.1 sin(0.37 j)` for `j < 256`.
pub(crate) fn style() -> Vec<f32> {
    (0..STYLE_DIM)
        .map(|j| 0.1 * (0.37 * j as f32).sin())
        .collect()
}
