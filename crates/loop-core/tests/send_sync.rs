//! The thread-safety contracts of loop-core's types.

use std::rc::Rc;
use std::task::Waker;

use loop_core::{
    AccessError, Handle, Interrupt, JoinError, JoinHandle, JoinSet, LocalKey, Loop, LoopBound,
    LoopBuilder, LoopId, LoopPool, LoopPoolBuilder, LoopStats, SlowPoll, Snapshot, SnapshotError,
    Spawner, StuckTask, TaskDump, TaskId, TaskInfo, TaskState, ThreadParker,
};
use static_assertions::{assert_impl_all, assert_not_impl_any};

assert_not_impl_any!(Loop: Send, Sync);
assert_not_impl_any!(Handle: Send, Sync);
assert_not_impl_any!(ThreadParker: Sync);
assert_impl_all!(Spawner: Send, Sync, Clone);
assert_impl_all!(LoopPool: Send, Sync);
assert_impl_all!(LoopPoolBuilder: Send, Sync);
assert_impl_all!(Waker: Send, Sync);
assert_impl_all!(JoinError: Send, Sync, std::error::Error);
assert_impl_all!(JoinHandle<u32>: Send, Sync, Unpin);
assert_not_impl_any!(JoinHandle<Rc<u32>>: Send, Sync);
assert_impl_all!(Interrupt: Send, Sync, Unpin);
assert_impl_all!(JoinHandle<Rc<u32>>: Unpin);
assert_impl_all!(JoinSet<u32>: Send, Sync, Unpin, Default);
assert_not_impl_any!(JoinSet<Rc<u32>>: Send, Sync);
assert_impl_all!(LocalKey<u32>: Send, Sync);
assert_impl_all!(AccessError: Send, Sync, Copy, std::error::Error);
assert_impl_all!(LoopId: Send, Sync, Copy);
// A bound reference may go anywhere, even to a part that is neither: it lends
// the part only on its loop's thread.
assert_impl_all!(LoopBound<std::cell::Cell<u32>>: Send, Sync, Copy);
assert_impl_all!(TaskId: Send, Sync, Copy, Eq, Ord, std::hash::Hash, std::fmt::Display);
assert_impl_all!(LoopStats: Send, Sync, Clone, std::fmt::Display);
assert_impl_all!(TaskInfo: Send, Sync, Clone, std::fmt::Display);
assert_impl_all!(TaskState: Send, Sync, Copy);
assert_impl_all!(TaskDump: Send, Sync, Clone, std::fmt::Display);
assert_impl_all!(Snapshot: Send, Sync, Clone);
assert_impl_all!(StuckTask: Send, Sync, Copy, std::fmt::Display);
assert_impl_all!(SnapshotError: Send, Sync, Copy, std::error::Error);
assert_impl_all!(SlowPoll<'static>: Send, Sync, Copy, std::fmt::Display);
// Its hooks run on the loop's thread and may hold `Rc`s: the builder stays there.
assert_not_impl_any!(LoopBuilder: Send, Sync);

#[test]
fn task_wakers_are_send_and_sync() {
    let lp = Loop::new();
    let waker = lp.run_task(std::future::poll_fn(|cx| {
        std::task::Poll::Ready(cx.waker().clone())
    }));
    let moved = std::thread::spawn(move || {
        waker.wake_by_ref();
        waker
    });
    drop(moved.join().unwrap());
}

#[test]
fn a_loop_id_finds_its_loop_s_spawner_only_while_the_loop_lives() {
    let lp = Loop::new();
    let id = lp.id();
    let handle = std::thread::spawn(move || {
        let spawner = id.spawner().expect("the loop is alive");
        spawner.add_task(async { loop_core::LoopId::current() })
    })
    .join()
    .unwrap();
    assert_eq!(lp.run_task(handle).unwrap(), Some(id));
    drop(lp);
    assert!(id.spawner().is_none());
    assert!(
        std::thread::spawn(move || id.spawner().is_none())
            .join()
            .unwrap()
    );
}

#[test]
fn a_loop_bound_source_is_lent_only_on_its_loop_while_it_runs() {
    struct Counter(std::cell::Cell<u32>);
    impl loop_core::Source for Counter {
        fn deadline(&self) -> Option<std::time::Instant> {
            None
        }
        fn dispatch(&self, _idle: bool) {}
    }
    let (a, b) = (Loop::new(), Loop::new());
    let bound = a.run_task(async {
        let bound = Loop::current().source_bound(|| Counter(std::cell::Cell::new(0)));
        assert_eq!(bound.with(|c| c.0.replace(5)), Some(0));
        bound
    });
    assert_eq!(bound.loop_id(), a.id());
    assert_eq!(
        bound.with(|c| c.0.get()),
        None,
        "not while the loop is stopped"
    );
    assert_eq!(b.run_task(async move { bound.with(|c| c.0.get()) }), None);
    assert_eq!(
        a.run_task(async move { bound.with(|c| c.0.get()) }),
        Some(5)
    );
    // The same source as `Handle::source` gives.
    let same = a.run_task(async {
        Loop::current()
            .source(|| Counter(std::cell::Cell::new(9)))
            .0
            .get()
    });
    assert_eq!(same, 5);
    drop(a);
    assert_eq!(
        bound.with(|c| c.0.get()),
        None,
        "not after the loop is gone"
    );
}
