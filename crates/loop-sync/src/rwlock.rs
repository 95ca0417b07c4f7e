//! `RwLock<T>`: many readers or one writer, served in arrival order.
//!
//! # The state word and the wait list
//!
//! Like the `Mutex` (see `mutex.rs`), a [`RawRwLock`] is one `AtomicUsize`
//! and a [`WaitList`] behind a std `Mutex` (the *list lock*); each queued
//! entry carries whether it reads or writes, and its ticket (below). The
//! word holds:
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
//! nobody holds it (`WRITER` is set for it); the run of readers at the front
//! is granted together (the count is raised by their number) unless a writer
//! holds the lock. A grant takes the entry out of the list and wakes it: the
//! lock is handed off, and nobody can take it in between. While `WAITERS` is
//! set nobody takes the lock by a fast path, so dispatch races only with
//! readers leaving; a reader that leaves last after dispatch looked sees
//! `WAITERS` and dispatches again once it gets the list lock.
//!
//! # Tickets
//!
//! A granted future learns of its grant without taking the list lock. Each
//! queued entry gets a ticket, numbered in queueing order, so the list is in
//! ticket order; grants are made from the front, so they are too. Dispatch
//! frees a granted entry's slot at once and stores the ticket of the last
//! entry it granted in `granted` (under the list lock, `Release`). A queued
//! future is granted exactly when `granted` has reached its ticket: anything
//! with a larger ticket was behind it, and could only be granted after it.
//! A future that finds its ticket not yet reached looks again under the list
//! lock before it touches its slot (to refresh its waker, or to leave the
//! list when dropped), since only a grant, made under that lock, frees the
//! slot of a future that has not left. This halves the list-lock traffic of
//! a queued lock operation; a measured RwLock row (benches/locks.rs) needed
//! it.
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
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::task::{Context, Poll, Waker, ready};

use crate::messages::{DISPATCH_EMPTY, TOO_MANY_READERS};
use crate::rwlock_guard::{
    OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLockReadGuard, RwLockWriteGuard,
};
use crate::wait_list::{WaitList, lock, wake_all};

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

    /// Grants the front entry of `list` (it leaves the list) and keeps its
    /// waker; returns its ticket.
    fn grant_front_of(&mut self, list: &mut WaitList<(Kind, u64)>) -> u64 {
        let Some((waker, Some((_, ticket)))) = list.pop_front() else {
            unreachable!("{DISPATCH_EMPTY}");
        };
        let Some(waker) = waker else {
            return ticket;
        };
        if let Some(slot) = self.inline.get_mut(self.len) {
            *slot = Some(waker);
            self.len += 1;
        } else {
            self.spill.push(waker);
        }
        ticket
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

/// The waiting futures, behind the list lock: each entry is what it wants
/// and its ticket.
struct Queue {
    list: WaitList<(Kind, u64)>,
    /// The ticket the next queued future gets.
    next_ticket: u64,
}

/// The lock without the value.
pub(crate) struct RawRwLock {
    state: AtomicUsize,
    /// The ticket of the last entry granted the lock (module docs,
    /// # Tickets); written under the list lock, read by anyone.
    granted: AtomicU64,
    waiters: StdMutex<Queue>,
}

impl RawRwLock {
    const fn new() -> RawRwLock {
        RawRwLock {
            state: AtomicUsize::new(0),
            granted: AtomicU64::new(0),
            waiters: StdMutex::new(Queue {
                list: WaitList::new(),
                // Ticket 0 counts as granted from the start.
                next_ticket: 1,
            }),
        }
    }

    /// True if the entry with `ticket` has been granted the lock.
    #[inline]
    fn is_granted(&self, ticket: u64) -> bool {
        self.granted.load(Ordering::Acquire) >= ticket
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
            let mut queue = lock(&self.waiters);
            self.state.fetch_and(!WRITER, Ordering::Release);
            self.dispatch(&mut queue.list, &mut wakers);
        }
        wakers.wake();
    }

    #[cold]
    fn dispatch_and_wake(&self) {
        let mut wakers = WakeBatch::new();
        self.dispatch(&mut lock(&self.waiters).list, &mut wakers);
        wakers.wake();
    }

    /// Grants the lock to the front waiters it can serve now (module docs,
    /// # Dispatch); called under the list lock.
    fn dispatch(&self, list: &mut WaitList<(Kind, u64)>, wakers: &mut WakeBatch) {
        match list.front_value().map(|entry| entry.0) {
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
                let ticket = wakers.grant_front_of(list);
                self.granted.store(ticket, Ordering::Release);
            }
            Some(Kind::Read) => {
                // While `WAITERS` is set nobody sets `WRITER` but a dispatch,
                // and we hold the list lock: one look is enough.
                let current = self.state.load(Ordering::Relaxed);
                if current & WRITER != 0 {
                    return;
                }
                let mut readers = 0;
                let mut ticket = 0;
                while list.front_value().map(|entry| entry.0) == Some(Kind::Read) {
                    ticket = wakers.grant_front_of(list);
                    readers += 1;
                }
                let add = readers * ONE_READER;
                assert!(current <= usize::MAX - add, "{TOO_MANY_READERS}");
                self.state.fetch_add(add, Ordering::Acquire);
                self.granted.store(ticket, Ordering::Release);
            }
        }
        if list.is_empty() {
            self.state.fetch_and(!WAITERS, Ordering::Relaxed);
        }
    }
}

