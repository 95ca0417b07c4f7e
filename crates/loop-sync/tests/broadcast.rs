//! `broadcast`: every receiver sees every message sent after it subscribed,
//! a slow receiver is told exactly how many it missed, memory stays bounded,
//! and a cancelled receive loses nothing.

mod util;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Poll, Waker};

use loop_core::{Loop, interrupt};
use loop_sync::broadcast::{self, RecvError, SendError, TryRecvError};
use util::{CountingWaker, poll_once};

#[test]
fn every_receiver_sees_every_message_sent_after_it_subscribed() {
    let (tx, mut early) = broadcast::broadcast(8);
    tx.send(1).unwrap();
    let mut late = tx.subscribe();
    let mut later = late.resubscribe();
    tx.send(2).unwrap();
    tx.send(3).unwrap();
    assert_eq!(tx.receiver_count(), 3);
    for (receiver, expected) in [
        (&mut early, &[1, 2, 3][..]),
        (&mut late, &[2, 3]),
        (&mut later, &[2, 3]),
    ] {
        for &i in expected {
            assert_eq!(receiver.try_recv(), Ok(i));
        }
        assert_eq!(receiver.try_recv(), Err(TryRecvError::Empty));
    }
}

#[test]
fn a_receiver_that_never_read_is_told_it_missed_exactly_the_evicted_messages() {
    const CAPACITY: usize = 4;
    let (tx, mut rx) = broadcast::broadcast(CAPACITY);
    for i in 0..CAPACITY as u64 + 5 {
        assert_eq!(tx.send(i), Ok(1));
    }
    assert_eq!(rx.len(), CAPACITY);
    drop(tx);
    Loop::new().run_task(async move {
        assert_eq!(rx.recv().await, Err(RecvError::Lagged(5)));
        for i in 5..9 {
            assert_eq!(rx.recv().await, Ok(i));
        }
        assert_eq!(rx.recv().await, Err(RecvError::Closed));
    });
}

#[test]
fn try_recv_reports_the_same_lag_and_then_continues_from_the_oldest_kept() {
    let (tx, mut rx) = broadcast::broadcast(2);
    for i in 0..3 {
        tx.send(i).unwrap();
    }
    assert_eq!(rx.try_recv(), Err(TryRecvError::Lagged(1)));
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(rx.try_recv(), Ok(2));
    for i in 3..=6 {
        tx.send(i).unwrap();
    }
    assert_eq!(rx.try_recv(), Err(TryRecvError::Lagged(2)));
    assert_eq!(rx.try_recv(), Ok(5));
    assert_eq!(rx.try_recv(), Ok(6));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
}

#[test]
fn the_channel_keeps_at_most_capacity_messages_and_drops_the_rest() {
    struct Counted(Arc<AtomicUsize>);
    impl Clone for Counted {
        fn clone(&self) -> Counted {
            Counted(self.0.clone())
        }
    }
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let drops = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = broadcast::broadcast(4);
    for _ in 0..100 {
        tx.send(Counted(drops.clone())).unwrap();
    }
    assert_eq!(drops.load(Ordering::SeqCst), 96);
    assert_eq!(rx.len(), 4);
    drop((tx, rx));
    assert_eq!(drops.load(Ordering::SeqCst), 100);
}

#[test]
fn one_send_wakes_every_waiting_receiver_once() {
    let (tx, mut a) = broadcast::broadcast(4);
    let mut b = tx.subscribe();
    let (wakes, waker) = CountingWaker::new();
    let mut recv_a = a.recv();
    let mut recv_b = b.recv();
    assert!(poll_once(&mut recv_a, &waker).is_pending());
    assert!(poll_once(&mut recv_b, &waker).is_pending());
    tx.send('m').unwrap();
    tx.send('n').unwrap();
    assert_eq!(wakes.wakes(), 2);
    assert_eq!(poll_once(&mut recv_a, &waker), Poll::Ready(Ok('m')));
    assert_eq!(poll_once(&mut recv_b, &waker), Poll::Ready(Ok('m')));
}

