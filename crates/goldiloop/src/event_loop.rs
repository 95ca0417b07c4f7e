//! The facade's `Loop`: loop-core's loop with the park the enabled layers need.

use std::fmt;
use std::io;

use loop_core::{Handle, JoinHandle, Park, Spawner};

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
        #[cfg(feature = "net")]
        let inner = loop_core::Loop::with_park(loop_net::Reactor::new()?);
        #[cfg(not(feature = "net"))]
        let inner = loop_core::Loop::new();
        Ok(Loop { inner })
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
    pub fn add_task<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.inner.add_task(future)
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
