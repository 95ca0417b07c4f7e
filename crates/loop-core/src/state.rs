//! The task's state word: who may touch the task's future, output and join
//! waker, and whether the task sits in a run queue.
//!
//! | bit             | set by                              | meaning                                                  |
//! |-----------------|-------------------------------------|----------------------------------------------------------|
//! | `SCHEDULED`     | a wake or abort (any thread)        | the task is in a run queue, or will be re-queued when its current poll ends |
//! | `RUNNING`       | the loop, around one poll           | the loop's thread owns the future                        |
//! | `COMPLETE`      | the loop, once                      | the future is gone; the stage holds the output (or nothing) |
//! | `CANCELLED`     | `JoinHandle::abort` (any thread)    | the next time the loop picks the task, it drops the future |
//! | `JOIN_INTEREST` | spawn; cleared by dropping the handle | a `JoinHandle` will read the output                    |
//! | `JOIN_WAKER`    | the `JoinHandle`                    | the join waker slot holds a waker the loop must wake on completion |
//!
//! A wake enqueues the task only when it moves `SCHEDULED` from clear to set
//! while neither `RUNNING` nor `COMPLETE` is set, so a task is queued at most once
//! however often it is woken. While `JOIN_WAKER` is set only the completing side
//! reads the join waker slot; while it is clear only the handle writes it; once
//! `COMPLETE` is set the handle never writes it again.

use crate::sync::AtomicU32;
use crate::sync::Ordering::{AcqRel, Acquire};

pub(crate) const SCHEDULED: u32 = 1 << 0;
pub(crate) const RUNNING: u32 = 1 << 1;
pub(crate) const COMPLETE: u32 = 1 << 2;
pub(crate) const CANCELLED: u32 = 1 << 3;
pub(crate) const JOIN_INTEREST: u32 = 1 << 4;
pub(crate) const JOIN_WAKER: u32 = 1 << 5;

/// What a wake asks of the waker.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Notify {
    /// Push the task onto a run queue.
    Enqueue,
    /// Nothing: already queued, being polled (it will be re-queued), or done.
    Nothing,
}

/// The atomic state word of one task.
pub(crate) struct State(AtomicU32);

impl State {
    /// A new task: scheduled (the spawner queues it) and joined.
    pub(crate) fn new() -> State {
        State(AtomicU32::new(SCHEDULED | JOIN_INTEREST))
    }

    pub(crate) fn load(&self) -> u32 {
        self.0.load(Acquire)
    }

    fn update(&self, f: impl FnMut(u32) -> Option<u32>) -> Result<u32, u32> {
        self.0.fetch_update(AcqRel, Acquire, f)
    }

    /// A wake: set `SCHEDULED`; enqueue only if nobody else will.
    ///
    /// Always a write (`fetch_or`), even when `SCHEDULED` is already set: the
    /// write releases what the waker published before waking, and the loop's
    /// `start_poll` acquires it, so the poll that follows sees it. A wake that
    /// only read the word would publish nothing, and the poll could miss the
    /// event it was woken for (the loom model of this race found exactly that
    /// with a compare-and-swap that gave up). On a complete task the stray
    /// `SCHEDULED` bit is ignored: nothing reads it once `COMPLETE` is set.
    pub(crate) fn notify(&self) -> Notify {
        let prev = self.0.fetch_or(SCHEDULED, AcqRel);
        if prev & (SCHEDULED | RUNNING | COMPLETE) == 0 {
            Notify::Enqueue
        } else {
            Notify::Nothing
        }
    }

    /// An abort: set `CANCELLED`, then schedule like a wake.
    pub(crate) fn cancel(&self) -> Notify {
        match self.update(|s| {
            if s & COMPLETE != 0 {
                None
            } else {
                Some(s | CANCELLED | SCHEDULED)
            }
        }) {
            Ok(prev) if prev & (SCHEDULED | RUNNING) == 0 => Notify::Enqueue,
            _ => Notify::Nothing,
        }
    }

    /// The loop picked the task from a queue (clear `SCHEDULED`, set
    /// `RUNNING`): returns the state before.
    ///
    /// A queued task has `SCHEDULED` set and `RUNNING` clear (module docs),
    /// so adding `RUNNING - SCHEDULED` flips exactly those two bits: one
    /// `lock xadd` on x86, where a `fetch_xor` whose result is read is a
    /// compare-and-swap loop.
    #[inline]
    pub(crate) fn start_poll(&self) -> u32 {
        let prev = self.0.fetch_add(RUNNING - SCHEDULED, AcqRel);
        debug_assert_eq!(
            prev & (SCHEDULED | RUNNING),
            SCHEDULED,
            "polled a task not queued"
        );
        prev
    }

    /// The poll returned `Pending` (clear `RUNNING`, which the loop set): true
    /// if a wake came in meanwhile and the loop must put the task back in its
    /// queue. A subtraction, for the reason `start_poll` gives.
    #[inline]
    pub(crate) fn end_poll(&self) -> bool {
        let prev = self.0.fetch_sub(RUNNING, AcqRel);
        debug_assert!(prev & RUNNING != 0, "ended a poll that did not start");
        prev & SCHEDULED != 0
    }

    /// The future is gone and the stage holds its result: returns the state before.
    pub(crate) fn complete(&self) -> u32 {
        let done = |s: u32| Some(s & !(RUNNING | SCHEDULED) | COMPLETE);
        self.update(done).unwrap_or_else(|s| s)
    }

    /// The handle is dropped: fails (returning the state) if the task already
    /// completed, in which case the output is the handle's to drop.
    pub(crate) fn drop_join_interest(&self) -> Result<u32, u32> {
        self.update(|s| (s & COMPLETE == 0).then_some(s & !(JOIN_INTEREST | JOIN_WAKER)))
    }

    /// The handle stored a waker: publish it. Fails if the task completed.
    pub(crate) fn set_join_waker(&self) -> Result<u32, u32> {
        self.update(|s| (s & COMPLETE == 0).then_some(s | JOIN_WAKER))
    }

    /// The handle wants to replace its waker: take the slot back. Fails if the
    /// task completed.
    pub(crate) fn unset_join_waker(&self) -> Result<u32, u32> {
        self.update(|s| (s & COMPLETE == 0).then_some(s & !JOIN_WAKER))
    }
}
