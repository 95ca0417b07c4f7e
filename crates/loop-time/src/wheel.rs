//! The near-timer wheel: a ring of [`BUCKETS`] buckets, each holding the
//! entries whose deadline falls in one span of [`1 << SHIFT`](SHIFT)
//! nanoseconds (about 131 µs), covering the next ~134 ms.
//!
//! A bucket is an unsorted vector: pushing is O(1). When the loop fires the
//! timers due by `now`, it walks the occupied buckets in order (a bitmap
//! finds them), sorts each by `(deadline, seq)` and fires the due prefix, so
//! timers still come out in exact deadline order, and among equal deadlines
//! in creation order, while a burst of many timers costs a sort of small
//! vectors instead of one heap pop each.
//!
//! `base` is the bucket number (deadline >> `SHIFT`) the ring starts at; it
//! moves only forward, when timers are fired. Every entry in the ring has a
//! bucket number below `base + BUCKETS`; an entry already past `base` is put
//! in bucket `base`, where sorting still puts it first. The caller keeps
//! entries beyond the ring elsewhere (`heap.rs`) and moves them in as `base`
//! advances.

use crate::heap::Entry;

/// log2 of a bucket's span in nanoseconds: 131 072 ns.
const SHIFT: u32 = 17;

/// Buckets in the ring: 1024 × 131 µs ≈ 134 ms.
const BUCKETS: u64 = 1024;

const WORDS: usize = (BUCKETS / 64) as usize;

/// The ring; see the module docs.
#[derive(Debug)]
pub(crate) struct Wheel {
    base: u64,
    /// Allocated on first push.
    buckets: Vec<Vec<Entry>>,
    /// Bit `i` set: bucket `i` may hold entries.
    occupied: [u64; WORDS],
    /// Entries pushed since the buckets' memory was last given back.
    pushed: usize,
}

impl Default for Wheel {
    fn default() -> Wheel {
        Wheel {
            base: 0,
            buckets: Vec::new(),
            occupied: [0; WORDS],
            pushed: 0,
        }
    }
}

impl Wheel {
    /// The bucket number of a deadline.
    #[inline]
    pub(crate) fn bucket_of(at: u64) -> u64 {
        at >> SHIFT
    }

    /// True if `at` is within the ring's reach.
    #[inline]
    pub(crate) fn reaches(&self, at: u64) -> bool {
        Wheel::bucket_of(at) < self.base + BUCKETS
    }

    /// Adds `entry`, which the ring must reach.
    pub(crate) fn push(&mut self, entry: Entry) {
        debug_assert!(self.reaches(entry.at));
        if self.buckets.is_empty() {
            self.buckets.resize_with(BUCKETS as usize, Vec::new);
        }
        let index = (Wheel::bucket_of(entry.at).max(self.base) % BUCKETS) as usize;
        self.buckets[index].push(entry);
        self.occupied[index / 64] |= 1 << (index % 64);
        self.pushed += 1;
    }

    /// The first occupied bucket at or after bucket number `from` (within
    /// the ring), as a bucket number.
    fn next_occupied(&self, from: u64) -> Option<u64> {
        let end = self.base + BUCKETS;
        let mut b = from.max(self.base);
        while b < end {
            let index = (b % BUCKETS) as usize;
            let word = self.occupied[index / 64] >> (index % 64);
            if word != 0 {
                let found = b + u64::from(word.trailing_zeros());
                // a set bit past `end` is a bucket before `from`, wrapped
                return (found < end).then_some(found);
            }
            b += 64 - (index as u64 % 64);
        }
        None
    }

    fn bucket_mut(&mut self, b: u64) -> &mut Vec<Entry> {
        &mut self.buckets[(b % BUCKETS) as usize]
    }

    fn clear_bit(&mut self, b: u64) {
        let index = (b % BUCKETS) as usize;
        self.occupied[index / 64] &= !(1 << (index % 64));
    }

    /// The earliest two entries `live` accepts, dropping the others it
    /// meets; returns how many it dropped.
    pub(crate) fn first_two(
        &mut self,
        mut live: impl FnMut(&Entry) -> bool,
    ) -> (Option<Entry>, Option<Entry>, usize) {
        let mut dropped = 0;
        let mut best: [Option<Entry>; 2] = [None, None];
        let mut from = self.base;
        while let Some(b) = self.next_occupied(from) {
            let bucket = self.bucket_mut(b);
            let before = bucket.len();
            bucket.retain(&mut live);
            dropped += before - bucket.len();
            for e in bucket.iter() {
                match best {
                    [None, _] => best[0] = Some(*e),
                    [Some(first), _] if e.before(&first) => best = [Some(*e), best[0]],
                    [Some(_), None] => best[1] = Some(*e),
                    [Some(_), Some(second)] if e.before(&second) => best[1] = Some(*e),
                    _ => {}
                }
            }
            if bucket.is_empty() {
                self.clear_bit(b);
            }
            if best[1].is_some() {
                break;
            }
            from = b + 1;
        }
        (best[0], best[1], dropped)
    }

    /// Takes out, in `(at, seq)` order, every entry due at `now` (stale
    /// ones included: `fire` skips them), passing each to `fire`, and moves
    /// `base` up to `now`'s bucket. Returns how many entries it took out.
    pub(crate) fn fire_due(&mut self, now: u64, mut fire: impl FnMut(Entry)) -> usize {
        let now_bucket = Wheel::bucket_of(now);
        let mut removed = 0;
        let mut from = self.base;
        while let Some(b) = self.next_occupied(from) {
            if b > now_bucket {
                break;
            }
            let bucket = self.bucket_mut(b);
            bucket.sort_unstable_by_key(|e| (e.at, e.seq));
            let due = bucket.partition_point(|e| e.at <= now);
            removed += due;
            bucket.drain(..due).for_each(&mut fire);
            if bucket.is_empty() {
                self.clear_bit(b);
            }
            from = b + 1;
        }
        self.base = self.base.max(now_bucket);
        removed
    }

    /// True when `now` is past every bucket of the ring (so the ring is
    /// empty once `fire_due(now)` has run, and the caller must fire the
    /// entries it keeps beyond the ring itself).
    pub(crate) fn passed_by(&self, now: u64) -> bool {
        Wheel::bucket_of(now) >= self.base + BUCKETS
    }

    /// Drops the entries `live` rejects; returns how many.
    pub(crate) fn retain(&mut self, mut live: impl FnMut(&Entry) -> bool) -> usize {
        let mut dropped = 0;
        let mut from = self.base;
        while let Some(b) = self.next_occupied(from) {
            let bucket = self.bucket_mut(b);
            let before = bucket.len();
            bucket.retain(&mut live);
            dropped += before - bucket.len();
            if bucket.is_empty() {
                self.clear_bit(b);
            }
            from = b + 1;
        }
        dropped
    }

    /// Empties the ring; after a burst, also gives back the memory of the
    /// buckets that grew large.
    pub(crate) fn clear(&mut self) {
        let mut from = self.base;
        while let Some(b) = self.next_occupied(from) {
            self.bucket_mut(b).clear();
            self.clear_bit(b);
            from = b + 1;
        }
        if self.pushed > BUCKETS as usize * 4 {
            self.pushed = 0;
            for bucket in &mut self.buckets {
                if bucket.capacity() > 64 {
                    *bucket = Vec::new();
                }
            }
        }
    }
}
