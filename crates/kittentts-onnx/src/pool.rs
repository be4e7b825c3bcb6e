//! A first-come-first-served pool of places to run, over one or more ONNX Runtime sessions.
//!
//! The pool has a fixed number of places. Which session a run uses depends on its
//! [`Layout`]: with one session per place, a run has its session to itself; with fewer
//! sessions (one, on the CPU), runs share them, which ONNX Runtime allows (see `run.rs`); in
//! the adaptive layout a run that starts while no other run is going takes the wide session
//! (every thread) and one that starts beside another, or whose caller says that others will
//! soon run beside it ([`RunWidth::Narrow`]), takes the narrow one, which is made on its first
//! use (one sentence never needs it). The pool's state is a free
//! list and a queue of waiting tickets: a caller takes a place only when it is at the head of
//! the queue, so callers are served in arrival order. With a budget of ids in flight, a run
//! also waits while the runs going and it would together hold more ids than the budget (a
//! run's memory grows with its length); a run that would be alone always starts. A panic
//! while a place is held returns it to the pool (the guard's `Drop`): the session is still
//! valid (ONNX Runtime never saw the panic).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock, PoisonError};

use ort::session::Session;

#[derive(Debug, Default)]
struct State {
    /// Indices of the free places.
    free: Vec<usize>,
    /// Tickets of the callers waiting, in arrival order.
    queue: VecDeque<u64>,
    next_ticket: u64,
    /// Places handed out since the pool was made.
    grants: u64,
    /// Of those, places handed out while another run was going.
    beside: u64,
    /// Of those, places handed out on the narrow session (adaptive layout).
    narrow: u64,
    /// Input ids of the runs going now.
    ids_running: usize,
}

/// Whether a run of `ids` ids is short enough to go beside others: at most half the budget
/// of ids in flight, so that a run as long could join it.
fn short(ids: usize, ids_in_flight: usize) -> bool {
    ids.saturating_mul(2) <= ids_in_flight
}

impl State {
    /// Whether a run of `ids` ids may start now, with `places` places and at most
    /// `ids_in_flight` ids held by the runs going at once: a place is free, and the run is
    /// alone, or it is short (at most half the budget: a long run beside another would hold
    /// a second long run's memory) and fits in the budget beside the others.
    fn admits(&self, places: usize, ids_in_flight: usize, ids: usize) -> bool {
        !self.free.is_empty()
            && (self.free.len() == places
                || (short(ids, ids_in_flight)
                    && self.ids_running.saturating_add(ids) <= ids_in_flight))
    }
}

/// Which session a run asks for in the adaptive layout (ignored in the fixed one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RunWidth {
    /// The wide session when no other run is going, else the narrow one.
    #[default]
    Auto,
    /// The narrow session: the caller is about to start other runs beside this one (the
    /// chunks of one text), so a wide run would soon share the cores with them.
    Narrow,
}

/// How the pool's places map to its sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    /// Place `i` runs on session `i mod sessions`.
    Fixed,
    /// Two sessions: a run that starts while the pool is idle takes session 0 (the wide
    /// one); a run that starts while another is going, or asks for [`RunWidth::Narrow`], takes
    /// session 1 (the narrow one, a [`Lazy`] session).
    Adaptive,
}

/// How to make a session when it is first needed.
pub(crate) type MakeSession = Box<dyn Fn() -> Option<Session> + Send + Sync>;

/// A session made on first use, by the first run that needs it (the others that need it
/// meanwhile wait for it). `None` if making it failed: its runs then take session 0, which
/// gives the same results (the maker reports the failure).
pub(crate) struct Lazy {
    session: OnceLock<Option<Session>>,
    make: MakeSession,
}

impl Lazy {
    pub(crate) fn new(make: MakeSession) -> Self {
        Self {
            session: OnceLock::new(),
            make,
        }
    }

    fn get(&self) -> Option<&Session> {
        self.session.get_or_init(|| (self.make)()).as_ref()
    }

    fn made(&self) -> bool {
        self.session.get().is_some_and(Option::is_some)
    }
}

