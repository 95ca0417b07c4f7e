//! The task: one heap allocation holding a spawned future, its state, its
//! output, its identity, and (in a side record, when needed: see
//! `side_record.rs`) its name, its `JoinHandle`'s waker and its poll timings.
//!
//! A task is an `Arc<Task<F>>`. Its owners are counted by the `Arc`: the loop's
//! registry (while the future is alive), each run-queue entry, the
//! `JoinHandle`, and every `Waker` (which are `Arc` clones, made by
//! `futures_util::task::waker_ref`/`ArcWake`, so a waker may outlive the task's
//! future and its loop: it then keeps only memory alive, and waking it does
//! nothing).
//!
//! Who touches what is decided by the state word (see `state.rs`):
//! - the future (`Stage::Running`) only on the loop's thread, while `RUNNING`
//!   is set, or when the loop drops it (completion, abort, loop drop). The one
//!   exception is a task spawned through a `Spawner` that no loop has picked
//!   up yet: its future is `Send`, and it may be dropped on whichever thread
//!   finds the loop closed (debug builds assert this rule on every poll and
//!   drop);
//! - the output (`Stage::Finished`) by the loop until it sets `COMPLETE`, and
//!   after that only by the holder of `JOIN_INTEREST` (the handle, or the loop
//!   itself if the handle was dropped first);
//! - the join waker slot (in the side record) as `state.rs` describes.
//!
//! So when the last reference goes, on any thread, the stage holds no future
//! and no output of a `!Send` type: only memory is freed.
//!
//! The task never reaches into its loop: [`Runnable::run`] polls once and
//! returns a [`RunOutcome`], and the loop acts on it (re-queues the task, or
//! forgets a finished one). The functions that touch the stage carry their
//! obligations as `unsafe fn`s with `# Safety` sections, so each call site
//! states how it meets them.
//!
//! Foreign code runs in three places here: the future's `poll`, its
//! destructor (and the output's), and the join waker. A panic in any of them
//! is caught: a panicking poll becomes the task's `JoinError`; a panicking
//! destructor or join waker is swallowed after the panic hook has reported
//! it, so the loop's batch (a poll, a shutdown) always finishes.

