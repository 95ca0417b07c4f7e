//! The talk's `gather` slide: `gather` runs the two `print_messages`
//! coroutines at once and waits for both.
//!
//! "Used by `gather` to wait for `N` tasks": the talk's `gather` adds a
//! wrapper task per coroutine to the loop and awaits a `Waiter(N)` that each
//! wrapper sets when its coroutine is over. Here `gather` spawns nothing: both
//! futures live inside the gather and each is polled only when its own timer
//! fires. It prints `foo`, `aaa`, `bbb` (0.7 s), `bar` (1 s), `ccc` (1.4 s),
//! `baz` (2 s), and returns once both have slept after their last message
//! (3 s).
//!
//! Run it with `cargo run --example gather`; add `-- --paused` to run it on
//! the loop's paused clock, where time jumps from one deadline to the next and
//! the run takes no real time (the output is the same: that is what the test
//! in `tests/sync_examples.rs` checks).

use std::time::Duration;

use goldiloop::Loop;
use goldiloop::gather;
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
        // The talk's `loop.run_task(gather(print_messages(...), print_messages(...)))`.
        gather([
            print_messages(&["foo", "bar", "baz"], pace),
            print_messages(&["aaa", "bbb", "ccc"], 0.7 * pace),
        ])
        .await;
    });
}

pub(crate) fn main() {
    run(std::env::args().any(|arg| arg == "--paused"), 1.0);
}
