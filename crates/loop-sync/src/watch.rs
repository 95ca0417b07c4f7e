//! `watch`: one value that receivers watch for changes.
//!
//! The value sits in an `RwLock`, so any number of [`Ref`] guards may read it
//! at once. Beside it are the value's *version* (how many times it was sent,
//! an atomic) and, under a `Mutex`, whether the sender is gone and the
//! receivers waiting for a change. A receiver is the version it has seen: [`Receiver::changed`]
//! completes as soon as the version differs, so however many sends happen
//! while a receiver sleeps, it wakes once and sees the last value; none is
//! ever "missed", and none is reported twice.
//!
//! A send writes the value and bumps the version while it holds the write
//! lock (so a reader that holds the read lock sees a version that matches
//! the value it reads), then takes the waiting receivers' wakers under the
//! `Mutex` and wakes them after both locks are released. A receiver that
//! finds a new version completes without the `Mutex`; one that finds none
//! looks again under the `Mutex` before it queues, so either it sees the
//! bump or the sender, whose bump came before its turn at the `Mutex`, sees
//! it queued. Lock order is always value, then `Mutex`.
//!
//! The sender's [`Sender::closed`] waits on a second, small state: the
//! number of receivers and the futures waiting for it to reach zero.

use std::error::Error;
use std::fmt;
use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::{Acquire, Release};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::task::{Context, Poll, ready};

use crate::wait_list::{Entry, WaitEntry, WaitList, WaitQueue, lock, wake_all};

pub use crate::channel_error::SendError;

/// Creates a watch channel holding `init`.
///
/// The receiver starts having seen `init`: its first
/// [`changed`](Receiver::changed) waits for a send.
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
/// use loop_sync::watch;
///
/// let lp = Loop::new();
/// let (tx, mut rx) = watch("starting");
/// let seen = lp.add_task(async move {
///     rx.changed().await.unwrap();
///     *rx.borrow_and_update()
/// });
/// tx.send("running").unwrap();
/// assert_eq!(lp.run_task(seen).unwrap(), "running");
/// ```
#[doc(alias = "latest")]
#[doc(alias = "state")]
pub fn watch<T>(init: T) -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Shared {
        value: RwLock::new(init),
        number: AtomicU64::new(0),
        version: Mutex::new(Version {
            closed: false,
            waiters: WaitList::new(),
        }),
        receivers: Mutex::new(Receivers {
            count: 1,
            waiters: WaitList::new(),
        }),
    });
    let receiver = Receiver {
        shared: shared.clone(),
        seen: 0,
    };
    (Sender { shared }, receiver)
}

struct Shared<T> {
    value: RwLock<T>,
    /// How many times the value was sent (modified); changed only under the
    /// value's write lock.
    number: AtomicU64,
    version: Mutex<Version>,
    receivers: Mutex<Receivers>,
}

/// Whether the value can still change, and the receivers waiting for it to.
struct Version {
    /// The sender is gone.
    closed: bool,
    waiters: WaitList<()>,
}

impl WaitQueue for Mutex<Version> {
    type State = Version;
    type Value = ();

    fn state(&self) -> &Mutex<Version> {
        self
    }

    fn waiters(state: &mut Version) -> &mut WaitList<()> {
        &mut state.waiters
    }
}

/// The live receivers and the senders' `closed` futures waiting for none.
struct Receivers {
    count: usize,
    waiters: WaitList<()>,
}

impl WaitQueue for Mutex<Receivers> {
    type State = Receivers;
    type Value = ();

    fn state(&self) -> &Mutex<Receivers> {
        self
    }

    fn waiters(state: &mut Receivers) -> &mut WaitList<()> {
        &mut state.waiters
    }
}

/// Reads the value, ignoring poisoning (a panic in a `send_modify` closure
/// leaves the value as the closure left it; see [`Sender::send_modify`]).
fn read<T>(value: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    value
        .read()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn write<T>(value: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    value
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The error of [`Receiver::changed`]: the sender is gone and the receiver
/// has seen its last value.
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
/// use loop_sync::watch;
///
/// let (tx, mut rx) = watch(0);
/// drop(tx);
/// assert_eq!(Loop::new().run_task(rx.changed()), Err(watch::RecvError));
/// ```
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub struct RecvError;

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the watch sender is gone")
    }
}

impl Error for RecvError {}

