//! Everything a typical program needs, in one import: `use goldiloop::prelude::*;`.
//!
//! It brings futures-util's macros ([`select!`], [`join!`], [`try_join!`],
//! [`pin_mut!`]) and extension traits ([`FutureExt`], [`StreamExt`], and with
//! the `net` feature `AsyncReadExt`/`AsyncWriteExt`), and goldiloop's own
//! names: [`Loop`], [`spawn`], [`interrupt`], [`JoinSet`], [`task_local!`],
//! and with their features `sleep`, `timeout`, `interval`, `channel`,
//! `gather`, `Waiter`... so no other crate is needed for the everyday tools.
//!
//! # Examples
//!
//! [`select!`] between a timer and a channel: whichever is ready first wins.
//!
//! ```
//! # #[cfg(all(feature = "time", feature = "sync"))] {
//! use goldiloop::prelude::*;
//! use std::time::Duration;
//!
//! let got = goldiloop::run(async {
//!     let (tx, mut rx) = channel(1);
//!     let sender = spawn(async move {
//!         sleep(Duration::from_millis(1)).await;
//!         tx.send("message").await.unwrap();
//!     });
//!     let mut got = Vec::new();
//!     for _ in 0..2 {
//!         let recv = rx.recv().fuse();
//!         let timer = sleep(Duration::from_secs(60)).fuse();
//!         pin_mut!(recv, timer);
//!         select! {
//!             msg = recv => got.push(msg.unwrap_or("closed")),
//!             () = timer => got.push("timed out"),
//!         }
//!     }
//!     sender.await.unwrap();
//!     got
//! });
//! assert_eq!(got, ["message", "closed"]);
//! # }
//! ```
//!
//! [`join!`] runs futures side by side on the current task, and a
//! [`JoinSet`] gathers tasks as they finish:
//!
//! ```
//! use goldiloop::prelude::*;
//!
//! let total = goldiloop::run(async {
//!     let (a, b) = join!(async { 1 }, async { interrupt().await; 2 });
//!     let mut set = JoinSet::new();
//!     for i in 0..3 {
//!         set.spawn(async move { i * 10 });
//!     }
//!     let mut sum = a + b;
//!     while let Some(out) = set.join_next().await {
//!         sum += out.unwrap();
//!     }
//!     sum
//! });
//! assert_eq!(total, 33);
//! ```

#[doc(no_inline)]
pub use futures_util::{
    FutureExt, Stream, StreamExt, TryFutureExt, TryStreamExt, join, pin_mut, select, select_biased,
    try_join,
};

#[cfg(feature = "net")]
#[doc(no_inline)]
pub use futures_util::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

#[doc(no_inline)]
pub use crate::{
    Handle, JoinError, JoinHandle, JoinSet, Loop, interrupt, spawn, task_local, yield_now,
};

#[cfg(feature = "time")]
#[doc(no_inline)]
pub use crate::{interval, sleep, sleep_until, timeout};

#[cfg(feature = "sync")]
#[doc(no_inline)]
pub use crate::{Event, Semaphore, Waiter, channel, gather, try_gather};
