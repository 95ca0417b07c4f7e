//! Timers are `Send + Sync`, and move to the loop that polls them: a sleep
//! handed to another loop or thread completes there, and its place on its
//! first loop is released wherever it is dropped.

use std::future::{Future, pending};
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use loop_core::{Loop, yield_now};
use loop_time::{Sleep, interval, sleep, timeout, timer_count};

/// Checks, at compile time, that `value` is `Send + Sync`.
fn send_sync<T: Send + Sync>(value: T) -> T {
    value
}

/// Polls `future` once with a waker that does nothing.
fn poll_once<F: Future + ?Sized>(future: Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

/// The number of timers `lp` holds once the tasks queued on it have run.
fn timers_left(lp: &Loop) -> usize {
    lp.run_task(async {
        yield_now().await;
        timer_count()
    })
}

#[test]
fn a_timeout_of_a_send_future_is_send_and_sync() {
    let limited = send_sync(timeout(Duration::from_secs(1), async { 7 }));
    assert_eq!(Loop::new().run_task(limited), Ok(7));
}

#[test]
fn a_sleep_first_polled_on_one_loop_completes_on_another_and_leaves_nothing_behind() {
    let (a, b) = (Loop::new(), Loop::new());
    let mut nap = sleep(Duration::from_millis(20));
    a.run_task(async { assert!(poll_once(Pin::new(&mut nap)).is_pending()) });
    assert_eq!(a.run_task(async { timer_count() }), 1);
    let deadline = nap.deadline();
    b.run_task(&mut nap);
    assert!(
        Instant::now() >= deadline,
        "never early, on the new loop too"
    );
    assert!(nap.is_elapsed());
    assert_eq!(
        timers_left(&a),
        0,
        "its place on the first loop is released"
    );
    assert_eq!(timers_left(&b), 0);
}

#[test]
fn a_sleep_waiting_on_one_loop_is_registered_on_the_loop_that_polls_it_next() {
    let (a, b) = (Loop::new(), Loop::new());
    let mut nap = sleep(Duration::from_secs(60));
    a.run_task(async { assert!(poll_once(Pin::new(&mut nap)).is_pending()) });
    b.run_task(async {
        assert!(poll_once(Pin::new(&mut nap)).is_pending());
        assert_eq!(timer_count(), 1);
    });
    assert_eq!(timers_left(&a), 0);
    drop(nap); // on no loop: released on `b` by a task
    assert_eq!(timers_left(&b), 0);
}

#[test]
fn a_reset_sleep_polled_on_another_loop_moves_there() {
    let (a, b) = (Loop::new(), Loop::new());
    let mut nap = sleep(Duration::from_secs(60));
    a.run_task(async { assert!(poll_once(Pin::new(&mut nap)).is_pending()) });
    nap.reset(Instant::now() + Duration::from_millis(5)); // away from `a`
    assert_eq!(timers_left(&a), 0, "the reset released the old place");
    b.run_task(&mut nap);
    assert!(nap.is_elapsed());
}

#[test]
fn an_interval_ticking_on_one_loop_ticks_on_another() {
    let (a, b) = (Loop::new(), Loop::new());
    let mut every = interval(Duration::from_millis(5));
    a.run_task(async {
        every.tick().await;
        every.tick().await;
        assert!(
            std::future::poll_fn(|cx| Poll::Ready(every.poll_tick(cx)))
                .await
                .is_pending()
        );
    });
    let start = Instant::now();
    b.run_task(async {
        every.tick().await;
        every.tick().await;
    });
    assert!(start.elapsed() >= Duration::from_millis(5));
    assert_eq!(timers_left(&a), 0);
}

#[test]
fn a_timeout_started_on_one_loop_elapses_on_another() {
    let (a, b) = (Loop::new(), Loop::new());
    let mut limited = Box::pin(timeout(Duration::from_millis(5), pending::<()>()));
    a.run_task(async { assert!(poll_once(limited.as_mut()).is_pending()) });
    assert!(b.run_task(limited.as_mut()).is_err());
    assert_eq!(timers_left(&a), 0);
}

#[test]
fn a_sleep_dropped_on_another_thread_is_released_on_its_loop() {
    let lp = Loop::new();
    let naps: Vec<Sleep> = lp.run_task(async {
        let mut naps: Vec<Sleep> = (0..10).map(|_| sleep(Duration::from_secs(60))).collect();
        for nap in &mut naps {
            assert!(poll_once(Pin::new(nap)).is_pending());
        }
        naps
    });
    assert_eq!(lp.run_task(async { timer_count() }), 10);
    std::thread::spawn(move || drop(naps)).join().unwrap();
    assert_eq!(timers_left(&lp), 0);
}

#[test]
fn a_sleep_reset_and_polled_on_another_thread_s_loop_completes_there() {
    let lp = Loop::new();
    let mut nap = sleep(Duration::from_secs(60));
    lp.run_task(async { assert!(poll_once(Pin::new(&mut nap)).is_pending()) });
    let done = std::thread::spawn(move || {
        nap.reset(Instant::now() + Duration::from_millis(2));
        Loop::new().run_task(&mut nap);
        nap.is_elapsed()
    })
    .join()
    .unwrap();
    assert!(done);
    assert_eq!(timers_left(&lp), 0);
}

#[test]
fn a_sleep_that_outlives_its_loop_drops_anywhere_without_harm() {
    let lp = Loop::new();
    let mut nap = sleep(Duration::from_secs(60));
    lp.run_task(async { assert!(poll_once(Pin::new(&mut nap)).is_pending()) });
    drop(lp);
    assert!(!nap.is_elapsed());
    std::thread::spawn(move || drop(nap)).join().unwrap();
}

#[test]
fn a_sleep_awaited_by_a_spawner_task_works_on_that_loop() {
    let lp = Loop::new();
    let spawner = lp.spawner();
    let handle = std::thread::spawn(move || {
        spawner.add_task(async {
            sleep(Duration::from_millis(2)).await;
            timer_count()
        })
    })
    .join()
    .unwrap();
    assert_eq!(lp.run_task(handle).unwrap(), 0);
}
