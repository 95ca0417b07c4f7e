//! The loop's clock: real time, or a paused clock that tests move by hand
//! ([`advance`]) or that jumps to the next deadline when every task waits on
//! a timer (auto-advance).
//!
//! Each loop has its own clock, kept in its timer store. It tells *virtual*
//! time as a std [`Instant`]: equal to real time until the clock is first
//! paused; while paused it stands still; after [`resume`] it runs again at
//! the speed of real time from where it stood, so it never goes backwards.
//! Timers are keyed in virtual time; the store translates the earliest
//! deadline back to real time for the loop's park.
//!
//! A thread-local flag remembers whether any clock on this thread was ever
//! paused: until then, [`now`] is just `Instant::now()`, with no lookup.

use std::cell::Cell;
use std::time::{Duration, Instant};

use loop_core::Loop;

use crate::messages;
use crate::store::TimerStore;

thread_local! {
    /// Set once a clock on this thread is paused: virtual time may then
    /// differ from real time, and `now()` must ask the current loop.
    static SHIFTED: Cell<bool> = const { Cell::new(false) };
}

/// A loop's clock; see the module docs.
#[derive(Debug)]
pub(crate) struct Clock {
    /// While paused: the virtual time it stands at.
    paused: Cell<Option<Instant>>,
    /// Once paused and resumed: (real, virtual) time at the resume, from
    /// which virtual time runs on. `None`: virtual time is real time.
    shift: Cell<Option<(Instant, Instant)>>,
}

impl Clock {
    pub(crate) fn new() -> Clock {
        Clock {
            paused: Cell::new(None),
            shift: Cell::new(None),
        }
    }

    /// The current virtual time.
    #[inline]
    pub(crate) fn now(&self) -> Instant {
        if let Some(frozen) = self.paused.get() {
            return frozen;
        }
        match self.shift.get() {
            None => Instant::now(),
            Some((real, virt)) => {
                let ran = Instant::now().saturating_duration_since(real);
                virt.checked_add(ran).unwrap_or(virt)
            }
        }
    }

    pub(crate) fn is_paused(&self) -> bool {
        self.paused.get().is_some()
    }

    pub(crate) fn pause(&self) {
        if !self.is_paused() {
            SHIFTED.set(true);
            self.paused.set(Some(self.now()));
        }
    }

    pub(crate) fn resume(&self) {
        if let Some(frozen) = self.paused.take() {
            self.shift.set(Some((Instant::now(), frozen)));
        }
    }

    /// Moves a paused clock to `to`, if that is later than where it stands.
    pub(crate) fn jump_to(&self, to: Instant) {
        if let Some(frozen) = self.paused.get()
            && to > frozen
        {
            self.paused.set(Some(to));
        }
    }

    /// Moves a paused clock forward by `by`.
    #[track_caller]
    pub(crate) fn advance(&self, by: Duration) {
        let Some(frozen) = self.paused.get() else {
            panic!("{}", messages::NOT_PAUSED);
        };
        let to = frozen
            .checked_add(by)
            .unwrap_or_else(|| panic!("{}", messages::ADVANCE_OVERFLOW));
        self.paused.set(Some(to));
    }

    /// The real instant at which virtual time reaches `at`, for the loop's
    /// park (which waits in real time). `None` if it cannot be represented.
    pub(crate) fn real_time_of(&self, at: Instant) -> Option<Instant> {
        match self.shift.get() {
            None => Some(at),
            Some((real, virt)) => real.checked_add(at.saturating_duration_since(virt)),
        }
    }
}

/// The current time on the loop running on this thread: its paused clock's
/// time while paused, real time otherwise (and outside any loop).
///
/// Use it to compute deadlines that respect [`pause`] and [`advance`]:
/// [`sleep`](crate::sleep) and [`interval`](crate::interval) start from it.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use loop_core::Loop;
///
/// Loop::new().run_task(async {
///     loop_time::pause();
///     let start = loop_time::now();
///     loop_time::sleep(Duration::from_secs(3600)).await; // instant: auto-advance
///     assert_eq!(loop_time::now() - start, Duration::from_secs(3600));
/// });
/// ```
pub fn now() -> Instant {
    if !SHIFTED.get() {
        return Instant::now();
    }
    match Loop::try_current() {
        Some(handle) => handle.source(TimerStore::new).now(),
        None => Instant::now(),
    }
}

/// Pauses the current loop's clock: [`now`] stands still, and timers fire
/// only when it is moved, by [`advance`] or by auto-advance.
///
/// While the clock is paused and no task of the loop is ready to run, the
/// clock jumps to the earliest timer's deadline and fires it (auto-advance),
/// so a test of an hour-long timeout runs instantly and deterministically.
/// The loop still looks (without blocking) at remote wakes and I/O before each
/// jump. Pausing a paused clock does nothing.
///
/// # Panics
///
/// Outside a running goldiloop loop.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use loop_core::Loop;
/// use loop_time::{pause, sleep, timeout};
///
/// let result = Loop::new().run_task(async {
///     pause();
///     timeout(Duration::from_secs(60), sleep(Duration::from_secs(3600))).await
/// });
/// assert!(result.is_err()); // took no real time
/// ```
#[track_caller]
pub fn pause() {
    TimerStore::current().pause();
}

/// Lets the current loop's clock run again, at the speed of real time from
/// where it stands (it never goes backwards). Resuming a running clock does
/// nothing.
///
/// # Panics
///
/// Outside a running goldiloop loop.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use loop_core::Loop;
///
/// Loop::new().run_task(async {
///     loop_time::pause();
///     loop_time::advance(Duration::from_secs(10)).await;
///     loop_time::resume();
///     let before = loop_time::now();
///     loop_time::sleep(Duration::from_millis(1)).await; // real time again
///     assert!(loop_time::now() - before >= Duration::from_millis(1));
/// });
/// ```
#[track_caller]
pub fn resume() {
    TimerStore::current().resume();
}

/// Moves the current loop's paused clock forward by `duration`, fires every
/// timer whose deadline it passes (earliest first), and gives the tasks they
/// wake a turn before returning.
///
/// The clock moves when `advance` is called; awaiting the returned future
/// then lets the woken tasks run (they are queued ahead of the caller), so
/// that after `advance(d).await` every task that was waiting on a timer due
/// by then has taken its step.
///
/// # Panics
///
/// Outside a running goldiloop loop; if the clock is not paused (call
/// [`pause`] first); if the clock would pass the largest `Instant`.
///
/// # Examples
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use std::time::Duration;
/// use loop_core::{Loop, spawn};
/// use loop_time::{advance, pause, sleep};
///
/// Loop::new().run_task(async {
///     pause();
///     let rang = Rc::new(Cell::new(false));
///     let flag = rang.clone();
///     let _alarm = spawn(async move {
///         sleep(Duration::from_secs(5)).await;
///         flag.set(true);
///     });
///     loop_core::interrupt().await; // let the alarm task start its sleep
///     advance(Duration::from_secs(4)).await;
///     assert!(!rang.get());
///     advance(Duration::from_secs(1)).await;
///     assert!(rang.get());
/// });
/// ```
#[track_caller]
pub fn advance(duration: Duration) -> impl Future<Output = ()> {
    let store = TimerStore::current();
    store.advance(duration);
    loop_core::interrupt()
}
