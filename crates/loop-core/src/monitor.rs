//! How another thread looks inside a loop:
//! [`Spawner::snapshot`](crate::Spawner::snapshot), answered by the loop
//! between polls, and what
//! the asker learns without the loop's help when the loop is stuck in one.
//!
//! # The running slot
//!
//! Before every poll of a task the loop publishes, with plain stores to a
//! cache line of its own (no other thread writes it), the task's id and
//! spawn site; it stores the id 0 when it turns to something else than
//! polling tasks (its `tick`, the main future, shutdown). A loop that times
//! polls also publishes when the poll began. A watchdog reads these without any help
//! from the loop, so a loop blocked inside one poll is reported as such:
//! which task, spawned where, for how long.
//!
//! # The request
//!
//! The asker bumps `asked` under the mutex, raises `wanted` and unparks the
//! loop; the loop looks at `wanted` each time it looks at its remote queue
//! (after a park, and every `EVENT_INTERVAL` polls), builds the snapshot on
//! its thread, stores it with `answered = asked`, and notifies the condvar.
//! The asker waits on the condvar until its ticket is answered, the loop
//! closes, or its timeout passes; then it reads the running slot.

use std::fmt;
use std::panic::Location;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::dump::TaskDump;
use crate::stats::LoopStats;
use crate::task_id::TaskId;

/// A loop's state as seen at one moment between two polls: its counters and
/// its live tasks. [`Spawner::snapshot`](crate::Spawner::snapshot) gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Snapshot {
    /// The loop's counters.
    pub stats: LoopStats,
    /// Its live tasks.
    pub tasks: TaskDump,
}

/// The task a loop was polling when it did not answer a snapshot in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct StuckTask {
    /// The task being polled.
    pub id: TaskId,
    /// Where it was spawned.
    pub spawn_site: &'static Location<'static>,
    /// How long the poll has run: exact when the loop times polls
    /// (`exact` is then true), otherwise a lower bound, the time the asker
    /// saw this same task in the running slot.
    pub running_for: Duration,
    /// True if `running_for` was measured from the poll's start.
    pub exact: bool,
}

impl fmt::Display for StuckTask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at_least = if self.exact { "" } else { "at least " };
        write!(
            f,
            "task {} (spawned at {}) has been in one poll for {at_least}{:.1?}",
            self.id, self.spawn_site, self.running_for
        )
    }
}

/// Why [`Spawner::snapshot`](crate::Spawner::snapshot) gave no snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SnapshotError {
    /// The loop is inside one poll of a task and did not come back in time:
    /// a blocking call or a long computation in that task.
    Stuck(StuckTask),
    /// The loop did not answer in time, and it is not polling a task: it is
    /// not running (no `run`/`run_task` in progress), or it is busy in the
    /// future given to `run_task` or in an event source.
    NoAnswer,
    /// The loop has been dropped.
    Closed,
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SnapshotError::Stuck(stuck) => write!(f, "the loop is stuck: {stuck}"),
            SnapshotError::NoAnswer => f.write_str(
                "the loop did not answer: it is not running, or is busy outside its tasks",
            ),
            SnapshotError::Closed => f.write_str("the loop has been dropped"),
        }
    }
}

impl std::error::Error for SnapshotError {}

/// The part of `Shared` a watchdog uses (module docs).
#[repr(align(128))]
pub(crate) struct Monitor {
    /// The id of the task being polled, 0 between polls.
    running: AtomicU64,
    /// Its spawn site (a `&'static Location`), valid while `running` is not 0.
    running_site: AtomicUsize,
    /// When its poll began, in nanoseconds after `epoch` plus one; 0 when
    /// the loop does not time polls.
    running_since: AtomicU64,
    epoch: Instant,
    /// A snapshot was asked for and not answered yet.
    wanted: AtomicBool,
    reply: Mutex<Reply>,
    answered: Condvar,
}

#[derive(Default)]
struct Reply {
    asked: u64,
    answered: u64,
    closed: bool,
    /// Askers waiting now: the last one to leave takes the answer out, so a
    /// snapshot of many tasks is not kept alive between questions.
    waiting: usize,
    answer: Option<Snapshot>,
}

