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

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::task::Waker;
use std::time::{Duration, Instant};

use loop_core::{Loop, Source};

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
    origin: Instant,
    clock: Clock,
    timers: RefCell<Timers>,
    /// The wakers of the timers one dispatch fires, kept to reuse its memory.
    fired: RefCell<Vec<Waker>>,
}

impl TimerStore {
    pub(crate) fn new() -> TimerStore {
        TimerStore {
            origin: Instant::now(),
            clock: Clock::new(),
            timers: RefCell::new(Timers::default()),
            fired: RefCell::new(Vec::new()),
        }
    }

    /// The store of the loop running on this thread, attached on first use.
    ///
    /// # Panics
    ///
    /// Outside a running loop, with a message that says what to do.
    #[track_caller]
    pub(crate) fn current() -> Rc<TimerStore> {
        match Loop::try_current() {
            Some(handle) => handle.source(TimerStore::new),
            None => panic!("{}", messages::NO_LOOP),
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

    /// Wakes every timer due at `now` (a key), earliest first.
    fn fire(&self, now: u64) {
        let mut fired = self.fired.take();
        self.timers.borrow_mut().pop_due(now, &mut fired);
        for waker in fired.drain(..) {
            waker.wake();
        }
        self.fired.replace(fired);
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

/// How many timers the current loop's store holds: registered by a first
/// poll, neither fired nor cancelled yet.
///
/// Dropping a [`Sleep`](crate::Sleep) or a timeout cancels its timer and
/// frees its slot at once, so this drops back to 0 when they are gone.
///
/// # Panics
///
/// Outside a running goldiloop loop.
///
/// # Examples
///
/// ```
/// use std::future::Future;
/// use std::pin::pin;
/// use std::task::{Context, Waker};
/// use std::time::Duration;
/// use loop_core::Loop;
/// use loop_time::{sleep, timer_count};
///
/// Loop::new().run_task(async {
///     let mut nap = pin!(sleep(Duration::from_secs(60)));
///     assert!(nap.as_mut().poll(&mut Context::from_waker(Waker::noop())).is_pending());
///     assert_eq!(timer_count(), 1);
/// });
/// ```
#[track_caller]
pub fn timer_count() -> usize {
    TimerStore::current().len()
}
