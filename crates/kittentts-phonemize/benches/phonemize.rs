//! Throughput of this crate's phonemise + tokenise on ordinary sentences, and of the tokeniser
//! alone. `cargo bench -p kittentts-phonemize`. For the comparison with the Python reference in
//! one run, see `scripts/phonemize-bench.sh`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kittentts_phonemize::{EspeakConfig, Phonemizer, tokenize};

const SENTENCES: &[&str] = &[
    "The quick brown fox jumps over the lazy dog.",
    "She sells sea shells by the sea shore, doesn't she?",
    "\"Well,\" he said, \"I never thought it would come to this.\"",
    "In the morning, we walked to the station; the train was late again!",
    "Read the record before you record the read.",
    "Kittens nap in warm patches of sunlight — all afternoon.",
    "How much wood would a woodchuck chuck if a woodchuck could chuck wood?",
    "It costs three dollars and fifty cents (plus tax).",
];

fn bench(c: &mut Criterion) {
    let Ok(phonemizer) = Phonemizer::new(&EspeakConfig::default()) else {
        // Without the runtime there is nothing to measure; `bash scripts/fetch-runtimes.sh`.
        return;
    };
    let mut group = c.benchmark_group("phonemize");
    group.throughput(Throughput::Elements(SENTENCES.len() as u64));
    group.bench_function("phonemize+tokenize/8 sentences", |b| {
        b.iter(|| {
            SENTENCES
                .iter()
                .map(|s| phonemizer.phonemize(s).map(|p| tokenize(&p).len()))
                .sum::<Result<usize, _>>()
        });
    });
    let phonemes: Vec<String> = SENTENCES
        .iter()
        .filter_map(|s| phonemizer.phonemize(s).ok())
        .collect();
    group.bench_function("tokenize/8 sentences", |b| {
        b.iter(|| phonemes.iter().map(|p| tokenize(p).len()).sum::<usize>());
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
