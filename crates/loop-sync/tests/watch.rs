//! `watch`: receivers never miss the latest value, see each change once,
//! learn when the sender is gone; the sender learns when the receivers are.

mod util;

use std::task::{Poll, Waker};

use loop_core::{Loop, interrupt};
use loop_sync::watch::{self, RecvError, SendError};
use util::{CountingWaker, poll_once};

#[test]
fn a_receiver_that_wakes_late_sees_the_last_value_and_one_change() {
    let (tx, mut rx) = watch::watch(0);
    let (wakes, waker) = CountingWaker::new();
    let mut changed = rx.changed();
    assert!(poll_once(&mut changed, &waker).is_pending());
    for i in 1..=3 {
        tx.send(i).unwrap();
    }
    assert_eq!(wakes.wakes(), 1, "woken by the first send only");
    assert_eq!(poll_once(&mut changed, &waker), Poll::Ready(Ok(())));
    drop(changed);
    assert_eq!(*rx.borrow(), 3);
    // The change was reported once: the next `changed` waits.
    let mut changed = rx.changed();
    assert!(poll_once(&mut changed, &waker).is_pending());
    tx.send(4).unwrap();
    assert_eq!(wakes.wakes(), 2);
    assert_eq!(poll_once(&mut changed, &waker), Poll::Ready(Ok(())));
    drop(changed);
    assert_eq!(*rx.borrow_and_update(), 4);
}

#[test]
fn borrow_and_update_marks_the_value_seen_and_borrow_does_not() {
    let (tx, mut rx) = watch::watch("a");
    tx.send("b").unwrap();
    let value = rx.borrow();
    assert_eq!((*value, value.has_changed()), ("b", true));
    drop(value);
    assert_eq!(rx.has_changed(), Ok(true));
    let value = rx.borrow_and_update();
    assert_eq!((*value, value.has_changed()), ("b", true));
    drop(value);
    assert_eq!(rx.has_changed(), Ok(false));
    assert!(poll_once(&mut rx.changed(), Waker::noop()).is_pending());
}

#[test]
fn changed_fails_once_the_sender_is_gone_and_its_last_value_was_seen() {
    let (tx, mut rx) = watch::watch(0);
    tx.send(1).unwrap();
    drop(tx);
    Loop::new().run_task(async move {
        assert_eq!(rx.changed().await, Ok(()));
        assert_eq!(*rx.borrow(), 1);
        assert_eq!(rx.changed().await, Err(RecvError));
        assert_eq!(rx.has_changed(), Err(RecvError));
    });
}

#[test]
fn dropping_the_sender_wakes_a_waiting_receiver() {
    let (tx, mut rx) = watch::watch(());
    let (wakes, waker) = CountingWaker::new();
    let mut changed = rx.changed();
    assert!(poll_once(&mut changed, &waker).is_pending());
    drop(tx);
    assert_eq!(wakes.wakes(), 1);
    assert_eq!(poll_once(&mut changed, &waker), Poll::Ready(Err(RecvError)));
}

#[test]
fn each_clone_sees_the_latest_value_and_its_own_changes() {
    let (tx, mut rx) = watch::watch(0);
    let mut clones: Vec<_> = (0..3).map(|_| rx.clone()).collect();
    assert_eq!(tx.receiver_count(), 4);
    tx.send(7).unwrap();
    assert_eq!(
        poll_once(&mut rx.changed(), Waker::noop()),
        Poll::Ready(Ok(()))
    );
    for clone in &mut clones {
        // One receiver seeing the change does not mark it seen for another.
        assert_eq!(clone.has_changed(), Ok(true));
        assert_eq!(*clone.borrow_and_update(), 7);
    }
    // A clone made now has seen what the original has seen.
    assert_eq!(rx.clone().has_changed(), Ok(false));
}

#[test]
fn a_subscriber_has_seen_the_current_value() {
    let (tx, rx) = watch::watch(1);
    tx.send(2).unwrap();
    let mut late = tx.subscribe();
    assert_eq!(late.has_changed(), Ok(false));
    assert_eq!(*late.borrow(), 2);
    assert!(poll_once(&mut late.changed(), Waker::noop()).is_pending());
    drop(rx);
}

