//! The facade's `Loop`: loop-core's loop with the park the enabled layers need.

use std::fmt;
use std::io;
use std::time::Duration;

use loop_core::{Handle, JoinHandle, LoopStats, Park, SlowPoll, Spawner, TaskDump};

use crate::messages;

/// The talk's `Loop`: a FIFO queue of tasks on one thread, ready for timers
/// and (with the `net` feature) sockets.
///
/// It is [`loop_core::Loop`] built with the right [`Park`]: loop-net's epoll
/// `Reactor` when the `net` feature is on, loop-core's [`ThreadParker`]
/// otherwise. Every method is loop-core's; see there for the details of
/// scheduling, cancellation and panics.
///
/// [`ThreadParker`]: loop_core::ThreadParker
///
/// # Examples
///
/// ```
/// use goldiloop::{Loop, interrupt};
///
/// let lp = Loop::new();
/// let a = lp.add_task(async { interrupt().await; "a" });
/// let b = lp.add_task(async { "b" });
/// lp.run();
/// assert_eq!(lp.run_task(async { (a.await.unwrap(), b.await.unwrap()) }), ("a", "b"));
/// ```
pub struct Loop {
    inner: loop_core::Loop,
}

impl Loop {
    /// A loop whose park can wait for sockets (feature `net`) and timers.
    ///
    /// # Panics
    ///
    /// If the kernel refuses an epoll instance or an eventfd (out of file
    /// descriptors, say), with a message that names the fix and ends with the
    /// kernel's error; [`Loop::try_new`] returns that error instead.
    #[track_caller]
    pub fn new() -> Loop {
        match Loop::try_new() {
            Ok(lp) => lp,
            Err(e) => panic!("{} ({e})", messages::LOOP_SETUP_FAILED),
        }
    }

    /// Like [`Loop::new`], but gives back the error if the Reactor cannot be
    /// set up. Without the `net` feature it never fails.
    pub fn try_new() -> io::Result<Loop> {
        Loop::builder().try_build()
    }

    /// A builder, for the loop's slow-poll threshold, poll timings and leak
    /// report (see [`LoopBuilder`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let lp = goldiloop::Loop::builder().report_leaks(true).build();
    /// assert_eq!(lp.run_task(async { 2 }), 2);
    /// ```
    pub fn builder() -> LoopBuilder {
        LoopBuilder {
            inner: loop_core::Loop::builder(),
        }
    }

    /// A loop that waits for events with a park of your choice.
    pub fn with_park(park: impl Park) -> Loop {
        Loop {
            inner: loop_core::Loop::with_park(park),
        }
    }

    /// The handle of the loop running on this thread, the talk's `Loop.current`.
    ///
    /// # Panics
    ///
    /// Outside a running loop; [`Loop::try_current`] gives `None` instead.
    #[doc(alias = "Handle::current")]
    #[track_caller]
    pub fn current() -> Handle {
        loop_core::Loop::current()
    }

    /// The handle of the loop running on this thread, or `None`.
    pub fn try_current() -> Option<Handle> {
        loop_core::Loop::try_current()
    }

    /// A handle to this loop, to add tasks while it runs or before.
    pub fn handle(&self) -> Handle {
        self.inner.handle()
    }

    /// A `Send + Sync` handle that adds `Send` tasks to this loop from any thread.
    pub fn spawner(&self) -> Spawner {
        self.inner.spawner()
    }

    /// Adds a task to the back of the loop's queue and returns its handle.
    #[doc(alias = "spawn")]
    #[doc(alias = "spawn_local")]
    #[track_caller]
    pub fn add_task<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.inner.add_task(future)
    }

    /// Adds a named task; see [`loop_core::Loop::add_task_named`].
    ///
    /// # Examples
    ///
    /// ```
    /// let lp = goldiloop::Loop::new();
    /// let _conn = lp.add_task_named("conn 42", std::future::pending::<()>());
    /// assert_eq!(lp.dump()[0].name.as_deref(), Some("conn 42"));
    /// ```
    #[track_caller]
    pub fn add_task_named<F>(&self, name: impl Into<String>, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.inner.add_task_named(name, future)
    }

    /// The loop's counters; see [`loop_core::Loop::stats`].
    ///
    /// # Examples
    ///
    /// ```
    /// let lp = goldiloop::Loop::new();
    /// lp.run_task(async { goldiloop::spawn(async {}).await.unwrap() });
    /// assert_eq!(lp.stats().tasks_returned, 1);
    /// ```
    pub fn stats(&self) -> LoopStats {
        self.inner.stats()
    }

    /// The loop's live tasks; see [`loop_core::Loop::dump`].
    ///
    /// # Examples
    ///
    /// ```
    /// let lp = goldiloop::Loop::new();
    /// let _idle = lp.add_task(std::future::pending::<()>());
    /// assert_eq!(lp.dump()[0].spawn_site.file(), file!());
    /// ```
    pub fn dump(&self) -> TaskDump {
        self.inner.dump()
    }

    /// Runs the loop until `future` completes, and returns its output; the
    /// other tasks stay in the loop.
    ///
    /// # Panics
    ///
    /// If a loop is already running on this thread, and with `future`'s own panic.
    #[doc(alias = "block_on")]
    #[track_caller]
    pub fn run_task<F: Future>(&self, future: F) -> F::Output {
        self.inner.run_task(future)
    }

    /// Runs the loop until every task in it has ended.
    ///
    /// # Panics
    ///
    /// If a loop is already running on this thread.
    #[track_caller]
    pub fn run(&self) {
        self.inner.run()
    }

    /// How many tasks have been added to this loop and have not ended yet.
    pub fn task_count(&self) -> usize {
        self.inner.task_count()
    }

    /// The loop-core loop inside, for APIs that take one.
    pub fn as_core(&self) -> &loop_core::Loop {
        &self.inner
    }

    /// Unwraps the loop-core loop inside.
    pub fn into_core(self) -> loop_core::Loop {
        self.inner
    }
}

