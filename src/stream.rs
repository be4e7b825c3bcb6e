//! Audio as it is made: [`SynthesisStream`] and its pipeline.
//!
//! ```text
//!  caller's thread          front-end thread                 worker threads (≤ sessions)
//!  stream() ─ normalise ──▶ phonemise chunk k+1, k+2… ──jobs──▶ take a free session, run chunk k
//!  next() ◀── reorder ◀──────────────────────────────── results ◀─┘
//! ```
//! The front end (normaliser, phonemiser) of the next chunks runs while the model works; it
//! holds libespeak-ng's lock only inside the phonemiser, never around a model run. At most
//! `lookahead` chunks exist at once (queued, running, or made and not yet taken by the
//! caller), so memory is bounded by the look-ahead, not by the text. Chunks run on every free
//! session at once, and come out in order.

use std::collections::BTreeMap;
use std::ops::Range;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, SyncSender};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use kittentts_onnx::RunWidth;
use kittentts_text::{SourceMap, TextChunk};

use crate::synthesizer::{Inner, PreparedVoice};
use crate::timing::{Break, Ending, WordPlan, WordTiming};
use crate::{Error, Result};

/// One chunk of a stream's audio, with where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct AudioChunk {
    /// The chunk's position in the stream: 0, 1, 2… in order.
    pub index: usize,
    /// Its samples at [`SAMPLE_RATE`](crate::SAMPLE_RATE), trimmed as [`Synthesizer::synthesize`] trims them.
    ///
    /// [`Synthesizer::synthesize`]: crate::Synthesizer::synthesize
    pub samples: Vec<f32>,
    /// The sample rate ([`SAMPLE_RATE`](crate::SAMPLE_RATE)).
    pub sample_rate: u32,
    /// The text the model spoke: the chunk after normalisation, with the chunker's closing
    /// punctuation.
    pub text: String,
    /// The byte range of the caller's input text that this chunk speaks (from its first to its
    /// last spoken character; a replacement such as "five dollars" covers the whole `$5`).
    pub text_range: Range<usize>,
    /// When each written word of the chunk is spoken, in seconds from the start of the
    /// stream's audio (not the chunk's), when
    /// [`SynthesisOptions::word_timings`](crate::SynthesisOptions::word_timings) is on and the
    /// model outputs durations; empty otherwise.
    pub words: Vec<WordTiming>,
}

impl AudioChunk {
    /// How long the chunk plays, in seconds.
    pub fn seconds(&self) -> f64 {
        self.samples.len() as f64 / f64::from(self.sample_rate)
    }
}

/// One chunk ready for the model.
pub(crate) struct Job {
    pub(crate) index: usize,
    pub(crate) input_ids: Vec<i64>,
    pub(crate) style: Vec<f32>,
    pub(crate) speed: f32,
    pub(crate) text: String,
    pub(crate) text_range: Range<usize>,
    /// Samples of silence before the chunk (the pause after the one before).
    pub(crate) lead: usize,
    pub(crate) ending: Ending,
    pub(crate) silence_threshold: Option<f32>,
    /// Present when word timings were asked for.
    pub(crate) plan: Option<WordPlan>,
    /// The session width to ask for (set by the front end: narrow when more of the text's
    /// chunks will run beside this one).
    pub(crate) width: RunWidth,
}

/// What the caller's side and the threads share.
struct Shared {
    cancel: AtomicBool,
    gate: Mutex<Gate>,
    /// Signalled when the gate changes or the stream is cancelled (the front end waits on it).
    gate_changed: Condvar,
}

/// What the front end waits for before it sends a job.
struct Gate {
    /// Look-ahead permits left.
    permits: usize,
    /// Whether the first chunk's run has ended (a lazy stream starts no other run before, so
    /// that the first audio has every core).
    first_done: bool,
}

