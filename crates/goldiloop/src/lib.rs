// The README is the front page on docs.rs, and its samples run as doctests;
// they use every feature, so with fewer (`--no-default-features`) a short page
// stands in for it.
#![cfg_attr(
    all(feature = "time", feature = "sync", feature = "net"),
    doc = include_str!("../README.md")
)]
#![cfg_attr(
    not(all(feature = "time", feature = "sync", feature = "net")),
    doc = "goldiloop: an async runtime for Linux, the facade over loop-core, loop-time, \
           loop-sync and loop-net. Its README, the full front page, is built with all \
           features on (the default)."
)]
#![forbid(unsafe_code)]
#![doc(test(attr(deny(warnings))))]

mod event_loop;
mod messages;
mod pool;
pub mod task;

pub use event_loop::{Loop, LoopBuilder, run};
pub use pool::{LoopPool, LoopPoolBuilder, run_per_core};

#[doc(inline)]
pub use loop_core::{
    AccessError, BUDGET, ConsumeBudget, Handle, Interrupt, JoinError, JoinHandle, JoinSet,
    LocalKey, LoopId, Park, Source, Spawner, ThreadParker, consume_budget, has_budget_remaining,
    interrupt, poll_budget, spawn, task_local, yield_now,
};

#[doc(inline)]
pub use loop_core::{
    LoopStats, SlowPoll, Snapshot, SnapshotError, StuckTask, TaskDump, TaskId, TaskInfo, TaskState,
};

/// Runs a blocking closure on the shared blocking pool (loop-core's).
#[doc(inline)]
pub use loop_core::spawn_blocking;

/// The executor layer, whole: loop-core.
pub use loop_core as core;

/// Timers, whole: loop-time (feature `time`).
#[cfg(feature = "time")]
pub use loop_time as time;

#[cfg(feature = "time")]
#[doc(inline)]
pub use loop_time::{
    Elapsed, Interval, Sleep, interval, interval_at, sleep, sleep_until, timeout, timeout_at,
};

/// Coordination primitives, whole: loop-sync (feature `sync`).
#[cfg(feature = "sync")]
pub use loop_sync as sync;

#[cfg(feature = "sync")]
#[doc(inline)]
pub use loop_sync::{Event, Semaphore, Waiter, channel, gather, try_gather};

/// The epoll Reactor and sockets, whole: loop-net (feature `net`).
#[cfg(feature = "net")]
pub use loop_net as net;

#[cfg(feature = "net")]
pub mod io;

/// Unix signals: `ctrl_c()`, `signal(kind)` (loop-net's; feature `net`).
#[cfg(feature = "net")]
pub use loop_net::signal;

/// Child processes: `Command`, `Child` (loop-net's; feature `net`).
#[cfg(feature = "net")]
pub use loop_net::process;

/// Files and directories on the blocking pool (loop-net's; feature `net`).
#[cfg(feature = "net")]
pub use loop_net::fs;

pub mod prelude;
