//! `LoopPool`: one [`Loop`] per thread, sharing nothing, the thread-per-core
//! model (nginx workers, glommio, monoio).
//!
//! Each of the pool's threads builds its own loop (with the park the
//! builder was given: loop-net's Reactor through the facade), optionally
//! pins itself to one CPU, and then runs its loop until the pool stops it.
//! Nothing is shared between the loops on the hot path: each has its own run
//! queue, timers and Reactor. Work crosses between them only through a
//! [`Spawner`] (the loop's remote queue and its park's unparker), or through
//! a channel the user builds.
//!
//! How a pool thread waits: its loop runs `run_task(StopSignal)`, a future
//! that is ready once the pool's `Stop` flag is set. While it is not, the
//! loop parks as any idle loop does (no spinning); stopping sets the flag
//! and wakes the future through its waker, which unparks the loop. The loop
//! then returns from `run_task` and is dropped on its own thread, which drops
//! every task still in it there (the `Loop` drop contract), and the thread
//! ends; the pool joins it.
//!
//! What is `Send`: the pool, its [`Spawner`]s, the closure given to
//! [`LoopPool::run`] and to [`Spawner::add_task_with`], and the outputs that
//! come back. What is not: the futures themselves, built on their loop's
//! thread, and everything they hold (sockets, timers, `Rc`s).

use std::fmt;
use std::future::{Future, poll_fn};
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::thread;

use crate::affinity;
use crate::event_loop::Loop;
use crate::handle::Spawner;
use crate::join::JoinHandle;
use crate::join_error::JoinError;
use crate::messages;
use crate::park::Park;

/// Builds a loop on a pool thread: the park factory, type-erased.
type MakeLoop = Arc<dyn Fn() -> io::Result<Loop> + Send + Sync>;

/// Several loops, one per thread, each optionally pinned to its own CPU.
///
/// Build one with [`LoopPool::builder`]. [`run`](LoopPool::run) runs the same
/// (possibly `!Send`) async body on every loop and collects the outputs;
/// [`spawner(i)`](LoopPool::spawner) adds tasks to loop `i` from anywhere.
/// The loops share nothing: a server binds one listener per loop with
/// `SO_REUSEPORT` (loop-net's `bind_reuseport`) and the kernel spreads the
/// connections.
///
/// Dropping the pool, or [`shutdown`](LoopPool::shutdown), stops every loop,
/// drops the tasks still in them (each on its own loop's thread) and joins
/// the threads. A task added through a [`Spawner`] of the pool after its loop
/// has stopped is dropped at once, and its handle reports a cancellation (as
/// for any dropped `Loop`); one added just before is dropped with the loop.
///
/// # Examples
///
/// ```
/// use loop_core::{Loop, LoopPool};
///
/// let pool = LoopPool::builder().loops(2).build()?;
/// let ids = pool.run(|index| async move { (index, Loop::current().id()) });
/// assert_eq!(ids.len(), 2);
/// assert_eq!((ids[0].0, ids[1].0), (0, 1));
/// assert_ne!(ids[0].1, ids[1].1);
/// # Ok::<(), std::io::Error>(())
/// ```
#[doc(alias = "LocalPoolHandle")]
#[doc(alias = "LocalExecutorPool")]
#[doc(alias = "thread_per_core")]
pub struct LoopPool {
    spawners: Vec<Spawner>,
    members: Vec<Member>,
}

/// One pool thread, as the pool holds it.
struct Member {
    stop: Arc<Stop>,
    thread: Option<thread::JoinHandle<()>>,
}

impl LoopPool {
    /// A builder: one loop per available CPU, not pinned, threads named
    /// `goldiloop-0`, `goldiloop-1`, ..., each loop parking its thread.
    pub fn builder() -> LoopPoolBuilder {
        LoopPoolBuilder {
            loops: None,
            pin: false,
            name: "goldiloop".to_owned(),
            make_loop: Arc::new(|| Ok(Loop::new())),
        }
    }

    /// How many loops (and threads) the pool has.
    pub fn len(&self) -> usize {
        self.spawners.len()
    }

