//! `JoinSet`: completion order, abort on drop, detach, shutdown, and the
//! cooperative budget.

use std::cell::{Cell, RefCell};
use std::future::{Future, pending, poll_fn};
use std::pin::pin;
use std::rc::Rc;
use std::task::{Poll, Waker};

use loop_core::{JoinSet, Loop, interrupt, spawn};
use test_support::{DropFlag, panic_message};

/// Yields `n` times, then gives `value`.
async fn after_yields<T>(n: usize, value: T) -> T {
    for _ in 0..n {
        interrupt().await;
    }
    value
}

/// A gate a test opens by hand, so it chooses the order tasks finish in.
#[derive(Clone, Default)]
struct Gate(Rc<RefCell<(bool, Option<Waker>)>>);

impl Gate {
    fn open(&self) {
        let waker = {
            let mut gate = self.0.borrow_mut();
            gate.0 = true;
            gate.1.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    async fn wait(self) {
        poll_fn(|cx| {
            let mut gate = self.0.borrow_mut();
            if gate.0 {
                Poll::Ready(())
            } else {
                gate.1 = Some(cx.waker().clone());
                Poll::Pending
            }
        })
        .await
    }
}

#[test]
fn join_next_gives_tasks_in_completion_order_not_spawn_order() {
    let order = Loop::new().run_task(async {
        let mut set = JoinSet::new();
        for (name, yields) in [("a", 5), ("b", 0), ("c", 3), ("d", 1), ("e", 4)] {
            set.spawn(after_yields(yields, name));
        }
        let mut order = Vec::new();
        while let Some(out) = set.join_next().await {
            order.push(out.unwrap());
        }
        order
    });
    assert_eq!(order, ["b", "d", "c", "e", "a"]);
}

#[test]
fn join_next_follows_the_order_the_tasks_are_woken_in() {
    let lp = Loop::new();
    let order = lp.run_task(async {
        let gates: Vec<Gate> = (0..4).map(|_| Gate::default()).collect();
        let mut set = JoinSet::new();
        for (i, gate) in gates.iter().enumerate() {
            let gate = gate.clone();
            set.spawn(async move {
                gate.wait().await;
                i
            });
        }
        let opener = spawn(async move {
            for i in [2, 0, 3, 1] {
                interrupt().await;
                gates[i].open();
            }
        });
        let mut order = Vec::new();
        while let Some(out) = set.join_next().await {
            order.push(out.unwrap());
        }
        opener.await.unwrap();
        order
    });
    assert_eq!(order, [2, 0, 3, 1]);
}

#[test]
fn tasks_finished_before_join_next_is_called_still_come_in_completion_order() {
    let order = Loop::new().run_task(async {
        let mut set = JoinSet::new();
        set.spawn(after_yields(2, "late"));
        set.spawn(after_yields(0, "early"));
        after_yields(5, ()).await;
        let mut order = Vec::new();
        while let Some(out) = set.try_join_next() {
            order.push(out.unwrap());
        }
        order
    });
    assert_eq!(order, ["early", "late"]);
}

#[test]
fn dropping_the_set_aborts_its_tasks_and_drops_their_futures() {
    let lp = Loop::new();
    let flags: Vec<DropFlag> = (0..3).map(|_| DropFlag::new()).collect();
    let polls = Rc::new(Cell::new(0));
    lp.run_task(async {
        let mut set = JoinSet::new();
        for flag in &flags {
            let guard = flag.guard();
            let polls = polls.clone();
            set.spawn(async move {
                let _guard = guard;
                loop {
                    polls.set(polls.get() + 1);
                    interrupt().await;
                }
            });
        }
        interrupt().await;
        assert_eq!(polls.get(), 3, "each task ran once");
        assert!(flags.iter().all(|f| !f.is_set()), "alive while the set is");
        drop(set);
        interrupt().await;
    });
    assert!(
        flags.iter().all(DropFlag::is_set),
        "every future was dropped"
    );
    assert_eq!(polls.get(), 3, "no task ran after the set was dropped");
    assert_eq!(lp.task_count(), 0);
}

#[test]
fn a_dropped_join_handle_detaches_where_a_dropped_set_aborts() {
    let lp = Loop::new();
    let detached = DropFlag::new();
    let in_set = DropFlag::new();
    let (detached_guard, set_guard) = (detached.guard(), in_set.guard());
    let ran_on = lp.run_task(async move {
        let ran_on = Rc::new(Cell::new(false));
        let flag = ran_on.clone();
        drop(spawn(async move {
            let _guard = detached_guard;
            interrupt().await;
            flag.set(true);
        }));
        let mut set = JoinSet::new();
        set.spawn(async move {
            let _guard = set_guard;
            pending::<()>().await;
        });
        drop(set);
        after_yields(3, ()).await;
        ran_on.get()
    });
    assert!(ran_on, "the detached task ran to its end");
    assert!(detached.is_set() && in_set.is_set());
}

#[test]
fn abort_all_cancels_running_tasks_and_keeps_finished_outputs() {
    let outs = Loop::new().run_task(async {
        let mut set = JoinSet::new();
        set.spawn(async { Some(1) });
        set.spawn(async {
            pending::<()>().await;
            None
        });
        interrupt().await;
        set.abort_all();
        assert_eq!(set.len(), 2, "aborted tasks stay in the set until joined");
        let mut outs = Vec::new();
        while let Some(out) = set.join_next().await {
            outs.push(out.map_err(|e| e.is_cancelled()));
        }
        outs
    });
    assert_eq!(outs, [Ok(Some(1)), Err(true)]);
}

#[test]
fn shutdown_aborts_every_task_and_waits_for_it_to_end() {
    let flags: Vec<DropFlag> = (0..4).map(|_| DropFlag::new()).collect();
    Loop::new().run_task(async {
        let mut set = JoinSet::new();
        for flag in &flags {
            let guard = flag.guard();
            set.spawn(async move {
                let _guard = guard;
                pending::<()>().await;
            });
        }
        set.shutdown().await;
        assert!(set.is_empty());
        assert!(
            flags.iter().all(DropFlag::is_set),
            "dropped before shutdown returned"
        );
    });
}

#[test]
fn detach_all_empties_the_set_and_lets_the_tasks_run_on() {
    let lp = Loop::new();
    let done = Rc::new(Cell::new(0));
    let counter = done.clone();
    lp.run_task(async move {
        let mut set = JoinSet::new();
        for _ in 0..3 {
            let counter = counter.clone();
            set.spawn(async move {
                interrupt().await;
                counter.set(counter.get() + 1);
            });
        }
        set.detach_all();
        assert!(set.is_empty());
        assert!(set.join_next().await.is_none());
        drop(set);
    });
    lp.run();
    assert_eq!(done.get(), 3);
}

#[test]
fn try_join_next_gives_only_tasks_that_have_finished() {
    Loop::new().run_task(async {
        let mut set = JoinSet::new();
        assert!(set.try_join_next().is_none(), "empty");
        set.spawn(after_yields(0, 1));
        set.spawn(after_yields(3, 2));
        assert!(set.try_join_next().is_none(), "nothing ran yet");
        interrupt().await;
        assert_eq!(set.try_join_next().unwrap().unwrap(), 1);
        assert!(set.try_join_next().is_none(), "the other still runs");
        assert_eq!(set.len(), 1);
        assert_eq!(set.join_next().await.unwrap().unwrap(), 2);
    });
}

#[test]
fn join_next_on_an_empty_set_is_none_at_once() {
    let out = Loop::new().run_task(async { JoinSet::<()>::new().join_next().await });
    assert!(out.is_none());
}

#[test]
fn a_dropped_join_next_future_loses_no_output() {
    Loop::new().run_task(async {
        let mut set = JoinSet::new();
        set.spawn(after_yields(1, "kept"));
        {
            let mut next = pin!(set.join_next());
            let first = poll_fn(|cx| Poll::Ready(next.as_mut().poll(cx))).await;
            assert!(first.is_pending());
        }
        after_yields(3, ()).await;
        assert_eq!(set.join_next().await.unwrap().unwrap(), "kept");
    });
}

#[test]
fn a_panicking_task_comes_back_as_a_panic_error() {
    Loop::new().run_task(async {
        let mut set = JoinSet::<()>::new();
        set.spawn(async { panic!("task failed") });
        let err = set.join_next().await.unwrap().unwrap_err();
        assert!(err.is_panic());
    });
}

#[test]
fn spawn_on_a_dropped_loop_reports_a_cancellation() {
    let lp = Loop::new();
    let handle = lp.handle();
    drop(lp);
    let flag = DropFlag::new();
    let guard = flag.guard();
    let mut set = JoinSet::new();
    set.spawn_on(&handle, async move { drop(guard) });
    assert!(flag.is_set(), "the future was dropped at once");
    assert_eq!(set.len(), 1);
    assert!(set.try_join_next().unwrap().unwrap_err().is_cancelled());
    assert!(set.is_empty());
}

#[test]
fn slots_are_reused_across_many_rounds() {
    Loop::new().run_task(async {
        let mut set = JoinSet::new();
        let mut sum = 0;
        for round in 0..100 {
            for i in 0..10 {
                set.spawn(after_yields(i % 3, round * 10 + i));
            }
            while let Some(out) = set.join_next().await {
                sum += out.unwrap();
            }
        }
        assert_eq!(sum, (0..1000).sum::<usize>());
    });
}

#[test]
fn join_next_yields_to_other_tasks_once_its_budget_is_spent() {
    Loop::new().run_task(async {
        let mut set = JoinSet::new();
        for i in 0..1000 {
            set.spawn(async move { i });
        }
        interrupt().await; // every task has finished now
        let ticks = Rc::new(Cell::new(0));
        let counter = ticks.clone();
        let ticker = spawn(async move {
            loop {
                counter.set(counter.get() + 1);
                interrupt().await;
            }
        });
        let mut joined = 0;
        while set.join_next().await.is_some() {
            joined += 1;
        }
        ticker.abort();
        assert_eq!(joined, 1000);
        assert!(
            ticks.get() >= 1000 / 128,
            "ticker ran {} times",
            ticks.get()
        );
    });
}

#[test]
fn spawn_outside_a_loop_panics_and_names_the_fix() {
    let msg = panic_message(|| JoinSet::new().spawn(async {}));
    assert!(msg.contains("Loop::try_current()"), "{msg}");
}

#[test]
fn a_set_joined_on_another_thread_gets_every_output_of_tasks_running_on_its_loop() {
    // The members run on `lp` (this thread) while the set waits on another
    // thread's loop. The set learns that a member is done when the loop drops
    // the member's future, just before the loop stores the output; each
    // future here takes a while to drop, so the set's poll often falls in
    // between, finds no output yet, and must still be told when it is there.
    struct SlowToDrop<F>(std::pin::Pin<Box<F>>);
    impl<F: Future> Future for SlowToDrop<F> {
        type Output = F::Output;
        fn poll(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> Poll<F::Output> {
            self.0.as_mut().poll(cx)
        }
    }
    impl<F> Drop for SlowToDrop<F> {
        fn drop(&mut self) {
            std::thread::sleep(std::time::Duration::from_micros(200));
        }
    }
    for _ in 0..10 {
        let lp = Loop::new();
        let mut set = JoinSet::new();
        for i in 0..40u64 {
            let member = SlowToDrop(Box::pin(after_yields(i as usize % 3, i)));
            set.spawn_on(&lp.handle(), member);
        }
        let joiner = std::thread::spawn(move || {
            Loop::new().run_task(async move {
                let mut outputs = Vec::new();
                while let Some(out) = set.join_next().await {
                    outputs.push(out.unwrap());
                }
                outputs
            })
        });
        lp.run();
        let mut outputs = joiner.join().unwrap();
        outputs.sort_unstable();
        assert_eq!(outputs, (0..40).collect::<Vec<_>>());
    }
}
