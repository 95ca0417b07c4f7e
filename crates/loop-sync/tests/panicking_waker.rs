//! A waker is foreign code, and one that panics must not stop a batch of
//! wake-ups: when `set()`, `add_permits` or the channel's close wakes several
//! waiters and the first one's waker panics, the other waiters are still
//! woken, the primitive is left complete and consistent, and then the panic
//! reaches the caller.

mod util;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};

use loop_sync::{Event, Semaphore, SendError, Waiter, channel};
use test_support::{PanickingWaker, panic_message};
use util::CountingWaker;

const WAKER_PANIC: &str = PanickingWaker::MESSAGE;

fn poll<F: Future + Unpin>(future: &mut F, waker: &Waker) -> Poll<F::Output> {
    Pin::new(future).poll(&mut Context::from_waker(waker))
}

/// Three wakers: the first panics, the other two count their wakes.
fn three_wakers() -> ([Waker; 3], [Arc<CountingWaker>; 2]) {
    let (second, second_waker) = CountingWaker::new();
    let (third, third_waker) = CountingWaker::new();
    (
        [PanickingWaker::waker(), second_waker, third_waker],
        [second, third],
    )
}

/// Polls each future once with its waker; all must be pending.
fn queue_all<F: Future + Unpin>(futures: &mut [F], wakers: &[Waker; 3]) {
    for (future, waker) in futures.iter_mut().zip(wakers) {
        assert!(poll(future, waker).is_pending());
    }
}

fn assert_woken_once(counters: &[Arc<CountingWaker>; 2]) {
    let wakes = counters.each_ref().map(|counter| counter.wakes());
    assert_eq!(wakes, [1, 1], "the second and third waiters were woken");
}

#[test]
fn event_set_wakes_every_waiter_when_the_first_waker_panics() {
    let event = Event::new();
    let (wakers, counters) = three_wakers();
    let mut waits = [event.wait(), event.wait(), event.wait()];
    queue_all(&mut waits, &wakers);

    assert_eq!(panic_message(|| event.set()), WAKER_PANIC);

    assert_woken_once(&counters);
    assert!(event.is_set());
    for wait in &mut waits {
        assert_eq!(poll(wait, Waker::noop()), Poll::Ready(()));
    }
    assert_eq!(format!("{event:?}"), "Event { set: true, waiting: 0 }");
    // Nothing is left poisoned: the event still works.
    event.clear();
    let mut later = event.wait();
    assert!(poll(&mut later, Waker::noop()).is_pending());
    event.set();
    assert_eq!(poll(&mut later, Waker::noop()), Poll::Ready(()));
}

#[test]
fn waiter_set_wakes_every_waiter_when_the_first_waker_panics() {
    let waiter = Waiter::new(1);
    let (wakers, counters) = three_wakers();
    let mut waits = [waiter.wait(), waiter.wait(), waiter.wait()];
    queue_all(&mut waits, &wakers);

    assert_eq!(panic_message(|| waiter.set()), WAKER_PANIC);

    assert_woken_once(&counters);
    assert_eq!(waiter.count(), 0);
    for wait in &mut waits {
        assert_eq!(poll(wait, Waker::noop()), Poll::Ready(()));
    }
    assert_eq!(poll(&mut waiter.wait(), Waker::noop()), Poll::Ready(()));
}

#[test]
fn add_permits_serves_every_waiter_when_the_first_waker_panics() {
    let semaphore = Semaphore::new(0);
    let (wakers, counters) = three_wakers();
    let mut acquires = [
        semaphore.acquire(),
        semaphore.acquire(),
        semaphore.acquire(),
    ];
    queue_all(&mut acquires, &wakers);

    assert_eq!(panic_message(|| semaphore.add_permits(3)), WAKER_PANIC);

    assert_woken_once(&counters);
    // Each waiter was handed its permit; none went back to the free count.
    assert_eq!(semaphore.available_permits(), 0);
    let permits = acquires.map(|mut acquire| match poll(&mut acquire, Waker::noop()) {
        Poll::Ready(permit) => permit,
        Poll::Pending => panic!("a waiter was not handed its permit"),
    });
    drop(permits);
    assert_eq!(semaphore.available_permits(), 3);
}

#[test]
fn closing_a_channel_wakes_every_waiting_sender_when_the_first_waker_panics() {
    let (tx, mut rx) = channel(0);
    let (wakers, counters) = three_wakers();
    let mut sends = [tx.send(0), tx.send(1), tx.send(2)];
    queue_all(&mut sends, &wakers);

    assert_eq!(panic_message(|| rx.close()), WAKER_PANIC);

    assert_woken_once(&counters);
    assert!(tx.is_closed());
    for (i, send) in sends.iter_mut().enumerate() {
        assert_eq!(poll(send, Waker::noop()), Poll::Ready(Err(SendError(i))));
    }
}

/// Counts the drops of the messages it is part of.
#[derive(Debug)]
struct Message(Arc<AtomicUsize>);

impl Drop for Message {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn dropping_the_receiver_wakes_every_sender_and_drops_the_buffer_when_a_waker_panics() {
    let drops = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = channel(1);
    let buffered = tx.send(Message(drops.clone()));
    assert!(poll(&mut Box::pin(buffered), Waker::noop()).is_ready());
    let (wakers, counters) = three_wakers();
    let mut sends = [0, 1, 2].map(|_| tx.send(Message(drops.clone())));
    queue_all(&mut sends, &wakers);

    assert_eq!(panic_message(|| drop(rx)), WAKER_PANIC);

    assert_woken_once(&counters);
    assert_eq!(
        drops.load(Ordering::SeqCst),
        1,
        "the buffered message was dropped"
    );
    for send in &mut sends {
        assert!(matches!(poll(send, Waker::noop()), Poll::Ready(Err(_))));
    }
    drop(sends);
    assert_eq!(drops.load(Ordering::SeqCst), 4);
}

#[test]
fn a_permit_dropped_while_unwinding_keeps_the_first_panic_and_serves_the_waiter() {
    let semaphore = Semaphore::new(1);
    let permit = semaphore.try_acquire().unwrap();
    let mut acquire = semaphore.acquire();
    let panicking = PanickingWaker::waker();
    assert!(poll(&mut acquire, &panicking).is_pending());

    // The permit's release wakes a panicking waker during unwinding: that
    // second panic must not abort the process nor replace the first.
    let message = panic_message(move || {
        let _permit = permit;
        panic!("the first panic");
    });

    assert_eq!(message, "the first panic");
    assert!(poll(&mut acquire, Waker::noop()).is_ready());
}
