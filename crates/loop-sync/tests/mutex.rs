//! `Mutex`: FIFO hand-off, cancellation, guards, `try_lock` from threads,
//! and the cooperative budget.

mod util;

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll};

use loop_core::{BUDGET, Loop, interrupt};
use loop_sync::{MappedMutexGuard, Mutex, MutexGuard, OwnedMutexGuard};
use util::CountingWaker;

#[test]
fn ten_waiting_tasks_get_the_lock_in_the_order_they_asked() {
    let lp = Loop::new();
    let mutex = Arc::new(Mutex::new(Vec::new()));
    let holder = mutex.try_lock_owned_for_test();
    for i in 0..10 {
        let mutex = mutex.clone();
        drop(lp.add_task(async move {
            let mut order = mutex.lock().await;
            // Hold it across a yield, so the others stay queued.
            interrupt().await;
            order.push(i);
        }));
    }
    // Every task runs once and queues behind the holder.
    lp.run_task(interrupt());
    drop(holder);
    lp.run();
    assert_eq!(*mutex.try_lock().unwrap(), (0..10).collect::<Vec<_>>());
}

/// `try_lock_owned` on a clone, named for what the tests use it for.
trait HoldForTest<T> {
    fn try_lock_owned_for_test(&self) -> OwnedMutexGuard<T>;
}

impl<T> HoldForTest<T> for Arc<Mutex<T>> {
    fn try_lock_owned_for_test(&self) -> OwnedMutexGuard<T> {
        self.clone().try_lock_owned().expect("the mutex is free")
    }
}

#[test]
fn a_newcomer_does_not_take_the_lock_from_a_waiting_task() {
    let mutex = Mutex::new(0);
    let (_counter, waker) = CountingWaker::new();
    let mut cx = Context::from_waker(&waker);
    let guard = mutex.try_lock().unwrap();
    let mut waiting = pin!(mutex.lock());
    assert!(waiting.as_mut().poll(&mut cx).is_pending());
    drop(guard);
    // The lock was handed to the waiting future: a newcomer finds it taken.
    assert!(mutex.try_lock().is_none());
    let Poll::Ready(mut guard) = waiting.as_mut().poll(&mut cx) else {
        panic!("the handed-off lock was not ready");
    };
    *guard += 1;
    drop(guard);
    assert_eq!(*mutex.try_lock().unwrap(), 1);
}

#[test]
fn cancelling_a_granted_lock_future_passes_the_lock_to_the_next_waiter() {
    let mutex = Mutex::new(());
    let (first_wakes, first_waker) = CountingWaker::new();
    let (second_wakes, second_waker) = CountingWaker::new();
    let guard = mutex.try_lock().unwrap();
    let mut first = Box::pin(mutex.lock());
    let mut second = Box::pin(mutex.lock());
    assert!(
        first
            .as_mut()
            .poll(&mut Context::from_waker(&first_waker))
            .is_pending()
    );
    assert!(
        second
            .as_mut()
            .poll(&mut Context::from_waker(&second_waker))
            .is_pending()
    );
    drop(guard);
    assert_eq!((first_wakes.wakes(), second_wakes.wakes()), (1, 0));
    // `first` was granted the lock but is dropped before it saw it.
    drop(first);
    assert_eq!(second_wakes.wakes(), 1);
    assert!(mutex.try_lock().is_none(), "the lock went to `second`");
    let poll = second
        .as_mut()
        .poll(&mut Context::from_waker(&second_waker));
    assert!(poll.is_ready());
    drop(poll);
    assert!(mutex.try_lock().is_some());
}

#[test]
fn cancelling_a_waiting_lock_future_leaves_the_queue() {
    let mutex = Mutex::new(());
    let (second_wakes, second_waker) = CountingWaker::new();
    let guard = mutex.try_lock().unwrap();
    let mut first = Box::pin(mutex.lock());
    let mut second = Box::pin(mutex.lock());
    let mut cx = Context::from_waker(&second_waker);
    assert!(first.as_mut().poll(&mut cx).is_pending());
    assert!(second.as_mut().poll(&mut cx).is_pending());
    drop(first);
    drop(guard);
    assert_eq!(second_wakes.wakes(), 1);
    assert!(second.as_mut().poll(&mut cx).is_ready());
}

#[test]
fn cancelled_lock_futures_on_a_loop_lose_nothing() {
    let lp = Loop::new();
    let mutex = Arc::new(Mutex::new(0));
    let order = Rc::new(RefCell::new(Vec::new()));
    let holder = mutex.try_lock_owned_for_test();
    let tasks: Vec<_> = (0..6)
        .map(|i| {
            let (mutex, order) = (mutex.clone(), order.clone());
            lp.add_task(async move {
                let mut n = mutex.lock().await;
                *n += 1;
                order.borrow_mut().push(i);
            })
        })
        .collect();
    lp.run_task(interrupt());
    // Abort every other waiter; the rest still get the lock, in order.
    for task in tasks.iter().step_by(2) {
        task.abort();
    }
    drop(holder);
    lp.run();
    assert_eq!(*order.borrow(), [1, 3, 5]);
    assert_eq!(*mutex.try_lock().unwrap(), 3);
}

