//! No busy waiting: a loop that waits on a timer sleeps in its park.

use std::time::{Duration, Instant};

use loop_core::Loop;
use loop_time::sleep;
use test_support::thread_cpu_time;

#[test]
fn sleeping_one_second_on_an_idle_loop_costs_a_few_milliseconds_of_cpu_at_most() {
    let lp = Loop::new();
    // warm-up: the loop's own structures, and its timer store (made on the
    // first timer), which a slow run (valgrind) takes milliseconds to build
    lp.run_task(sleep(Duration::from_millis(1)));
    let start = Instant::now();
    let cpu = thread_cpu_time();
    lp.run_task(sleep(Duration::from_secs(1)));
    let cpu = thread_cpu_time() - cpu;
    assert!(start.elapsed() >= Duration::from_secs(1));
    assert!(
        cpu < Duration::from_millis(5),
        "sleep(1 s) used {cpu:?} of CPU"
    );
}

/// The CPU time this thread spends in `f`.
fn cpu_of(f: impl FnOnce()) -> Duration {
    let before = thread_cpu_time();
    f();
    thread_cpu_time() - before
}

#[test]
fn a_hundred_short_sleeps_never_spin() {
    const SLEEPS: u32 = 100;
    const NAP: Duration = Duration::from_millis(2);
    let naps = || async {
        for _ in 0..SLEEPS {
            sleep(NAP).await;
        }
    };
    // The same work without the waiting: on a paused clock, each sleep is
    // registered, fired (by auto-advance) and polled, but nobody waits.
    let paused = Loop::new();
    paused.run_task(async { loop_time::pause() });
    let work = cpu_of(|| paused.run_task(naps()));
    let lp = Loop::new();
    lp.run_task(sleep(Duration::from_millis(1))); // warm-up, as `paused` was
    let start = Instant::now();
    let cpu = cpu_of(|| lp.run_task(naps()));
    let wall = start.elapsed();
    let asleep = NAP * SLEEPS;
    assert!(wall >= asleep);
    // Waiting itself costs each wake-up tens of µs in the kernel; a loop that
    // spun through its sleeps (or through the last half-millisecond of each)
    // would spend most of the 200 ms on the CPU. Comparing with the same
    // work on the paused clock keeps a slow run (valgrind) from counting its
    // slowness as spinning; CPU time does not grow when the thread is
    // preempted, so a loaded machine does not hide spinning either.
    let waiting = cpu.saturating_sub(work);
    assert!(
        waiting < asleep / 4,
        "{SLEEPS} sleeps of {NAP:?} used {cpu:?} of CPU in {wall:?}, \
         {work:?} of it for the same work on a paused clock"
    );
}
