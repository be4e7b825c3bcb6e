//! What the listener hears, on the deterministic fixture (whose durations are known:
//! `max(1, floor(((id mod 7) + 3) / speed))` frames of 600 samples per input id): endings,
//! pauses, silence trimming, word timings and voice blends.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use kittentts::{Ending, Error, FirstChunk, Pauses, SynthesisOptions, Synthesizer, WordTiming};
use proptest::prelude::*;

fn tts() -> Synthesizer {
    Synthesizer::builder()
        .model_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fixture"))
        .sessions(2)
        .intra_threads(1)
        .build()
        .unwrap()
}

fn frames(ids: &[i64], speed: f32) -> Vec<usize> {
    ids.iter()
        .map(|&id| ((((id % 7) + 3) as f32 / speed).floor() as usize).max(1))
        .collect()
}

fn chunk_frames(tts: &Synthesizer, text: &str, speed: f32) -> Vec<Vec<usize>> {
    tts.analyze(text, true)
        .unwrap()
        .chunks
        .iter()
        .map(|c| frames(&c.input_ids, speed))
        .collect()
}

fn whole() -> SynthesisOptions {
    SynthesisOptions::new()
        .first_chunk(FirstChunk::Whole)
        .pauses(Pauses::NONE)
}

#[test]
fn the_durations_ending_keeps_every_spoken_frame_and_the_reference_cuts_into_it() {
    let tts = tts();
    let text = "Hi.";
    // At speed 2 the wrap tokens [10, 0] last 3 + 1 frames (2,400 samples), less than the
    // 5,000 the reference drops.
    let f = &chunk_frames(&tts, text, 2.0)[0];
    let whole = || whole().speed(2.0);
    let all: usize = f.iter().sum::<usize>() * 600;
    let spoken: usize = f[..f.len() - 2].iter().sum::<usize>() * 600;
    let last_token_start: usize = f[..f.len() - 3].iter().sum::<usize>() * 600;
    let durations = tts
        .synthesize(text, &whole().ending(Ending::Durations))
        .unwrap();
    assert_eq!(durations.samples.len(), spoken);
    // The default is the durations rule on a model that has them.
    assert_eq!(tts.synthesize(text, &whole()).unwrap(), durations);
    let reference = tts
        .synthesize(text, &whole().ending(Ending::Reference))
        .unwrap();
    assert_eq!(reference.samples.len(), all - 5000);
    assert!(
        reference.samples.len() < spoken,
        "the reference drops frames of the spoken text"
    );
    assert!(
        reference.samples.len() <= last_token_start + 600,
        "even most of the last token"
    );
    let untrimmed = tts
        .synthesize(text, &whole().ending(Ending::Untrimmed))
        .unwrap();
    assert_eq!(untrimmed.samples.len(), all);
    // Up to the fade, the durations cut is the untrimmed waveform.
    assert_eq!(
        &durations.samples[..spoken - 200],
        &untrimmed.samples[..spoken - 200]
    );
    // The fade-out ends near silence.
    assert!(durations.samples[spoken - 1].abs() < 0.02);
}

#[test]
fn pauses_go_between_chunks_by_what_ends_them() {
    let tts = tts();
    let sec = |s: f32| (f64::from(s) * 24_000.0).round() as usize;
    let pauses = Pauses {
        clause: 0.1,
        sentence: 0.3,
        paragraph: 0.7,
    };
    let opts = whole().ending(Ending::Durations).pauses(pauses);
    let plain = |t: &str| {
        tts.synthesize(t, &whole().ending(Ending::Durations))
            .unwrap()
            .samples
            .len()
    };
    let (one, two) = (plain("One."), plain("Two."));
    let sentences = tts.synthesize("One. Two.", &opts).unwrap();
    assert_eq!(sentences.samples.len(), one + sec(0.3) + two);
    assert!(
        sentences.samples[one..one + sec(0.3)]
            .iter()
            .all(|&s| s == 0.0)
    );
    let paragraph = tts.synthesize("One.\n\nTwo.", &opts).unwrap();
    assert_eq!(paragraph.samples.len(), one + sec(0.7) + two);
    // A clause cut (the short first chunk of a stream) gets the clause pause.
    let long = "Well, as I said before, we will go there tomorrow morning.";
    let split = opts
        .clone()
        .first_chunk(FirstChunk::Short { max_chars: 32 });
    let chunks: Vec<_> = tts
        .stream(long, &split)
        .unwrap()
        .map(|c| c.unwrap())
        .collect();
    assert_eq!(chunks.len(), 2);
    let head = plain("Well, as I said before,");
    assert_eq!(chunks[0].samples.len(), head);
    assert!(chunks[1].samples[..sec(0.1)].iter().all(|&s| s == 0.0));
    // No pauses: plain concatenation; the reference's output has none by default.
    assert_eq!(
        tts.synthesize("One. Two.", &whole().ending(Ending::Durations))
            .unwrap()
            .samples
            .len(),
        one + two
    );
    // Bad pauses are typed errors.
    for bad in [-0.1, f32::NAN, 11.0] {
        let p = Pauses {
            sentence: bad,
            ..Pauses::NATURAL
        };
        assert!(matches!(
            tts.synthesize("One.", &SynthesisOptions::new().pauses(p)),
            Err(Error::InvalidSetting {
                setting: "pauses.sentence",
                ..
            })
        ));
    }
}

