//! `Event`: set wakes every waiter, clear makes new waiters wait.

mod util;

use std::task::{Poll, Waker};

use loop_sync::Event;
use util::{CountingWaker, poll_once};

#[test]
fn set_wakes_every_waiting_task_once() {
    let event = Event::new();
    let (wakes, waker) = CountingWaker::new();
    let mut waits: Vec<_> = (0..3).map(|_| event.wait()).collect();
    for wait in &mut waits {
        assert!(poll_once(wait, &waker).is_pending());
    }
    assert_eq!(wakes.wakes(), 0);
    event.set();
    event.set();
    assert_eq!(wakes.wakes(), 3);
    for wait in &mut waits {
        assert_eq!(poll_once(wait, &waker), Poll::Ready(()));
    }
}

#[test]
fn waiting_on_a_set_event_completes_at_once() {
    let event = Event::new();
    event.set();
    assert!(event.is_set());
    assert_eq!(poll_once(&mut event.wait(), Waker::noop()), Poll::Ready(()));
}

#[test]
fn after_clear_new_waiters_wait_for_the_next_set() {
    let event = Event::new();
    event.set();
    event.clear();
    assert!(!event.is_set());
    let (wakes, waker) = CountingWaker::new();
    let mut wait = event.wait();
    assert!(poll_once(&mut wait, &waker).is_pending());
    assert!(poll_once(&mut wait, &waker).is_pending());
    event.set();
    assert_eq!(wakes.wakes(), 1);
    assert_eq!(poll_once(&mut wait, &waker), Poll::Ready(()));
}

#[test]
fn waiter_notified_by_set_completes_even_if_cleared_before_it_runs() {
    let event = Event::new();
    let mut wait = event.wait();
    assert!(poll_once(&mut wait, Waker::noop()).is_pending());
    event.set();
    event.clear();
    assert_eq!(poll_once(&mut wait, Waker::noop()), Poll::Ready(()));
}

#[test]
fn dropped_waiter_is_not_woken() {
    let event = Event::new();
    let (wakes, waker) = CountingWaker::new();
    let mut wait = event.wait();
    assert!(poll_once(&mut wait, &waker).is_pending());
    drop(wait);
    event.set();
    assert_eq!(wakes.wakes(), 0);
}
