//! `Loop`, the talk's event loop: add tasks, run them, find the current one.

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::pin;
use std::rc::Rc;

use crate::builder::{Config, LoopBuilder};
use crate::dump::TaskDump;
use crate::handle::{Handle, Spawner};
use crate::join::JoinHandle;
use crate::loop_id::LoopId;
use crate::park::{Park, ThreadParker};
use crate::scheduler::Core;
use crate::stats::LoopStats;

/// A single-threaded event loop: a FIFO queue of tasks, driven by wakers.
///
/// Tasks are added with [`add_task`](Loop::add_task) and run when the loop
/// runs, through [`run_task`](Loop::run_task) (until one future completes) or
/// [`run`](Loop::run) (until every task has ended). Tasks run in the order they
/// were added or woken; a task that is not ready costs nothing until a waker
/// puts it back in the queue, and when no task is ready the loop's thread
/// sleeps in its [`Park`].
///
/// Dropping a `Loop` drops every task still in it, on its thread.
///
/// # Examples
///
/// ```
/// use loop_core::{Loop, interrupt};
///
/// let lp = Loop::new();
/// let task = lp.add_task(async {
///     interrupt().await;
///     "done"
/// });
/// assert_eq!(lp.run_task(task).unwrap(), "done");
/// ```
pub struct Loop {
    core: Rc<Core>,
}

impl Loop {
    /// A loop that parks its thread with a [`ThreadParker`]: timers from
    /// loop-time work on it; sockets need the Reactor (see [`Loop::with_park`]).
    pub fn new() -> Loop {
        Loop::with_park(ThreadParker::new())
    }

    /// A loop that waits for events with `park`, such as loop-net's epoll Reactor.
    pub fn with_park(park: impl Park) -> Loop {
        Loop::from_parts(Rc::new(park), Config::from_env())
    }

    /// A builder, to set the loop's slow-poll threshold, poll timings and
    /// leak report (see [`LoopBuilder`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    ///
    /// let lp = Loop::builder().time_polls(true).build();
    /// assert_eq!(lp.run_task(async { 1 }), 1);
    /// ```
    pub fn builder() -> LoopBuilder {
        LoopBuilder::new()
    }

    pub(crate) fn from_parts(park: Rc<dyn Park>, config: Config) -> Loop {
        Loop {
            core: Rc::new(Core::new(park, config)),
        }
    }

    /// The handle of the loop running on this thread, the talk's `Loop.current`.
    ///
    /// # Panics
    ///
    /// Outside a running loop (a `Loop` that exists but does not run does not
    /// count); use [`Loop::try_current`] to get `None` instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    ///
    /// let lp = Loop::new();
    /// let n = lp.run_task(async {
    ///     let inner = Loop::current().add_task(async { 1 });
    ///     inner.await.unwrap() + 1
    /// });
    /// assert_eq!(n, 2);
    /// ```
    #[doc(alias = "Handle::current")]
    #[track_caller]
    pub fn current() -> Handle {
        Handle::current()
    }

    /// The handle of the loop running on this thread, or `None`.
    pub fn try_current() -> Option<Handle> {
        Handle::try_current()
    }

    /// This loop's identity.
    pub fn id(&self) -> LoopId {
        self.core.id
    }

    /// A handle to this loop, to add tasks while it runs or before.
    pub fn handle(&self) -> Handle {
        Handle::new(self.core.clone())
    }

    /// A `Send + Sync` handle that adds `Send` tasks to this loop from any thread.
    pub fn spawner(&self) -> Spawner {
        self.handle().spawner()
    }

    /// Adds a task to the back of the loop's queue and returns its handle.
    ///
    /// The task runs when the loop runs. The future need not be `Send`. The
    /// caller's file and line are kept as the task's spawn site, for dumps.
    #[doc(alias = "spawn")]
    #[doc(alias = "spawn_local")]
    #[track_caller]
    pub fn add_task<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.core.add_task(future, Location::caller(), None)
    }

    /// Adds a task with a name, shown by [`dump`](Loop::dump), slow-poll
    /// reports and the leak report; otherwise as [`add_task`](Loop::add_task).
    ///
    /// A named task keeps its name in a small side allocation (about 80 bytes
    /// with the name), so name the tasks worth finding, not every one.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    ///
    /// let lp = Loop::new();
    /// let handle = lp.add_task_named("conn 42", std::future::pending::<()>());
    /// assert_eq!(lp.dump()[0].name.as_deref(), Some("conn 42"));
    /// # drop(handle);
    /// ```
    #[track_caller]
    pub fn add_task_named<F>(&self, name: impl Into<String>, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let name = name.into().into_boxed_str();
        self.core.add_task(future, Location::caller(), Some(name))
    }

    /// What the loop has done so far: its counters (always on, see [`LoopStats`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    ///
    /// let lp = Loop::new();
    /// lp.run_task(async { loop_core::spawn(async {}).await.unwrap() });
    /// assert_eq!(lp.stats().tasks_returned, 1);
    /// ```
    pub fn stats(&self) -> LoopStats {
        self.core.stats()
    }

    /// Every task alive in the loop: id, name, spawn site, state, and timings
    /// if the loop times polls. It prints as a table.
    ///
    /// From another thread, use [`Spawner::snapshot`].
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::{Loop, TaskState};
    ///
    /// let lp = Loop::new();
    /// let handle = lp.add_task(std::future::pending::<()>());
    /// let dump = lp.dump();
    /// assert_eq!(dump[0].id, handle.id());
    /// assert_eq!(dump[0].state, TaskState::Queued);
    /// assert_eq!(dump[0].spawn_site.file(), file!());
    /// ```
    pub fn dump(&self) -> TaskDump {
        self.core.dump()
    }

    /// Runs the loop until `future` completes, and returns its output.
    ///
    /// `future` takes its turn in the FIFO queue after the tasks already in it.
    /// Tasks that have not ended when it completes stay in the loop, for the
    /// next `run_task` or `run`.
    ///
    /// # Panics
    ///
    /// If a loop (this one or another) is already running on this thread; and
    /// with `future`'s own panic, which is not caught.
    #[doc(alias = "block_on")]
    #[track_caller]
    pub fn run_task<F: Future>(&self, future: F) -> F::Output {
        let future = pin!(future);
        match self.core.drive(Some(future)) {
            Some(output) => output,
            None => unreachable!("the loop returns only once the future is ready"),
        }
    }

    /// Runs the loop until every task in it has ended.
    ///
    /// # Panics
    ///
    /// If a loop (this one or another) is already running on this thread.
    #[track_caller]
    pub fn run(&self) {
        self.core.drive::<std::future::Pending<()>>(None);
    }

    /// How many tasks have been added to this loop and have not ended yet.
    pub fn task_count(&self) -> usize {
        self.core.task_count()
    }
}

impl Default for Loop {
    fn default() -> Loop {
        Loop::new()
    }
}

impl Drop for Loop {
    fn drop(&mut self) {
        self.core.shut_down();
    }
}

impl fmt::Debug for Loop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Loop")
            .field("tasks", &self.core.task_count())
            .finish_non_exhaustive()
    }
}