impl Monitor {
    pub(crate) fn new() -> Monitor {
        Monitor {
            running: AtomicU64::new(0),
            running_site: AtomicUsize::new(0),
            running_since: AtomicU64::new(0),
            epoch: Instant::now(),
            wanted: AtomicBool::new(false),
            reply: Mutex::new(Reply::default()),
            answered: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Reply> {
        self.reply.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The loop starts polling a task.
    #[inline]
    pub(crate) fn enter(&self, id: TaskId, site: &'static Location<'static>) {
        self.running_site
            .store(site as *const Location<'static> as usize, Ordering::Relaxed);
        // Release: an asker that reads this id (acquire) sees its site, and
        // the start time stored just before by `begin_timed`.
        self.running.store(id.as_u64(), Ordering::Release);
    }

    /// The loop times polls: the poll it is about to enter begins at `start`
    /// (called before [`enter`](Monitor::enter)).
    pub(crate) fn begin_timed(&self, start: Instant) {
        let nanos = start.saturating_duration_since(self.epoch).as_nanos() as u64;
        self.running_since.store(nanos + 1, Ordering::Relaxed);
    }

    /// The loop turns to something else than polling tasks.
    #[inline]
    pub(crate) fn leave(&self) {
        self.running.store(0, Ordering::Relaxed);
    }

    /// The task being polled on the loop's thread (read there by `task_id`).
    #[inline]
    pub(crate) fn running(&self) -> Option<TaskId> {
        TaskId::from_u64(self.running.load(Ordering::Relaxed))
    }

    /// Whether a snapshot is wanted (the loop looks between polls).
    #[inline]
    pub(crate) fn is_wanted(&self) -> bool {
        self.wanted.load(Ordering::Relaxed)
    }

    /// The loop hands over the snapshot it built.
    pub(crate) fn answer(&self, snapshot: Snapshot) {
        self.wanted.store(false, Ordering::Relaxed);
        let mut reply = self.lock();
        reply.answered = reply.asked;
        reply.answer = Some(snapshot);
        drop(reply);
        self.answered.notify_all();
    }

    /// The loop is gone: wake every asker.
    pub(crate) fn close(&self) {
        self.lock().closed = true;
        self.answered.notify_all();
    }

    /// Asks for a snapshot (`unpark` wakes the loop) and waits up to `timeout`.
    pub(crate) fn ask(
        &self,
        timeout: Duration,
        unpark: impl FnOnce(),
    ) -> Result<Snapshot, SnapshotError> {
        let asked_at = Instant::now();
        let mut reply = self.lock();
        if reply.closed {
            return Err(SnapshotError::Closed);
        }
        reply.asked += 1;
        let ticket = reply.asked;
        let seen = self.running.load(Ordering::Acquire);
        self.wanted.store(true, Ordering::SeqCst);
        unpark();
        reply.waiting += 1;
        let (mut reply, _) = self
            .answered
            .wait_timeout_while(reply, timeout, |r| r.answered < ticket && !r.closed)
            .unwrap_or_else(PoisonError::into_inner);
        reply.waiting -= 1;
        let answer = if reply.waiting == 0 {
            reply.answer.take()
        } else {
            reply.answer.clone()
        };
        if reply.answered >= ticket
            && let Some(answer) = answer
        {
            return Ok(answer);
        }
        if reply.closed {
            return Err(SnapshotError::Closed);
        }
        drop(reply);
        let Some(id) = TaskId::from_u64(self.running.load(Ordering::Acquire)) else {
            return Err(SnapshotError::NoAnswer);
        };
        let site = self.running_site.load(Ordering::Relaxed);
        // SAFETY: the loop stores a `&'static Location` in `running_site`
        // before it publishes a non-zero `running` with release, which the
        // load above acquired: the word is a valid, never-freed location.
        let spawn_site = unsafe { &*(site as *const Location<'static>) };
        let since = self.running_since.load(Ordering::Relaxed);
        let (running_for, exact) = if since != 0 {
            let start = self.epoch + Duration::from_nanos(since - 1);
            (start.elapsed(), true)
        } else if seen == id.as_u64() {
            (asked_at.elapsed(), false)
        } else {
            (Duration::ZERO, false)
        };
        Err(SnapshotError::Stuck(StuckTask {
            id,
            spawn_site,
            running_for,
            exact,
        }))
    }
}
