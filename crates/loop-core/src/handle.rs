//! `Handle` (reach a loop from its thread) and `Spawner` (from any thread).

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll};

use crate::context;
use crate::dump::TaskDump;
use crate::event_loop::Loop;
use crate::join::JoinHandle;
use crate::loop_bound::LoopBound;
use crate::loop_id::LoopId;
use crate::messages;
use crate::monitor::{Snapshot, SnapshotError};
use crate::park::Park;
use crate::scheduler::{Core, Shared};
use crate::source::Source;
use crate::stats::LoopStats;
use crate::task::{Runnable, Task};

/// A handle to a loop, on the loop's own thread: what `Loop::current()` returns.
///
/// It adds tasks, gives out [`Spawner`]s, and lets upper layers find the
/// loop's [`Park`] and attach [`Source`]s. Cloning it is cheap.
#[derive(Clone)]
pub struct Handle {
    core: Rc<Core>,
}

impl Handle {
    pub(crate) fn new(core: Rc<Core>) -> Handle {
        Handle { core }
    }

    /// The handle of the loop running on this thread; [`Loop::current`] is
    /// the same, under the talk's name.
    ///
    /// # Panics
    ///
    /// Outside a running loop (a `Loop` that exists but does not run does not
    /// count); use [`Handle::try_current`] to get `None` instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::{Handle, Loop};
    ///
    /// let lp = Loop::new();
    /// let same = lp.run_task(async { Handle::current().id() });
    /// assert_eq!(same, lp.id());
    /// ```
    #[track_caller]
    pub fn current() -> Handle {
        match Handle::try_current() {
            Some(handle) => handle,
            None => panic!("{}", messages::NO_CURRENT_LOOP),
        }
    }

    /// The handle of the loop running on this thread, or `None`.
    pub fn try_current() -> Option<Handle> {
        context::current().map(Handle::new)
    }

    /// Adds a task to the back of the loop's queue; see [`Loop::add_task`].
    ///
    /// If the loop has been dropped, the future is dropped at once and the
    /// handle reports a cancellation.
    #[doc(alias = "spawn")]
    #[track_caller]
    pub fn add_task<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.core.add_task(future, Location::caller(), None)
    }

    /// Adds a named task; see [`Loop::add_task_named`].
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    ///
    /// let lp = Loop::new();
    /// let name = lp.run_task(async {
    ///     let handle = Loop::current().add_task_named("worker", std::future::pending::<()>());
    ///     let name = Loop::current().dump()[0].name.clone();
    ///     handle.abort();
    ///     name
    /// });
    /// assert_eq!(name.as_deref(), Some("worker"));
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

    /// The loop's counters; see [`Loop::stats`].
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    ///
    /// let polls = Loop::new().run_task(async { Loop::current().stats().polls });
    /// assert_eq!(polls, 0, "the future given to run_task is not a task");
    /// ```
    pub fn stats(&self) -> LoopStats {
        self.core.stats()
    }

    /// The loop's live tasks; see [`Loop::dump`].
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::{Loop, TaskState, spawn};
    ///
    /// Loop::new().run_task(async {
    ///     let task = spawn(async { Loop::current().dump()[0].state });
    ///     assert_eq!(task.await.unwrap(), TaskState::Running);
    /// });
    /// ```
    pub fn dump(&self) -> TaskDump {
        self.core.dump()
    }

    /// Runs `f` on the blocking pool; the result comes back through a task
    /// of this loop. See [`spawn_blocking`](crate::spawn_blocking).
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    ///
    /// let lp = Loop::new();
    /// let handle = lp.handle().spawn_blocking(|| 6 * 7);
    /// assert_eq!(lp.run_task(handle).unwrap(), 42);
    /// ```
    #[doc(alias = "unblock")]
    #[track_caller]
    pub fn spawn_blocking<F, T>(&self, f: F) -> JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.add_task(crate::blocking::spawn_job(f))
    }

    /// A `Send + Sync` handle that adds tasks to this loop from any thread.
    pub fn spawner(&self) -> Spawner {
        Spawner {
            shared: self.core.shared.clone(),
        }
    }

    /// The loop's park, if it is a `P` (loop-net finds its Reactor this way).
    pub fn park<P: Park>(&self) -> Option<Rc<P>> {
        let park: Rc<dyn std::any::Any> = self.core.park().clone();
        park.downcast::<P>().ok()
    }

    /// The loop's event source of type `S`, created with `make` and attached
    /// to the loop on first use; it lives as long as the loop.
    pub fn source<S: Source>(&self, make: impl FnOnce() -> S) -> Rc<S> {
        self.core.source(make)
    }

    /// The loop's park as a [`LoopBound`], if it is a `P`: a `Send + Sync`
    /// reference that is usable only while this loop runs on the calling
    /// thread (loop-net's sockets point at their Reactor this way).
    pub fn park_bound<P: Park>(&self) -> Option<LoopBound<P>> {
        let park = self.park::<P>()?;
        // SAFETY: `park` is this loop's park, which its `Core` holds for its
        // whole life (the `Rc` made here only adds a count to it).
        Some(unsafe { LoopBound::new(self.id(), &park) })
    }

    /// The loop's source of type `S` as a [`LoopBound`] (made with `make`
    /// and attached on first use, as by [`source`](Handle::source)): a
    /// `Send + Sync` reference that is usable only while this loop runs on
    /// the calling thread (loop-time's `Sleep` points at its timer store
    /// this way).
    pub fn source_bound<S: Source>(&self, make: impl FnOnce() -> S) -> LoopBound<S> {
        let source = self.source(make);
        // SAFETY: `source` is one of this loop's sources, which it holds
        // until after it stops being current (`Core::shut_down`).
        unsafe { LoopBound::new(self.id(), &source) }
    }

    /// The loop's identity.
    pub fn id(&self) -> LoopId {
        self.core.id
    }

    /// True if both handles refer to the same loop.
    pub fn same_loop(&self, other: &Handle) -> bool {
        Rc::ptr_eq(&self.core, &other.core)
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("tasks", &self.core.task_count())
            .finish_non_exhaustive()
    }
}

