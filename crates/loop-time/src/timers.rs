//! Every registered timer of a loop, in deadline order.
//!
//! Three parts, all plain vectors:
//! - a **slab** of [`Slot`]s, one per registered timer, holding its waker, its
//!   deadline and its sequence number. A `Sleep` remembers its slot index and
//!   sequence number; a free slot has sequence number 0 and links to the next
//!   free slot (an intrusive free list, so freeing never allocates), and freed
//!   indices are reused, so after warm-up registering a timer allocates
//!   nothing.
//! - the **wheel** (`wheel.rs`): [`Entry`]s `(deadline, seq, slot)` due in the
//!   next ~134 ms, in buckets of ~131 µs, sorted only when fired.
//! - the **heap** (`heap.rs`): entries beyond the wheel, earliest first; they
//!   move into the wheel as time comes near.
//!
//! Timers fire in `(deadline, seq)` order: earliest deadline first and, among
//! equal deadlines, lower sequence number first, that is the timer created
//! first (sequence numbers come from a per-thread counter bumped when a
//! timer is created or reset).
//!
//! Cancelling is O(1): the slot is freed and its entry is left behind as a
//! *stale* entry, recognised because the slot's sequence number no longer
//! matches it (sequence numbers are never reused on a thread). Stale entries
//! are dropped when met, all at once when no live timer is left, and by a
//! compaction when they outnumber the live ones twice over, so the wheel and
//! heap never hold much more than twice the live timers, and compaction costs
//! O(1) amortized per cancel.
//!
//! Deadlines are nanoseconds since the store's origin (see `store.rs`);
//! [`NEVER`] marks a timer that is held (for its waker) but never scheduled.

use std::task::Waker;

use crate::heap::{Entry, Heap};
use crate::messages;
use crate::wheel::Wheel;

/// The deadline of a timer that never fires.
pub(crate) const NEVER: u64 = u64::MAX;

/// When the slab or heap is empty and its capacity is above this, it is
/// shrunk back to it.
const IDLE_CAPACITY: usize = 1024;

/// The end of the free list.
const NO_SLOT: u32 = u32::MAX;

/// A registered timer, or a free slot.
#[derive(Debug)]
struct Slot {
    /// 0 when the slot is free.
    seq: u64,
    /// The deadline; in a free slot, the index of the next free slot.
    at: u64,
    waker: Option<Waker>,
}

/// The slab, the wheel and the heap; see the module docs.
#[derive(Debug)]
pub(crate) struct Timers {
    slots: Vec<Slot>,
    /// The first free slot, or `NO_SLOT`.
    free: u32,
    wheel: Wheel,
    heap: Heap,
    /// Occupied slots.
    live: usize,
    /// Occupied slots whose deadline is not `NEVER`: each has exactly one
    /// entry, in the wheel or the heap, that is not stale.
    queued: usize,
    /// Entries in the wheel and the heap, stale ones included.
    entries: usize,
}

impl Default for Timers {
    fn default() -> Timers {
        Timers {
            slots: Vec::new(),
            free: NO_SLOT,
            wheel: Wheel::default(),
            heap: Heap::default(),
            live: 0,
            queued: 0,
            entries: 0,
        }
    }
}

/// Puts slot `index` on the free list headed by `free`.
#[inline]
fn free_slot(slots: &mut [Slot], free: &mut u32, index: u32) {
    let slot = &mut slots[index as usize];
    slot.seq = 0;
    slot.at = u64::from(*free);
    *free = index;
}

/// True if `entry` is its slot's current registration.
#[inline]
fn is_live(slots: &[Slot], entry: &Entry) -> bool {
    slots[entry.slot as usize].seq == entry.seq
}

impl Timers {
    /// Registers a timer and returns its slot. `seq` must be non-zero and
    /// never used before on this `Timers`.
    pub(crate) fn insert(&mut self, at: u64, seq: u64, waker: Waker) -> u32 {
        debug_assert_ne!(seq, 0);
        let slot = Slot {
            seq,
            at,
            waker: Some(waker),
        };
        let index = match self.free {
            NO_SLOT => {
                let index = u32::try_from(self.slots.len())
                    .unwrap_or_else(|_| panic!("{}", messages::TOO_MANY_TIMERS));
                self.slots.push(slot);
                index
            }
            index => {
                let next = &mut self.slots[index as usize];
                self.free = u32::try_from(next.at).expect("free slots link to slots");
                *next = slot;
                index
            }
        };
        self.live += 1;
        self.schedule(at, seq, index);
        index
    }

