//! Other threads: Spawner, remote wakes, no busy waiting, no starvation.

use std::cell::Cell;
use std::future::poll_fn;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::task::{Poll, Waker};
use std::thread;
use std::time::Duration;

use loop_core::{Loop, interrupt};
use test_support::thread_cpu_time;

#[test]
fn spawner_adds_tasks_from_other_threads() {
    let lp = Loop::new();
    let spawner = lp.spawner();
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let spawner = spawner.clone();
            thread::spawn(move || spawner.add_task(async move { i * 10 }))
        })
        .collect();
    let handles: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let outputs = lp.run_task(async move {
        let mut v = Vec::new();
        for h in handles {
            v.push(h.await.unwrap());
        }
        v
    });
    assert_eq!(outputs, [0, 10, 20, 30]);
}

#[test]
fn run_waits_for_a_remote_spawn_while_a_local_task_waits() {
    let lp = Loop::new();
    let spawner = lp.spawner();
    let (tx, rx) = mpsc::channel::<Waker>();
    let done = Arc::new(AtomicBool::new(false));
    let d = done.clone();
    let _waiting = lp.add_task(poll_fn(move |cx| {
        if d.load(Ordering::SeqCst) {
            return Poll::Ready(());
        }
        tx.send(cx.waker().clone()).unwrap();
        Poll::Pending
    }));
    let thread = thread::spawn(move || {
        let waker = rx.recv().unwrap();
        let h = spawner.add_task(async move {
            done.store(true, Ordering::SeqCst);
            waker.wake();
            "remote"
        });
        drop(h);
    });
    lp.run();
    thread.join().unwrap();
    assert_eq!(lp.task_count(), 0);
}

#[test]
fn join_handle_can_be_awaited_on_another_thread() {
    let lp = Loop::new();
    let spawner = lp.spawner();
    let handle = spawner.add_task(async {
        interrupt().await;
        99_u64
    });
    let other = thread::spawn(move || Loop::new().run_task(handle).unwrap());
    // The first loop runs the task; the other thread's loop waits on its handle.
    lp.run();
    assert_eq!(other.join().unwrap(), 99);
}

#[test]
fn waiting_for_a_remote_wake_does_not_busy_wait() {
    let lp = Loop::new();
    let (tx, rx) = mpsc::channel::<Waker>();
    let fired = Arc::new(AtomicBool::new(false));
    let f = fired.clone();
    let task = lp.add_task(poll_fn(move |cx| {
        if f.load(Ordering::SeqCst) {
            return Poll::Ready(());
        }
        tx.send(cx.waker().clone()).unwrap();
        Poll::Pending
    }));
    let waker_thread = thread::spawn(move || {
        let waker = rx.recv().unwrap();
        thread::sleep(Duration::from_millis(300));
        fired.store(true, Ordering::SeqCst);
        waker.wake();
    });
    let before = thread_cpu_time();
    lp.run_task(task).unwrap();
    let spent = thread_cpu_time() - before;
    waker_thread.join().unwrap();
    assert!(
        spent < Duration::from_millis(20),
        "the loop's thread burned {spent:?} while waiting 300 ms"
    );
}

#[test]
fn a_task_spinning_on_interrupt_does_not_starve_remote_wakes_or_spawns() {
    let lp = Loop::new();
    let stop = Rc::new(Cell::new(false));
    let polls = Rc::new(Cell::new(0_u64));
    let (s, p) = (stop.clone(), polls.clone());
    let spinner = lp.add_task(async move {
        while !s.get() {
            p.set(p.get() + 1);
            interrupt().await;
        }
    });
    // A task woken from another thread, and a task spawned from another thread,
    // both get to run while the spinner never lets the queue empty.
    let (tx, rx) = mpsc::channel::<Waker>();
    let woken = Arc::new(AtomicBool::new(false));
    let w = woken.clone();
    let remote_woken = lp.add_task(poll_fn(move |cx| {
        if w.load(Ordering::SeqCst) {
            return Poll::Ready("woken");
        }
        tx.send(cx.waker().clone()).unwrap();
        Poll::Pending
    }));
    let spawner = lp.spawner();
    let remote_runs = Arc::new(AtomicUsize::new(0));
    let r = remote_runs.clone();
    let thread = thread::spawn(move || {
        let waker = rx.recv().unwrap();
        woken.store(true, Ordering::SeqCst);
        waker.wake();
        spawner.add_task(async move {
            r.fetch_add(1, Ordering::SeqCst);
        })
    });
    let woke = lp.run_task(async move {
        let woke = remote_woken.await.unwrap();
        let spawned = thread.join().unwrap();
        spawned.await.unwrap();
        stop.set(true);
        woke
    });
    assert_eq!(woke, "woken");
    assert_eq!(remote_runs.load(Ordering::SeqCst), 1);
    lp.run_task(spinner).unwrap();
    assert!(polls.get() > 0);
}

#[test]
fn the_loop_looks_outside_at_least_every_event_interval_polls() {
    // A remote spawn made while the loop runs is seen after at most
    // `EVENT_INTERVAL` polls of a task that never lets the queue empty.
    let lp = Loop::new();
    let spawner = lp.spawner();
    let polls = Rc::new(Cell::new(0_u32));
    let seen_at = Rc::new(Cell::new(None));
    let (p, s) = (polls.clone(), seen_at.clone());
    let flag = Arc::new(AtomicBool::new(false));
    let spinner = lp.add_task(async move {
        let f = flag.clone();
        let _remote = spawner.add_task(async move { f.store(true, Ordering::SeqCst) });
        while !flag.load(Ordering::SeqCst) {
            p.set(p.get() + 1);
            interrupt().await;
        }
        s.set(Some(p.get()));
    });
    lp.run_task(spinner).unwrap();
    let seen = seen_at.get().unwrap();
    assert!(
        seen <= loop_core::EVENT_INTERVAL + 1,
        "remote spawn ran only after {seen} polls of the spinner"
    );
}
