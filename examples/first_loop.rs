//! The talk's first slide, "First prototype of an event loop": `run_task`
//! drives one task until it is over.
//!
//! In the talk, `run_task` calls `next()` on the coroutine again and again
//! until it raises `StopIteration`, whether or not it has anything to do.
//! Here `Loop::run_task` polls the future once, and polls it again only when
//! its waker says it can make progress; `interrupt()` wakes it at once, so it
//! comes back on the next turn. The future's output is `run_task`'s result.
//!
//! Run it with `cargo run --example first_loop`.

use goldiloop::{Loop, interrupt};

/// The talk's `simple_print`: prints, gives control back once, prints again.
async fn simple_print(n: u32) -> u32 {
    println!("simple_print({n}): start");
    interrupt().await;
    println!("simple_print({n}): end");
    n
}

pub(crate) fn main() {
    let lp = Loop::new();
    let n = lp.run_task(simple_print(0));
    println!("run_task returned {n}");
}
