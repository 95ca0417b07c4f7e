//! goldiloop's loop-net layer: the epoll [`Reactor`], a [`Park`](loop_core::Park)
//! that waits in `epoll_wait` and is unparked through an `eventfd`, and
//! [`AioSocket`], the talk's socket, which parks its task on `EAGAIN`.
//!
//! ```
//! use loop_core::Loop;
//! use loop_net::Reactor;
//!
//! let lp = Loop::with_park(Reactor::new().unwrap());
//! assert_eq!(lp.run_task(async { 1 + 1 }), 2);
//! ```
#![doc(test(attr(deny(warnings))))]

mod addr;
mod reactor;
mod socket;
mod sys;

pub use reactor::{Direction, Reactor, Registration};
pub use socket::{AioSocket, Domain, Type, aiosocket};
