//! Word timings from the model's per-token durations, endings and pauses.
//!
//! The chain from a written word to its time: input text → normalised text (the normaliser's
//! spans, [`kittentts_text::SourceMap`]) → chunk → the chunk's spoken words → the phonemised
//! words ([`kittentts_phonemize::word_id_ranges`]) → their token ids → the `duration` frames of
//! those ids (600 samples each). A written word that the normaliser turned into several spoken
//! words ("$5.99" → "five dollars and ninety-nine cents") gets one entry, covering all of them.
//! When espeak reads a chunk as another number of words than it has (it joins "of the" into
//! one word), each written word gets the share of the phonemised words' time that its letters
//! have of the chunk's letters.

use std::ops::Range;

use crate::SAMPLE_RATE;

/// Samples per `duration` frame.
const FRAME: usize = 600;

/// When one written word of the input is spoken.
#[derive(Debug, Clone, PartialEq)]
pub struct WordTiming {
    /// The word as written in the input (`$5.99`, not "five dollars…").
    pub word: String,
    /// Its byte range in the input.
    pub text_range: Range<usize>,
    /// When it starts, in seconds from the start of the returned audio.
    pub start: f64,
    /// When it ends, in seconds from the start of the returned audio.
    pub end: f64,
}

/// How the end of each chunk's waveform is cut.
///
/// The reference drops a fixed 5,000 samples (0.21 s) from every chunk, its most reported fault:
/// the last word is clipped or lost (KittenTTS issues #26, #66 and #72; PR #22 trims by edge
/// silence instead; users append "...." as a workaround). The 0.8 models give each token's
/// duration, so the waveform can be cut where the speech ends instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Ending {
    /// [`Durations`](Self::Durations) when the model outputs durations, else
    /// [`Reference`](Self::Reference).
    #[default]
    Auto,
    /// Keep every frame up to the end of the last spoken token and the closing punctuation;
    /// drop the frames of the trailing wrap tokens `[10, 0]`; fade the last 5 ms out so the
    /// cut never clicks. Without durations, as [`Reference`](Self::Reference).
    Durations,
    /// The reference's rule: drop the last 5,000 samples.
    Reference,
    /// Keep the whole waveform.
    Untrimmed,
}

/// Silence between chunks, in seconds, by what ends the chunk before it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pauses {
    /// After a chunk that ends inside a sentence (a clause or word cut).
    pub clause: f32,
    /// After a sentence.
    pub sentence: f32,
    /// After a paragraph: a blank line in the input.
    pub paragraph: f32,
}

impl Pauses {
    /// No silence added (the reference's concatenation).
    pub const NONE: Pauses = Pauses {
        clause: 0.0,
        sentence: 0.0,
        paragraph: 0.0,
    };
    /// The default with [`Ending::Durations`]: 0.08 s after a clause, 0.25 s after a sentence,
    /// 0.6 s after a paragraph (cutting at the durations leaves almost no trailing silence).
    pub const NATURAL: Pauses = Pauses {
        clause: 0.08,
        sentence: 0.25,
        paragraph: 0.6,
    };
    /// The longest pause accepted, in seconds.
    pub const MAX_SECONDS: f32 = 10.0;

    pub(crate) fn validate(&self) -> crate::Result<()> {
        for (name, v) in [
            ("pauses.clause", self.clause),
            ("pauses.sentence", self.sentence),
            ("pauses.paragraph", self.paragraph),
        ] {
            if !(v.is_finite() && (0.0..=Self::MAX_SECONDS).contains(&v)) {
                return Err(crate::Error::InvalidSetting {
                    setting: name,
                    value: v.to_string(),
                    expected: "a pause from 0 to 10 seconds",
                });
            }
        }
        Ok(())
    }
}

/// What ends a chunk, for the pause after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Break {
    Clause,
    Sentence,
    Paragraph,
}

impl Break {
    pub(crate) fn seconds(self, p: &Pauses) -> f32 {
        match self {
            Self::Clause => p.clause,
            Self::Sentence => p.sentence,
            Self::Paragraph => p.paragraph,
        }
    }
}

