//! The far-timer heap: a 4-ary min-heap of [`Entry`]s keyed by
//! `(deadline, seq)`, for the timers beyond the wheel's reach (see
//! `wheel.rs`), earliest on top and, among equal deadlines, the one with the
//! lower sequence number (created first).
//!
//! Pushing deadlines in increasing order, as timeouts of one duration do,
//! costs one comparison; a pop walks down a tree half as deep as a binary
//! heap's, whose nodes' children share a cache line or two.

/// A heap key pointing at a slot; stale once the slot's `seq` differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) at: u64,
    pub(crate) seq: u64,
    pub(crate) slot: u32,
}

impl Entry {
    #[inline]
    pub(crate) fn before(&self, other: &Entry) -> bool {
        (self.at, self.seq) < (other.at, other.seq)
    }
}

/// Children per node: a 4-ary heap is half as deep as a binary one, and a
/// node's children share one or two cache lines, which is what a pop over
/// 100 000 timers spends its time on.
const ARITY: usize = 4;

/// A min-heap of entries, earliest `(at, seq)` first.
#[derive(Debug, Default)]
pub(crate) struct Heap {
    entries: Vec<Entry>,
}

impl Heap {
    pub(crate) fn peek(&self) -> Option<&Entry> {
        self.entries.first()
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
    }

    pub(crate) fn push(&mut self, entry: Entry) {
        let mut i = self.entries.len();
        self.entries.push(entry);
        while i > 0 {
            let parent = (i - 1) / ARITY;
            if !entry.before(&self.entries[parent]) {
                break;
            }
            self.entries[i] = self.entries[parent];
            i = parent;
        }
        self.entries[i] = entry;
    }

    pub(crate) fn pop(&mut self) -> Option<Entry> {
        let last = self.entries.pop()?;
        let Some(&top) = self.entries.first() else {
            return Some(last);
        };
        self.sift_down(0, last);
        Some(top)
    }

    /// Puts `entry` at `i` or below, moving earlier children up.
    fn sift_down(&mut self, mut i: usize, entry: Entry) {
        let len = self.entries.len();
        loop {
            let first = i * ARITY + 1;
            if first >= len {
                break;
            }
            let mut best = first;
            for c in first + 1..(first + ARITY).min(len) {
                if self.entries[c].before(&self.entries[best]) {
                    best = c;
                }
            }
            if !self.entries[best].before(&entry) {
                break;
            }
            self.entries[i] = self.entries[best];
            i = best;
        }
        self.entries[i] = entry;
    }

    /// Keeps only the entries `keep` accepts, and restores heap order.
    pub(crate) fn retain(&mut self, keep: impl FnMut(&Entry) -> bool) {
        self.entries.retain(keep);
        let len = self.entries.len();
        if len > 1 {
            for i in (0..=(len - 2) / ARITY).rev() {
                let entry = self.entries[i];
                self.sift_down(i, entry);
            }
        }
    }

    pub(crate) fn capacity(&self) -> usize {
        self.entries.capacity()
    }

    pub(crate) fn shrink_to(&mut self, capacity: usize) {
        self.entries.shrink_to(capacity);
    }
}
