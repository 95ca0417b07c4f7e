//! `timeout` and `timeout_at`: the future wins when it is ready, the limit
//! when it is not, and losing drops the future.

use std::cell::Cell;
use std::error::Error;
use std::future::{Future, pending, ready};
use std::rc::Rc;
use std::time::{Duration, Instant};

use loop_core::Loop;
use loop_time::{Elapsed, now, pause, sleep, timeout, timeout_at, timer_count};

/// Sets its flag when dropped.
struct DropFlag(Rc<Cell<bool>>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

#[test]
fn a_ready_future_wins_even_past_the_deadline() {
    Loop::new().run_task(async {
        let past = Instant::now() - Duration::from_secs(1);
        assert_eq!(timeout_at(past, ready(1)).await, Ok(1));
        assert_eq!(timeout(Duration::ZERO, ready(2)).await, Ok(2));
        assert_eq!(timer_count(), 0);
    });
}

#[test]
fn a_slow_future_loses_and_is_dropped() {
    let dropped = Rc::new(Cell::new(false));
    let flag = DropFlag(dropped.clone());
    let result = Loop::new().run_task(async {
        pause();
        let start = now();
        let result = timeout(Duration::from_secs(5), async move {
            let _flag = flag;
            pending::<()>().await;
        })
        .await;
        assert_eq!(now() - start, Duration::from_secs(5));
        result
    });
    assert!(result.is_err());
    assert!(dropped.get());
}

#[test]
fn a_future_that_finishes_in_time_returns_its_output_and_cancels_the_timer() {
    Loop::new().run_task(async {
        let result = timeout(Duration::from_secs(60), async {
            sleep(Duration::from_millis(1)).await;
            "done"
        })
        .await;
        assert_eq!(result, Ok("done"));
        assert_eq!(timer_count(), 0);
    });
}

#[test]
fn timeout_at_never_gives_up_before_its_deadline() {
    Loop::new().run_task(async {
        for micros in [0, 50, 500, 2_000] {
            let deadline = Instant::now() + Duration::from_micros(micros);
            assert!(timeout_at(deadline, pending::<()>()).await.is_err());
            assert!(Instant::now() >= deadline);
        }
    });
}

#[test]
fn timeout_with_duration_max_never_elapses() {
    Loop::new().run_task(async {
        let result = timeout(Duration::MAX, async {
            sleep(Duration::from_millis(1)).await;
            3
        })
        .await;
        assert_eq!(result, Ok(3));
    });
}

#[test]
fn dropping_a_pending_timeout_drops_its_future_and_frees_its_timer() {
    let dropped = Rc::new(Cell::new(false));
    let flag = DropFlag(dropped.clone());
    Loop::new().run_task(async {
        let mut t = Box::pin(timeout(Duration::from_secs(60), async move {
            let _flag = flag;
            pending::<()>().await;
        }));
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        assert!(t.as_mut().poll(&mut cx).is_pending());
        assert_eq!(timer_count(), 1);
        drop(t);
        assert_eq!(timer_count(), 0);
    });
    assert!(dropped.get());
}

#[test]
fn elapsed_is_an_error_that_converts_to_io_timed_out() {
    let err = Loop::new()
        .run_task(timeout(Duration::ZERO, pending::<()>()))
        .unwrap_err();
    assert_eq!(err.to_string(), "deadline has elapsed");
    let boxed: Box<dyn Error + Send + Sync> = Box::new(err);
    assert!(boxed.source().is_none());
    let io: std::io::Error = err.into();
    assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);
    let _: Elapsed = err;
}
