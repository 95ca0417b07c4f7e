//! `JoinHandle`, the way to a task's output.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use crate::join_error::JoinError;
use crate::task::Joinable;
use crate::task_id::TaskId;

/// An owned permission to await a task's output, returned by `add_task`.
///
/// Awaiting it gives `Ok(output)` once the task has finished, or a
/// [`JoinError`] if it panicked or was aborted. It can be awaited from any task,
/// on this loop or another one, and from another thread when `T: Send`.
///
/// Dropping a `JoinHandle` *detaches* the task: it keeps running, and its
/// output is dropped when it finishes.
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
///
/// let lp = Loop::new();
/// let handle = lp.add_task(async { 6 * 7 });
/// assert_eq!(lp.run_task(handle).unwrap(), 42);
/// ```
#[must_use = "dropping a JoinHandle detaches the task: it runs on, and its output is dropped"]
pub struct JoinHandle<T> {
    raw: Arc<dyn Joinable<T>>,
    /// `Send`/`Sync` follow `T`: the handle may move the output across threads.
    _output: PhantomData<T>,
}

impl<T> JoinHandle<T> {
    pub(crate) fn new(raw: Arc<dyn Joinable<T>>) -> JoinHandle<T> {
        JoinHandle {
            raw,
            _output: PhantomData,
        }
    }

    /// Asks the task to stop: the loop drops its future (running its
    /// destructors) the next time it would run it, and the handle then yields
    /// a cancellation error. Does nothing if the task has already finished.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    ///
    /// let lp = Loop::new();
    /// let handle = lp.add_task(std::future::pending::<()>());
    /// handle.abort();
    /// assert!(lp.run_task(handle).unwrap_err().is_cancelled());
    /// ```
    pub fn abort(&self) {
        self.raw.clone().abort();
    }

    /// True once the task has finished: returned, panicked or been cancelled.
    pub fn is_finished(&self) -> bool {
        self.raw.is_finished()
    }

    /// The task's id, the same as [`task_id()`](crate::task_id()) inside it
    /// and in [`Loop::dump`](crate::Loop::dump).
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    ///
    /// let lp = Loop::new();
    /// let a = lp.add_task(async {});
    /// let b = lp.add_task(async {});
    /// assert_ne!(a.id(), b.id());
    /// ```
    pub fn id(&self) -> TaskId {
        self.raw.id()
    }
}

/// The handle never holds a `T` in place (the output lives in the task), so
/// it may move while pinned, whatever `T` is.
impl<T> Unpin for JoinHandle<T> {}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.raw.poll_join(cx)
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        self.raw.drop_join();
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.id())
            .field("finished", &self.is_finished())
            .finish()
    }
}
