//! `Barrier`: a round completes when `n` tasks have arrived, with exactly one
//! leader, and the barrier serves round after round.

use std::cell::RefCell;
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::Context;

use loop_core::{Loop, interrupt};
use loop_sync::Barrier;

#[test]
fn n_tasks_pass_together_with_one_leader_in_each_of_two_rounds() {
    let lp = Loop::new();
    let barrier = Arc::new(Barrier::new(5));
    let trace = Rc::new(RefCell::new(Vec::new()));
    for i in 0..5 {
        let (barrier, trace) = (barrier.clone(), trace.clone());
        drop(lp.add_task(async move {
            for round in 0..2 {
                trace.borrow_mut().push(("arrive", round, i, false));
                let result = barrier.wait().await;
                trace
                    .borrow_mut()
                    .push(("pass", round, i, result.is_leader()));
                interrupt().await;
            }
        }));
    }
    lp.run();
    let trace = trace.borrow();
    for round in 0..2 {
        let events = &trace[round * 10..round * 10 + 10];
        assert!(events[..5].iter().all(|e| e.0 == "arrive" && e.1 == round));
        assert!(events[5..].iter().all(|e| e.0 == "pass" && e.1 == round));
        let last_to_arrive = events[4].2;
        let leaders: Vec<_> = events[5..].iter().filter(|e| e.3).map(|e| e.2).collect();
        assert_eq!(leaders, [last_to_arrive], "the last to arrive leads, alone");
    }
}

#[test]
fn a_cancelled_wait_withdraws_its_arrival() {
    let barrier = Barrier::new(2);
    let mut cx = Context::from_waker(std::task::Waker::noop());
    {
        let mut first = pin!(barrier.wait());
        assert!(first.as_mut().poll(&mut cx).is_pending());
    }
    // The dropped wait no longer counts: one more arrival is not enough.
    let mut second = pin!(barrier.wait());
    assert!(second.as_mut().poll(&mut cx).is_pending());
    let mut third = pin!(barrier.wait());
    let std::task::Poll::Ready(result) = third.as_mut().poll(&mut cx) else {
        panic!("the round of two did not complete");
    };
    assert!(result.is_leader());
    let second = second.as_mut().poll(&mut cx).map(|r| r.is_leader());
    assert_eq!(second, std::task::Poll::Ready(false));
}

#[test]
fn a_barrier_of_zero_or_one_lets_every_task_through_as_leader() {
    let lp = Loop::new();
    for n in [0, 1] {
        let barrier = Barrier::new(n);
        assert!(lp.run_task(barrier.wait()).is_leader());
        assert!(lp.run_task(barrier.wait()).is_leader());
    }
}

#[test]
fn threads_meet_at_a_barrier_round_after_round() {
    let barrier = Arc::new(Barrier::new(4));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let lp = Loop::new();
                (0..100)
                    .map(|_| lp.run_task(barrier.wait()).is_leader() as usize)
                    .sum::<usize>()
            })
        })
        .collect();
    let leaders: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    assert_eq!(leaders, 100, "one leader per round");
}

#[test]
fn debug_shows_the_round_in_progress() {
    let barrier = Barrier::new(3);
    let mut cx = Context::from_waker(std::task::Waker::noop());
    let mut wait = pin!(barrier.wait());
    assert!(wait.as_mut().poll(&mut cx).is_pending());
    assert_eq!(format!("{barrier:?}"), "Barrier { n: 3, arrived: 1 }");
}
