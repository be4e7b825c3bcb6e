//! Streaming, the session pool and the limits, on the committed fixture model (deterministic,
//! so samples can be compared exactly).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kittentts::{
    AudioChunk, Error, FirstChunk, Limits, SynthesisOptions, Synthesizer, SynthesizerBuilder,
};

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fixture")
}

fn builder() -> SynthesizerBuilder {
    Synthesizer::builder().model_dir(fixture_dir())
}

fn synth(sessions: usize) -> Synthesizer {
    builder()
        .sessions(sessions)
        .intra_threads(1)
        .build()
        .unwrap()
}

const PARAGRAPH: &str = "On March 3rd, 2024, the team shipped version 2.4.1 of the tool; it \
costs $5.99 a month, or $50 a year. Dr. Lee said the new build is 40% faster, and that the \
tests, all 1,234 of them, pass in under 3 minutes. Nobody believed her at first. Then they \
ran it themselves!";

fn long_text(sentences: usize) -> String {
    (0..sentences)
        .map(|i| format!("Sentence number {i} is here, and it is spoken in full."))
        .collect::<Vec<_>>()
        .join(" ")
}

fn collect(stream: kittentts::SynthesisStream) -> Vec<AudioChunk> {
    stream.map(|c| c.unwrap()).collect()
}

fn concat(chunks: &[AudioChunk]) -> Vec<f32> {
    chunks
        .iter()
        .flat_map(|c| c.samples.iter().copied())
        .collect()
}

#[test]
fn stream_concatenation_equals_synthesize() {
    let tts = synth(2);
    for first in [FirstChunk::Whole, FirstChunk::Short { max_chars: 30 }] {
        for voice in ["Leo", "Bella", "expr-voice-4-m"] {
            let options = SynthesisOptions::new().voice(voice).first_chunk(first);
            let whole = tts.synthesize(PARAGRAPH, &options).unwrap();
            let chunks = collect(tts.stream(PARAGRAPH, &options).unwrap());
            assert!(chunks.len() >= 3, "{first:?}: {} chunks", chunks.len());
            assert_eq!(concat(&chunks), whole.samples, "{first:?} {voice}");
        }
    }
    // Auto: whole sentences in synthesize, so equal to an explicit Whole stream.
    let auto = tts.synthesize(PARAGRAPH, &SynthesisOptions::new()).unwrap();
    let whole = collect(
        tts.stream(
            PARAGRAPH,
            &SynthesisOptions::new().first_chunk(FirstChunk::Whole),
        )
        .unwrap(),
    );
    assert_eq!(concat(&whole), auto.samples);
}

#[test]
fn the_first_chunk_of_a_stream_is_short_and_cut_at_a_clause() {
    let tts = synth(1);
    let chunks = collect(tts.stream(PARAGRAPH, &SynthesisOptions::new()).unwrap());
    // "On March third, twenty twenty-four, the team shipped…": no cut splits the date, which
    // runs past 32 characters, so the first clause mark after it.
    assert_eq!(chunks[0].text, "On March third, twenty twenty-four,");
    assert!(chunks[1].text.starts_with("the team shipped"));
    // Later chunks are the normal sentences.
    assert!(chunks[2].text.starts_with("Doctor Lee said"));
    // Otherwise the last clause mark within 32 characters.
    let chunks = collect(
        tts.stream(
            "Well, as I said before, we will go there tomorrow morning.",
            &SynthesisOptions::new(),
        )
        .unwrap(),
    );
    assert_eq!(chunks[0].text, "Well, as I said before,");
    assert!(chunks[0].text.chars().count() <= FirstChunk::DEFAULT_MAX_CHARS);
    // A sentence with no clause mark is cut at a word, which gets a comma.
    let text = "This first sentence has no clause marks at all in it so it is cut at a word.";
    let chunks = collect(tts.stream(text, &SynthesisOptions::new()).unwrap());
    assert_eq!(chunks.len(), 2);
    // Not "This first sentence has no," nor "… has,": it ends on a content word.
    assert_eq!(chunks[0].text, "This first sentence,");
    assert_eq!(
        format!(
            "{} {}",
            chunks[0].text.trim_end_matches(','),
            chunks[1].text
        ),
        text
    );
    let chunks = collect(
        tts.stream(
            "The old railway station at the edge of town had been closed for years.",
            &SynthesisOptions::new(),
        )
        .unwrap(),
    );
    assert_eq!(chunks[0].text, "The old railway station,");
    // A longer limit of its own.
    let chunks = collect(
        tts.stream(
            PARAGRAPH,
            &SynthesisOptions::new().first_chunk(FirstChunk::Short { max_chars: 48 }),
        )
        .unwrap(),
    );
    assert_eq!(chunks[0].text, "On March third, twenty twenty-four,");
    // Whole keeps the reference's chunking.
    let whole = collect(
        tts.stream(
            text,
            &SynthesisOptions::new().first_chunk(FirstChunk::Whole),
        )
        .unwrap(),
    );
    assert_eq!(whole.len(), 1);
    assert_eq!(whole[0].text, text);
}

