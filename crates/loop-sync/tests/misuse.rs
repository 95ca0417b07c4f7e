//! Misuse panics with a message that says what went wrong and how to fix it.

use std::future::{Future, ready};
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use loop_sync::{channel, gather, try_gather};
use test_support::panic_message;

/// Polls `future` until it is ready, then once more, and returns that
/// second poll's panic message.
fn message_of_polling_twice<F: Future>(future: F) -> String {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    assert!(future.as_mut().poll(&mut cx).is_ready());
    panic_message(|| drop(future.as_mut().poll(&mut cx)))
}

#[test]
fn polling_a_send_after_it_completed_names_the_fix() {
    let (tx, _rx) = channel(1);
    let message = message_of_polling_twice(tx.send(1));
    assert!(
        message.starts_with(
            "loop-sync: a `SendFuture` (from `Sender::send`) was polled after it completed"
        ),
        "{message}"
    );
    assert!(message.contains("await each send once"), "{message}");
}

#[test]
fn polling_a_gather_after_it_completed_names_the_fix() {
    for message in [
        message_of_polling_twice(gather([ready(1)])),
        message_of_polling_twice(try_gather([ready(Ok::<u8, ()>(1))])),
    ] {
        assert!(
            message.starts_with(
                "loop-sync: a `Gather` or `TryGather` future was polled after it completed"
            ),
            "{message}"
        );
        assert!(message.contains("await it once"), "{message}");
    }
}

#[test]
fn a_gather_that_returned_an_error_panics_the_same_way_when_polled_again() {
    let mut all = pin!(try_gather([ready(Err::<u8, _>("e"))]));
    let mut cx = Context::from_waker(Waker::noop());
    assert_eq!(all.as_mut().poll(&mut cx), Poll::Ready(Err("e")));
    let message = panic_message(|| drop(all.as_mut().poll(&mut cx)));
    assert!(message.contains("polled after it completed"), "{message}");
}

/// Runs `f` inside a goldiloop task and returns its panic message.
fn message_inside_a_task(f: impl FnOnce() + 'static) -> String {
    let lp = loop_core::Loop::new();
    panic_message(|| lp.run_task(async move { f() }))
}

#[test]
fn blocking_send_or_recv_inside_a_goldiloop_task_panics_naming_the_fix() {
    let (tx, mut rx) = loop_sync::unbounded::<u8>();
    let (btx, mut brx) = loop_sync::broadcast::<u8>(1);
    let messages = [
        message_inside_a_task(move || {
            let _ = tx.blocking_send(1);
        }),
        message_inside_a_task(move || {
            let _ = rx.blocking_recv();
        }),
        message_inside_a_task(move || {
            let _keep = btx;
            let _ = brx.blocking_recv();
        }),
    ];
    for message in messages {
        assert!(
            message.starts_with("loop-sync: a `blocking_send`, `blocking_recv` or other"),
            "{message}"
        );
        assert!(message.contains("inside a goldiloop task"), "{message}");
        assert!(message.contains("await the async method"), "{message}");
    }
}

#[test]
fn a_broadcast_of_capacity_zero_panics_naming_the_fix() {
    let message = panic_message(|| drop(loop_sync::broadcast::<u8>(0)));
    assert!(
        message.starts_with("loop-sync: `broadcast(0)` makes a channel"),
        "{message}"
    );
    assert!(
        message.contains("give it a capacity of at least 1"),
        "{message}"
    );
}
