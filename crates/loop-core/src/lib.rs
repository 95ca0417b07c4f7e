#![doc = include_str!("../README.md")]
#![doc(test(attr(deny(warnings))))]

mod affinity;

pub mod blocking;
mod budget;
mod context;
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
mod park;
mod pool;
mod registry;
mod scheduler;
mod source;
mod state;
mod sync;
mod task;
mod task_local;

pub use blocking::spawn_blocking;
pub use budget::{BUDGET, ConsumeBudget, consume_budget, has_budget_remaining, poll_budget};
pub use event_loop::Loop;
pub use handle::{Handle, Spawner, spawn};
pub use interrupt::{Interrupt, interrupt, yield_now};
pub use join::JoinHandle;
pub use join_error::JoinError;
pub use join_set::{JoinNext, JoinSet};
pub use loop_bound::LoopBound;
pub use loop_id::LoopId;
pub use park::{Park, ThreadParker};
pub use pool::{LoopPool, LoopPoolBuilder};
pub use scheduler::EVENT_INTERVAL;
pub use source::Source;
pub use task_local::{AccessError, LocalKey, TaskLocalFuture};
