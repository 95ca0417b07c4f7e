//! Misuse panics with a message that says what to do instead.

use std::future::Future;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use loop_core::Loop;
use loop_time::{advance, interval, pause, sleep};
use test_support::panic_message;

/// Polls `future` once with a waker that does nothing.
fn poll_once<F: Future + ?Sized>(future: Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

#[test]
fn a_sleep_registered_on_a_loop_polled_outside_any_loop_says_to_run_it_on_a_loop() {
    let a = Loop::new();
    let mut nap = Box::pin(sleep(Duration::from_secs(60)));
    a.run_task(async { assert!(poll_once(nap.as_mut()).is_pending()) });
    let msg = panic_message(|| {
        let _ = poll_once(nap.as_mut());
    });
    assert!(msg.starts_with("goldiloop: a timer"), "{msg}");
    assert!(msg.contains("outside a running goldiloop loop"), "{msg}");
    assert!(msg.contains("Loop::new().run_task(..)"), "{msg}");
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
