//! `gather`, `gather!` and `try_gather`: order, polls per wake-up, borrowing,
//! interleaving on the loop, first error and drops.

mod util;

use std::cell::RefCell;
use std::rc::Rc;
use std::task::{Poll, Waker};

use loop_core::{Loop, interrupt};
use loop_sync::{gather, try_gather};
use util::{CountingWaker, Gate, nudge, open, poll_once};

#[test]
fn gather_keeps_input_order_when_futures_finish_in_reverse() {
    let lp = Loop::new();
    let finished = Rc::new(RefCell::new(Vec::new()));
    let futures = (0..5).map(|i| {
        let finished = finished.clone();
        async move {
            // Future i yields 5 - i times, so 4 finishes first and 0 last.
            for _ in i..5 {
                interrupt().await;
            }
            finished.borrow_mut().push(i);
            i * 100
        }
    });
    let out = lp.run_task(gather(futures));
    assert_eq!(*finished.borrow(), [4, 3, 2, 1, 0]);
    assert_eq!(out, [0, 100, 200, 300, 400]);
}

#[test]
fn gather_polls_each_future_once_per_wake_up() {
    let (gates, states): (Vec<Gate>, Vec<_>) = (0..5).map(Gate::new).unzip();
    let (parent, waker) = CountingWaker::new();
    let mut all = gather(gates);
    let polls = |states: &[Rc<RefCell<util::GateState>>]| -> Vec<usize> {
        states.iter().map(|s| s.borrow().polls).collect()
    };

    assert!(poll_once(&mut all, &waker).is_pending());
    assert_eq!(polls(&states), [1, 1, 1, 1, 1]);

    // Nothing woken: polling the gather polls none of them.
    assert!(poll_once(&mut all, &waker).is_pending());
    assert_eq!(polls(&states), [1, 1, 1, 1, 1]);

    // One wake: only that future is polled.
    nudge(&states[3]);
    assert_eq!(parent.wakes(), 1);
    assert!(poll_once(&mut all, &waker).is_pending());
    assert_eq!(polls(&states), [1, 1, 1, 2, 1]);

    // Two wakes of the same future before the gather runs: polled once, and
    // the parent is woken once.
    nudge(&states[1]);
    nudge(&states[1]);
    assert_eq!(parent.wakes(), 2);
    assert!(poll_once(&mut all, &waker).is_pending());
    assert_eq!(polls(&states), [1, 2, 1, 2, 1]);

    // Completing: each opened future is polled once more, then the outputs.
    for state in &states {
        open(state);
    }
    assert_eq!(parent.wakes(), 3);
    assert_eq!(
        poll_once(&mut all, &waker),
        Poll::Ready(vec![0, 1, 2, 3, 4])
    );
    assert_eq!(polls(&states), [2, 3, 2, 3, 2]);
}

#[test]
fn gather_drops_each_future_as_soon_as_it_completes() {
    let (gates, states): (Vec<Gate>, Vec<_>) = (0..3).map(Gate::new).unzip();
    let mut all = gather(gates);
    assert!(poll_once(&mut all, Waker::noop()).is_pending());
    open(&states[1]);
    assert!(poll_once(&mut all, Waker::noop()).is_pending());
    let dropped: Vec<bool> = states.iter().map(|s| s.borrow().dropped).collect();
    assert_eq!(dropped, [false, true, false]);
    drop(all);
    assert!(states.iter().all(|s| s.borrow().dropped));
}

#[test]
fn gather_of_nothing_is_an_empty_vec_at_once() {
    let mut all = gather(Vec::<std::future::Ready<u8>>::new());
    assert_eq!(poll_once(&mut all, Waker::noop()), Poll::Ready(vec![]));
}

#[test]
fn gathered_futures_may_borrow_from_the_caller() {
    let mut words = vec![String::from("goldi"), String::from("loop")];
    let lp = Loop::new();
    let lengths = lp.run_task(gather(words.iter().map(|w| async {
        interrupt().await;
        w.len()
    })));
    assert_eq!(lengths, [5, 4]);
    words.push(String::from("still mine"));
    assert_eq!(words.len(), 3);
}

