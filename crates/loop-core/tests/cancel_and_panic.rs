//! Panicking tasks, `abort()`, and what a `JoinError` says about them.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;

use loop_core::{JoinError, Loop, interrupt};

/// Counts its drops in a shared counter.
struct DropCounter(Rc<Cell<usize>>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[test]
fn panicking_task_leaves_loop_running() {
    let lp = Loop::new();
    let bad = lp.add_task(async {
        interrupt().await;
        panic!("task exploded");
    });
    let good = lp.add_task(async {
        for _ in 0..3 {
            interrupt().await;
        }
        "still here"
    });
    let (bad, good) = lp.run_task(async { (bad.await, good.await) });
    let err = bad.unwrap_err();
    assert!(err.is_panic());
    assert!(!err.is_cancelled());
    assert_eq!(err.to_string(), "task panicked: task exploded");
    assert_eq!(good.unwrap(), "still here");
    assert_eq!(
        lp.run_task(async { 5 }),
        5,
        "the loop still runs after a task panicked"
    );
}

#[test]
fn panic_in_run_task_reaches_the_caller_and_the_loop_stays_usable() {
    let lp = Loop::new();
    let waiting = lp.add_task(async {
        interrupt().await;
        7
    });
    let caught = catch_unwind(AssertUnwindSafe(|| {
        lp.run_task(async {
            interrupt().await;
            panic!("main exploded")
        })
    }));
    let payload = caught.unwrap_err();
    assert_eq!(*payload.downcast::<&str>().unwrap(), "main exploded");
    assert!(
        Loop::try_current().is_none(),
        "the loop is no longer current after the panic"
    );
    assert_eq!(lp.run_task(waiting).unwrap(), 7);
}

#[test]
fn abort_drops_the_future_and_reports_cancellation() {
    let lp = Loop::new();
    let drops = Rc::new(Cell::new(0));
    let guard = DropCounter(drops.clone());
    let task = lp.add_task(async move {
        let _guard = guard;
        std::future::pending::<()>().await;
    });
    lp.run_task(interrupt());
    assert_eq!(drops.get(), 0, "the task is pending, its future alive");
    task.abort();
    let err = lp.run_task(task).unwrap_err();
    assert!(err.is_cancelled());
    assert!(!err.is_panic());
    assert_eq!(err.to_string(), "task was cancelled");
    assert_eq!(drops.get(), 1, "abort ran the future's destructors");
    assert_eq!(lp.task_count(), 0);
}

#[test]
fn abort_before_the_first_poll_never_runs_the_task() {
    let lp = Loop::new();
    let ran = Rc::new(Cell::new(false));
    let r = ran.clone();
    let task = lp.add_task(async move { r.set(true) });
    task.abort();
    assert!(lp.run_task(task).unwrap_err().is_cancelled());
    assert!(!ran.get());
}

#[test]
fn abort_after_completion_keeps_the_output() {
    let lp = Loop::new();
    let task = lp.add_task(async { 3 });
    lp.run();
    task.abort();
    assert_eq!(lp.run_task(task).unwrap(), 3);
}

#[test]
fn a_task_can_abort_itself_through_its_own_handle() {
    let lp = Loop::new();
    let slot: Rc<Cell<Option<loop_core::JoinHandle<()>>>> = Rc::new(Cell::new(None));
    let s = slot.clone();
    let task = lp.add_task(async move {
        interrupt().await;
        let me = s.take().unwrap();
        me.abort();
        s.set(Some(me));
        std::future::pending::<()>().await;
    });
    slot.set(Some(task));
    lp.run();
    let err = lp.run_task(slot.take().unwrap()).unwrap_err();
    assert!(err.is_cancelled());
}

#[test]
fn abort_from_another_thread_cancels_the_task() {
    let lp = Loop::new();
    let task = lp.add_task(async { std::future::pending::<u8>().await });
    lp.run_task(interrupt());
    let task = std::thread::spawn(move || {
        task.abort();
        task
    })
    .join()
    .unwrap();
    assert!(lp.run_task(task).unwrap_err().is_cancelled());
}

#[test]
fn join_error_payload_can_be_recovered() {
    let lp = Loop::new();
    let err = lp
        .run_task(lp.add_task(async { std::panic::panic_any(17_u32) }))
        .unwrap_err();
    assert_eq!(err.to_string(), "task panicked");
    assert!(format!("{err:?}").contains("Panic"));
    let payload = err.try_into_panic().unwrap();
    assert_eq!(*payload.downcast::<u32>().unwrap(), 17);

    let task = lp.add_task(std::future::pending::<()>());
    task.abort();
    let cancelled = lp.run_task(task).unwrap_err();
    let cancelled = cancelled.try_into_panic().unwrap_err();
    assert!(cancelled.is_cancelled());
    let message = catch_unwind(AssertUnwindSafe(|| cancelled.into_panic())).unwrap_err();
    let message = message.downcast::<String>().unwrap();
    assert!(
        message.contains("into_panic()") && message.contains("try_into_panic()"),
        "{message}"
    );
}

#[test]
fn join_error_is_a_std_error() {
    fn takes_error(_: &(dyn std::error::Error + Send + Sync + 'static)) {}
    let lp = Loop::new();
    let task = lp.add_task(std::future::pending::<()>());
    task.abort();
    let err: JoinError = lp.run_task(task).unwrap_err();
    takes_error(&err);
    let io = std::io::Error::other(err);
    assert_eq!(io.to_string(), "task was cancelled");
}

#[test]
fn dropping_a_join_handle_detaches_the_task() {
    let lp = Loop::new();
    let drops = Rc::new(Cell::new(0));
    let ran = Rc::new(Cell::new(false));
    let (guard, r) = (DropCounter(drops.clone()), ran.clone());
    drop(lp.add_task(async move {
        interrupt().await;
        r.set(true);
        guard
    }));
    lp.run();
    assert!(ran.get(), "a detached task runs to the end");
    assert_eq!(drops.get(), 1, "its output is dropped when nobody joins it");
}
