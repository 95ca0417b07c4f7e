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
//! # Waking
//!
//! The list only hands out wakers; the primitive wakes them after releasing
//! its lock, so a waker that runs arbitrary code (or drops a future that uses
//! the same primitive) never runs under the lock.

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
pub(crate) fn wake_all(wakers: Vec<Waker>) {
    for waker in wakers {
        waker.wake();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Waker;

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