/// A read guard on the watched value; the sender waits while it lives.
///
/// Keep it short, and never across an `.await`: a send blocks its thread
/// until every guard is dropped (and deadlocks if the guard is on that same
/// thread).
///
/// # Examples
///
/// ```
/// use loop_sync::watch;
///
/// let (_tx, rx) = watch(vec![1, 2]);
/// let value = rx.borrow();
/// assert_eq!(value.len(), 2);
/// ```
pub struct Ref<'a, T> {
    guard: RwLockReadGuard<'a, T>,
    has_changed: bool,
}

impl<T> Ref<'_, T> {
    /// True if the receiver had not seen this value before this borrow.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::watch;
    ///
    /// let (tx, mut rx) = watch(0);
    /// tx.send(1).unwrap();
    /// assert!(rx.borrow_and_update().has_changed());
    /// assert!(!rx.borrow().has_changed());
    /// ```
    pub fn has_changed(&self) -> bool {
        self.has_changed
    }
}

impl<T> Deref for Ref<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T: fmt::Debug> fmt::Debug for Ref<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// The sending half of a [`watch`] channel.
///
/// # Examples
///
/// ```
/// use loop_sync::watch;
///
/// let (tx, rx) = watch(1);
/// tx.send_modify(|v| *v += 1);
/// assert_eq!(*rx.borrow(), 2);
/// ```
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Sender<T> {
    /// Replaces the value and notifies the receivers.
    ///
    /// # Errors
    ///
    /// If there is no receiver, the value is left as it was and `value`
    /// comes back in the [`SendError`]; [`send_replace`](Sender::send_replace)
    /// stores it regardless.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::watch;
    ///
    /// let (tx, rx) = watch(0);
    /// assert_eq!(tx.send(1), Ok(()));
    /// drop(rx);
    /// assert_eq!(tx.send(2), Err(watch::SendError(2)));
    /// assert_eq!(*tx.borrow(), 1);
    /// ```
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        if self.receiver_count() == 0 {
            return Err(SendError(value));
        }
        self.send_replace(value);
        Ok(())
    }

    /// Replaces the value, receivers or not, notifies the receivers and
    /// returns the old value.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::watch;
    ///
    /// let (tx, _rx) = watch("old");
    /// assert_eq!(tx.send_replace("new"), "old");
    /// ```
    pub fn send_replace(&self, value: T) -> T {
        let mut current = write(&self.shared.value);
        let old = std::mem::replace(&mut *current, value);
        self.publish(current);
        old
    }

    /// Modifies the value in place, receivers or not, and notifies the
    /// receivers.
    ///
    /// # Panics
    ///
    /// If `modify` panics; the value is then left as `modify` left it, and
    /// the receivers are not notified.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::watch;
    ///
    /// let (tx, rx) = watch(vec![1]);
    /// tx.send_modify(|v| v.push(2));
    /// assert_eq!(*rx.borrow(), [1, 2]);
    /// ```
    pub fn send_modify(&self, modify: impl FnOnce(&mut T)) {
        self.send_if_modified(|value| {
            modify(value);
            true
        });
    }

    /// Lets `modify` change the value in place; if it returns true, the
    /// receivers are notified. Returns what `modify` returned.
    ///
    /// # Panics
    ///
    /// If `modify` panics, as [`send_modify`](Sender::send_modify).
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::watch;
    ///
    /// let (tx, rx) = watch(5);
    /// assert!(!tx.send_if_modified(|v| std::mem::replace(v, 5) != 5));
    /// assert!(!rx.has_changed().unwrap());
    /// ```
    pub fn send_if_modified(&self, modify: impl FnOnce(&mut T) -> bool) -> bool {
        let mut current = write(&self.shared.value);
        if !modify(&mut current) {
            return false;
        }
        self.publish(current);
        true
    }

    /// Bumps the version while the new value is still write-locked, then
    /// wakes the waiting receivers once both locks are released.
    fn publish(&self, current: RwLockWriteGuard<'_, T>) {
        let mut wakers = Vec::new();
        self.shared.number.fetch_add(1, Release);
        {
            let mut version = lock(&self.shared.version);
            if !version.waiters.is_empty() {
                version.waiters.notify_all(&mut wakers);
            }
        }
        drop(current);
        wake_all(wakers);
    }

    /// Reads the current value.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::watch;
    ///
    /// let (tx, _rx) = watch(3);
    /// assert_eq!(*tx.borrow(), 3);
    /// ```
    pub fn borrow(&self) -> Ref<'_, T> {
        Ref {
            guard: read(&self.shared.value),
            has_changed: false,
        }
    }

    /// A new receiver that has seen the current value.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::watch;
    ///
    /// let (tx, rx) = watch(0);
    /// drop(rx);
    /// let rx = tx.subscribe();
    /// assert_eq!(tx.receiver_count(), 1);
    /// assert!(!rx.has_changed().unwrap());
    /// ```
    pub fn subscribe(&self) -> Receiver<T> {
        lock(&self.shared.receivers).count += 1;
        let seen = self.shared.number.load(Acquire);
        Receiver {
            shared: self.shared.clone(),
            seen,
        }
    }

    /// The number of live receivers.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::watch;
    ///
    /// let (tx, rx) = watch(());
    /// let _rx2 = rx.clone();
    /// assert_eq!(tx.receiver_count(), 2);
    /// ```
    pub fn receiver_count(&self) -> usize {
        lock(&self.shared.receivers).count
    }

    /// True if every receiver is gone.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::watch;
    ///
    /// let (tx, rx) = watch(());
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.receiver_count() == 0
    }

    /// Waits until every receiver is gone.
    ///
    /// # Cancellation
    ///
    /// Dropping the future only gives up the wait.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    /// use loop_sync::watch;
    ///
    /// let lp = Loop::new();
    /// let (tx, rx) = watch(0);
    /// let _reader = lp.add_task(async move { drop(rx) });
    /// lp.run_task(tx.closed());
    /// assert!(tx.is_closed());
    /// ```
    pub fn closed(&self) -> Closed<'_> {
        Closed {
            entry: WaitEntry::new(&self.shared.receivers),
        }
    }
}