pub(crate) struct Pool {
    sessions: Vec<Session>,
    /// The narrow session of [`Layout::Adaptive`].
    narrow: Option<Lazy>,
    places: usize,
    layout: Layout,
    /// The most ids the runs going at once may hold together (`usize::MAX`: no limit).
    ids_in_flight: usize,
    state: Mutex<State>,
    available: Condvar,
}

/// A place taken from the pool; it goes back on drop (also while unwinding).
pub(crate) struct Lease<'p> {
    pool: &'p Pool,
    index: usize,
    session: usize,
    ids: usize,
}

impl Lease<'_> {
    /// The session this place runs on (the narrow one is made here on its first use).
    pub(crate) fn session(&self) -> &Session {
        let pool = self.pool;
        match (self.session, &pool.narrow) {
            (1, Some(narrow)) => narrow.get().unwrap_or(&pool.sessions[0]),
            (i, _) => &pool.sessions[i],
        }
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        let mut state = self.pool.lock_state();
        state.free.push(self.index);
        state.ids_running -= self.ids;
        drop(state);
        self.pool.available.notify_all();
    }
}

impl Pool {
    /// A pool of `places` runs at once over `sessions` (at least one), the fixed layout.
    pub(crate) fn new(sessions: Vec<Session>, places: usize) -> Self {
        Self::with_layout(sessions, None, places)
    }

    /// A pool of `places` runs at once over a wide session and a narrow one made on first
    /// use: [`Layout::Adaptive`].
    pub(crate) fn adaptive(wide: Session, narrow: Lazy, places: usize) -> Self {
        Self::with_layout(vec![wide], Some(narrow), places)
    }

    fn with_layout(sessions: Vec<Session>, narrow: Option<Lazy>, places: usize) -> Self {
        let layout = if narrow.is_some() {
            Layout::Adaptive
        } else {
            Layout::Fixed
        };
        let places = match layout {
            Layout::Fixed => places.max(sessions.len()),
            Layout::Adaptive => places.max(1),
        };
        let free = (0..places).rev().collect();
        Self {
            sessions,
            narrow,
            places,
            layout,
            ids_in_flight: usize::MAX,
            state: Mutex::new(State {
                free,
                ..State::default()
            }),
            available: Condvar::new(),
        }
    }

    /// This pool, whose runs going at once hold at most `ids` input ids together (`None`: no
    /// limit; `Some(0)` lets runs start only when the pool is idle). A run longer than that
    /// still runs, alone.
    pub(crate) fn with_ids_in_flight(mut self, ids: Option<usize>) -> Self {
        self.ids_in_flight = ids.unwrap_or(usize::MAX);
        self
    }

    /// The budget of input ids in flight ([`Self::with_ids_in_flight`]); `None`: no limit.
    pub(crate) fn ids_in_flight(&self) -> Option<usize> {
        (self.ids_in_flight != usize::MAX).then_some(self.ids_in_flight)
    }

    /// How many runs may go at once.
    pub(crate) fn len(&self) -> usize {
        self.places
    }

    /// How places map to sessions.
    pub(crate) fn layout(&self) -> Layout {
        self.layout
    }

    /// Makes the sessions that are otherwise made on first use (the narrow one).
    pub(crate) fn make_all(&self) {
        if let Some(narrow) = &self.narrow {
            narrow.get();
        }
    }

    /// How many ONNX Runtime sessions the places run on, of those made so far.
    pub(crate) fn session_count(&self) -> usize {
        self.sessions.len() + usize::from(self.narrow.as_ref().is_some_and(Lazy::made))
    }

    fn lock_state(&self) -> MutexGuard<'_, State> {
        // The state is only a free list and a queue, updated in single statements: it is
        // consistent even if a holder panicked.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many callers are waiting for a place.
    pub(crate) fn waiting(&self) -> usize {
        self.lock_state().queue.len()
    }

    /// How many places are free right now.
    pub(crate) fn idle(&self) -> usize {
        self.lock_state().free.len()
    }

    /// How many places have been handed out since the pool was made.
    pub(crate) fn grants(&self) -> u64 {
        self.lock_state().grants
    }