#[test]
fn send_modify_notifies_and_send_if_modified_only_when_told() {
    let (tx, mut rx) = watch::watch(vec![1]);
    assert!(!tx.send_if_modified(|_| false));
    assert_eq!(rx.has_changed(), Ok(false));
    tx.send_modify(|v| v.push(2));
    assert_eq!(rx.has_changed(), Ok(true));
    assert_eq!(*rx.borrow_and_update(), [1, 2]);
    assert!(tx.send_if_modified(|v| {
        v.push(3);
        true
    }));
    assert_eq!(*rx.borrow_and_update(), [1, 2, 3]);
    assert_eq!(tx.send_replace(vec![]), [1, 2, 3]);
    assert!(rx.borrow().is_empty());
}

#[test]
fn send_without_receivers_fails_but_send_replace_stores() {
    let (tx, rx) = watch::watch(0);
    drop(rx);
    assert!(tx.is_closed());
    assert_eq!(tx.send(1), Err(SendError(1)));
    assert_eq!(*tx.borrow(), 0);
    assert_eq!(tx.send_replace(2), 0);
    assert_eq!(*tx.subscribe().borrow(), 2);
}

#[test]
fn closed_completes_when_the_last_receiver_goes() {
    let (tx, rx) = watch::watch(0);
    let rx2 = rx.clone();
    let (wakes, waker) = CountingWaker::new();
    let mut closed = tx.closed();
    assert!(poll_once(&mut closed, &waker).is_pending());
    drop(rx);
    assert_eq!(wakes.wakes(), 0);
    assert!(poll_once(&mut closed, &waker).is_pending());
    drop(rx2);
    assert_eq!(wakes.wakes(), 1);
    assert_eq!(poll_once(&mut closed, &waker), Poll::Ready(()));
    assert_eq!(tx.receiver_count(), 0);
}

#[test]
fn a_cancelled_changed_marks_nothing_seen() {
    let (tx, mut rx) = watch::watch(0);
    let (wakes, waker) = CountingWaker::new();
    let mut changed = rx.changed();
    assert!(poll_once(&mut changed, &waker).is_pending());
    tx.send(1).unwrap();
    assert_eq!(wakes.wakes(), 1);
    drop(changed);
    assert_eq!(poll_once(&mut rx.changed(), &waker), Poll::Ready(Ok(())));
}

#[test]
fn receivers_on_one_loop_end_on_the_last_value_sent() {
    let lp = Loop::new();
    let (tx, rx) = watch::watch(0u32);
    let receivers: Vec<_> = (0..10)
        .map(|_| {
            let mut rx = rx.clone();
            lp.add_task(async move {
                let mut changes = 0;
                while rx.changed().await.is_ok() {
                    changes += 1;
                    let _value = *rx.borrow_and_update();
                }
                (*rx.borrow(), changes)
            })
        })
        .collect();
    drop(rx);
    let _sender = lp.add_task(async move {
        for i in 1..=1000 {
            tx.send(i).unwrap();
            interrupt().await;
        }
    });
    for receiver in receivers {
        let (last, changes) = lp.run_task(receiver).unwrap();
        assert_eq!(last, 1000);
        // One change per send: every receiver runs between two sends.
        assert_eq!(changes, 1000);
    }
}

#[test]
fn a_receiver_on_a_plain_thread_never_misses_the_last_value() {
    let (tx, rx) = watch::watch(0u64);
    let watchers: Vec<_> = (0..3)
        .map(|_| {
            let mut rx = rx.clone();
            std::thread::spawn(move || {
                Loop::new().run_task(async move {
                    while rx.changed().await.is_ok() {}
                    *rx.borrow()
                })
            })
        })
        .collect();
    drop(rx);
    for i in 1..=10_000 {
        tx.send(i).unwrap();
    }
    drop(tx);
    for watcher in watchers {
        assert_eq!(watcher.join().unwrap(), 10_000);
    }
}