/// A lock future's handle on the lock `P` and, while it waits, its place.
struct LockEntry<P> {
    lock: P,
    /// The key of its slot in the list and its ticket, while queued.
    waiting: Option<(usize, u64)>,
}

impl<P> LockEntry<P> {
    fn new(lock: P) -> LockEntry<P> {
        LockEntry {
            lock,
            waiting: None,
        }
    }

    fn queue(&self) -> &P {
        &self.lock
    }

    fn is_queued(&self) -> bool {
        self.waiting.is_some()
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
            entry: LockEntry::new(self),
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
            entry: LockEntry::new(self),
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
            entry: LockEntry::new(self),
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
            entry: LockEntry::new(self),
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
    entry: &mut LockEntry<P>,
    kind: Kind,
    cx: &mut Context<'_>,
) -> Poll<()> {
    ready!(loop_core::poll_budget(cx));
    let raw = &entry.lock.raw;
    match entry.waiting {
        None => {
            let taken = match kind {
                Kind::Read => raw.try_read(),
                Kind::Write => raw.try_write(),
            };
            if taken {
                return Poll::Ready(());
            }
        }
        // Granted: the dispatch freed our slot already; nothing to lock.
        Some((_, ticket)) if raw.is_granted(ticket) => {
            entry.waiting = None;
            return Poll::Ready(());
        }
        Some(_) => {}
    }
    poll_lock_slow(entry, kind, cx)
}

#[cold]
fn poll_lock_slow<T: ?Sized, P: Deref<Target = RwLock<T>>>(
    entry: &mut LockEntry<P>,
    kind: Kind,
    cx: &mut Context<'_>,
) -> Poll<()> {
    let raw = &entry.lock.raw;
    let mut queue = lock(&raw.waiters);
    if let Some((key, ticket)) = entry.waiting {
        // Grants are made under the list lock: this look is final.
        if raw.is_granted(ticket) {
            entry.waiting = None;
            return Poll::Ready(());
        }
        queue.list.set_waker(key, cx.waker());
        return Poll::Pending;
    }
    let empty = queue.list.is_empty();
    let mut current = raw.state.load(Ordering::Relaxed);
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
        match raw
            .state
            .compare_exchange_weak(current, new, Ordering::Acquire, Ordering::Relaxed)
        {
            Ok(_) if acquired => return Poll::Ready(()),
            Ok(_) => break,
            Err(actual) => current = actual,
        }
    }
    let ticket = queue.next_ticket;
    queue.next_ticket += 1;
    let key = queue.list.push_back(cx.waker(), Some((kind, ticket)));
    entry.waiting = Some((key, ticket));
    Poll::Pending
}

/// After a lock future wanting `kind` was dropped: leave the queue, or give
/// back a lock that had been granted; either way, let in whoever can go now.
fn cancel_lock<T: ?Sized, P: Deref<Target = RwLock<T>>>(entry: &mut LockEntry<P>, kind: Kind) {
    let Some((key, ticket)) = entry.waiting.take() else {
        return;
    };
    let raw = &entry.lock.raw;
    let granted = raw.is_granted(ticket) || {
        let mut queue = lock(&raw.waiters);
        // Grants are made under the list lock: this look is final, and if
        // not granted, the slot is still ours.
        let granted = raw.is_granted(ticket);
        if !granted {
            queue.list.remove(key);
            // It may have been the front entry that held others back.
            let mut wakers = WakeBatch::new();
            raw.dispatch(&mut queue.list, &mut wakers);
            drop(queue);
            wakers.wake();
        }
        granted
    };
    if granted {
        match kind {
            Kind::Read => raw.unlock_read(),
            Kind::Write => raw.unlock_write(),
        }
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
    entry: LockEntry<&'a RwLock<T>>,
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
    entry: LockEntry<&'a RwLock<T>>,
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
    entry: LockEntry<Arc<RwLock<T>>>,
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
    entry: LockEntry<Arc<RwLock<T>>>,
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