    /// How many of those were handed out while another run was going.
    pub(crate) fn grants_beside(&self) -> u64 {
        self.lock_state().beside
    }

    /// How many were handed out on the narrow session (0 unless adaptive).
    pub(crate) fn grants_narrow(&self) -> u64 {
        self.lock_state().narrow
    }

    /// Waits for a free place for a run of `ids` input ids, first come first served, and
    /// while the runs going would hold more ids than the budget beside it. Returns `None` (and
    /// leaves the queue) as soon as `cancel` is set; whoever sets it should call
    /// [`wake`](Self::wake).
    /// The flag is read under the pool's lock, and `wake` takes that lock, so once a
    /// canceller's `wake` has returned, no place is handed out for that flag.
    pub(crate) fn acquire(
        &self,
        cancel: Option<&AtomicBool>,
        width: RunWidth,
        ids: usize,
    ) -> Option<Lease<'_>> {
        let cancelled = || cancel.is_some_and(|c| c.load(Ordering::Acquire));
        let mut state = self.lock_state();
        let ticket = state.next_ticket;
        state.next_ticket += 1;
        state.queue.push_back(ticket);
        loop {
            if cancelled() {
                state.queue.retain(|&t| t != ticket);
                drop(state);
                // The head may have changed: let the next waiter look.
                self.available.notify_all();
                return None;
            }
            let idle = state.free.len() == self.places;
            if state.queue.front() == Some(&ticket)
                && state.admits(self.places, self.ids_in_flight, ids)
                && let Some(index) = state.free.pop()
            {
                // A run that is alone takes the narrow session on its caller's word that
                // others will start beside it, if one as long as it could.
                let narrow_asked = width == RunWidth::Narrow && short(ids, self.ids_in_flight);
                let session = match self.layout {
                    Layout::Fixed => index % self.sessions.len(),
                    Layout::Adaptive => usize::from(!idle || narrow_asked),
                };
                state.ids_running += ids;
                state.queue.pop_front();
                state.grants += 1;
                state.beside += u64::from(!idle);
                state.narrow += u64::from(self.layout == Layout::Adaptive && session == 1);
                let more = !state.free.is_empty() && !state.queue.is_empty();
                drop(state);
                if more {
                    self.available.notify_all();
                }
                return Some(Lease {
                    pool: self,
                    index,
                    session,
                    ids,
                });
            }
            state = self
                .available
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Wakes every waiter so that cancelled ones can leave the queue.
    pub(crate) fn wake(&self) {
        let _state = self.lock_state();
        self.available.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::State;

    fn state(places: usize, running: &[usize]) -> State {
        State {
            free: (running.len()..places).collect(),
            ids_running: running.iter().sum(),
            ..State::default()
        }
    }

    #[test]
    fn a_run_starts_beside_others_only_within_the_budget_of_ids() {
        // Two places, a budget of 256 ids.
        assert!(state(2, &[]).admits(2, 256, 100));
        assert!(state(2, &[100]).admits(2, 256, 128));
        assert!(state(2, &[128]).admits(2, 256, 128));
        assert!(!state(2, &[100]).admits(2, 256, 157));
        assert!(!state(2, &[200]).admits(2, 256, 100));
        // A long run alone may have a short one beside it, not a long one.
        assert!(state(2, &[200]).admits(2, 256, 56));
        assert!(!state(2, &[10]).admits(2, 256, 129));
        // No free place, whatever the ids.
        assert!(!state(2, &[10, 10]).admits(2, 256, 1));
        // Without a budget the places alone decide.
        assert!(state(2, &[500]).admits(2, usize::MAX, 510));
    }

    #[test]
    fn a_run_alone_starts_whatever_its_length() {
        assert!(state(2, &[]).admits(2, 256, 510));
        assert!(state(1, &[]).admits(1, 0, 1));
        // A budget of 0: never two at once.
        assert!(!state(2, &[1]).admits(2, 0, 1));
        assert!(!state(3, &[0]).admits(3, 0, 1));
    }
}
