//! The blocking pool's cap and idle exit, alone in their own process: they
//! count the process's threads in `/proc/self/task` and set the pool's
//! process-wide configuration.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use loop_core::{Loop, blocking, spawn_blocking};

fn os_threads() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

#[test]
fn ten_thousand_jobs_with_a_cap_of_16_use_at_most_16_threads_which_exit_when_idle() {
    blocking::set_max_threads(16);
    assert_eq!(blocking::max_threads(), 16);
    let baseline = os_threads();
    let most = Arc::new(Mutex::new(0usize));
    let names = Arc::new(Mutex::new(HashSet::new()));

    let lp = Loop::new();
    let done = lp.run_task({
        let (most, names) = (most.clone(), names.clone());
        async move {
            let handles: Vec<_> = (0..10_000u32)
                .map(|i| {
                    let (most, names) = (most.clone(), names.clone());
                    spawn_blocking(move || {
                        let now = os_threads();
                        let mut most = most.lock().unwrap();
                        *most = (*most).max(now);
                        names.lock().unwrap().insert(std::thread::current().id());
                        i
                    })
                })
                .collect();
            let mut done = 0u32;
            for (i, handle) in handles.into_iter().enumerate() {
                assert_eq!(handle.await.unwrap(), i as u32);
                done += 1;
            }
            done
        }
    });
    assert_eq!(done, 10_000);
    let most = *most.lock().unwrap();
    assert!(
        most <= baseline + 16,
        "{most} threads at most, baseline {baseline}"
    );
    assert!(names.lock().unwrap().len() <= 16);
    assert!(blocking::thread_count() <= 16);

    // Idle threads exit: the idle timeout (10 s by default) is shortened
    // to 50 ms, which idle threads apply at once; wait for them to go,
    // failing loudly after 30 s.
    blocking::set_idle_timeout(Duration::from_millis(50));
    let deadline = Instant::now() + Duration::from_secs(30);
    while blocking::thread_count() > 0 || os_threads() > baseline {
        assert!(
            Instant::now() < deadline,
            "{} pool threads, {} OS threads (baseline {baseline}) after 30 s",
            blocking::thread_count(),
            os_threads()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}
