//! goldiloop: an async runtime for Linux that is just right, grown from the
//! talk "Goldilocks and the three tasks".
//!
//! The talk builds an event loop on slides: a FIFO queue of tasks,
//! `add_task`/`run_task`/`run`, `Loop.current`, `interrupt()`. goldiloop keeps
//! the names and the shape, and replaces the talk's polling with wakers, so a
//! waiting task costs nothing and an idle loop sleeps.
//!
//! # Examples
//!
//! ```
//! use goldiloop::{Loop, interrupt, spawn};
//!
//! let lp = Loop::new();
//! let answer = lp.run_task(async {
//!     let other = spawn(async { interrupt().await; 40 });
//!     other.await.unwrap() + 2
//! });
//! assert_eq!(answer, 42);
//! ```

#![forbid(unsafe_code)]
#![doc(test(attr(deny(warnings))))]

#[doc(inline)]
pub use loop_core::{
    Handle, Interrupt, JoinError, JoinHandle, Loop, Park, Source, Spawner, ThreadParker, interrupt,
    spawn, yield_now,
};

/// The executor layer, whole.
pub use loop_core as core;

/// README's Rust samples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
