//! Wakers: queued once however often woken, harmless after their task and
//! loop are gone, usable from any thread.

use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Poll, Waker};

use loop_core::{Loop, interrupt};

/// A task that records its polls and hands out its waker, then waits `rounds` wakes.
fn counted_task(
    polls: Rc<Cell<usize>>,
    waker: Rc<RefCell<Option<Waker>>>,
    rounds: usize,
) -> impl Future<Output = ()> {
    poll_fn(move |cx| {
        polls.set(polls.get() + 1);
        *waker.borrow_mut() = Some(cx.waker().clone());
        if polls.get() > rounds {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
}

#[test]
fn a_task_woken_many_times_before_it_runs_is_polled_once() {
    let lp = Loop::new();
    let polls = Rc::new(Cell::new(0));
    let waker = Rc::new(RefCell::new(None));
    let task = lp.add_task(counted_task(polls.clone(), waker.clone(), 2));
    lp.run_task(interrupt());
    assert_eq!(polls.get(), 1);
    let w = waker.borrow().clone().unwrap();
    for _ in 0..5 {
        w.wake_by_ref();
        let by_value = w.clone();
        by_value.wake();
    }
    // These wakes came from outside the running loop, so they went through the
    // remote queue; a hundred turns give the loop time to see them all. A
    // duplicate queue entry would poll the task more than once.
    lp.run_task(async {
        for _ in 0..100 {
            interrupt().await;
        }
    });
    assert_eq!(polls.get(), 2, "five wakes queue the task once");
    w.wake();
    lp.run_task(task).unwrap();
    assert_eq!(polls.get(), 3);
}

#[test]
fn a_task_that_wakes_itself_while_polled_runs_again_once() {
    let lp = Loop::new();
    let polls = Rc::new(Cell::new(0));
    let p = polls.clone();
    let task = lp.add_task(poll_fn(move |cx| {
        p.set(p.get() + 1);
        if p.get() == 3 {
            return Poll::Ready(());
        }
        cx.waker().wake_by_ref();
        cx.waker().wake_by_ref();
        let by_value = cx.waker().clone();
        by_value.wake();
        Poll::Pending
    }));
    lp.run_task(task).unwrap();
    assert_eq!(polls.get(), 3);
}

#[test]
fn a_waker_outliving_its_task_and_loop_is_harmless() {
    let waker = {
        let lp = Loop::new();
        let polls = Rc::new(Cell::new(0));
        let slot = Rc::new(RefCell::new(None));
        let task = lp.add_task(counted_task(polls, slot.clone(), 1));
        lp.run_task(interrupt());
        let w = slot.borrow().clone().unwrap();
        w.wake_by_ref();
        lp.run_task(task).unwrap();
        w.wake_by_ref(); // the task has completed
        w
    }; // the loop is gone
    waker.wake_by_ref();
    let clone = waker.clone();
    std::thread::spawn(move || clone.wake()).join().unwrap();
    waker.wake();
}

#[test]
fn waking_a_pending_task_after_its_loop_dropped_is_harmless() {
    let slot = Rc::new(RefCell::new(None));
    {
        let lp = Loop::new();
        let _task = lp.add_task(counted_task(
            Rc::new(Cell::new(0)),
            slot.clone(),
            usize::MAX,
        ));
        lp.run_task(interrupt());
    }
    let w = slot.borrow_mut().take().unwrap();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let w = w.clone();
            std::thread::spawn(move || {
                for _ in 0..1000 {
                    w.wake_by_ref();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    w.wake();
}

#[test]
fn wakes_from_many_threads_all_reach_the_task() {
    let lp = Loop::new();
    let woken = Arc::new(AtomicUsize::new(0));
    const THREADS: usize = 4;
    const WAKES: usize = 2_000;
    let target = THREADS * WAKES;
    let seen = woken.clone();
    let polls = Rc::new(Cell::new(0));
    let p = polls.clone();
    let (tx, rx) = std::sync::mpsc::channel::<Waker>();
    let task = lp.add_task(poll_fn(move |cx| {
        p.set(p.get() + 1);
        if p.get() == 1 {
            for _ in 0..THREADS {
                tx.send(cx.waker().clone()).unwrap();
            }
        }
        if seen.load(Ordering::SeqCst) == target {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }));
    let woken2 = woken.clone();
    let threads = std::thread::spawn(move || {
        let handles: Vec<_> = rx
            .iter()
            .take(THREADS)
            .map(|w| {
                let woken = woken2.clone();
                std::thread::spawn(move || {
                    for _ in 0..WAKES {
                        woken.fetch_add(1, Ordering::SeqCst);
                        w.wake_by_ref();
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
    });
    lp.run_task(task).unwrap();
    threads.join().unwrap();
    assert_eq!(woken.load(Ordering::SeqCst), target);
    assert!(
        polls.get() <= target + 1,
        "never polled more often than woken"
    );
}
