//! `WaitList`: the FIFO queue of futures waiting on a primitive.
//!
//! Every primitive in this crate keeps its waiting futures in a `WaitList`
//! behind the primitive's `Mutex`. It is a doubly linked list threaded through
//! a `Vec` of slots (indices instead of pointers, so no `unsafe`), which gives
//! O(1) `push_back`, `notify_front` and `remove` of any entry.
//!
//! # Who owns a slot
//!
//! `push_back` returns a key, and the future that pushed owns that slot until
//! it calls `remove(key)`: when it completes, or in its `Drop` if it is
//! cancelled. A slot is in one of two states while owned:
//!
//! - **queued**: linked in the list, waiting; its waker is the last one the
//!   future was polled with.
//! - **notified**: unlinked by `notify_front` or `notify_all` (what that means
//!   is the primitive's business: the count reached zero, the event was set, a
//!   permit or a channel slot was handed over). The slot stays allocated so the
//!   future can see that it was notified; its waker has been taken and woken.
//!
//! Because only the owner frees a slot, a key never refers to somebody else's
//! entry, and no generation counters are needed. Freed slots are reused
//! through a free list threaded through `next`.
//!
//! # The owner's side: `WaitEntry`
//!
//! A waiting future does not handle keys itself: it holds a [`WaitEntry`], a
//! guard that owns the key between `push_back` and `remove` and removes the
//! entry when dropped, so a cancelled future always gives its slot back (and
//! its payload is dropped after the lock is released). Each poll goes through
//! [`WaitEntry::lock`], which locks the primitive's state once and gives the
//! future both that state and its entry. The entry reaches its list through
//! the [`WaitQueue`] trait, which each primitive implements for the state its
//! handles share; the guard holds the primitive's own handle (an `Arc` or a
//! reference) and a key, exactly what each future held before, so it costs no
//! allocation and no extra space.
//!
//! # Waking
//!
//! The list only hands out wakers; the primitive wakes them after releasing
//! its lock, so a waker that runs arbitrary code (or drops a future that uses
//! the same primitive) never runs under the lock. A batch of wakers is woken
//! by [`wake_all`], which wakes every one of them even if one panics, and
//! then resumes the first panic in the caller (see there).

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Mutex, MutexGuard};
use std::task::Waker;

/// The end of a chain of indices.
const NIL: usize = usize::MAX;

/// Where a slot is in its life (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Free,
    Queued,
    Notified,
}

#[derive(Debug)]
struct Slot<T> {
    state: State,
    waker: Option<Waker>,
    /// A payload the waiting future parks here (the channel's value to send).
    value: Option<T>,
    prev: usize,
    next: usize,
}

/// A FIFO list of waiting futures, each with a waker and an optional payload.
#[derive(Debug)]
pub(crate) struct WaitList<T> {
    slots: Vec<Slot<T>>,
    head: usize,
    tail: usize,
    /// Head of the chain of free slots, linked through `next`.
    free: usize,
    /// Entries in the queued state.
    queued: usize,
}

impl<T> WaitList<T> {
    pub(crate) const fn new() -> WaitList<T> {
        WaitList {
            slots: Vec::new(),
            head: NIL,
            tail: NIL,
            free: NIL,
            queued: 0,
        }
    }

    /// True if no future is queued (notified slots not yet removed don't count).
    pub(crate) fn is_empty(&self) -> bool {
        self.queued == 0
    }

    /// How many futures are queued.
    pub(crate) fn len(&self) -> usize {
        self.queued
    }

    /// Queues a future at the back; it owns the returned key until `remove`.
    pub(crate) fn push_back(&mut self, waker: &Waker, value: Option<T>) -> usize {
        let slot = Slot {
            state: State::Queued,
            waker: Some(waker.clone()),
            value,
            prev: self.tail,
            next: NIL,
        };
        let key = if self.free == NIL {
            self.slots.push(slot);
            self.slots.len() - 1
        } else {
            let key = self.free;
            self.free = self.slots[key].next;
            self.slots[key] = slot;
            key
        };
        if self.tail == NIL {
            self.head = key;
        } else {
            self.slots[self.tail].next = key;
        }
        self.tail = key;
        self.queued += 1;
        key
    }