    fn schedule(&mut self, at: u64, seq: u64, slot: u32) {
        if at == NEVER {
            return;
        }
        self.queued += 1;
        self.entries += 1;
        let entry = Entry { at, seq, slot };
        if self.wheel.reaches(at) {
            self.wheel.push(entry);
        } else {
            self.heap.push(entry);
        }
    }

    fn slot_mut(&mut self, slot: u32, seq: u64) -> Option<&mut Slot> {
        self.slots
            .get_mut(slot as usize)
            .filter(|s| s.seq == seq && seq != 0)
    }

    /// True while the timer `(slot, seq)` is registered: not fired, not cancelled.
    pub(crate) fn contains(&self, slot: u32, seq: u64) -> bool {
        seq != 0 && self.slots.get(slot as usize).is_some_and(|s| s.seq == seq)
    }

    /// If the timer `(slot, seq)` is still registered, makes `waker` the one
    /// it wakes and returns true; returns false once it has fired.
    pub(crate) fn refresh(&mut self, slot: u32, seq: u64, waker: &Waker) -> bool {
        match self.slot_mut(slot, seq) {
            Some(s) => {
                match &mut s.waker {
                    Some(w) if w.will_wake(waker) => {}
                    w => *w = Some(waker.clone()),
                }
                true
            }
            None => false,
        }
    }

    /// Moves a registered timer to a new deadline and sequence number,
    /// keeping its waker. Returns false if it has already fired.
    pub(crate) fn reschedule(&mut self, slot: u32, seq: u64, at: u64, new_seq: u64) -> bool {
        let Some(s) = self.slot_mut(slot, seq) else {
            return false;
        };
        let old_at = s.at;
        s.seq = new_seq;
        s.at = at;
        if old_at != NEVER {
            self.queued -= 1;
        }
        self.schedule(at, new_seq, slot);
        self.collect_stale();
        true
    }

    /// Cancels the timer `(slot, seq)` if it is still registered, and returns
    /// its waker, for the caller to drop outside any borrow.
    pub(crate) fn remove(&mut self, slot: u32, seq: u64) -> Option<Waker> {
        let s = self.slot_mut(slot, seq)?;
        let waker = s.waker.take();
        let at = s.at;
        free_slot(&mut self.slots, &mut self.free, slot);
        self.live -= 1;
        if at != NEVER {
            self.queued -= 1;
            self.collect_stale();
        }
        waker
    }

    /// Drops stale entries when they outnumber live ones twice over.
    fn collect_stale(&mut self) {
        if self.queued == 0 {
            self.wheel.clear();
            self.heap.clear();
            self.entries = 0;
        } else if self.entries > 2 * self.queued + 64 {
            let slots = &self.slots;
            self.wheel.retain(|e| is_live(slots, e));
            self.heap.retain(|e| is_live(slots, e));
            self.entries = self.queued;
        }
    }

    /// Drops stale entries off the top of the heap.
    fn prune_heap(&mut self) {
        while let Some(top) = self.heap.peek() {
            if is_live(&self.slots, top) {
                return;
            }
            self.heap.pop();
            self.entries -= 1;
        }
    }

    /// The earliest deadline of a registered timer (`NEVER` ones aside), and
    /// that of the runner-up, if any.
    pub(crate) fn next_two(&mut self) -> (Option<u64>, Option<u64>) {
        let slots = &self.slots;
        let (first, second, dropped) = self.wheel.first_two(|e| is_live(slots, e));
        self.entries -= dropped;
        if let (Some(first), Some(second)) = (first, second) {
            return (Some(first.at), Some(second.at));
        }
        // Every heap entry is later than every wheel entry.
        self.prune_heap();
        let top = self.heap.peek().map(|e| e.at);
        match first {
            Some(first) => (Some(first.at), top),
            None => (top, None),
        }
    }

    /// The earliest deadline of a registered timer, `NEVER` ones aside.
    pub(crate) fn next(&mut self) -> Option<u64> {
        self.next_two().0
    }

