//! `Mutex<T>`: an async lock, fair, with an atomic fast path.
//!
//! # The state word and the wait list
//!
//! A `Mutex` is a [`RawMutex`] (who holds the lock, who waits) and the value
//! in an `UnsafeCell`. The raw lock is one `AtomicUsize` with two bits, and a
//! [`WaitList`] behind a std `Mutex` (the *list lock*):
//!
//! - `LOCKED`: somebody holds the lock (a guard exists, or the lock was
//!   handed to a waiting future that has not seen it yet).
//! - `WAITERS`: the list may hold waiting futures. Set, under the list lock,
//!   by a future before it queues, and only while `LOCKED` is set; cleared,
//!   under the list lock, only when the list is empty. So `WAITERS` implies
//!   `LOCKED`, and a non-empty list implies `WAITERS` (a stale `WAITERS` over
//!   an empty list, left by a cancelled waiter, costs one slow unlock).
//!
//! The uncontended path touches only the word: `lock` is one
//! `compare_exchange(0, LOCKED)` and unlock one `compare_exchange(LOCKED, 0)`.
//! A new future may take the lock only from `0`, so it never overtakes a
//! queued one.
//!
//! # Hand-off
//!
//! An unlock that finds `WAITERS` takes the list lock and, if the list is not
//! empty, *notifies* the front entry without clearing `LOCKED`: the lock now
//! belongs to that future, and nobody can take it in between. The new owner
//! sees its notification under the list lock, which orders the previous
//! holder's writes before its reads. A notified future that is dropped before
//! it saw the lock unlocks it again, which hands it to the next waiter. The
//! order of service is so exactly the order of arrival.
//!
//! # Safety
//!
//! The value is reached only through a guard, and a guard exists only while
//! its holder owns `LOCKED` (taken by the fast path, the queued path, or a
//! hand-off); so at most one guard reaches the value at a time.

use std::cell::UnsafeCell;
use std::fmt;
use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::task::{Context, Poll, Waker, ready};

use crate::mutex_guard::{MutexGuard, OwnedMutexGuard};
use crate::wait_list::{Entry, WaitEntry, WaitList, WaitQueue, lock};

/// Somebody holds the lock.
const LOCKED: usize = 1;
/// The wait list may be non-empty.
const WAITERS: usize = 2;

/// The lock without the value: the state word and the wait list.
pub(crate) struct RawMutex {
    state: AtomicUsize,
    waiters: StdMutex<WaitList<()>>,
}

impl RawMutex {
    const fn new() -> RawMutex {
        RawMutex {
            state: AtomicUsize::new(0),
            waiters: StdMutex::new(WaitList::new()),
        }
    }

    /// Takes the lock if it is free and nobody waits.
    #[inline]
    fn try_lock(&self) -> bool {
        self.state
            .compare_exchange(0, LOCKED, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
    }

    /// Gives the lock up: to the front waiter if there is one.
    #[inline]
    pub(crate) fn unlock(&self) {
        if self
            .state
            .compare_exchange(LOCKED, 0, Ordering::Release, Ordering::Relaxed)
            .is_err()
        {
            self.unlock_slow();
        }
    }

    #[cold]
    fn unlock_slow(&self) {
        let waker = {
            let mut list = lock(&self.waiters);
            match list.notify_front() {
                // Handed off: `LOCKED` stays set for the notified future.
                Some((waker, _)) => {
                    if list.is_empty() {
                        // Only the holder (us) and list-lock holders change
                        // the word while `LOCKED` is set.
                        self.state.store(LOCKED, Ordering::Relaxed);
                    }
                    waker
                }
                None => {
                    self.state.store(0, Ordering::Release);
                    None
                }
            }
        };
        if let Some(waker) = waker {
            wake_one(waker);
        }
    }
}

/// Wakes one waker after the list lock is released; a panic is resumed in
/// the caller unless the thread is already unwinding (a guard dropped during
/// a panic), as `wait_list::wake_all` does for a batch.
pub(crate) fn wake_one(waker: Waker) {
    if std::thread::panicking() {
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| waker.wake()));
    } else {
        waker.wake();
    }
}

impl<T: ?Sized> WaitQueue for Mutex<T> {
    type State = WaitList<()>;
    type Value = ();

    fn state(&self) -> &StdMutex<WaitList<()>> {
        &self.raw.waiters
    }

    fn waiters(state: &mut WaitList<()>) -> &mut WaitList<()> {
        state
    }
}

