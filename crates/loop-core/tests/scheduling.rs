//! The order in which the loop runs tasks, and what `run`/`run_task` return.

use std::cell::RefCell;
use std::rc::Rc;

use loop_core::{Loop, interrupt, spawn, yield_now};

type Log = Rc<RefCell<Vec<String>>>;

fn logger(log: &Log, name: &'static str, steps: usize) -> impl Future<Output = ()> + 'static {
    let log = log.clone();
    async move {
        for i in 0..steps {
            log.borrow_mut().push(format!("{name}{i}"));
            interrupt().await;
        }
    }
}

#[test]
fn two_tasks_interleave_in_fifo_order() {
    let lp = Loop::new();
    let log = Log::default();
    let _a = lp.add_task(logger(&log, "a", 3));
    let _b = lp.add_task(logger(&log, "b", 3));
    lp.run();
    assert_eq!(*log.borrow(), ["a0", "b0", "a1", "b1", "a2", "b2"]);
}

#[test]
fn tasks_start_in_the_order_they_were_added() {
    let lp = Loop::new();
    let log = Log::default();
    for name in ["first", "second", "third", "fourth"] {
        let log = log.clone();
        let _task = lp.add_task(async move { log.borrow_mut().push(name.to_string()) });
    }
    lp.run();
    assert_eq!(*log.borrow(), ["first", "second", "third", "fourth"]);
}

#[test]
fn yield_now_is_interrupt() {
    let lp = Loop::new();
    let log = Log::default();
    let l2 = log.clone();
    let _a = lp.add_task(async move {
        l2.borrow_mut().push("a0".into());
        yield_now().await;
        l2.borrow_mut().push("a1".into());
    });
    let _b = lp.add_task(logger(&log, "b", 1));
    lp.run();
    assert_eq!(*log.borrow(), ["a0", "b0", "a1"]);
}

#[test]
fn run_task_takes_its_turn_after_tasks_already_queued() {
    let lp = Loop::new();
    let log = Log::default();
    let _a = lp.add_task(logger(&log, "a", 2));
    lp.run_task(logger(&log, "main", 2));
    assert_eq!(*log.borrow(), ["a0", "main0", "a1", "main1"]);
}

#[test]
fn run_task_returns_the_output_and_leaves_other_tasks_in_the_loop() {
    let lp = Loop::new();
    let log = Log::default();
    let _slow = lp.add_task(logger(&log, "slow", 5));
    assert_eq!(lp.run_task(async { 42 }), 42);
    assert_eq!(*log.borrow(), ["slow0"]);
    assert_eq!(lp.task_count(), 1);
    lp.run();
    assert_eq!(log.borrow().len(), 5);
    assert_eq!(lp.task_count(), 0);
}

#[test]
fn run_returns_at_once_on_an_empty_loop() {
    let lp = Loop::new();
    lp.run();
    lp.run();
    assert_eq!(lp.task_count(), 0);
}

#[test]
fn tasks_spawned_by_tasks_join_the_back_of_the_queue() {
    let lp = Loop::new();
    let log = Log::default();
    let l = log.clone();
    lp.run_task(async move {
        let child = spawn(logger(&l, "child", 2));
        l.borrow_mut().push("parent".into());
        child.await.unwrap();
        l.borrow_mut().push("joined".into());
    });
    assert_eq!(*log.borrow(), ["parent", "child0", "child1", "joined"]);
}

#[test]
fn current_loop_is_reachable_from_tasks_and_not_outside() {
    let lp = Loop::new();
    assert!(
        Loop::try_current().is_none(),
        "a loop that exists but does not run is not current"
    );
    let same = lp.run_task(async { Loop::current().same_loop(&Loop::try_current().unwrap()) });
    assert!(same);
    let outer = lp.handle();
    assert!(lp.run_task(async move { Loop::current().same_loop(&outer) }));
    assert!(Loop::try_current().is_none());
}

#[test]
fn join_handles_give_outputs_in_any_order() {
    let lp = Loop::new();
    let handles: Vec<_> = (0..10).map(|i| lp.add_task(async move { i * i })).collect();
    let sum = lp.run_task(async move {
        let mut sum = 0;
        for h in handles.into_iter().rev() {
            sum += h.await.unwrap();
        }
        sum
    });
    assert_eq!(sum, (0..10).map(|i| i * i).sum::<i32>());
}

#[test]
fn is_finished_turns_true_once_the_task_ends() {
    let lp = Loop::new();
    let h = lp.add_task(async { interrupt().await });
    assert!(!h.is_finished());
    lp.run();
    assert!(h.is_finished());
    assert_eq!(lp.run_task(h).ok(), Some(()));
}
