//! Dropping a timer before it fires cancels it and frees its slot: the store
//! holds nothing afterwards, and nothing is woken.
//!
//! The tests that poll a sleep by hand run on the paused clock: what they
//! check is which wakers the store wakes, and on the real clock a thread
//! preempted (or slowed down by valgrind) past a 1 ms deadline would see the
//! sleep ready at its first poll.

use std::future::{Future, pending};
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use loop_core::Loop;
use loop_time::{now, pause, sleep, sleep_until, timeout, timer_count};
use test_support::CountingWaker;

fn poll_with<F: Future + ?Sized>(future: Pin<&mut F>, waker: &Waker) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(waker))
}

#[test]
fn a_million_sleeps_created_polled_and_dropped_leave_the_store_empty() {
    Loop::new().run_task(async {
        for i in 0..1_000_000u64 {
            let mut nap = pin!(sleep(Duration::from_secs(1 + i % 1000)));
            assert!(poll_with(nap.as_mut(), Waker::noop()).is_pending());
        }
        assert_eq!(timer_count(), 0);
    });
}

#[test]
fn a_million_live_timeouts_dropped_together_leave_the_store_empty() {
    Loop::new().run_task(async {
        let mut timeouts: Vec<_> = (0..1_000_000u64)
            .map(|i| Box::pin(timeout(Duration::from_secs(1 + i % 1000), pending::<()>())))
            .collect();
        for t in &mut timeouts {
            assert!(poll_with(t.as_mut(), Waker::noop()).is_pending());
        }
        assert_eq!(timer_count(), 1_000_000);
        drop(timeouts);
        assert_eq!(timer_count(), 0);
    });
}

#[test]
fn a_dropped_sleep_never_wakes_its_task() {
    let lp = Loop::new();
    let wakes = Arc::new(CountingWaker::default());
    let waker = Waker::from(wakes.clone());
    lp.run_task(async {
        pause();
        let deadline = now() + Duration::from_millis(1);
        let mut early = Box::pin(sleep_until(deadline));
        assert!(poll_with(early.as_mut(), &waker).is_pending());
        assert_eq!(timer_count(), 1);
        drop(early);
        assert_eq!(timer_count(), 0);
        sleep_until(deadline + Duration::from_millis(2)).await;
    });
    assert_eq!(wakes.wakes(), 0);
}

#[test]
fn a_fired_sleep_wakes_its_task_once() {
    let lp = Loop::new();
    let wakes = Arc::new(CountingWaker::default());
    let waker = Waker::from(wakes.clone());
    lp.run_task(async {
        pause();
        let deadline = now() + Duration::from_millis(1);
        let mut nap = Box::pin(sleep_until(deadline));
        assert!(poll_with(nap.as_mut(), &waker).is_pending());
        sleep_until(deadline + Duration::from_millis(2)).await;
        assert_eq!(wakes.wakes(), 1);
        assert_eq!(timer_count(), 0);
        assert_eq!(poll_with(nap.as_mut(), &waker), Poll::Ready(()));
    });
}

#[test]
fn polling_again_with_a_new_waker_wakes_only_the_new_one() {
    let lp = Loop::new();
    let (old, new) = (
        Arc::new(CountingWaker::default()),
        Arc::new(CountingWaker::default()),
    );
    lp.run_task(async {
        pause();
        let deadline = now() + Duration::from_millis(1);
        let mut nap = Box::pin(sleep_until(deadline));
        assert!(poll_with(nap.as_mut(), &Waker::from(old.clone())).is_pending());
        assert!(poll_with(nap.as_mut(), &Waker::from(new.clone())).is_pending());
        assert_eq!(timer_count(), 1);
        sleep_until(deadline + Duration::from_millis(2)).await;
    });
    assert_eq!(old.wakes(), 0);
    assert_eq!(new.wakes(), 1);
}

#[test]
fn dropping_a_loop_with_waiting_sleepers_drops_them() {
    let lp = Loop::new();
    for _ in 0..10 {
        drop(lp.add_task(sleep(Duration::from_secs(3600))));
    }
    lp.run_task(async {
        loop_core::interrupt().await;
        assert_eq!(timer_count(), 10);
    });
    drop(lp); // must not hang or panic
}