use std::future::Future;
use std::mem::{self, ManuallyDrop};
use std::panic::{AssertUnwindSafe, Location, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_util::task::{ArcWake, waker_ref};

use crate::join_error::JoinError;
use crate::messages;
use crate::monitor::Monitor;
use crate::scheduler::{Shared, schedule};
use crate::side_record::{Meta, SideRecord};
use crate::state::{CANCELLED, COMPLETE, JOIN_INTEREST, JOIN_WAKER, Notify, State};
use crate::sync::{AtomicU32, Ordering::Relaxed, UnsafeCell};
use crate::task_id::TaskId;

/// A type-erased task, as run queues and the registry hold it.
pub(crate) type TaskRef = Arc<dyn Runnable>;

/// The registry slot of a task no loop has registered yet.
pub(crate) const UNREGISTERED: u32 = u32::MAX;

/// The header of a type-erased task, without a virtual call.
#[inline]
pub(crate) fn header(task: &TaskRef) -> &Header {
    // SAFETY: `Runnable` is crate-private and only `Task<F>` implements it, so
    // a `TaskRef` points at a `Task<F>`: `repr(C)` with `header` as its first
    // field, so the allocation starts with a `Header`.
    unsafe { &*Arc::as_ptr(task).cast::<Header>() }
}

/// What the loop must do with a task after [`Runnable::run`].
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RunOutcome {
    /// The future returned `Pending` and no wake came in: the task waits.
    Idle,
    /// A wake came in during the poll: put the task back in the run queue.
    Requeue,
    /// The task returned its output (already handed to its `JoinHandle`):
    /// forget it. The three endings are told apart for the loop's counters.
    Returned,
    /// The task panicked; its `JoinHandle` has the panic.
    Panicked,
    /// The task was aborted; its `JoinHandle` reports the cancellation.
    Cancelled,
}

/// What the loop does with a task without knowing its future's type.
pub(crate) trait Runnable: Send + Sync {
    /// Polls the future once, or drops it if the task was aborted, and says
    /// what the loop must do next. Before the poll it names itself in the
    /// loop's `running` slot, for watchdogs (`monitor.rs`): the task knows
    /// where its header is without the vtable arithmetic the loop would need.
    ///
    /// # Safety
    ///
    /// Called on the thread of the loop the task belongs to, by that loop,
    /// for a task it took from its run queue (so `SCHEDULED` is set and the
    /// task is not running).
    unsafe fn run(&self, running: &Monitor) -> RunOutcome;
    /// Drops the future, if still there, and completes the task as cancelled;
    /// true if it did (the task had not completed before).
    ///
    /// # Safety
    ///
    /// Called on the loop's thread while the loop is not polling the task, or,
    /// for a `Spawner` task no loop has registered, on any thread once its
    /// loop is closed (the future is then `Send`: module docs).
    unsafe fn shutdown(&self) -> bool;
}

/// The part of a task that does not depend on its future's type.
///
/// Four words after the `Arc`'s counts; what only some tasks need (a name,
/// the join waker, poll timings) lives in the side record `meta` points at
/// (`side_record.rs`).
pub(crate) struct Header {
    pub(crate) state: State,
    /// Index in the loop's registry; written and read on the loop's thread only.
    slot: AtomicU32,
    pub(crate) shared: Arc<Shared>,
    pub(crate) id: TaskId,
    /// The spawn site, or the side record (`side_record.rs`).
    pub(crate) meta: Meta,
}

impl Header {
    pub(crate) fn slot(&self) -> u32 {
        self.slot.load(Relaxed)
    }

    pub(crate) fn set_slot(&self, slot: u32) {
        self.slot.store(slot, Relaxed);
    }

    /// Debug builds: the future is touched only on its loop's thread, or, for
    /// a `Spawner` task no loop has registered, anywhere (module docs).
    fn assert_on_loop_thread(&self) {
        #[cfg(debug_assertions)]
        if self.slot() != UNREGISTERED {
            self.shared.assert_owner_thread();
        }
    }
}

enum Stage<F: Future> {
    Running(F),
    Finished(Result<F::Output, JoinError>),
    Consumed,
}

/// A spawned future and everything the loop and its handle need, in one allocation.
///
/// `repr(C)` with the header first: [`header`] finds the header of a
/// type-erased task without a virtual call.
#[repr(C)]
pub(crate) struct Task<F: Future> {
    header: Header,
    /// Invariant STAGE: accessed only as the module docs and the state word allow.
    stage: UnsafeCell<Stage<F>>,
}

// SAFETY: the only fields that are not already `Send + Sync` are the stage and
// the join waker slot. The state word hands each of them to one thread at a
// time with acquire/release ordering (invariant STAGE and `state.rs`), and a
// `!Send` future or output is only ever touched on the loop's thread.
unsafe impl<F: Future> Send for Task<F> {}
// SAFETY: as for `Send`: shared references reach the cells only through the
// state word's protocol.
unsafe impl<F: Future> Sync for Task<F> {}

impl<F: Future + 'static> Task<F> {
    /// A new task, scheduled and joined, not yet registered with a loop.
    #[inline]
    pub(crate) fn new(
        future: F,
        shared: Arc<Shared>,
        site: &'static Location<'static>,
        name: Option<Box<str>>,
    ) -> Arc<Task<F>> {
        let meta = match name {
            None => Meta::site(site),
            Some(name) => Meta::record(SideRecord::new(site, Some(name))),
        };
        Arc::new(Task {
            header: Header {
                state: State::new(),
                slot: AtomicU32::new(UNREGISTERED),
                shared,
                id: TaskId::next(),
                meta,
            },
            stage: UnsafeCell::new(Stage::Running(future)),
        })
    }

    /// Drops the future in place; a panic in its destructor is swallowed (the
    /// task reports how its poll ended, not how its drop did).
    ///
    /// # Safety
    ///
    /// The caller owns the stage (invariant STAGE): it is the loop, on its
    /// thread, polling the task or completing it before `COMPLETE` is set; or
    /// it shuts down an unregistered `Spawner` task (a `Send` future) on
    /// whichever thread found the loop closed.
    unsafe fn drop_future(&self) {
        self.header.assert_on_loop_thread();
        self.stage.with_mut(|stage| {
            // Dropped in place (the future is pinned there, and moving it out
            // would copy it).
            // SAFETY: the caller owns the stage (see # Safety).
            let _ = catch_unwind(AssertUnwindSafe(|| unsafe { *stage = Stage::Consumed }));
        });
    }

    /// Stores the result, sets `COMPLETE` and tells the handle. A panic in the
    /// join waker, or in the destructor of an output nobody will read, is
    /// swallowed (module docs).
    ///
    /// # Safety
    ///
    /// As for [`drop_future`](Self::drop_future), which must have been called
    /// first: the stage is the caller's and holds `Consumed`.
    unsafe fn finish(&self, result: Result<F::Output, JoinError>) {
        // SAFETY: STAGE: `COMPLETE` is not set yet, so the stage is still the
        // caller's; it holds `Consumed`, so nothing is dropped here.
        self.stage
            .with_mut(|stage| unsafe { *stage = Stage::Finished(result) });
        let prev = self.header.state.complete();
        if prev & JOIN_INTEREST == 0 {
            // SAFETY: STAGE: nobody will join, so the output is the caller's.
            let output = self
                .stage
                .with_mut(|stage| unsafe { mem::replace(&mut *stage, Stage::Consumed) });
            let _ = catch_unwind(AssertUnwindSafe(move || drop(output)));
        } else if prev & JOIN_WAKER != 0
            && let Some(record) = self.header.meta.get()
        {
            // The handle made the record before it set `JOIN_WAKER`.
            record.join_waker.with(|slot| {
                // SAFETY: `JOIN_WAKER` was set when `COMPLETE` was, so the
                // handle will not write the slot again (`state.rs`); only this
                // read remains.
                if let Some(waker) = unsafe { &*slot } {
                    let _ = catch_unwind(AssertUnwindSafe(|| waker.wake_by_ref()));
                }
            });
        }
    }

    /// Takes the stage, leaving `Consumed`.
    ///
    /// # Safety
    ///
    /// The caller saw `COMPLETE` (acquire) and holds `JOIN_INTEREST`, so the
    /// stage is its alone (invariant STAGE).
    unsafe fn take_stage(&self) -> Stage<F> {
        // SAFETY: see # Safety.
        self.stage
            .with_mut(|stage| unsafe { mem::replace(&mut *stage, Stage::Consumed) })
    }

    /// Takes the output.
    ///
    /// # Safety
    ///
    /// As for [`take_stage`](Self::take_stage).
    unsafe fn take_output(&self) -> Result<F::Output, JoinError> {
        // SAFETY: forwarded from the caller.
        match unsafe { self.take_stage() } {
            Stage::Finished(result) => result,
            _ => panic!("{}", messages::JOIN_AFTER_READY),
        }
    }
}
impl<F: Future + 'static> Runnable for Task<F> {
    unsafe fn run(&self, running: &Monitor) -> RunOutcome {
        self.header.assert_on_loop_thread();
        running.enter(self.header.id, self.header.meta.spawn_site());
        let prev = self.header.state.start_poll();
        let (result, ending) = if prev & CANCELLED != 0 {
            (Err(JoinError::cancelled()), RunOutcome::Cancelled)
        } else {
            // A waker borrowed from the run-queue reference: no count is
            // touched unless the future clones it.
            let polled = {
                let this = ManuallyDrop::new(
                    // SAFETY: `self` lives in an `Arc` (every task does), and the
                    // `ManuallyDrop` never gives back the count it did not take.
                    unsafe { Arc::from_raw(self as *const Task<F>) },
                );
                let waker = waker_ref(&this);
                let mut cx = Context::from_waker(&waker);
                self.stage.with_mut(|stage| {
                    catch_unwind(AssertUnwindSafe(|| {
                        // SAFETY: STAGE: `RUNNING` is set and this is the
                        // loop's thread (the caller's obligation).
                        let Stage::Running(future) = (unsafe { &mut *stage }) else {
                            unreachable!("a task in a run queue always has its future")
                        };
                        // SAFETY: the future lives inside the task's allocation
                        // and is dropped in place, never moved out: it is pinned.
                        unsafe { Pin::new_unchecked(future) }.poll(&mut cx)
                    }))
                })
            };
            match polled {
                Ok(Poll::Pending) => {
                    return if self.header.state.end_poll() {
                        RunOutcome::Requeue
                    } else {
                        RunOutcome::Idle
                    };
                }
                Ok(Poll::Ready(output)) => (Ok(output), RunOutcome::Returned),
                Err(payload) => (Err(JoinError::panic(payload)), RunOutcome::Panicked),
            }
        };
        // SAFETY: the loop owns the stage: `RUNNING` is set (caller's obligation).
        unsafe {
            self.drop_future();
            self.finish(result);
        }
        ending
    }

    unsafe fn shutdown(&self) -> bool {
        if self.header.state.load() & COMPLETE != 0 {
            return false;
        }
        // SAFETY: the stage is the caller's (the trait's # Safety), and
        // `COMPLETE` is not set.
        unsafe {
            self.drop_future();
            self.finish(Err(JoinError::cancelled()));
        }
        true
    }
}

