//! A waker that panics when the timer store fires it does not stop the rest
//! of the batch: every timer due at the same instant still fires, the panic is
//! not propagated into the loop (the panic hook has printed it), and the loop
//! and its store go on working.
//!
//! The panics these tests raise on purpose are printed by the test harness's
//! panic hook; that output is expected.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use loop_core::{Loop, interrupt, spawn};
use loop_time::{Sleep, advance, now, pause, sleep, sleep_until, timer_count};

/// A waker that counts its wakes and panics in each of them.
#[derive(Default)]
struct PanickingWaker(AtomicUsize);

impl PanickingWaker {
    fn wakes(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

impl Wake for PanickingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
        panic!("a waker that panics on purpose, in a loop-time test");
    }
}

fn poll_with<F: Future + ?Sized>(future: Pin<&mut F>, waker: &Waker) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(waker))
}

/// A sleep on the real clock, registered with `waker` by a first poll, and
/// its deadline. It aims 5 ms ahead; if this thread is preempted past that
/// before the poll registers it (it is then ready at once), it aims further.
fn registered_sleep(waker: &Waker) -> (Sleep, Instant) {
    let mut ahead = Duration::from_millis(5);
    loop {
        let deadline = Instant::now() + ahead;
        let mut nap = sleep_until(deadline);
        if poll_with(Pin::new(&mut nap), waker).is_pending() {
            return (nap, deadline);
        }
        ahead *= 2;
    }
}

#[test]
fn a_panicking_waker_does_not_stop_a_timer_due_at_the_same_instant() {
    let lp = Loop::new();
    let bomb = Arc::new(PanickingWaker::default());
    let bomb_waker = Waker::from(bomb.clone());
    lp.run_task(async {
        let (first, deadline) = registered_sleep(&bomb_waker);
        // created second, due at the same instant: fired in the same batch,
        // right after the panicking waker
        sleep_until(deadline).await;
        assert!(first.is_elapsed());
        assert_eq!(timer_count(), 0);
    });
    assert_eq!(bomb.wakes(), 1);
    // the loop and its store go on working
    lp.run_task(sleep(Duration::from_millis(1)));
}

#[test]
fn a_panicking_waker_does_not_stop_advance_from_firing_the_rest() {
    let lp = Loop::new();
    let bomb = Arc::new(PanickingWaker::default());
    let bomb_waker = Waker::from(bomb.clone());
    lp.run_task(async {
        pause();
        let deadline = now() + Duration::from_secs(1);
        let mut first = sleep_until(deadline);
        assert!(poll_with(Pin::new(&mut first), &bomb_waker).is_pending());
        let second_done = Rc::new(Cell::new(false));
        let flag = second_done.clone();
        let second = spawn(async move {
            sleep_until(deadline).await;
            flag.set(true);
        });
        interrupt().await; // the second sleep registers
        assert_eq!(timer_count(), 2);
        advance(Duration::from_secs(1)).await;
        assert_eq!(bomb.wakes(), 1);
        assert!(
            second_done.get(),
            "the timer due with the panicking one never fired"
        );
        assert!(first.is_elapsed());
        assert_eq!(timer_count(), 0);
        second.await.unwrap();
        // and again, through auto-advance this time
        let mut third = sleep(Duration::from_secs(1));
        assert!(poll_with(Pin::new(&mut third), &bomb_waker).is_pending());
        sleep(Duration::from_secs(1)).await;
        assert_eq!(bomb.wakes(), 2);
        assert!(third.is_elapsed());
    });
}
