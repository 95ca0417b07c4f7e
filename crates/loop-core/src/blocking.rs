//! The blocking pool: [`spawn_blocking`] runs a closure that may block (a
//! file read, a host-name lookup, a database driver, a compressor) on a
//! thread of its own, and hands its result back through an ordinary
//! [`JoinHandle`].
//!
//! # Design
//!
//! - **One pool per process**, shared by every loop: a FIFO queue of jobs
//!   and a count of threads, behind one `Mutex`, with one `Condvar` that idle
//!   threads wait on. Threads start on demand: a job queued while no thread
//!   is idle starts a new one, unless the pool is at its cap
//!   ([`set_max_threads`], default [`DEFAULT_MAX_THREADS`], or the
//!   `GOLDILOOP_MAX_BLOCKING_THREADS` environment variable read at first
//!   use). At the cap, jobs wait in the queue: 10 000 jobs at once make
//!   16 threads if the cap is 16, never more.
//! - **Who takes a job.** A thread looks at the queue under the lock after
//!   each job, before going idle; a submitter that finds a thread idle
//!   claims it (`idle -= 1`, `wakeups += 1`) and signals the condvar. So a
//!   queued job always has a thread that will look at it: a busy one that
//!   has not yet looked, a claimed idle one, or a new one.
//! - **Idle threads exit** after [`DEFAULT_IDLE_TIMEOUT`] (10 s) without a
//!   job ([`set_idle_timeout`] changes it), so a process that stops calling
//!   blocking code stops holding threads.
//! - **The result comes back as a task.** [`spawn_blocking`] queues the job
//!   and adds an ordinary task to the loop whose future waits on a one-shot
//!   slot (a `Mutex` holding the result and the task's waker). The thread
//!   stores the result and wakes the task, which completes: the
//!   `JoinHandle` is the loop's own, so `abort`, `is_finished` and
//!   `JoinError` behave as for any task. A panic in the closure is caught on
//!   its thread and resumed inside the task's poll, where the loop catches
//!   it as it catches any task's: the handle's error says `is_panic()` and
//!   `into_panic()` gives the original payload. Nothing spins: the task
//!   waits on its waker, the threads on the condvar.
//! - **Cancellation.** A running closure cannot be stopped. Aborting the
//!   handle, or dropping the loop, drops the waiting task; the closure runs
//!   on to its end and its result is dropped. Dropping a loop does not wait
//!   for blocking work.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::{Duration, Instant};

use crate::event_loop::Loop;
use crate::join::JoinHandle;
use crate::messages;

/// The cap on blocking threads unless [`set_max_threads`] or the
/// `GOLDILOOP_MAX_BLOCKING_THREADS` environment variable says otherwise.
pub const DEFAULT_MAX_THREADS: usize = 512;

/// How long a blocking thread waits for a job before it exits, unless
/// [`set_idle_timeout`] says otherwise.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(10);

/// The environment variable read (once, at the pool's first use) for the
/// cap on blocking threads, when [`set_max_threads`] was not called first.
pub const MAX_THREADS_ENV: &str = "GOLDILOOP_MAX_BLOCKING_THREADS";

type Job = Box<dyn FnOnce() + Send>;

/// The process's pool; see the module docs.
static POOL: Pool = Pool {
    state: Mutex::new(State {
        queue: VecDeque::new(),
        threads: 0,
        idle: 0,
        wakeups: 0,
        max: 0,
        idle_timeout: DEFAULT_IDLE_TIMEOUT,
    }),
    work: Condvar::new(),
};

/// Pool threads alive now, kept outside the lock for [`thread_count`].
static THREADS: AtomicUsize = AtomicUsize::new(0);

struct Pool {
    state: Mutex<State>,
    /// Idle threads wait here for a claim or their idle timeout.
    work: Condvar,
}

struct State {
    queue: VecDeque<Job>,
    /// Threads alive (busy or idle).
    threads: usize,
    /// Threads waiting on the condvar and not yet claimed.
    idle: usize,
    /// Claims made by submitters, not yet taken by a waking thread.
    wakeups: usize,
    /// The cap; 0 until first set or first used.
    max: usize,
    idle_timeout: Duration,
}

impl State {
    fn max(&mut self) -> usize {
        if self.max == 0 {
            self.max = std::env::var(MAX_THREADS_ENV)
                .ok()
                .and_then(|v| v.trim().parse().ok())
                .filter(|&n| n > 0)
                .unwrap_or(DEFAULT_MAX_THREADS);
        }
        self.max
    }
}

