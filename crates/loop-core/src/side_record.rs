//! The one word of a task's header that says where it was spawned, and, for
//! the few tasks that need more, points at a side record holding the rest.
//!
//! # Why a side record
//!
//! An idle task should cost as little memory as possible (issue 17: at most
//! 90 bytes per idle task, counted as `benches/memory.rs` counts). Every task
//! needs its spawn site (for dumps and leak reports), but only some need:
//! - a name (`add_task_named`),
//! - a join waker slot (a `JoinHandle` that was polled before its task ended),
//! - poll timings (a loop built with `time_polls(true)`).
//!
//! So the header carries one word, [`Meta`]: the `&'static Location` of the
//! spawn site while the task needs nothing else (low bit clear), or a pointer
//! to a boxed [`SideRecord`] that holds the site and the rest (low bit set).
//! `Location` and `SideRecord` are both aligned to at least 2, so the bit is free.
//!
//! # Who touches what
//!
//! The word changes at most once, from site to record, by whichever thread
//! needs the record first (the handle's thread for the join waker, the loop's
//! thread for timings), with a compare-and-swap: a loser frees its own record
//! and uses the winner's. The record is freed only when the task's allocation
//! is (the header's `Drop`), so a `&SideRecord` lives as long as the task.
//! Inside the record:
//! - `name` and `site` are written before the record is published and only
//!   read after;
//! - `join_waker` follows the `JOIN_WAKER` protocol of `state.rs`, exactly as
//!   the slot did when it sat in the header;
//! - `timing` is touched only on the loop's thread (invariant TIMING).

use std::cell::{Cell, OnceCell};
use std::panic::Location;
use std::task::Waker;
use std::time::{Duration, Instant};

use crate::sync::{AtomicUsize, Ordering::AcqRel, Ordering::Acquire, UnsafeCell};

/// The low bit of [`Meta`]: set when the word points at a [`SideRecord`].
const RECORD: usize = 1;

/// What a task keeps beside its header when it needs more than a spawn site.
pub(crate) struct SideRecord {
    pub(crate) site: &'static Location<'static>,
    pub(crate) name: Option<Box<str>>,
    /// The `JoinHandle`'s waker, guarded by `JOIN_WAKER` (see `state.rs`).
    pub(crate) join_waker: UnsafeCell<Option<Waker>>,
    /// Invariant TIMING: read and written only on the loop's thread. Boxed
    /// apart, so that the record of a task that is only joined stays small
    /// (five words): that record is made for every `JoinHandle` awaited
    /// before its task ends.
    pub(crate) timing: OnceCell<Box<Timing>>,
}

/// A task's poll timings, recorded when its loop times polls.
#[derive(Default)]
pub(crate) struct Timing {
    /// When the loop registered the task, once timing is on.
    pub(crate) since: Cell<Option<Instant>>,
    pub(crate) polls: Cell<u64>,
    pub(crate) busy: Cell<Duration>,
    pub(crate) longest: Cell<Duration>,
    /// When the last poll ended (the task has been waiting since).
    pub(crate) last_end: Cell<Option<Instant>>,
}

impl SideRecord {
    pub(crate) fn new(site: &'static Location<'static>, name: Option<Box<str>>) -> SideRecord {
        SideRecord {
            site,
            name,
            join_waker: UnsafeCell::new(None),
            timing: OnceCell::new(),
        }
    }
}

/// The header's word: a spawn site, or a side record (module docs).
pub(crate) struct Meta(AtomicUsize);

impl Meta {
    /// A task that needs only its spawn site.
    pub(crate) fn site(site: &'static Location<'static>) -> Meta {
        Meta(AtomicUsize::new(site as *const Location<'static> as usize))
    }

    /// A task that starts with a side record (a named task).
    pub(crate) fn record(record: SideRecord) -> Meta {
        Meta(AtomicUsize::new(
            Box::into_raw(Box::new(record)) as usize | RECORD,
        ))
    }

    /// The side record, if the task has one.
    #[inline]
    pub(crate) fn get(&self) -> Option<&SideRecord> {
        let word = self.0.load(Acquire);
        // SAFETY: a tagged word came from `Box::into_raw` and the box is
        // freed only in `drop`, which `&mut self` keeps away while `self` is
        // borrowed (module docs).
        (word & RECORD != 0).then(|| unsafe { &*((word & !RECORD) as *const SideRecord) })
    }

    /// Where the task was spawned.
    #[inline]
    pub(crate) fn spawn_site(&self) -> &'static Location<'static> {
        let word = self.0.load(Acquire);
        if word & RECORD == 0 {
            // SAFETY: an untagged word is a `&'static Location` (`Meta::site`).
            unsafe { &*(word as *const Location<'static>) }
        } else {
            // SAFETY: as in `get`.
            unsafe { &*((word & !RECORD) as *const SideRecord) }.site
        }
    }

    /// The side record, made now if the task had none (module docs).
    pub(crate) fn get_or_make(&self) -> &SideRecord {
        if let Some(record) = self.get() {
            return record;
        }
        let site = self.spawn_site();
        let mine = Box::into_raw(Box::new(SideRecord::new(site, None)));
        let word = site as *const Location<'static> as usize;
        match self
            .0
            .compare_exchange(word, mine as usize | RECORD, AcqRel, Acquire)
        {
            // SAFETY: just published; freed only in `drop` (module docs).
            Ok(_) => unsafe { &*mine },
            Err(theirs) => {
                // SAFETY: `mine` was never published: it is still ours alone.
                drop(unsafe { Box::from_raw(mine) });
                // SAFETY: the word changes once, from site to record, so the
                // one that beat us is a record (module docs).
                unsafe { &*((theirs & !RECORD) as *const SideRecord) }
            }
        }
    }
}

impl Drop for Meta {
    #[inline]
    fn drop(&mut self) {
        let word = self.0.load(Acquire);
        if word & RECORD != 0 {
            // SAFETY: the record came from `Box::into_raw` and this is the
            // task's last owner: nobody borrows it any more.
            drop(unsafe { Box::from_raw((word & !RECORD) as *mut SideRecord) });
        }
    }
}
