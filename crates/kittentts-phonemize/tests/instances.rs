//! `EspeakConfig::instances`: private copies of libespeak-ng, each behind its own lock, give
//! exactly the results of one instance while four threads phonemise at once. (Its own test
//! binary: the process's engine is loaded once, here with two instances.)

// Helpers outside #[test] functions are test code too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kittentts_phonemize::{EspeakConfig, Phonemizer};

#[test]
fn two_instances_four_threads_match_the_golden_phonemes() {
    let p = Phonemizer::new(&EspeakConfig {
        instances: 2,
        ..EspeakConfig::default()
    })
    .unwrap();
    assert_eq!(p.espeak_instances(), 2);
    // Asking again (any count) shares the loaded engine.
    assert_eq!(
        Phonemizer::new(&EspeakConfig::default())
            .unwrap()
            .espeak_instances(),
        2
    );

    let path = format!("{}/tests/data/parity.jsonl", env!("CARGO_MANIFEST_DIR"));
    let rows: Vec<(String, String)> = std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        // single-item rows (the golden lists `items` only when there is not exactly one)
        .filter(|v| v["kind"] == "parity" && v.get("items").is_none())
        .map(|v| {
            (
                v["text"].as_str().unwrap().to_owned(),
                v["phonemes"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(rows.len(), 1134);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|k| {
                let p = p.clone();
                let rows = &rows;
                s.spawn(move || {
                    let n = rows.len();
                    (0..n)
                        .map(|i| (i * 5 + k * n / 4) % n)
                        .filter(|&j| p.phonemize(&rows[j].0).unwrap() == rows[j].1)
                        .count()
                })
            })
            .collect();
        for h in handles {
            assert_eq!(h.join().unwrap(), rows.len());
        }
    });
}
