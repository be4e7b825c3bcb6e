//! Criterion benches of the facade: the front end (normalise, chunk, phonemise, tokenise),
//! whole synthesis, a stream's first chunk and a whole stream, and two callers on one
//! synthesizer (two sessions), on the committed fixture model. Set `KITTENTTS_BENCH_MODEL` to a model
//! folder (e.g. `../shared/models/standin-nano`) to also time real-size synthesis.
//!
//! `cargo bench --bench pipeline`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kittentts::{EspeakConfig, Frontend, NormalizeOptions, SynthesisOptions, Synthesizer};

const SENTENCE: &str = "Dr. Smith paid $42.50 on March 3rd, 2024 at 7:15 p.m. for 3.5 km of cable.";
const PARAGRAPH: &str = "The lighthouse keeper climbed the spiral stairs every evening, one \
hundred and twelve steps in all, carrying a small brass lamp and a notebook. At the top he wrote \
down the wind, the colour of the sea and the names of the ships that passed, even when there \
were none. In the winter of 1923 a storm tore the roof from the boathouse, and for three days \
nobody could reach the island.";

fn frontend(c: &mut Criterion) {
    let frontend = Frontend::new(&EspeakConfig::default(), NormalizeOptions::default()).unwrap();
    let mut group = c.benchmark_group("frontend");
    for (name, text) in [("sentence", SENTENCE), ("paragraph", PARAGRAPH)] {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(format!("normalize/{name}"), |b| {
            b.iter(|| frontend.normalize(black_box(text)))
        });
        group.bench_function(format!("analyze/{name}"), |b| {
            b.iter(|| frontend.analyze(black_box(text), true).unwrap())
        });
    }
    group.finish();
}

/// The fixture, and `KITTENTTS_BENCH_MODEL` when it is set.
fn models() -> Vec<(String, PathBuf)> {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fixture");
    let mut models = vec![("fixture".to_owned(), fixture)];
    if let Some(dir) = std::env::var_os("KITTENTTS_BENCH_MODEL") {
        let dir = Path::new(&dir).to_path_buf();
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned());
        models.push((name.unwrap_or_else(|| "model".into()), dir));
    }
    models
}

fn synthesis(c: &mut Criterion) {
    let models = models();
    let mut group = c.benchmark_group("synthesize");
    group.sample_size(10);
    for (name, dir) in models {
        let tts = Synthesizer::builder().model_dir(&dir).build().unwrap();
        let options = SynthesisOptions::new().voice("Leo");
        group.bench_function(format!("{name}/sentence"), |b| {
            b.iter(|| tts.synthesize(black_box(SENTENCE), &options).unwrap())
        });
    }
    group.finish();
}

fn streaming(c: &mut Criterion) {
    let long = PARAGRAPH.repeat(4);
    let mut group = c.benchmark_group("stream");
    group.sample_size(10);
    for (name, dir) in models() {
        let tts = Synthesizer::builder().model_dir(&dir).build().unwrap();
        let options = SynthesisOptions::new().voice("Leo");
        // Time to first audio: the call and its first chunk (the rest is dropped, which stops
        // the work).
        group.bench_function(format!("{name}/first_chunk"), |b| {
            b.iter(|| {
                let mut stream = tts.stream(black_box(&long), &options).unwrap();
                stream.next().unwrap().unwrap()
            })
        });
        group.bench_function(format!("{name}/whole_stream"), |b| {
            b.iter(|| {
                tts.stream(black_box(PARAGRAPH), &options)
                    .unwrap()
                    .map(|c| c.unwrap().samples.len())
                    .sum::<usize>()
            })
        });
    }
    group.finish();
}

fn callers(c: &mut Criterion) {
    let mut group = c.benchmark_group("callers");
    group.sample_size(10);
    for (name, dir) in models() {
        let tts = Synthesizer::builder()
            .model_dir(&dir)
            .sessions(2)
            .intra_threads(1)
            .build()
            .unwrap();
        let options = SynthesisOptions::new().voice("Leo");
        group.bench_function(format!("{name}/two_callers_two_sessions"), |b| {
            b.iter(|| {
                std::thread::scope(|s| {
                    for _ in 0..2 {
                        s.spawn(|| tts.synthesize(black_box(PARAGRAPH), &options).unwrap());
                    }
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, frontend, synthesis, streaming, callers);
criterion_main!(benches);
