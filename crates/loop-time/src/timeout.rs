//! `timeout` and `timeout_at`: a future raced against a [`Sleep`].
//!
//! The future is polled first, every time, so a future that is ready wins
//! even when the time limit has passed, and a timeout around a future that is
//! ready on its first poll costs no clock read and no timer: the `Sleep` is
//! made only when the future first returns `Pending`.
//!
//! The returned future is an `async` block rather than a named `Timeout<F>`
//! type: holding `F` inline in a named type needs a pin projection, which
//! takes `unsafe` code or a macro crate, and this crate is
//! `#![forbid(unsafe_code)]` with a short dependency list. The block holds
//! `F` inline and allocates nothing; pin it (`pin!`, `Box::pin`) to poll it
//! by hand.

use std::error::Error;
use std::fmt;
use std::future::{Future, IntoFuture, poll_fn};
use std::io;
use std::pin::{Pin, pin};
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use crate::sleep::{Sleep, sleep_until};

/// Runs `future` for at most `duration`: `Ok(output)` if it completes in
/// time, `Err(Elapsed)` otherwise (and `future` is dropped).
///
/// The time limit starts when the returned future is first polled and
/// `future` is not ready at once (a `timeout` that is awaited where it is
/// made, the usual case, starts at the call). `Duration::MAX` means no limit.
///
/// # Precision
///
/// Never early; see [`sleep`](crate::sleep()).
///
/// # Cancellation
///
/// Dropping the returned future drops `future` and cancels the timer.
///
/// # Panics
///
/// If `future` is not ready on its first poll and no goldiloop loop runs
/// (the timer needs one). Polled on another loop once its timer is started,
/// the timer moves there (see [`Sleep`]); the returned future is `Send`
/// when `future` is.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use loop_core::Loop;
/// use loop_time::{sleep, timeout};
///
/// Loop::new().run_task(async {
///     assert_eq!(timeout(Duration::from_secs(1), async { 7 }).await, Ok(7));
///     let slow = sleep(Duration::from_secs(60));
///     assert!(timeout(Duration::from_millis(1), slow).await.is_err());
/// });
/// ```
#[doc(alias = "with_timeout")]
pub fn timeout<F: IntoFuture>(
    duration: Duration,
    future: F,
) -> impl Future<Output = Result<F::Output, Elapsed>> {
    // Whole nanoseconds in a `u64`: a longer limit (over 500 years) never
    // elapses anyway.
    let nanos = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
    race(future.into_future(), move |waker| {
        let duration = match nanos {
            u64::MAX => Duration::MAX,
            nanos => Duration::from_nanos(nanos),
        };
        Sleep::started(duration, waker)
    })
}

/// Runs `future` until `deadline` at most: `Ok(output)` if it completes in
/// time, `Err(Elapsed)` otherwise (and `future` is dropped).
///
/// `future` is polled first, so it wins if it is ready even when `deadline`
/// is past.
///
/// # Precision
///
/// Never early; see [`sleep`](crate::sleep()).
///
/// # Cancellation
///
/// Dropping the returned future drops `future` and cancels the timer.
///
/// # Panics
///
/// If `future` is not ready on its first poll and no goldiloop loop runs.
/// Polled on another loop, its timer moves there (see [`Sleep`]).
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
/// use loop_core::Loop;
/// use loop_time::{Elapsed, timeout_at};
///
/// let deadline = Instant::now() + Duration::from_millis(5);
/// let never = std::future::pending::<()>();
/// let result = Loop::new().run_task(timeout_at(deadline, never));
/// assert!(matches!(result, Err(Elapsed { .. })));
/// assert!(Instant::now() >= deadline);
/// ```
pub fn timeout_at<F: IntoFuture>(
    deadline: Instant,
    future: F,
) -> impl Future<Output = Result<F::Output, Elapsed>> {
    race(future.into_future(), move |_| sleep_until(deadline))
}

/// Races `future` against a [`Sleep`] made by `start` when `future` first
/// waits. What `start` captures is kept small (a `u64` or an `Instant`):
/// a timeout whose future is ready at once does little more than copy it.
async fn race<F: Future>(future: F, start: impl Fn(&Waker) -> Sleep) -> Result<F::Output, Elapsed> {
    let mut future = pin!(future);
    let mut timer: Option<Sleep> = None;
    poll_fn(move |cx| {
        if let Poll::Ready(output) = future.as_mut().poll(cx) {
            return Poll::Ready(Ok(output));
        }
        let sleep = timer.get_or_insert_with(|| start(cx.waker()));
        Pin::new(sleep)
            .poll(cx)
            .map(|()| Err(Elapsed { _private: () }))
    })
    .await
}

/// The error of [`timeout`] and [`timeout_at`]: the time limit passed first.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use loop_core::Loop;
/// use loop_time::timeout;
///
/// let err = Loop::new()
///     .run_task(timeout(Duration::ZERO, std::future::pending::<()>()))
///     .unwrap_err();
/// assert_eq!(err.to_string(), "deadline has elapsed");
/// let io: std::io::Error = err.into();
/// assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed {
    _private: (),
}

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl Error for Elapsed {}

impl From<Elapsed> for io::Error {
    fn from(elapsed: Elapsed) -> io::Error {
        io::Error::new(io::ErrorKind::TimedOut, elapsed)
    }
}
