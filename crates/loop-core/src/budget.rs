//! The cooperative budget: how a task that keeps finding ready work is made to
//! give the loop back its turn now and then.
//!
//! A future that completes at once never returns `Pending`, so a task looping
//! over an always-ready socket, an always-full channel or an accept that keeps
//! failing with `EMFILE` would hold the loop's thread forever: no other task,
//! timer or socket would be served. So every operation that may complete
//! without waiting (loop-net's socket calls, loop-sync's channel receives and
//! semaphore acquires and latch waits) first asks [`poll_budget`]. Each task
//! poll starts with [`BUDGET`] units; each ready operation spends one; once
//! they are spent the next operation returns `Pending` once, after waking its
//! task, which goes to the back of the run queue and gets a fresh budget when
//! it runs again.
//!
//! The budget is a plain field of the running loop's `Core`, found through
//! the thread-local current loop: the loop refills it before each poll with
//! one store to memory it is already touching (a thread-local write per poll
//! measured 5% on the spawn benchmark), and only [`poll_budget`] pays for the
//! thread-local read. Outside a goldiloop task (no loop running on this
//! thread, or a loop-sync primitive used under another executor) it is
//! unlimited and [`poll_budget`] is always ready, so the primitives stay
//! executor-agnostic.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Ready operations a task may make in one poll before it is made to yield.
/// tokio uses the same figure; it is large enough that a task doing normal
/// work never notices, small enough to bound one poll's run.
pub const BUDGET: u32 = 128;

use crate::context;

/// Spends one unit of the running task's budget: `Ready` if the operation may
/// go ahead, `Pending` (after waking `cx`'s waker) if the task has used up its
/// budget and must yield first.
///
/// Call it at the top of an operation's `poll`, before it does work that
/// could complete at once; return `Pending` when it does. Outside a task run
/// by a goldiloop loop it is always `Ready`.
///
/// # Examples
///
/// A future that is always ready, made to yield like the runtime's own:
///
/// ```
/// use std::{future::Future, pin::Pin, task::{Context, Poll}};
/// use loop_core::poll_budget;
///
/// struct AlwaysReady;
///
/// impl Future for AlwaysReady {
///     type Output = ();
///     fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
///         std::task::ready!(poll_budget(cx));
///         Poll::Ready(())
///     }
/// }
///
/// let lp = loop_core::Loop::new();
/// lp.run_task(async { for _ in 0..1000 { AlwaysReady.await } });
/// ```
#[inline]
pub fn poll_budget(cx: &mut Context<'_>) -> Poll<()> {
    context::with_current(|core| {
        let Some(core) = core else {
            return Poll::Ready(());
        };
        let remaining = core.budget.get();
        if remaining == 0 {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        core.budget.set(remaining - 1);
        Poll::Ready(())
    })
}

/// Spends one unit of budget, yielding first if it is used up.
///
/// A loop that does work without awaiting anything that could be `Pending`
/// can call this now and then to stay fair to the loop's other tasks.
///
/// # Examples
///
/// ```
/// use loop_core::{Loop, consume_budget};
///
/// let lp = Loop::new();
/// let sum = lp.run_task(async {
///     let mut sum = 0u64;
///     for i in 0..10_000 {
///         consume_budget().await;
///         sum += i;
///     }
///     sum
/// });
/// assert_eq!(sum, 49_995_000);
/// ```
pub fn consume_budget() -> ConsumeBudget {
    ConsumeBudget { _private: () }
}

/// The future returned by [`consume_budget`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct ConsumeBudget {
    _private: (),
}

impl Future for ConsumeBudget {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        poll_budget(cx)
    }
}

/// True if the running task may still make a ready operation in this poll
/// (always true outside a loop's task).
pub fn has_budget_remaining() -> bool {
    context::with_current(|core| core.is_none_or(|core| core.budget.get() != 0))
}
