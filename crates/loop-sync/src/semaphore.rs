//! `Semaphore`: a count of permits, handed out in arrival order.
//!
//! The free permits and the waiting futures live together behind one `Mutex`.
//! Fairness is strict FIFO, by hand-off:
//!
//! - a future takes a free permit only if nobody is queued before it
//!   (`try_acquire` likewise), so a newcomer never overtakes a waiter;
//! - a released permit goes straight to the front waiter (its entry is
//!   notified, and the notification *is* the permit) instead of back to the
//!   free count, so it cannot be taken by someone else in between;
//! - a notified future that is dropped before it saw its permit releases the
//!   permit again, to the next waiter.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};

use crate::wait_list::{Entry, WaitEntry, WaitList, WaitQueue, lock, wake_all};

/// A count of permits; tasks [`acquire`](Semaphore::acquire) one and give it
/// back by dropping the [`Permit`].
///
/// Waiting tasks are served in the order they started waiting, and a task
/// never takes a free permit while others wait before it. Clones share one
/// count.
///
/// # Examples
///
/// At most two tasks in the critical section at a time:
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use loop_core::{Loop, interrupt};
/// use loop_sync::Semaphore;
///
/// let lp = Loop::new();
/// let semaphore = Semaphore::new(2);
/// let inside = Rc::new(Cell::new(0));
/// for _ in 0..5 {
///     let (semaphore, inside) = (semaphore.clone(), inside.clone());
///     let _task = lp.add_task(async move {
///         let _permit = semaphore.acquire().await;
///         inside.set(inside.get() + 1);
///         assert!(inside.get() <= 2);
///         interrupt().await;
///         inside.set(inside.get() - 1);
///     });
/// }
/// lp.run();
/// assert_eq!(semaphore.available_permits(), 2);
/// ```
#[derive(Clone)]
pub struct Semaphore {
    inner: Arc<Mutex<State>>,
}

struct State {
    permits: usize,
    waiters: WaitList<()>,
}

impl WaitQueue for Mutex<State> {
    type State = State;
    type Value = ();

    fn state(&self) -> &Mutex<State> {
        self
    }

    fn waiters(state: &mut State) -> &mut WaitList<()> {
        &mut state.waiters
    }
}

/// Gives `n` permits back: to the front waiters first, the rest to the count.
fn release(inner: &Mutex<State>, mut n: usize) {
    let mut wakers = Vec::new();
    {
        let mut state = lock(inner);
        while n > 0 {
            match state.waiters.notify_front() {
                Some((waker, _)) => wakers.extend(waker),
                None => break,
            }
            n -= 1;
        }
        state.permits += n;
    }
    wake_all(wakers);
}

impl Semaphore {
    /// A semaphore holding `permits` permits.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::Semaphore;
    ///
    /// assert_eq!(Semaphore::new(3).available_permits(), 3);
    /// ```
    pub fn new(permits: usize) -> Semaphore {
        Semaphore {
            inner: Arc::new(Mutex::new(State {
                permits,
                waiters: WaitList::new(),
            })),
        }
    }

    /// Waits for a permit; it is given back when the [`Permit`] is dropped.
    ///
    /// # Cancellation
    ///
    /// Dropping the future gives up its place in the queue; if a permit had
    /// already been handed to it, the permit goes to the next waiter.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    /// use loop_sync::Semaphore;
    ///
    /// let semaphore = Semaphore::new(1);
    /// Loop::new().run_task(async {
    ///     let permit = semaphore.acquire().await;
    ///     assert_eq!(semaphore.available_permits(), 0);
    ///     drop(permit);
    ///     assert_eq!(semaphore.available_permits(), 1);
    /// });
    /// ```
    pub fn acquire(&self) -> Acquire {
        Acquire {
            entry: WaitEntry::new(self.inner.clone()),
        }
    }

