//! `RwLock<T>`: many readers or one writer, served in arrival order.
//!
//! # The state word and the wait list
//!
//! Like the `Mutex` (see `mutex.rs`), a [`RawRwLock`] is one `AtomicUsize`
//! and a [`WaitList`] behind a std `Mutex` (the *list lock*); each queued
//! entry carries whether it reads or writes. The word holds:
//!
//! - `WRITER` (bit 0): a writer holds the lock;
//! - `WAITERS` (bit 1): the list may hold waiting futures. Set under the list
//!   lock before a future queues; cleared under the list lock only when the
//!   list is empty. A non-empty list so implies `WAITERS`;
//! - the number of readers holding the lock, in units of `ONE_READER`.
//!
//! Fast paths touch only the word: a reader adds `ONE_READER` if neither
//! `WRITER` nor `WAITERS` is set, a writer swaps `0` for `WRITER`. So once
//! anybody waits, newcomers queue behind it: a writer waiting behind readers
//! is not overtaken by the readers that come after it.
//!
//! # Dispatch
//!
//! Whoever makes the lock free (the writer leaving, the last reader leaving,
//! a waiter cancelled) and finds `WAITERS` runs `dispatch` under the list
//! lock. It looks at the front of the list: a writer is granted the lock if
//! nobody holds it (`WRITER` is set for it); readers at the front are granted
//! one by one (the count is raised for each) until a writer is at the front
//! or a writer holds the lock. A grant notifies the entry: the lock is handed
//! off, and nobody can take it in between. While `WAITERS` is set nobody
//! takes the lock by a fast path, so dispatch races only with readers
//! leaving; a reader that leaves last after dispatch looked sees `WAITERS`
//! and dispatches again once it gets the list lock.
//!
//! # Safety
//!
//! The value is reached only through guards. A write guard exists only while
//! its holder owns `WRITER`; a read guard only while it counts among the
//! readers; and `WRITER` is never set while readers are counted. So a `&mut`
//! to the value is never alive beside any other reference.

use std::cell::UnsafeCell;
use std::fmt;
use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::task::{Context, Poll, Waker, ready};

use crate::messages::TOO_MANY_READERS;
use crate::rwlock_guard::{
    OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLockReadGuard, RwLockWriteGuard,
};
use crate::wait_list::{Entry, WaitEntry, WaitList, WaitQueue, lock, wake_all};

/// The wakers one dispatch collects under the list lock, to wake after it:
/// the first few on the stack, so a typical hand-off allocates nothing.
struct WakeBatch {
    inline: [Option<Waker>; 8],
    len: usize,
    spill: Vec<Waker>,
}

impl WakeBatch {
    fn new() -> WakeBatch {
        WakeBatch {
            inline: Default::default(),
            len: 0,
            spill: Vec::new(),
        }
    }

    /// Notifies the front entry of `list` and keeps its waker.
    fn push_front_of(&mut self, list: &mut WaitList<Kind>) {
        let Some((Some(waker), _)) = list.notify_front() else {
            return;
        };
        if let Some(slot) = self.inline.get_mut(self.len) {
            *slot = Some(waker);
            self.len += 1;
        } else {
            self.spill.push(waker);
        }
    }

    /// Wakes them all (see `wait_list::wake_all` for a panicking waker).
    fn wake(self) {
        if self.len > 0 {
            wake_all(self.inline.into_iter().flatten().chain(self.spill));
        }
    }
}

/// A writer holds the lock.
const WRITER: usize = 1;
/// The wait list may be non-empty.
const WAITERS: usize = 2;
/// One reader holding the lock.
const ONE_READER: usize = 4;

/// What a queued future wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Read,
    Write,
}

/// The lock without the value.
pub(crate) struct RawRwLock {
    state: AtomicUsize,
    waiters: StdMutex<WaitList<Kind>>,
}

impl RawRwLock {
    const fn new() -> RawRwLock {
        RawRwLock {
            state: AtomicUsize::new(0),
            waiters: StdMutex::new(WaitList::new()),
        }
    }

    #[inline]
    fn try_read(&self) -> bool {
        let mut current = self.state.load(Ordering::Relaxed);
        loop {
            if current & (WRITER | WAITERS) != 0 {
                return false;
            }
            let new = current.checked_add(ONE_READER).expect(TOO_MANY_READERS);
            match self.state.compare_exchange_weak(
                current,
                new,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(actual) => current = actual,
            }
        }
    }

