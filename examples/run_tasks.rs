//! The talk's `run_tasks` slide: several tasks share one loop, taking turns
//! in FIFO order.
//!
//! "Better version to schedule multiple tasks: use a queue to know the next
//! task to iterate over." In the talk, the loop calls `next()` on every task
//! in turn, whether it has work or not. Here a task that returns `Pending` is
//! put back in the queue only by its waker: `ComplexWork` wakes itself each
//! time, so it takes its turns like the others, but a task waiting for
//! something would cost nothing until woken.
//!
//! Run it with `cargo run --example run_tasks`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use goldiloop::{Loop, interrupt};

/// The talk's `simple_print`: prints, gives control back once, prints again.
async fn simple_print(n: u32) {
    println!("simple_print({n}): start");
    interrupt().await;
    println!("simple_print({n}): end");
}

/// A hand-written future, the talk's `ComplexWork`: it needs several turns of
/// the loop, and asks for each one by waking itself before returning `Pending`.
struct ComplexWork {
    step: u32,
}

impl Future for ComplexWork {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.step == 3 {
            println!("ComplexWork: done");
            return Poll::Ready(());
        }
        println!("ComplexWork: step {}", self.step);
        self.step += 1;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

pub(crate) fn main() {
    let lp = Loop::new();
    // Each `add_task` returns a `JoinHandle`; `run()` waits for every task, so
    // the handles are not needed here.
    let _one = lp.add_task(simple_print(1));
    let _work = lp.add_task(ComplexWork { step: 0 });
    let _two = lp.add_task(simple_print(2));
    let _three = lp.add_task(simple_print(3));
    lp.run();
}
