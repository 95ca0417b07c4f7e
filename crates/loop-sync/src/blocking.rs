//! Waiting on a plain thread: the engine of every `blocking_*` method.
//!
//! [`block_on`] polls a future on the calling thread and parks the thread
//! between polls; the future's waker unparks it. A spurious unpark only costs
//! one more poll. Called from inside a goldiloop task it would stall the whole
//! loop (and deadlock if the awaited event depends on another task of that
//! loop), so it refuses, naming the fix.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

use crate::messages;

/// Unparks the thread blocked in [`block_on`].
struct Unparker(Thread);

impl Wake for Unparker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Runs `future` to completion on this thread, parking it while pending.
///
/// # Panics
///
/// If called on a thread that is running a goldiloop loop (from a task or
/// from the future given to `run_task`).
#[track_caller]
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    assert!(
        loop_core::LoopId::current().is_none(),
        "{}",
        messages::BLOCKING_IN_TASK
    );
    let waker = Waker::from(Arc::new(Unparker(thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        thread::park();
    }
}
