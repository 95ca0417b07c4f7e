//! `Semaphore`: never more permits out than it holds, FIFO hand-off.

mod util;

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::task::Poll;

use loop_core::{Loop, interrupt};
use loop_sync::Semaphore;
use util::{CountingWaker, poll_once};

#[test]
fn never_more_permits_out_than_it_holds() {
    let lp = Loop::new();
    let semaphore = Semaphore::new(3);
    let inside = Rc::new(Cell::new(0));
    let most = Rc::new(Cell::new(0));
    for i in 0..20 {
        let (semaphore, inside, most) = (semaphore.clone(), inside.clone(), most.clone());
        drop(lp.add_task(async move {
            let _permit = semaphore.acquire().await;
            inside.set(inside.get() + 1);
            most.set(most.get().max(inside.get()));
            for _ in 0..i % 4 {
                interrupt().await;
            }
            inside.set(inside.get() - 1);
        }));
    }
    lp.run();
    assert_eq!(most.get(), 3);
    assert_eq!(semaphore.available_permits(), 3);
}

#[test]
fn waiters_are_served_in_arrival_order() {
    let lp = Loop::new();
    let semaphore = Semaphore::new(1);
    let order = Rc::new(RefCell::new(Vec::new()));
    let held = semaphore.try_acquire().unwrap();
    for i in 0..5 {
        let (semaphore, order) = (semaphore.clone(), order.clone());
        drop(lp.add_task(async move {
            let _permit = semaphore.acquire().await;
            order.borrow_mut().push(i);
            interrupt().await;
        }));
    }
    lp.run_task(interrupt());
    assert!(order.borrow().is_empty());
    drop(held);
    lp.run();
    assert_eq!(*order.borrow(), [0, 1, 2, 3, 4]);
}

#[test]
fn released_permit_goes_to_the_waiter_not_to_a_newcomer() {
    let semaphore = Semaphore::new(1);
    let (wakes, waker) = CountingWaker::new();
    let held = semaphore.try_acquire().unwrap();
    let mut waiting = semaphore.acquire();
    assert!(poll_once(&mut waiting, &waker).is_pending());
    drop(held);
    assert_eq!(wakes.wakes(), 1);
    // The permit is the waiter's already: a newcomer finds none.
    assert_eq!(semaphore.available_permits(), 0);
    assert!(semaphore.try_acquire().is_none());
    assert!(poll_once(&mut semaphore.acquire(), &waker).is_pending());
    assert!(matches!(poll_once(&mut waiting, &waker), Poll::Ready(_)));
}

#[test]
fn try_acquire_fails_while_others_wait_even_with_a_free_permit() {
    let semaphore = Semaphore::new(0);
    let mut waiting = semaphore.acquire();
    assert!(poll_once(&mut waiting, std::task::Waker::noop()).is_pending());
    semaphore.add_permits(2);
    // One permit went to the waiter, one is free, and nobody waits now.
    assert_eq!(semaphore.available_permits(), 1);
    assert!(semaphore.try_acquire().is_some());
}

#[test]
fn cancelled_acquire_passes_its_handed_permit_to_the_next_waiter() {
    let semaphore = Semaphore::new(1);
    let (wakes, waker) = CountingWaker::new();
    let held = semaphore.try_acquire().unwrap();
    let mut first = semaphore.acquire();
    let mut second = semaphore.acquire();
    assert!(poll_once(&mut first, &waker).is_pending());
    assert!(poll_once(&mut second, &waker).is_pending());
    drop(held);
    assert_eq!(wakes.wakes(), 1);
    drop(first);
    assert_eq!(wakes.wakes(), 2);
    let permit = match poll_once(&mut second, &waker) {
        Poll::Ready(permit) => permit,
        Poll::Pending => panic!("the second waiter should hold the permit"),
    };
    drop(permit);
    assert_eq!(semaphore.available_permits(), 1);
}
