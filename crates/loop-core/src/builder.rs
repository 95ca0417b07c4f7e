//! `LoopBuilder`: a loop with its observability settings (slow polls, poll
//! timings, the leak report) and its park.

use std::fmt;
use std::rc::Rc;
use std::time::Duration;

use crate::dump::TaskDump;
use crate::event_loop::Loop;
use crate::park::{Park, ThreadParker};
use crate::slow_poll::{self, SlowPoll};

/// The environment variable that turns the leak report on (`1`) for loops
/// whose builder did not choose.
pub const REPORT_LEAKS_ENV: &str = "GOLDILOOP_REPORT_LEAKS";

/// A hook that receives slow polls.
pub(crate) type SlowPollHook = Box<dyn Fn(&SlowPoll<'_>)>;
/// A hook that receives the leak report.
pub(crate) type LeakHook = Box<dyn Fn(&TaskDump)>;

/// What a loop observes beyond its always-on counters.
pub(crate) struct Config {
    pub(crate) slow_poll: Option<Duration>,
    pub(crate) time_polls: bool,
    pub(crate) on_slow_poll: SlowPollHook,
    pub(crate) on_leaks: Option<LeakHook>,
}

impl Config {
    /// What `Loop::new()` gets: the environment's choices, else the defaults.
    pub(crate) fn from_env() -> Config {
        LoopBuilder::new().config()
    }
}

/// Builds a [`Loop`] with its observability settings: [`Loop::builder`].
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use loop_core::Loop;
///
/// let lp = Loop::builder()
///     .slow_poll(Some(Duration::from_millis(50)))
///     .time_polls(true)
///     .report_leaks(true)
///     .build();
/// lp.run_task(async {});
/// ```
#[must_use = "a builder does nothing until `build` is called"]
pub struct LoopBuilder {
    slow_poll: Option<Option<Duration>>,
    time_polls: bool,
    on_slow_poll: Option<SlowPollHook>,
    report_leaks: Option<bool>,
    on_leaks: Option<LeakHook>,
}

impl LoopBuilder {
    /// A builder with the defaults (see each setting).
    pub fn new() -> LoopBuilder {
        LoopBuilder {
            slow_poll: None,
            time_polls: false,
            on_slow_poll: None,
            report_leaks: None,
            on_leaks: None,
        }
    }

    /// Reports every poll that runs longer than `threshold` (`None`: never).
    ///
    /// A loop with a threshold reads the clock before and after each poll
    /// (see benches/README.md for the cost). Without this call the threshold
    /// comes from the environment variable `GOLDILOOP_SLOW_POLL_MS` (a number
    /// of milliseconds, `0` for off), else it is 10 ms in debug builds and off
    /// in release builds.
    pub fn slow_poll(mut self, threshold: Option<Duration>) -> LoopBuilder {
        self.slow_poll = Some(threshold);
        self
    }

    /// Where slow polls are reported; the default writes one line to stderr
    /// (the [`SlowPoll`]'s `Display`).
    pub fn on_slow_poll(mut self, hook: impl Fn(&SlowPoll<'_>) + 'static) -> LoopBuilder {
        self.on_slow_poll = Some(Box::new(hook));
        self
    }

    /// Records each task's age, polls, busy time, longest poll and waiting
    /// time, for [`Loop::dump`] (off by default: it reads the clock around
    /// every poll and gives each task a small side record).
    pub fn time_polls(mut self, on: bool) -> LoopBuilder {
        self.time_polls = on;
        self
    }

    /// When the loop is dropped with tasks still pending, lists them on
    /// stderr with their spawn sites (and ages, if it times polls). Without
    /// this call it is on if the environment variable `GOLDILOOP_REPORT_LEAKS`
    /// is `1`, off otherwise.
    pub fn report_leaks(mut self, on: bool) -> LoopBuilder {
        self.report_leaks = Some(on);
        self
    }

    /// Hands the leak report to `hook` instead of stderr (and turns it on).
    pub fn on_leaks(mut self, hook: impl Fn(&TaskDump) + 'static) -> LoopBuilder {
        self.on_leaks = Some(Box::new(hook));
        self.report_leaks = Some(true);
        self
    }

    pub(crate) fn config(self) -> Config {
        let slow_poll = self.slow_poll.unwrap_or_else(slow_poll::threshold_from_env);
        let report = self
            .report_leaks
            .unwrap_or_else(|| std::env::var(REPORT_LEAKS_ENV).is_ok_and(|v| leaks_wanted(&v)));
        let on_leaks = report.then(|| {
            self.on_leaks
                .unwrap_or_else(|| Box::new(report_leaks_to_stderr))
        });
        Config {
            slow_poll,
            time_polls: self.time_polls,
            on_slow_poll: self
                .on_slow_poll
                .unwrap_or_else(|| Box::new(slow_poll::report_to_stderr)),
            on_leaks,
        }
    }

    /// A loop that parks its thread with a [`ThreadParker`].
    pub fn build(self) -> Loop {
        self.build_with_park(ThreadParker::new())
    }

    /// A loop that waits for events with `park` (see [`Loop::with_park`]).
    pub fn build_with_park(self, park: impl Park) -> Loop {
        Loop::from_parts(Rc::new(park), self.config())
    }
}

impl Default for LoopBuilder {
    fn default() -> LoopBuilder {
        LoopBuilder::new()
    }
}

impl fmt::Debug for LoopBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoopBuilder")
            .field("slow_poll", &self.slow_poll)
            .field("time_polls", &self.time_polls)
            .field("report_leaks", &self.report_leaks)
            .finish_non_exhaustive()
    }
}

/// `GOLDILOOP_REPORT_LEAKS`'s values that turn the report on.
pub(crate) fn leaks_wanted(value: &str) -> bool {
    matches!(value.trim(), "1" | "true" | "yes")
}

/// The default leak report.
fn report_leaks_to_stderr(tasks: &TaskDump) {
    eprint!(
        "goldiloop: a loop was dropped with {} task(s) still pending (they are cancelled now):\n{tasks}",
        tasks.len()
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slow_poll::parse_threshold;

    #[test]
    fn report_leaks_env_accepts_one_true_and_yes_only() {
        let on: Vec<bool> = ["1", "true", " yes ", "0", "", "no"]
            .iter()
            .map(|v| leaks_wanted(v))
            .collect();
        assert_eq!(on, [true, true, true, false, false, false]);
    }

    #[test]
    fn slow_poll_env_is_milliseconds_with_zero_for_off() {
        assert_eq!(parse_threshold("25"), Some(Some(Duration::from_millis(25))));
        assert_eq!(parse_threshold("0"), Some(None));
        assert_eq!(parse_threshold("soon"), None, "the default applies");
    }

    #[test]
    fn the_builders_choice_wins_over_the_defaults() {
        let config = LoopBuilder::new()
            .slow_poll(Some(Duration::from_millis(3)))
            .report_leaks(false)
            .config();
        assert_eq!(config.slow_poll, Some(Duration::from_millis(3)));
        assert!(config.on_leaks.is_none());
        assert!(
            LoopBuilder::new()
                .on_leaks(|_| {})
                .config()
                .on_leaks
                .is_some()
        );
    }
}
