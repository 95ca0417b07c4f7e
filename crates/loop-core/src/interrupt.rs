//! `interrupt()`: the talk's unit task that gives control back to the loop.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Gives control back to the loop once, the talk's `interrupt()`.
///
/// The calling task goes to the back of the loop's FIFO queue: every task that
/// was ready before it runs once before it runs again. Every
/// [`EVENT_INTERVAL`](crate::EVENT_INTERVAL) polls the loop also looks,
/// without blocking, at wakes from other threads, remote spawns, expired
/// timers and socket readiness, so a task that loops on `interrupt()` forever
/// slows the others down but starves none of them.
///
/// # Examples
///
/// ```
/// use loop_core::{Loop, interrupt};
/// use std::{cell::RefCell, rc::Rc};
///
/// let lp = Loop::new();
/// let log = Rc::new(RefCell::new(Vec::new()));
/// for name in ["a", "b"] {
///     let log = log.clone();
///     let _task = lp.add_task(async move {
///         for i in 0..2 {
///             log.borrow_mut().push(format!("{name}{i}"));
///             interrupt().await;
///         }
///     });
/// }
/// lp.run();
/// assert_eq!(*log.borrow(), ["a0", "b0", "a1", "b1"]);
/// ```
#[doc(alias = "yield_now")]
pub fn interrupt() -> Interrupt {
    Interrupt { yielded: false }
}

/// Another name for [`interrupt`], as tokio and smol call it.
pub fn yield_now() -> Interrupt {
    interrupt()
}

/// The future returned by [`interrupt`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct Interrupt {
    yielded: bool,
}

impl Future for Interrupt {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