impl Shared {
    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Acquire)
    }

    /// Waits until `ready` accepts the gate (it may update it); `false` when the stream was
    /// cancelled meanwhile.
    fn wait_for(&self, mut ready: impl FnMut(&mut Gate) -> bool) -> bool {
        let mut gate = self.gate.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if self.cancelled() {
                return false;
            }
            if ready(&mut gate) {
                return true;
            }
            gate = self
                .gate_changed
                .wait(gate)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Waits for a look-ahead permit and takes it; `false` when the stream was cancelled.
    fn take_permit(&self) -> bool {
        self.wait_for(|gate| {
            let free = gate.permits > 0;
            if free {
                gate.permits -= 1;
            }
            free
        })
    }

    /// Waits until the first chunk's run has ended; `false` when the stream was cancelled.
    fn wait_first(&self) -> bool {
        self.wait_for(|gate| gate.first_done)
    }

    fn update(&self, change: impl FnOnce(&mut Gate)) {
        change(&mut self.gate.lock().unwrap_or_else(PoisonError::into_inner));
        self.gate_changed.notify_all();
    }

    fn give_permit(&self) {
        self.update(|gate| gate.permits += 1);
    }

    /// Records that the first chunk's run has ended.
    fn finish_first(&self) {
        self.update(|gate| gate.first_done = true);
    }

    fn cancel(&self) {
        self.cancel.store(true, Ordering::Release);
        self.update(|_| {});
    }
}

type Message = (usize, Result<AudioChunk>);

/// Speech as it is made: an iterator of [`AudioChunk`]s, in order, from
/// [`Synthesizer::stream`](crate::Synthesizer::stream).
///
/// `Send`, so it can be moved to another thread (or driven from async code through
/// `spawn_blocking`, or forwarded into a channel). Each `next()` blocks until the next chunk is
/// ready. A chunk that fails yields one `Err`, and the stream ends after it. Dropping the
/// stream stops the work: no model run starts after the drop (a run already going finishes,
/// its audio discarded).
pub struct SynthesisStream {
    shared: Arc<Shared>,
    inner: Arc<Inner>,
    results: Receiver<Message>,
    pending: BTreeMap<usize, Result<AudioChunk>>,
    next: usize,
    done: bool,
    /// Samples yielded so far (word timings are offset by it).
    samples_out: usize,
}

impl std::fmt::Debug for SynthesisStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SynthesisStream")
            .field("next", &self.next)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl Iterator for SynthesisStream {
    type Item = Result<AudioChunk>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        loop {
            if self.shared.cancelled() {
                // Cancelled through a `StreamCanceller`.
                self.finish();
                return None;
            }
            if let Some(mut item) = self.pending.remove(&self.next) {
                self.next += 1;
                self.shared.give_permit();
                match &mut item {
                    Ok(chunk) => {
                        let offset = self.samples_out as f64 / f64::from(chunk.sample_rate);
                        for w in &mut chunk.words {
                            w.start += offset;
                            w.end += offset;
                        }
                        self.samples_out += chunk.samples.len();
                    }
                    Err(_) => self.finish(),
                }
                return Some(item);
            }
            match self.results.recv() {
                Ok((index, item)) => {
                    self.pending.insert(index, item);
                }
                Err(_) if self.shared.cancelled() => {
                    self.finish();
                    return None;
                }
                Err(_) => {
                    // Every thread is gone. With nothing missing, that is the end; a gap means
                    // a thread died without reporting (they catch panics, so this is a safety
                    // net).
                    let gap = !self.pending.is_empty();
                    let chunk = self.next;
                    self.finish();
                    return gap.then(|| {
                        Err(Error::WorkerPanicked {
                            chunk,
                            message: "a pipeline thread ended without its result".into(),
                        })
                    });
                }
            }
        }
    }
}

impl SynthesisStream {
    fn finish(&mut self) {
        self.done = true;
        self.pending.clear();
        self.shared.cancel();
        self.inner.model.wake_waiters();
    }

    /// Whether the stream has ended (all chunks given, an error given, or nothing to give).
    pub fn is_finished(&self) -> bool {
        self.done
    }

    /// Stops the stream now, as dropping it does: no model run starts after this.
    pub fn cancel(&mut self) {
        self.finish();
    }

