//! loop-sync: the talk's `Waiter` and `gather`, and the few other primitives a
//! real program needs, on plain std wakers.
//!
//! - [`Waiter`]: the talk's `Waiter(n)`, a countdown latch: `set()` counts
//!   down, `waiter.await` waits for zero.
//! - [`gather()`], [`gather!`], [`try_gather`]: run several futures at once and
//!   wait for all of them (or for the first error).
//! - [`Event`]: a flag to wait on, like asyncio's; [`Semaphore`]: permits handed
//!   out in arrival order.
//! - [`channel()`] and [`unbounded()`]: multi-producer channels, bounded or
//!   not; [`broadcast()`]: every receiver sees every message;
//!   [`watch()`]: receivers see the latest value.
//!
//! Every primitive works on any executor, and a waiting task costs nothing
//! until its waker fires. The handles (`Waiter`, `Event`, `Semaphore`,
//! `Sender`) are cheap to clone and clones share their state; all are
//! `Send + Sync`, so they also coordinate tasks on different loops and threads.
//!
//! # Fairness
//!
//! A wait that may complete at once (a receive from a channel that holds a
//! message, a send with room, an acquire with a free permit, a wait on a set
//! `Event` or a finished `Waiter`) first spends a unit of the task's
//! cooperative budget ([`loop_core::poll_budget`]). On a goldiloop loop, a
//! task that keeps finding its primitives ready is so made to yield once per
//! [`loop_core::BUDGET`] operations, and no other task starves; under another
//! executor the budget never runs out and nothing changes.
//!
//! # Panicking wakers
//!
//! Wakers are foreign code. When one call wakes many waiters (`Event::set`,
//! `Waiter::set`, `Semaphore::add_permits`, a channel closing) and a waker
//! panics, every other waiter is still woken and the primitive is left
//! complete; then the first panic is resumed in that call's caller. No lock is
//! held while a waker runs, so none is poisoned.
//!
//! # Names
//!
//! Each future type is named after the function that returns it, in
//! UpperCamelCase: `acquire` gives [`Acquire`], `recv` gives [`Recv`]. Where
//! two methods share a name, the talk's `Waiter` keeps the plain name
//! (`Waiter::wait` gives [`Wait`]) and the other future carries its type's name
//! (`Event::wait` gives [`EventWait`]). One name would shadow a prelude trait
//! and takes a `Future` suffix instead: `send` gives [`SendFuture`].
//!
//! # Examples
//!
//! ```
//! use loop_core::{Loop, interrupt};
//! use loop_sync::{Waiter, gather};
//!
//! let lp = Loop::new();
//! let waiter = Waiter::new(3);
//! let outputs = lp.run_task(async {
//!     let workers = (0..3).map(|i| {
//!         let waiter = waiter.clone();
//!         async move {
//!             interrupt().await;
//!             waiter.set();
//!             i * 10
//!         }
//!     });
//!     let (outputs, ()) = loop_sync::gather!(gather(workers), &waiter).await;
//!     outputs
//! });
//! assert_eq!(outputs, [0, 10, 20]);
//! assert_eq!(waiter.count(), 0);
//! ```

#![forbid(unsafe_code)]
#![doc(test(attr(deny(warnings))))]

mod blocking;
pub mod broadcast;
mod channel;
mod channel_error;
mod channel_receiver;
mod event;
mod gather;
mod gather_macro;
mod messages;
mod semaphore;
mod wait_list;
mod waiter;
mod wake_set;
pub mod watch;

pub use broadcast::broadcast;
pub use channel::{Receiver, Recv, SendFuture, Sender, channel, unbounded};
pub use channel_error::{SendError, TryRecvError, TrySendError};
pub use event::{Event, EventWait};
pub use gather::{Gather, TryGather, gather, try_gather};
pub use semaphore::{Acquire, Permit, Semaphore};
pub use waiter::{Wait, Waiter};
pub use watch::watch;

/// What [`gather!`] expands to; not public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::gather_macro::Branches;
    pub use crate::messages::GATHER_MACRO_OUTPUT_TAKEN;
    pub use futures_util::future::{maybe_done, poll_fn};
}

/// The README's Rust sample, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
