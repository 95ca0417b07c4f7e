//! `channel` and `unbounded`: FIFO, backpressure, closing from either side,
//! the `try_*` and `blocking_*` methods from plain threads, no message lost
//! or duplicated across threads or by a cancelled receive.

mod util;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Poll, Waker};

use futures_util::StreamExt;
use loop_core::{Loop, interrupt};
use loop_sync::{SendError, Sender, TryRecvError, TrySendError, channel, unbounded};
use util::{CountingWaker, poll_once};

#[test]
fn messages_arrive_in_the_order_they_were_sent() {
    let lp = Loop::new();
    let (tx, mut rx) = channel(3);
    let _producer = lp.add_task(async move {
        for i in 0..10 {
            tx.send(i).await.unwrap();
        }
    });
    let received = lp.run_task(async move {
        let mut out = Vec::new();
        while let Some(i) = rx.recv().await {
            out.push(i);
        }
        out
    });
    assert_eq!(received, (0..10).collect::<Vec<_>>());
}

#[test]
fn send_waits_while_the_channel_is_full() {
    let (tx, mut rx) = channel(2);
    let (wakes, waker) = CountingWaker::new();
    assert_eq!(poll_once(&mut tx.send(1), &waker), Poll::Ready(Ok(())));
    assert_eq!(poll_once(&mut tx.send(2), &waker), Poll::Ready(Ok(())));
    let mut third = tx.send(3);
    assert!(poll_once(&mut third, &waker).is_pending());
    assert!(poll_once(&mut third, &waker).is_pending());
    assert_eq!(wakes.wakes(), 0);
    // One message out makes room, and the waiting sender is woken once.
    assert_eq!(poll_once(&mut rx.recv(), &waker), Poll::Ready(Some(1)));
    assert_eq!(wakes.wakes(), 1);
    assert_eq!(poll_once(&mut third, &waker), Poll::Ready(Ok(())));
    // A new send still waits: the channel is full again.
    assert!(poll_once(&mut tx.send(4), &waker).is_pending());
    assert_eq!(poll_once(&mut rx.recv(), &waker), Poll::Ready(Some(2)));
    assert_eq!(poll_once(&mut rx.recv(), &waker), Poll::Ready(Some(3)));
}

#[test]
fn waiting_senders_are_served_in_arrival_order() {
    let lp = Loop::new();
    let (tx, mut rx) = channel(1);
    let order = lp.run_task(async move {
        tx.send(0).await.unwrap();
        for i in 1..=3 {
            let tx = tx.clone();
            drop(loop_core::spawn(async move { tx.send(i).await.unwrap() }));
        }
        drop(tx);
        // Each spawned sender runs once and waits.
        interrupt().await;
        let mut out = Vec::new();
        while let Some(i) = rx.recv().await {
            out.push(i);
        }
        out
    });
    assert_eq!(order, [0, 1, 2, 3]);
}

#[test]
fn recv_returns_none_once_every_sender_is_gone_and_the_buffer_is_empty() {
    let (tx, mut rx) = channel(4);
    let (wakes, waker) = CountingWaker::new();
    let tx2 = tx.clone();
    assert_eq!(poll_once(&mut tx.send(1), &waker), Poll::Ready(Ok(())));
    drop(tx);
    assert_eq!(poll_once(&mut rx.recv(), &waker), Poll::Ready(Some(1)));
    assert!(poll_once(&mut rx.recv(), &waker).is_pending());
    drop(tx2);
    assert_eq!(wakes.wakes(), 1);
    assert_eq!(poll_once(&mut rx.recv(), &waker), Poll::Ready(None));
}

#[test]
fn closing_the_receiver_gives_senders_their_values_back() {
    let (tx, mut rx) = channel(1);
    let (wakes, waker) = CountingWaker::new();
    assert_eq!(poll_once(&mut tx.send("kept"), &waker), Poll::Ready(Ok(())));
    let mut waiting = tx.send("waiting");
    assert!(poll_once(&mut waiting, &waker).is_pending());
    rx.close();
    assert!(tx.is_closed());
    assert_eq!(wakes.wakes(), 1);
    assert_eq!(
        poll_once(&mut waiting, &waker),
        Poll::Ready(Err(SendError("waiting")))
    );
    assert_eq!(
        poll_once(&mut tx.send("late"), &waker),
        Poll::Ready(Err(SendError("late")))
    );
    // What was buffered before the close is still delivered.
    assert_eq!(poll_once(&mut rx.recv(), &waker), Poll::Ready(Some("kept")));
    assert_eq!(poll_once(&mut rx.recv(), &waker), Poll::Ready(None));
}