/// Whether a chunk's text ends a sentence (its last mark, quotes and brackets aside).
pub(crate) fn ends_sentence(text: &str) -> bool {
    text.trim_end()
        .trim_end_matches(['"', '\'', ')', ']', '”', '’', '»'])
        .ends_with(['.', '!', '?', '…'])
}

/// Whether the input between two chunks holds a blank line.
pub(crate) fn has_blank_line(between: &str) -> bool {
    let mut newlines = 0;
    for c in between.chars() {
        match c {
            '\n' => {
                newlines += 1;
                if newlines >= 2 {
                    return true;
                }
            }
            '\r' | ' ' | '\t' => {}
            _ => newlines = 0,
        }
    }
    false
}

/// One written word of a chunk, with where it is in the input.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TextWord {
    /// The word as written in the input.
    pub(crate) word: String,
    pub(crate) text_range: Range<usize>,
    /// Letters and digits in the spoken word (its share of the chunk's time when espeak's
    /// words do not match one to one).
    pub(crate) letters: usize,
}

/// What a job needs to time its words.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct WordPlan {
    /// The chunk's spoken words, in order (several may share one input range).
    pub(crate) words: Vec<TextWord>,
    /// Each phonemised word's range in the wrapped ids.
    pub(crate) phoneme_words: Vec<Range<usize>>,
    /// Each phonemised word's id count.
    pub(crate) phoneme_lens: Vec<usize>,
}

/// Cuts the end of a chunk's waveform as `ending` says.
pub(crate) fn cut(samples: &mut Vec<f32>, ending: Ending, durations: Option<&[i64]>) {
    match (ending, durations) {
        (Ending::Untrimmed, _) => {}
        (Ending::Auto | Ending::Durations, Some(d)) if d.len() >= 3 => {
            let spoken: i64 = d[..d.len() - 2].iter().map(|&f| f.max(0)).sum();
            let keep = (spoken as usize).saturating_mul(FRAME).min(samples.len());
            samples.truncate(keep);
            fade_out(samples, (SAMPLE_RATE / 200) as usize);
        }
        _ => {
            let keep = samples.len().saturating_sub(crate::REFERENCE_TRIM_SAMPLES);
            samples.truncate(keep);
        }
    }
}

/// A linear fade over the last `n` samples.
fn fade_out(samples: &mut [f32], n: usize) {
    let n = n.min(samples.len());
    let start = samples.len() - n;
    for (i, s) in samples[start..].iter_mut().enumerate() {
        *s *= (n - i) as f32 / (n as f32 + 1.0);
    }
}

/// Removes leading and trailing samples quieter than `threshold`; returns how many were
/// removed from the front.
pub(crate) fn trim_silence(samples: &mut Vec<f32>, threshold: f32) -> usize {
    let loud = |s: &f32| s.abs() >= threshold;
    let Some(first) = samples.iter().position(loud) else {
        let n = samples.len();
        samples.clear();
        return n;
    };
    let last = samples.iter().rposition(loud).unwrap_or(first);
    samples.truncate(last + 1);
    samples.drain(..first);
    first
}

