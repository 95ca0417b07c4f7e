//! The timer store: one per loop, attached to it as a loop-core [`Source`]
//! the first time a timer or the clock is used on it.
//!
//! It holds the loop's [`Clock`] and its [`Timers`]. Around each park the
//! loop asks it for the earliest deadline (the park's timeout; translated to
//! real time, or "now" when the clock is paused so that auto-advance can
//! happen right after a non-blocking look at the outside world), then calls
//! [`dispatch`](Source::dispatch), which wakes the tasks whose deadline has
//! come, earliest first.
//!
//! Deadlines are kept as nanoseconds since `origin` (the virtual time when
//! the store was created; virtual time never goes below it): exact, so a
//! timer fires neither early nor rounded, and cheap to compare. A deadline
//! more than `u64::MAX` nanoseconds (about 584 years) after `origin` is
//! [`NEVER`]: it is held, but never scheduled, and a paused clock never
//! jumps to it.
//!
//! Loop-local: `RefCell`s whose borrows never span a wake (wakers are
//! collected first and woken after the borrow ends).
//!
//! # Faults: a panicking waker
//!
//! A waker is foreign code: a task's, or one a user's future made. When one
//! panics in [`fire`](TimerStore::fire), the panic is caught and the batch
//! goes on: every other waker due in it is still woken, in order, no
//! `RefCell` is left borrowed and the reused `fired` buffer is left empty.
//! The panic is then *not* propagated into the loop: the process's panic
//! hook has already reported it (the default hook prints it with its
//! location) when it was raised, and
//! the loop, its other tasks and its other timers carry on. The timer whose
//! waker panicked has fired all the same (its slot is free, and its `Sleep`
//! is ready when next polled).
//!
//! # Loop affinity
//!
//! A store belongs to one loop, and a timer registered with it is fired only
//! by that loop. A `Sleep` keeps its store as a [`LoopBound`](loop_core::LoopBound),
//! usable only while that loop runs on the thread (one thread-local read and
//! a compare per poll), and moves to the loop polling it otherwise (see
//! `sleep.rs`).

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::task::Waker;
use std::time::{Duration, Instant};

use loop_core::Source;

use crate::clock::Clock;
use crate::timers::{NEVER, Timers};

/// When another timer is due within this of the earliest, the loop sleeps
/// until this long after the earliest, so that one wake-up serves them all.
/// Each wake-up costs the thread tens of microseconds of CPU in the kernel;
/// a lone timer is still woken for at its exact deadline.
const BATCH_WINDOW_NS: u64 = 100_000;

/// How many sequence numbers a thread takes from [`SEQ_BLOCKS`] at a time.
const SEQ_BLOCK: u64 = 1 << 16;

/// The next block of sequence numbers not yet handed to any thread.
static SEQ_BLOCKS: AtomicU64 = AtomicU64::new(SEQ_BLOCK);

thread_local! {
    /// The sequence numbers this thread hands out next: `[next, end)` of a
    /// block it took from [`SEQ_BLOCKS`].
    static SEQ: Cell<(u64, u64)> = const { Cell::new((1, SEQ_BLOCK)) };
}

/// A fresh sequence number: the tie-breaker among equal deadlines (creation
/// order, on one thread) and the identity of a registration, unique in the
/// process (a `Sleep` is `Send`, so one made on another thread may register
/// here). 0 is never handed out. Each thread takes a block of numbers at a
/// time, so that making a timer touches no shared memory.
#[inline]
pub(crate) fn next_seq() -> u64 {
    SEQ.with(|cell| {
        let (next, end) = cell.get();
        if next < end {
            cell.set((next + 1, end));
            next
        } else {
            let start = SEQ_BLOCKS.fetch_add(SEQ_BLOCK, Relaxed);
            cell.set((start + 1, start + SEQ_BLOCK));
            start
        }
    })
}

/// A loop's timers and clock.
#[derive(Debug)]
pub(crate) struct TimerStore {
    origin: Instant,
    clock: Clock,
    timers: RefCell<Timers>,
    /// The wakers of the timers one dispatch fires, kept to reuse its memory.
    fired: RefCell<Vec<Waker>>,
}

impl TimerStore {
    /// A new store; `current.rs` attaches it to a loop.
    pub(crate) fn new() -> TimerStore {
        TimerStore {
            origin: Instant::now(),
            clock: Clock::new(),
            timers: RefCell::new(Timers::default()),
            fired: RefCell::new(Vec::new()),
        }
    }

    pub(crate) fn now(&self) -> Instant {
        self.clock.now()
    }

    pub(crate) fn pause(&self) {
        self.clock.pause();
    }

    pub(crate) fn resume(&self) {
        self.clock.resume();
    }

    /// Moves the paused clock and fires what has come due.
    #[track_caller]
    pub(crate) fn advance(&self, by: Duration) {
        self.clock.advance(by);
        self.fire(self.key(self.clock.now()));
    }

    /// A deadline as nanoseconds since `origin`; see the module docs.
    fn key(&self, at: Instant) -> u64 {
        let since = at.saturating_duration_since(self.origin);
        u64::try_from(since.as_nanos()).unwrap_or(NEVER)
    }

    fn instant_of(&self, key: u64) -> Instant {
        self.origin + Duration::from_nanos(key)
    }

