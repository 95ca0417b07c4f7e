//! goldiloop: an async runtime for Linux that is just right, grown from the
//! talk "Goldilocks and the three tasks".
//!
//! The talk builds an event loop on slides: a FIFO queue of tasks,
//! `add_task`/`run_task`/`run`, `Loop.current`, `interrupt()`, `sleep`, a
//! `Waiter`, `gather` and an `AioSocket` over `epoll`. goldiloop keeps the
//! names and the shape, and replaces the talk's polling with wakers, a timer
//! wheel and an epoll reactor, so a waiting task costs nothing and an idle
//! loop sleeps.
//!
//! This crate is the facade: it re-exports the four layers under one roof.
//!
//! | layer | module | cargo feature | at the root |
//! |---|---|---|---|
//! | loop-core: the loop and its tasks | [`core`] | always | [`Loop`], [`Handle`], [`Spawner`], [`JoinHandle`], [`JoinError`], [`LoopId`], [`spawn`], [`interrupt`], [`yield_now`], [`run`]; the cooperative budget: [`poll_budget`], [`consume_budget`], [`has_budget_remaining`], [`BUDGET`] |
//! | loop-time: timers | `time` | `time` | `sleep`, `sleep_until`, `timeout`, `timeout_at`, `interval` |
//! | loop-sync: coordination | `sync` | `sync` | `Waiter`, `gather`, `gather!`, `try_gather`, `Event`, `Semaphore`, `channel` |
//! | loop-net: epoll and sockets | `net` | `net` | (use `goldiloop::net::...`) |
//!
//! All three features are on by default. With `net` on, [`Loop::new`] parks in
//! the epoll Reactor, so sockets work on it; without it the loop parks its
//! thread, and timers still work.
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
//!
//! [`run`] is `asyncio.run`: a fresh loop, for one future.
//!
//! # Names
//!
//! The talk's names are the API, and the names other runtimes use are
//! `#[doc(alias)]`es on them: searching these docs for `block_on`, `join_all`
//! or `CountDownLatch` finds [`Loop::run_task`], `gather` and `Waiter`. Two
//! Rust names are also functions, because ported code calls them: [`spawn`],
//! the same as `Loop::current().add_task(f)`, and [`yield_now`], the same as
//! [`interrupt()`]. A future type is named after the function that returns
//! it, in UpperCamelCase: `sleep` gives `Sleep`, `interrupt` gives
//! [`Interrupt`], `consume_budget` gives [`ConsumeBudget`].
//!
//! ```
//! # #[cfg(all(feature = "time", feature = "sync"))] {
//! use std::time::Duration;
//!
//! let (a, b) = goldiloop::run(async {
//!     goldiloop::gather!(
//!         async { goldiloop::sleep(Duration::from_millis(2)).await; "slept" },
//!         async { goldiloop::interrupt().await; "yielded" },
//!     )
//!     .await
//! });
//! assert_eq!((a, b), ("slept", "yielded"));
//! # }
//! ```

#![forbid(unsafe_code)]
#![doc(test(attr(deny(warnings))))]

mod event_loop;
mod messages;

pub use event_loop::{Loop, run};

#[doc(inline)]
pub use loop_core::{
    BUDGET, ConsumeBudget, Handle, Interrupt, JoinError, JoinHandle, LoopId, Park, Source, Spawner,
    ThreadParker, consume_budget, has_budget_remaining, interrupt, poll_budget, spawn, yield_now,
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

/// Unix signals: `ctrl_c()`, `signal(kind)` (loop-net's; feature `net`).
#[cfg(feature = "net")]
pub use loop_net::signal;

/// Child processes: `Command`, `Child` (loop-net's; feature `net`).
#[cfg(feature = "net")]
pub use loop_net::process;

/// Files and directories on the blocking pool (loop-net's; feature `net`).
#[cfg(feature = "net")]
pub use loop_net::fs;

/// The async read and write traits the stream sockets implement, and their
/// helpers (futures-io's, re-exported from futures-util; feature `net`).
///
/// ```
/// use goldiloop::io::{AsyncReadExt, AsyncWriteExt};
/// use goldiloop::net::UnixStream;
///
/// let got = goldiloop::run(async {
///     let (mut a, mut b) = UnixStream::pair()?;
///     a.write_all(b"ping").await?;
///     let mut buf = [0; 4];
///     b.read_exact(&mut buf).await?;
///     Ok::<_, std::io::Error>(buf)
/// })?;
/// assert_eq!(&got, b"ping");
/// # Ok::<(), std::io::Error>(())
/// ```
#[cfg(feature = "net")]
pub mod io {
    #[doc(no_inline)]
    pub use futures_util::io::{
        AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt,
        BufReader, BufWriter, copy,
    };

    #[doc(inline)]
    pub use loop_net::{Stderr, Stdin, Stdout, stderr, stdin, stdout};
}

/// README's Rust samples, compiled and run as doctests.
#[cfg(all(doctest, feature = "time", feature = "sync", feature = "net"))]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