    /// A handle that stops this stream from another thread or task (a server stops a stream
    /// whose client went away while its thread waits for the next chunk).
    pub fn canceller(&self) -> StreamCanceller {
        StreamCanceller {
            shared: Arc::clone(&self.shared),
            inner: Arc::clone(&self.inner),
        }
    }
}

/// Stops a [`SynthesisStream`] from anywhere: no model run for it starts after
/// [`cancel`](Self::cancel) returns, and its `next()` then ends. `Send + Sync + Clone`.
#[derive(Clone)]
pub struct StreamCanceller {
    shared: Arc<Shared>,
    inner: Arc<Inner>,
}

impl std::fmt::Debug for StreamCanceller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamCanceller")
            .field("cancelled", &self.shared.cancelled())
            .finish()
    }
}

impl StreamCanceller {
    /// Cancels the stream.
    pub fn cancel(&self) {
        self.shared.cancel();
        self.inner.model.wake_waiters();
    }
}

impl Drop for SynthesisStream {
    fn drop(&mut self) {
        self.finish();
    }
}

/// Where a stream's chunks come from.
pub(crate) enum Source {
    /// Chunks already phonemised (synthesize: every limit was checked before any run).
    Prepared(Vec<Job>),
    /// Sentences to phonemise as the stream goes.
    Lazy(LazyText),
}

/// The text of a lazy stream, with what maps its chunks back to the input.
pub(crate) struct LazyText {
    pub(crate) input: String,
    pub(crate) normalized: Vec<char>,
    pub(crate) sentences: Vec<TextChunk>,
    pub(crate) map: SourceMap,
    pub(crate) voice: PreparedVoice,
    pub(crate) ending: Ending,
    pub(crate) pauses: crate::Pauses,
    pub(crate) silence_threshold: Option<f32>,
    pub(crate) word_timings: bool,
}

/// Starts the pipeline's threads and returns the caller's end.
pub(crate) fn start(inner: &Arc<Inner>, source: Source, lookahead: usize) -> SynthesisStream {
    let lookahead = lookahead.max(1);
    let shared = Arc::new(Shared {
        cancel: AtomicBool::new(false),
        gate: Mutex::new(Gate {
            permits: lookahead,
            first_done: false,
        }),
        gate_changed: Condvar::new(),
    });
    let (results_tx, results) = std::sync::mpsc::channel::<Message>();
    let (jobs_tx, jobs_rx) = std::sync::mpsc::sync_channel::<Job>(lookahead);
    let jobs_rx = Arc::new(Mutex::new(jobs_rx));
    let workers = inner.chunks_at_once.min(lookahead);
    for _ in 0..workers {
        let (inner, shared, jobs, results) = (
            Arc::clone(inner),
            Arc::clone(&shared),
            Arc::clone(&jobs_rx),
            results_tx.clone(),
        );
        std::thread::spawn(move || worker(&inner, &shared, &jobs, &results));
    }
    {
        let (inner, shared) = (Arc::clone(inner), Arc::clone(&shared));
        // With one worker the chunks run one at a time: each may take the wide session.
        let parallel = workers > 1;
        std::thread::spawn(move || {
            front_end(&inner, &shared, source, parallel, &jobs_tx, &results_tx);
        });
    }
    SynthesisStream {
        shared,
        inner: Arc::clone(inner),
        results,
        pending: BTreeMap::new(),
        next: 0,
        done: false,
        samples_out: 0,
    }
}

