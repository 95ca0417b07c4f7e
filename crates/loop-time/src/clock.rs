//! The loop's clock: real time, or a paused clock that tests move by hand
//! ([`advance`](crate::advance)) or that jumps to the next deadline when
//! every task waits on a timer (auto-advance).
//!
//! Each loop has its own clock, kept in its timer store. It tells *virtual*
//! time as a std [`Instant`]: equal to real time until the clock is first
//! paused; while paused it stands still; after [`resume`](crate::resume) it
//! runs again at the speed of real time from where it stood, so it never goes
//! backwards.
//! Timers are keyed in virtual time; the store translates the earliest
//! deadline back to real time for the loop's park.
//!
//! A thread-local flag remembers whether any clock on this thread was ever
//! paused ([`ever_paused`]): until then, `loop_time::now()` is just
//! `Instant::now()`, with no lookup of the current loop.
//!
//! This module knows nothing of loops or timers: the store owns a `Clock`,
//! and `current.rs` finds the current loop's store for the public functions
//! ([`now`](crate::now), [`pause`](crate::pause), ...).

use std::cell::Cell;
use std::time::{Duration, Instant};

use crate::messages;

thread_local! {
    /// Set once a clock on this thread is paused: virtual time may then
    /// differ from real time, and `now()` must ask the current loop.
    static SHIFTED: Cell<bool> = const { Cell::new(false) };
}

/// True once a clock on this thread has been paused: virtual time may then
/// differ from real time on some loop of this thread.
#[inline]
pub(crate) fn ever_paused() -> bool {
    SHIFTED.get()
}

/// A loop's clock; see the module docs.
#[derive(Debug)]
pub(crate) struct Clock {
    /// While paused: the virtual time it stands at.
    paused: Cell<Option<Instant>>,
    /// Once paused and resumed: (real, virtual) time at the resume, from
    /// which virtual time runs on. `None`: virtual time is real time.
    shift: Cell<Option<(Instant, Instant)>>,
}

impl Clock {
    pub(crate) fn new() -> Clock {
        Clock {
            paused: Cell::new(None),
            shift: Cell::new(None),
        }
    }

    /// The current virtual time.
    #[inline]
    pub(crate) fn now(&self) -> Instant {
        if let Some(frozen) = self.paused.get() {
            return frozen;
        }
        match self.shift.get() {
            None => Instant::now(),
            Some((real, virt)) => {
                let ran = Instant::now().saturating_duration_since(real);
                virt.checked_add(ran).unwrap_or(virt)
            }
        }
    }

    pub(crate) fn is_paused(&self) -> bool {
        self.paused.get().is_some()
    }

    pub(crate) fn pause(&self) {
        if !self.is_paused() {
            SHIFTED.set(true);
            self.paused.set(Some(self.now()));
        }
    }

    pub(crate) fn resume(&self) {
        if let Some(frozen) = self.paused.take() {
            self.shift.set(Some((Instant::now(), frozen)));
        }
    }

    /// Moves a paused clock to `to`, if that is later than where it stands.
    pub(crate) fn jump_to(&self, to: Instant) {
        if let Some(frozen) = self.paused.get()
            && to > frozen
        {
            self.paused.set(Some(to));
        }
    }

    /// Moves a paused clock forward by `by`.
    #[track_caller]
    pub(crate) fn advance(&self, by: Duration) {
        let Some(frozen) = self.paused.get() else {
            panic!("{}", messages::NOT_PAUSED);
        };
        let to = frozen
            .checked_add(by)
            .unwrap_or_else(|| panic!("{}", messages::ADVANCE_OVERFLOW));
        self.paused.set(Some(to));
    }

    /// The real instant at which virtual time reaches `at`, for the loop's
    /// park (which waits in real time). `None` if it cannot be represented.
    pub(crate) fn real_time_of(&self, at: Instant) -> Option<Instant> {
        match self.shift.get() {
            None => Some(at),
            Some((real, virt)) => real.checked_add(at.saturating_duration_since(virt)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_never_paused_tells_real_time() {
        let clock = Clock::new();
        let before = Instant::now();
        let now = clock.now();
        assert!(before <= now && now <= Instant::now());
        assert!(!clock.is_paused());
        assert_eq!(clock.real_time_of(now), Some(now));
    }

    #[test]
    fn a_paused_clock_stands_still_and_moves_only_when_advanced() {
        let clock = Clock::new();
        clock.pause();
        assert!(clock.is_paused() && ever_paused());
        let frozen = clock.now();
        assert_eq!(clock.now(), frozen);
        clock.advance(Duration::from_secs(5));
        assert_eq!(clock.now(), frozen + Duration::from_secs(5));
        clock.jump_to(frozen); // backwards: ignored
        assert_eq!(clock.now(), frozen + Duration::from_secs(5));
        clock.jump_to(frozen + Duration::from_secs(7));
        assert_eq!(clock.now(), frozen + Duration::from_secs(7));
    }

    #[test]
    fn a_resumed_clock_runs_on_from_where_it_stood() {
        let clock = Clock::new();
        clock.pause();
        clock.advance(Duration::from_secs(3600));
        let stood = clock.now();
        clock.resume();
        assert!(!clock.is_paused());
        let now = clock.now();
        assert!(now >= stood, "the clock went backwards");
        // virtual time is an hour ahead of real time: the park waits in
        // real time, an hour earlier
        let real = clock.real_time_of(now + Duration::from_secs(1)).unwrap();
        assert!(real < Instant::now() + Duration::from_secs(2));
    }

    #[test]
    fn advancing_a_running_clock_panics_with_the_fix() {
        let clock = Clock::new();
        let advance = || clock.advance(Duration::from_secs(1));
        let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(advance));
        let payload = err.expect_err("advance on a running clock must panic");
        let msg = payload.downcast_ref::<String>().map(String::as_str);
        assert_eq!(msg, Some(messages::NOT_PAUSED));
    }
}
