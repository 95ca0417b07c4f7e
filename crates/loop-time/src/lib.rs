//! loop-time: goldiloop's timers, which park the loop's thread until the
//! earliest deadline instead of polling the clock as the talk's
//! `sleep_until` does.
//!
//! - [`sleep()`] and [`sleep_until`] return a [`Sleep`]: never early, prompt on
//!   an idle loop, cancelled by dropping it.
//! - [`timeout()`] and [`timeout_at`] race a future against a deadline and
//!   give `Err(`[`Elapsed`]`)` if it loses.
//! - [`interval()`] and [`interval_at`] make an [`Interval`] that ticks at a
//!   fixed period, with a [`MissedTickBehavior`]; it is also a `Stream`.
//! - [`pause`], [`advance`], [`resume`] and [`now`] drive a paused clock for
//!   tests; while it is paused and every task waits on a timer, it jumps to
//!   the next deadline.
//!
//! Each loop gets its own timer store the first time a timer is polled on it,
//! through loop-core's `Source` hook: it works on a bare `loop_core::Loop`
//! and on any loop whatever its `Park`, with no wiring. [`timer_count`] tells
//! how many timers the store holds.
//!
//! # Rules
//!
//! - **Precision**: a timer never fires before the loop's clock reaches its
//!   deadline, and on an idle loop fires promptly after it (see
//!   [`sleep()`]'s `# Precision`); timers that share a deadline fire in the
//!   order they were created.
//! - **Faults**: when the store fires a batch of timers, a waker that panics
//!   (foreign code: a future's own waker) does not stop the batch: every other
//!   timer due is still woken, the store stays consistent, and the panic is
//!   *not* propagated into the loop. The process's panic hook has printed it
//!   when it was raised; the loop and its tasks carry on.
//! - **Loop affinity**: a timer belongs to the loop it was first polled on
//!   (its store's loop). Polling it on another loop, where it would wait
//!   forever, panics with a message that names the fix: create the timer
//!   inside the task on the loop that awaits it. Polling it outside any loop
//!   panics too. A timer that is not polled yet, such as a [`Sleep`] made
//!   before the loop runs, can go to any loop.
//! - **Budget**: timers do not spend loop-core's cooperative budget.
//!   Awaiting a timer is itself a wait: a [`Sleep`] returns `Pending` until
//!   its deadline and then completes once, and an [`Interval`] ticks once per
//!   period (plus the finite burst of missed ticks under
//!   [`MissedTickBehavior::Burst`]), so a task that loops on timers meets
//!   `Pending` on its own.
//!
//! # Examples
//!
//! The talk's `print_messages`, two of them running concurrently on the
//! paused clock (so this takes no real time):
//!
//! ```
//! use std::cell::RefCell;
//! use std::rc::Rc;
//! use std::time::Duration;
//! use loop_core::{Loop, spawn};
//! use loop_time::{pause, sleep};
//!
//! type Out = Rc<RefCell<Vec<&'static str>>>;
//!
//! async fn print_messages(out: Out, messages: &[&'static str], sleep_time: f64) {
//!     for msg in messages {
//!         out.borrow_mut().push(msg);
//!         sleep(Duration::from_secs_f64(sleep_time)).await;
//!     }
//! }
//!
//! let out = Out::default();
//! Loop::new().run_task(async {
//!     pause();
//!     let a = spawn(print_messages(out.clone(), &["foo", "bar", "baz"], 1.0));
//!     let b = spawn(print_messages(out.clone(), &["aaa", "bbb", "ccc"], 0.7));
//!     a.await.unwrap();
//!     b.await.unwrap();
//! });
//! assert_eq!(*out.borrow(), ["foo", "aaa", "bbb", "bar", "ccc", "baz"]);
//! ```

#![forbid(unsafe_code)]
#![doc(test(attr(deny(warnings))))]

mod clock;
mod current;
mod heap;
mod interval;
mod messages;
mod sleep;
mod store;
mod timeout;
mod timers;
mod wheel;

pub use current::{advance, now, pause, resume, timer_count};
pub use interval::{Interval, MissedTickBehavior, interval, interval_at};
pub use sleep::{Sleep, sleep, sleep_until};
pub use timeout::{Elapsed, timeout, timeout_at};

/// The README's Rust sample, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
