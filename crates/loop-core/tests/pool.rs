//! `LoopPool` and `Spawner::add_task_with`: a loop per thread, work handed
//! between them, and what stopping the pool does.

use std::cell::Cell;
use std::collections::HashSet;
use std::future::pending;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

use loop_core::{Loop, LoopPool, Park, ThreadParker, interrupt};
use test_support::{DropFlag, panic_message};

/// Waits for `future` on this (non-loop) thread.
fn block_on<F: Future>(future: F) -> F::Output {
    Loop::new().run_task(future)
}

fn thread_name() -> String {
    thread::current().name().unwrap_or("").to_owned()
}

/// The CPUs the calling thread may run on.
fn affinity() -> Vec<usize> {
    // SAFETY: all zeroes is a valid (empty) `cpu_set_t`.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: `set` has the size passed; pid 0 is the calling thread.
    let rc = unsafe { libc::sched_getaffinity(0, size_of::<libc::cpu_set_t>(), &mut set) };
    assert_eq!(rc, 0, "{}", std::io::Error::last_os_error());
    (0..libc::CPU_SETSIZE as usize)
        // SAFETY: `cpu` is below `CPU_SETSIZE`.
        .filter(|&cpu| unsafe { libc::CPU_ISSET(cpu, &set) })
        .collect()
}

#[test]
fn every_task_added_through_a_spawner_runs_once_on_its_loops_thread() {
    let pool = LoopPool::builder()
        .loops(3)
        .name("spawned")
        .build()
        .unwrap();
    let runs = Arc::new(AtomicUsize::new(0));
    let mut handles = Vec::new();
    for i in 0..pool.len() {
        for _ in 0..10 {
            let runs = runs.clone();
            handles.push((
                i,
                pool.spawner(i).add_task(async move {
                    runs.fetch_add(1, Ordering::SeqCst);
                    thread_name()
                }),
            ));
        }
    }
    // The handles resolve on other threads than the one that added them.
    let names = thread::spawn(move || {
        handles
            .into_iter()
            .map(|(i, h)| (i, block_on(h).unwrap()))
            .collect::<Vec<_>>()
    })
    .join()
    .unwrap();
    for (i, name) in names {
        assert_eq!(name, format!("spawned-{i}"));
    }
    assert_eq!(runs.load(Ordering::SeqCst), 30);
}

#[test]
fn add_task_with_builds_a_non_send_future_on_the_target_loop() {
    let pool = LoopPool::builder().loops(2).build().unwrap();
    let loop_ids = pool.run(|_| async { Loop::current().id() });
    let handle = pool.spawner(1).add_task_with(|| {
        let local = Rc::new(Cell::new(1)); // `!Send`, made on loop 1's thread
        async move {
            interrupt().await;
            local.set(local.get() + 1);
            (Loop::current().id(), local.get(), thread_name())
        }
    });
    let (id, value, name) = block_on(handle).unwrap();
    assert_eq!(id, loop_ids[1]);
    assert_eq!(value, 2);
    assert_eq!(name, "goldiloop-1");
}

#[test]
fn run_returns_each_loops_output_in_index_order_from_distinct_threads() {
    let pool = LoopPool::builder().loops(4).build().unwrap();
    let out = pool.run(|index| async move {
        let current = Loop::try_current().expect("the body runs on a loop");
        (index, thread::current().id(), current.id())
    });
    assert_eq!(out.iter().map(|o| o.0).collect::<Vec<_>>(), [0, 1, 2, 3]);
    let threads: HashSet<_> = out.iter().map(|o| o.1).collect();
    let loops: HashSet<_> = out.iter().map(|o| o.2).collect();
    assert_eq!((threads.len(), loops.len()), (4, 4));
    assert!(!threads.contains(&thread::current().id()));
}

#[test]
fn pinned_loops_each_run_on_one_allowed_cpu_in_order() {
    let allowed = affinity();
    let n = allowed.len() + 1; // one more than the CPUs: the last wraps around
    let pool = LoopPool::builder()
        .loops(n)
        .pin_to_cores(true)
        .build()
        .unwrap();
    let masks = pool.run(|_| async { affinity() });
    for (i, mask) in masks.iter().enumerate() {
        assert_eq!(mask, &[allowed[i % allowed.len()]], "loop {i}");
    }
}

#[test]
fn unpinned_loops_keep_the_process_mask() {
    let allowed = affinity();
    let pool = LoopPool::builder().loops(2).build().unwrap();
    assert_eq!(
        pool.run(|_| async { affinity() }),
        [allowed.clone(), allowed]
    );
}