#[test]
fn dropping_the_receiver_drops_buffered_messages_outside_the_lock() {
    /// A message that holds a sender of its own channel: dropping it under
    /// the channel's lock would deadlock.
    struct Message(#[allow(dead_code)] Sender<Message>, Arc<AtomicUsize>);
    impl Drop for Message {
        fn drop(&mut self) {
            self.1.fetch_add(1, Ordering::SeqCst);
        }
    }
    let drops = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = channel(4);
    for _ in 0..3 {
        let message = Message(tx.clone(), drops.clone());
        assert!(poll_once(&mut tx.send(message), Waker::noop()).is_ready());
    }
    drop(rx);
    assert_eq!(drops.load(Ordering::SeqCst), 3);
    let message = Message(tx.clone(), drops.clone());
    match poll_once(&mut tx.send(message), Waker::noop()) {
        Poll::Ready(Err(SendError(message))) => drop(message),
        _ => panic!("send on a closed channel must fail"),
    }
    assert_eq!(drops.load(Ordering::SeqCst), 4);
}

#[test]
fn cancelled_send_drops_its_value_and_frees_its_place() {
    let (tx, mut rx) = channel(1);
    assert!(poll_once(&mut tx.send(1), Waker::noop()).is_ready());
    let mut cancelled = tx.send(2);
    let mut kept = tx.send(3);
    assert!(poll_once(&mut cancelled, Waker::noop()).is_pending());
    assert!(poll_once(&mut kept, Waker::noop()).is_pending());
    drop(cancelled);
    assert_eq!(
        poll_once(&mut rx.recv(), Waker::noop()),
        Poll::Ready(Some(1))
    );
    assert_eq!(poll_once(&mut kept, Waker::noop()), Poll::Ready(Ok(())));
    assert_eq!(
        poll_once(&mut rx.recv(), Waker::noop()),
        Poll::Ready(Some(3))
    );
}

#[test]
fn capacity_zero_hands_each_message_straight_to_the_receiver() {
    let (tx, mut rx) = channel(0);
    let (wakes, waker) = CountingWaker::new();
    assert!(poll_once(&mut rx.recv(), &waker).is_pending());
    let mut send = tx.send(7);
    assert!(poll_once(&mut send, &waker).is_pending());
    assert_eq!(wakes.wakes(), 1, "the waiting receiver is woken");
    assert_eq!(poll_once(&mut rx.recv(), &waker), Poll::Ready(Some(7)));
    assert_eq!(wakes.wakes(), 2, "the sender is woken");
    assert_eq!(poll_once(&mut send, &waker), Poll::Ready(Ok(())));
}

#[test]
fn four_producer_threads_lose_and_duplicate_no_message() {
    const PRODUCERS: usize = 4;
    const PER_PRODUCER: usize = 100_000;
    let (tx, mut rx) = channel(64);
    let producers: Vec<_> = (0..PRODUCERS)
        .map(|p| {
            let tx = tx.clone();
            std::thread::spawn(move || {
                Loop::new().run_task(async move {
                    for i in 0..PER_PRODUCER {
                        tx.send((p, i)).await.unwrap();
                    }
                });
            })
        })
        .collect();
    drop(tx);
    let next = Loop::new().run_task(async move {
        let mut next = [0; PRODUCERS];
        while let Some((p, i)) = rx.recv().await {
            // FIFO per sender: each producer's messages arrive in order.
            assert_eq!(i, next[p], "producer {p}");
            next[p] += 1;
        }
        next
    });
    for producer in producers {
        producer.join().unwrap();
    }
    assert_eq!(next, [PER_PRODUCER; PRODUCERS]);
}

#[test]
fn an_unbounded_send_never_waits_and_messages_stay_in_order() {
    let (tx, mut rx) = unbounded();
    let (wakes, waker) = CountingWaker::new();
    for i in 0..10_000 {
        assert_eq!(poll_once(&mut tx.send(i), &waker), Poll::Ready(Ok(())));
    }
    assert_eq!(tx.len(), 10_000);
    assert_eq!(wakes.wakes(), 0);
    for i in 0..10_000 {
        assert_eq!(rx.try_recv(), Ok(i));
    }
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
}

#[test]
fn try_send_reports_full_and_closed_and_gives_the_value_back() {
    let (tx, mut rx) = channel(2);
    assert_eq!(tx.try_send(1), Ok(()));
    assert_eq!(tx.try_send(2), Ok(()));
    assert_eq!(tx.try_send(3), Err(TrySendError::Full(3)));
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(tx.try_send(3), Ok(()));
    rx.close();
    assert_eq!(tx.try_send(4), Err(TrySendError::Closed(4)));
    assert_eq!(TrySendError::Closed(4).into_inner(), 4);
    assert_eq!(rx.try_recv(), Ok(2));
    assert_eq!(rx.try_recv(), Ok(3));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

#[test]
fn try_send_does_not_overtake_a_waiting_sender() {
    let (tx, mut rx) = channel(1);
    assert_eq!(tx.try_send(1), Ok(()));
    let mut waiting = tx.send(2);
    assert!(poll_once(&mut waiting, Waker::noop()).is_pending());
    assert_eq!(rx.try_recv(), Ok(1));
    // The waiting sender's value moved into the freed slot: full again.
    assert_eq!(tx.try_send(3), Err(TrySendError::Full(3)));
    assert_eq!(poll_once(&mut waiting, Waker::noop()), Poll::Ready(Ok(())));
    assert_eq!(rx.try_recv(), Ok(2));
}

#[test]
fn try_recv_says_empty_while_a_sender_lives_then_closed() {
    let (tx, mut rx) = unbounded::<u8>();
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    tx.try_send(9).unwrap();
    drop(tx);
    assert_eq!(rx.try_recv(), Ok(9));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

#[test]
fn try_send_wakes_the_waiting_receiver_once() {
    let (tx, mut rx) = unbounded();
    let (wakes, waker) = CountingWaker::new();
    assert!(poll_once(&mut rx.recv(), &waker).is_pending());
    tx.try_send('x').unwrap();
    tx.try_send('y').unwrap();
    assert_eq!(wakes.wakes(), 1);
    assert_eq!(poll_once(&mut rx.recv(), &waker), Poll::Ready(Some('x')));
}

#[test]
fn a_cancelled_recv_that_was_handed_a_message_loses_nothing() {
    for (tx, mut rx) in [channel(1), unbounded()] {
        let (wakes, waker) = CountingWaker::new();
        let mut recv = rx.recv();
        assert!(poll_once(&mut recv, &waker).is_pending());
        tx.try_send("kept").unwrap();
        assert_eq!(wakes.wakes(), 1, "the receive was woken for the message");
        drop(recv);
        assert_eq!(rx.len(), 1);
        assert_eq!(poll_once(&mut rx.recv(), &waker), Poll::Ready(Some("kept")));
    }
}

#[test]
fn len_and_is_empty_count_the_buffered_messages_on_both_halves() {
    let (tx, mut rx) = channel(4);
    assert!(tx.is_empty() && rx.is_empty());
    tx.try_send(1).unwrap();
    tx.try_send(2).unwrap();
    assert_eq!((tx.len(), rx.len()), (2, 2));
    rx.try_recv().unwrap();
    assert_eq!((tx.len(), rx.len()), (1, 1));
    assert!(!rx.is_empty());
}

#[test]
fn blocking_send_and_blocking_recv_carry_messages_between_plain_threads() {
    for (tx, mut rx) in [channel(2), unbounded()] {
        let producers: Vec<_> = (0..3u64)
            .map(|p| {
                let tx = tx.clone();
                std::thread::spawn(move || {
                    for i in 0..1000 {
                        tx.blocking_send(p * 1000 + i).unwrap();
                    }
                })
            })
            .collect();
        drop(tx);
        let consumer = std::thread::spawn(move || {
            let mut sum = 0;
            while let Some(i) = rx.blocking_recv() {
                sum += i;
            }
            sum
        });
        for producer in producers {
            producer.join().unwrap();
        }
        assert_eq!(consumer.join().unwrap(), (0..3000).sum::<u64>());
    }
}

#[test]
fn blocking_send_gives_the_value_back_when_the_receiver_closes_before_or_while_it_waits() {
    let (tx, mut rx) = channel(1);
    tx.try_send(0).unwrap();
    // The sender finds the channel full and blocks, unless the close below
    // came first: either way the value comes back.
    let sender = std::thread::spawn(move || tx.blocking_send(1));
    rx.close();
    assert_eq!(sender.join().unwrap(), Err(SendError(1)));
    assert_eq!(rx.try_recv(), Ok(0));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

#[test]
fn the_receiver_is_a_stream_that_ends_when_the_senders_are_gone() {
    let (tx, rx) = unbounded();
    for i in 0..5 {
        tx.try_send(i).unwrap();
    }
    drop(tx);
    let all: Vec<i32> = Loop::new().run_task(rx.collect());
    assert_eq!(all, [0, 1, 2, 3, 4]);
}

#[test]
fn an_unbounded_producer_task_and_a_consumer_task_share_one_loop() {
    let lp = Loop::new();
    let (tx, mut rx) = unbounded();
    let _producer = lp.add_task(async move {
        for i in 0..100_000u64 {
            tx.send(i).await.unwrap();
        }
    });
    let (count, sum) = lp.run_task(async move {
        let (mut count, mut sum) = (0, 0);
        while let Some(i) = rx.recv().await {
            count += 1;
            sum += i;
        }
        (count, sum)
    });
    assert_eq!((count, sum), (100_000, (0..100_000).sum()));
}