impl<F: Future + 'static> ArcWake for Task<F> {
    fn wake(self: Arc<Self>) {
        if self.header.state.notify() == Notify::Enqueue {
            schedule(self);
        }
    }

    fn wake_by_ref(arc_self: &Arc<Self>) {
        if arc_self.header.state.notify() == Notify::Enqueue {
            schedule(arc_self.clone());
        }
    }
}

/// What a `JoinHandle<T>` can do with its task without knowing the future's type.
pub(crate) trait Joinable<T>: Send + Sync {
    fn poll_join(&self, cx: &mut Context<'_>) -> Poll<Result<T, JoinError>>;
    fn drop_join(&self);
    fn abort(self: Arc<Self>);
    fn is_finished(&self) -> bool;
    fn id(&self) -> TaskId;
}

impl<F: Future + 'static> Joinable<F::Output> for Task<F> {
    fn poll_join(&self, cx: &mut Context<'_>) -> Poll<Result<F::Output, JoinError>> {
        let state = self.header.state.load();
        if state & COMPLETE == 0 {
            // Made on the first wait, and kept (module docs of `side_record.rs`).
            let slot = &self.header.meta.get_or_make().join_waker;
            if state & JOIN_WAKER != 0 {
                let same = slot.with(|slot| {
                    // SAFETY: while `JOIN_WAKER` is set the slot is only read,
                    // here and by the completing loop (`state.rs`).
                    unsafe { &*slot }
                        .as_ref()
                        .is_some_and(|w| w.will_wake(cx.waker()))
                });
                if same {
                    return Poll::Pending;
                }
                if self.header.state.unset_join_waker().is_err() {
                    // SAFETY: `COMPLETE` is set (the update failed on it) and
                    // the handle holds `JOIN_INTEREST`.
                    return Poll::Ready(unsafe { self.take_output() });
                }
            }
            // SAFETY: `JOIN_WAKER` is clear and only the handle sets it: the
            // slot is the handle's to write (`state.rs`).
            let old = slot.with_mut(|slot| unsafe { (*slot).replace(cx.waker().clone()) });
            drop(old);
            if self.header.state.set_join_waker().is_ok() {
                return Poll::Pending;
            }
        }
        // SAFETY: `COMPLETE` is set (seen with acquire above, or by the failed
        // update) and the handle holds `JOIN_INTEREST`.
        Poll::Ready(unsafe { self.take_output() })
    }

