//! `Waiter`: the talk's example, counting, wake-ups across threads.

mod util;

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::task::{Poll, Waker};

use loop_core::{Loop, interrupt};
use loop_sync::Waiter;
use util::{Counted, CountingWaker, poll_once};

type Log = Rc<RefCell<Vec<String>>>;

async fn wait_job(waiter: Waiter, log: Log) {
    waiter.await;
    log.borrow_mut().push(String::from("job"));
}

async fn count_up_to(waiter: Waiter, n: u32, log: Log) {
    for i in 1..=n {
        log.borrow_mut().push(i.to_string());
        interrupt().await;
    }
    waiter.set();
}

#[test]
fn talks_wait_job_runs_only_after_count_up_to_reaches_five() {
    let lp = Loop::new();
    let log = Log::default();
    let waiter = Waiter::new(1);
    let _job = lp.add_task(wait_job(waiter.clone(), log.clone()));
    let _count = lp.add_task(count_up_to(waiter, 5, log.clone()));
    lp.run();
    assert_eq!(*log.borrow(), ["1", "2", "3", "4", "5", "job"]);
}

#[test]
fn waiting_task_is_polled_again_only_when_the_count_reaches_zero() {
    let waiter = Waiter::new(3);
    let (wakes, waker) = CountingWaker::new();
    let mut wait = waiter.wait();
    assert!(poll_once(&mut wait, &waker).is_pending());
    waiter.set();
    waiter.set();
    assert_eq!(wakes.wakes(), 0);
    waiter.set();
    assert_eq!(wakes.wakes(), 1);
    assert_eq!(poll_once(&mut wait, &waker), Poll::Ready(()));
    waiter.set();
    assert_eq!(wakes.wakes(), 1);
}

#[test]
fn waiter_of_zero_is_already_done() {
    let waiter = Waiter::new(0);
    assert_eq!(waiter.count(), 0);
    assert_eq!(
        poll_once(&mut waiter.wait(), Waker::noop()),
        Poll::Ready(())
    );
}

#[test]
fn set_past_zero_is_harmless() {
    let waiter = Waiter::new(1);
    for _ in 0..3 {
        waiter.set();
    }
    assert_eq!(waiter.count(), 0);
    assert_eq!(
        poll_once(&mut (&waiter).into_future(), Waker::noop()),
        Poll::Ready(())
    );
}

#[test]
fn clones_share_one_count() {
    let waiter = Waiter::new(2);
    let other = waiter.clone();
    other.set();
    assert_eq!(waiter.count(), 1);
    waiter.set();
    assert_eq!(other.count(), 0);
}

#[test]
fn dropping_a_wait_removes_it_and_others_still_wake() {
    let waiter = Waiter::new(1);
    let (wakes, waker) = CountingWaker::new();
    let mut dropped = waiter.wait();
    let mut kept = waiter.wait();
    assert!(poll_once(&mut dropped, &waker).is_pending());
    assert!(poll_once(&mut kept, &waker).is_pending());
    drop(dropped);
    waiter.set();
    assert_eq!(wakes.wakes(), 1);
    assert_eq!(poll_once(&mut kept, &waker), Poll::Ready(()));
}

#[test]
fn three_sets_from_three_threads_wake_every_waiting_task_exactly_once() {
    const TASKS: usize = 4;
    let lp = Loop::new();
    let waiter = Waiter::new(3);
    let polls: Vec<Arc<AtomicUsize>> = (0..TASKS).map(|_| Arc::default()).collect();
    let tasks: Vec<_> = polls
        .iter()
        .map(|polls| {
            lp.add_task(Counted {
                inner: waiter.wait(),
                polls: polls.clone(),
            })
        })
        .collect();
    // Every task runs once and waits.
    lp.run_task(interrupt());
    assert!(polls.iter().all(|p| p.load(Ordering::SeqCst) == 1));

    let start = Arc::new(Barrier::new(3));
    let threads: Vec<_> = (0..3)
        .map(|_| {
            let (waiter, start) = (waiter.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                waiter.set();
            })
        })
        .collect();
    // The loop runs while the threads count down, and ends once every task has.
    lp.run();
    for thread in threads {
        thread.join().unwrap();
    }
    for task in tasks {
        assert!(task.is_finished());
    }
    let counts: Vec<usize> = polls.iter().map(|p| p.load(Ordering::SeqCst)).collect();
    assert_eq!(counts, [2; TASKS]);
}

#[test]
fn ten_thousand_waiters_are_released_by_one_set() {
    let lp = Loop::new();
    let waiter = Waiter::new(1);
    let released = Rc::new(RefCell::new(0));
    for _ in 0..10_000 {
        let (waiter, released) = (waiter.clone(), released.clone());
        drop(lp.add_task(async move {
            waiter.await;
            *released.borrow_mut() += 1;
        }));
    }
    lp.run_task(interrupt());
    assert_eq!(*released.borrow(), 0);
    waiter.set();
    lp.run();
    assert_eq!(*released.borrow(), 10_000);
}
