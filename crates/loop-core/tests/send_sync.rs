//! The thread-safety contracts of loop-core's types.

use std::rc::Rc;
use std::task::Waker;

use loop_core::{
    AccessError, Handle, Interrupt, JoinError, JoinHandle, JoinSet, LocalKey, Loop, LoopBuilder,
    LoopPool, LoopPoolBuilder, LoopStats, SlowPoll, Snapshot, SnapshotError, Spawner, StuckTask,
    TaskDump, TaskId, TaskInfo, TaskState, ThreadParker,
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
