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
//! A store belongs to one loop and records that loop's [`LoopId`]. A timer
//! registered with it is fired only by that loop, so polling it while another
//! loop runs (or none) would wait forever;
//! [`assert_current`](TimerStore::assert_current) makes that a panic that
//! names the fix. It costs one thread-local read and a compare per poll of a
//! registered timer.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::task::Waker;
use std::time::{Duration, Instant};

use loop_core::{LoopId, Source};

use crate::clock::Clock;
use crate::messages;
use crate::timers::{NEVER, Timers};

/// When another timer is due within this of the earliest, the loop sleeps
/// until this long after the earliest, so that one wake-up serves them all.
/// Each wake-up costs the thread tens of microseconds of CPU in the kernel;
/// a lone timer is still woken for at its exact deadline.
const BATCH_WINDOW_NS: u64 = 100_000;

thread_local! {
    /// Sequence numbers for timers created on this thread: the tie-breaker
    /// among equal deadlines (creation order) and the identity of a
    /// registration. 0 is never handed out.
    static NEXT_SEQ: Cell<u64> = const { Cell::new(1) };
}

/// A fresh sequence number; see `NEXT_SEQ`.
#[inline]
pub(crate) fn next_seq() -> u64 {
    NEXT_SEQ.with(|next| {
        let seq = next.get();
        next.set(seq + 1);
        seq
    })
}

/// A loop's timers and clock.
#[derive(Debug)]
pub(crate) struct TimerStore {
    /// The loop this store is attached to; see "Loop affinity".
    loop_id: LoopId,
    origin: Instant,
    clock: Clock,
    timers: RefCell<Timers>,
    /// The wakers of the timers one dispatch fires, kept to reuse its memory.
    fired: RefCell<Vec<Waker>>,
}

impl TimerStore {
    /// A store for the loop `loop_id`; `current.rs` attaches it to the loop.
    pub(crate) fn new(loop_id: LoopId) -> TimerStore {
        TimerStore {
            loop_id,
            origin: Instant::now(),
            clock: Clock::new(),
            timers: RefCell::new(Timers::default()),
            fired: RefCell::new(Vec::new()),
        }
    }

    /// Panics unless this store's loop is the one running on this thread:
    /// called when a timer registered here is polled (see "Loop affinity").
    #[inline]
    #[track_caller]
    pub(crate) fn assert_current(&self) {
        if !self.loop_id.is_current() {
            self.polled_off_its_loop();
        }
    }

    #[cold]
    #[inline(never)]
    #[track_caller]
    fn polled_off_its_loop(&self) -> ! {
        match LoopId::current() {
            None => panic!("{}", messages::NO_LOOP),
            Some(polled_on) => panic!(
                "{} (the timer belongs to {}, and was polled on {polled_on})",
                messages::WRONG_LOOP,
                self.loop_id
            ),
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
    use std::cell::Cell as StdCell;
    use std::rc::Rc;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Wake;

    use loop_core::Loop;

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
        let store = TimerStore::new(Loop::new().id());
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

    #[test]
    fn a_store_tells_its_own_loop_from_another() {
        let lp = Loop::new();
        let store = Rc::new(TimerStore::new(lp.id()));
        let checked = Rc::new(StdCell::new(false));
        let (inside, flag) = (store.clone(), checked.clone());
        lp.run_task(async move {
            inside.assert_current();
            flag.set(true);
        });
        assert!(checked.get());
        let other = Loop::new();
        let result = other
            .run_task(async { panic::catch_unwind(AssertUnwindSafe(|| store.assert_current())) });
        let payload = result.expect_err("polled on another loop");
        let msg = payload
            .downcast_ref::<String>()
            .expect("a formatted message");
        assert!(msg.starts_with(messages::WRONG_LOOP), "{msg}");
        let payload = panic::catch_unwind(AssertUnwindSafe(|| store.assert_current()))
            .expect_err("polled outside any loop");
        let msg = payload
            .downcast_ref::<String>()
            .expect("a formatted message");
        assert_eq!(msg, messages::NO_LOOP);
    }
}