/// Feeds jobs to the workers, taking a look-ahead permit for each. With `parallel` workers, a
/// chunk that has more chunks after it asks for the narrow session ([`RunWidth::Narrow`]):
/// those chunks run beside it, and a chunk on the wide session would share its cores with
/// them (two narrow runs make the most of the cores). The first chunk of a lazy stream runs
/// alone, so it keeps the wide session; so does a last chunk that finds the model idle.
fn front_end(
    inner: &Inner,
    shared: &Shared,
    source: Source,
    parallel: bool,
    jobs: &SyncSender<Job>,
    results: &Sender<Message>,
) {
    let width = |followed: bool| {
        if parallel && followed {
            RunWidth::Narrow
        } else {
            RunWidth::Auto
        }
    };
    match source {
        Source::Prepared(list) => {
            let count = list.len();
            for (k, mut job) in list.into_iter().enumerate() {
                job.width = width(k + 1 < count);
                if !shared.take_permit() || jobs.send(job).is_err() {
                    return;
                }
            }
        }
        Source::Lazy(text) => {
            let mut index = 0;
            let mut tokens = 0.0;
            let mut bytes = ByteCursor::default();
            for (s, sentence) in text.sentences.iter().enumerate() {
                let last_sentence = s + 1 == text.sentences.len();
                if shared.cancelled() {
                    return;
                }
                let made = std::panic::catch_unwind(AssertUnwindSafe(|| {
                    inner.prepare_sentence(sentence, &text, index, &mut tokens, &mut bytes)
                }));
                let prepared = match made {
                    Ok(Ok(jobs)) => jobs,
                    Ok(Err(e)) => {
                        let _ = results.send((index, Err(e)));
                        return;
                    }
                    Err(panic) => {
                        let _ = results.send((
                            index,
                            Err(Error::WorkerPanicked {
                                chunk: index,
                                message: panic_message(panic.as_ref()),
                            }),
                        ));
                        return;
                    }
                };
                let count = prepared.len();
                for (k, mut job) in prepared.into_iter().enumerate() {
                    index += 1;
                    job.width = width(job.index > 0 && (k + 1 < count || !last_sentence));
                    // The first chunk runs alone: its audio comes soonest with every core on
                    // it, while the next chunks are phonemised.
                    if job.index == 1 && !shared.wait_first() {
                        return;
                    }
                    if !shared.take_permit() || jobs.send(job).is_err() {
                        return;
                    }
                }
            }
        }
    }
}

