//! The talk's `Loop.current` and `gather` slides: a task reaches its loop
//! with `Loop::current()` and adds tasks to it; the talk's own `gather` is
//! built that way, from one wrapper task per coroutine and a `Waiter(N)`.
//!
//! "Adding `Loop.current` classvar to make the loop reachable from tasks": in
//! the talk it is a class variable set by `run`; here it is a thread-local
//! set while the loop runs, and `Loop::current()` panics with a hint outside
//! one. The talk's waiter yields until its count is zero; this `Waiter`
//! parks the gathering task until the last wrapper calls `set()`. (The
//! library's `gather`, in the `gather` example, spawns no tasks at all.)
//!
//! Run it with `cargo run --example loop_current`; add `-- --paused` to run
//! it on the paused clock, where it takes no real time.

use std::time::Duration;

use goldiloop::time::pause;
use goldiloop::{Loop, Waiter, sleep};

/// The talk's `print_messages(*messages, sleep_time=1)`.
async fn print_messages(messages: &'static [&'static str], sleep_time: f64) {
    for msg in messages {
        println!("{msg}");
        sleep(Duration::from_secs_f64(sleep_time)).await;
    }
}

/// The talk's `gather`: one task per future on the current loop, and a
/// `Waiter` that each of them sets when its future is over.
async fn talk_gather(futures: Vec<impl Future<Output = ()> + 'static>) {
    let waiter = Waiter::new(futures.len());
    for future in futures {
        let waiter = waiter.clone();
        // The talk's `Loop.current.add_task(task_wrapper(t))`.
        let _detached = Loop::current().add_task(async move {
            future.await;
            waiter.set();
        });
    }
    waiter.await;
}

/// Runs the slide; `pace` scales the talk's sleep times (1.0 is the talk's).
pub(crate) fn run(paused: bool, pace: f64) {
    let lp = Loop::new();
    lp.run_task(async {
        if paused {
            pause();
        }
        // The talk's `loop.run_task(gather(print_messages(...), print_messages(...)))`.
        talk_gather(vec![
            print_messages(&["foo", "bar", "baz"], pace),
            print_messages(&["aaa", "bbb", "ccc"], 0.7 * pace),
        ])
        .await;
    });
}

pub(crate) fn main() {
    run(std::env::args().any(|arg| arg == "--paused"), 1.0);
}
