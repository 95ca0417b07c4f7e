//! `Interval`: ticks at a fixed period, over one reused [`Sleep`].
//!
//! After each tick the sleep is reset to the next tick's instant, chosen by
//! the [`MissedTickBehavior`] when the loop delivered the tick so late that
//! the next one is already due. A tick returns its *scheduled* instant, so
//! ticks are exact multiples of the period from the start unless the policy
//! moves them.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures_util::Stream;

use crate::current;
use crate::messages;
use crate::sleep::{Sleep, deadline_after, sleep_until};

/// Ticks every `period`, the first tick at once.
///
/// # Panics
///
/// If `period` is zero.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use loop_core::Loop;
/// use loop_time::{interval, pause};
///
/// Loop::new().run_task(async {
///     pause();
///     let mut ticks = interval(Duration::from_secs(10));
///     let first = ticks.tick().await; // at once
///     let second = ticks.tick().await;
///     assert_eq!(second - first, Duration::from_secs(10));
/// });
/// ```
#[track_caller]
pub fn interval(period: Duration) -> Interval {
    interval_at(current::now(), period)
}

/// Ticks every `period`, the first tick at `start`.
///
/// # Panics
///
/// If `period` is zero.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use loop_core::Loop;
/// use loop_time::{interval_at, now, pause};
///
/// Loop::new().run_task(async {
///     pause();
///     let start = now() + Duration::from_secs(5);
///     let mut ticks = interval_at(start, Duration::from_secs(1));
///     assert_eq!(ticks.tick().await, start);
///     assert_eq!(ticks.tick().await, start + Duration::from_secs(1));
/// });
/// ```
#[track_caller]
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    assert!(!period.is_zero(), "{}", messages::ZERO_PERIOD);
    Interval {
        sleep: sleep_until(start),
        period,
        missed: MissedTickBehavior::default(),
    }
}

/// What an [`Interval`] does when a tick is delivered so late that the next
/// tick is already due (the loop was busy, or the task did not call
/// [`tick`](Interval::tick) in time).
///
/// With a period of 10 and ticks scheduled at 0, 10, 20, ..., a tick due at
/// 10 that is delivered at 35 is followed by:
///
/// | policy  | next ticks                       |
/// |---------|----------------------------------|
/// | `Burst` | 20 and 30 at once, then 40, 50   |
/// | `Delay` | 45, 55, ...                      |
/// | `Skip`  | 40, 50, ...                      |
///
/// A tick delivered late but before the next one is due changes nothing.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use loop_time::{MissedTickBehavior, interval};
///
/// let mut ticks = interval(Duration::from_millis(10));
/// assert_eq!(ticks.missed_tick_behavior(), MissedTickBehavior::Burst);
/// ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissedTickBehavior {
    /// The default: deliver the missed ticks at once, one per `tick()`, then
    /// go on at the original schedule, so that `n` periods yield `n` ticks
    /// on average (as tokio does).
    #[default]
    Burst,
    /// Start a new schedule one period after the late tick was delivered:
    /// ticks are never closer than a period, and the schedule drifts.
    Delay,
    /// Drop the missed ticks and go on at the next instant of the original
    /// schedule that is still ahead.
    Skip,
}

impl MissedTickBehavior {
    /// The next tick after the one scheduled at `tick`, delivered at `now`,
    /// when `now` is at or past `tick + period`.
    fn next_after_miss(self, tick: Instant, now: Instant, period: Duration) -> Instant {
        match self {
            MissedTickBehavior::Burst => deadline_after(tick, period),
            MissedTickBehavior::Delay => deadline_after(now, period),
            MissedTickBehavior::Skip => {
                let late = (now - tick).as_nanos();
                let period_ns = period.as_nanos();
                let into_period = u64::try_from(late % period_ns).unwrap_or(0);
                deadline_after(now, period - Duration::from_nanos(into_period))
            }
        }
    }
}

