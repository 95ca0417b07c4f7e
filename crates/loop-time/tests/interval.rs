//! `Interval` on the paused clock: exact tick instants, and each missed-tick
//! behaviour after a late tick.

use std::time::Duration;

use futures_util::StreamExt;
use loop_core::Loop;
use loop_time::{MissedTickBehavior, advance, interval, interval_at, now, pause};

const SEC: Duration = Duration::from_secs(1);

#[test]
fn the_first_tick_is_immediate_and_the_next_come_one_period_apart() {
    Loop::new().run_task(async {
        pause();
        let start = now();
        let mut ticks = interval(10 * SEC);
        for i in 0..5 {
            assert_eq!(ticks.tick().await, start + i * 10 * SEC);
            assert_eq!(now(), start + i * 10 * SEC);
        }
    });
}

#[test]
fn interval_at_starts_at_the_given_instant() {
    Loop::new().run_task(async {
        pause();
        let start = now() + 5 * SEC;
        let mut ticks = interval_at(start, 2 * SEC);
        assert_eq!(ticks.tick().await, start);
        assert_eq!(now(), start);
        assert_eq!(ticks.tick().await, start + 2 * SEC);
    });
}

/// Ticks at 0 and 10 on time, then is 25 s late for the tick due at 20
/// (delivered at 35, with a period of 10): returns the offsets of the ticks
/// and of the clock when each was delivered.
fn late_ticks(behavior: MissedTickBehavior) -> Vec<(u64, u64)> {
    Loop::new().run_task(async move {
        pause();
        let start = now();
        let mut ticks = interval(10 * SEC);
        ticks.set_missed_tick_behavior(behavior);
        let mut seen = Vec::new();
        for i in 0..6 {
            if i == 2 {
                advance(25 * SEC).await;
            }
            let tick = ticks.tick().await;
            seen.push(((tick - start).as_secs(), (now() - start).as_secs()));
        }
        seen
    })
}

#[test]
fn burst_delivers_missed_ticks_at_once_then_keeps_the_schedule() {
    assert_eq!(
        late_ticks(MissedTickBehavior::Burst),
        [(0, 0), (10, 10), (20, 35), (30, 35), (40, 40), (50, 50)]
    );
}

#[test]
fn delay_restarts_the_schedule_one_period_after_the_late_tick() {
    assert_eq!(
        late_ticks(MissedTickBehavior::Delay),
        [(0, 0), (10, 10), (20, 35), (45, 45), (55, 55), (65, 65)]
    );
}

#[test]
fn skip_drops_missed_ticks_and_keeps_the_original_grid() {
    assert_eq!(
        late_ticks(MissedTickBehavior::Skip),
        [(0, 0), (10, 10), (20, 35), (40, 40), (50, 50), (60, 60)]
    );
}

#[test]
fn burst_is_the_default() {
    assert_eq!(
        interval(SEC).missed_tick_behavior(),
        MissedTickBehavior::Burst
    );
}

#[test]
fn interval_is_a_stream_of_tick_instants() {
    Loop::new().run_task(async {
        pause();
        let start = now();
        let ticks: Vec<_> = interval(3 * SEC).take(4).collect().await;
        let offsets: Vec<_> = ticks.iter().map(|t| (*t - start).as_secs()).collect();
        assert_eq!(offsets, [0, 3, 6, 9]);
    });
}

#[test]
fn reset_starts_the_schedule_again_from_now() {
    Loop::new().run_task(async {
        pause();
        let start = now();
        let mut ticks = interval(10 * SEC);
        ticks.tick().await;
        advance(4 * SEC).await;
        ticks.reset();
        assert_eq!(ticks.tick().await, start + 14 * SEC);
        assert_eq!(ticks.tick().await, start + 24 * SEC);
    });
}

#[test]
fn ticks_on_the_real_clock_are_never_early() {
    Loop::new().run_task(async {
        let mut ticks = interval(Duration::from_millis(2));
        for _ in 0..5 {
            let tick = ticks.tick().await;
            assert!(std::time::Instant::now() >= tick);
        }
    });
}