    /// True once the entry has been notified.
    pub(crate) fn is_notified(&self, key: usize) -> bool {
        self.slots[key].state == State::Notified
    }

    /// Stores the waker a still-queued future was polled with this time.
    pub(crate) fn set_waker(&mut self, key: usize, waker: &Waker) {
        let slot = &mut self.slots[key];
        match &mut slot.waker {
            Some(old) => old.clone_from(waker),
            None => slot.waker = Some(waker.clone()),
        }
    }

    /// The payload of the front queued entry, if any (the `RwLock` looks at
    /// whether the next waiter reads or writes before it notifies it).
    pub(crate) fn front_value(&self) -> Option<&T> {
        if self.head == NIL {
            return None;
        }
        self.slots[self.head].value.as_ref()
    }

    /// Unlinks the front entry and marks it notified; returns its waker and
    /// payload, or `None` if nothing is queued.
    pub(crate) fn notify_front(&mut self) -> Option<(Option<Waker>, Option<T>)> {
        if self.head == NIL {
            return None;
        }
        let key = self.head;
        self.unlink(key);
        let slot = &mut self.slots[key];
        slot.state = State::Notified;
        Some((slot.waker.take(), slot.value.take()))
    }

    /// Unlinks the front entry and frees its slot at once; returns its waker
    /// and payload, or `None` if nothing is queued. For a primitive whose
    /// futures learn of their notification some other way (the `RwLock`'s
    /// grant tickets), so the owner of the key must not use it afterwards.
    pub(crate) fn pop_front(&mut self) -> Option<(Option<Waker>, Option<T>)> {
        if self.head == NIL {
            return None;
        }
        let key = self.head;
        self.unlink(key);
        let slot = &mut self.slots[key];
        slot.state = State::Free;
        let taken = (slot.waker.take(), slot.value.take());
        slot.next = self.free;
        self.free = key;
        Some(taken)
    }

    /// Notifies every queued entry, front to back, and appends their wakers.
    pub(crate) fn notify_all(&mut self, wakers: &mut Vec<Waker>) {
        wakers.reserve(self.queued);
        while let Some((waker, _)) = self.notify_front() {
            wakers.extend(waker);
        }
    }

    /// Takes the waker of every queued entry, front to back, leaving the
    /// entries queued (the channel does this when it closes: its waiting
    /// senders take their values back themselves).
    pub(crate) fn take_wakers(&mut self, wakers: &mut Vec<Waker>) {
        let mut key = self.head;
        while key != NIL {
            wakers.extend(self.slots[key].waker.take());
            key = self.slots[key].next;
        }
    }

    /// Frees the slot `key`, unlinking it if it is still queued; returns
    /// whether it had been notified, and its payload.
    pub(crate) fn remove(&mut self, key: usize) -> (bool, Option<T>) {
        let state = self.slots[key].state;
        debug_assert_ne!(state, State::Free, "wait list slot removed twice");
        if state == State::Queued {
            self.unlink(key);
        }
        let slot = &mut self.slots[key];
        slot.state = State::Free;
        slot.waker = None;
        let value = slot.value.take();
        slot.next = self.free;
        self.free = key;
        (state == State::Notified, value)
    }

    fn unlink(&mut self, key: usize) {
        let (prev, next) = (self.slots[key].prev, self.slots[key].next);
        if prev == NIL {
            self.head = next;
        } else {
            self.slots[prev].next = next;
        }
        if next == NIL {
            self.tail = prev;
        } else {
            self.slots[next].prev = prev;
        }
        self.queued -= 1;
    }
}