    #[inline]
    fn try_write(&self) -> bool {
        self.state
            .compare_exchange(0, WRITER, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
    }

    /// A reader leaves.
    #[inline]
    pub(crate) fn unlock_read(&self) {
        let previous = self.state.fetch_sub(ONE_READER, Ordering::Release);
        if previous == ONE_READER | WAITERS {
            // The last reader, and somebody waits.
            self.dispatch_and_wake();
        }
    }

    /// The writer leaves.
    #[inline]
    pub(crate) fn unlock_write(&self) {
        if self
            .state
            .compare_exchange(WRITER, 0, Ordering::Release, Ordering::Relaxed)
            .is_err()
        {
            self.unlock_write_slow();
        }
    }

    #[cold]
    fn unlock_write_slow(&self) {
        let mut wakers = WakeBatch::new();
        {
            let mut list = lock(&self.waiters);
            self.state.fetch_and(!WRITER, Ordering::Release);
            self.dispatch(&mut list, &mut wakers);
        }
        wakers.wake();
    }

    #[cold]
    fn dispatch_and_wake(&self) {
        let mut wakers = WakeBatch::new();
        self.dispatch(&mut lock(&self.waiters), &mut wakers);
        wakers.wake();
    }

    /// Grants the lock to the front waiters it can serve now (module docs,
    /// # Dispatch); called under the list lock.
    fn dispatch(&self, list: &mut WaitList<Kind>, wakers: &mut WakeBatch) {
        match list.front_value() {
            None => {
                self.state.fetch_and(!WAITERS, Ordering::Relaxed);
                return;
            }
            Some(Kind::Write) => {
                // Free means exactly `WAITERS`: no writer, no readers.
                if self
                    .state
                    .compare_exchange(
                        WAITERS,
                        WAITERS | WRITER,
                        Ordering::Acquire,
                        Ordering::Relaxed,
                    )
                    .is_err()
                {
                    return;
                }
                wakers.push_front_of(list);
            }
            Some(Kind::Read) => {
                // While `WAITERS` is set nobody sets `WRITER` but a dispatch,
                // and we hold the list lock: one look is enough.
                let current = self.state.load(Ordering::Relaxed);
                if current & WRITER != 0 {
                    return;
                }
                let mut readers = 0;
                while list.front_value() == Some(&Kind::Read) {
                    wakers.push_front_of(list);
                    readers += 1;
                }
                let add = readers * ONE_READER;
                assert!(current <= usize::MAX - add, "{TOO_MANY_READERS}");
                self.state.fetch_add(add, Ordering::Acquire);
            }
        }
        if list.is_empty() {
            self.state.fetch_and(!WAITERS, Ordering::Relaxed);
        }
    }
}

impl<T: ?Sized> WaitQueue for RwLock<T> {
    type State = WaitList<Kind>;
    type Value = Kind;

    fn state(&self) -> &StdMutex<WaitList<Kind>> {
        &self.raw.waiters
    }

    fn waiters(state: &mut WaitList<Kind>) -> &mut WaitList<Kind> {
        state
    }
}

/// An async reader-writer lock: many tasks may read the value at once, or
/// one may write it; waiting tasks are served in the order they asked.
///
/// Fair: once a task waits, tasks that come later queue behind it, so a
/// writer is never starved by a stream of readers, and readers that queued
/// one after another are let in together.
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
/// use loop_sync::RwLock;
///
/// let lock = RwLock::new(1);
/// Loop::new().run_task(async {
///     {
///         let a = lock.read().await;
///         let b = lock.read().await; // readers share
///         assert_eq!(*a + *b, 2);
///     }
///     *lock.write().await += 1;
/// });
/// assert_eq!(lock.into_inner(), 2);
/// ```
pub struct RwLock<T: ?Sized> {
    pub(crate) raw: RawRwLock,
    pub(crate) data: UnsafeCell<T>,
}

// SAFETY: the value moves with the lock, so it must be `Send`.
unsafe impl<T: ?Sized + Send> Send for RwLock<T> {}
// SAFETY: a shared lock hands `&T` to many threads at once (so `T: Sync`)
// and `&mut T` to one at a time (so `T: Send`), as `std::sync::RwLock`.
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLock<T> {}

impl<T> RwLock<T> {
    /// A new unlocked lock holding `value`.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::RwLock;
    ///
    /// static CONFIG: RwLock<u32> = RwLock::new(5);
    /// assert_eq!(*CONFIG.try_read().unwrap(), 5);
    /// ```
    pub const fn new(value: T) -> RwLock<T> {
        RwLock {
            raw: RawRwLock::new(),
            data: UnsafeCell::new(value),
        }
    }

