//! The cooperative budget: a task whose channel (mpsc, unbounded, broadcast,
//! watch), semaphore, event or waiter is
//! always ready still gives the loop back now and then, so the loop's other
//! tasks keep running. Each test runs a "ticker" task that counts its turns
//! beside a task that never meets a primitive that has to wait.

use std::cell::Cell;
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use loop_core::{BUDGET, Loop, interrupt};
use loop_sync::{Event, Semaphore, Waiter, broadcast, channel, unbounded, watch};

/// Ready operations the busy task makes: twenty budgets' worth.
const OPS: usize = 20 * BUDGET as usize;

/// The least number of turns the ticker must get while the busy task makes
/// `OPS` ready operations (it gets one per spent budget, so about 20).
const MIN_TICKS: usize = 10;

/// A task that counts its turns forever, yielding after each.
async fn ticker(ticks: Rc<Cell<usize>>) {
    loop {
        ticks.set(ticks.get() + 1);
        interrupt().await;
    }
}

/// Runs `busy` on a loop beside a ticker; returns how many turns the ticker
/// got while `busy` ran.
fn ticks_during<F: Future<Output = ()>>(busy: impl FnOnce() -> F) -> usize {
    let lp = Loop::new();
    let ticks = Rc::new(Cell::new(0));
    let _ticker = lp.add_task(ticker(ticks.clone()));
    let busy = busy();
    lp.run_task(async {
        let before = ticks.get();
        busy.await;
        ticks.get() - before
    })
}

#[test]
fn receiving_from_a_channel_a_thread_keeps_full_lets_other_tasks_run() {
    let (tx, mut rx) = channel(OPS);
    let (filled_tx, filled_rx) = std::sync::mpsc::channel();
    let producer = std::thread::spawn(move || {
        Loop::new().run_task(async move {
            for i in 0.. {
                if i == OPS {
                    filled_tx.send(()).unwrap();
                }
                if tx.send(i).await.is_err() {
                    break;
                }
            }
        })
    });
    // The channel holds `OPS` messages: every receive below finds one.
    filled_rx.recv().unwrap();
    let ticks = ticks_during(|| async {
        for i in 0..OPS {
            assert_eq!(rx.recv().await, Some(i));
        }
    });
    drop(rx);
    producer.join().unwrap();
    assert!(ticks >= MIN_TICKS, "the ticker ran {ticks} times");
}

#[test]
fn a_task_refilling_its_own_channel_lets_other_tasks_run() {
    let (tx, mut rx) = channel(1);
    let ticks = ticks_during(|| async move {
        for i in 0..OPS / 2 {
            tx.send(i).await.unwrap();
            assert_eq!(rx.recv().await, Some(i));
        }
    });
    assert!(ticks >= MIN_TICKS, "the ticker ran {ticks} times");
}

#[test]
fn acquiring_and_releasing_a_free_permit_in_a_loop_lets_other_tasks_run() {
    let semaphore = Semaphore::new(1);
    let ticks = ticks_during(|| async {
        for _ in 0..OPS {
            drop(semaphore.acquire().await);
        }
    });
    assert!(ticks >= MIN_TICKS, "the ticker ran {ticks} times");
}

#[test]
fn waiting_on_a_set_event_in_a_loop_lets_other_tasks_run() {
    let event = Event::new();
    event.set();
    let ticks = ticks_during(|| async {
        for _ in 0..OPS {
            event.wait().await;
        }
    });
    assert!(ticks >= MIN_TICKS, "the ticker ran {ticks} times");
}

#[test]
fn waiting_on_a_finished_waiter_in_a_loop_lets_other_tasks_run() {
    let waiter = Waiter::new(0);
    let ticks = ticks_during(|| async {
        for _ in 0..OPS {
            (&waiter).await;
        }
    });
    assert!(ticks >= MIN_TICKS, "the ticker ran {ticks} times");
}

#[test]
fn sending_to_an_unbounded_channel_in_a_loop_lets_other_tasks_run() {
    let (tx, _rx) = unbounded();
    let ticks = ticks_during(|| async move {
        for i in 0..OPS {
            tx.send(i).await.unwrap();
        }
    });
    assert!(ticks >= MIN_TICKS, "the ticker ran {ticks} times");
}

#[test]
fn receiving_from_a_full_broadcast_in_a_loop_lets_other_tasks_run() {
    let (tx, mut rx) = broadcast(OPS);
    for i in 0..OPS {
        tx.send(i).unwrap();
    }
    let ticks = ticks_during(|| async move {
        for i in 0..OPS {
            assert_eq!(rx.recv().await, Ok(i));
        }
    });
    assert!(ticks >= MIN_TICKS, "the ticker ran {ticks} times");
}

#[test]
fn a_watch_that_always_changed_lets_other_tasks_run() {
    let (tx, mut rx) = watch(0);
    let ticks = ticks_during(|| async move {
        for i in 0..OPS {
            tx.send(i).unwrap();
            rx.changed().await.unwrap();
        }
    });
    assert!(ticks >= MIN_TICKS, "the ticker ran {ticks} times");
}

#[test]
fn outside_a_goldiloop_task_the_budget_never_runs_out() {
    // Polled by hand, as another executor would: one poll does it all.
    let (tx, mut rx) = channel(OPS);
    let semaphore = Semaphore::new(1);
    let event = Event::new();
    event.set();
    let all = pin!(async {
        for i in 0..OPS {
            tx.send(i).await.unwrap();
        }
        for i in 0..OPS {
            assert_eq!(rx.recv().await, Some(i));
            drop(semaphore.acquire().await);
            event.wait().await;
            Waiter::new(0).await;
        }
    });
    let mut cx = Context::from_waker(Waker::noop());
    assert_eq!(all.poll(&mut cx), Poll::Ready(()));
}
