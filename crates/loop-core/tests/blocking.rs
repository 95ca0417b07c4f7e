//! `spawn_blocking`: results, panics and cancellation through an ordinary
//! `JoinHandle`, from the loop's thread and from others.

use std::sync::mpsc;
use std::time::Duration;

use loop_core::{Loop, spawn, spawn_blocking};
use test_support::payload_message;

#[test]
fn spawn_blocking_returns_the_closures_value() {
    let lp = Loop::new();
    let n = lp.run_task(async { spawn_blocking(|| 40 + 2).await.unwrap() });
    assert_eq!(n, 42);
}

#[test]
fn the_closure_runs_on_another_thread_than_the_loop() {
    let lp = Loop::new();
    let here = std::thread::current().id();
    let there = lp.run_task(async {
        spawn_blocking(|| std::thread::current().id())
            .await
            .unwrap()
    });
    assert_ne!(here, there);
    let name = lp.run_task(async {
        spawn_blocking(|| std::thread::current().name().map(str::to_owned))
            .await
            .unwrap()
    });
    assert_eq!(name.as_deref(), Some("goldiloop-blocking"));
}

#[test]
fn a_panic_in_the_closure_becomes_a_join_error_with_its_payload() {
    let lp = Loop::new();
    let err = lp
        .run_task(async { spawn_blocking(|| -> u32 { panic!("blocking boom") }).await })
        .unwrap_err();
    assert!(err.is_panic());
    assert_eq!(payload_message(&*err.into_panic()), "blocking boom");
    assert_eq!(lp.run_task(async { 1 }), 1, "the loop is unharmed");
}

#[test]
fn the_loop_runs_other_tasks_while_the_closure_blocks() {
    let lp = Loop::new();
    let (release, wait) = mpsc::channel::<()>();
    let order = lp.run_task(async move {
        let blocked = spawn_blocking(move || {
            wait.recv().unwrap();
            "released"
        });
        // This task runs while the blocking closure still waits, and it is
        // the one that releases it.
        let other = spawn(async move {
            release.send(()).unwrap();
            "other ran"
        });
        (other.await.unwrap(), blocked.await.unwrap())
    });
    assert_eq!(order, ("other ran", "released"));
}

#[test]
fn spawner_spawn_blocking_works_from_another_thread() {
    let lp = Loop::new();
    let spawner = lp.spawner();
    let handle = std::thread::spawn(move || spawner.spawn_blocking(|| "from afar"))
        .join()
        .unwrap();
    assert_eq!(lp.run_task(handle).unwrap(), "from afar");
}

#[test]
fn handle_spawn_blocking_is_the_same_as_the_free_function() {
    let lp = Loop::new();
    let handle = lp.handle().spawn_blocking(|| vec![1, 2, 3]);
    assert_eq!(lp.run_task(handle).unwrap(), vec![1, 2, 3]);
}

#[test]
fn aborting_the_handle_cancels_the_wait_but_the_closure_runs_to_its_end() {
    let lp = Loop::new();
    let (release, wait) = mpsc::channel::<()>();
    let (done_tx, done_rx) = mpsc::channel::<&str>();
    let handle = lp.handle().spawn_blocking(move || {
        wait.recv().unwrap();
        done_tx.send("finished").unwrap();
    });
    handle.abort();
    assert!(lp.run_task(handle).unwrap_err().is_cancelled());
    release.send(()).unwrap();
    assert_eq!(
        done_rx.recv_timeout(Duration::from_secs(30)).unwrap(),
        "finished"
    );
}

#[test]
fn dropping_the_loop_does_not_wait_for_running_blocking_work() {
    let lp = Loop::new();
    let (release, wait) = mpsc::channel::<()>();
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let handle = lp.handle().spawn_blocking(move || {
        wait.recv().unwrap();
        done_tx.send(()).unwrap();
    });
    drop(handle);
    drop(lp); // returns while the closure is still blocked
    release.send(()).unwrap();
    done_rx.recv_timeout(Duration::from_secs(30)).unwrap();
}

#[test]
fn many_blocking_jobs_all_complete_with_their_own_results() {
    let lp = Loop::new();
    let results = lp.run_task(async {
        let handles: Vec<_> = (0..1000u32)
            .map(|i| spawn_blocking(move || i * 2))
            .collect();
        let mut out = Vec::new();
        for handle in handles {
            out.push(handle.await.unwrap());
        }
        out
    });
    assert_eq!(results, (0..1000u32).map(|i| i * 2).collect::<Vec<_>>());
}