/// Adds a task to the loop running on this thread: `Loop::current().add_task(f)`.
///
/// # Panics
///
/// Outside a running loop.
///
/// # Examples
///
/// ```
/// use loop_core::{Loop, spawn};
///
/// let lp = Loop::new();
/// let n = lp.run_task(async { spawn(async { 21 * 2 }).await.unwrap() });
/// assert_eq!(n, 42);
/// ```
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    Loop::current().add_task(future)
}

/// Adds `Send` tasks to a loop from any thread.
///
/// The task is pushed to the loop's remote queue and the loop is unparked; it
/// runs on the loop's thread. If the loop has been dropped, the future is
/// dropped at once and its handle reports a cancellation.
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
///
/// let lp = Loop::new();
/// let spawner = lp.spawner();
/// let handle = std::thread::spawn(move || spawner.add_task(async { 7 })).join().unwrap();
/// assert_eq!(lp.run_task(handle).unwrap(), 7);
/// ```
#[derive(Clone)]
pub struct Spawner {
    shared: Arc<Shared>,
}

impl Spawner {
    /// The spawner of the loop whose shared part is `shared`.
    pub(crate) fn from_shared(shared: Arc<Shared>) -> Spawner {
        Spawner { shared }
    }

    /// Adds a task to the loop from any thread.
    #[doc(alias = "spawn")]
    #[track_caller]
    pub fn add_task<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let task = Task::new(future, self.shared.clone(), Location::caller(), None);
        let handle = JoinHandle::new(task.clone());
        if self.shared.is_closed() {
            // SAFETY: the task was never queued, and its future is `Send`.
            unsafe { task.shutdown() };
        } else {
            self.shared.push_remote(Some(task));
        }
        handle
    }

    /// Adds a task whose future is built on the loop's thread, from any thread.
    ///
    /// `make` is `Send`, and it is called on the loop's thread when the task
    /// first runs there; the future it returns need not be `Send`, so it may
    /// hold sockets, timers or `Rc`s of that loop. This is how a task that
    /// uses the target loop's resources is handed to it (a socket itself moves
    /// with `into_std()`/`from_std()`: see loop-net). The output is `Send`,
    /// and the returned handle may be awaited on any thread.
    ///
    /// If the loop has been dropped, `make` is dropped at once, without being
    /// called, and the handle reports a cancellation; so it is if the loop is
    /// dropped before the task first runs.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::rc::Rc;
    /// use loop_core::{Loop, interrupt};
    ///
    /// let lp = Loop::new();
    /// let spawner = lp.spawner();
    /// let handle = std::thread::spawn(move || {
    ///     spawner.add_task_with(|| {
    ///         let local = Rc::new(20); // not `Send`: built on the loop's thread
    ///         async move {
    ///             interrupt().await;
    ///             *local + 1
    ///         }
    ///     })
    /// })
    /// .join()
    /// .unwrap();
    /// assert_eq!(lp.run_task(handle).unwrap(), 21);
    /// ```
    #[doc(alias = "spawn_local")]
    #[track_caller]
    pub fn add_task_with<M, F>(&self, make: M) -> JoinHandle<F::Output>
    where
        M: FnOnce() -> F + Send + 'static,
        F: Future + 'static,
        F::Output: Send + 'static,
    {
        let site = Location::caller();
        let task = Task::new(
            BuildOnLoop::Make(Some(make)),
            self.shared.clone(),
            site,
            None,
        );
        let handle = JoinHandle::new(task.clone());
        if self.shared.is_closed() {
            // SAFETY: the task was never queued, so it was never polled: its
            // future is still `BuildOnLoop::Make`, which holds only `make`,
            // a `Send` closure (invariant BUILT).
            unsafe { task.shutdown() };
        } else {
            self.shared.push_remote(Some(task));
        }
        handle
    }

    /// Asks the loop, from any thread, for its counters and live tasks, and
    /// waits up to `timeout` for the answer.
    ///
    /// The loop answers between two polls (it looks for requests each time it
    /// looks at its remote queue: after a park, and every
    /// [`EVENT_INTERVAL`](crate::EVENT_INTERVAL) polls). A loop that does not
    /// answer in time is not waited for: if it is inside one poll of a task,
    /// the error names that task, its spawn site and how long the poll has
    /// run, which the loop publishes around every poll for this purpose.
    ///
    /// # Errors
    ///
    /// [`SnapshotError::Stuck`] if the loop stays inside one poll past
    /// `timeout`; [`SnapshotError::NoAnswer`] if it does not answer and polls
    /// no task (it is not running, or is busy outside its tasks);
    /// [`SnapshotError::Closed`] if the loop has been dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use loop_core::{Loop, SnapshotError, interrupt};
    ///
    /// let lp = Loop::new();
    /// let spawner = lp.spawner();
    /// let watchdog = std::thread::spawn(move || spawner.snapshot(Duration::from_secs(5)));
    /// // The loop answers while it runs: here, while it waits for the watchdog.
    /// lp.run_task(async {
    ///     while !watchdog.is_finished() {
    ///         interrupt().await;
    ///     }
    /// });
    /// let snapshot = watchdog.join().unwrap().unwrap();
    /// assert_eq!(snapshot.stats.tasks_alive, 0);
    ///
    /// let spawner = lp.spawner();
    /// drop(lp);
    /// assert_eq!(spawner.snapshot(Duration::from_secs(1)), Err(SnapshotError::Closed));
    /// ```
    pub fn snapshot(&self, timeout: std::time::Duration) -> Result<Snapshot, SnapshotError> {
        self.shared.snapshot(timeout)
    }
}

