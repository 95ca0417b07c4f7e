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

/// The registry of one loop is full (`u32::MAX - 1` live tasks).
pub(crate) const TOO_MANY_TASKS: &str = "goldiloop: more than 4 billion live tasks on one loop; \
     tasks that never end are piling up: await or abort their `JoinHandle`s";

/// The process made 2^64 loops.
pub(crate) const LOOP_IDS_EXHAUSTED: &str =
    "goldiloop: 2^64 loops were created in this process; reuse loops instead of making one per job";

/// Debug builds: a task's future was touched off its loop's thread. This is
/// a bug in goldiloop, not in the program that uses it.
#[cfg(debug_assertions)]
pub(crate) const OFF_LOOP_THREAD: &str = "goldiloop bug: a task's future was polled or dropped off \
     its loop's thread; please report it with the program that shows it";

/// `ThreadParker::park` called on another thread than the one that made it.
pub(crate) const PARK_WRONG_THREAD: &str = "goldiloop: a `ThreadParker` parked a thread other than \
     the one that created it; create the parker on the loop's own thread";

/// `LocalKey::with`/`get` where no scope of the key runs.
pub(crate) const TASK_LOCAL_OUTSIDE_SCOPE: &str = "goldiloop: a task-local value was read outside \
     a `scope` of its key; run the future inside `KEY.scope(value, future)` (or the closure inside \
     `KEY.sync_scope(value, f)`), or use `KEY.try_with(..)` to get an `AccessError` instead";

/// `scope`/`sync_scope` entered inside a `with` closure of the same key.
pub(crate) const TASK_LOCAL_SCOPE_IN_WITH: &str = "goldiloop: a task-local `scope`/`sync_scope` was \
     entered inside a `with` closure of the same key; copy what you need out of `with` and enter \
     the new scope after it returns";

/// A `JoinSet` grew past `u32::MAX` members.
pub(crate) const JOIN_SET_FULL: &str = "goldiloop: more than 4 billion tasks in one `JoinSet`; \
     join them with `join_next()` as they finish, or `detach_all()` the ones you do not need";

/// `LoopPool::spawner(i)` with `i` past the last loop.
pub(crate) const NO_SUCH_LOOP: &str = "goldiloop: `LoopPool::spawner(i)` was given an index past \
     the pool's last loop; pass an index below `pool.len()`";

/// `LoopPoolBuilder::loops(0)`.
pub(crate) const ZERO_LOOPS: &str = "goldiloop: `LoopPoolBuilder::loops(0)` asks for a pool \
     without loops; ask for at least one, or leave it out to get one per available CPU";

/// The body given to `LoopPool::run` panicked on one loop (the loop's index
/// and the panic's message follow).
pub(crate) const POOL_BODY_PANICKED: &str = "goldiloop: the body given to `LoopPool::run` \
     panicked; the bodies on the other loops were aborted. Catch the error inside the body \
     (return a `Result`) to keep the other loops running";

/// `blocking::set_max_threads(0)`.
pub(crate) const ZERO_BLOCKING_THREADS: &str = "goldiloop: `blocking::set_max_threads(0)` would \
     leave the blocking pool unable to run anything; pass at least 1";

/// No blocking thread could be started and none was running.
pub(crate) const BLOCKING_THREAD_START: &str = "goldiloop: the blocking pool could not start a \
     thread and has none running, so the job was dropped; the system is out of threads or \
     memory: lower `blocking::set_max_threads` or the process's thread use";

/// The process made 2^64 tasks.
pub(crate) const TASK_IDS_EXHAUSTED: &str =
    "goldiloop: 2^64 task ids were handed out in this process; this cannot happen in practice";