impl<T> Drop for Sender<T> {
    /// Wakes every waiting receiver, whose `changed` then fails (once it has
    /// seen the last value).
    fn drop(&mut self) {
        let mut wakers = Vec::new();
        {
            let mut version = lock(&self.shared.version);
            version.closed = true;
            version.waiters.notify_all(&mut wakers);
        }
        wake_all(wakers);
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("receivers", &self.receiver_count())
            .finish_non_exhaustive()
    }
}

/// The future returned by [`Sender::closed`].
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
/// use loop_sync::watch;
///
/// let (tx, rx) = watch(0);
/// drop(rx);
/// let closed: watch::Closed<'_> = tx.closed();
/// Loop::new().run_task(closed);
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Closed<'a> {
    entry: WaitEntry<&'a Mutex<Receivers>>,
}

impl Future for Closed<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        ready!(loop_core::poll_budget(cx));
        let mut locked = self.entry.lock();
        let entry = locked.poll(cx.waker());
        if locked.count == 0 {
            locked.remove();
            return Poll::Ready(());
        }
        if entry != Entry::Waiting {
            locked.push(cx.waker(), None);
        }
        Poll::Pending
    }
}

impl fmt::Debug for Closed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Closed")
            .field("queued", &self.entry.is_queued())
            .finish()
    }
}

/// The receiving half of a [`watch`] channel; clones watch the same value.
///
/// A clone starts having seen what the original has seen.
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
/// use loop_sync::watch;
///
/// let (tx, mut rx) = watch(0);
/// let mut rx2 = rx.clone();
/// tx.send(1).unwrap();
/// Loop::new().run_task(async move {
///     rx.changed().await.unwrap();
///     rx2.changed().await.unwrap();
///     assert_eq!((*rx.borrow(), *rx2.borrow()), (1, 1));
/// });
/// ```
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    /// The version this receiver has seen.
    seen: u64,
}