    /// Always false: a pool has at least one loop.
    pub fn is_empty(&self) -> bool {
        self.spawners.is_empty()
    }

    /// A [`Spawner`] for loop `index`: tasks added through it run on that
    /// loop's thread.
    ///
    /// # Panics
    ///
    /// If `index >= self.len()`.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::LoopPool;
    ///
    /// let pool = LoopPool::builder().loops(2).build()?;
    /// let handle = pool.spawner(1).add_task(async { std::thread::current().name().map(String::from) });
    /// let name = loop_core::Loop::new().run_task(handle).unwrap();
    /// assert_eq!(name.as_deref(), Some("goldiloop-1"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn spawner(&self, index: usize) -> Spawner {
        match self.spawners.get(index) {
            Some(spawner) => spawner.clone(),
            None => panic!(
                "{} (index {index}, {} loops)",
                messages::NO_SUCH_LOOP,
                self.len()
            ),
        }
    }

    /// The spawners of every loop, in index order: give them to the bodies
    /// so that loops can hand work to each other.
    pub fn spawners(&self) -> &[Spawner] {
        &self.spawners
    }

    /// Runs `body(index)` on every loop, as a task of that loop, and waits for
    /// all of them; returns their outputs in index order.
    ///
    /// The future `body` returns is built on its loop's thread and need not be
    /// `Send` (it may hold that loop's sockets and timers); `body` itself is
    /// shared by the threads, and the outputs come back to the caller, so
    /// those are `Send`. The calling thread blocks (in a loop of its own)
    /// until every body has ended.
    ///
    /// # Panics
    ///
    /// If a body panics: the bodies still running on the other loops are
    /// aborted (dropped on their own threads), and once all have ended, `run`
    /// panics with a message naming the loop whose body panicked and its
    /// panic's message. The pool stays usable. Also if called from inside a
    /// running loop, which it would block.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::rc::Rc;
    /// use loop_core::{LoopPool, interrupt};
    ///
    /// let pool = LoopPool::builder().loops(3).build()?;
    /// let out = pool.run(|index| async move {
    ///     let local = Rc::new(index * 10); // `!Send` is fine: it stays on its loop
    ///     interrupt().await;
    ///     *local
    /// });
    /// assert_eq!(out, [0, 10, 20]);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[doc(alias = "run_per_core")]
    #[track_caller]
    pub fn run<B, F>(&self, body: B) -> Vec<F::Output>
    where
        B: Fn(usize) -> F + Send + Sync + 'static,
        F: Future + 'static,
        F::Output: Send + 'static,
    {
        let body = Arc::new(body);
        let handles = self
            .spawners
            .iter()
            .enumerate()
            .map(|(index, spawner)| {
                let body = body.clone();
                spawner.add_task_with(move || body(index))
            })
            .collect();
        let results = Loop::new().run_task(wait_all(handles));
        let mut outputs = Vec::with_capacity(results.len());
        // The panic to report; the others were cancelled because of it.
        let mut panicked = None;
        let mut cancelled = None;
        for (index, result) in results.into_iter().enumerate() {
            match result {
                Ok(output) => outputs.push(output),
                Err(error) if error.is_panic() => {
                    panicked.get_or_insert((index, panic_text(error)));
                }
                Err(_) => {
                    cancelled.get_or_insert((index, "it was cancelled".to_owned()));
                }
            }
        }
        if let Some((index, text)) = panicked.or(cancelled) {
            panic!("{} (loop {index}: {text})", messages::POOL_BODY_PANICKED);
        }
        outputs
    }

    /// Stops every loop, drops their tasks on their own threads and joins the
    /// threads: the same as dropping the pool, spelled out. (Dropped by a
    /// task of one of its own loops, the pool joins the other threads; that
    /// loop's thread ends on its own once the task returns.)
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::LoopPool;
    ///
    /// let pool = LoopPool::builder().loops(2).build()?;
    /// let spawner = pool.spawner(0);
    /// pool.shutdown();
    /// let late = spawner.add_task(async { 1 });
    /// assert!(loop_core::Loop::new().run_task(late).unwrap_err().is_cancelled());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn shutdown(self) {}
}

