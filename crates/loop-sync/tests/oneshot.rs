//! `oneshot`: the value arrives, each way of ending is seen by the other
//! end, wakes are exact, and values are dropped once.

mod util;

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use loop_core::{Loop, interrupt};
use loop_sync::oneshot::{self, RecvError, TryRecvError};
use test_support::DropFlag;
use util::CountingWaker;

#[test]
fn the_value_sent_is_the_value_received() {
    let lp = Loop::new();
    let (tx, rx) = oneshot::channel();
    let task = lp.add_task(async move {
        interrupt().await;
        tx.send(String::from("hello")).unwrap();
    });
    assert_eq!(lp.run_task(rx).as_deref(), Ok("hello"));
    lp.run_task(task).unwrap();
}

#[test]
fn a_waiting_receiver_is_woken_exactly_once_by_send() {
    let (tx, rx) = oneshot::channel();
    let (wakes, waker) = CountingWaker::new();
    let mut cx = Context::from_waker(&waker);
    let mut rx = pin!(rx);
    assert!(rx.as_mut().poll(&mut cx).is_pending());
    // A second poll with the same waker re-registers it.
    assert!(rx.as_mut().poll(&mut cx).is_pending());
    assert_eq!(wakes.wakes(), 0);
    tx.send(7).unwrap();
    assert_eq!(wakes.wakes(), 1);
    assert_eq!(rx.as_mut().poll(&mut cx), Poll::Ready(Ok(7)));
}

#[test]
fn dropping_the_sender_gives_the_receiver_recv_error() {
    let (tx, rx) = oneshot::channel::<u8>();
    let (wakes, waker) = CountingWaker::new();
    let mut cx = Context::from_waker(&waker);
    let mut rx = pin!(rx);
    assert!(rx.as_mut().poll(&mut cx).is_pending());
    drop(tx);
    assert_eq!(wakes.wakes(), 1);
    assert_eq!(rx.as_mut().poll(&mut cx), Poll::Ready(Err(RecvError)));
}

#[test]
fn dropping_the_receiver_fails_send_with_the_value_and_completes_closed() {
    let lp = Loop::new();
    let (mut tx, rx) = oneshot::channel::<String>();
    let task = lp.add_task(async move {
        assert!(!tx.is_closed());
        tx.closed().await;
        assert!(tx.is_closed());
        tx.send(String::from("late"))
    });
    lp.run_task(interrupt());
    assert!(!task.is_finished());
    drop(rx);
    assert_eq!(lp.run_task(task).unwrap(), Err(String::from("late")));
}

#[test]
fn closed_is_woken_exactly_once_when_the_receiver_closes() {
    let (mut tx, mut rx) = oneshot::channel::<u8>();
    let (wakes, waker) = CountingWaker::new();
    let mut cx = Context::from_waker(&waker);
    {
        let mut closed = pin!(tx.closed());
        assert!(closed.as_mut().poll(&mut cx).is_pending());
        assert!(closed.as_mut().poll(&mut cx).is_pending());
        rx.close();
        assert_eq!(wakes.wakes(), 1);
        assert!(closed.as_mut().poll(&mut cx).is_ready());
    }
    drop(rx);
    assert_eq!(
        wakes.wakes(),
        1,
        "dropping a closed receiver wakes nobody again"
    );
    assert_eq!(tx.send(1), Err(1));
}

