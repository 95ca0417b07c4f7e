//! The words goldiloop says when it is misused, kept in one place so that each
//! message names what went wrong and what to do instead, and tests can check them.

/// `Loop::current()` or `spawn()` called where no loop is running.
pub(crate) const NO_CURRENT_LOOP: &str = "goldiloop: `Loop::current()` called outside a running loop; \
     call it from a task running on a loop, or use `Loop::try_current()` to get `None` instead";

/// `run`/`run_task` called while a loop already runs on this thread.
pub(crate) const NESTED_RUN: &str = "goldiloop: a loop was started (`run_task`/`run`) from inside a \
     running loop on the same thread, which would block that loop; `.await` the future instead, \
     or add it with `Loop::current().add_task(..)`, or run the other loop on its own thread";

/// A `JoinHandle` polled again after it returned `Ready`.
pub(crate) const JOIN_AFTER_READY: &str = "goldiloop: `JoinHandle` polled after it already returned \
     the task's output; await each handle once";

/// `JoinError::into_panic` on a cancellation.
pub(crate) const NOT_A_PANIC: &str = "goldiloop: `JoinError::into_panic()` called on a cancelled task's \
     error; check `is_panic()` first, or use `try_into_panic()`";
