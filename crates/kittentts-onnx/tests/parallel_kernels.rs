//! The parallel `Sin` and `InstanceNormalization` kernels and the fused AdaIN and snake chain
//! ([`ModelOptions::parallel_kernels`]) against ONNX Runtime's own, bit for bit, on a probe
//! model whose waveform is made of large outputs of all three (`tests/data/kernel_probe.onnx`,
//! written by `scripts/make_kernel_probe.py`):
//! every length from 1 to 40 ids and a few long ones, on 2 threads (pieces side by side), on 1
//! (pieces one after the other), and loaded from the optimised-model cache.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns, where clippy.toml already allows it

use std::path::{Path, PathBuf};

use kittentts_onnx::{AcousticModel, ModelOptions, STYLE_DIM};

/// Floats per id in the probe's waveform: 4099 from `Sin`, 64 × 259 from the normalisation
/// and as many from each of the two AdaIN and snake chains (the second with one value per
/// channel for every operand, the engine's one-pass loop, and arguments past Eigen's
/// threshold in one channel).
const PER_ID: usize = 4099 + 3 * 64 * 259;

fn probe() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/kernel_probe.onnx")
}

fn load(options: ModelOptions) -> AcousticModel {
    AcousticModel::load(&probe(), &options).unwrap()
}

fn inputs(len: usize) -> (Vec<i64>, Vec<f32>) {
    let ids = (0..len).map(|t| 1 + (t as i64 * 37) % 177).collect();
    let style = (0..STYLE_DIM)
        .map(|i| (i as f32 * 0.37).sin() * 0.2)
        .collect();
    (ids, style)
}

fn bits(wave: &[f32]) -> Vec<u32> {
    wave.iter().map(|x| x.to_bits()).collect()
}

/// `path` loaded with ONNX Runtime's kernels (2 threads), then with the engine's in each
/// layout the tests compare: 2 threads, 1 thread, saving the optimised cache and loading from
/// it (the cache's folder is returned too, to outlive the models).
fn layouts(
    path: &Path,
) -> (
    AcousticModel,
    Vec<(&'static str, AcousticModel)>,
    tempfile::TempDir,
) {
    let load = |options: ModelOptions| AcousticModel::load(path, &options).unwrap();
    let plain = load(
        ModelOptions::new()
            .with_intra_threads(2)
            .with_parallel_kernels(false),
    );
    let cache = tempfile::tempdir().unwrap();
    let cached = || {
        load(
            ModelOptions::new()
                .with_intra_threads(2)
                .with_optimized_cache(Some(cache.path().to_path_buf())),
        )
    };
    let models = vec![
        ("2 threads", load(ModelOptions::new().with_intra_threads(2))),
        ("1 thread", load(ModelOptions::new().with_intra_threads(1))),
        ("saving the cache", cached()),
        ("from the cache", cached()),
    ];
    (plain, models, cache)
}

#[test]
fn parallel_kernels_give_onnx_runtimes_bits_at_every_length() {
    let (plain, models, _cache) = layouts(&probe());
    let lens: Vec<usize> = (1..=40).chain([63, 64, 97, 128, 255, 510]).collect();
    for len in lens {
        let (ids, style) = inputs(len);
        let expected = plain.run(&ids, &style, 1.1).unwrap().waveform;
        assert_eq!(expected.len(), len * PER_ID);
        assert!(expected.iter().all(|x| x.is_finite()));
        for (name, model) in &models {
            let got = model.run(&ids, &style, 1.1).unwrap().waveform;
            assert!(
                bits(&got) == bits(&expected),
                "{len} ids, {name}: the audio differs"
            );
        }
    }
}

#[test]
fn the_plain_and_parallel_probes_differ_with_the_input() {
    // The comparison above is not vacuous: the probe's output follows its inputs.
    let model = load(ModelOptions::new().with_intra_threads(2));
    let (ids, style) = inputs(8);
    let a = model.run(&ids, &style, 1.1).unwrap().waveform;
    let b = model.run(&ids, &style, 1.2).unwrap().waveform;
    let mut other = ids.clone();
    other.swap(0, 1);
    let c = model.run(&other, &style, 1.1).unwrap().waveform;
    assert_ne!(bits(&a), bits(&b));
    assert_ne!(bits(&a), bits(&c));
}

/// The probe's waveform length for `len` ids (see `scripts/make_conv_probe.py`).
fn conv_probe_len(len: usize) -> usize {
    let l = 61 * len;
    64 * l + 6 * (l - 3) + 5 * l + 8 * l + 4 * l.div_ceil(2)
}

#[test]
fn the_direct_integer_convolutions_give_onnx_runtimes_bits_at_every_length() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/conv_probe.onnx");
    let (plain, models, _cache) = layouts(&path);
    let lens: Vec<usize> = (1..=24).chain([63, 97, 255, 510]).collect();
    let mut previous: Option<Vec<u32>> = None;
    for len in lens {
        let (ids, style) = inputs(len);
        let expected = plain.run(&ids, &style, 1.1).unwrap().waveform;
        assert_eq!(expected.len(), conv_probe_len(len));
        // Integers, most of them large: the convolutions did run on the input.
        assert!(expected.iter().all(|x| x.fract() == 0.0));
        assert!(expected.iter().filter(|x| x.abs() > 1000.0).count() > expected.len() / 2);
        for (name, model) in &models {
            let got = model.run(&ids, &style, 1.1).unwrap().waveform;
            assert!(
                bits(&got) == bits(&expected),
                "{len} ids, {name}: the convolutions differ"
            );
        }
        // And the output follows the input.
        let now = bits(&expected);
        assert!(previous.as_ref() != Some(&now));
        previous = Some(now);
    }
}
