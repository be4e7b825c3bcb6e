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
//! the queue, so callers are served in arrival order. A panic while a place is held returns it
//! to the pool (the guard's `Drop`): the session is still valid (ONNX Runtime never saw the
//! panic).

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
    state: Mutex<State>,
    available: Condvar,
}

/// A place taken from the pool; it goes back on drop (also while unwinding).
pub(crate) struct Lease<'p> {
    pool: &'p Pool,
    index: usize,
    session: usize,
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
            state: Mutex::new(State {
                free,
                ..State::default()
            }),
            available: Condvar::new(),
        }
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

    /// Waits for a free place, first come first served. Returns `None` (and leaves the
    /// queue) as soon as `cancel` is set; whoever sets it should call [`wake`](Self::wake).
    /// The flag is read under the pool's lock, and `wake` takes that lock, so once a
    /// canceller's `wake` has returned, no place is handed out for that flag.
    pub(crate) fn acquire(
        &self,
        cancel: Option<&AtomicBool>,
        width: RunWidth,
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
                && let Some(index) = state.free.pop()
            {
                let session = match self.layout {
                    Layout::Fixed => index % self.sessions.len(),
                    Layout::Adaptive => usize::from(!idle || width == RunWidth::Narrow),
                };
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
