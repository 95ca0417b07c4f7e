//! The facade's `LoopPool`: loop-core's pool with each loop built like
//! [`Loop::new`](crate::Loop::new) (the epoll Reactor with the `net`
//! feature), and [`run_per_core`], the one-liner.

use std::fmt;
use std::io;

use loop_core::Spawner;

use crate::messages;

/// One loop per thread, each ready for timers and (with the `net` feature)
/// sockets: the thread-per-core way to use every CPU.
///
/// It is [`loop_core::LoopPool`] whose loops park in loop-net's epoll
/// `Reactor`; every method is loop-core's (see there for the details of
/// pinning, panics and shutdown). Give each loop its own listener with
/// `TcpListener::bind_reuseport` and the kernel spreads the connections; hand
/// work to a given loop with [`spawner(i)`](LoopPool::spawner).
///
/// # Examples
///
/// ```
/// # #[cfg(feature = "net")] {
/// use goldiloop::LoopPool;
///
/// let pool = LoopPool::builder().loops(2).build()?;
/// let ports = pool.run(|_| async {
///     let listener = goldiloop::net::TcpListener::bind_reuseport("127.0.0.1:0")?;
///     listener.local_addr().map(|addr| addr.port())
/// });
/// assert_eq!(ports.len(), 2);
/// # }
/// # Ok::<(), std::io::Error>(())
/// ```
#[doc(alias = "LocalPoolHandle")]
#[doc(alias = "thread_per_core")]
pub struct LoopPool {
    inner: loop_core::LoopPool,
}

impl LoopPool {
    /// A builder: one loop per available CPU, not pinned, each with its
    /// Reactor.
    pub fn builder() -> LoopPoolBuilder {
        LoopPoolBuilder {
            inner: with_reactor(loop_core::LoopPool::builder()),
        }
    }

    /// How many loops the pool has.
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// Always false: a pool has at least one loop.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// A [`Spawner`] for loop `index`; see [`loop_core::LoopPool::spawner`].
    ///
    /// # Panics
    ///
    /// If `index >= self.len()`.
    #[track_caller]
    pub fn spawner(&self, index: usize) -> Spawner {
        self.inner.spawner(index)
    }

    /// The spawners of every loop, in index order.
    pub fn spawners(&self) -> &[Spawner] {
        self.inner.spawners()
    }

    /// Runs `body(index)` on every loop and returns the outputs in index
    /// order; see [`loop_core::LoopPool::run`].
    ///
    /// # Panics
    ///
    /// If a body panics: the other bodies are aborted, then `run` panics
    /// naming the loop. Also if called from inside a running loop.
    #[track_caller]
    pub fn run<B, F>(&self, body: B) -> Vec<F::Output>
    where
        B: Fn(usize) -> F + Send + Sync + 'static,
        F: Future + 'static,
        F::Output: Send + 'static,
    {
        self.inner.run(body)
    }

    /// Stops every loop, drops their tasks on their own threads and joins the
    /// threads, as dropping the pool does.
    pub fn shutdown(self) {
        self.inner.shutdown();
    }
}

impl fmt::Debug for LoopPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

/// Configures a [`LoopPool`]; see [`loop_core::LoopPoolBuilder`].
#[must_use = "a builder does nothing until `build()` is called"]
#[derive(Debug)]
pub struct LoopPoolBuilder {
    inner: loop_core::LoopPoolBuilder,
}

impl LoopPoolBuilder {
    /// The number of loops; by default one per CPU this process may use.
    ///
    /// # Panics
    ///
    /// If `n` is 0.
    #[track_caller]
    pub fn loops(self, n: usize) -> LoopPoolBuilder {
        LoopPoolBuilder {
            inner: self.inner.loops(n),
        }
    }

    /// Pins loop `i` to the `i`-th CPU this process may use; off by default.
    pub fn pin_to_cores(self, pin: bool) -> LoopPoolBuilder {
        LoopPoolBuilder {
            inner: self.inner.pin_to_cores(pin),
        }
    }

    /// The threads' name prefix: loop `i` runs on thread `"{name}-{i}"`.
    pub fn name(self, name: impl Into<String>) -> LoopPoolBuilder {
        LoopPoolBuilder {
            inner: self.inner.name(name),
        }
    }

    /// Starts the threads and builds a loop, with its Reactor, on each.
    ///
    /// # Errors
    ///
    /// As [`loop_core::LoopPoolBuilder::build`]; with the `net` feature, also
    /// the kernel's refusal of an epoll instance or an eventfd (`EMFILE`).
    pub fn build(self) -> io::Result<LoopPool> {
        Ok(LoopPool {
            inner: self.inner.build()?,
        })
    }
}

/// Each loop of the pool parks in its own Reactor (feature `net`).
fn with_reactor(builder: loop_core::LoopPoolBuilder) -> loop_core::LoopPoolBuilder {
    #[cfg(feature = "net")]
    let builder = builder.park(loop_net::Reactor::new);
    builder
}

/// Runs `body(index)` on one loop per CPU, each pinned to its CPU, and
/// returns the outputs in index order: the thread-per-core server in one line.
///
/// The same as `LoopPool::builder().pin_to_cores(true).build()?.run(body)`,
/// and the pool is shut down before it returns. Each loop has its own
/// Reactor and timers; bind one listener per loop with `bind_reuseport`.
///
/// # Panics
///
/// If the pool cannot be built (the message names the fix and ends with the
/// kernel's error), if a body panics (the others are aborted, and the panic
/// names the loop), or if called from inside a running loop.
///
/// # Examples
///
/// ```
/// let indices = goldiloop::run_per_core(|index| async move {
///     goldiloop::interrupt().await;
///     index
/// });
/// assert_eq!(indices, (0..indices.len()).collect::<Vec<_>>());
/// ```
#[track_caller]
pub fn run_per_core<B, F>(body: B) -> Vec<F::Output>
where
    B: Fn(usize) -> F + Send + Sync + 'static,
    F: Future + 'static,
    F::Output: Send + 'static,
{
    let pool = match LoopPool::builder().pin_to_cores(true).build() {
        Ok(pool) => pool,
        Err(e) => panic!("{} ({e})", messages::POOL_SETUP_FAILED),
    };
    pool.run(body)
}
