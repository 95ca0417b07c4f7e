//! The loop's counters, always on, and [`LoopStats`], the snapshot of them
//! that [`Loop::stats`](crate::Loop::stats) returns.
//!
//! Every counter is a plain `Cell` of the loop's `Core`, bumped on the loop's
//! thread where the event happens (a spawn, a remote entry, a park): no
//! atomics, no clock reads on the hot path. Polls are not bumped at all: the
//! run queue already counts the entries it gives out, and every entry is a
//! poll except the few counted in `not_polls`. Time is read only around a
//! park that may block (which costs a system call anyway), and per poll only
//! when the loop times polls (`LoopBuilder::time_polls` / `slow_poll`).
//!
//! Upper layers report what they dispatch through [`count_io_events`],
//! [`count_timer_armed`] and [`count_timers_fired`], which bump the counters
//! of the loop running on the calling thread.

use std::cell::Cell;
use std::fmt;
use std::time::{Duration, Instant};

use crate::context;

/// The counters of one loop (`scheduler.rs` bumps them).
pub(crate) struct Counters {
    pub(crate) spawned: Cell<u64>,
    pub(crate) returned: Cell<u64>,
    pub(crate) panicked: Cell<u64>,
    pub(crate) cancelled: Cell<u64>,
    /// Run-queue entries that were not task polls: the turns of the future
    /// given to `run_task`, and entries dropped at shutdown. Task polls are
    /// the queue's pops minus these (`snapshot`), so a poll costs no store
    /// of its own.
    pub(crate) not_polls: Cell<u64>,
    pub(crate) slow_polls: Cell<u64>,
    pub(crate) max_queue: Cell<usize>,
    pub(crate) remote_wakes: Cell<u64>,
    pub(crate) remote_spawns: Cell<u64>,
    pub(crate) parks: Cell<u64>,
    pub(crate) parked: Cell<Duration>,
    pub(crate) io_events: Cell<u64>,
    pub(crate) timers_armed: Cell<u64>,
    pub(crate) timers_fired: Cell<u64>,
    pub(crate) created: Instant,
}

impl Counters {
    pub(crate) fn new() -> Counters {
        Counters {
            spawned: Cell::new(0),
            returned: Cell::new(0),
            panicked: Cell::new(0),
            cancelled: Cell::new(0),
            not_polls: Cell::new(0),
            slow_polls: Cell::new(0),
            max_queue: Cell::new(0),
            remote_wakes: Cell::new(0),
            remote_spawns: Cell::new(0),
            parks: Cell::new(0),
            parked: Cell::new(Duration::ZERO),
            io_events: Cell::new(0),
            timers_armed: Cell::new(0),
            timers_fired: Cell::new(0),
            created: Instant::now(),
        }
    }

    #[inline]
    pub(crate) fn bump(cell: &Cell<u64>) {
        cell.set(cell.get() + 1);
    }

    /// Records the run queue's length after a push.
    #[inline]
    pub(crate) fn queue_len(&self, len: usize) {
        if len > self.max_queue.get() {
            self.max_queue.set(len);
        }
    }

    /// The snapshot, given what the registry and queue hold now, and how
    /// many entries the queue has given out.
    pub(crate) fn snapshot(&self, tasks_alive: usize, queue_depth: usize, pops: u64) -> LoopStats {
        let age = self.created.elapsed();
        LoopStats {
            tasks_alive,
            tasks_spawned: self.spawned.get(),
            tasks_returned: self.returned.get(),
            tasks_panicked: self.panicked.get(),
            tasks_cancelled: self.cancelled.get(),
            polls: pops - self.not_polls.get(),
            slow_polls: self.slow_polls.get(),
            queue_depth,
            max_queue_depth: self.max_queue.get(),
            remote_wakes: self.remote_wakes.get(),
            remote_spawns: self.remote_spawns.get(),
            parks: self.parks.get(),
            time_parked: self.parked.get(),
            time_awake: age.saturating_sub(self.parked.get()),
            io_events: self.io_events.get(),
            timers_armed: self.timers_armed.get(),
            timers_fired: self.timers_fired.get(),
        }
    }
}

