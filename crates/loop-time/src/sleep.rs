//! `Sleep`, `sleep` and `sleep_until`: the talk's helpers, without the
//! polling. The talk's `sleep_until` calls `interrupt()` until the clock says
//! the time has come; a `Sleep` registers once with its loop's timer store and
//! costs nothing until the store wakes it.
//!
//! A `Sleep` is in one of three states: not registered yet (`Idle`: created,
//! or reset), registered under a slot and sequence number (`Waiting`), or
//! done (`Elapsed`). It can be created anywhere, and registers with the
//! store of the loop that polls it; dropping it while `Waiting` frees its
//! slot.
//!
//! # Send, and which loop a sleep belongs to
//!
//! A `Sleep` is `Send + Sync`, so that code bound by `Send` (hyper's timer,
//! tower, a `Spawner` task) can hold one, and it moves with the task that
//! awaits it:
//! - Its home is the id of the loop it is registered with. It reaches that
//!   loop's timer store through a per-thread cache of a
//!   [`LoopBound`](loop_core::LoopBound), which lends the store only while
//!   that loop runs on the thread (two thread-local reads and compares per
//!   poll), with no reference count and one word in the sleep. Nothing is
//!   shared between threads.
//! - Polled on another loop, it releases its old registration and registers
//!   with the loop polling it, as if it were new there: a sleep handed to
//!   another loop just works. Polled where no loop runs, it panics naming
//!   the fix.
//! - Dropped (or reset) away from its loop, it cannot touch that loop's
//!   store: it hands the release to the loop as a small task
//!   ([`LoopId::defer`](loop_core::LoopId::defer)). If the loop is gone, there is nothing to release.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use loop_core::LoopId;

use crate::current;
use crate::store::{TimerStore, next_seq};

/// How far ahead a deadline that overflows `Instant` is put: far enough that
/// it never fires (see `store.rs`), near enough to be an `Instant`.
const FOREVER: Duration = Duration::from_secs(1 << 40);

/// `at + duration`, or a deadline that never comes if that overflows.
pub(crate) fn deadline_after(at: Instant, duration: Duration) -> Instant {
    at.checked_add(duration)
        .or_else(|| at.checked_add(FOREVER))
        .unwrap_or(at)
}

/// Waits until `duration` has passed, on the current loop's clock.
///
/// The deadline is [`now()`](crate::now) + `duration`, taken when `sleep` is
/// called. `Duration::ZERO` completes on the first poll; a duration too large
/// for an `Instant` (such as `Duration::MAX`) never completes, and does not
/// panic.
///
/// # Precision
///
/// Never early: the future completes only once the loop's clock has reached
/// the deadline. On an idle loop it completes promptly after it (the loop
/// parks its thread until exactly that instant; expect tens of microseconds
/// of lateness from the kernel's scheduling). When other timers are due
/// within 100 µs after it, the loop wakes once for all of them, 100 µs after
/// the earliest. Timers that share a deadline fire in the order they were
/// created.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
/// use loop_core::Loop;
/// use loop_time::sleep;
///
/// let start = Instant::now();
/// Loop::new().run_task(sleep(Duration::from_millis(20)));
/// assert!(start.elapsed() >= Duration::from_millis(20));
/// ```
#[doc(alias = "delay_for")]
#[doc(alias = "Timer::after")]
pub fn sleep(duration: Duration) -> Sleep {
    if duration.is_zero() {
        return Sleep::elapsed(current::now());
    }
    sleep_until(deadline_after(current::now(), duration))
}

/// Waits until `deadline`, on the current loop's clock: the talk's
/// `sleep_until(t)`.
///
/// A deadline already past completes on the first poll. Creating the
/// future does no work; it registers with the loop's timer store when first
/// polled.
///
/// # Precision
///
/// As for [`sleep`]: never early, promptly after the deadline on an idle
/// loop. Deadlines more than about 500 years ahead never fire.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
/// use loop_core::Loop;
/// use loop_time::sleep_until;
///
/// let deadline = Instant::now() + Duration::from_millis(10);
/// Loop::new().run_task(sleep_until(deadline));
/// assert!(Instant::now() >= deadline);
/// ```
#[doc(alias = "delay_until")]
#[doc(alias = "Timer::at")]
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        deadline,
        seq: next_seq(),
        state: State::Idle,
        home: None,
    }
}