#[test]
fn silence_is_trimmed_by_level_when_asked() {
    let tts = tts();
    let text = "Hello there.";
    let full = tts.synthesize(text, &whole()).unwrap();
    let tight = tts
        .synthesize(text, &whole().silence_threshold(0.2))
        .unwrap();
    assert!(tight.samples.len() < full.samples.len());
    assert!(tight.samples[0].abs() >= 0.2);
    assert!(tight.samples.last().unwrap().abs() >= 0.2);
    for bad in [0.0, 1.0, -0.5, f32::NAN] {
        assert!(matches!(
            tts.synthesize(text, &whole().silence_threshold(bad)),
            Err(Error::InvalidSetting { .. })
        ));
    }
}

fn check_timings(text: &str, audio_len: usize, words: &[WordTiming]) {
    let audio_s = audio_len as f64 / 24_000.0;
    let mut last_end = 0.0;
    let mut last_range = 0;
    for w in words {
        assert!(w.start >= last_end - 1e-9, "{w:?} after {last_end}");
        assert!(
            w.end >= w.start && w.end <= audio_s + 1e-9,
            "{w:?} in {audio_s}"
        );
        assert!(w.text_range.start >= last_range, "{w:?}");
        assert_eq!(&text[w.text_range.clone()], w.word);
        last_end = w.end;
        last_range = w.text_range.end;
    }
    // Every written word with a letter or digit is covered by one timing.
    let mut at = 0;
    for token in text.split_whitespace() {
        let start = text[at..].find(token).unwrap() + at;
        at = start + token.len();
        if !token.chars().any(char::is_alphanumeric) {
            continue;
        }
        let end = start + token.len();
        assert!(
            words
                .iter()
                .any(|w| w.text_range.start < end && w.text_range.end > start),
            "no timing for {token:?} in {words:?}"
        );
    }
}