#[test]
fn chunks_carry_their_index_text_and_input_range() {
    let tts = synth(2);
    let chunks = collect(tts.stream(PARAGRAPH, &SynthesisOptions::new()).unwrap());
    for (i, c) in chunks.iter().enumerate() {
        assert_eq!(c.index, i);
        assert_eq!(c.sample_rate, 24_000);
        assert!(!c.samples.is_empty());
    }
    let spoken: Vec<&str> = chunks
        .iter()
        .map(|c| &PARAGRAPH[c.text_range.clone()])
        .collect();
    assert_eq!(spoken[0], "On March 3rd, 2024,");
    assert!(spoken[1].starts_with("the team shipped version 2.4.1"));
    assert!(spoken[1].ends_with("or $50 a year."));
    assert!(spoken[2].starts_with("Dr. Lee said the new build is 40% faster"));
    assert_eq!(spoken.last().copied(), Some("Then they ran it themselves!"));
    // Ranges are in order and do not overlap.
    for pair in chunks.windows(2) {
        assert!(pair[0].text_range.end <= pair[1].text_range.start);
    }
    // Without normalisation the ranges are the chunk texts themselves.
    let plain = "Hello there.   How are you today, my friend?";
    let chunks = collect(
        tts.stream(plain, &SynthesisOptions::new().normalize(false))
            .unwrap(),
    );
    let spoken: Vec<&str> = chunks
        .iter()
        .map(|c| &plain[c.text_range.clone()])
        .collect();
    assert_eq!(spoken, ["Hello there.", "How are you today, my friend?"]);
    // Multi-byte characters: ranges are byte ranges on char boundaries.
    let text = "Café — naïve. Über straße.";
    let chunks = collect(tts.stream(text, &SynthesisOptions::new()).unwrap());
    let spoken: Vec<&str> = chunks.iter().map(|c| &text[c.text_range.clone()]).collect();
    assert_eq!(spoken, ["Café — naïve.", "Über straße."]);
}

#[test]
fn dropping_a_stream_stops_model_runs() {
    let tts = builder()
        .sessions(1)
        .intra_threads(1)
        .lookahead(2)
        .build()
        .unwrap();
    let text = long_text(200);
    let before = tts.model().runs_started();
    let mut stream = tts.stream(&text, &SynthesisOptions::new()).unwrap();
    let first = stream.next().unwrap().unwrap();
    assert_eq!(first.index, 0);
    drop(stream);
    let at_drop = tts.model().runs_started();
    std::thread::sleep(Duration::from_millis(300));
    let after = tts.model().runs_started();
    assert_eq!(after, at_drop, "no run may start after the drop");
    // One taken, at most `lookahead` more made ahead.
    assert!(at_drop - before <= 3, "{} runs", at_drop - before);
    // The synthesizer works on.
    assert!(
        tts.synthesize("Still here.", &SynthesisOptions::new())
            .is_ok()
    );
}

#[test]
fn a_stream_ahead_of_its_caller_stays_within_the_lookahead() {
    let lookahead = 3;
    let tts = builder()
        .sessions(2)
        .intra_threads(1)
        .lookahead(lookahead)
        .build()
        .unwrap();
    let text = long_text(60);
    let before = tts.model().runs_started();
    let mut taken = 0u64;
    for chunk in tts.stream(&text, &SynthesisOptions::new()).unwrap() {
        chunk.unwrap();
        taken += 1;
        // Let the pipeline run as far ahead as it can.
        std::thread::sleep(Duration::from_millis(5));
        let made = tts.model().runs_started() - before;
        assert!(
            made <= taken + lookahead as u64,
            "{made} made, {taken} taken"
        );
    }
    assert!(taken >= 60);
}

