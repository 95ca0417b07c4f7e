//! `Barrier`: `n` tasks wait until all `n` have arrived; then all go on, and
//! the barrier is ready for the next round.
//!
//! The count of arrivals and the waiting futures live behind one `Mutex`.
//! The `n`-th arrival is the round's leader: it resets the count, notifies
//! every waiting entry (the notification *is* the release, so a round's
//! waiters can't be confused with the next round's arrivals) and completes
//! at once. A waiting future that is dropped withdraws its arrival in the
//! same critical section in which it leaves the list, so a round never
//! completes short of `n` tasks.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll, Waker, ready};

use crate::wait_list::{Entry, WaitEntry, WaitList, WaitQueue, lock, wake_all};

/// Lets `n` tasks wait for each other: each calls
/// [`wait`](Barrier::wait), and all are released when the `n`-th arrives.
/// Then the next round starts, so one barrier serves many.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use loop_core::Loop;
/// use loop_sync::{Barrier, gather};
///
/// let lp = Loop::new();
/// let barrier = Arc::new(Barrier::new(3));
/// let tasks = (0..3).map(|_| {
///     let barrier = barrier.clone();
///     lp.add_task(async move { barrier.wait().await.is_leader() })
/// });
/// let leaders = lp.run_task(gather(tasks));
/// assert_eq!(leaders.iter().filter(|l| *l.as_ref().unwrap()).count(), 1);
/// ```
#[doc(alias = "CyclicBarrier")]
pub struct Barrier {
    n: usize,
    state: Mutex<State>,
}

pub(crate) struct State {
    /// Tasks waiting in the current round.
    arrived: usize,
    waiters: WaitList<()>,
}

impl WaitQueue for Barrier {
    type State = State;
    type Value = ();

    fn state(&self) -> &Mutex<State> {
        &self.state
    }

    fn waiters(state: &mut State) -> &mut WaitList<()> {
        &mut state.waiters
    }
}

impl Barrier {
    /// A barrier for rounds of `n` tasks (`0` is taken as `1`: every task
    /// passes alone, and is its round's leader).
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    /// use loop_sync::Barrier;
    ///
    /// let barrier = Barrier::new(1);
    /// let result = Loop::new().run_task(barrier.wait());
    /// assert!(result.is_leader());
    /// ```
    pub fn new(n: usize) -> Barrier {
        Barrier {
            n: n.max(1),
            state: Mutex::new(State {
                arrived: 0,
                waiters: WaitList::new(),
            }),
        }
    }

    /// Arrives and waits until `n` tasks have; the `n`-th is the leader.
    ///
    /// The arrival counts from the future's first poll.
    ///
    /// # Cancellation
    ///
    /// Dropping the future before its round is complete withdraws its
    /// arrival: the round then waits for another task. Dropping it after the
    /// round was released changes nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    /// use loop_sync::{Barrier, gather};
    ///
    /// let barrier = Barrier::new(2);
    /// let results = Loop::new().run_task(gather([barrier.wait(), barrier.wait()]));
    /// assert_eq!(results.iter().filter(|r| r.is_leader()).count(), 1);
    /// ```
    pub fn wait(&self) -> BarrierWait<'_> {
        BarrierWait {
            entry: WaitEntry::new(self),
            done: None,
        }
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Barrier")
            .field("n", &self.n)
            .field("arrived", &lock(&self.state).arrived)
            .finish()
    }
}

/// The future returned by [`Barrier::wait`].
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
/// use loop_sync::{Barrier, BarrierWait};
///
/// let barrier = Barrier::new(1);
/// let wait: BarrierWait<'_> = barrier.wait();
/// assert!(Loop::new().run_task(wait).is_leader());
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct BarrierWait<'a> {
    entry: WaitEntry<&'a Barrier>,
    /// The result, once the round was released.
    done: Option<BarrierWaitResult>,
}

impl Future for BarrierWait<'_> {
    type Output = BarrierWaitResult;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<BarrierWaitResult> {
        let this = &mut *self;
        if let Some(done) = this.done {
            return Poll::Ready(done);
        }
        if !this.entry.is_queued() {
            // Only an arrival may complete at once (as the leader).
            ready!(loop_core::poll_budget(cx));
        }
        let n = this.entry.queue().n;
        let mut locked = this.entry.lock();
        let leader = match locked.poll(cx.waker()) {
            Entry::Notified => false,
            Entry::Waiting => return Poll::Pending,
            Entry::Unqueued if locked.arrived + 1 < n => {
                locked.arrived += 1;
                locked.push(cx.waker(), None);
                return Poll::Pending;
            }
            Entry::Unqueued => {
                locked.arrived = 0;
                let mut wakers = Vec::new();
                locked.waiters.notify_all(&mut wakers);
                drop(locked);
                wake_all(wakers);
                true
            }
        };
        let done = BarrierWaitResult { leader };
        this.done = Some(done);
        Poll::Ready(done)
    }
}

impl Drop for BarrierWait<'_> {
    fn drop(&mut self) {
        if !self.entry.is_queued() {
            return;
        }
        let mut locked = self.entry.lock();
        if locked.poll(Waker::noop()) == Entry::Waiting {
            // Still waiting in an incomplete round: withdraw.
            locked.remove();
            locked.arrived -= 1;
        }
    }
}

impl fmt::Debug for BarrierWait<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BarrierWait")
            .field("queued", &self.entry.is_queued())
            .field("done", &self.done)
            .finish()
    }
}

/// What [`Barrier::wait`] gives: whether this task was its round's leader.
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
/// use loop_sync::{Barrier, BarrierWaitResult};
///
/// let result: BarrierWaitResult = Loop::new().run_task(Barrier::new(1).wait());
/// assert!(result.is_leader());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BarrierWaitResult {
    leader: bool,
}

impl BarrierWaitResult {
    /// True for exactly one task of each round: the one whose arrival
    /// completed it.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    /// use loop_sync::Barrier;
    ///
    /// assert!(Loop::new().run_task(Barrier::new(1).wait()).is_leader());
    /// ```
    pub fn is_leader(&self) -> bool {
        self.leader
    }
}
