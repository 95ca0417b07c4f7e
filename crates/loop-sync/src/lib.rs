#![doc = include_str!("../README.md")]
// `Mutex`, `RwLock` (with their guards) and `oneshot` own their values in
// `UnsafeCell`s; only those modules opt in to `unsafe`, the rest is safe code.
#![deny(unsafe_code)]
#![doc(test(attr(deny(warnings))))]

mod barrier;
mod blocking;
pub mod broadcast;
mod channel;
mod channel_error;
mod channel_receiver;
mod event;
mod gather;
mod gather_macro;
mod messages;
#[allow(unsafe_code)]
mod mutex;
#[allow(unsafe_code)]
mod mutex_guard;
#[allow(unsafe_code)]
pub mod oneshot;
#[allow(unsafe_code)]
mod rwlock;
#[allow(unsafe_code)]
mod rwlock_guard;
mod semaphore;
mod wait_list;
mod waiter;
mod wake_set;
pub mod watch;

pub use barrier::{Barrier, BarrierWait, BarrierWaitResult};
pub use broadcast::broadcast;
pub use channel::{Receiver, Recv, SendFuture, Sender, channel, unbounded};
pub use channel_error::{SendError, TryRecvError, TrySendError};
pub use event::{Event, EventWait};
pub use gather::{Gather, TryGather, gather, try_gather};
pub use mutex::{Lock, LockOwned, Mutex};
pub use mutex_guard::{MappedMutexGuard, MutexGuard, OwnedMappedMutexGuard, OwnedMutexGuard};
pub use rwlock::{RwLock, RwLockRead, RwLockReadOwned, RwLockWrite, RwLockWriteOwned};
pub use rwlock_guard::{
    OwnedRwLockMappedWriteGuard, OwnedRwLockReadGuard, OwnedRwLockWriteGuard,
    RwLockMappedWriteGuard, RwLockReadGuard, RwLockWriteGuard,
};
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
