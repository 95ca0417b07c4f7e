//! [`TaskInfo`] and [`TaskDump`]: what `Loop::dump` says about each live task.

use std::fmt;
use std::ops::Deref;
use std::panic::Location;
use std::time::{Duration, Instant};

use crate::side_record::Timing;
use crate::state::{RUNNING, SCHEDULED};
use crate::task::Header;
use crate::task_id::TaskId;

/// Where a live task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskState {
    /// In the run queue, waiting for its turn.
    Queued,
    /// Being polled now (a dump taken on the loop's thread shows the task
    /// that asked for it as running).
    Running,
    /// Waiting for a wake; `for_` says since when if the loop times polls.
    Waiting {
        /// Time since its last poll ended (`None` unless the loop times polls).
        for_: Option<Duration>,
    },
}

/// A live task, as [`Loop::dump`](crate::Loop::dump) sees it.
///
/// Identity and state are always there; the timings (`age`, `polls`,
/// `busy`, `longest_poll`, and how long a waiting task has waited) are
/// recorded only by a loop that times polls
/// ([`LoopBuilder::time_polls`](crate::LoopBuilder::time_polls)), and are
/// `None` otherwise. It prints as one row of the dump's table.
///
/// # Examples
///
/// ```
/// use loop_core::{Loop, TaskState};
///
/// let lp = Loop::builder().time_polls(true).build();
/// let line = line!() + 1;
/// let handle = lp.add_task_named("idle", std::future::pending::<()>());
/// lp.run_task(async {});
/// let dump = lp.dump();
/// let info = &dump[0];
/// assert_eq!(info.id, handle.id());
/// assert_eq!(info.name.as_deref(), Some("idle"));
/// assert_eq!((info.spawn_site.file(), info.spawn_site.line()), (file!(), line));
/// assert!(matches!(info.state, TaskState::Waiting { for_: Some(_) }));
/// assert_eq!(info.polls, Some(1));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TaskInfo {
    /// The task's id.
    pub id: TaskId,
    /// The name given at spawn, if any.
    pub name: Option<String>,
    /// Where it was spawned: the user's call of `add_task`, `spawn`,
    /// `Spawner::add_task`, `JoinSet::spawn` or their kin.
    pub spawn_site: &'static Location<'static>,
    /// Queued, running or waiting.
    pub state: TaskState,
    /// Time since the loop took the task in.
    pub age: Option<Duration>,
    /// Times its future was polled.
    pub polls: Option<u64>,
    /// Time spent in its polls, in all.
    pub busy: Option<Duration>,
    /// Its longest poll.
    pub longest_poll: Option<Duration>,
}

impl TaskInfo {
    /// What `header` says, read on the loop's thread at `now` (the clock is
    /// read once per dump, and only when the loop times polls).
    pub(crate) fn of(header: &Header, now: Option<Instant>) -> TaskInfo {
        let record = header.meta.get();
        let timing: Option<&Timing> = record
            .and_then(|r| r.timing.get())
            .map(|t| &**t)
            .filter(|t| now.is_some() && t.since.get().is_some());
        let state = header.state.load();
        let state = if state & RUNNING != 0 {
            TaskState::Running
        } else if state & SCHEDULED != 0 {
            TaskState::Queued
        } else {
            let for_ = now.zip(timing.and_then(|t| t.last_end.get().or(t.since.get())));
            TaskState::Waiting {
                for_: for_.map(|(now, at)| now.saturating_duration_since(at)),
            }
        };
        TaskInfo {
            id: header.id,
            name: record.and_then(|r| r.name.as_deref()).map(String::from),
            spawn_site: header.meta.spawn_site(),
            state,
            age: now
                .zip(timing.and_then(|t| t.since.get()))
                .map(|(now, at)| now.saturating_duration_since(at)),
            polls: timing.map(|t| t.polls.get()),
            busy: timing.map(|t| t.busy.get()),
            longest_poll: timing.map(|t| t.longest.get()),
        }
    }
}

/// Writes an optional duration in a table cell.
fn cell(d: Option<Duration>) -> String {
    d.map_or_else(|| "-".to_string(), |d| format!("{d:.1?}"))
}

impl fmt::Display for TaskInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            TaskState::Queued => "queued".to_string(),
            TaskState::Running => "running".to_string(),
            TaskState::Waiting { for_: None } => "waiting".to_string(),
            TaskState::Waiting { for_: Some(d) } => format!("waiting {d:.1?}"),
        };
        write!(
            f,
            "{:>6}  {:<16}  {:<16}  {:>8}  {:>6}  {:>9}  {:>9}  {}",
            self.id,
            self.name.as_deref().unwrap_or("-"),
            state,
            cell(self.age),
            self.polls
                .map_or_else(|| "-".to_string(), |p| p.to_string()),
            cell(self.busy),
            cell(self.longest_poll),
            self.spawn_site,
        )
    }
}

/// The live tasks of a loop, in registry order; it prints as a table.
///
/// It dereferences to `Vec<TaskInfo>`; [`into_vec`](TaskDump::into_vec)
/// takes the vector.
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
///
/// let lp = Loop::new();
/// let _handle = lp.add_task(std::future::pending::<()>());
/// let dump = lp.dump();
/// assert_eq!(dump.len(), 1);
/// print!("{dump}");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TaskDump(Vec<TaskInfo>);

impl TaskDump {
    pub(crate) fn new(tasks: Vec<TaskInfo>) -> TaskDump {
        TaskDump(tasks)
    }

    /// The tasks, as a vector.
    pub fn into_vec(self) -> Vec<TaskInfo> {
        self.0
    }
}

impl From<Vec<TaskInfo>> for TaskDump {
    /// A dump of chosen tasks (sorted, filtered), to print as a table.
    fn from(tasks: Vec<TaskInfo>) -> TaskDump {
        TaskDump(tasks)
    }
}

impl Deref for TaskDump {
    type Target = Vec<TaskInfo>;

    fn deref(&self) -> &Vec<TaskInfo> {
        &self.0
    }
}

impl IntoIterator for TaskDump {
    type Item = TaskInfo;
    type IntoIter = std::vec::IntoIter<TaskInfo>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl fmt::Display for TaskDump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:>6}  {:<16}  {:<16}  {:>8}  {:>6}  {:>9}  {:>9}  spawned at",
            "id", "name", "state", "age", "polls", "busy", "longest"
        )?;
        for task in &self.0 {
            writeln!(f, "{task}")?;
        }
        Ok(())
    }
}
