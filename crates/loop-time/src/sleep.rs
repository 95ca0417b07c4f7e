//! `Sleep`, `sleep` and `sleep_until`: the talk's helpers, without the
//! polling. The talk's `sleep_until` calls `interrupt()` until the clock says
//! the time has come; a `Sleep` registers once with its loop's timer store and
//! costs nothing until the store wakes it.
//!
//! A `Sleep` is in one of three states: not registered yet (`Idle`: created,
//! or reset), registered under a slot and sequence number (`Waiting`), or
//! done (`Elapsed`). It finds its loop's store on first poll and keeps it, so
//! it can be created anywhere; dropping it while `Waiting` frees its slot.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

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
        store: None,
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
/// # Panics
///
/// Polling it outside a running goldiloop loop (for example on another
/// runtime) panics with a message that says so. Once polled, it belongs to
/// that loop (its timer store is that loop's): polling it on another loop
/// panics with a message that says to create the sleep inside the task on
/// the loop that awaits it (it would otherwise wait forever).
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
    /// The loop's store, found on first poll.
    store: Option<Rc<TimerStore>>,
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
            store: None,
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
    pub fn is_elapsed(&self) -> bool {
        match (self.state, &self.store) {
            (State::Elapsed, _) => true,
            (State::Waiting(slot), Some(store)) => !store.is_registered(slot, self.seq),
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
        if let (State::Waiting(slot), Some(store)) = (self.state, &self.store)
            && store.reschedule(slot, old_seq, deadline, self.seq)
        {
            return;
        }
        self.state = State::Idle;
    }

    /// A sleep of `duration` from now on the current loop, registered at
    /// once to wake `waker`: what a timeout makes when its future first
    /// waits, with a single clock read.
    #[track_caller]
    pub(crate) fn started(duration: Duration, waker: &Waker) -> Sleep {
        let store = current::store();
        let deadline = deadline_after(store.now(), duration);
        let seq = next_seq();
        let state = if duration.is_zero() {
            State::Elapsed
        } else {
            State::Waiting(store.register(deadline, seq, waker.clone()))
        };
        Sleep {
            deadline,
            seq,
            state,
            store: Some(store),
        }
    }

    /// The current time on this sleep's loop clock (`now()` until polled).
    pub(crate) fn now(&self) -> Instant {
        match &self.store {
            Some(store) => store.now(),
            None => current::now(),
        }
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
                let store = this.store.as_ref().expect("a waiting Sleep has its store");
                store.assert_current();
                if store.refresh(slot, this.seq, cx.waker()) {
                    Poll::Pending
                } else {
                    this.state = State::Elapsed;
                    Poll::Ready(())
                }
            }
            State::Idle => {
                let store = match &this.store {
                    // reset after it was registered: still its first loop's
                    Some(store) => {
                        store.assert_current();
                        store
                    }
                    None => this.store.insert(current::store()),
                };
                if this.deadline <= store.now() {
                    this.state = State::Elapsed;
                    return Poll::Ready(());
                }
                let slot = store.register(this.deadline, this.seq, cx.waker().clone());
                this.state = State::Waiting(slot);
                Poll::Pending
            }
        }
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let (State::Waiting(slot), Some(store)) = (self.state, &self.store) {
            store.cancel(slot, self.seq);
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