#[test]
fn interrupt_inside_gather_lets_other_tasks_run_in_fifo_order() {
    let lp = Loop::new();
    let log = Rc::new(RefCell::new(Vec::new()));
    let step = |name: &'static str, log: Rc<RefCell<Vec<String>>>| async move {
        for i in 0..2 {
            log.borrow_mut().push(format!("{name}{i}"));
            interrupt().await;
        }
    };
    let gathered = lp.add_task(gather([step("a", log.clone()), step("b", log.clone())]));
    let other = lp.add_task(step("x", log.clone()));
    lp.run();
    drop((gathered, other));
    assert_eq!(*log.borrow(), ["a0", "b0", "x0", "a1", "b1", "x1"]);
}

#[test]
fn gather_macro_returns_a_tuple_of_different_types() {
    let lp = Loop::new();
    let text = String::from("borrowed");
    let (a, b, c) = lp.run_task(async {
        loop_sync::gather!(
            async {
                interrupt().await;
                1u8
            },
            async { text.as_str() },
            std::future::ready('c'),
        )
        .await
    });
    assert_eq!((a, b, c), (1, "borrowed", 'c'));
    let ((),) = lp.run_task(async { loop_sync::gather!(async {}).await });
    #[allow(clippy::let_unit_value)]
    let () = lp.run_task(loop_sync::gather!());
}

#[test]
fn gather_macro_polls_each_branch_once_per_wake_up() {
    let (a, a_state) = Gate::new(10);
    let (b, b_state) = Gate::new(20);
    let mut both = Box::pin(loop_sync::gather!(a, b));
    let (parent, waker) = CountingWaker::new();
    assert!(poll_once(&mut both, &waker).is_pending());
    nudge(&b_state);
    assert!(poll_once(&mut both, &waker).is_pending());
    assert_eq!((a_state.borrow().polls, b_state.borrow().polls), (1, 2));
    open(&a_state);
    open(&b_state);
    assert_eq!(parent.wakes(), 2);
    let out = poll_once(&mut both, &waker);
    assert_eq!(out, Poll::Ready((10, 20)));
    assert_eq!((a_state.borrow().polls, b_state.borrow().polls), (2, 3));
}

#[test]
fn try_gather_returns_all_outputs_in_order_when_all_succeed() {
    let lp = Loop::new();
    let futures = (0..4).map(|i| async move {
        for _ in i..4 {
            interrupt().await;
        }
        Ok::<_, String>(i)
    });
    assert_eq!(lp.run_task(try_gather(futures)), Ok(vec![0, 1, 2, 3]));
}

#[test]
fn try_gather_returns_the_first_error_after_dropping_the_others() {
    let (gates, states): (Vec<Gate>, Vec<_>) = (0..4).map(Gate::new).unzip();
    let futures = gates.into_iter().map(|gate| async move {
        let id = gate.await;
        if id == 0 {
            Ok(id)
        } else {
            Err(format!("gate {id} failed"))
        }
    });
    let mut all = Box::pin(try_gather(futures));
    assert!(poll_once(&mut all, Waker::noop()).is_pending());
    // Gate 0 succeeds, then 2 fails before 1 and 3 (and 3 would fail too).
    open(&states[0]);
    assert!(poll_once(&mut all, Waker::noop()).is_pending());
    open(&states[2]);
    open(&states[3]);
    let dropped_before: Vec<bool> = states.iter().map(|s| s.borrow().dropped).collect();
    assert_eq!(dropped_before, [true, false, false, false]);
    assert_eq!(
        poll_once(&mut all, Waker::noop()),
        Poll::Ready(Err(String::from("gate 2 failed")))
    );
    // Every other future was dropped by the time the error came back.
    assert!(states.iter().all(|s| s.borrow().dropped));
    assert_eq!(states[1].borrow().polls, 1);
}

#[test]
fn gather_runs_100_000_futures_that_each_yield_once() {
    let lp = Loop::new();
    let out = lp.run_task(gather((0..100_000u32).map(|i| async move {
        interrupt().await;
        i
    })));
    assert_eq!(out.len(), 100_000);
    assert!(out.iter().enumerate().all(|(i, &v)| i as u32 == v));
}
