//! A task's identity: [`id`] inside a task, [`TaskId`] from its
//! `JoinHandle::id()`.
//!
//! # Examples
//!
//! ```
//! use goldiloop::{spawn, task};
//!
//! goldiloop::run(async {
//!     let handle = spawn(async { task::id() });
//!     let id = handle.id();
//!     assert_eq!(handle.await.unwrap(), Some(id));
//! });
//! ```

#[doc(inline)]
pub use loop_core::TaskId;

/// The id of the task being polled on this thread; see [`loop_core::task_id`].
#[doc(inline)]
pub use loop_core::task_id as id;