/// The chunk's word timings, in seconds from the chunk's first sample: `offset` samples of
/// the waveform were removed from its front and `lead` samples of silence put before it;
/// `len` is the chunk's final length.
pub(crate) fn word_timings(
    plan: &WordPlan,
    durations: &[i64],
    removed: usize,
    lead: usize,
    len: usize,
) -> Vec<WordTiming> {
    if plan.words.is_empty() || plan.phoneme_words.is_empty() {
        return Vec::new();
    }
    let mut cum = Vec::with_capacity(durations.len() + 1);
    cum.push(0usize);
    for &d in durations {
        let last = cum.last().copied().unwrap_or(0);
        cum.push(last + d.max(0) as usize * FRAME);
    }
    let at = |id: usize| {
        cum.get(id)
            .copied()
            .unwrap_or_else(|| cum.last().copied().unwrap_or(0))
    };
    let spans: Vec<(usize, usize)> = plan
        .phoneme_words
        .iter()
        .map(|r| (at(r.start), at(r.end)))
        .collect();
    let intervals: Vec<(usize, usize)> = if spans.len() == plan.words.len() {
        spans
    } else {
        proportional(&plan.words, &spans, &plan.phoneme_lens)
    };
    let place = |s: usize| (s.saturating_sub(removed) + lead).min(len);
    let secs = |s: usize| s as f64 / f64::from(SAMPLE_RATE);
    let mut out: Vec<WordTiming> = Vec::new();
    for (w, &(a, b)) in plan.words.iter().zip(&intervals) {
        let (start, end) = (place(a), place(b).max(place(a)));
        match out.last_mut() {
            Some(prev) if prev.text_range == w.text_range => prev.end = secs(end),
            _ => out.push(WordTiming {
                word: w.word.clone(),
                text_range: w.text_range.clone(),
                start: secs(start),
                end: secs(end),
            }),
        }
    }
    // Keep them ordered and apart even where rounding or a merged word made them touch.
    for i in 1..out.len() {
        if out[i].start < out[i - 1].end {
            out[i].start = out[i - 1].end;
        }
        if out[i].end < out[i].start {
            out[i].end = out[i].start;
        }
    }
    out
}

/// Each written word's interval when espeak's words do not match them one to one: the
/// phonemised words' time, laid end to end by id count, shared out by letters.
fn proportional(
    words: &[TextWord],
    spans: &[(usize, usize)],
    lens: &[usize],
) -> Vec<(usize, usize)> {
    let total_ids: usize = lens.iter().sum::<usize>().max(1);
    let total_letters: usize = words.iter().map(|w| w.letters.max(1)).sum::<usize>().max(1);
    // Position (as a fraction of all ids) → sample, through the phonemised words.
    let sample_at = |f: f64| -> usize {
        let target = f * total_ids as f64;
        let mut acc = 0.0;
        for (&(a, b), &n) in spans.iter().zip(lens) {
            let n = n as f64;
            if target <= acc + n || n == 0.0 && target <= acc {
                let t = if n > 0.0 { (target - acc) / n } else { 0.0 };
                return a + ((b - a) as f64 * t.clamp(0.0, 1.0)) as usize;
            }
            acc += n;
        }
        spans.last().map_or(0, |s| s.1)
    };
    let mut out = Vec::with_capacity(words.len());
    let mut done = 0usize;
    for w in words {
        let a = done as f64 / total_letters as f64;
        done += w.letters.max(1);
        let b = done as f64 / total_letters as f64;
        out.push((sample_at(a), sample_at(b)));
    }
    out
}

/// Timings as SRT subtitles (one cue per word).
pub fn to_srt(words: &[WordTiming]) -> String {
    let stamp = |t: f64| {
        let ms = (t * 1000.0).round() as u64;
        format!(
            "{:02}:{:02}:{:02},{:03}",
            ms / 3_600_000,
            ms / 60_000 % 60,
            ms / 1000 % 60,
            ms % 1000
        )
    };
    let mut out = String::new();
    for (i, w) in words.iter().enumerate() {
        out.push_str(&format!(
            "{}\n{} --> {}\n{}\n\n",
            i + 1,
            stamp(w.start),
            stamp(w.end),
            w.word
        ));
    }
    out
}