/// What a loop has done since it was made: a snapshot of its counters.
///
/// The counters are always on (they are plain fields bumped on the loop's
/// thread). [`Loop::stats`](crate::Loop::stats) and
/// [`Handle::stats`](crate::Handle::stats) read them on the loop's thread;
/// [`Spawner::snapshot`](crate::Spawner::snapshot) asks the loop for them
/// from another thread. It prints as one line.
///
/// # Examples
///
/// ```
/// use loop_core::{Loop, interrupt};
///
/// let lp = Loop::new();
/// for _ in 0..3 {
///     drop(lp.add_task(async { interrupt().await }));
/// }
/// lp.run();
/// let stats = lp.stats();
/// assert_eq!(stats.tasks_spawned, 3);
/// assert_eq!(stats.tasks_returned, 3);
/// assert_eq!(stats.polls, 6, "each task: a first poll, then one after its interrupt");
/// println!("{stats}");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoopStats {
    /// Tasks added and not ended yet (the same as `Loop::task_count`).
    pub tasks_alive: usize,
    /// Tasks added to the loop, from its thread or through a `Spawner`
    /// (counted when the loop takes them in).
    pub tasks_spawned: u64,
    /// Tasks whose future returned its output.
    pub tasks_returned: u64,
    /// Tasks whose future panicked.
    pub tasks_panicked: u64,
    /// Tasks aborted before they ended, or dropped with the loop.
    pub tasks_cancelled: u64,
    /// Polls of tasks' futures (the future given to `run_task` is not a task
    /// and is not counted).
    pub polls: u64,
    /// Polls longer than the slow-poll threshold (0 unless one is set:
    /// see `LoopBuilder::slow_poll`).
    pub slow_polls: u64,
    /// Entries in the run queue now.
    pub queue_depth: usize,
    /// The most entries the run queue has held.
    pub max_queue_depth: usize,
    /// Wakes that came from other threads (or from this thread while the loop
    /// was not running) through the remote queue.
    pub remote_wakes: u64,
    /// Tasks added through a `Spawner`.
    pub remote_spawns: u64,
    /// Times the loop had nothing to run and waited in its park.
    pub parks: u64,
    /// Time spent waiting in the park.
    pub time_parked: Duration,
    /// Time since the loop was made, minus `time_parked`: running tasks, or
    /// not running at all (a loop between `run_task` calls counts as awake).
    pub time_awake: Duration,
    /// I/O readiness events the Reactor dispatched (0 without a Reactor).
    pub io_events: u64,
    /// Timers armed (0 without timers).
    pub timers_armed: u64,
    /// Timers that fired.
    pub timers_fired: u64,
}

impl fmt::Display for LoopStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "tasks {} alive, {} spawned ({} remote), {} returned, {} panicked, {} cancelled; \
             {} polls ({} slow); queue {} (max {}); {} remote wakes; \
             {} parks, parked {:.3?}, awake {:.3?}; {} io events; timers {} armed, {} fired",
            self.tasks_alive,
            self.tasks_spawned,
            self.remote_spawns,
            self.tasks_returned,
            self.tasks_panicked,
            self.tasks_cancelled,
            self.polls,
            self.slow_polls,
            self.queue_depth,
            self.max_queue_depth,
            self.remote_wakes,
            self.parks,
            self.time_parked,
            self.time_awake,
            self.io_events,
            self.timers_armed,
            self.timers_fired,
        )
    }
}

/// Adds `n` to the I/O events counter of the loop running on this thread
/// (nothing outside a loop): the hook a Reactor calls once per dispatch batch.
///
/// # Examples
///
/// ```
/// use loop_core::{Loop, stats::count_io_events};
///
/// let lp = Loop::new();
/// lp.run_task(async { count_io_events(3) });
/// assert_eq!(lp.stats().io_events, 3);
/// ```
pub fn count_io_events(n: usize) {
    context::with_current(|core| {
        if let Some(core) = core {
            let c = &core.counters.io_events;
            c.set(c.get() + n as u64);
        }
    });
}

/// Counts one timer armed on the loop running on this thread (nothing
/// outside a loop): the hook a timer store calls when it arms one.
///
/// # Examples
///
/// ```
/// use loop_core::{Loop, stats::count_timer_armed};
///
/// let lp = Loop::new();
/// lp.run_task(async { count_timer_armed() });
/// assert_eq!(lp.stats().timers_armed, 1);
/// ```
pub fn count_timer_armed() {
    context::with_current(|core| {
        if let Some(core) = core {
            Counters::bump(&core.counters.timers_armed);
        }
    });
}

/// Adds `n` to the fired-timers counter of the loop running on this thread
/// (nothing outside a loop): the hook a timer store calls after it fires a batch.
///
/// # Examples
///
/// ```
/// use loop_core::{Loop, stats::count_timers_fired};
///
/// let lp = Loop::new();
/// lp.run_task(async { count_timers_fired(2) });
/// assert_eq!(lp.stats().timers_fired, 2);
/// ```
pub fn count_timers_fired(n: usize) {
    context::with_current(|core| {
        if let Some(core) = core {
            let c = &core.counters.timers_fired;
            c.set(c.get() + n as u64);
        }
    });
}