/// The future of [`sleep`] and [`sleep_until`]: completes at its deadline.
///
/// It is `Unpin`, so it can be polled through `&mut` (`(&mut sleep).await`)
/// and moved to a new deadline with [`reset`](Sleep::reset).
///
/// # Cancellation
///
/// Dropping a `Sleep` before it completes cancels it: its slot in the
/// loop's timer store is freed at once and nothing is woken.
///
/// # Send, and other loops
///
/// It is `Send + Sync`. Once polled, it is registered with that loop's timer
/// store; polled later on another loop, it moves: it releases its place on
/// the first loop and registers with the one polling it (its deadline is
/// kept). Dropped on another thread, it hands the release of its place to
/// its loop. (Its deadline is an `Instant`: on a loop whose clock is paused,
/// it is read on that loop's clock.)
///
/// # Panics
///
/// Polling it outside a running goldiloop loop (for example on another
/// runtime) panics with a message that says so.
///
/// # Budget
///
/// It does not spend loop-core's cooperative budget: awaiting it is a wait
/// of its own (`Pending` until the deadline), and it completes once.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use loop_core::Loop;
/// use loop_time::sleep;
///
/// Loop::new().run_task(async {
///     let mut nap = sleep(Duration::from_millis(5));
///     let first = nap.deadline();
///     (&mut nap).await;
///     nap.reset(first + Duration::from_millis(5));
///     nap.await;
/// });
/// ```
#[doc(alias = "Timer")]
#[doc(alias = "Delay")]
#[must_use = "a `Sleep` does nothing unless awaited"]
pub struct Sleep {
    deadline: Instant,
    /// Identity and creation order; see `store.rs`.
    seq: u64,
    state: State,
    /// The loop it is registered with (or was, before a reset), found on
    /// first poll.
    home: Option<Home>,
}

/// The loop a sleep is registered with. Its store is reached through
/// loop-time's per-thread cache of a [`LoopBound`](loop_core::LoopBound) (`current.rs`), only while
/// that loop runs on the thread: the sleep keeps one word, not the bound
/// reference's two, which matters when a million of them are alive.
#[derive(Clone, Copy)]
struct Home(LoopId);

impl Home {
    /// Calls `f` with the store, if this loop is running on this thread.
    #[inline]
    fn with<R>(self, f: impl FnOnce(&TimerStore) -> R) -> Option<R> {
        current::with_store_of(self.0, f)
    }

    fn loop_id(self) -> LoopId {
        self.0
    }
}

/// Frees the place `(slot, seq)` in `home`'s store from a thread where that
/// loop is not running: as a small task on that loop, or not at all if the
/// loop is gone (its store went with it).
#[cold]
#[inline(never)]
fn release_away(home: Home, slot: u32, seq: u64) {
    home.loop_id().defer(move || {
        home.with(|store| store.cancel(slot, seq));
    });
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Idle,
    Waiting(u32),
    Elapsed,
}

impl Sleep {
    /// A sleep that is done before it starts (`sleep(Duration::ZERO)`).
    fn elapsed(deadline: Instant) -> Sleep {
        Sleep {
            deadline,
            seq: 0,
            state: State::Elapsed,
            home: None,
        }
    }

    /// The instant at which this sleep completes.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use loop_time::sleep_until;
    ///
    /// let at = Instant::now() + Duration::from_secs(1);
    /// assert_eq!(sleep_until(at).deadline(), at);
    /// ```
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// True once this sleep has completed (it has returned `Ready`, or its
    /// timer has fired and the next poll returns `Ready`).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use loop_core::Loop;
    /// use loop_time::sleep;
    ///
    /// Loop::new().run_task(async {
    ///     let mut nap = sleep(Duration::from_millis(1));
    ///     assert!(!nap.is_elapsed());
    ///     (&mut nap).await;
    ///     assert!(nap.is_elapsed());
    /// });
    /// ```
    ///
    /// Away from the loop it is registered with, that loop's store cannot be
    /// asked, and a waiting sleep answers from the real clock (its deadline
    /// against `Instant::now()`).
    pub fn is_elapsed(&self) -> bool {
        match (self.state, &self.home) {
            (State::Elapsed, _) => true,
            (State::Waiting(slot), Some(home)) => home
                .with(|store| !store.is_registered(slot, self.seq))
                .unwrap_or_else(|| self.deadline <= Instant::now()),
            _ => false,
        }
    }