    /// Takes the value out; no lock is needed, since the lock is consumed.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::RwLock;
    ///
    /// assert_eq!(RwLock::new(3).into_inner(), 3);
    /// ```
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> RwLock<T> {
    /// Waits to share the lock with other readers.
    ///
    /// # Panics
    ///
    /// If more than `usize::MAX / 4` readers would hold the lock at once.
    ///
    /// # Cancellation
    ///
    /// Dropping the future gives up its place in the queue; if it had already
    /// been let in, it leaves at once, and whoever can go next is let in.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    /// use loop_sync::RwLock;
    ///
    /// let lock = RwLock::new("value");
    /// let read = Loop::new().run_task(async { *lock.read().await });
    /// assert_eq!(read, "value");
    /// ```
    pub fn read(&self) -> RwLockRead<'_, T> {
        RwLockRead {
            entry: WaitEntry::new(self),
        }
    }

    /// Waits to hold the lock alone.
    ///
    /// # Cancellation
    ///
    /// Dropping the future gives up its place in the queue; if the lock had
    /// already been handed to it, it goes on to whoever is next.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    /// use loop_sync::RwLock;
    ///
    /// let lock = RwLock::new(vec![]);
    /// Loop::new().run_task(async { lock.write().await.push(1) });
    /// assert_eq!(lock.into_inner(), [1]);
    /// ```
    pub fn write(&self) -> RwLockWrite<'_, T> {
        RwLockWrite {
            entry: WaitEntry::new(self),
        }
    }

    /// Shares the lock if no writer holds it and nobody waits.
    ///
    /// # Panics
    ///
    /// As for [`read`](RwLock::read).
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::RwLock;
    ///
    /// let lock = RwLock::new(1);
    /// let a = lock.try_read().unwrap();
    /// assert!(lock.try_read().is_some());
    /// assert!(lock.try_write().is_none());
    /// drop(a);
    /// ```
    pub fn try_read(&self) -> Option<RwLockReadGuard<'_, T>> {
        if self.raw.try_read() {
            Some(RwLockReadGuard::new(self))
        } else {
            None
        }
    }

    /// Takes the lock alone if nobody holds it or waits for it.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::RwLock;
    ///
    /// let lock = RwLock::new(1);
    /// let mut w = lock.try_write().unwrap();
    /// *w = 2;
    /// assert!(lock.try_read().is_none());
    /// drop(w);
    /// assert_eq!(*lock.try_read().unwrap(), 2);
    /// ```
    pub fn try_write(&self) -> Option<RwLockWriteGuard<'_, T>> {
        if self.raw.try_write() {
            Some(RwLockWriteGuard::new(self))
        } else {
            None
        }
    }

    /// Like [`read`](RwLock::read), for a lock in an `Arc`: the future and
    /// its guard hold a clone of the `Arc`.
    ///
    /// # Panics
    ///
    /// As for [`read`](RwLock::read).
    ///
    /// # Cancellation
    ///
    /// As for [`read`](RwLock::read).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use loop_core::Loop;
    /// use loop_sync::RwLock;
    ///
    /// let lock = Arc::new(RwLock::new(1));
    /// let guard = Loop::new().run_task(lock.clone().read_owned());
    /// assert_eq!(std::thread::spawn(move || *guard).join().unwrap(), 1);
    /// ```
    pub fn read_owned(self: Arc<Self>) -> RwLockReadOwned<T> {
        RwLockReadOwned {
            entry: WaitEntry::new(self),
        }
    }

    /// Like [`write`](RwLock::write), for a lock in an `Arc`.
    ///
    /// # Cancellation
    ///
    /// As for [`write`](RwLock::write).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use loop_core::Loop;
    /// use loop_sync::RwLock;
    ///
    /// let lock = Arc::new(RwLock::new(1));
    /// let mut guard = Loop::new().run_task(lock.clone().write_owned());
    /// *guard = 2;
    /// drop(guard);
    /// assert_eq!(*lock.try_read().unwrap(), 2);
    /// ```
    pub fn write_owned(self: Arc<Self>) -> RwLockWriteOwned<T> {
        RwLockWriteOwned {
            entry: WaitEntry::new(self),
        }
    }

    /// Like [`try_read`](RwLock::try_read), for a lock in an `Arc`.
    ///
    /// # Panics
    ///
    /// As for [`read`](RwLock::read).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use loop_sync::RwLock;
    ///
    /// let lock = Arc::new(RwLock::new(1));
    /// assert_eq!(*lock.try_read_owned().unwrap(), 1);
    /// ```
    pub fn try_read_owned(self: Arc<Self>) -> Option<OwnedRwLockReadGuard<T>> {
        if self.raw.try_read() {
            Some(OwnedRwLockReadGuard::new(self))
        } else {
            None
        }
    }

    /// Like [`try_write`](RwLock::try_write), for a lock in an `Arc`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use loop_sync::RwLock;
    ///
    /// let lock = Arc::new(RwLock::new(1));
    /// let guard = lock.clone().try_write_owned().unwrap();
    /// assert!(lock.clone().try_write_owned().is_none());
    /// drop(guard);
    /// ```
    pub fn try_write_owned(self: Arc<Self>) -> Option<OwnedRwLockWriteGuard<T>> {
        if self.raw.try_write() {
            Some(OwnedRwLockWriteGuard::new(self))
        } else {
            None
        }
    }

    /// The value, through a unique borrow: no lock is needed.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::RwLock;
    ///
    /// let mut lock = RwLock::new(1);
    /// *lock.get_mut() = 2;
    /// assert_eq!(lock.into_inner(), 2);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }
}

