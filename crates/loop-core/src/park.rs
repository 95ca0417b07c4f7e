//! `Park`: how a loop's thread waits when it has nothing to run.
//!
//! A loop owns exactly one park. It calls [`Park::park`] with a timeout: zero
//! to look at outside events without blocking (it does this at least every few
//! dozen polls, so that nothing starves), the earliest deadline of its event
//! sources when it is idle, or `None` to wait for as long as it takes. Any
//! thread may end the wait through the waker from [`Park::unparker`]: this is
//! how remote wakes and remote spawns reach a parked loop.
//!
//! loop-core ships [`ThreadParker`]; loop-net's epoll `Reactor` is a park too.

use crate::sync::thread::{self, Thread};
use std::any::Any;
use std::cell::Cell;
use std::fmt;
use std::sync::Arc;
use std::task::{Wake, Waker};
use std::time::Duration;

/// How a loop's thread waits for events when no task is ready to run.
///
/// Implementations must never busy-wait, and must make a wake through
/// [`unparker`](Park::unparker) that happens before or during a `park` end
/// that `park` (a wake that arrives while the loop is running may end the next
/// `park` early: spurious returns are allowed).
pub trait Park: Any {
    /// Waits until unparked, until events arrive, or until `timeout` elapses;
    /// `Some(Duration::ZERO)` must not block, `None` waits without limit.
    fn park(&self, timeout: Option<Duration>);

    /// A waker that ends a current or next `park` from any thread.
    fn unparker(&self) -> Waker;
}

/// The plain park: blocks the thread with `std::thread::park_timeout`.
///
/// # Precision
///
/// Linux lets a timed sleep end up to the thread's "timer slack" late (50 µs
/// by default). Before its first timed park, a `ThreadParker` sets the slack of
/// its thread to 1 ns (`prctl(PR_SET_TIMERSLACK)`), so timers wake within a few
/// microseconds of their deadline; this lasts for the thread's life.
pub struct ThreadParker {
    thread: Thread,
    precise: Cell<bool>,
}

impl ThreadParker {
    /// A parker for the current thread, which must be the loop's.
    pub fn new() -> ThreadParker {
        ThreadParker {
            thread: thread::current(),
            precise: Cell::new(false),
        }
    }
}

impl Default for ThreadParker {
    fn default() -> ThreadParker {
        ThreadParker::new()
    }
}

/// Waits beyond this are split: the kernel's timeouts do not reach forever.
#[cfg_attr(loom, allow(dead_code))]
const LONGEST_PARK: Duration = Duration::from_secs(60 * 60 * 24);

impl Park for ThreadParker {
    fn park(&self, timeout: Option<Duration>) {
        debug_assert_eq!(
            thread::current().id(),
            self.thread.id(),
            "{}",
            crate::messages::PARK_WRONG_THREAD
        );
        match timeout {
            None => thread::park(),
            Some(timeout) if timeout.is_zero() => {}
            #[cfg_attr(loom, allow(unused_variables))]
            Some(timeout) => {
                if !self.precise.replace(true) {
                    set_precise_timer_slack();
                }
                #[cfg(not(loom))]
                thread::park_timeout(timeout.min(LONGEST_PARK));
                // loom has no timed park: waiting without limit is the
                // stricter model (a lost unpark then shows as a deadlock).
                #[cfg(loom)]
                thread::park();
            }
        }
    }

    fn unparker(&self) -> Waker {
        Waker::from(Arc::new(Unparker(self.thread.clone())))
    }
}

impl fmt::Debug for ThreadParker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadParker")
            .field("thread", &self.thread.id())
            .finish()
    }
}

/// Sets the calling thread's timer slack to 1 ns; on failure the thread only
/// keeps its default slack, so the error is ignored.
fn set_precise_timer_slack() {
    // SAFETY: PR_SET_TIMERSLACK takes one integer argument and touches only the
    // calling thread's scheduling attributes; no memory is passed.
    unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, 1 as libc::c_ulong) };
}

struct Unparker(Thread);

impl Wake for Unparker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}
