//! Eight threads phonemising different texts at once give exactly the serial results.

// Helpers outside #[test] functions are test code too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use kittentts_phonemize::{EspeakConfig, Phonemizer};

#[test]
fn eight_threads_match_serial_results() {
    let p = Phonemizer::new(&EspeakConfig::default()).expect("bash scripts/fetch-runtimes.sh");
    let path = format!("{}/tests/data/parity.jsonl", env!("CARGO_MANIFEST_DIR"));
    let texts: Vec<String> = std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["text"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let serial: Vec<String> = texts.iter().map(|t| p.phonemize(t).unwrap()).collect();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|k| {
                let p = p.clone();
                let texts = &texts;
                s.spawn(move || {
                    // each thread walks the corpus from its own offset, three times
                    let n = texts.len();
                    (0..3 * n)
                        .map(|i| {
                            let j = (i * 7 + k * n / 8) % n;
                            (j, p.phonemize(&texts[j]).unwrap())
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut checked = 0;
        for h in handles {
            for (j, got) in h.join().unwrap() {
                assert_eq!(got, serial[j], "{:?}", texts[j]);
                checked += 1;
            }
        }
        assert_eq!(checked, 8 * 3 * texts.len());
    });
}