#[test]
fn try_recv_sees_empty_then_the_value_then_closed() {
    let (tx, mut rx) = oneshot::channel();
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    tx.send(1).unwrap();
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    let (tx, mut rx) = oneshot::channel::<u8>();
    drop(tx);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

#[test]
fn a_value_sent_before_close_can_still_be_received() {
    let (tx, mut rx) = oneshot::channel();
    tx.send(4).unwrap();
    rx.close();
    assert_eq!(Loop::new().run_task(rx), Ok(4));
}

#[test]
fn an_unreceived_value_is_dropped_once_with_the_channel() {
    let flag = DropFlag::new();
    let (tx, rx) = oneshot::channel();
    tx.send(flag.guard()).unwrap();
    assert!(!flag.is_set());
    drop(rx);
    assert!(flag.is_set());

    let flag = DropFlag::new();
    let (tx, rx) = oneshot::channel();
    drop(rx);
    let back = tx.send(flag.guard()).unwrap_err();
    assert!(!flag.is_set(), "the value came back, not dropped");
    drop(back);
    assert!(flag.is_set());
}

#[test]
fn polling_a_completed_receiver_panics_naming_the_fix() {
    let (tx, rx) = oneshot::channel();
    tx.send(1).unwrap();
    let mut rx = pin!(rx);
    let mut cx = Context::from_waker(std::task::Waker::noop());
    assert_eq!(rx.as_mut().poll(&mut cx), Poll::Ready(Ok(1)));
    let message = test_support::panic_message(|| {
        let _ = rx.as_mut().poll(&mut cx);
    });
    assert!(message.starts_with("loop-sync: a oneshot `Receiver` was polled after it completed"));
    assert!(message.contains("use `try_recv`"));
}

#[test]
fn values_cross_threads_while_receivers_wait() {
    let lp = Loop::new();
    let (senders, receivers): (Vec<_>, Vec<_>) = (0..1000).map(|_| oneshot::channel()).unzip();
    let total = Arc::new(std::sync::atomic::AtomicU64::new(0));
    for (i, rx) in receivers.into_iter().enumerate() {
        let total = total.clone();
        drop(lp.add_task(async move {
            let value: u64 = rx.await.unwrap();
            assert_eq!(value, i as u64);
            total.fetch_add(value, std::sync::atomic::Ordering::SeqCst);
        }));
    }
    let thread = std::thread::spawn(move || {
        for (i, tx) in senders.into_iter().enumerate() {
            tx.send(i as u64).unwrap();
        }
    });
    lp.run();
    thread.join().unwrap();
    assert_eq!(
        total.load(std::sync::atomic::Ordering::SeqCst),
        999 * 1000 / 2
    );
}

#[test]
fn debug_and_display_say_what_they_are() {
    let (tx, rx) = oneshot::channel::<u8>();
    assert_eq!(format!("{tx:?}"), "Sender { closed: false }");
    assert_eq!(
        format!("{rx:?}"),
        "Receiver { sent: Some(false), sender_dropped: Some(false), done: false }"
    );
    assert_eq!(
        RecvError.to_string(),
        "the oneshot sender was dropped without sending"
    );
    assert_eq!(
        TryRecvError::Empty.to_string(),
        "the oneshot channel is empty"
    );
}

/// A value that counts its drops.
struct Counted(Arc<std::sync::atomic::AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

#[test]
fn ends_racing_on_two_threads_drop_every_value_exactly_once() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    const ROUNDS: usize = 2_000;
    let dropped = Arc::new(AtomicUsize::new(0));
    let (to_sender, senders) = std::sync::mpsc::channel();
    let sender_thread = {
        let dropped = dropped.clone();
        std::thread::spawn(move || {
            for (i, tx) in senders.iter().enumerate() {
                let tx: oneshot::Sender<Counted> = tx;
                match i % 3 {
                    // A refused value comes back and is dropped here.
                    0 | 1 => drop(tx.send(Counted(dropped.clone()))),
                    _ => drop(tx),
                }
            }
        })
    };
    let lp = Loop::new();
    let mut received = 0;
    for i in 0..ROUNDS {
        let (tx, rx) = oneshot::channel();
        to_sender.send(tx).unwrap();
        if i % 2 == 0 {
            if lp.run_task(rx).is_ok() {
                received += 1;
            }
        } else {
            drop(rx);
        }
    }
    drop(to_sender);
    sender_thread.join().unwrap();
    // Every value made (two rounds in three) was dropped once: by the
    // receiver, with the channel, or back in the sender's hands.
    let made = (0..ROUNDS).filter(|i| i % 3 != 2).count();
    assert_eq!(dropped.load(Ordering::SeqCst), made);
    assert!(received > 0);
}

#[test]
fn a_task_receiving_ready_values_in_a_loop_lets_other_tasks_run() {
    let lp = Loop::new();
    let ticks = std::rc::Rc::new(std::cell::Cell::new(0));
    let _ticker = lp.add_task({
        let ticks = ticks.clone();
        async move {
            loop {
                ticks.set(ticks.get() + 1);
                interrupt().await;
            }
        }
    });
    let ticked = lp.run_task(async {
        let before = ticks.get();
        for i in 0..20 * loop_core::BUDGET {
            let (tx, rx) = oneshot::channel();
            tx.send(i).unwrap();
            assert_eq!(rx.await, Ok(i));
        }
        ticks.get() - before
    });
    assert!(ticked >= 10, "the ticker ran {ticked} times");
}
