//! Misuse panics with a message that says what to do instead.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::pin;
use std::task::{Context, Waker};
use std::time::Duration;

use loop_core::Loop;
use loop_time::{advance, interval, pause, sleep};

/// The message of the panic `f` raises.
fn panic_message(f: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("expected a panic");
    match payload.downcast::<String>() {
        Ok(s) => *s,
        Err(payload) => payload.downcast::<&str>().unwrap().to_string(),
    }
}

#[test]
fn polling_a_sleep_outside_a_loop_says_to_run_it_on_a_loop() {
    let msg = panic_message(|| {
        let nap = pin!(sleep(Duration::from_millis(1)));
        let _ = nap.poll(&mut Context::from_waker(Waker::noop()));
    });
    assert!(msg.starts_with("goldiloop: a timer"), "{msg}");
    assert!(msg.contains("Loop::new().run_task(..)"), "{msg}");
}

#[test]
fn pausing_outside_a_loop_says_to_call_it_from_a_task() {
    let msg = panic_message(pause);
    assert!(msg.contains("outside a running goldiloop loop"), "{msg}");
}

#[test]
fn advancing_a_running_clock_says_to_pause_first() {
    let msg = panic_message(|| {
        Loop::new().run_task(async {
            advance(Duration::from_secs(1)).await;
        })
    });
    assert!(msg.contains("call `loop_time::pause()` first"), "{msg}");
}

#[test]
fn a_zero_period_interval_says_to_give_a_positive_period() {
    let msg = panic_message(|| drop(interval(Duration::ZERO)));
    assert!(msg.contains("greater than `Duration::ZERO`"), "{msg}");
}

#[test]
fn advancing_past_the_largest_instant_panics_instead_of_overflowing() {
    let msg = panic_message(|| {
        Loop::new().run_task(async {
            pause();
            advance(Duration::MAX).await;
        })
    });
    assert!(msg.contains("advance by a smaller duration"), "{msg}");
}
