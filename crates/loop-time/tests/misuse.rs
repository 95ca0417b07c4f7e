//! Misuse panics with a message that says what to do instead.

use std::future::{Future, pending};
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use loop_core::Loop;
use loop_time::{advance, interval, pause, sleep, timeout};
use test_support::panic_message;

/// Polls `future` once with a waker that does nothing.
fn poll_once<F: Future + ?Sized>(future: Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

/// Checks that `msg` is the message of a timer polled on the wrong loop.
#[track_caller]
fn assert_says_wrong_loop(msg: &str) {
    assert!(msg.starts_with("goldiloop: a timer"), "{msg}");
    assert!(msg.contains("was polled on another"), "{msg}");
    assert!(
        msg.contains("create the sleep inside the task on the loop that awaits it"),
        "{msg}"
    );
}

#[test]
fn a_sleep_first_polled_on_one_loop_panics_when_polled_on_another() {
    let (a, b) = (Loop::new(), Loop::new());
    let mut nap = Box::pin(sleep(Duration::from_secs(60)));
    a.run_task(async { assert!(poll_once(nap.as_mut()).is_pending()) });
    let msg = panic_message(|| b.run_task(nap.as_mut()));
    assert_says_wrong_loop(&msg);
    drop(nap); // cancels on its own loop's store
    assert_eq!(a.run_task(async { loop_time::timer_count() }), 0);
}

#[test]
fn a_reset_sleep_polled_on_another_loop_panics_too() {
    let (a, b) = (Loop::new(), Loop::new());
    let mut nap = sleep(Duration::from_millis(1));
    a.run_task(&mut nap);
    nap.reset(loop_time::now() + Duration::from_secs(60));
    let msg = panic_message(|| b.run_task(&mut nap));
    assert_says_wrong_loop(&msg);
}

#[test]
fn an_interval_ticking_on_one_loop_panics_when_polled_on_another() {
    let (a, b) = (Loop::new(), Loop::new());
    // ticked once (its sleep reset to the next tick), and registered
    let mut waiting = interval(Duration::from_secs(60));
    a.run_task(async {
        waiting.tick().await;
        assert!(
            std::future::poll_fn(|cx| Poll::Ready(waiting.poll_tick(cx)))
                .await
                .is_pending()
        );
    });
    let msg = panic_message(|| {
        let _ = b.run_task(waiting.tick());
    });
    assert_says_wrong_loop(&msg);
    // ticked once only: its sleep is reset but not registered again yet
    let mut ticked = interval(Duration::from_secs(60));
    a.run_task(ticked.tick());
    let msg = panic_message(|| {
        let _ = b.run_task(ticked.tick());
    });
    assert_says_wrong_loop(&msg);
}

#[test]
fn a_timeout_started_on_one_loop_panics_when_polled_on_another() {
    let (a, b) = (Loop::new(), Loop::new());
    let mut limited = Box::pin(timeout(Duration::from_secs(60), pending::<()>()));
    a.run_task(async { assert!(poll_once(limited.as_mut()).is_pending()) });
    let msg = panic_message(|| {
        let _ = b.run_task(limited.as_mut());
    });
    assert_says_wrong_loop(&msg);
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