    /// Takes a permit if one is free and nobody is waiting for one.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::Semaphore;
    ///
    /// let semaphore = Semaphore::new(1);
    /// let permit = semaphore.try_acquire().unwrap();
    /// assert!(semaphore.try_acquire().is_none());
    /// drop(permit);
    /// assert!(semaphore.try_acquire().is_some());
    /// ```
    pub fn try_acquire(&self) -> Option<Permit> {
        let mut state = lock(&self.inner);
        if state.permits > 0 && state.waiters.is_empty() {
            state.permits -= 1;
            Some(Permit {
                inner: self.inner.clone(),
            })
        } else {
            None
        }
    }

    /// Adds `n` permits, serving waiting tasks first.
    ///
    /// # Panics
    ///
    /// If a waiting task's waker panics (foreign code: an executor's, or a
    /// hand-written one). Every permit has been handed out or counted and
    /// every other served task is still woken; then the first such panic is
    /// resumed here. Dropping a [`Permit`] (or a cancelled [`Acquire`]) that
    /// passes a permit on behaves the same way, except during unwinding, when
    /// the panic is left to the panic hook's report.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::Semaphore;
    ///
    /// let semaphore = Semaphore::new(0);
    /// semaphore.add_permits(2);
    /// assert_eq!(semaphore.available_permits(), 2);
    /// ```
    pub fn add_permits(&self, n: usize) {
        release(&self.inner, n);
    }

    /// How many permits are free right now.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::Semaphore;
    ///
    /// let semaphore = Semaphore::new(2);
    /// let _permit = semaphore.try_acquire();
    /// assert_eq!(semaphore.available_permits(), 1);
    /// ```
    pub fn available_permits(&self) -> usize {
        lock(&self.inner).permits
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = lock(&self.inner);
        f.debug_struct("Semaphore")
            .field("permits", &state.permits)
            .field("waiting", &state.waiters.len())
            .finish()
    }
}

/// The future returned by [`Semaphore::acquire`].
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
/// use loop_sync::{Acquire, Semaphore};
///
/// let semaphore = Semaphore::new(1);
/// let acquire: Acquire = semaphore.acquire();
/// let _permit = Loop::new().run_task(acquire);
/// assert_eq!(semaphore.available_permits(), 0);
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Acquire {
    entry: WaitEntry<Arc<Mutex<State>>>,
}

impl Future for Acquire {
    type Output = Permit;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Permit> {
        ready!(loop_core::poll_budget(cx));
        let mut locked = self.entry.lock();
        match locked.poll(cx.waker()) {
            Entry::Unqueued if locked.permits > 0 && locked.waiters.is_empty() => {
                locked.permits -= 1;
            }
            Entry::Unqueued => {
                locked.push(cx.waker(), None);
                return Poll::Pending;
            }
            // The permit was handed to us by `release`.
            Entry::Notified => {}
            Entry::Waiting => return Poll::Pending,
        }
        drop(locked);
        Poll::Ready(Permit {
            inner: self.entry.queue().clone(),
        })
    }
}

impl Drop for Acquire {
    fn drop(&mut self) {
        if self.entry.cancel() {
            // Handed a permit it never saw: pass it on.
            release(self.entry.queue(), 1);
        }
    }
}

impl fmt::Debug for Acquire {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire")
            .field("queued", &self.entry.is_queued())
            .finish()
    }
}

/// One permit of a [`Semaphore`], given back when dropped.
///
/// # Examples
///
/// ```
/// use loop_sync::{Permit, Semaphore};
///
/// let semaphore = Semaphore::new(1);
/// let permit: Permit = semaphore.try_acquire().unwrap();
/// drop(permit);
/// assert_eq!(semaphore.available_permits(), 1);
/// ```
#[must_use = "the permit is given back as soon as it is dropped"]
pub struct Permit {
    inner: Arc<Mutex<State>>,
}

impl Drop for Permit {
    fn drop(&mut self) {
        release(&self.inner, 1);
    }
}

impl fmt::Debug for Permit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Permit").finish_non_exhaustive()
    }
}