impl<T> Receiver<T> {
    /// Reads the current value, without marking it seen.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::watch;
    ///
    /// let (tx, rx) = watch(0);
    /// tx.send(1).unwrap();
    /// assert_eq!(*rx.borrow(), 1);
    /// assert!(rx.has_changed().unwrap());
    /// ```
    pub fn borrow(&self) -> Ref<'_, T> {
        let guard = read(&self.shared.value);
        let number = self.shared.number.load(Acquire);
        Ref {
            guard,
            has_changed: number != self.seen,
        }
    }

    /// Reads the current value and marks it seen: `changed` then waits for
    /// the next send.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::watch;
    ///
    /// let (tx, mut rx) = watch(0);
    /// tx.send(1).unwrap();
    /// assert_eq!(*rx.borrow_and_update(), 1);
    /// assert!(!rx.has_changed().unwrap());
    /// ```
    pub fn borrow_and_update(&mut self) -> Ref<'_, T> {
        let guard = read(&self.shared.value);
        let number = self.shared.number.load(Acquire);
        let has_changed = number != self.seen;
        self.seen = number;
        Ref { guard, has_changed }
    }

    /// True if a value was sent that this receiver has not seen.
    ///
    /// # Errors
    ///
    /// [`RecvError`] if not, and the sender is gone (nothing will change).
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::watch;
    ///
    /// let (tx, rx) = watch(0);
    /// assert_eq!(rx.has_changed(), Ok(false));
    /// drop(tx);
    /// assert_eq!(rx.has_changed(), Err(watch::RecvError));
    /// ```
    pub fn has_changed(&self) -> Result<bool, RecvError> {
        if self.shared.number.load(Acquire) != self.seen {
            Ok(true)
        } else if lock(&self.shared.version).closed {
            Err(RecvError)
        } else {
            Ok(false)
        }
    }

    /// Waits until a value this receiver has not seen is sent, and marks it
    /// seen; then [`borrow`](Receiver::borrow) reads it (or a newer one).
    ///
    /// If several values were sent since the last one seen, it completes
    /// once, and the value read is the last.
    ///
    /// # Errors
    ///
    /// [`RecvError`] once the sender is gone and its last value was seen.
    ///
    /// # Cancellation
    ///
    /// Dropping the future marks nothing seen: the next `changed` sees the
    /// same change.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    /// use loop_sync::watch;
    ///
    /// let (tx, mut rx) = watch(0);
    /// Loop::new().run_task(async move {
    ///     tx.send(1).unwrap();
    ///     tx.send(2).unwrap();
    ///     assert_eq!(rx.changed().await, Ok(()));
    ///     assert_eq!(*rx.borrow(), 2);
    ///     drop(tx);
    ///     assert_eq!(rx.changed().await, Err(watch::RecvError));
    /// });
    /// ```
    pub fn changed(&mut self) -> Changed<'_> {
        let Receiver { shared, seen } = self;
        Changed {
            entry: WaitEntry::new(&shared.version),
            number: &shared.number,
            seen,
        }
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Receiver<T> {
        lock(&self.shared.receivers).count += 1;
        Receiver {
            shared: self.shared.clone(),
            seen: self.seen,
        }
    }
}

impl<T> Drop for Receiver<T> {
    /// The last receiver leaving completes the sender's `closed` futures.
    fn drop(&mut self) {
        let mut wakers = Vec::new();
        {
            let mut receivers = lock(&self.shared.receivers);
            receivers.count -= 1;
            if receivers.count == 0 {
                receivers.waiters.notify_all(&mut wakers);
            }
        }
        wake_all(wakers);
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("seen", &self.seen)
            .finish_non_exhaustive()
    }
}

/// The future returned by [`Receiver::changed`].
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
/// use loop_sync::watch;
///
/// let (tx, mut rx) = watch(0);
/// tx.send(1).unwrap();
/// let changed: watch::Changed<'_> = rx.changed();
/// assert_eq!(Loop::new().run_task(changed), Ok(()));
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Changed<'a> {
    entry: WaitEntry<&'a Mutex<Version>>,
    /// The value's version.
    number: &'a AtomicU64,
    /// The receiver's seen version, moved only when we complete.
    seen: &'a mut u64,
}

impl Future for Changed<'_> {
    type Output = Result<(), RecvError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        ready!(loop_core::poll_budget(cx));
        let Changed {
            entry,
            number,
            seen,
        } = &mut *self;
        let now = number.load(Acquire);
        if now != **seen {
            // Fast path: a change, seen without the `Mutex`.
            **seen = now;
            entry.cancel();
            return Poll::Ready(Ok(()));
        }
        let mut locked = entry.lock();
        let entry = locked.poll(cx.waker());
        // Looked at again under the `Mutex` (see the module docs).
        let now = number.load(Acquire);
        let result = if now != **seen {
            **seen = now;
            Ok(())
        } else if locked.closed {
            Err(RecvError)
        } else {
            if entry != Entry::Waiting {
                locked.push(cx.waker(), None);
            }
            return Poll::Pending;
        };
        locked.remove();
        Poll::Ready(result)
    }
}

impl fmt::Debug for Changed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Changed")
            .field("queued", &self.entry.is_queued())
            .finish_non_exhaustive()
    }
}