impl Default for Loop {
    fn default() -> Loop {
        Loop::new()
    }
}

impl From<Loop> for loop_core::Loop {
    fn from(lp: Loop) -> loop_core::Loop {
        lp.inner
    }
}

impl fmt::Debug for Loop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("goldiloop::Loop").field(&self.inner).finish()
    }
}

/// Runs `future` to completion on a fresh [`Loop`] and returns its output,
/// like the talk's `asyncio.run(main())`.
///
/// Tasks that `future` added and that have not ended when it completes are
/// dropped with the loop, on this thread.
///
/// # Panics
///
/// Inside a running loop (use `.await` or `spawn` there); if the loop cannot
/// be set up (see [`Loop::new`]); and with `future`'s own panic.
///
/// # Examples
///
/// ```
/// let n = goldiloop::run(async {
///     let task = goldiloop::spawn(async { 20 });
///     task.await.unwrap() * 2 + 2
/// });
/// assert_eq!(n, 42);
/// ```
#[doc(alias = "asyncio.run")]
#[doc(alias = "block_on")]
#[track_caller]
pub fn run<F: Future>(future: F) -> F::Output {
    Loop::new().run_task(future)
}

/// Builds a [`Loop`] with the park the enabled layers need and the
/// observability settings of [`loop_core::LoopBuilder`]: [`Loop::builder`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// let lp = goldiloop::Loop::builder()
///     .slow_poll(Some(Duration::from_millis(50)))
///     .time_polls(true)
///     .build();
/// lp.run_task(async {});
/// ```
#[must_use = "a builder does nothing until `build` is called"]
#[derive(Debug)]
pub struct LoopBuilder {
    inner: loop_core::LoopBuilder,
}

impl LoopBuilder {
    /// See [`loop_core::LoopBuilder::slow_poll`].
    pub fn slow_poll(self, threshold: Option<Duration>) -> LoopBuilder {
        LoopBuilder {
            inner: self.inner.slow_poll(threshold),
        }
    }

    /// See [`loop_core::LoopBuilder::on_slow_poll`].
    pub fn on_slow_poll(self, hook: impl Fn(&SlowPoll<'_>) + 'static) -> LoopBuilder {
        LoopBuilder {
            inner: self.inner.on_slow_poll(hook),
        }
    }

    /// See [`loop_core::LoopBuilder::time_polls`].
    pub fn time_polls(self, on: bool) -> LoopBuilder {
        LoopBuilder {
            inner: self.inner.time_polls(on),
        }
    }

    /// See [`loop_core::LoopBuilder::report_leaks`].
    pub fn report_leaks(self, on: bool) -> LoopBuilder {
        LoopBuilder {
            inner: self.inner.report_leaks(on),
        }
    }

    /// See [`loop_core::LoopBuilder::on_leaks`].
    pub fn on_leaks(self, hook: impl Fn(&TaskDump) + 'static) -> LoopBuilder {
        LoopBuilder {
            inner: self.inner.on_leaks(hook),
        }
    }

    /// The loop.
    ///
    /// # Panics
    ///
    /// As [`Loop::new`]; [`try_build`](LoopBuilder::try_build) returns the error.
    #[track_caller]
    pub fn build(self) -> Loop {
        match self.try_build() {
            Ok(lp) => lp,
            Err(e) => panic!("{} ({e})", messages::LOOP_SETUP_FAILED),
        }
    }

    /// The loop, or the error if the Reactor cannot be set up (never without
    /// the `net` feature).
    pub fn try_build(self) -> io::Result<Loop> {
        #[cfg(feature = "net")]
        let inner = self.inner.build_with_park(loop_net::Reactor::new()?);
        #[cfg(not(feature = "net"))]
        let inner = self.inner.build();
        Ok(Loop { inner })
    }
}
