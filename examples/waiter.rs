//! The talk's `Waiter` slide: `wait_job` waits on a `Waiter` while
//! `count_up_to` counts to 5, giving control back between numbers, and then
//! calls `set()`; the job runs only after 5 is printed.
//!
//! "Better `Waiter` class to wait for multiple checks": in the talk, awaiting
//! the waiter yields in a loop until its count reaches zero, so `wait_job`
//! takes a turn of the loop for every number counted. Here the waiting task is
//! parked until `set()` brings the count to zero, and is polled exactly twice:
//! once to start waiting, once to finish.
//!
//! Run it with `cargo run --example waiter`.

use goldiloop::Waiter;
use goldiloop::{Loop, interrupt};

/// Waits for the waiter, then does its job.
async fn wait_job(waiter: Waiter) {
    println!("wait_job: waiting");
    waiter.await;
    println!("wait_job: the waiter is done, running the job");
}

/// Counts from 1 to `n`, giving control back after each number, then sets
/// the waiter.
async fn count_up_to(waiter: Waiter, n: u32) {
    for i in 1..=n {
        println!("count_up_to: {i}");
        interrupt().await;
    }
    waiter.set();
}

pub(crate) fn main() {
    let lp = Loop::new();
    // The talk's `run_tasks(wait_job(waiter), count_up_to(waiter, 5))`.
    let waiter = Waiter::new(1);
    let _job = lp.add_task(wait_job(waiter.clone()));
    let _count = lp.add_task(count_up_to(waiter, 5));
    lp.run();
}