/// Timings as WebVTT subtitles (one cue per word).
pub fn to_vtt(words: &[WordTiming]) -> String {
    let stamp = |t: f64| {
        let ms = (t * 1000.0).round() as u64;
        format!(
            "{:02}:{:02}:{:02}.{:03}",
            ms / 3_600_000,
            ms / 60_000 % 60,
            ms / 1000 % 60,
            ms % 1000
        )
    };
    let mut out = String::from("WEBVTT\n\n");
    for w in words {
        out.push_str(&format!(
            "{} --> {}\n{}\n\n",
            stamp(w.start),
            stamp(w.end),
            w.word
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_durations_rule_keeps_every_spoken_frame() {
        // ids [0, a, b, c, 10, 0] with 2,3,4,6,1,1 frames: keep 2+3+4+6 = 15 frames.
        let d = [2, 3, 4, 6, 1, 1];
        let total: i64 = d.iter().sum();
        let mut s = vec![1.0f32; total as usize * FRAME];
        cut(&mut s, Ending::Durations, Some(&d));
        assert_eq!(s.len(), 15 * FRAME);
        assert!(s[s.len() - 1] < 0.01 && s[s.len() - 121] > 0.99, "faded");
        // The reference's rule on the same short chunk drops 5000 samples: all of the last
        // spoken token (frames 9..15) and part of the one before.
        let mut r = vec![1.0f32; total as usize * FRAME];
        cut(&mut r, Ending::Reference, Some(&d));
        assert_eq!(r.len(), 17 * FRAME - 5000);
        assert!(
            r.len() < 9 * FRAME,
            "the reference cuts into the last spoken token"
        );
        let mut u = vec![1.0f32; 100];
        cut(&mut u, Ending::Untrimmed, None);
        assert_eq!(u.len(), 100);
        let mut a = vec![1.0f32; 6000];
        cut(&mut a, Ending::Auto, None);
        assert_eq!(a.len(), 1000, "no durations: the reference's rule");
    }

    #[test]
    fn silence_is_trimmed_by_level() {
        let mut s = vec![0.0, 0.001, 0.5, -0.2, 0.0, 0.3, 0.002, 0.0];
        assert_eq!(trim_silence(&mut s, 0.01), 2);
        assert_eq!(s, vec![0.5, -0.2, 0.0, 0.3]);
        let mut quiet = vec![0.0; 10];
        assert_eq!(trim_silence(&mut quiet, 0.01), 10);
        assert!(quiet.is_empty());
    }

    #[test]
    fn breaks_and_blank_lines() {
        assert!(ends_sentence("He left."));
        assert!(ends_sentence("\"Really?\""));
        assert!(!ends_sentence("On Monday,"));
        assert!(has_blank_line(" \n\n"));
        assert!(has_blank_line("\r\n \r\n"));
        assert!(!has_blank_line(" \n "));
        assert!(!has_blank_line("\nx\n"));
    }

    #[test]
    fn timings_follow_the_durations_and_merge_replacements() {
        // spoken: "Pay five dollars now" → phoneme words [1..3), [4..6), [7..10), [11..13)
        let plan = WordPlan {
            words: vec![
                TextWord {
                    word: "Pay".into(),
                    text_range: 0..3,
                    letters: 3,
                },
                TextWord {
                    word: "$5".into(),
                    text_range: 4..6,
                    letters: 4,
                },
                TextWord {
                    word: "$5".into(),
                    text_range: 4..6,
                    letters: 7,
                },
                TextWord {
                    word: "now".into(),
                    text_range: 7..10,
                    letters: 3,
                },
            ],
            phoneme_words: vec![1..3, 4..6, 7..10, 11..13],
            phoneme_lens: vec![2, 2, 3, 2],
        };
        let d = vec![1i64; 16];
        let t = word_timings(&plan, &d, 0, 0, 16 * FRAME);
        assert_eq!(t.len(), 3);
        assert_eq!(t[1].word, "$5");
        let f = FRAME as f64 / 24_000.0;
        assert!((t[0].start - f).abs() < 1e-9 && (t[0].end - 3.0 * f).abs() < 1e-9);
        assert!((t[1].start - 4.0 * f).abs() < 1e-9 && (t[1].end - 10.0 * f).abs() < 1e-9);
        // A lead pause shifts everything.
        let shifted = word_timings(&plan, &d, 0, 2400, 16 * FRAME + 2400);
        assert!((shifted[0].start - t[0].start - 0.1).abs() < 1e-9);
    }

    #[test]
    fn subtitles() {
        let w = vec![WordTiming {
            word: "Hi".into(),
            text_range: 0..2,
            start: 61.5,
            end: 3723.25,
        }];
        assert_eq!(to_srt(&w), "1\n00:01:01,500 --> 01:02:03,250\nHi\n\n");
        assert_eq!(
            to_vtt(&w),
            "WEBVTT\n\n00:01:01.500 --> 01:02:03.250\nHi\n\n"
        );
    }
}
