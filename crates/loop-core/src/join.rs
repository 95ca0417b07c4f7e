//! `JoinHandle`, the way to a task's output, and `JoinError`, what it gets
//! instead when the task panicked or was cancelled.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use crate::messages;
use crate::task::{Joinable, PanicPayload};

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
}

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
            .field("finished", &self.is_finished())
            .finish()
    }
}

/// Why a task ended without an output: it panicked, or it was cancelled.
pub struct JoinError {
    repr: Repr,
}

enum Repr {
    Cancelled,
    /// Boxed so that a task's output slot stays one word wide; behind a mutex
    /// only so that `JoinError` is `Sync` like other errors.
    Panic(Box<Mutex<PanicPayload>>),
}

impl JoinError {
    pub(crate) fn cancelled() -> JoinError {
        JoinError {
            repr: Repr::Cancelled,
        }
    }

    pub(crate) fn panic(payload: PanicPayload) -> JoinError {
        JoinError {
            repr: Repr::Panic(Box::new(Mutex::new(payload))),
        }
    }

    /// True if the task was aborted, or dropped with its loop, before it finished.
    pub fn is_cancelled(&self) -> bool {
        matches!(self.repr, Repr::Cancelled)
    }

    /// True if the task panicked.
    pub fn is_panic(&self) -> bool {
        matches!(self.repr, Repr::Panic(_))
    }

    /// The panic's payload, to inspect or to resume with
    /// [`std::panic::resume_unwind`].
    ///
    /// # Panics
    ///
    /// If the task was cancelled rather than panicked; see [`try_into_panic`](Self::try_into_panic).
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    ///
    /// let lp = Loop::new();
    /// let err = lp.run_task(lp.add_task(async { panic!("boom") })).unwrap_err();
    /// assert_eq!(*err.into_panic().downcast::<&str>().unwrap(), "boom");
    /// ```
    #[track_caller]
    pub fn into_panic(self) -> PanicPayload {
        match self.try_into_panic() {
            Ok(payload) => payload,
            Err(_) => panic!("{}", messages::NOT_A_PANIC),
        }
    }

    /// The panic's payload, or the error itself if the task was cancelled.
    pub fn try_into_panic(self) -> Result<PanicPayload, JoinError> {
        match self.repr {
            Repr::Panic(payload) => Ok(payload.into_inner().unwrap_or_else(|e| e.into_inner())),
            Repr::Cancelled => Err(self),
        }
    }

    fn panic_message(&self) -> Option<String> {
        let Repr::Panic(payload) = &self.repr else {
            return None;
        };
        let payload = payload.lock().unwrap_or_else(|e| e.into_inner());
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.repr, self.panic_message()) {
            (Repr::Cancelled, _) => f.write_str("task was cancelled"),
            (Repr::Panic(_), Some(msg)) => write!(f, "task panicked: {msg}"),
            (Repr::Panic(_), None) => f.write_str("task panicked"),
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.repr, self.panic_message()) {
            (Repr::Cancelled, _) => f.write_str("JoinError::Cancelled"),
            (Repr::Panic(_), msg) => f.debug_tuple("JoinError::Panic").field(&msg).finish(),
        }
    }
}

impl std::error::Error for JoinError {}