#[test]
fn word_timings_cover_every_written_word() {
    let tts = tts();
    let text = "It costs $5.99. Doctor Smith arrived at 3:30 p.m. on Jan 5, 2024!";
    let opts = SynthesisOptions::new().word_timings(true);
    let audio = tts.synthesize(text, &opts).unwrap();
    check_timings(text, audio.samples.len(), &audio.words);
    let money: Vec<&WordTiming> = audio.words.iter().filter(|w| w.word == "$5.99").collect();
    assert_eq!(
        money.len(),
        1,
        "one entry for the written word: {:?}",
        audio.words
    );
    assert_eq!(audio.words[0].word, "It");
    assert!(audio.words[0].start > 0.0);
    // The stream gives the same timings, offset from the start of the stream's audio.
    let streamed: Vec<WordTiming> = tts
        .stream(text, &opts.clone().first_chunk(FirstChunk::Whole))
        .unwrap()
        .flat_map(|c| c.unwrap().words)
        .collect();
    assert_eq!(streamed, audio.words);
    // Off by default.
    assert!(
        tts.synthesize(text, &SynthesisOptions::new())
            .unwrap()
            .words
            .is_empty()
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn timings_are_ordered_inside_the_audio_and_complete(
        words in prop::collection::vec(
            prop::sample::select(vec![
                "the", "cat", "sat", "on", "a", "mat", "42", "$3", "Dr.", "1990s", "hello,",
                "world.", "it's", "x-ray", "of", "and", "quickly!", "3.5", "(note)", "NASA",
            ]),
            1..30,
        ),
        pause in 0.0f32..0.5,
    ) {
        let tts = tts();
        let text = words.join(" ");
        let opts = SynthesisOptions::new()
            .word_timings(true)
            .pauses(Pauses { clause: pause, sentence: pause, paragraph: pause });
        match tts.synthesize(&text, &opts) {
            Ok(audio) => check_timings(&text, audio.samples.len(), &audio.words),
            Err(Error::EmptyText) => {}
            Err(e) => return Err(TestCaseError::fail(e.to_string())),
        }
    }
}

#[test]
fn voices_blend_and_match_in_any_case() {
    let tts = tts();
    let text = "Blend these voices.";
    let leo = tts.synthesize(text, &whole().voice("Leo")).unwrap();
    assert_eq!(tts.synthesize(text, &whole().voice("leo")).unwrap(), leo);
    assert_eq!(
        tts.synthesize(text, &whole().voice("EXPR-VOICE-5-M"))
            .unwrap(),
        leo
    );
    assert_eq!(tts.synthesize(text, &whole().voice("Leo*1")).unwrap(), leo);
    assert_eq!(
        tts.synthesize(text, &whole().voice("Leo*0.3+leo*0.7"))
            .unwrap(),
        leo
    );
    let luna = tts.synthesize(text, &whole().voice("Luna")).unwrap();
    let mix = tts
        .synthesize(text, &whole().voice("Leo*0.5+Luna*0.5"))
        .unwrap();
    assert_ne!(mix, leo);
    assert_ne!(mix, luna);
    // Weights are normalised: 1+1 is 0.5+0.5.
    assert_eq!(
        tts.synthesize(text, &whole().voice("Leo+Luna")).unwrap(),
        mix
    );
    // Huge weights mix by their ratio instead of overflowing (the blend once blamed `speed`).
    assert_eq!(
        tts.synthesize(text, &whole().voice("Leo*1e308+Luna*1e308"))
            .unwrap(),
        mix
    );
    // A blend's speed prior is the weighted mean: Hugo (1.25) and Bella (0.9).
    let fast = tts.synthesize(text, &whole().voice("Hugo")).unwrap();
    let slow = tts.synthesize(text, &whole().voice("Bella")).unwrap();
    let both = tts.synthesize(text, &whole().voice("Hugo+Bella")).unwrap();
    assert!(fast.samples.len() < both.samples.len() && both.samples.len() < slow.samples.len());
    for bad in [
        "Leo*0",
        "Leo*-1",
        "Leo*NaN",
        "Leo*x",
        "Leo+",
        "+",
        "   ",
        "Leo*inf",
        "Leo*1e308+leo*1e308",
    ] {
        match tts.synthesize(text, &whole().voice(bad)) {
            Err(e @ Error::InvalidVoiceSpec { .. }) => {
                assert!(e.to_string().contains("Leo"), "{bad}: {e}")
            }
            other => panic!("{bad}: {other:?}"),
        }
    }
    assert!(matches!(
        tts.synthesize(text, &whole().voice("Leo*0.5+Nobody*0.5")),
        Err(Error::UnknownVoice { name, .. }) if name == "Nobody"
    ));
    let many: Vec<String> = (0..17)
        .map(|i| {
            format!(
                "expr-voice-{}-{}",
                2 + i % 4,
                if i % 2 == 0 { "f" } else { "m" }
            )
        })
        .collect();
    // 17 parts naming 8 distinct voices is fine (repeats add up) …
    assert!(tts.synthesize(text, &whole().voice(many.join("+"))).is_ok());
}

#[test]
fn a_lexicon_changes_exactly_that_words_ids() {
    use kittentts::{EspeakConfig, Frontend, Lexicon, NormalizeOptions};
    let plain = Frontend::new(&EspeakConfig::default(), NormalizeOptions::default()).unwrap();
    let lexicon = Lexicon::parse("# test\nkitten kˈɪɾən\n").unwrap();
    let with = plain.clone().with_lexicon(std::sync::Arc::new(lexicon));
    let text = "Hello Kitten, the little world.";
    let a = &plain.analyze(text, true).unwrap().chunks[0];
    let b = &with.analyze(text, true).unwrap().chunks[0];
    assert!(b.phonemes.contains("kˈɪɾən,"), "{}", b.phonemes);
    assert_ne!(a.input_ids, b.input_ids);
    // `phonemize` and `token_ids` say what synthesis speaks: the lexicon applies there too.
    let normalized = with.analyze(text, true).unwrap().normalized;
    assert_eq!(
        with.phonemize(&normalized).unwrap().trim(),
        b.phonemes.trim()
    );
    assert_eq!(
        with.token_ids("Kitten").unwrap(),
        kittentts::phonemize::tokenize("kˈɪɾən")
    );
    assert_ne!(
        with.token_ids("Kitten").unwrap(),
        plain.token_ids("Kitten").unwrap()
    );
    // Word by word: only the second word's ids differ; with it taken out, the ids are equal.
    use kittentts::phonemize::{tokenize, word_id_ranges};
    let (wa, wb) = (word_id_ranges(&a.phonemes), word_id_ranges(&b.phonemes));
    assert_eq!(wa.len(), wb.len());
    let ia = tokenize(&a.phonemes);
    let ib = tokenize(&b.phonemes);
    assert_eq!(&ib[wb[1].clone()], tokenize("kˈɪɾən").as_slice());
    for k in [0, 2, 3, 4] {
        assert_eq!(ia[wa[k].clone()], ib[wb[k].clone()], "word {k}");
    }
    // espeak's syllabic mark after "kˈɪʔn" (a token of its own) was part of the word's
    // pronunciation, and went with it.
    let syllabic = kittentts::phonemize::symbol_id('\u{329}');
    let without = |ids: &[i64], r: &std::ops::Range<usize>| {
        let mut v = ids[..r.start].to_vec();
        v.extend(
            ids[r.end..]
                .iter()
                .copied()
                .skip_while(|&id| id == 16 || Some(id) == syllabic),
        );
        v
    };
    assert_eq!(without(&ia, &wa[1])[..6], without(&ib, &wb[1])[..6]);
    assert_eq!(without(&ia, &wa[1])[6..], without(&ib, &wb[1])[6..]);
    // Any case matches a lowercase entry; words without entries are untouched.
    let c = &with.analyze("KITTEN.", true).unwrap().chunks[0];
    assert!(c.phonemes.starts_with("kˈɪɾən"), "{}", c.phonemes);
    assert_eq!(
        with.analyze("No cats here.", true).unwrap(),
        plain.analyze("No cats here.", true).unwrap()
    );
}

#[test]
fn lexicon_overrides_never_exceed_the_token_budget() {
    use kittentts::{EspeakConfig, Frontend, Lexicon, NormalizeOptions};
    let long_ipa = "kˈɪɾənkˈɪɾənkˈɪɾənkˈɪɾənkˈɪɾən";
    let lexicon = Lexicon::parse(&format!("kitten {long_ipa}")).unwrap();
    let frontend = Frontend::new(&EspeakConfig::default(), NormalizeOptions::default())
        .unwrap()
        .with_lexicon(std::sync::Arc::new(lexicon));
    let text = format!("{} end.", vec!["kitten"; 120].join(" "));
    let analysis = frontend.analyze(&text, true).unwrap();
    assert!(analysis.chunks.len() >= 2);
    let mut overrides = 0;
    for c in &analysis.chunks {
        assert!(c.input_ids.len() <= 512, "{}", c.input_ids.len());
        overrides += c.phonemes.matches(long_ipa).count();
    }
    assert_eq!(overrides, 120);
}

#[test]
fn bad_lexicon_entries_are_typed_errors() {
    use kittentts::{Lexicon, LexiconError};
    assert!(matches!(
        Lexicon::parse("word"),
        Err(LexiconError::EmptyIpa { line: 1, .. })
    ));
    assert!(matches!(
        Lexicon::parse("x\ty z"),
        Err(LexiconError::UnknownSymbol { .. })
    ));
    assert!(matches!(
        Lexicon::parse("ok ɑː\nbad ə§"),
        Err(LexiconError::UnknownSymbol {
            line: 2,
            symbol: '§',
            ..
        })
    ));
    assert!(matches!(
        Lexicon::parse("a-b ab"),
        Err(LexiconError::BadWord { .. })
    ));
    assert!(matches!(
        Lexicon::from_file(Path::new("/nonexistent/lexicon.txt")),
        Err(LexiconError::Read { .. })
    ));
}