    /// Frees every timer whose deadline is at or before `now`, earliest
    /// first (and in sequence order among equal deadlines), and appends
    /// their wakers to `fired` in that order.
    pub(crate) fn pop_due(&mut self, now: u64, fired: &mut Vec<Waker>) {
        let Timers {
            slots,
            free,
            wheel,
            heap,
            live,
            queued,
            entries,
        } = self;
        let mut fire = |e: Entry| {
            let slot = &mut slots[e.slot as usize];
            if slot.seq == e.seq {
                fired.extend(slot.waker.take());
                free_slot(slots, free, e.slot);
                *live -= 1;
                *queued -= 1;
            }
        };
        // When `now` is past the whole wheel, the heap's due entries come
        // after all of the wheel's.
        let past_wheel = wheel.passed_by(now);
        *entries -= wheel.fire_due(now, &mut fire);
        if past_wheel {
            while heap.peek().is_some_and(|top| top.at <= now) {
                let top = heap.pop().expect("peeked");
                *entries -= 1;
                fire(top);
            }
        }
        // Bring the heap's entries that the wheel now reaches into it.
        while let Some(&top) = heap.peek() {
            if !wheel.reaches(top.at) {
                break;
            }
            heap.pop();
            if is_live(slots, &top) {
                wheel.push(top);
            } else {
                *entries -= 1;
            }
        }
    }

    /// How many timers are registered: not fired, not cancelled.
    pub(crate) fn len(&self) -> usize {
        self.live
    }

    /// How many timers have a deadline (that is, are not `NEVER` ones).
    pub(crate) fn queued(&self) -> usize {
        self.queued
    }