fn lock() -> MutexGuard<'static, State> {
    // Jobs run outside the lock, so a poisoned lock held only our own
    // counters, each updated in one step.
    POOL.state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Sets the most threads the blocking pool runs at once (the default is
/// [`DEFAULT_MAX_THREADS`], 512). Jobs beyond it wait in a FIFO queue.
///
/// It may be called at any time; threads beyond a lowered cap finish their
/// job and then exit when they find no work within their idle timeout.
///
/// # Panics
///
/// If `n` is 0: the pool could never run anything.
///
/// # Examples
///
/// ```
/// loop_core::blocking::set_max_threads(64);
/// assert_eq!(loop_core::blocking::max_threads(), 64);
/// ```
#[track_caller]
pub fn set_max_threads(n: usize) {
    assert!(n > 0, "{}", messages::ZERO_BLOCKING_THREADS);
    lock().max = n;
}

/// The cap on the blocking pool's threads; see [`set_max_threads`].
///
/// # Examples
///
/// ```
/// assert!(loop_core::blocking::max_threads() > 0);
/// ```
pub fn max_threads() -> usize {
    lock().max()
}

/// Sets how long a blocking thread waits for a job before it exits (the
/// default is [`DEFAULT_IDLE_TIMEOUT`], 10 s). Idle threads apply it at
/// once, counting from when they became idle.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// loop_core::blocking::set_idle_timeout(Duration::from_secs(30));
/// ```
pub fn set_idle_timeout(timeout: Duration) {
    lock().idle_timeout = timeout;
    POOL.work.notify_all(); // idle threads measure their idleness against it
}

/// How many blocking threads are alive now, busy or idle.
///
/// # Examples
///
/// ```
/// assert!(loop_core::blocking::thread_count() <= loop_core::blocking::max_threads());
/// ```
pub fn thread_count() -> usize {
    THREADS.load(Ordering::Acquire)
}

/// Queues `job` and makes sure a thread will take it; see the module docs.
fn submit(job: Job) {
    let mut state = lock();
    state.queue.push_back(job);
    if state.idle > 0 {
        state.idle -= 1;
        state.wakeups += 1;
        drop(state);
        POOL.work.notify_one();
        return;
    }
    if state.threads >= state.max() {
        return; // every thread is busy; one takes the job when it is done
    }
    state.threads += 1;
    THREADS.fetch_add(1, Ordering::AcqRel);
    drop(state);
    let started = thread::Builder::new()
        .name("goldiloop-blocking".into())
        .spawn(worker);
    if let Err(err) = started {
        let mut state = lock();
        state.threads -= 1;
        THREADS.fetch_sub(1, Ordering::AcqRel);
        if state.threads == 0 {
            // No thread will ever take the queue: drop its jobs, whose
            // tasks then fail naming the cause (see `Sender::drop`).
            let jobs = std::mem::take(&mut state.queue);
            drop(state);
            *lock_start_error() = Some(err.to_string());
            drop(jobs);
        }
    }
}

/// The last error from starting a blocking thread, for the failure message.
fn lock_start_error() -> MutexGuard<'static, Option<String>> {
    static START_ERROR: Mutex<Option<String>> = Mutex::new(None);
    START_ERROR.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A pool thread: runs queued jobs, waits idle for more, exits after its
/// idle timeout.
fn worker() {
    let mut state = lock();
    'work: loop {
        if let Some(job) = state.queue.pop_front() {
            drop(state);
            job(); // the job catches its closure's panic (see `spawn_job`)
            state = lock();
            continue;
        }
        state.idle += 1;
        let idle_since = Instant::now();
        loop {
            // Read each time: `set_idle_timeout` wakes idle threads to see
            // a new timeout.
            let deadline = idle_since + state.idle_timeout;
            let timeout = deadline.saturating_duration_since(Instant::now());
            state = POOL
                .work
                .wait_timeout(state, timeout)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            if state.wakeups > 0 {
                state.wakeups -= 1; // claimed: the submitter took us off `idle`
                continue 'work;
            }
            if Instant::now() >= deadline {
                state.idle -= 1;
                state.threads -= 1;
                THREADS.fetch_sub(1, Ordering::AcqRel);
                return;
            }
        }
    }
}

/// Where a blocking job leaves its result for the waiting task.
struct Slot<T> {
    inner: Mutex<SlotState<T>>,
}

struct SlotState<T> {
    outcome: Option<Outcome<T>>,
    waker: Option<Waker>,
}

