#![doc = include_str!("../README.md")]
#![doc(test(attr(deny(warnings))))]

mod affinity;

pub mod blocking;
mod budget;
mod builder;
mod context;
mod dump;
mod event_loop;
mod handle;
mod interrupt;
mod join;
mod join_error;
mod join_set;
#[cfg(all(test, loom))]
mod loom_tests;
mod loop_bound;
mod loop_id;
mod messages;
mod monitor;
mod park;
mod pool;
mod registry;
mod run_queue;
mod scheduler;
mod side_record;
mod slow_poll;
mod source;
mod state;
pub mod stats;
mod sync;
mod task;
mod task_id;
mod task_local;

pub use blocking::spawn_blocking;
pub use budget::{BUDGET, ConsumeBudget, consume_budget, has_budget_remaining, poll_budget};
pub use builder::{LoopBuilder, REPORT_LEAKS_ENV};
pub use dump::{TaskDump, TaskInfo, TaskState};
pub use event_loop::Loop;
pub use handle::{Handle, Spawner, spawn};
pub use interrupt::{Interrupt, interrupt, yield_now};
pub use join::JoinHandle;
pub use join_error::JoinError;
pub use join_set::{JoinNext, JoinSet};
pub use loop_bound::LoopBound;
pub use loop_id::LoopId;
pub use monitor::{Snapshot, SnapshotError, StuckTask};
pub use park::{Park, ThreadParker};
pub use pool::{LoopPool, LoopPoolBuilder};
pub use scheduler::EVENT_INTERVAL;
pub use slow_poll::{SLOW_POLL_ENV, SlowPoll};
pub use source::Source;
pub use stats::LoopStats;
pub use task_id::{TaskId, task_id};
pub use task_local::{AccessError, LocalKey, TaskLocalFuture};
