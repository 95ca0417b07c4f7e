//! loop-core: goldiloop's executor, the talk's `Loop` with wakers instead of polling.
//!
//! A [`Loop`] holds a FIFO queue of tasks. [`Loop::add_task`] (or [`spawn`]
//! from inside a task) adds one and returns its [`JoinHandle`];
//! [`Loop::run_task`] runs the loop until one future completes;
//! [`Loop::run`] runs it until every task has ended; [`Loop::current`] finds the
//! running loop; [`interrupt`](fn@interrupt) gives control back to it. A task that is waiting
//! costs nothing: only its waker puts it back in the queue, and when nothing
//! is ready the thread sleeps in the loop's [`Park`].
//!
//! The extension points for the layers above: [`Park`] (loop-net's epoll
//! Reactor is one), [`Source`] (loop-time's timers are one), and the
//! cross-thread [`Spawner`].
//!
//! # Examples
//!
//! ```
//! use loop_core::{Loop, interrupt, spawn};
//!
//! let lp = Loop::new();
//! let total = lp.run_task(async {
//!     let a = spawn(async { interrupt().await; 1 });
//!     let b = spawn(async { 2 });
//!     a.await.unwrap() + b.await.unwrap()
//! });
//! assert_eq!(total, 3);
//! ```

#![doc(test(attr(deny(warnings))))]

pub mod blocking;
mod budget;
mod context;
mod event_loop;
mod handle;
mod interrupt;
mod join;
mod join_error;
#[cfg(all(test, loom))]
mod loom_tests;
mod loop_id;
mod messages;
mod park;
mod registry;
mod scheduler;
mod source;
mod state;
mod sync;
mod task;

pub use blocking::spawn_blocking;
pub use budget::{BUDGET, ConsumeBudget, consume_budget, has_budget_remaining, poll_budget};
pub use event_loop::Loop;
pub use handle::{Handle, Spawner, spawn};
pub use interrupt::{Interrupt, interrupt, yield_now};
pub use join::JoinHandle;
pub use join_error::JoinError;
pub use loop_id::LoopId;
pub use park::{Park, ThreadParker};
pub use scheduler::EVENT_INTERVAL;
pub use source::Source;