    /// Gives memory back after a burst of timers, once none is left.
    pub(crate) fn shrink_if_empty(&mut self) {
        if self.live == 0 && self.slots.capacity() > IDLE_CAPACITY {
            self.slots.clear();
            self.free = NO_SLOT;
            self.slots.shrink_to(IDLE_CAPACITY);
        }
        if self.queued == 0 {
            self.wheel.clear();
            self.heap.clear();
            self.entries = 0;
            if self.heap.capacity() > IDLE_CAPACITY {
                self.heap.shrink_to(IDLE_CAPACITY);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Wake;

    /// A waker that records its id in a shared log when woken.
    struct Tag(usize, Arc<std::sync::Mutex<Vec<usize>>>);

    impl Wake for Tag {
        fn wake(self: Arc<Self>) {
            self.1.lock().unwrap().push(self.0);
        }
    }

    fn tagged(id: usize, log: &Arc<std::sync::Mutex<Vec<usize>>>) -> Waker {
        Waker::from(Arc::new(Tag(id, log.clone())))
    }

    fn fire(timers: &mut Timers, now: u64) {
        let mut fired = Vec::new();
        timers.pop_due(now, &mut fired);
        fired.into_iter().for_each(Waker::wake);
    }

    #[test]
    fn timers_fire_in_deadline_then_sequence_order() {
        let log = Arc::default();
        let mut timers = Timers::default();
        timers.insert(30, 1, tagged(0, &log));
        timers.insert(10, 2, tagged(1, &log));
        timers.insert(10, 3, tagged(2, &log));
        timers.insert(20, 4, tagged(3, &log));
        fire(&mut timers, 25);
        assert_eq!(*log.lock().unwrap(), [1, 2, 3]);
        assert_eq!(timers.len(), 1);
        fire(&mut timers, 30);
        assert_eq!(*log.lock().unwrap(), [1, 2, 3, 0]);
        assert_eq!(timers.len(), 0);
    }

    #[test]
    fn cancelled_timers_never_fire_and_their_slots_are_reused() {
        let log = Arc::default();
        let mut timers = Timers::default();
        let a = timers.insert(10, 1, tagged(0, &log));
        assert!(timers.remove(a, 1).is_some());
        assert!(timers.remove(a, 1).is_none());
        let b = timers.insert(20, 2, tagged(1, &log));
        assert_eq!(a, b);
        fire(&mut timers, 100);
        assert_eq!(*log.lock().unwrap(), [1]);
    }

    #[test]
    fn stale_entries_are_collected_as_timers_are_cancelled() {
        let log = Arc::default();
        let mut timers = Timers::default();
        let slots: Vec<u32> = (1..=10_000)
            .map(|seq| timers.insert(seq, seq, tagged(0, &log)))
            .collect();
        for (i, slot) in slots.iter().enumerate().take(9_000) {
            timers.remove(*slot, i as u64 + 1);
            assert!(timers.entries <= 2 * timers.queued + 64 + 1);
        }
        assert_eq!(timers.len(), 1_000);
        assert_eq!(timers.next(), Some(9_001));
        for (i, slot) in slots.iter().enumerate().skip(9_000) {
            timers.remove(*slot, i as u64 + 1);
        }
        assert_eq!((timers.len(), timers.entries), (0, 0));
    }

    #[test]
    fn rescheduled_timers_keep_their_waker_and_move() {
        let wakes = Arc::new(AtomicUsize::new(0));
        struct Count(Arc<AtomicUsize>);
        impl Wake for Count {
            fn wake(self: Arc<Self>) {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
        let mut timers = Timers::default();
        let slot = timers.insert(10, 1, Waker::from(Arc::new(Count(wakes.clone()))));
        assert!(timers.reschedule(slot, 1, 50, 2));
        assert!(!timers.reschedule(slot, 1, 60, 3));
        fire(&mut timers, 40);
        assert_eq!(wakes.load(Ordering::SeqCst), 0);
        fire(&mut timers, 50);
        assert_eq!(wakes.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn never_timers_are_held_but_not_scheduled() {
        let log = Arc::default();
        let mut timers = Timers::default();
        let slot = timers.insert(NEVER, 1, tagged(0, &log));
        assert_eq!((timers.len(), timers.queued(), timers.next()), (1, 0, None));
        fire(&mut timers, NEVER - 1);
        assert!(log.lock().unwrap().is_empty());
        timers.remove(slot, 1);
        assert_eq!(timers.len(), 0);
    }

    /// Random deadlines from 0 to 2 s (past the wheel's reach), random
    /// cancellations and reschedules, fired at increasing instants: every
    /// timer fires exactly when a model (a sorted list) says it should.
    #[test]
    fn timers_fire_like_a_sorted_list_across_wheel_and_heap() {
        let log = Arc::default();
        let mut timers = Timers::default();
        let mut model: Vec<(u64, u64, usize)> = Vec::new(); // (at, seq, id)
        let mut handles: Vec<Option<(u32, u64)>> = Vec::new();
        let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let mut seq = 0;
        let mut now = 0;
        let mut expected = Vec::new();
        for round in 0..400 {
            for _ in 0..50 {
                seq += 1;
                let id = handles.len();
                // some deadlines already past, many shared
                let at = (now + next() % 2_000_000_000).saturating_sub(1_000_000) / 1000 * 1000;
                let slot = timers.insert(at, seq, tagged(id, &log));
                handles.push(Some((slot, seq)));
                model.push((at, seq, id));
            }
            for _ in 0..10 {
                let id = (next() % handles.len() as u64) as usize;
                if let Some((slot, s)) = handles[id].take() {
                    if next() % 2 == 0 {
                        assert!(timers.remove(slot, s).is_some());
                        model.retain(|&(_, _, i)| i != id);
                    } else {
                        seq += 1;
                        let at = now + next() % 500_000_000;
                        assert!(timers.reschedule(slot, s, at, seq));
                        handles[id] = Some((slot, seq));
                        model.retain(|&(_, _, i)| i != id);
                        model.push((at, seq, id));
                    }
                }
            }
            now += next()
                % (if round % 50 == 0 {
                    900_000_000
                } else {
                    20_000_000
                });
            model.sort();
            let (first, second) = timers.next_two();
            assert_eq!(first, model.first().map(|m| m.0));
            assert_eq!(second, model.get(1).map(|m| m.0));
            let due = model.partition_point(|&(at, _, _)| at <= now);
            for (_, _, id) in model.drain(..due) {
                handles[id] = None;
                expected.push(id);
            }
            fire(&mut timers, now);
            assert_eq!(*log.lock().unwrap(), expected, "round {round}");
            assert_eq!(timers.len(), model.len());
            assert!(timers.entries <= 2 * timers.queued + 64 + 50);
        }
    }
}