impl Drop for LoopPool {
    fn drop(&mut self) {
        // Stop all first, so that the loops wind down in parallel.
        for member in &self.members {
            member.stop.signal();
        }
        let me = thread::current().id();
        for member in &mut self.members {
            // A pool dropped by one of its own tasks cannot join that task's
            // thread, which ends on its own once the task returns.
            if let Some(thread) = member.thread.take_if(|t| t.thread().id() != me) {
                // A loop thread ends by dropping its loop, whose shutdown
                // contains the panics of foreign destructors; an `Err` here
                // has been reported by the panic hook already.
                let _ = thread.join();
            }
        }
    }
}

impl fmt::Debug for LoopPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoopPool")
            .field("loops", &self.len())
            .finish_non_exhaustive()
    }
}

/// Configures a [`LoopPool`]: how many loops, pinned or not, the threads'
/// name, and the park each loop is built with.
///
/// # Examples
///
/// ```
/// use loop_core::{LoopPool, ThreadParker};
///
/// let pool = LoopPool::builder()
///     .loops(2)
///     .pin_to_cores(false)
///     .name("worker")
///     .park(|| Ok(ThreadParker::new()))
///     .build()?;
/// assert_eq!(pool.len(), 2);
/// # Ok::<(), std::io::Error>(())
/// ```
#[must_use = "a builder does nothing until `build()` is called"]
pub struct LoopPoolBuilder {
    loops: Option<usize>,
    pin: bool,
    name: String,
    make_loop: MakeLoop,
}

impl LoopPoolBuilder {
    /// The number of loops; by default `std::thread::available_parallelism()`
    /// (the CPUs this process may use), or 1 if that is unknown.
    ///
    /// # Panics
    ///
    /// If `n` is 0.
    #[track_caller]
    pub fn loops(mut self, n: usize) -> LoopPoolBuilder {
        assert!(n > 0, "{}", messages::ZERO_LOOPS);
        self.loops = Some(n);
        self
    }

    /// Pins loop `i` to the `i`-th CPU this process may use (its affinity
    /// mask: `taskset`, a cgroup cpuset or an inherited mask is respected,
    /// and no loop is ever pinned to a CPU outside it). With more loops than
    /// allowed CPUs, loop `i` goes to CPU number `i % allowed`. Off by default.
    pub fn pin_to_cores(mut self, pin: bool) -> LoopPoolBuilder {
        self.pin = pin;
        self
    }

    /// The threads' name prefix: loop `i` runs on thread `"{name}-{i}"`.
    pub fn name(mut self, name: impl Into<String>) -> LoopPoolBuilder {
        self.name = name.into();
        self
    }

    /// How each loop waits for events: `make` is called once on each pool
    /// thread, and the loop is built with the park it returns (goldiloop's
    /// facade passes loop-net's epoll Reactor). By default each loop parks
    /// its thread with a [`ThreadParker`](crate::ThreadParker).
    ///
    /// `make` returns an `io::Result` so that a park that needs fds can
    /// report the kernel's refusal: [`build`](LoopPoolBuilder::build) then
    /// returns that error.
    pub fn park<P, M>(mut self, make: M) -> LoopPoolBuilder
    where
        P: Park,
        M: Fn() -> io::Result<P> + Send + Sync + 'static,
    {
        self.make_loop = Arc::new(move || Ok(Loop::with_park(make()?)));
        self
    }