/// Polls for the lock on behalf of a lock future wanting `kind`: `Ready`
/// once the future holds it.
#[inline]
fn poll_lock<T: ?Sized, P: Deref<Target = RwLock<T>>>(
    entry: &mut WaitEntry<P>,
    kind: Kind,
    cx: &mut Context<'_>,
) -> Poll<()> {
    ready!(loop_core::poll_budget(cx));
    if !entry.is_queued() {
        let raw = &entry.queue().raw;
        let taken = match kind {
            Kind::Read => raw.try_read(),
            Kind::Write => raw.try_write(),
        };
        if taken {
            return Poll::Ready(());
        }
    }
    poll_lock_slow(entry, kind, cx)
}

#[cold]
fn poll_lock_slow<T: ?Sized, P: Deref<Target = RwLock<T>>>(
    entry: &mut WaitEntry<P>,
    kind: Kind,
    cx: &mut Context<'_>,
) -> Poll<()> {
    let mut locked = entry.lock();
    match locked.poll(cx.waker()) {
        // Granted by a dispatch.
        Entry::Notified => return Poll::Ready(()),
        Entry::Waiting => return Poll::Pending,
        Entry::Unqueued => {}
    }
    let empty = locked.is_empty();
    let state = &locked.queue().raw.state;
    let mut current = state.load(Ordering::Relaxed);
    loop {
        // A stale `WAITERS` over an empty list does not stop us (and is
        // cleared); a waiter does.
        let holders = current & !WAITERS;
        let free = match kind {
            Kind::Read => holders & WRITER == 0,
            Kind::Write => holders == 0,
        };
        let (new, acquired) = if free && empty {
            let new = match kind {
                Kind::Read => holders.checked_add(ONE_READER).expect(TOO_MANY_READERS),
                Kind::Write => WRITER,
            };
            (new, true)
        } else if current & WAITERS != 0 {
            // Already marked: queue without a read-modify-write.
            break;
        } else {
            (current | WAITERS, false)
        };
        match state.compare_exchange_weak(current, new, Ordering::Acquire, Ordering::Relaxed) {
            Ok(_) if acquired => return Poll::Ready(()),
            Ok(_) => break,
            Err(actual) => current = actual,
        }
    }
    locked.push(cx.waker(), Some(kind));
    Poll::Pending
}

/// After a lock future wanting `kind` was dropped: leave the queue, and give
/// back a lock that had been granted; either way, let in whoever can go now.
fn cancel_lock<T: ?Sized, P: Deref<Target = RwLock<T>>>(entry: &mut WaitEntry<P>, kind: Kind) {
    if !entry.is_queued() {
        return;
    }
    let granted = entry.cancel();
    let raw = &entry.queue().raw;
    if granted {
        match kind {
            Kind::Read => raw.unlock_read(),
            Kind::Write => raw.unlock_write(),
        }
    } else {
        // It may have been the front entry that held others back.
        raw.dispatch_and_wake();
    }
}

/// The future returned by [`RwLock::read`].
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
/// use loop_sync::{RwLockRead, RwLock};
///
/// let lock = RwLock::new(1);
/// let future: RwLockRead<'_, i32> = lock.read();
/// let guard = Loop::new().run_task(future);
/// assert_eq!(*guard, 1);
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct RwLockRead<'a, T: ?Sized> {
    entry: WaitEntry<&'a RwLock<T>>,
}

impl<'a, T: ?Sized> Future for RwLockRead<'a, T> {
    type Output = RwLockReadGuard<'a, T>;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<RwLockReadGuard<'a, T>> {
        ready!(poll_lock(&mut self.entry, Kind::Read, cx));
        Poll::Ready(RwLockReadGuard::new(self.entry.queue()))
    }
}