    /// Registers a timer for `at`, waking `waker` then. The caller has checked
    /// that `at` is still ahead.
    pub(crate) fn register(&self, at: Instant, seq: u64, waker: Waker) -> u32 {
        let key = self.key(at);
        loop_core::stats::count_timer_armed();
        self.timers.borrow_mut().insert(key, seq, waker)
    }

    /// See [`Timers::contains`].
    pub(crate) fn is_registered(&self, slot: u32, seq: u64) -> bool {
        self.timers.borrow().contains(slot, seq)
    }

    /// See [`Timers::refresh`].
    pub(crate) fn refresh(&self, slot: u32, seq: u64, waker: &Waker) -> bool {
        self.timers.borrow_mut().refresh(slot, seq, waker)
    }

    /// See [`Timers::reschedule`].
    pub(crate) fn reschedule(&self, slot: u32, seq: u64, at: Instant, new_seq: u64) -> bool {
        let key = self.key(at);
        self.timers.borrow_mut().reschedule(slot, seq, key, new_seq)
    }

    /// Cancels a timer, if it has not fired.
    pub(crate) fn cancel(&self, slot: u32, seq: u64) {
        let waker = self.timers.borrow_mut().remove(slot, seq);
        drop(waker);
    }

    /// How many timers are registered.
    pub(crate) fn len(&self) -> usize {
        self.timers.borrow().len()
    }

    /// Wakes every timer due at `now` (a key), earliest first. A waker that
    /// panics does not stop the batch, and its panic is not propagated; see
    /// "Faults" in the module docs.
    fn fire(&self, now: u64) {
        let mut fired = self.fired.take();
        self.timers.borrow_mut().pop_due(now, &mut fired);
        loop_core::stats::count_timers_fired(fired.len());
        let mut first_panic = None;
        for waker in fired.drain(..) {
            // No borrow is held here (module docs), and a waker that panics
            // has already been moved out of the batch: nothing it leaves
            // behind is observed broken, whence `AssertUnwindSafe`.
            if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| waker.wake())) {
                first_panic.get_or_insert(payload);
            }
        }
        self.fired.replace(fired);
        if let Some(payload) = first_panic {
            contain(payload);
        }
    }
}

impl Source for TimerStore {
    fn deadline(&self) -> Option<Instant> {
        let mut timers = self.timers.borrow_mut();
        let (Some(next), second) = timers.next_two() else {
            timers.shrink_if_empty();
            return None;
        };
        if self.clock.is_paused() {
            // Park without blocking; `dispatch(idle)` then jumps the clock.
            return Some(self.origin);
        }
        let wake = match second {
            Some(second) if second <= next.saturating_add(BATCH_WINDOW_NS) => {
                next.saturating_add(BATCH_WINDOW_NS)
            }
            _ => next,
        };
        self.clock.real_time_of(self.instant_of(wake))
    }

    fn dispatch(&self, idle: bool) {
        let mut timers = self.timers.borrow_mut();
        if timers.queued() == 0 {
            return;
        }
        let mut now = self.key(self.clock.now());
        if idle
            && self.clock.is_paused()
            && let Some(next) = timers.next()
            && next > now
        {
            self.clock.jump_to(self.instant_of(next));
            now = next;
        }
        drop(timers);
        self.fire(now);
    }
}

/// Ends a foreign panic caught in [`TimerStore::fire`] without propagating
/// it: the panic hook has printed it already. Dropping the payload runs
/// foreign code too, so a panic from that is swallowed as well (and its own
/// payload leaked rather than dropped).
#[cold]
fn contain(payload: Box<dyn Any + Send>) {
    if let Err(again) = panic::catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        std::mem::forget(again);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Wake;

    use super::*;

    /// Counts its wakes, and panics in them if told to.
    struct Probe {
        wakes: AtomicUsize,
        panics: bool,
    }

    impl Wake for Probe {
        fn wake(self: Arc<Self>) {
            self.wakes.fetch_add(1, Ordering::SeqCst);
            assert!(!self.panics, "a waker that panics (on purpose, in a test)");
        }
    }

    fn probe(panics: bool) -> Arc<Probe> {
        Arc::new(Probe {
            wakes: AtomicUsize::new(0),
            panics,
        })
    }

    #[test]
    fn a_panicking_waker_does_not_stop_the_rest_of_the_batch() {
        let store = TimerStore::new();
        store.pause();
        let at = store.now() + Duration::from_secs(1);
        let probes = [probe(false), probe(true), probe(true), probe(false)];
        for p in &probes {
            store.register(at, next_seq(), Waker::from(p.clone()));
        }
        store.advance(Duration::from_secs(1)); // must not panic
        for p in &probes {
            assert_eq!(p.wakes.load(Ordering::SeqCst), 1);
        }
        assert_eq!(store.len(), 0);
        // nothing left borrowed or buffered: the store works on
        assert!(store.fired.try_borrow_mut().is_ok_and(|f| f.is_empty()));
        assert!(store.timers.try_borrow_mut().is_ok());
        let after = probe(false);
        let seq = next_seq();
        let slot = store.register(at + Duration::from_secs(1), seq, Waker::from(after.clone()));
        store.advance(Duration::from_secs(1));
        assert_eq!(after.wakes.load(Ordering::SeqCst), 1);
        assert!(!store.is_registered(slot, seq));
    }
}
