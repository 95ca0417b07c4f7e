//! Slow polls: [`SlowPoll`], what the loop reports when one poll of a task
//! runs longer than the threshold, and the default report (one line on stderr).

use std::fmt;
use std::panic::Location;
use std::time::Duration;

use crate::task_id::TaskId;

/// The default threshold: 10 ms in debug builds, off in release builds.
///
/// Debug builds time every poll (a clock read before and after), which is
/// cheap beside everything else a debug build does and catches a blocking
/// call during development; release builds pay nothing unless asked
/// (`LoopBuilder::slow_poll`, or the environment variable
/// `GOLDILOOP_SLOW_POLL_MS`).
pub(crate) const DEFAULT_THRESHOLD: Option<Duration> = if cfg!(debug_assertions) {
    Some(Duration::from_millis(10))
} else {
    None
};

/// The environment variable that sets the slow-poll threshold in
/// milliseconds for loops whose builder did not (`0` turns it off).
pub const SLOW_POLL_ENV: &str = "GOLDILOOP_SLOW_POLL_MS";

/// The threshold from `SLOW_POLL_ENV`, else the build's default.
pub(crate) fn threshold_from_env() -> Option<Duration> {
    match std::env::var(SLOW_POLL_ENV) {
        Ok(ms) => parse_threshold(&ms).unwrap_or(DEFAULT_THRESHOLD),
        Err(_) => DEFAULT_THRESHOLD,
    }
}

/// `"0"` is off, a number of milliseconds a threshold; anything else `None`
/// (the default applies).
pub(crate) fn parse_threshold(ms: &str) -> Option<Option<Duration>> {
    let ms: u64 = ms.trim().parse().ok()?;
    Some((ms > 0).then(|| Duration::from_millis(ms)))
}

/// One poll that ran longer than the loop's slow-poll threshold, as given
/// to the hook set with [`LoopBuilder::on_slow_poll`](crate::LoopBuilder::on_slow_poll).
///
/// It prints as the default report's line.
///
/// # Examples
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// use std::time::Duration;
/// use loop_core::Loop;
///
/// let seen = Rc::new(RefCell::new(Vec::new()));
/// let log = seen.clone();
/// let lp = Loop::builder()
///     .slow_poll(Some(Duration::from_millis(5)))
///     .on_slow_poll(move |slow| log.borrow_mut().push(slow.to_string()))
///     .build();
/// drop(lp.add_task_named("sleepy", async { std::thread::sleep(Duration::from_millis(20)) }));
/// lp.run();
/// assert!(seen.borrow()[0].contains("\"sleepy\""));
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct SlowPoll<'a> {
    /// The task.
    pub id: TaskId,
    /// Its name, if it has one.
    pub name: Option<&'a str>,
    /// Where it was spawned.
    pub spawn_site: &'static Location<'static>,
    /// How long the poll ran.
    pub duration: Duration,
    /// The threshold it passed.
    pub threshold: Duration,
}

impl fmt::Display for SlowPoll<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "goldiloop: slow poll: task {}", self.id)?;
        if let Some(name) = self.name {
            write!(f, " {name:?}")?;
        }
        write!(
            f,
            " (spawned at {}) ran {:.1?} without yielding (threshold {:.1?}); \
             move blocking work to `spawn_blocking`",
            self.spawn_site, self.duration, self.threshold
        )
    }
}

/// The default hook: one line on stderr.
pub(crate) fn report_to_stderr(slow: &SlowPoll<'_>) {
    eprintln!("{slow}");
}
