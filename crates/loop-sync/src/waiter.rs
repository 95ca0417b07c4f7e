//! `Waiter`: the talk's countdown latch.
//!
//! The count is an `AtomicUsize`, so `set()` and `count()` take no lock while
//! the count stays above zero. The waiting futures sit in a `WaitList` behind a
//! `Mutex`. The count only goes down, and once it is zero it stays zero, which
//! keeps the hand-off simple:
//!
//! - the `set()` that takes the count from 1 to 0 locks the list, notifies
//!   every entry and wakes them after unlocking;
//! - a waiting future checks the count, and if it is not zero, checks it again
//!   under the lock before queueing. Because that `set()` stored zero before
//!   taking the lock, a future that queues under the lock is always seen by
//!   it: no wake-up is lost, and no future is woken before the count is zero.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};

use crate::wait_list::{Entry, WaitEntry, WaitList, WaitQueue, lock, wake_all};

/// A countdown latch, the talk's `Waiter(n)`: `set()` counts down, and waiting
/// completes once the count has reached zero.
///
/// Clones share one count, so a `Waiter` can be handed to the tasks that
/// call `set()` and to those that wait, on any loop or thread. Waiting is
/// waker-driven: a waiting task is polled again only when the count reaches
/// zero. `Waiter::new(0)` is already done, and `set()` past zero does nothing.
///
/// # Examples
///
/// The talk's `wait_job` and `count_up_to`: the job runs only after counting
/// is over.
///
/// ```
/// use loop_core::{Loop, interrupt};
/// use loop_sync::Waiter;
///
/// async fn wait_job(waiter: Waiter) {
///     waiter.await;
///     println!("job");
/// }
///
/// async fn count_up_to(waiter: Waiter, n: u32) {
///     for i in 1..=n {
///         println!("{i}");
///         interrupt().await;
///     }
///     waiter.set();
/// }
///
/// let lp = Loop::new();
/// let waiter = Waiter::new(1);
/// let _job = lp.add_task(wait_job(waiter.clone()));
/// let _count = lp.add_task(count_up_to(waiter, 5));
/// lp.run();
/// ```
#[doc(alias = "CountDownLatch")]
#[doc(alias = "countdown latch")]
#[doc(alias = "latch")]
#[doc(alias = "WaitGroup")]
#[derive(Clone)]
pub struct Waiter {
    inner: Arc<Inner>,
}

struct Inner {
    count: AtomicUsize,
    waiters: Mutex<WaitList<()>>,
}

impl WaitQueue for Inner {
    type State = WaitList<()>;
    type Value = ();

    fn state(&self) -> &Mutex<WaitList<()>> {
        &self.waiters
    }

    fn waiters(state: &mut WaitList<()>) -> &mut WaitList<()> {
        state
    }
}

impl Waiter {
    /// A waiter that completes after `n` calls to [`set`](Waiter::set).
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::Waiter;
    ///
    /// let waiter = Waiter::new(2);
    /// assert_eq!(waiter.count(), 2);
    /// assert_eq!(Waiter::new(0).count(), 0);
    /// ```
    pub fn new(n: usize) -> Waiter {
        Waiter {
            inner: Arc::new(Inner {
                count: AtomicUsize::new(n),
                waiters: Mutex::new(WaitList::new()),
            }),
        }
    }

    /// Counts down by one; the call that reaches zero wakes every waiting task.
    ///
    /// Calls once the count is zero do nothing.
    ///
    /// # Panics
    ///
    /// If a waiting task's waker panics (foreign code: an executor's, or a
    /// hand-written one). Every other waiting task is still woken and the
    /// count stays zero, with every waiter notified; then the first such
    /// panic is resumed here.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::Waiter;
    ///
    /// let waiter = Waiter::new(1);
    /// waiter.set();
    /// waiter.set(); // harmless
    /// assert_eq!(waiter.count(), 0);
    /// ```
    #[doc(alias = "count_down")]
    #[doc(alias = "done")]
    pub fn set(&self) {
        let previous = self
            .inner
            .count
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1));
        if previous == Ok(1) {
            let mut wakers = Vec::new();
            lock(&self.inner.waiters).notify_all(&mut wakers);
            wake_all(wakers);
        }
    }

    /// How many more `set()` calls it takes to reach zero.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::Waiter;
    ///
    /// let waiter = Waiter::new(3);
    /// waiter.clone().set();
    /// assert_eq!(waiter.count(), 2);
    /// ```
    pub fn count(&self) -> usize {
        self.inner.count.load(Ordering::Acquire)
    }

    /// A future that completes once the count has reached zero; the same as
    /// `waiter.await` or `(&waiter).await`.
    ///
    /// # Cancellation
    ///
    /// Dropping the future before it completes removes it from the waiter;
    /// nothing else is affected.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    /// use loop_sync::Waiter;
    ///
    /// let lp = Loop::new();
    /// let waiter = Waiter::new(2);
    /// let done = lp.add_task(waiter.wait());
    /// waiter.set();
    /// waiter.set();
    /// lp.run_task(done).unwrap();
    /// ```
    pub fn wait(&self) -> Wait {
        Wait {
            entry: WaitEntry::new(self.inner.clone()),
        }
    }
}

impl IntoFuture for Waiter {
    type Output = ();
    type IntoFuture = Wait;

    fn into_future(self) -> Wait {
        Wait {
            entry: WaitEntry::new(self.inner),
        }
    }
}

impl IntoFuture for &Waiter {
    type Output = ();
    type IntoFuture = Wait;

    fn into_future(self) -> Wait {
        self.wait()
    }
}

impl fmt::Debug for Waiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Waiter")
            .field("count", &self.count())
            .finish()
    }
}

/// The future returned by [`Waiter::wait`]; completes once the count is zero.
///
/// It holds a clone of the waiter, so it is `'static` and can be spawned.
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
/// use loop_sync::{Wait, Waiter};
///
/// let lp = Loop::new();
/// let waiter = Waiter::new(1);
/// let wait: Wait = waiter.wait();
/// let task = lp.add_task(wait);
/// waiter.set();
/// lp.run_task(task).unwrap();
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Wait {
    entry: WaitEntry<Arc<Inner>>,
}

impl Future for Wait {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let done = |inner: &Inner| inner.count.load(Ordering::Acquire) == 0;
        if done(self.entry.queue()) && !self.entry.is_queued() {
            // Ready without waiting: the case the cooperative budget is for
            // (a wait that was woken has waited, and pays nothing).
            ready!(loop_core::poll_budget(cx));
            return Poll::Ready(());
        }
        let mut locked = self.entry.lock();
        if done(locked.queue()) {
            // Notified or not: the count is zero, which is what we wait for.
            locked.remove();
            return Poll::Ready(());
        }
        match locked.poll(cx.waker()) {
            Entry::Unqueued => {
                locked.push(cx.waker(), None);
                Poll::Pending
            }
            Entry::Waiting => Poll::Pending,
            // Only the `set()` that reached zero notifies, so not reached
            // (the count was checked above); it would mean "done" anyway.
            Entry::Notified => Poll::Ready(()),
        }
    }
}

impl fmt::Debug for Wait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wait")
            .field("count", &self.entry.queue().count.load(Ordering::Relaxed))
            .field("queued", &self.entry.is_queued())
            .finish()
    }
}