impl<T> Default for WaitList<T> {
    fn default() -> WaitList<T> {
        WaitList::new()
    }
}

/// Locks a primitive's state, ignoring poisoning.
///
/// The only user code that runs under these locks is a waker's `clone`, and
/// every structure kept under them is consistent at each point where that can
/// panic, so the state behind a poisoned lock is still sound to use.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Wakes every waker in `wakers` (call it after releasing the lock).
///
/// A waker is foreign code and may panic. One that does must not cost the
/// others their wake-up: every waker is woken, and only then is the first
/// panic resumed in the caller (whose code, directly or through a future it
/// polled, supplied that waker), with the primitive's state already complete.
/// If the thread is already unwinding (a `Permit` or a `Receiver` dropped
/// during a panic), the panic is not resumed, since a second panic would
/// abort the process; the panic hook has reported it already.
pub(crate) fn wake_all(wakers: impl IntoIterator<Item = Waker>) {
    /// The wakers not woken yet. Its drop runs only if a wake panicked (the
    /// loop below empties it otherwise): it wakes the rest, each contained,
    /// while the first panic unwinds on to the caller. The happy path so
    /// pays for no `catch_unwind`.
    struct Rest<I: Iterator<Item = Waker>>(I);

    impl<I: Iterator<Item = Waker>> Drop for Rest<I> {
        fn drop(&mut self) {
            for waker in &mut self.0 {
                let _ = catch_unwind(AssertUnwindSafe(|| waker.wake()));
            }
        }
    }

    if std::thread::panicking() {
        // Already unwinding (a `Permit` or `Receiver` dropped during a
        // panic): a second panic escaping would abort the process.
        for waker in wakers {
            let _ = catch_unwind(AssertUnwindSafe(|| waker.wake()));
        }
        return;
    }
    let mut rest = Rest(wakers.into_iter());
    for waker in rest.0.by_ref() {
        waker.wake();
    }
}

/// How a [`WaitEntry`] reaches the list it waits in: the state a primitive's
/// handles share behind a `Mutex`, and the wait list inside it.
pub(crate) trait WaitQueue {
    /// What the primitive's `Mutex` guards.
    type State;
    /// The payload an entry may park in the list (the channel's message).
    type Value;

    /// The primitive's lock.
    fn state(&self) -> &Mutex<Self::State>;

    /// The wait list inside the locked state.
    fn waiters(state: &mut Self::State) -> &mut WaitList<Self::Value>;
}

/// Where a [`WaitEntry`] stands, as seen by [`Locked::poll`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Entry {
    /// Not in the list: the future has not queued yet (or has completed).
    Unqueued,
    /// Queued and still waiting; its waker has been refreshed.
    Waiting,
    /// It was notified; the entry has been removed, the future may complete.
    Notified,
}

/// A waiting future's entry in a primitive's [`WaitList`]: the primitive's
/// handle `P` and, while queued, the key of its slot.
///
/// Dropping it removes the entry (see [`WaitEntry::cancel`]).
pub(crate) struct WaitEntry<P: Deref<Target: WaitQueue>> {
    queue: P,
    /// Our slot, from `Locked::push` until the entry is removed.
    key: Option<usize>,
}

impl<P: Deref<Target: WaitQueue>> WaitEntry<P> {
    /// An entry not queued yet, for the primitive behind `queue`.
    #[inline]
    pub(crate) const fn new(queue: P) -> WaitEntry<P> {
        WaitEntry { queue, key: None }
    }

    /// The primitive's handle.
    #[inline]
    pub(crate) fn queue(&self) -> &P {
        &self.queue
    }

    /// True while the entry is in the list (queued or notified).
    #[inline]
    pub(crate) fn is_queued(&self) -> bool {
        self.key.is_some()
    }