    /// Moves this sleep to a new deadline, whether it is waiting, done or not
    /// yet polled. A task already waiting on it is woken at the new deadline
    /// (at once if it is past), without polling it again first.
    ///
    /// Among timers that share a deadline, a reset one counts as created
    /// now.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use loop_core::Loop;
    /// use loop_time::{now, pause, sleep};
    ///
    /// Loop::new().run_task(async {
    ///     pause();
    ///     let start = now();
    ///     let mut nap = sleep(Duration::from_secs(60));
    ///     nap.reset(start + Duration::from_secs(1));
    ///     nap.await;
    ///     assert_eq!(now() - start, Duration::from_secs(1));
    /// });
    /// ```
    pub fn reset(&mut self, deadline: Instant) {
        self.deadline = deadline;
        let old_seq = std::mem::replace(&mut self.seq, next_seq());
        if let (State::Waiting(slot), Some(home)) = (self.state, self.home) {
            let new_seq = self.seq;
            match home.with(|store| store.reschedule(slot, old_seq, deadline, new_seq)) {
                Some(true) => return,
                Some(false) => {}
                None => release_away(home, slot, old_seq),
            }
        }
        self.state = State::Idle;
    }

    /// A sleep of `duration` from now on the current loop, registered at
    /// once to wake `waker`: what a timeout makes when its future first
    /// waits, with a single clock read.
    #[track_caller]
    pub(crate) fn started(duration: Duration, waker: &Waker) -> Sleep {
        let seq = next_seq();
        current::with_bound_store(|bound, store| {
            let deadline = deadline_after(store.now(), duration);
            let state = if duration.is_zero() {
                State::Elapsed
            } else {
                State::Waiting(store.register(deadline, seq, waker.clone()))
            };
            Sleep {
                deadline,
                seq,
                state,
                home: Some(Home(bound.loop_id())),
            }
        })
    }

    /// The current time on this sleep's loop clock while that loop runs here;
    /// otherwise `now()`.
    pub(crate) fn now(&self) -> Instant {
        self.home
            .and_then(|home| home.with(TimerStore::now))
            .unwrap_or_else(current::now)
    }

    /// Registers with the loop running now, to wake `waker` at the deadline
    /// (or completes, if the deadline is past on that loop's clock).
    #[track_caller]
    fn register_here(&mut self, waker: &Waker) -> Poll<()> {
        let (deadline, seq) = (self.deadline, self.seq);
        let (id, slot) = current::with_bound_store(|bound, store| {
            let slot =
                (deadline > store.now()).then(|| store.register(deadline, seq, waker.clone()));
            (bound.loop_id(), slot)
        });
        self.home = Some(Home(id));
        match slot {
            Some(slot) => {
                self.state = State::Waiting(slot);
                Poll::Pending
            }
            None => {
                self.state = State::Elapsed;
                Poll::Ready(())
            }
        }
    }

    /// Moves a waiting sleep to the loop polling it: frees its place on its
    /// old loop and registers here, with a sequence number of this thread.
    #[cold]
    #[inline(never)]
    #[track_caller]
    fn move_here(&mut self, slot: u32, waker: &Waker) -> Poll<()> {
        // Find the new loop first: where none runs, this panics and the
        // sleep stays registered where it was.
        current::with_bound_store(|_, _| ());
        if let Some(old) = self.home.take() {
            release_away(old, slot, self.seq);
        }
        self.seq = next_seq();
        self.register_here(waker)
    }
}

impl Future for Sleep {
    type Output = ();

    #[track_caller]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        match this.state {
            State::Elapsed => Poll::Ready(()),
            State::Waiting(slot) => {
                let home = this.home.expect("a waiting Sleep has its home");
                let seq = this.seq;
                match home.with(|store| store.refresh(slot, seq, cx.waker())) {
                    Some(true) => Poll::Pending,
                    Some(false) => {
                        this.state = State::Elapsed;
                        Poll::Ready(())
                    }
                    None => this.move_here(slot, cx.waker()),
                }
            }
            State::Idle => this.register_here(cx.waker()),
        }
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let (State::Waiting(slot), Some(home)) = (self.state, self.home) {
            let seq = self.seq;
            if home.with(|store| store.cancel(slot, seq)).is_none() {
                release_away(home, slot, seq);
            }
        }
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline)
            .field("elapsed", &self.is_elapsed())
            .finish_non_exhaustive()
    }
}