enum Outcome<T> {
    Done(thread::Result<T>),
    /// The job was dropped without running (no thread could be started).
    Dropped,
}

impl<T> Slot<T> {
    fn lock(&self) -> MutexGuard<'_, SlotState<T>> {
        // The lock is held only to move a value in or out.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn complete(&self, outcome: Outcome<T>) {
        let waker = {
            let mut state = self.lock();
            if state.outcome.is_none() {
                state.outcome = Some(outcome);
            }
            state.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// The job's end of the slot: answers `Dropped` if the job is dropped
/// without running, so the task never waits forever.
struct Sender<T>(Option<Arc<Slot<T>>>);

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if let Some(slot) = self.0.take() {
            slot.complete(Outcome::Dropped);
        }
    }
}

/// The future of the task that waits for a blocking job's result.
struct Receiver<T> {
    slot: Arc<Slot<T>>,
}

impl<T> Future for Receiver<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut state = self.slot.lock();
        match state.outcome.take() {
            Some(Outcome::Done(Ok(value))) => Poll::Ready(value),
            Some(Outcome::Done(Err(payload))) => {
                drop(state);
                // The loop catches this as the task's panic: its JoinError
                // carries the closure's own payload.
                panic::resume_unwind(payload)
            }
            Some(Outcome::Dropped) => {
                drop(state);
                let cause = lock_start_error().clone().unwrap_or_default();
                panic!("{} ({cause})", messages::BLOCKING_THREAD_START)
            }
            None => {
                match &state.waker {
                    Some(waker) if waker.will_wake(cx.waker()) => {}
                    _ => state.waker = Some(cx.waker().clone()),
                }
                Poll::Pending
            }
        }
    }
}

/// Queues `f` on the pool and returns the future that waits for its result.
pub(crate) fn spawn_job<F, T>(f: F) -> impl Future<Output = T> + Send + 'static
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let slot = Arc::new(Slot {
        inner: Mutex::new(SlotState {
            outcome: None,
            waker: None,
        }),
    });
    let mut sender = Sender(Some(slot.clone()));
    submit(Box::new(move || {
        let result = panic::catch_unwind(AssertUnwindSafe(f));
        if let Some(slot) = sender.0.take() {
            slot.complete(Outcome::Done(result));
        }
    }));
    Receiver { slot }
}

/// Runs `f` on the blocking pool with nothing waiting for its end: for
/// clean-up work that must happen even where no loop runs (loop-net reaps
/// a dropped child process this way). A panic in `f` is caught and
/// dropped (the panic hook has reported it).
///
/// # Examples
///
/// ```
/// let (tx, rx) = std::sync::mpsc::channel();
/// loop_core::blocking::spawn_detached(move || tx.send("done").unwrap());
/// assert_eq!(rx.recv().unwrap(), "done");
/// ```
pub fn spawn_detached(f: impl FnOnce() + Send + 'static) {
    submit(Box::new(move || {
        let _ = panic::catch_unwind(AssertUnwindSafe(f));
    }));
}

/// Runs `f` on the blocking pool and returns a [`JoinHandle`] for its
/// result, added as a task to the loop running on this thread.
///
/// Use it for code that blocks the thread (file system calls, a blocking
/// client library, heavy computation): the loop keeps running its other
/// tasks meanwhile. The pool starts threads on demand, up to
/// [`max_threads`] (512 by default); beyond that, jobs wait their turn in
/// FIFO order. Threads exit after 10 s without work.
///
/// A panic in `f` is caught: awaiting the handle gives a `JoinError` whose
/// `is_panic()` is true, and `into_panic()` gives the payload.
///
/// # Cancellation
///
/// A running closure cannot be stopped: aborting the handle or dropping the
/// loop (which does not wait for blocking work) only stops waiting for it;
/// `f` runs to its end and its result is dropped.
///
/// # Panics
///
/// Outside a running loop; use [`Spawner::spawn_blocking`](crate::Spawner::spawn_blocking)
/// from other threads.
///
/// # Examples
///
/// ```
/// use loop_core::{Loop, spawn_blocking};
///
/// let lp = Loop::new();
/// let sum = lp.run_task(async {
///     spawn_blocking(|| (1..=100u64).sum::<u64>()).await.unwrap()
/// });
/// assert_eq!(sum, 5050);
/// ```
#[doc(alias = "unblock")]
#[track_caller]
pub fn spawn_blocking<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    Loop::current().spawn_blocking(f)
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").finish_non_exhaustive()
    }
}