    /// Locks the primitive's state for one poll.
    #[inline]
    pub(crate) fn lock(&mut self) -> Locked<'_, P::Target> {
        let queue: &P::Target = &self.queue;
        Locked {
            state: lock(queue.state()),
            queue,
            key: &mut self.key,
        }
    }

    /// Leaves the list if the entry is in it; returns true if it had been
    /// notified (so the primitive may have to pass on what it was handed).
    /// A parked payload is dropped after the lock is released.
    #[inline]
    pub(crate) fn cancel(&mut self) -> bool {
        let Some(key) = self.key.take() else {
            return false;
        };
        let (notified, value) = {
            let mut state = lock(self.queue.state());
            P::Target::waiters(&mut state).remove(key)
        };
        drop(value);
        notified
    }
}

impl<P: Deref<Target: WaitQueue>> Drop for WaitEntry<P> {
    #[inline]
    fn drop(&mut self) {
        self.cancel();
    }
}

impl<P: Deref<Target: WaitQueue>> fmt::Debug for WaitEntry<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitEntry")
            .field("queued", &self.is_queued())
            .finish_non_exhaustive()
    }
}

/// A primitive's locked state, with one future's entry in its wait list; it
/// dereferences to the state. Made by [`WaitEntry::lock`].
pub(crate) struct Locked<'a, Q: WaitQueue + ?Sized> {
    state: MutexGuard<'a, Q::State>,
    queue: &'a Q,
    key: &'a mut Option<usize>,
}

impl<Q: WaitQueue + ?Sized> Locked<'_, Q> {
    /// The primitive's shared state outside the lock (the `Waiter`'s count).
    #[inline]
    pub(crate) fn queue(&self) -> &Q {
        self.queue
    }

    /// Where the entry stands: if it was notified it is removed now; if it
    /// still waits, `waker` replaces the one it was queued with.
    #[inline]
    pub(crate) fn poll(&mut self, waker: &Waker) -> Entry {
        let Some(key) = *self.key else {
            return Entry::Unqueued;
        };
        let waiters = Q::waiters(&mut self.state);
        if waiters.is_notified(key) {
            // A notified slot's payload was taken by `notify_front`.
            waiters.remove(key);
            *self.key = None;
            Entry::Notified
        } else {
            waiters.set_waker(key, waker);
            Entry::Waiting
        }
    }

    /// Queues the entry at the back of the list, with `value` parked in it.
    #[inline]
    pub(crate) fn push(&mut self, waker: &Waker, value: Option<Q::Value>) {
        debug_assert!(self.key.is_none(), "a wait entry queued twice");
        *self.key = Some(Q::waiters(&mut self.state).push_back(waker, value));
    }

    /// Leaves the list, if queued, and takes back the parked payload.
    #[inline]
    pub(crate) fn remove(&mut self) -> Option<Q::Value> {
        let key = self.key.take()?;
        Q::waiters(&mut self.state).remove(key).1
    }
}

impl<Q: WaitQueue + ?Sized> Deref for Locked<'_, Q> {
    type Target = Q::State;

    fn deref(&self) -> &Q::State {
        &self.state
    }
}