    /// Starts the threads, builds a loop on each and returns once every loop
    /// is ready to take tasks.
    ///
    /// # Errors
    ///
    /// The first error among: starting a thread, reading the affinity mask,
    /// pinning a thread, or making a park. Threads already started are
    /// stopped and joined before the error is returned.
    pub fn build(self) -> io::Result<LoopPool> {
        let n = self
            .loops
            .unwrap_or_else(|| thread::available_parallelism().map_or(1, |n| n.get()));
        let cpus = if self.pin {
            Some(affinity::allowed_cpus()?)
        } else {
            None
        };
        let mut pool = LoopPool {
            spawners: Vec::with_capacity(n),
            members: Vec::with_capacity(n),
        };
        let mut ready = Vec::with_capacity(n);
        for index in 0..n {
            let stop = Arc::new(Stop::default());
            let (tx, rx) = std::sync::mpsc::sync_channel(1);
            let cpu = cpus.as_ref().map(|cpus| cpus[index % cpus.len()]);
            let make_loop = self.make_loop.clone();
            let thread_stop = stop.clone();
            let thread = thread::Builder::new()
                .name(format!("{}-{index}", self.name))
                .spawn(move || pool_thread(cpu, &*make_loop, thread_stop, tx))?;
            pool.members.push(Member {
                stop,
                thread: Some(thread),
            });
            ready.push(rx);
        }
        for (index, rx) in ready.into_iter().enumerate() {
            match rx.recv() {
                Ok(Ok(spawner)) => pool.spawners.push(spawner),
                Ok(Err(e)) => return Err(e),
                Err(_) => {
                    return Err(io::Error::other(format!(
                        "goldiloop: loop {index} of the pool panicked while it was being set up"
                    )));
                }
            }
        }
        Ok(pool)
    }
}

impl fmt::Debug for LoopPoolBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoopPoolBuilder")
            .field("loops", &self.loops)
            .field("pin", &self.pin)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// The body of a pool thread: pin, build the loop, report its spawner (or
/// the error), run until stopped, then drop the loop here.
fn pool_thread(
    cpu: Option<usize>,
    make_loop: &(dyn Fn() -> io::Result<Loop> + Send + Sync),
    stop: Arc<Stop>,
    ready: std::sync::mpsc::SyncSender<io::Result<Spawner>>,
) {
    let setup = cpu
        .map_or(Ok(()), affinity::pin_current_thread)
        .and_then(|()| make_loop());
    let lp = match setup {
        Ok(lp) => lp,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    if ready.send(Ok(lp.spawner())).is_err() {
        return;
    }
    drop(ready);
    lp.run_task(StopSignal(stop));
    drop(lp);
}

/// The flag that tells a pool thread to stop, with the waker of its
/// [`StopSignal`].
#[derive(Default)]
struct Stop {
    stopped: AtomicBool,
    waker: Mutex<Option<Waker>>,
}

impl Stop {
    /// Sets the flag, then wakes the signal. The signal checks the flag under
    /// the same lock it stores its waker under, so either it sees the flag or
    /// its waker is here to be woken.
    fn signal(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        let waker = self.waker.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// Ready once the pool has stopped this thread's loop.
struct StopSignal(Arc<Stop>);

impl Future for StopSignal {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut slot = self.0.waker.lock().unwrap_or_else(|e| e.into_inner());
        if self.0.stopped.load(Ordering::SeqCst) {
            return Poll::Ready(());
        }
        if !slot.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
            *slot = Some(cx.waker().clone());
        }
        Poll::Pending
    }
}

/// Waits for every handle; after the first panic, aborts the others (so a
/// body that would run forever does not keep `run` waiting).
async fn wait_all<T>(handles: Vec<JoinHandle<T>>) -> Vec<Result<T, JoinError>> {
    // Boxed: a `JoinHandle<T>` is `Unpin` only when `T` is.
    let mut handles: Vec<Option<Pin<Box<JoinHandle<T>>>>> =
        handles.into_iter().map(|h| Some(Box::pin(h))).collect();
    let mut results: Vec<Option<Result<T, JoinError>>> = handles.iter().map(|_| None).collect();
    let mut aborted = false;
    poll_fn(|cx| {
        let mut pending = false;
        for index in 0..handles.len() {
            let Some(handle) = &mut handles[index] else {
                continue;
            };
            let Poll::Ready(outcome) = handle.as_mut().poll(cx) else {
                pending = true;
                continue;
            };
            handles[index] = None;
            if !aborted && outcome.as_ref().is_err_and(JoinError::is_panic) {
                aborted = true;
                for other in handles.iter().flatten() {
                    other.abort();
                }
            }
            results[index] = Some(outcome);
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    results
        .into_iter()
        .map(|result| result.expect("every handle was waited for"))
        .collect()
}

/// The message of a body's panic, if it was a string.
fn panic_text(error: JoinError) -> String {
    let payload = error.into_panic();
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic without a message".to_owned()
    }
}