/// An async mutual-exclusion lock: one task at a time reaches the value, and
/// waiting tasks get it in the order they asked.
///
/// Unlike `std::sync::Mutex`, a task that waits for it is suspended, not its
/// thread, and its guard may be held across `.await`. Unlock is by dropping
/// the guard; the lock then goes straight to the task that has waited
/// longest (a newcomer never overtakes it).
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use loop_core::{Loop, interrupt};
/// use loop_sync::Mutex;
///
/// let lp = Loop::new();
/// let counter = Arc::new(Mutex::new(0));
/// for _ in 0..3 {
///     let counter = counter.clone();
///     let _task = lp.add_task(async move {
///         let mut n = counter.lock().await;
///         interrupt().await; // others wait meanwhile
///         *n += 1;
///     });
/// }
/// lp.run();
/// assert_eq!(*counter.try_lock().unwrap(), 3);
/// ```
pub struct Mutex<T: ?Sized> {
    pub(crate) raw: RawMutex,
    pub(crate) data: UnsafeCell<T>,
}

// SAFETY: the value moves with the mutex, so it must be `Send`.
unsafe impl<T: ?Sized + Send> Send for Mutex<T> {}
// SAFETY: a shared `Mutex` hands the value to one thread at a time (module
// docs, # Safety), as `std::sync::Mutex` does: it needs `Send`, not `Sync`.
unsafe impl<T: ?Sized + Send> Sync for Mutex<T> {}

impl<T> Mutex<T> {
    /// A new unlocked mutex holding `value`.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::Mutex;
    ///
    /// static LOCK: Mutex<u32> = Mutex::new(5);
    /// assert_eq!(*LOCK.try_lock().unwrap(), 5);
    /// ```
    pub const fn new(value: T) -> Mutex<T> {
        Mutex {
            raw: RawMutex::new(),
            data: UnsafeCell::new(value),
        }
    }

    /// Takes the value out; no lock is needed, since the mutex is consumed.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::Mutex;
    ///
    /// assert_eq!(Mutex::new("x").into_inner(), "x");
    /// ```
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Waits for the lock and returns a guard that gives access to the value.
    ///
    /// # Cancellation
    ///
    /// Dropping the future gives up its place in the queue. If the lock had
    /// already been handed to it, the lock goes on to the next waiter; nothing
    /// is lost.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    /// use loop_sync::Mutex;
    ///
    /// let mutex = Mutex::new(vec![1]);
    /// Loop::new().run_task(async {
    ///     mutex.lock().await.push(2);
    /// });
    /// assert_eq!(mutex.into_inner(), [1, 2]);
    /// ```
    #[doc(alias = "acquire")]
    pub fn lock(&self) -> Lock<'_, T> {
        Lock {
            entry: WaitEntry::new(self),
        }
    }

    /// Takes the lock if it is free and no task is waiting for it.
    ///
    /// Works anywhere, in a plain thread as in a task.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::Mutex;
    ///
    /// let mutex = Mutex::new(1);
    /// let guard = mutex.try_lock().unwrap();
    /// assert!(mutex.try_lock().is_none());
    /// drop(guard);
    /// assert!(mutex.try_lock().is_some());
    /// ```
    #[doc(alias = "try_acquire")]
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        if self.raw.try_lock() {
            Some(MutexGuard::new(self))
        } else {
            None
        }
    }

    /// The value, through a unique borrow: no lock is needed.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::Mutex;
    ///
    /// let mut mutex = Mutex::new(1);
    /// *mutex.get_mut() += 1;
    /// assert_eq!(mutex.into_inner(), 2);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }

    /// Like [`lock`](Mutex::lock), for a mutex in an `Arc`: the future and
    /// its guard hold a clone of the `Arc`, so they are `'static` and can be
    /// moved into spawned tasks.
    ///
    /// # Cancellation
    ///
    /// As for [`lock`](Mutex::lock).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use loop_core::Loop;
    /// use loop_sync::Mutex;
    ///
    /// let lp = Loop::new();
    /// let mutex = Arc::new(Mutex::new(0));
    /// let guard = lp.run_task(mutex.clone().lock_owned());
    /// let task = lp.add_task(async move {
    ///     let mut guard = guard;
    ///     *guard += 1;
    /// });
    /// lp.run_task(task).unwrap();
    /// assert_eq!(*mutex.try_lock().unwrap(), 1);
    /// ```
    pub fn lock_owned(self: Arc<Self>) -> LockOwned<T> {
        LockOwned {
            entry: WaitEntry::new(self),
        }
    }

    /// Like [`try_lock`](Mutex::try_lock), for a mutex in an `Arc`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use loop_sync::Mutex;
    ///
    /// let mutex = Arc::new(Mutex::new(1));
    /// let guard = mutex.clone().try_lock_owned().unwrap();
    /// assert!(mutex.clone().try_lock_owned().is_none());
    /// drop(guard);
    /// ```
    pub fn try_lock_owned(self: Arc<Self>) -> Option<OwnedMutexGuard<T>> {
        if self.raw.try_lock() {
            Some(OwnedMutexGuard::new(self))
        } else {
            None
        }
    }
}