impl<Q: WaitQueue + ?Sized> DerefMut for Locked<'_, Q> {
    fn deref_mut(&mut self) -> &mut Q::State {
        &mut self.state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::task::Waker;

    /// A primitive that is nothing but a wait list of probes.
    struct Probes {
        list: Mutex<WaitList<Probe>>,
    }

    impl WaitQueue for Probes {
        type State = WaitList<Probe>;
        type Value = Probe;

        fn state(&self) -> &Mutex<WaitList<Probe>> {
            &self.list
        }

        fn waiters(state: &mut WaitList<Probe>) -> &mut WaitList<Probe> {
            state
        }
    }

    /// A payload that records, when dropped, whether the list was unlocked.
    struct Probe {
        probes: Arc<Probes>,
        dropped_unlocked: Arc<AtomicBool>,
    }

    impl Drop for Probe {
        fn drop(&mut self) {
            let unlocked = self.probes.list.try_lock().is_ok();
            self.dropped_unlocked.store(unlocked, Ordering::SeqCst);
        }
    }

    fn probes() -> Arc<Probes> {
        Arc::new(Probes {
            list: Mutex::new(WaitList::new()),
        })
    }

    #[test]
    fn a_dropped_entry_leaves_the_list_and_drops_its_payload_after_unlocking() {
        let probes = probes();
        let dropped_unlocked = Arc::new(AtomicBool::new(false));
        let mut entry = WaitEntry::new(probes.clone());
        let probe = Probe {
            probes: probes.clone(),
            dropped_unlocked: dropped_unlocked.clone(),
        };
        entry.lock().push(Waker::noop(), Some(probe));
        assert!(entry.is_queued());
        assert_eq!(lock(&probes.list).len(), 1);
        drop(entry);
        assert!(lock(&probes.list).is_empty());
        assert!(dropped_unlocked.load(Ordering::SeqCst));
    }

    #[test]
    fn polling_a_notified_entry_removes_it() {
        let probes = probes();
        let mut entry = WaitEntry::new(probes.clone());
        assert_eq!(entry.lock().poll(Waker::noop()), Entry::Unqueued);
        entry.lock().push(Waker::noop(), None);
        assert_eq!(entry.lock().poll(Waker::noop()), Entry::Waiting);
        assert!(lock(&probes.list).notify_front().is_some());
        assert_eq!(entry.lock().poll(Waker::noop()), Entry::Notified);
        assert!(!entry.is_queued());
        assert_eq!(entry.lock().poll(Waker::noop()), Entry::Unqueued);
        // The slot was freed: the next entry reuses it.
        let key = lock(&probes.list).push_back(Waker::noop(), None);
        assert_eq!(key, 0);
    }

    #[test]
    fn cancel_says_whether_the_entry_had_been_notified() {
        let probes = probes();
        let mut first = WaitEntry::new(probes.clone());
        let mut second = WaitEntry::new(probes.clone());
        first.lock().push(Waker::noop(), None);
        second.lock().push(Waker::noop(), None);
        // Notifies the front entry, `first`; `second` still waits.
        assert!(lock(&probes.list).notify_front().is_some());
        assert!(!second.cancel());
        assert!(first.cancel());
        assert!(!first.cancel(), "a second cancel finds nothing");
        assert!(lock(&probes.list).is_empty());
    }

    fn keys_in_order(list: &mut WaitList<u32>) -> Vec<u32> {
        let mut out = Vec::new();
        while let Some((_, value)) = list.notify_front() {
            out.push(value.unwrap());
        }
        out
    }

    #[test]
    fn notify_front_follows_push_order_after_removals() {
        let mut list = WaitList::new();
        let w = Waker::noop();
        let keys: Vec<usize> = (0..5).map(|i| list.push_back(w, Some(i))).collect();
        assert_eq!(list.remove(keys[0]), (false, Some(0)));
        assert_eq!(list.remove(keys[2]), (false, Some(2)));
        assert_eq!(list.remove(keys[4]), (false, Some(4)));
        // Freed slots are reused, but the new entry goes to the back.
        list.push_back(w, Some(5));
        assert_eq!(list.len(), 3);
        assert_eq!(keys_in_order(&mut list), [1, 3, 5]);
        assert!(list.is_empty());
    }

    #[test]
    fn notified_slot_stays_until_its_owner_removes_it() {
        let mut list: WaitList<()> = WaitList::new();
        let key = list.push_back(Waker::noop(), None);
        assert!(!list.is_notified(key));
        assert!(list.notify_front().is_some());
        assert!(list.is_notified(key));
        assert!(list.is_empty());
        let other = list.push_back(Waker::noop(), None);
        assert_ne!(other, key);
        assert_eq!(list.remove(key), (true, None));
        assert_eq!(list.remove(other), (false, None));
    }
}
