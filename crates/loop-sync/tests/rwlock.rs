//! `RwLock`: FIFO service of readers and writers, a writer not starved by
//! readers, cancellation, guards, and `try_*` from threads.

mod util;

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll};

use loop_core::{Loop, interrupt};
use loop_sync::{
    OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLock, RwLockReadGuard, RwLockWriteGuard,
};
use util::CountingWaker;

/// What a task did, in the order it happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    Read(usize),
    Write(usize),
}

#[test]
fn ten_waiting_readers_and_writers_get_the_lock_in_the_order_they_asked() {
    let lp = Loop::new();
    let lock = Arc::new(RwLock::new(()));
    let trace = Rc::new(RefCell::new(Vec::new()));
    let writer = lock.clone().try_write_owned().unwrap();
    // W R R W R W W R R R: the readers between two writers go in together.
    let writes = [0, 3, 5, 6];
    for i in 0..10 {
        let (lock, trace) = (lock.clone(), trace.clone());
        drop(lp.add_task(async move {
            if writes.contains(&i) {
                let _guard = lock.write().await;
                trace.borrow_mut().push(Event::Write(i));
                interrupt().await;
            } else {
                let _guard = lock.read().await;
                trace.borrow_mut().push(Event::Read(i));
                interrupt().await;
            }
        }));
    }
    lp.run_task(interrupt());
    assert!(trace.borrow().is_empty());
    drop(writer);
    lp.run();
    use Event::{Read, Write};
    assert_eq!(
        *trace.borrow(),
        [
            Write(0),
            Read(1),
            Read(2),
            Write(3),
            Read(4),
            Write(5),
            Write(6),
            Read(7),
            Read(8),
            Read(9)
        ]
    );
}

#[test]
fn a_writer_behind_1000_readers_gets_in_before_readers_that_came_after_it() {
    let lp = Loop::new();
    let lock = Arc::new(RwLock::new(0));
    let trace = Rc::new(RefCell::new(Vec::new()));
    // 1 000 readers hold the lock, each until it is let go by `release`.
    let release = loop_sync::Event::new();
    for i in 0..1000 {
        let (lock, trace, release) = (lock.clone(), trace.clone(), release.clone());
        drop(lp.add_task(async move {
            let guard = lock.read().await;
            trace.borrow_mut().push(Event::Read(i));
            release.wait().await;
            drop(guard);
        }));
    }
    lp.run_task(interrupt());
    assert_eq!(trace.borrow().len(), 1000);
    // Then a writer, then 1 000 more readers.
    for i in 1000..2001 {
        let (lock, trace) = (lock.clone(), trace.clone());
        drop(lp.add_task(async move {
            if i == 1000 {
                let mut guard = lock.write().await;
                *guard += 1;
                trace.borrow_mut().push(Event::Write(i));
            } else {
                let guard = lock.read().await;
                assert_eq!(*guard, 1, "a later reader went in before the writer");
                trace.borrow_mut().push(Event::Read(i));
            }
        }));
    }
    lp.run_task(interrupt());
    assert_eq!(
        trace.borrow().len(),
        1000,
        "later readers queued behind the writer"
    );
    assert!(lock.try_read().is_none());
    release.set();
    lp.run();
    let trace = trace.borrow();
    assert_eq!(trace[1000], Event::Write(1000));
    let expected: Vec<_> = (1001..2001).map(Event::Read).collect();
    assert_eq!(trace[1001..], expected[..]);
}

#[test]
fn cancelling_a_granted_write_passes_the_lock_to_the_next_waiters() {
    let lock = RwLock::new(());
    let (wakes, waker) = CountingWaker::new();
    let mut cx = Context::from_waker(&waker);
    let reader = lock.try_read().unwrap();
    let mut writer = Box::pin(lock.write());
    let mut first = Box::pin(lock.read());
    let mut second = Box::pin(lock.read());
    assert!(writer.as_mut().poll(&mut cx).is_pending());
    assert!(first.as_mut().poll(&mut cx).is_pending());
    assert!(second.as_mut().poll(&mut cx).is_pending());
    drop(reader);
    assert_eq!(wakes.wakes(), 1, "only the writer was let in");
    drop(writer);
    assert_eq!(wakes.wakes(), 3, "then both readers");
    let (Poll::Ready(a), Poll::Ready(b)) =
        (first.as_mut().poll(&mut cx), second.as_mut().poll(&mut cx))
    else {
        panic!("the readers were not let in");
    };
    assert!(lock.try_write().is_none());
    drop((a, b));
    assert!(lock.try_write().is_some());
}

