//! No busy waiting: a loop that waits on a timer sleeps in its park.

use std::time::{Duration, Instant};

use loop_core::Loop;
use loop_time::sleep;

/// CPU time used by the calling thread (user + system).
fn thread_cpu_time() -> Duration {
    // SAFETY: `getrusage` only writes into the struct we pass it.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        assert_eq!(libc::getrusage(libc::RUSAGE_THREAD, &mut usage), 0);
        usage
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

#[test]
fn sleeping_one_second_on_an_idle_loop_costs_a_few_milliseconds_of_cpu_at_most() {
    let lp = Loop::new();
    lp.run_task(async {}); // warm-up: the loop's own structures
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

#[test]
fn a_thousand_short_sleeps_never_spin() {
    let lp = Loop::new();
    lp.run_task(async {});
    let cpu = thread_cpu_time();
    let start = Instant::now();
    lp.run_task(async {
        for _ in 0..100 {
            sleep(Duration::from_millis(2)).await;
        }
    });
    let (wall, cpu) = (start.elapsed(), thread_cpu_time() - cpu);
    assert!(wall >= Duration::from_millis(200));
    // each wake-up costs tens of µs in the kernel; a spinning loop would use
    // about all of the 200 ms
    assert!(
        cpu < wall / 4,
        "100 sleeps of 2 ms used {cpu:?} of CPU in {wall:?}"
    );
}