/// The future of [`Spawner::add_task_with`]: the closure until its first
/// poll, then the future the closure made.
///
/// Invariant BUILT: the `Built` variant only ever exists on the loop's thread,
/// because the first poll (which makes it) happens there, and a polled task
/// is registered with its loop, which alone touches its future from then on
/// (`task.rs`). Off the loop's thread, a `Spawner` task's future may only be
/// dropped unpolled, that is in the `Make` state, holding a `Send` closure.
enum BuildOnLoop<M, F> {
    Make(Option<M>),
    Built(F),
}

impl<M, F> Future for BuildOnLoop<M, F>
where
    M: FnOnce() -> F,
    F: Future,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: nothing is moved out of a pinned `Built`: the closure is
        // taken out of `Make` (the closure is not pinned: `Make` never
        // exposes it pinned), and the new state is written in place.
        let this = unsafe { self.get_unchecked_mut() };
        if let BuildOnLoop::Make(make) = this {
            let make = make.take().expect("a `BuildOnLoop` is made once");
            *this = BuildOnLoop::Built(make());
        }
        match this {
            // SAFETY: `this` is pinned (we came from `Pin<&mut Self>`) and the
            // `Built` future is never moved out of it.
            BuildOnLoop::Built(future) => unsafe { Pin::new_unchecked(future) }.poll(cx),
            BuildOnLoop::Make(_) => unreachable!("built just above"),
        }
    }
}

impl Spawner {
    /// Runs `f` on the blocking pool from any thread; the result comes back
    /// through a task of this spawner's loop. See
    /// [`spawn_blocking`](crate::spawn_blocking).
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    ///
    /// let lp = Loop::new();
    /// let spawner = lp.spawner();
    /// let handle = std::thread::spawn(move || spawner.spawn_blocking(|| 7)).join().unwrap();
    /// assert_eq!(lp.run_task(handle).unwrap(), 7);
    /// ```
    #[doc(alias = "unblock")]
    #[track_caller]
    pub fn spawn_blocking<F, T>(&self, f: F) -> JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.add_task(crate::blocking::spawn_job(f))
    }
}

impl fmt::Debug for Spawner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Spawner")
            .field("closed", &self.shared.is_closed())
            .finish()
    }
}