#[test]
fn cancelling_a_granted_read_lets_the_writer_behind_it_in() {
    let lock = RwLock::new(());
    let (wakes, waker) = CountingWaker::new();
    let mut cx = Context::from_waker(&waker);
    let writer = lock.try_write().unwrap();
    let mut reader = Box::pin(lock.read());
    let mut next = Box::pin(lock.write());
    assert!(reader.as_mut().poll(&mut cx).is_pending());
    assert!(next.as_mut().poll(&mut cx).is_pending());
    drop(writer);
    assert_eq!(wakes.wakes(), 1);
    drop(reader);
    assert_eq!(wakes.wakes(), 2);
    assert!(next.as_mut().poll(&mut cx).is_ready());
}

#[test]
fn cancelling_the_waiting_writer_lets_the_readers_behind_it_in() {
    let lock = RwLock::new(());
    let (wakes, waker) = CountingWaker::new();
    let mut cx = Context::from_waker(&waker);
    let reader = lock.try_read().unwrap();
    let mut writer = Box::pin(lock.write());
    let mut behind = Box::pin(lock.read());
    assert!(writer.as_mut().poll(&mut cx).is_pending());
    assert!(behind.as_mut().poll(&mut cx).is_pending());
    drop(writer);
    assert_eq!(wakes.wakes(), 1);
    assert!(behind.as_mut().poll(&mut cx).is_ready());
    drop(reader);
}

