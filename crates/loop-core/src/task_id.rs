//! `TaskId`: the identity of a task, and `task_id()` to ask for the running one.
//!
//! Ids come from one process-wide counter, handed out to each thread in
//! blocks of [`BLOCK`] so that a spawn touches no shared cache line: it bumps
//! a thread-local `Cell`, and only one spawn in `BLOCK` takes a new block with
//! an atomic add. So ids are unique in the process (never reused), increase
//! along the spawns of one thread, and say nothing about order across threads.

use std::cell::Cell;
use std::fmt;
use std::num::NonZeroU64;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::context;
use crate::messages;

/// How many ids a thread takes from the process-wide counter at a time.
const BLOCK: u64 = 1024;

/// The next block's first id; ids start at 1 so that 0 can mean "no task".
static NEXT_BLOCK: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// This thread's next id and the end of its block (`next == end`: empty).
    static IDS: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
}

/// Takes a new block of ids for this thread and returns its first id.
#[cold]
fn new_block(ids: &Cell<(u64, u64)>) -> u64 {
    let first = NEXT_BLOCK.fetch_add(BLOCK, Ordering::Relaxed);
    assert!(first < u64::MAX - BLOCK, "{}", messages::TASK_IDS_EXHAUSTED);
    ids.set((first + 1, first + BLOCK));
    first
}

/// The identity of a task: unique among all tasks of the process, never reused.
///
/// Given by [`JoinHandle::id`](crate::JoinHandle::id), by [`task_id`] inside
/// the task, and in every [`TaskInfo`](crate::TaskInfo) of a dump. It prints
/// as its number.
///
/// # Examples
///
/// ```
/// use loop_core::{Loop, task_id};
///
/// let lp = Loop::new();
/// let handle = lp.add_task(async { task_id().unwrap() });
/// let id = handle.id();
/// assert_eq!(lp.run_task(handle).unwrap(), id);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskId(NonZeroU64);

impl TaskId {
    /// A fresh id.
    #[inline]
    pub(crate) fn next() -> TaskId {
        let id = IDS.with(|ids| {
            let (next, end) = ids.get();
            if next != end {
                ids.set((next + 1, end));
                next
            } else {
                new_block(ids)
            }
        });
        // SAFETY: ids start at 1 (`NEXT_BLOCK`) and only grow, and
        // `new_block` stops before they wrap.
        TaskId(unsafe { NonZeroU64::new_unchecked(id) })
    }

    /// The id as a number; 0 is never an id.
    pub fn as_u64(self) -> u64 {
        self.0.get()
    }

    /// The id whose number is `n`, if `n` is not 0 (the loop publishes the
    /// running task as a number, 0 meaning none).
    pub(crate) fn from_u64(n: u64) -> Option<TaskId> {
        NonZeroU64::new(n).map(TaskId)
    }
}

impl fmt::Debug for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TaskId({})", self.0)
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// The id of the task being polled on this thread: `None` outside a loop, and
/// in the future given to `run_task` (which is not a task).
///
/// # Examples
///
/// ```
/// use loop_core::{Loop, spawn, task_id};
///
/// let lp = Loop::new();
/// assert_eq!(task_id(), None);
/// lp.run_task(async {
///     assert_eq!(task_id(), None, "run_task's future is not a task");
///     let handle = spawn(async { task_id() });
///     let id = handle.id();
///     assert_eq!(handle.await.unwrap(), Some(id));
/// });
/// ```
#[doc(alias = "task::id")]
#[doc(alias = "try_id")]
pub fn task_id() -> Option<TaskId> {
    context::with_current(|core| core.and_then(|core| core.shared.monitor.running()))
}