#[test]
fn try_lock_works_from_plain_threads() {
    let mutex = Arc::new(Mutex::new(0u64));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let mutex = mutex.clone();
            std::thread::spawn(move || {
                let mut done = 0;
                while done < 10_000 {
                    if let Some(mut n) = mutex.try_lock() {
                        *n += 1;
                        done += 1;
                    }
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(*mutex.try_lock().unwrap(), 40_000);
    let owned = mutex.clone().try_lock_owned().unwrap();
    let moved = std::thread::spawn(move || *owned).join().unwrap();
    assert_eq!(moved, 40_000);
}

#[test]
fn threads_each_running_a_loop_never_share_the_lock() {
    let mutex = Arc::new(Mutex::new((0u64, false)));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let mutex = mutex.clone();
            std::thread::spawn(move || {
                let lp = Loop::new();
                for _ in 0..4 {
                    let mutex = mutex.clone();
                    drop(lp.add_task(async move {
                        for i in 0..2_000 {
                            let mut guard = mutex.lock().await;
                            assert!(!guard.1, "two holders at once");
                            guard.1 = true;
                            if i % 8 == 0 {
                                interrupt().await;
                            }
                            guard.0 += 1;
                            guard.1 = false;
                        }
                    }));
                }
                lp.run();
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(mutex.try_lock().unwrap().0, 4 * 4 * 2_000);
}

#[test]
fn a_mapped_guard_keeps_the_lock_until_dropped() {
    let mutex = Mutex::new((1, String::from("a")));
    let guard = mutex.try_lock().unwrap();
    let mut name: MappedMutexGuard<'_, String> = MutexGuard::map(guard, |pair| &mut pair.1);
    name.push('b');
    assert!(mutex.try_lock().is_none());
    drop(name);
    let guard = mutex.try_lock().unwrap();
    let guard = MutexGuard::try_map(guard, |_| None::<&mut u8>).unwrap_err();
    assert_eq!(*guard, (1, String::from("ab")));
}

#[test]
fn a_panic_inside_map_releases_the_lock() {
    let mutex = Mutex::new(1);
    let message = test_support::panic_message(|| {
        let guard = mutex.try_lock().unwrap();
        let _mapped = MutexGuard::map(guard, |_| -> &mut i32 { panic!("in map") });
    });
    assert_eq!(message, "in map");
    assert!(mutex.try_lock().is_some());
}

#[test]
fn an_owned_guard_moves_into_a_task_and_maps() {
    let lp = Loop::new();
    let mutex = Arc::new(Mutex::new(vec![1, 2]));
    let guard = lp.run_task(mutex.clone().lock_owned());
    let task = lp.add_task(async move {
        let mut second = OwnedMutexGuard::map(guard, |v| &mut v[1]);
        *second = 20;
    });
    lp.run_task(task).unwrap();
    assert_eq!(Arc::try_unwrap(mutex).unwrap().into_inner(), [1, 20]);
}

#[test]
fn get_mut_and_into_inner_need_no_lock() {
    let mut mutex = Mutex::new(String::from("a"));
    mutex.get_mut().push('b');
    assert_eq!(mutex.into_inner(), "ab");
}

#[test]
fn debug_shows_the_value_or_that_it_is_locked() {
    let mutex = Mutex::new(5);
    assert_eq!(format!("{mutex:?}"), "Mutex { data: 5 }");
    let guard = mutex.try_lock().unwrap();
    assert_eq!(format!("{mutex:?}"), "Mutex { data: <locked> }");
    assert_eq!(format!("{guard:?}"), "5");
    assert_eq!(format!("{:?}", mutex.lock()), "Lock { queued: false }");
}

#[test]
fn a_task_locking_a_free_mutex_in_a_loop_lets_other_tasks_run() {
    let lp = Loop::new();
    let ticks = Rc::new(Cell::new(0));
    let ticker = {
        let ticks = ticks.clone();
        async move {
            loop {
                ticks.set(ticks.get() + 1);
                interrupt().await;
            }
        }
    };
    let _ticker = lp.add_task(ticker);
    let mutex = Mutex::new(0);
    let ticked = lp.run_task(async {
        let before = ticks.get();
        for _ in 0..20 * BUDGET {
            *mutex.lock().await += 1;
        }
        ticks.get() - before
    });
    assert!(ticked >= 10, "the ticker ran {ticked} times");
}