#[test]
fn every_try_method_works_from_plain_threads() {
    let lock = Arc::new(RwLock::new(0u64));
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let lock = lock.clone();
            std::thread::spawn(move || {
                let mut written = 0;
                while written < 5_000 {
                    if t % 2 == 0 {
                        if let Some(mut w) = lock.try_write() {
                            *w += 1;
                            written += 1;
                        }
                    } else if let Some(mut w) = lock.clone().try_write_owned() {
                        *w += 1;
                        written += 1;
                    }
                    if let Some(r) = lock.try_read() {
                        assert!(*r <= 20_000);
                    }
                    if let Some(r) = lock.clone().try_read_owned() {
                        assert!(*r <= 20_000);
                    }
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(*lock.try_read().unwrap(), 20_000);
}

#[test]
fn tasks_on_several_loops_never_see_a_writer_beside_anyone() {
    let lock = Arc::new(RwLock::new((0u64, 0u64)));
    let threads: Vec<_> = (0..3)
        .map(|_| {
            let lock = lock.clone();
            std::thread::spawn(move || {
                let lp = Loop::new();
                for t in 0..4 {
                    let lock = lock.clone();
                    drop(lp.add_task(async move {
                        for i in 0..1_000u64 {
                            if (i + t) % 10 == 0 {
                                let mut w = lock.write().await;
                                w.0 += 1;
                                interrupt().await;
                                w.1 += 1;
                            } else {
                                let r = lock.read().await;
                                assert_eq!(r.0, r.1, "a reader saw a write half done");
                                if i % 7 == 0 {
                                    interrupt().await;
                                }
                            }
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
    assert_eq!(*lock.try_read().unwrap(), (1200, 1200));
}

#[test]
fn guards_map_and_owned_guards_move() {
    let lock = Arc::new(RwLock::new((1, String::from("a"))));
    let name = RwLockReadGuard::map(lock.try_read().unwrap(), |p| &p.1);
    assert_eq!(*name, "a");
    drop(name);
    let mut number = RwLockWriteGuard::map(lock.try_write().unwrap(), |p| &mut p.0);
    *number = 2;
    drop(number);
    let owned = OwnedRwLockReadGuard::map(lock.clone().try_read_owned().unwrap(), |p| &p.0);
    assert_eq!(std::thread::spawn(move || *owned).join().unwrap(), 2);
    let mut owned =
        OwnedRwLockWriteGuard::map(lock.clone().try_write_owned().unwrap(), |p| &mut p.1);
    owned.push('b');
    drop(owned);
    let mut lock = Arc::try_unwrap(lock).unwrap();
    lock.get_mut().0 += 1;
    assert_eq!(lock.into_inner(), (3, String::from("ab")));
}

#[test]
fn owned_futures_give_owned_guards_on_a_loop() {
    let lp = Loop::new();
    let lock = Arc::new(RwLock::new(1));
    let read = lp.run_task(lock.clone().read_owned());
    let task = lp.add_task(lock.clone().write_owned());
    lp.run_task(interrupt());
    assert!(!task.is_finished());
    drop(read);
    let mut write = lp.run_task(task).unwrap();
    *write = 2;
    drop(write);
    assert_eq!(*lock.try_read().unwrap(), 2);
}

#[test]
fn debug_shows_the_value_or_that_it_is_locked() {
    let lock = RwLock::new(5);
    assert_eq!(format!("{lock:?}"), "RwLock { data: 5 }");
    let w = lock.try_write().unwrap();
    assert_eq!(format!("{lock:?}"), "RwLock { data: <locked> }");
    assert_eq!(format!("{w:?}"), "5");
    assert_eq!(format!("{:?}", lock.read()), "RwLockRead { queued: false }");
}

#[test]
fn a_waiting_future_polled_again_is_woken_through_its_latest_waker() {
    let lock = RwLock::new(());
    let (old_wakes, old_waker) = CountingWaker::new();
    let (new_wakes, new_waker) = CountingWaker::new();
    let writer = lock.try_write().unwrap();
    let mut reader = Box::pin(lock.read());
    assert!(
        reader
            .as_mut()
            .poll(&mut Context::from_waker(&old_waker))
            .is_pending()
    );
    assert!(
        reader
            .as_mut()
            .poll(&mut Context::from_waker(&new_waker))
            .is_pending()
    );
    drop(writer);
    assert_eq!((old_wakes.wakes(), new_wakes.wakes()), (0, 1));
    assert!(
        reader
            .as_mut()
            .poll(&mut Context::from_waker(&new_waker))
            .is_ready()
    );
}

#[test]
fn many_cancelled_waiters_leave_the_lock_usable_and_in_order() {
    let lp = Loop::new();
    let lock = Arc::new(RwLock::new(Vec::new()));
    let writer = lock.clone().try_write_owned().unwrap();
    let tasks: Vec<_> = (0..30)
        .map(|i| {
            let lock = lock.clone();
            lp.add_task(async move {
                if i % 3 == 0 {
                    lock.write().await.push(i);
                } else {
                    let seen = lock.read().await.len();
                    assert!(seen <= 30);
                }
            })
        })
        .collect();
    lp.run_task(interrupt());
    for task in tasks.iter().skip(1).step_by(2) {
        task.abort();
    }
    drop(writer);
    lp.run();
    // The writers that were not aborted (even i, i % 3 == 0) wrote in order.
    assert_eq!(*lock.try_read().unwrap(), [0, 6, 12, 18, 24]);
}

#[test]
fn a_task_reading_a_free_lock_in_a_loop_lets_other_tasks_run() {
    let lp = Loop::new();
    let ticks = Rc::new(std::cell::Cell::new(0));
    let _ticker = lp.add_task({
        let ticks = ticks.clone();
        async move {
            loop {
                ticks.set(ticks.get() + 1);
                interrupt().await;
            }
        }
    });
    let lock = RwLock::new(0);
    let ticked = lp.run_task(async {
        let before = ticks.get();
        for _ in 0..20 * loop_core::BUDGET {
            let _read = lock.read().await;
            assert!(lock.try_write().is_none());
        }
        for _ in 0..20 * loop_core::BUDGET {
            *lock.write().await += 1;
        }
        ticks.get() - before
    });
    assert!(ticked >= 20, "the ticker ran {ticked} times");
}
