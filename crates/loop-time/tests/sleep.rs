//! `sleep` and `sleep_until` on the real clock: never early, past deadlines
//! at once, far deadlines never, equal deadlines in creation order, and
//! 100 000 sleepers woken in deadline order.

use std::cell::RefCell;
use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use loop_core::{Loop, interrupt, spawn};
use loop_time::{sleep, sleep_until, timer_count};

/// Polls `future` once with a waker that does nothing.
fn poll_once<F: Future + ?Sized>(future: Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

#[test]
fn sleep_never_completes_before_its_deadline() {
    Loop::new().run_task(async {
        for micros in [0, 1, 10, 100, 500, 1_000, 2_000, 5_000] {
            let deadline = Instant::now() + Duration::from_micros(micros);
            sleep_until(deadline).await;
            assert!(Instant::now() >= deadline, "woke early for {micros} µs");
            let start = Instant::now();
            sleep(Duration::from_micros(micros)).await;
            assert!(start.elapsed() >= Duration::from_micros(micros));
        }
    });
}

#[test]
fn past_deadline_completes_on_first_poll() {
    Loop::new().run_task(async {
        let past = Instant::now() - Duration::from_millis(5);
        assert_eq!(poll_once(pin!(sleep_until(past))), Poll::Ready(()));
        assert_eq!(
            poll_once(pin!(sleep_until(Instant::now()))),
            Poll::Ready(())
        );
        assert_eq!(timer_count(), 0);
    });
}

#[test]
fn zero_duration_completes_on_first_poll() {
    Loop::new().run_task(async {
        assert_eq!(poll_once(pin!(sleep(Duration::ZERO))), Poll::Ready(()));
        assert_eq!(timer_count(), 0);
    });
}

#[test]
fn max_duration_and_far_future_never_fire_and_do_not_panic() {
    Loop::new().run_task(async {
        let mut forever = sleep(Duration::MAX);
        let mut far = sleep_until(Instant::now() + Duration::from_secs(u64::MAX / 4));
        let mut centuries = sleep(Duration::from_secs(100 * 365 * 24 * 3600));
        assert!(forever.deadline() > Instant::now() + Duration::from_secs(1 << 39));
        assert!(poll_once(Pin::new(&mut forever)).is_pending());
        assert!(poll_once(Pin::new(&mut far)).is_pending());
        assert!(poll_once(Pin::new(&mut centuries)).is_pending());
        assert_eq!(timer_count(), 3);
        // the loop keeps running other timers while they wait
        sleep(Duration::from_millis(2)).await;
        assert!(poll_once(Pin::new(&mut forever)).is_pending());
        assert!(poll_once(Pin::new(&mut far)).is_pending());
        assert!(poll_once(Pin::new(&mut centuries)).is_pending());
        drop((forever, far, centuries));
        assert_eq!(timer_count(), 0);
    });
}

#[test]
fn sleeps_with_the_same_deadline_fire_in_creation_order() {
    let trace = Rc::new(RefCell::new(Vec::new()));
    Loop::new().run_task(async {
        loop_time::pause(); // the deadline cannot pass while the tasks start
        let deadline = loop_time::now() + Duration::from_millis(5);
        // created 0..8, but polled (registered) in reverse order
        let sleeps: Vec<_> = (0..8).map(|_| sleep_until(deadline)).collect();
        let tasks: Vec<_> = sleeps
            .into_iter()
            .enumerate()
            .rev()
            .map(|(i, nap)| {
                let trace = trace.clone();
                spawn(async move {
                    nap.await;
                    trace.borrow_mut().push(i);
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    });
    assert_eq!(*trace.borrow(), (0..8).collect::<Vec<_>>());
}

#[test]
fn sleep_can_be_created_outside_a_loop_and_awaited_in_one() {
    let nap = sleep(Duration::from_millis(1));
    let deadline = nap.deadline();
    Loop::new().run_task(nap);
    assert!(Instant::now() >= deadline);
}

#[test]
fn reset_moves_a_waiting_sleep_without_polling_it_again() {
    let lp = Loop::new();
    let start = Instant::now();
    let shared = Rc::new(RefCell::new(sleep(Duration::from_secs(3600))));
    let waiting = shared.clone();
    let waiter = lp.add_task(async move {
        poll_fn(|cx| Pin::new(&mut *waiting.borrow_mut()).poll(cx)).await;
        Instant::now()
    });
    lp.run_task(async {
        interrupt().await; // the waiter registers its hour-long sleep
        assert_eq!(timer_count(), 1);
        shared.borrow_mut().reset(start + Duration::from_millis(3));
    });
    let woke = lp.run_task(waiter).unwrap();
    assert!(woke >= start + Duration::from_millis(3));
    assert!(woke < start + Duration::from_secs(60));
}

#[test]
fn reset_after_completion_makes_the_sleep_wait_again() {
    Loop::new().run_task(async {
        let mut nap = sleep(Duration::from_millis(1));
        (&mut nap).await;
        assert!(nap.is_elapsed());
        let again = Instant::now() + Duration::from_millis(2);
        nap.reset(again);
        assert!(!nap.is_elapsed());
        nap.await;
        assert!(Instant::now() >= again);
    });
}

#[test]
fn hundred_thousand_sleepers_wake_in_deadline_order_and_none_early() {
    const SLEEPERS: usize = 100_000;
    const STEP_US: u64 = 10;
    let lp = Loop::new();
    let origin = Instant::now();
    // (deadline, task) for every sleeper, and the tasks in the order they woke
    let deadlines = Rc::new(RefCell::new(Vec::with_capacity(SLEEPERS)));
    let woken = Rc::new(RefCell::new(Vec::with_capacity(SLEEPERS)));
    let mut rng = 0x2545_f491_4f6c_dd1d_u64;
    for i in 0..SLEEPERS {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let offset = rng % 20_000; // 0..200 ms, in steps of 10 µs
        let (deadlines, woken) = (deadlines.clone(), woken.clone());
        drop(lp.add_task(async move {
            // A deadline on a grid of 10 µs (so that many sleepers share
            // one), ahead of the moment its timer registers: a deadline
            // already past then would complete at once, outside deadline
            // order. Aim 1 ms ahead; if this thread was preempted for longer
            // than that before the first poll registered the timer, the poll
            // says so (`Ready`) and the sleeper aims further ahead.
            let mut ahead = Duration::from_millis(1);
            let (deadline, nap) = loop {
                let earliest = Instant::now() + ahead - origin;
                let step = earliest.as_micros() as u64 / STEP_US + 1 + offset;
                let deadline = origin + Duration::from_micros(step * STEP_US);
                let mut nap = sleep_until(deadline);
                if poll_once(Pin::new(&mut nap)).is_pending() {
                    break (deadline, nap);
                }
                ahead *= 2;
            };
            deadlines.borrow_mut().push((deadline, i));
            nap.await;
            assert!(Instant::now() >= deadline, "sleeper {i} woke early");
            woken.borrow_mut().push(i);
        }));
    }
    lp.run();
    // Tasks are first polled, and create their sleeps (a retried one is
    // still made before the next task's), in task order: among equal
    // deadlines, task order is creation order.
    let mut deadlines = deadlines.take();
    deadlines.sort();
    let expected: Vec<usize> = deadlines.iter().map(|&(_, i)| i).collect();
    let woken = woken.borrow();
    assert_eq!(woken.len(), SLEEPERS);
    assert!(*woken == expected, "sleepers woke out of deadline order");
}

#[test]
fn many_tasks_share_one_store_per_loop() {
    let lp = Loop::new();
    lp.run_task(async {
        // paused: the 1 ms sleep cannot fire before it is counted, however
        // late this thread gets to count it
        loop_time::pause();
        let tasks: Vec<_> = (0..10)
            .map(|i| spawn(async move { sleep(Duration::from_millis(i)).await }))
            .collect();
        interrupt().await;
        assert_eq!(timer_count(), 9); // sleep(0) needs no timer
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(timer_count(), 0);
    });
}