#[test]
fn a_cancelled_recv_that_was_woken_for_a_message_loses_nothing() {
    let (tx, mut rx) = broadcast::broadcast(4);
    let (wakes, waker) = CountingWaker::new();
    let mut recv = rx.recv();
    assert!(poll_once(&mut recv, &waker).is_pending());
    tx.send("kept").unwrap();
    assert_eq!(wakes.wakes(), 1);
    drop(recv);
    assert_eq!(poll_once(&mut rx.recv(), &waker), Poll::Ready(Ok("kept")));
}

#[test]
fn dropping_the_last_sender_wakes_waiting_receivers_to_see_closed() {
    let (tx, mut rx) = broadcast::broadcast::<u8>(4);
    let tx2 = tx.clone();
    let (wakes, waker) = CountingWaker::new();
    let mut recv = rx.recv();
    assert!(poll_once(&mut recv, &waker).is_pending());
    drop(tx);
    assert_eq!(wakes.wakes(), 0, "a sender remains");
    drop(tx2);
    assert_eq!(wakes.wakes(), 1);
    assert_eq!(
        poll_once(&mut recv, &waker),
        Poll::Ready(Err(RecvError::Closed))
    );
}

#[test]
fn a_send_without_receivers_gives_the_value_back_and_keeps_nothing() {
    let (tx, rx) = broadcast::broadcast(4);
    drop(rx);
    assert_eq!(tx.send(1), Err(SendError(1)));
    let mut rx = tx.subscribe();
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
}

#[test]
fn receivers_on_one_loop_each_get_every_message_in_order() {
    let lp = Loop::new();
    let (tx, rx) = broadcast::broadcast(16);
    let receivers: Vec<_> = (0..10)
        .map(|_| {
            let mut rx = rx.resubscribe();
            lp.add_task(async move {
                let mut got = Vec::new();
                loop {
                    match rx.recv().await {
                        Ok(i) => got.push(i),
                        Err(RecvError::Closed) => return got,
                        Err(RecvError::Lagged(n)) => panic!("lagged by {n}"),
                    }
                }
            })
        })
        .collect();
    drop(rx);
    let _sender = lp.add_task(async move {
        for i in 0..1000 {
            tx.send(i).unwrap();
            if i % 8 == 7 {
                interrupt().await;
            }
        }
    });
    for receiver in receivers {
        assert_eq!(
            lp.run_task(receiver).unwrap(),
            (0..1000).collect::<Vec<_>>()
        );
    }
}

#[test]
fn blocking_recv_and_try_recv_work_from_plain_threads() {
    let (tx, rx) = broadcast::broadcast(1024);
    let listeners: Vec<_> = (0..3)
        .map(|_| {
            let mut rx = rx.resubscribe();
            std::thread::spawn(move || {
                let mut sum = 0u64;
                while let Ok(i) = rx.blocking_recv() {
                    sum += i;
                }
                sum
            })
        })
        .collect();
    let mut polled = rx;
    let sender = std::thread::spawn(move || {
        for i in 0..1000u64 {
            tx.send(i).unwrap();
        }
    });
    sender.join().unwrap();
    let mut sum = 0;
    while let Ok(i) = polled.try_recv() {
        sum += i;
    }
    assert_eq!(polled.try_recv(), Err(TryRecvError::Closed));
    assert_eq!(sum, 499_500);
    for listener in listeners {
        assert_eq!(listener.join().unwrap(), 499_500);
    }
}

#[test]
fn a_waiting_receiver_is_freed_from_the_wait_list_when_cancelled() {
    let (tx, mut rx) = broadcast::broadcast(4);
    let mut recv = rx.recv();
    assert!(poll_once(&mut recv, Waker::noop()).is_pending());
    drop(recv);
    // No stale entry: the next receive queues afresh and is served.
    let (wakes, waker) = CountingWaker::new();
    let mut recv = rx.recv();
    assert!(poll_once(&mut recv, &waker).is_pending());
    tx.send(5).unwrap();
    assert_eq!(wakes.wakes(), 1);
    assert_eq!(poll_once(&mut recv, &waker), Poll::Ready(Ok(5)));
}