/// Polls for the lock on behalf of a [`Lock`] or [`LockOwned`]: `Ready` once
/// the future owns `LOCKED`.
#[inline]
fn poll_lock<T: ?Sized, P: Deref<Target = Mutex<T>>>(
    entry: &mut WaitEntry<P>,
    cx: &mut Context<'_>,
) -> Poll<()> {
    ready!(loop_core::poll_budget(cx));
    if !entry.is_queued() && entry.queue().raw.try_lock() {
        return Poll::Ready(());
    }
    poll_lock_slow(entry, cx)
}

#[cold]
fn poll_lock_slow<T: ?Sized, P: Deref<Target = Mutex<T>>>(
    entry: &mut WaitEntry<P>,
    cx: &mut Context<'_>,
) -> Poll<()> {
    let mut locked = entry.lock();
    match locked.poll(cx.waker()) {
        // Handed to us by an unlock.
        Entry::Notified => Poll::Ready(()),
        Entry::Waiting => Poll::Pending,
        Entry::Unqueued => {
            let state = &locked.queue().raw.state;
            let mut current = state.load(Ordering::Relaxed);
            loop {
                let (new, acquired) = if current & LOCKED == 0 {
                    // `WAITERS` implies `LOCKED`: the list is empty.
                    (LOCKED, true)
                } else if current & WAITERS != 0 {
                    // Already marked: queue without a read-modify-write.
                    break;
                } else {
                    (current | WAITERS, false)
                };
                match state.compare_exchange_weak(
                    current,
                    new,
                    Ordering::Acquire,
                    Ordering::Relaxed,
                ) {
                    Ok(_) if acquired => return Poll::Ready(()),
                    Ok(_) => break,
                    Err(actual) => current = actual,
                }
            }
            locked.push(cx.waker(), None);
            Poll::Pending
        }
    }
}

/// After a lock future was dropped: if the lock had been handed to it, pass
/// it on.
fn cancel_lock<T: ?Sized, P: Deref<Target = Mutex<T>>>(entry: &mut WaitEntry<P>) {
    if entry.cancel() {
        entry.queue().raw.unlock();
    }
}

/// The future returned by [`Mutex::lock`].
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
/// use loop_sync::{Lock, Mutex};
///
/// let mutex = Mutex::new(1);
/// let lock: Lock<'_, i32> = mutex.lock();
/// assert_eq!(*Loop::new().run_task(lock), 1);
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Lock<'a, T: ?Sized> {
    entry: WaitEntry<&'a Mutex<T>>,
}

impl<'a, T: ?Sized> Future for Lock<'a, T> {
    type Output = MutexGuard<'a, T>;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<MutexGuard<'a, T>> {
        ready!(poll_lock(&mut self.entry, cx));
        Poll::Ready(MutexGuard::new(self.entry.queue()))
    }
}

impl<T: ?Sized> Drop for Lock<'_, T> {
    fn drop(&mut self) {
        cancel_lock(&mut self.entry);
    }
}

impl<T: ?Sized> fmt::Debug for Lock<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lock")
            .field("queued", &self.entry.is_queued())
            .finish()
    }
}

/// The future returned by [`Mutex::lock_owned`].
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use loop_core::Loop;
/// use loop_sync::{LockOwned, Mutex};
///
/// let lock: LockOwned<i32> = Arc::new(Mutex::new(1)).lock_owned();
/// assert_eq!(*Loop::new().run_task(lock), 1);
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct LockOwned<T: ?Sized> {
    entry: WaitEntry<Arc<Mutex<T>>>,
}

impl<T: ?Sized> Future for LockOwned<T> {
    type Output = OwnedMutexGuard<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<OwnedMutexGuard<T>> {
        ready!(poll_lock(&mut self.entry, cx));
        Poll::Ready(OwnedMutexGuard::new(self.entry.queue().clone()))
    }
}

impl<T: ?Sized> Drop for LockOwned<T> {
    fn drop(&mut self) {
        cancel_lock(&mut self.entry);
    }
}

impl<T: ?Sized> fmt::Debug for LockOwned<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LockOwned")
            .field("queued", &self.entry.is_queued())
            .finish()
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("Mutex");
        match self.try_lock() {
            Some(guard) => out.field("data", &&*guard),
            None => out.field("data", &format_args!("<locked>")),
        };
        out.finish()
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Mutex<T> {
        Mutex::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    fn from(value: T) -> Mutex<T> {
        Mutex::new(value)
    }
}