#[test]
fn a_panic_in_one_body_aborts_the_others_and_run_panics_naming_the_loop() {
    let pool = LoopPool::builder().loops(3).build().unwrap();
    let flags: Vec<DropFlag> = (0..3).map(|_| DropFlag::new()).collect();
    let guards = Arc::new(Mutex::new(
        flags.iter().map(|f| Some(f.guard())).collect::<Vec<_>>(),
    ));
    let message = panic_message(|| {
        let guards = guards.clone();
        pool.run(move |index| {
            let guard = guards.lock().unwrap()[index].take();
            async move {
                let _guard = guard;
                if index == 1 {
                    interrupt().await;
                    panic!("body 1 gave up");
                }
                pending::<()>().await // never ends unless aborted
            }
        });
    });
    assert!(
        message.starts_with("goldiloop: the body given to `LoopPool::run` panicked"),
        "{message}"
    );
    assert!(message.ends_with("(loop 1: body 1 gave up)"), "{message}");
    assert!(flags.iter().all(DropFlag::is_set));
    // The pool is still usable.
    assert_eq!(pool.run(|i| async move { i }), [0, 1, 2]);
}

#[test]
fn dropping_the_pool_drops_pending_tasks_on_their_own_threads() {
    let pool = LoopPool::builder()
        .loops(2)
        .name("dropper")
        .build()
        .unwrap();
    let dropped_on = Arc::new(Mutex::new(Vec::new()));
    struct Recorder(usize, Arc<Mutex<Vec<(usize, String)>>>);
    impl Drop for Recorder {
        fn drop(&mut self) {
            self.1.lock().unwrap().push((self.0, thread_name()));
        }
    }
    let mut handles = Vec::new();
    for i in 0..2 {
        let dropped_on = dropped_on.clone();
        handles.push(pool.spawner(i).add_task_with(move || {
            let recorder = Rc::new(Recorder(i, dropped_on));
            async move {
                let _recorder = recorder;
                pending::<()>().await
            }
        }));
    }
    // Both tasks have started: a task added after them on the same loop ran.
    for i in 0..2 {
        block_on(pool.spawner(i).add_task(async {})).unwrap();
    }
    drop(pool);
    let mut seen = dropped_on.lock().unwrap().clone();
    seen.sort();
    assert_eq!(
        seen,
        [(0, "dropper-0".to_owned()), (1, "dropper-1".to_owned())]
    );
    for handle in handles {
        assert!(block_on(handle).unwrap_err().is_cancelled());
    }
}

#[test]
fn a_task_added_after_shutdown_is_cancelled_at_once_without_building_it() {
    let pool = LoopPool::builder().loops(1).build().unwrap();
    let spawner = pool.spawner(0);
    pool.shutdown();
    let flag = DropFlag::new();
    let guard = flag.guard();
    let built = Arc::new(AtomicUsize::new(0));
    let counter = built.clone();
    let handle = spawner.add_task_with(move || {
        let _guard = guard;
        counter.fetch_add(1, Ordering::SeqCst);
        async {}
    });
    assert!(flag.is_set(), "the closure is dropped at once");
    assert!(handle.is_finished());
    assert!(block_on(handle).unwrap_err().is_cancelled());
    assert_eq!(built.load(Ordering::SeqCst), 0);
    assert!(
        block_on(spawner.add_task(async { 1 }))
            .unwrap_err()
            .is_cancelled()
    );
}

#[test]
fn a_park_factory_error_is_returned_by_build() {
    struct NoPark;
    impl Park for NoPark {
        fn park(&self, _: Option<std::time::Duration>) {}
        fn unparker(&self) -> std::task::Waker {
            ThreadParker::new().unparker()
        }
    }
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let err = LoopPool::builder()
        .loops(3)
        .park(move || {
            if counter.fetch_add(1, Ordering::SeqCst) == 1 {
                Err(std::io::Error::other("no park for you"))
            } else {
                Ok(NoPark)
            }
        })
        .build()
        .unwrap_err();
    assert_eq!(err.to_string(), "no park for you");
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[test]
fn the_default_pool_has_one_loop_per_available_cpu() {
    let pool = LoopPool::builder().build().unwrap();
    assert_eq!(pool.len(), thread::available_parallelism().unwrap().get());
    assert!(!pool.is_empty());
}

#[test]
fn asking_for_zero_loops_panics_naming_the_fix() {
    let message = panic_message(|| drop(LoopPool::builder().loops(0)));
    assert!(
        message.starts_with("goldiloop: `LoopPoolBuilder::loops(0)`"),
        "{message}"
    );
    assert!(message.contains("ask for at least one"), "{message}");
}

#[test]
fn a_spawner_index_past_the_end_panics_naming_the_fix() {
    let pool = LoopPool::builder().loops(2).build().unwrap();
    let message = panic_message(|| drop(pool.spawner(2)));
    assert!(
        message.starts_with("goldiloop: `LoopPool::spawner(i)`"),
        "{message}"
    );
    assert!(
        message.ends_with("below `pool.len()` (index 2, 2 loops)"),
        "{message}"
    );
}

#[test]
fn a_pool_dropped_by_a_task_of_its_own_loop_stops_without_joining_itself() {
    let pool = LoopPool::builder().loops(2).build().unwrap();
    let other = pool.spawner(1);
    let dropped = pool.spawner(0).add_task(async move { drop(pool) });
    block_on(dropped).unwrap();
    assert!(
        block_on(other.add_task(async {}))
            .unwrap_err()
            .is_cancelled()
    );
}