/// Runs jobs on free sessions until there are no more or the stream is cancelled.
fn worker(inner: &Inner, shared: &Shared, jobs: &Mutex<Receiver<Job>>, results: &Sender<Message>) {
    loop {
        let job = {
            let rx = jobs.lock().unwrap_or_else(PoisonError::into_inner);
            rx.recv()
        };
        let Ok(job) = job else { return };
        if shared.cancelled() {
            return;
        }
        let index = job.index;
        let outcome =
            std::panic::catch_unwind(AssertUnwindSafe(|| inner.run_job(job, &shared.cancel)));
        if index == 0 {
            shared.finish_first();
        }
        let item = match outcome {
            Ok(Ok(Some(chunk))) => Ok(chunk),
            Ok(Ok(None)) => return, // cancelled before the run started
            Ok(Err(e)) => Err(e),
            Err(panic) => Err(Error::WorkerPanicked {
                chunk: index,
                message: panic_message(panic.as_ref()),
            }),
        };
        let failed = item.is_err();
        if results.send((index, item)).is_err() || failed {
            return;
        }
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

/// Converts character positions of one text to byte positions, walking from the last answer
/// (chunks and their words come in order, so the text is walked about once).
#[derive(Debug, Default)]
pub(crate) struct ByteCursor {
    chars: usize,
    bytes: usize,
    /// Where the last chunk's range ended.
    floor: usize,
    /// What ended the chunk before (none before the first).
    pub(crate) prev_break: Option<Break>,
}

impl ByteCursor {
    /// Where the previous chunk's byte range ended (0 before the first).
    pub(crate) fn floor(&self) -> usize {
        self.floor
    }

    /// Records where a chunk's byte range ended.
    pub(crate) fn set_floor(&mut self, end: usize) {
        self.floor = end;
    }

    /// The byte offset of character `pos` of `text` (the text's length past its end).
    pub(crate) fn byte_of(&mut self, text: &str, pos: usize) -> usize {
        while self.chars > pos {
            let Some(c) = text[..self.bytes].chars().next_back() else {
                break;
            };
            self.chars -= 1;
            self.bytes -= c.len_utf8();
        }
        for c in text[self.bytes..].chars() {
            if self.chars >= pos {
                break;
            }
            self.chars += 1;
            self.bytes += c.len_utf8();
        }
        self.bytes
    }
}

/// The character range of `chunk`'s source that the characters `within` of its text came from
/// (the text equals the source range, except that a packed chunk's whitespace runs are single
/// spaces and a `,` may have been added).
pub(crate) fn chunk_source_chars(
    chunk: &TextChunk,
    source: &[char],
    within: Range<usize>,
) -> Range<usize> {
    let text: Vec<char> = chunk.text.chars().collect();
    let mut s = chunk.chars.start;
    let end = chunk.chars.end.min(source.len());
    let mut start_at = None;
    let mut t = 0;
    while t < text.len() {
        if t == within.start {
            start_at = Some(s);
        }
        if t == within.end {
            return start_at.unwrap_or(s)..s;
        }
        if text[t].is_whitespace() {
            while s < end && source[s].is_whitespace() {
                s += 1;
            }
        } else if s < end {
            s += 1;
        }
        t += 1;
    }
    start_at.unwrap_or(end.min(s))..end.min(s)
}

/// Words a first chunk cut at a word should not end on: they lean on the next word.
const FUNCTION_WORDS: &[&str] = &[
    "a", "an", "the", "and", "or", "but", "nor", "of", "to", "in", "on", "at", "by", "for", "with",
    "from", "into", "onto", "upon", "as", "than", "that", "which", "who", "whom", "whose", "if",
    "so", "is", "are", "was", "were", "be", "been", "has", "had", "have", "my", "your", "his",
    "her", "its", "our", "their", "this", "these", "those", "not", "no", "very", "i", "we", "you",
    "he", "she", "it", "they", "will", "would", "can", "could", "should",
];

/// Cuts the first sentence after its last clause mark within `max` characters (and at least
/// [`FirstChunk::MIN_CHARS`](crate::FirstChunk::MIN_CHARS) in), else after its last word
/// there that is not a function word ("the", "at"…; any word if all are), when it is longer
/// than `max`. The pieces cover the same source range.
pub(crate) fn split_first(
    sentences: &mut Vec<TextChunk>,
    source: &[char],
    map: &SourceMap,
    max: usize,
) {
    let Some(first) = sentences.first() else {
        return;
    };
    let text: Vec<char> = first.text.chars().collect();
    let min = crate::FirstChunk::MIN_CHARS;
    if text.len() <= max || max < min {
        return;
    }
    // A cut after position k (the head is text[..=k]) at a clause mark followed by a space,
    // or before a space (a word boundary): the rest must hold a word too.
    let clause = |k: usize| {
        matches!(text[k], ',' | ';' | ':' | '—' | '–')
            && text.get(k + 1).is_some_and(|c| c.is_whitespace())
    };
    let word =
        |k: usize| !text[k].is_whitespace() && text.get(k + 1).is_some_and(|c| c.is_whitespace());
    let window = (min - 1)..max.min(text.len() - 1);
    // The rest must hold a word, and the cut may not split one rule's replacement.
    let rest_has_word = |k: usize| {
        text[k + 1..].iter().any(|c| c.is_alphanumeric())
            && !map.is_inside_replacement(chunk_source_chars(first, source, 0..k + 1).end)
    };
    // A word cut ends on a content word where it can: "The old railway station," rather
    // than "The old railway station at,".
    let ends_on_function_word = |k: usize| {
        let start = text[..=k]
            .iter()
            .rposition(|c| c.is_whitespace())
            .map_or(0, |i| i + 1);
        let last: String = text[start..=k]
            .iter()
            .filter(|c| c.is_alphanumeric() || **c == '\'')
            .flat_map(|c| c.to_lowercase())
            .collect();
        FUNCTION_WORDS.contains(&last.as_str())
    };
    let valid_clause = |k: usize| clause(k) && rest_has_word(k);
    let valid_word = |k: usize| word(k) && rest_has_word(k);
    // Within the limit: the last clause mark, else the last word not a function word, else the
    // last word. When a replacement ("March third, twenty twenty-four") spans the limit: the
    // first clause mark or word after it, up to twice the limit.
    let beyond = window.end..(2 * max).min(text.len() - 1);
    let cut = window
        .clone()
        .rev()
        .find(|&k| valid_clause(k))
        .map(|k| (k, false))
        .or_else(|| {
            window
                .clone()
                .rev()
                .find(|&k| valid_word(k) && !ends_on_function_word(k))
                .or_else(|| window.clone().rev().find(|&k| valid_word(k)))
                .map(|k| (k, true))
        })
        .or_else(|| {
            beyond
                .clone()
                .find(|&k| valid_clause(k) || valid_word(k))
                .map(|k| (k, !clause(k)))
        });
    let Some((k, add_comma)) = cut else {
        return;
    };
    let head_src = chunk_source_chars(first, source, 0..k + 1);
    let rest_start = (k + 1..text.len())
        .find(|&i| !text[i].is_whitespace())
        .unwrap_or(text.len());
    let rest_src = chunk_source_chars(first, source, rest_start..text.len());
    let mut head: String = text[..=k].iter().collect();
    if add_comma {
        head.push(',');
    }
    let rest = TextChunk {
        text: text[rest_start..].iter().collect(),
        chars: rest_src.start..first.chars.end,
    };
    let head = TextChunk {
        text: head,
        chars: head_src,
    };
    sentences.splice(0..1, [head, rest]);
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use crate::{Error, FirstChunk, SynthesisOptions, Synthesizer};

    fn fixture() -> Synthesizer {
        Synthesizer::builder()
            .model_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/fixture"))
            .sessions(2)
            .intra_threads(1)
            .build()
            .unwrap()
    }

    #[test]
    fn a_panic_in_a_worker_ends_that_stream_only() {
        let tts = fixture();
        let text = "One. Two. Three. Four.";
        let options = SynthesisOptions::new().first_chunk(FirstChunk::Whole);
        let expected = tts.synthesize(text, &options).unwrap();
        tts.inner.panic_at_chunk.store(1, Ordering::Relaxed);
        let items: Vec<_> = tts.stream(text, &options).unwrap().collect();
        assert_eq!(items.len(), 2, "{items:?}");
        assert_eq!(items[0].as_ref().unwrap().index, 0);
        assert!(matches!(
            &items[1],
            Err(Error::WorkerPanicked { chunk: 1, message }) if message.contains("injected")
        ));
        assert!(matches!(
            tts.synthesize(text, &options),
            Err(Error::WorkerPanicked { chunk: 1, .. })
        ));
        tts.inner
            .panic_at_chunk
            .store(usize::MAX, Ordering::Relaxed);
        // Nothing is poisoned: later calls give the same audio as before.
        assert_eq!(tts.synthesize(text, &options).unwrap(), expected);
        assert_eq!(tts.model().idle_sessions(), 2);
    }

    #[test]
    fn a_streams_first_chunk_runs_alone() {
        let tts = fixture();
        let text = "One, two. Three, four. Five, six. Seven, eight. Nine, ten.";
        let options = SynthesisOptions::new().first_chunk(FirstChunk::Whole);
        let whole = tts.synthesize(text, &options).unwrap();
        tts.inner.runs.lock().unwrap().clear();
        let chunks: Vec<_> = tts
            .stream(text, &options)
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let samples: Vec<f32> = chunks.iter().flat_map(|c| c.samples.clone()).collect();
        assert_eq!(samples, whole.samples);
        let runs = tts.inner.runs.lock().unwrap().clone();
        assert_eq!(runs.len(), 5, "{runs:?}");
        let first_end = runs.iter().find(|r| r.0 == 0).unwrap().2;
        for (index, start, _) in &runs {
            if *index > 0 {
                assert!(
                    *start >= first_end,
                    "chunk {index} started before chunk 0 ended"
                );
            }
        }
    }

    /// The fixture with 2 runs at once of 2 threads: a wide and a narrow session on 2 cores.
    fn two_by_two() -> crate::SynthesizerBuilder {
        Synthesizer::builder()
            .model_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/fixture"))
            .sessions(2)
            .intra_threads(2)
    }

    /// The samples of `text` streamed, in order.
    fn streamed(tts: &Synthesizer, text: &str, options: &SynthesisOptions) -> Vec<f32> {
        tts.stream(text, options)
            .unwrap()
            .flat_map(|c| c.unwrap().samples)
            .collect()
    }

    #[test]
    fn the_chunks_of_one_text_ask_for_the_narrow_session() {
        let tts = two_by_two().chunks_at_once(2).build().unwrap();
        let model = tts.model();
        let text = "One, two. Three, four. Five, six. Seven, eight. Nine, ten.";
        let options = SynthesisOptions::new().first_chunk(FirstChunk::Whole);
        let expected = fixture().synthesize(text, &options).unwrap();
        let narrow_after = |f: &dyn Fn()| {
            let before = model.narrow_runs();
            f();
            model.narrow_runs() - before
        };
        // synthesize: every chunk but the last asks for it; the last gets it if another
        // chunk is still running.
        let n = narrow_after(&|| assert_eq!(tts.synthesize(text, &options).unwrap(), expected));
        // stream: the first chunk runs alone on the wide session.
        let m = narrow_after(&|| assert_eq!(streamed(&tts, text, &options), expected.samples));
        // One chunk alone takes the wide session.
        let one = narrow_after(&|| {
            tts.synthesize("One, two.", &options).unwrap();
        });
        if model.adaptive_threads() {
            assert!((4..=5).contains(&n), "{n} narrow runs of 5");
            assert!((3..=4).contains(&m), "{m} narrow runs of 5");
            assert_eq!(one, 0);
        } else {
            // A machine with one core caps the threads at one: nothing is narrow.
            assert_eq!((n, m, one), (0, 0, 0));
        }
    }

    #[test]
    fn the_chunks_of_one_text_run_one_at_a_time_by_default_when_a_lone_run_has_every_core() {
        let tts = two_by_two().build().unwrap();
        let text = "One, two. Three, four. Five, six. Seven, eight. Nine, ten.";
        let options = SynthesisOptions::new().first_chunk(FirstChunk::Whole);
        let expected = fixture().synthesize(text, &options).unwrap();
        let narrow_before = tts.model().narrow_runs();
        assert_eq!(tts.synthesize(text, &options).unwrap(), expected);
        assert_eq!(streamed(&tts, text, &options), expected.samples);
        let mut runs = tts.inner.runs.lock().unwrap().clone();
        assert_eq!(runs.len(), 10, "{runs:?}");
        if tts.model().adaptive_threads() {
            assert_eq!(tts.inner.chunks_at_once, 1);
            runs.sort_by_key(|r| r.1);
            for pair in runs.windows(2) {
                assert!(pair[1].1 >= pair[0].2, "runs overlap: {pair:?}");
            }
            assert_eq!(tts.model().narrow_runs(), narrow_before);
            assert_eq!(tts.model().ort_sessions(), 1, "no narrow session was made");
        } else {
            // One core: no wide session to give a lone chunk; the chunks go side by side.
            assert_eq!(tts.inner.chunks_at_once, 2);
        }
        // More than the sessions: as many as can run at once.
        assert_eq!(
            two_by_two()
                .chunks_at_once(5)
                .build()
                .unwrap()
                .chunks_at_once(),
            2
        );
        assert!(matches!(
            Synthesizer::builder()
                .model_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/fixture"))
                .chunks_at_once(0)
                .build(),
            Err(Error::InvalidSetting {
                setting: "chunks_at_once",
                ..
            })
        ));
    }

    #[test]
    fn byte_cursor_walks_both_ways() {
        let text = "aé€😀b";
        let mut c = super::ByteCursor::default();
        assert_eq!(c.byte_of(text, 0), 0);
        assert_eq!(c.byte_of(text, 2), 3);
        assert_eq!(c.byte_of(text, 4), 10);
        assert_eq!(c.byte_of(text, 1), 1);
        assert_eq!(c.byte_of(text, 99), text.len());
    }
}