/// Ticks at a fixed period: made by [`interval`] and [`interval_at`].
///
/// Await [`tick`](Interval::tick), or use it as a [`Stream`] of tick instants
/// (it never ends).
///
/// # Cancellation
///
/// `tick()` is cancel-safe: dropping its future before it completes loses no
/// tick. Dropping the `Interval` cancels its timer.
///
/// # Precision
///
/// Each tick is never early, and as prompt as a [`Sleep`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use futures_util::StreamExt;
/// use loop_core::Loop;
/// use loop_time::{interval, pause};
///
/// Loop::new().run_task(async {
///     pause();
///     let ticks: Vec<_> = interval(Duration::from_secs(1)).take(3).collect().await;
///     assert_eq!(ticks[2] - ticks[0], Duration::from_secs(2));
/// });
/// ```
#[derive(Debug)]
pub struct Interval {
    /// Set to the next tick's scheduled instant.
    sleep: Sleep,
    period: Duration,
    missed: MissedTickBehavior,
}

impl Interval {
    /// Waits for the next tick and returns the instant it was scheduled for.
    ///
    /// # Panics
    ///
    /// As [`poll_tick`](Interval::poll_tick).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use loop_core::Loop;
    /// use loop_time::interval;
    ///
    /// Loop::new().run_task(async {
    ///     let mut ticks = interval(Duration::from_millis(2));
    ///     let a = ticks.tick().await;
    ///     let b = ticks.tick().await;
    ///     assert_eq!(b - a, Duration::from_millis(2));
    /// });
    /// ```
    pub async fn tick(&mut self) -> Instant {
        std::future::poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Polls for the next tick: `Ready(scheduled instant)` once it is due;
    /// otherwise `Pending`, and `cx`'s waker is woken when it is.
    ///
    /// # Panics
    ///
    /// Outside a running goldiloop loop, or on a loop other than the one it
    /// was first polled on (an interval belongs to that loop's timer store).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::future::poll_fn;
    /// use std::time::Duration;
    /// use loop_core::Loop;
    /// use loop_time::interval;
    ///
    /// Loop::new().run_task(async {
    ///     let mut ticks = interval(Duration::from_millis(1));
    ///     let first = poll_fn(|cx| ticks.poll_tick(cx)).await;
    ///     let second = poll_fn(|cx| ticks.poll_tick(cx)).await;
    ///     assert_eq!(second - first, Duration::from_millis(1));
    /// });
    /// ```
    #[track_caller]
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        if Pin::new(&mut self.sleep).poll(cx).is_pending() {
            return Poll::Pending;
        }
        let tick = self.sleep.deadline();
        let mut next = deadline_after(tick, self.period);
        let now = self.sleep.now();
        if now >= next {
            next = self.missed.next_after_miss(tick, now, self.period);
        }
        self.sleep.reset(next);
        Poll::Ready(tick)
    }

    /// Starts the schedule again: the next tick comes one period from now.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use loop_core::Loop;
    /// use loop_time::{interval, now, pause};
    ///
    /// Loop::new().run_task(async {
    ///     pause();
    ///     let mut ticks = interval(Duration::from_secs(3));
    ///     ticks.tick().await;
    ///     loop_time::advance(Duration::from_secs(1)).await;
    ///     ticks.reset();
    ///     let after_reset = now();
    ///     assert_eq!(ticks.tick().await, after_reset + Duration::from_secs(3));
    /// });
    /// ```
    pub fn reset(&mut self) {
        let next = deadline_after(self.sleep.now(), self.period);
        self.sleep.reset(next);
    }

    /// The period between ticks.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use loop_time::interval;
    ///
    /// assert_eq!(interval(Duration::from_secs(2)).period(), Duration::from_secs(2));
    /// ```
    pub fn period(&self) -> Duration {
        self.period
    }

    /// What this interval does with missed ticks; see [`MissedTickBehavior`].
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use loop_time::{MissedTickBehavior, interval};
    ///
    /// let ticks = interval(Duration::from_secs(1));
    /// assert_eq!(ticks.missed_tick_behavior(), MissedTickBehavior::Burst);
    /// ```
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.missed
    }

    /// Sets what this interval does with missed ticks.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use loop_time::{MissedTickBehavior, interval};
    ///
    /// let mut ticks = interval(Duration::from_secs(1));
    /// ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    /// assert_eq!(ticks.missed_tick_behavior(), MissedTickBehavior::Delay);
    /// ```
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.missed = behavior;
    }
}

impl Stream for Interval {
    type Item = Instant;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Instant>> {
        self.get_mut().poll_tick(cx).map(Some)
    }
}
