//! The words loop-time says when it is misused, kept in one place so that each
//! message names what went wrong and what to do instead, and tests can check
//! them.

/// A timer was polled, or the clock used, where no goldiloop loop runs.
pub(crate) const NO_LOOP: &str = "goldiloop: a timer (`sleep`, `timeout`, `interval`) or the \
     clock (`pause`, `advance`, `resume`, `timer_count`) was used outside a running goldiloop \
     loop; await it inside a task of a `Loop` (`Loop::new().run_task(..)` or `add_task`), \
     not on another runtime or outside any loop";

/// `advance` called while the clock runs.
pub(crate) const NOT_PAUSED: &str = "goldiloop: `loop_time::advance()` called while the loop's \
     clock is running; call `loop_time::pause()` first (real time cannot be advanced)";

/// `advance` past what an `Instant` can hold.
pub(crate) const ADVANCE_OVERFLOW: &str = "goldiloop: `loop_time::advance()` moved the paused \
     clock past the largest `Instant`; advance by a smaller duration";

/// `interval` with a zero period.
pub(crate) const ZERO_PERIOD: &str = "goldiloop: `interval` called with a zero period, which \
     would tick without end; give a period greater than `Duration::ZERO`";

/// A loop holds more timers than a slot index can name.
pub(crate) const TOO_MANY_TIMERS: &str = "goldiloop: more than 4 billion timers on one loop; \
     drop the timers you no longer wait on (dropping a `Sleep` or a timeout frees its slot)";
