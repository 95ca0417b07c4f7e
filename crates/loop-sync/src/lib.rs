#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![doc(test(attr(deny(warnings))))]

mod channel;
mod event;
mod gather;
mod gather_macro;
mod messages;
mod semaphore;
mod wait_list;
mod waiter;
mod wake_set;

pub use channel::{Receiver, Recv, SendError, SendFuture, Sender, channel};
pub use event::{Event, EventWait};
pub use gather::{Gather, TryGather, gather, try_gather};
pub use semaphore::{Acquire, Permit, Semaphore};
pub use waiter::{Wait, Waiter};

/// What [`gather!`] expands to; not public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::gather_macro::Branches;
    pub use crate::messages::GATHER_MACRO_OUTPUT_TAKEN;
    pub use futures_util::future::{maybe_done, poll_fn};
}
