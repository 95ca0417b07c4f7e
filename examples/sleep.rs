//! The talk's `sleep` slide: two `print_messages` tasks share one loop, each
//! sleeping between its messages, and their lines interleave by the clock.
//!
//! "And use them in our environment": in the talk, `sleep_until` calls
//! `interrupt()` until the clock says the time has come, so the loop spins for
//! the whole run. Here `sleep` registers a timer and the loop's thread sleeps
//! until the earliest deadline: the run takes 3 s and almost no CPU. It prints
//! `foo`, `aaa`, `bbb` (0.7 s), `bar` (1 s), `ccc` (1.4 s), `baz` (2 s).
//!
//! Run it with `cargo run --example sleep`; add `-- --paused` to run it on the
//! loop's paused clock, where time jumps from one deadline to the next and the
//! run takes no real time (the output is the same: that is what the test in
//! `tests/time_examples.rs` checks).

use std::time::Duration;

use goldiloop::Loop;
use goldiloop::sleep;
use goldiloop::time::pause;

/// The talk's `print_messages(*messages, sleep_time=1)`.
async fn print_messages(messages: &[&str], sleep_time: f64) {
    for msg in messages {
        println!("{msg}");
        sleep(Duration::from_secs_f64(sleep_time)).await;
    }
}

/// Runs the slide; `pace` scales the talk's sleep times (1.0 is the talk's).
pub(crate) fn run(paused: bool, pace: f64) {
    let lp = Loop::new();
    lp.run_task(async {
        if paused {
            pause();
        }
        // The talk's `run_tasks(print_messages(...), print_messages(...))`.
        let a = lp.add_task(print_messages(&["foo", "bar", "baz"], pace));
        let b = lp.add_task(print_messages(&["aaa", "bbb", "ccc"], 0.7 * pace));
        a.await.unwrap();
        b.await.unwrap();
    });
}

pub(crate) fn main() {
    run(std::env::args().any(|arg| arg == "--paused"), 1.0);
}