    fn drop_join(&self) {
        match self.header.state.drop_join_interest() {
            Ok(prev) => {
                if prev & JOIN_WAKER != 0 {
                    let waker = self.header.meta.get().and_then(|record| {
                        // SAFETY: we cleared `JOIN_WAKER` and `JOIN_INTEREST`
                        // before `COMPLETE`: the loop will never read the slot now.
                        record.join_waker.with_mut(|slot| unsafe { (*slot).take() })
                    });
                    drop(waker);
                }
            }
            Err(_) => {
                // Not contained: the handle's owner is dropping it, and a
                // panic in the output's destructor is theirs to see, as with
                // any value they drop (a `catch_unwind` here also cost 5% on
                // the spawn benchmark).
                // SAFETY: the task completed and the handle still held
                // `JOIN_INTEREST`: the output is the handle's to drop.
                drop(unsafe { self.take_stage() });
            }
        }
    }

    fn abort(self: Arc<Self>) {
        if self.header.state.cancel() == Notify::Enqueue {
            schedule(self);
        }
    }

    fn is_finished(&self) -> bool {
        self.header.state.load() & COMPLETE != 0
    }

    fn id(&self) -> TaskId {
        self.header.id
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn a_task_header_is_four_words() {
        // Issue 17: an idle task costs the `Arc`'s two counts, this header,
        // its stage and one registry slot. Ids and spawn sites fit in the
        // header; names, the join waker and timings live in the side record.
        assert_eq!(mem::size_of::<Header>(), 4 * mem::size_of::<usize>());
    }
}
