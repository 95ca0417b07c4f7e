//! Helpers shared by goldiloop's tests, so that each lives once: the calling
//! thread's CPU time (for "does not busy-wait" checks), the message of a
//! caught panic (for misuse messages), a waker that counts its wakes, one
//! that panics (foreign code at its worst), and a drop flag.
//!
//! Not published; every crate of the workspace takes it as a dev-dependency.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Wake, Waker};
use std::time::Duration;

/// CPU time (user + system) the calling thread has used so far.
pub fn thread_cpu_time() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `usage` is a writable rusage, which getrusage fills.
    let res = unsafe { libc::getrusage(libc::RUSAGE_THREAD, usage.as_mut_ptr()) };
    assert_eq!(res, 0, "getrusage: {}", std::io::Error::last_os_error());
    // SAFETY: zeroed is a valid rusage, and getrusage succeeded.
    let usage = unsafe { usage.assume_init() };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// The message of a caught panic's payload (`&str` or `String`), or `""`.
pub fn payload_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

/// Runs `f`, which must panic, and returns its panic's message.
///
/// # Panics
///
/// If `f` returns without panicking.
#[track_caller]
pub fn panic_message(f: impl FnOnce()) -> String {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(()) => panic!("expected a panic, but the closure returned"),
        Err(payload) => payload_message(&*payload),
    }
}

/// A waker that counts how many times it was woken.
#[derive(Debug, Default)]
pub struct CountingWaker {
    wakes: AtomicUsize,
}

impl CountingWaker {
    /// A new counter and a waker that bumps it.
    pub fn new() -> (Arc<CountingWaker>, Waker) {
        let counter = Arc::new(CountingWaker::default());
        let waker = Waker::from(counter.clone());
        (counter, waker)
    }

    /// How many times the waker was woken.
    pub fn wakes(&self) -> usize {
        self.wakes.load(Ordering::SeqCst)
    }
}

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
    }
}

/// A waker that panics when woken, as a buggy foreign executor's might.
#[derive(Debug)]
pub struct PanickingWaker;

impl PanickingWaker {
    /// The message its panic carries.
    pub const MESSAGE: &'static str = "a foreign waker panicked";

    /// A waker that panics when woken.
    pub fn waker() -> Waker {
        Waker::from(Arc::new(PanickingWaker))
    }
}

impl Wake for PanickingWaker {
    fn wake(self: Arc<Self>) {
        panic!("{}", PanickingWaker::MESSAGE);
    }
}

/// A flag set when its guard is dropped, readable from any thread.
#[derive(Debug, Clone, Default)]
pub struct DropFlag(Arc<AtomicBool>);

/// Sets its [`DropFlag`] when dropped.
#[derive(Debug)]
pub struct DropGuard(Arc<AtomicBool>);

impl DropFlag {
    /// A new, clear flag.
    pub fn new() -> DropFlag {
        DropFlag::default()
    }

    /// A guard that sets the flag when dropped.
    pub fn guard(&self) -> DropGuard {
        DropGuard(self.0.clone())
    }

    /// True once a guard was dropped.
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

impl Drop for DropGuard {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}