#[test]
fn concurrent_callers_get_the_serial_results() {
    let serial = synth(1);
    let texts: Vec<String> = (0..8)
        .map(|i| format!("Caller {i} says: the quick brown fox jumps over {i} lazy dogs."))
        .collect();
    let expected: Vec<Vec<f32>> = texts
        .iter()
        .map(|t| {
            serial
                .synthesize(t, &SynthesisOptions::new())
                .unwrap()
                .samples
        })
        .collect();
    let shared = synth(2);
    let started = Instant::now();
    std::thread::scope(|s| {
        for (text, want) in texts.iter().zip(&expected) {
            let tts = &shared;
            s.spawn(move || {
                for _ in 0..50 {
                    let got = tts.synthesize(text, &SynthesisOptions::new()).unwrap();
                    assert_eq!(&got.samples, want);
                }
            });
        }
    });
    assert!(started.elapsed() < Duration::from_secs(120));
    assert!(shared.model().runs_started() >= 400);
    assert_eq!(shared.model().idle_sessions(), 2);
    assert_eq!(shared.model().waiting(), 0);
}

#[test]
fn chunk_order_holds_when_chunks_run_in_parallel() {
    let text = long_text(40);
    let options = SynthesisOptions::new().first_chunk(FirstChunk::Short { max_chars: 30 });
    let serial = synth(1).synthesize(&text, &options).unwrap();
    let parallel = synth(4);
    let chunks = collect(parallel.stream(&text, &options).unwrap());
    let indices: Vec<usize> = chunks.iter().map(|c| c.index).collect();
    assert_eq!(indices, (0..chunks.len()).collect::<Vec<_>>());
    assert_eq!(concat(&chunks), serial.samples);
    assert_eq!(
        parallel.synthesize(&text, &options).unwrap().samples,
        serial.samples
    );
}

#[test]
fn a_stream_outlives_its_synthesizer() {
    let tts = synth(2);
    let stream = tts.stream(&long_text(5), &SynthesisOptions::new()).unwrap();
    drop(tts);
    let chunks = collect(stream);
    assert!(chunks.len() >= 5);
}

#[test]
fn the_stream_is_send() {
    fn check<T: Send + 'static>() {}
    check::<kittentts::SynthesisStream>();
    let tts = synth(1);
    let stream = tts
        .stream("Hello from another thread.", &SynthesisOptions::new())
        .unwrap();
    let chunks = std::thread::spawn(move || collect(stream)).join().unwrap();
    assert!(!chunks.is_empty());
}

#[test]
fn text_over_the_limit_is_a_typed_error() {
    let tts = builder().max_text_chars(100).build().unwrap();
    let text = "a".repeat(101);
    for result in [
        tts.synthesize(&text, &SynthesisOptions::new()).map(|_| ()),
        tts.stream(&text, &SynthesisOptions::new()).map(|_| ()),
    ] {
        match result {
            Err(
                e @ Error::TextTooLong {
                    chars: 101,
                    max: 100,
                },
            ) => {
                assert!(e.to_string().contains("max_text_chars"));
            }
            other => panic!("{other:?}"),
        }
    }
    assert!(
        tts.synthesize(&"a ".repeat(50), &SynthesisOptions::new())
            .is_ok()
    );
}

