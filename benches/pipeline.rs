//! Criterion benches of the facade: the front end (normalise, chunk, phonemise, tokenise) and
//! whole synthesis on the committed fixture model. Set `KITTENTTS_BENCH_MODEL` to a model
//! folder (e.g. `../shared/models/standin-nano`) to also time real-size synthesis.
//!
//! `cargo bench --bench pipeline`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::path::Path;

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

fn synthesis(c: &mut Criterion) {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fixture");
    let mut models = vec![("fixture".to_owned(), fixture)];
    if let Some(dir) = std::env::var_os("KITTENTTS_BENCH_MODEL") {
        let dir = Path::new(&dir).to_path_buf();
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned());
        models.push((name.unwrap_or_else(|| "model".into()), dir));
    }
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

criterion_group!(benches, frontend, synthesis);
criterion_main!(benches);
