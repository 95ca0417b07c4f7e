//! Dropping a loop drops every task still in it, on its thread, leaking nothing.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::thread;

use loop_core::{JoinHandle, Loop, interrupt};

/// Counts drops, and remembers which thread each happened on.
#[derive(Clone, Default)]
struct Drops {
    count: Rc<Cell<usize>>,
    wrong_thread: Rc<Cell<bool>>,
}

struct Guard {
    drops: Drops,
    thread: thread::ThreadId,
}

impl Drops {
    fn guard(&self) -> Guard {
        Guard {
            drops: self.clone(),
            thread: thread::current().id(),
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.drops.count.set(self.drops.count.get() + 1);
        if thread::current().id() != self.thread {
            self.drops.wrong_thread.set(true);
        }
    }
}

#[test]
fn dropping_a_loop_drops_pending_tasks_on_its_thread() {
    let drops = Drops::default();
    let alive = Rc::new(());
    {
        let lp = Loop::new();
        for _ in 0..10 {
            let (guard, alive) = (drops.guard(), alive.clone());
            let _task = lp.add_task(async move {
                let _keep = (guard, alive);
                std::future::pending::<()>().await;
            });
        }
        // some never polled, some polled and waiting
        lp.run_task(interrupt());
        for _ in 0..5 {
            let guard = drops.guard();
            let _task = lp.add_task(async move { drop(guard) });
        }
        assert_eq!(Rc::strong_count(&alive), 11);
    }
    assert_eq!(drops.count.get(), 15);
    assert!(!drops.wrong_thread.get());
    assert_eq!(
        Rc::strong_count(&alive),
        1,
        "every task's future was dropped"
    );
}

#[test]
fn tasks_awaiting_each_others_handles_are_all_dropped() {
    let drops = Drops::default();
    let lp = Loop::new();
    // a cycle: a awaits b's handle, b awaits a's handle
    let a_slot: Rc<RefCell<Option<JoinHandle<()>>>> = Rc::default();
    let b_guard = drops.guard();
    let slot = a_slot.clone();
    let b = lp.add_task(async move {
        let _g = b_guard;
        interrupt().await;
        let a = slot.borrow_mut().take().unwrap();
        let _ = a.await;
    });
    let a_guard = drops.guard();
    let a = lp.add_task(async move {
        let _g = a_guard;
        let _ = b.await;
    });
    *a_slot.borrow_mut() = Some(a);
    lp.run_task(async {
        for _ in 0..4 {
            interrupt().await;
        }
    });
    assert_eq!(lp.task_count(), 2);
    assert_eq!(drops.count.get(), 0);
    drop(lp);
    assert_eq!(drops.count.get(), 2);
    assert!(a_slot.borrow().is_none());
}

#[test]
fn a_waker_cycle_through_a_task_is_broken_by_dropping_the_loop() {
    // The task stores its own waker inside its own future: an Arc cycle that
    // only dropping the future can break.
    let alive = Rc::new(());
    let lp = Loop::new();
    let a = alive.clone();
    let _task = lp.add_task(async move {
        let _keep = a;
        let me = RefCell::new(None);
        std::future::poll_fn(|cx| {
            *me.borrow_mut() = Some(cx.waker().clone());
            std::task::Poll::<()>::Pending
        })
        .await;
    });
    lp.run_task(interrupt());
    drop(lp);
    assert_eq!(Rc::strong_count(&alive), 1);
}

/// A value whose destructor adds a task to the current loop and looks it up.
struct AddsTaskOnDrop {
    added_ran: Rc<Cell<bool>>,
    added_dropped: Drops,
    saw_loop: Rc<Cell<bool>>,
}

impl Drop for AddsTaskOnDrop {
    fn drop(&mut self) {
        let handle = Loop::try_current();
        self.saw_loop.set(handle.is_some());
        let handle = Loop::current();
        let (ran, guard) = (self.added_ran.clone(), self.added_dropped.guard());
        let _task = handle.add_task(async move {
            let _g = guard;
            ran.set(true);
        });
    }
}

#[test]
fn a_destructor_that_adds_tasks_while_the_loop_drops_neither_panics_nor_leaks() {
    let added_ran = Rc::new(Cell::new(false));
    let added_dropped = Drops::default();
    let saw_loop = Rc::new(Cell::new(false));
    {
        let lp = Loop::new();
        let bomb = AddsTaskOnDrop {
            added_ran: added_ran.clone(),
            added_dropped: added_dropped.clone(),
            saw_loop: saw_loop.clone(),
        };
        let _task = lp.add_task(async move {
            let _bomb = bomb;
            std::future::pending::<()>().await;
        });
        lp.run_task(interrupt());
    }
    assert!(
        saw_loop.get(),
        "a destructor running while its loop drops sees that loop"
    );
    assert!(
        !added_ran.get(),
        "a task added while the loop drops never runs"
    );
    assert_eq!(added_dropped.count.get(), 1, "but its future is dropped");
}

#[test]
fn a_handle_that_outlives_its_loop_cancels_new_tasks() {
    let lp = Loop::new();
    let handle = lp.handle();
    let pending = lp.add_task(std::future::pending::<()>());
    drop(lp);
    assert!(pending.is_finished());
    let drops = Drops::default();
    let guard = drops.guard();
    let late = handle.add_task(async move { drop(guard) });
    assert!(late.is_finished());
    assert_eq!(drops.count.get(), 1, "the future was dropped at once");
    let outputs = Loop::new().run_task(async { (pending.await, late.await) });
    assert!(outputs.0.unwrap_err().is_cancelled());
    assert!(outputs.1.unwrap_err().is_cancelled());
}

#[test]
fn a_spawner_that_outlives_its_loop_cancels_new_tasks() {
    let lp = Loop::new();
    let spawner = lp.spawner();
    let queued = spawner.add_task(async { 1 });
    drop(lp);
    let late = thread::spawn(move || spawner.add_task(async { 2 }))
        .join()
        .unwrap();
    let outputs = Loop::new().run_task(async { (queued.await, late.await) });
    assert!(
        outputs.0.unwrap_err().is_cancelled(),
        "queued but never picked up"
    );
    assert!(outputs.1.unwrap_err().is_cancelled());
}

#[test]
fn dropping_a_loop_inside_another_running_loop_drops_its_tasks() {
    let drops = Drops::default();
    let outer = Loop::new();
    let d = drops.clone();
    outer.run_task(async move {
        let inner = Loop::new();
        let guard = d.guard();
        let _task = inner.add_task(async move {
            let _g = guard;
            std::future::pending::<()>().await;
        });
        drop(inner);
        assert!(
            Loop::try_current().is_some(),
            "the outer loop is current again"
        );
    });
    assert_eq!(drops.count.get(), 1);
}