#[test]
fn audio_over_the_limit_is_a_typed_error_before_any_run() {
    let tts = builder().max_audio_seconds(10.0).build().unwrap();
    let text = long_text(10); // ~550 characters: far more than 10 s of speech
    let runs = tts.model().runs_started();
    match tts.synthesize(&text, &SynthesisOptions::new()) {
        Err(e @ Error::AudioTooLong { max_seconds, .. }) => {
            assert_eq!(max_seconds, 10.0);
            assert!(e.to_string().contains("max_audio_seconds"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        tts.stream(&text, &SynthesisOptions::new()),
        Err(Error::AudioTooLong { .. })
    ));
    assert_eq!(tts.model().runs_started(), runs);
    // 50,000 `!` with a word are refused at once, not hours of audio.
    let bangs = format!("Hi{}", "!".repeat(49_000));
    let default_limits = synth(1);
    assert!(matches!(
        default_limits.synthesize(&bangs, &SynthesisOptions::new()),
        Err(Error::AudioTooLong { .. })
    ));
    // A stream whose estimate passes but whose tokens do not: the stream yields the error
    // in place of the chunk that would pass the limit, before running it.
    let tts = builder().max_audio_seconds(6.0).build().unwrap();
    let text = "ab. ".repeat(24);
    let mut ok = 0;
    let mut errors = 0;
    for item in tts.stream(&text, &SynthesisOptions::new()).unwrap() {
        match item {
            Ok(_) => ok += 1,
            Err(Error::AudioTooLong { .. }) => errors += 1,
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(errors, 1, "{ok} chunks, then the error");
    // With `check_limits_first` the same text fails before the stream starts, with no run.
    let runs = tts.model().runs_started();
    assert!(matches!(
        tts.stream(&text, &SynthesisOptions::new().check_limits_first(true)),
        Err(Error::AudioTooLong { .. })
    ));
    assert_eq!(tts.model().runs_started(), runs);
    // A text the bound lets through streams as before, lazily, and the same audio.
    let short = "ab. ".repeat(2);
    let lazy: Vec<_> = tts
        .stream(&short, &SynthesisOptions::new())
        .unwrap()
        .map(|c| c.unwrap().samples)
        .collect();
    let checked: Vec<_> = tts
        .stream(&short, &SynthesisOptions::new().check_limits_first(true))
        .unwrap()
        .map(|c| c.unwrap().samples)
        .collect();
    assert_eq!(lazy, checked);
}

#[test]
fn the_per_character_bound_is_never_below_the_tokens() {
    // Lone spelled-out letters, symbols, scripts espeak names letter by letter, emoji: the
    // bound of `check_limits_first` must hold for each, or a stream could still fail midway.
    let tts = synth(1);
    let mut texts: Vec<String> = (33u8..127).map(|b| (b as char).to_string()).collect();
    texts.extend((33u8..127).map(|b| format!("{} ", b as char).repeat(20)));
    for s in [
        "w",
        "W W W W",
        "WWW XYZ QQQ",
        "漢字日本語",
        "한국어",
        "ไทยภาษา",
        "हिन्दी",
        "्",
        "😀🎉👍🏽",
        "🧑‍🤝‍🧑",
        "Ελληνικά",
        "Кириллица",
        "عربي",
        "€£¥©®™°±×÷",
        "naïve café résumé",
    ] {
        texts.push(s.to_owned());
        texts.push(s.repeat(10));
    }
    for text in texts {
        let analysis = tts.analyze(&text, true).unwrap();
        let tokens: usize = analysis
            .chunks
            .iter()
            .map(|c| c.input_ids.len().saturating_sub(3))
            .sum();
        let bound: f64 = analysis
            .normalized
            .chars()
            .map(|c| {
                if c.is_ascii() {
                    kittentts::MAX_TOKENS_PER_ASCII_CHAR
                } else {
                    kittentts::MAX_TOKENS_PER_OTHER_CHAR
                }
            })
            .sum();
        assert!(
            tokens as f64 <= bound,
            "{text:?}: {tokens} tokens, bound {bound}"
        );
    }
}

#[test]
fn speed_outside_the_range_is_a_typed_error_naming_the_prior() {
    let tts = synth(1);
    // Hugo (expr-voice-4-m) has a speed prior of 1.25 in the fixture's config.
    match tts.synthesize("Hello.", &SynthesisOptions::new().voice("Hugo").speed(4.5)) {
        Err(e @ Error::SpeedOutOfRange { .. }) => {
            let msg = e.to_string();
            assert!(
                msg.contains("4.5") && msg.contains("1.25") && msg.contains("5.625"),
                "{msg}"
            );
        }
        other => panic!("{other:?}"),
    }
    for speed in [0.001, 0.1, 6.0, 1e30] {
        assert!(
            matches!(
                tts.stream("Hello.", &SynthesisOptions::new().speed(speed)),
                Err(Error::SpeedOutOfRange { .. })
            ),
            "{speed}"
        );
    }
    for speed in [0.0, -1.0, f32::NAN, f32::INFINITY] {
        assert!(
            matches!(
                tts.synthesize("Hello.", &SynthesisOptions::new().speed(speed)),
                Err(Error::InvalidSpeed { .. })
            ),
            "{speed}"
        );
    }
    // The OpenAI range works for the fixture's voices.
    for speed in [0.25, 4.0] {
        assert!(
            tts.synthesize("Hello.", &SynthesisOptions::new().speed(speed))
                .is_ok()
        );
    }
    // A custom range.
    let narrow = builder()
        .limits(Limits::new().with_speed_range(0.5, 2.0))
        .build()
        .unwrap();
    assert!(matches!(
        narrow.synthesize("Hello.", &SynthesisOptions::new().speed(2.5)),
        Err(Error::SpeedOutOfRange {
            min: 0.5,
            max: 2.0,
            ..
        })
    ));
}

#[test]
fn text_with_nothing_to_speak_is_empty_text() {
    let tts = synth(1);
    for text in ["", "   \n\t", "!!! ???", "...", "*** --- ///", "\u{0}\u{1}"] {
        assert!(
            matches!(
                tts.synthesize(text, &SynthesisOptions::new()),
                Err(Error::EmptyText)
            ),
            "{text:?}"
        );
        assert!(
            matches!(
                tts.stream(text, &SynthesisOptions::new()),
                Err(Error::EmptyText)
            ),
            "{text:?}"
        );
    }
}

#[test]
fn zero_settings_are_typed_errors() {
    let cases: Vec<(SynthesizerBuilder, &str)> = vec![
        (builder().sessions(0), "sessions"),
        (builder().sessions(65), "sessions"),
        (builder().intra_threads(0), "intra_threads"),
        (builder().lookahead(0), "lookahead"),
        (builder().max_text_chars(0), "max_text_chars"),
        (builder().max_audio_seconds(0.0), "max_audio_seconds"),
        (builder().max_audio_seconds(f64::NAN), "max_audio_seconds"),
    ];
    for (b, name) in cases {
        match b.build() {
            Err(Error::InvalidSetting { setting, .. }) => assert_eq!(setting, name),
            other => panic!("{name}: {other:?}"),
        }
    }
    // Far more threads than cores is capped, with a warning.
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let capped = builder().sessions(1).intra_threads(10_000).build().unwrap();
    assert_eq!(capped.intra_threads(), cores);
}

#[test]
fn defaults_follow_the_core_count() {
    assert_eq!(kittentts::default_parallelism(1), (1, 1));
    assert_eq!(kittentts::default_parallelism(2), (2, 2));
    assert_eq!(kittentts::default_parallelism(3), (3, 2));
    assert_eq!(kittentts::default_parallelism(4), (2, 4));
    assert_eq!(kittentts::default_parallelism(8), (2, 8));
    assert_eq!(kittentts::default_parallelism(16), (4, 8));
    assert_eq!(kittentts::default_parallelism(64), (8, 16));
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let tts = builder().build().unwrap();
    assert_eq!(
        (tts.sessions(), tts.intra_threads()),
        kittentts::default_parallelism(cores)
    );
    assert_eq!(tts.lookahead(), tts.sessions() + 1);
}

#[test]
fn a_long_text_streams_with_the_limits_raised() {
    // ~110 KB: over the default text limit, so it is raised; the look-ahead bounds the work
    // in flight (the 1 MB RSS figure is measured by scripts/stream-memory.sh).
    let text = long_text(2_000);
    assert!(text.len() > 100_000);
    let tts = builder()
        .max_text_chars(2_000_000)
        .max_audio_seconds(1e6)
        .lookahead(2)
        .build()
        .unwrap();
    let mut n = 0;
    let mut last_end = 0;
    for chunk in tts.stream(&text, &SynthesisOptions::new()).unwrap() {
        let chunk = chunk.unwrap();
        assert_eq!(chunk.index, n);
        assert!(chunk.text_range.start >= last_end);
        last_end = chunk.text_range.end;
        n += 1;
    }
    assert!(n >= 2_000);
    assert_eq!(last_end, text.len());
}