impl<'a, T: ?Sized> Drop for RwLockRead<'a, T> {
    fn drop(&mut self) {
        cancel_lock(&mut self.entry, Kind::Read);
    }
}

impl<'a, T: ?Sized> fmt::Debug for RwLockRead<'a, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RwLockRead")
            .field("queued", &self.entry.is_queued())
            .finish()
    }
}

/// The future returned by [`RwLock::write`].
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
/// use loop_sync::{RwLockWrite, RwLock};
///
/// let lock = RwLock::new(1);
/// let future: RwLockWrite<'_, i32> = lock.write();
/// let guard = Loop::new().run_task(future);
/// assert_eq!(*guard, 1);
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct RwLockWrite<'a, T: ?Sized> {
    entry: WaitEntry<&'a RwLock<T>>,
}

impl<'a, T: ?Sized> Future for RwLockWrite<'a, T> {
    type Output = RwLockWriteGuard<'a, T>;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<RwLockWriteGuard<'a, T>> {
        ready!(poll_lock(&mut self.entry, Kind::Write, cx));
        Poll::Ready(RwLockWriteGuard::new(self.entry.queue()))
    }
}

impl<'a, T: ?Sized> Drop for RwLockWrite<'a, T> {
    fn drop(&mut self) {
        cancel_lock(&mut self.entry, Kind::Write);
    }
}

impl<'a, T: ?Sized> fmt::Debug for RwLockWrite<'a, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RwLockWrite")
            .field("queued", &self.entry.is_queued())
            .finish()
    }
}

/// The future returned by [`RwLock::read_owned`].
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use loop_core::Loop;
/// use loop_sync::{RwLockReadOwned, RwLock};
///
/// let lock = Arc::new(RwLock::new(1));
/// let future: RwLockReadOwned<i32> = lock.read_owned();
/// let guard = Loop::new().run_task(future);
/// assert_eq!(*guard, 1);
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct RwLockReadOwned<T: ?Sized> {
    entry: WaitEntry<Arc<RwLock<T>>>,
}

impl<T: ?Sized> Future for RwLockReadOwned<T> {
    type Output = OwnedRwLockReadGuard<T>;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<OwnedRwLockReadGuard<T>> {
        ready!(poll_lock(&mut self.entry, Kind::Read, cx));
        Poll::Ready(OwnedRwLockReadGuard::new(self.entry.queue().clone()))
    }
}

impl<T: ?Sized> Drop for RwLockReadOwned<T> {
    fn drop(&mut self) {
        cancel_lock(&mut self.entry, Kind::Read);
    }
}

impl<T: ?Sized> fmt::Debug for RwLockReadOwned<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RwLockReadOwned")
            .field("queued", &self.entry.is_queued())
            .finish()
    }
}

/// The future returned by [`RwLock::write_owned`].
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use loop_core::Loop;
/// use loop_sync::{RwLockWriteOwned, RwLock};
///
/// let lock = Arc::new(RwLock::new(1));
/// let future: RwLockWriteOwned<i32> = lock.write_owned();
/// let guard = Loop::new().run_task(future);
/// assert_eq!(*guard, 1);
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct RwLockWriteOwned<T: ?Sized> {
    entry: WaitEntry<Arc<RwLock<T>>>,
}

impl<T: ?Sized> Future for RwLockWriteOwned<T> {
    type Output = OwnedRwLockWriteGuard<T>;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<OwnedRwLockWriteGuard<T>> {
        ready!(poll_lock(&mut self.entry, Kind::Write, cx));
        Poll::Ready(OwnedRwLockWriteGuard::new(self.entry.queue().clone()))
    }
}

impl<T: ?Sized> Drop for RwLockWriteOwned<T> {
    fn drop(&mut self) {
        cancel_lock(&mut self.entry, Kind::Write);
    }
}

impl<T: ?Sized> fmt::Debug for RwLockWriteOwned<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RwLockWriteOwned")
            .field("queued", &self.entry.is_queued())
            .finish()
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("RwLock");
        match self.try_read() {
            Some(guard) => out.field("data", &&*guard),
            None => out.field("data", &format_args!("<locked>")),
        };
        out.finish()
    }
}

impl<T: Default> Default for RwLock<T> {
    fn default() -> RwLock<T> {
        RwLock::new(T::default())
    }
}

impl<T> From<T> for RwLock<T> {
    fn from(value: T) -> RwLock<T> {
        RwLock::new(value)
    }
}
