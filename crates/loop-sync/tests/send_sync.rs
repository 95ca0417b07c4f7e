//! The thread-safety contracts of every public type, checked at compile time.

use std::future::Ready;
use std::rc::Rc;

use std::cell::Cell;

use loop_sync::{
    Acquire, Barrier, BarrierWait, BarrierWaitResult, Event, EventWait, Gather, Lock, LockOwned,
    MappedMutexGuard, Mutex, MutexGuard, OwnedMappedMutexGuard, OwnedMutexGuard,
    OwnedRwLockMappedWriteGuard, OwnedRwLockReadGuard, OwnedRwLockWriteGuard, Permit, Receiver,
    Recv, RwLock, RwLockMappedWriteGuard, RwLockRead, RwLockReadGuard, RwLockReadOwned,
    RwLockWrite, RwLockWriteGuard, RwLockWriteOwned, Semaphore, SendError, SendFuture, Sender,
    TryGather, Wait, Waiter, oneshot,
};
use loop_sync::{TryRecvError, TrySendError, broadcast, watch};
use static_assertions::{assert_impl_all, assert_not_impl_any};

// The handles coordinate tasks on different loops and threads.
assert_impl_all!(Waiter: Send, Sync, Clone, Unpin, std::fmt::Debug);
assert_impl_all!(Wait: Send, Sync, Unpin, std::fmt::Debug);
assert_impl_all!(Event: Send, Sync, Clone, Default, Unpin, std::fmt::Debug);
assert_impl_all!(EventWait: Send, Sync, Unpin, std::fmt::Debug);
assert_impl_all!(Semaphore: Send, Sync, Clone, Unpin, std::fmt::Debug);
assert_impl_all!(Acquire: Send, Sync, Unpin, std::fmt::Debug);
assert_impl_all!(Permit: Send, Sync, Unpin, std::fmt::Debug);

// The channel is as thread-safe as its messages; only the sender is cloned.
assert_impl_all!(Sender<u8>: Send, Sync, Clone, std::fmt::Debug);
assert_impl_all!(Receiver<u8>: Send, Sync, Unpin, std::fmt::Debug);
assert_not_impl_any!(Receiver<u8>: Clone);
assert_impl_all!(SendFuture<'static, u8>: Send, Sync, Unpin, std::fmt::Debug);
assert_impl_all!(Recv<'static, u8>: Send, Sync, Unpin, std::fmt::Debug);
assert_impl_all!(SendError<u8>: Send, Sync, std::error::Error);
assert_not_impl_any!(Sender<Rc<u8>>: Send, Sync);
assert_not_impl_any!(Receiver<Rc<u8>>: Send, Sync);

// A gather is Send when its futures and outputs are, and always Unpin.
assert_impl_all!(Gather<Ready<u8>>: Send, Sync, Unpin, std::fmt::Debug);
assert_impl_all!(TryGather<Ready<Result<u8, u8>>>: Send, Unpin);
assert_not_impl_any!(Gather<Ready<Rc<u8>>>: Send, Sync);
assert_impl_all!(Gather<std::future::Pending<std::marker::PhantomPinned>>: Unpin);

// The locks are as thread-safe as std's: a `Mutex` needs `Send` values
// (`Cell` is fine, `Rc` is not); an `RwLock` shares `&T`, so it also needs
// `Sync` for `Sync`. Guards may cross `.await` in a `Send` future: they are
// `Send` when the value is (read guards: when it is `Sync`), and `Sync` when
// sharing them shares only what `T: Sync` allows.
assert_impl_all!(Mutex<u8>: Send, Sync, Unpin, Default, std::fmt::Debug);
assert_impl_all!(Mutex<Cell<u8>>: Send, Sync);
assert_not_impl_any!(Mutex<Rc<u8>>: Send, Sync);
assert_impl_all!(MutexGuard<'static, u8>: Send, Sync, std::fmt::Debug);
assert_impl_all!(MutexGuard<'static, Cell<u8>>: Send);
assert_not_impl_any!(MutexGuard<'static, Cell<u8>>: Sync);
assert_not_impl_any!(MutexGuard<'static, Rc<u8>>: Send, Sync);
assert_impl_all!(MappedMutexGuard<'static, u8>: Send, Sync, std::fmt::Debug);
assert_not_impl_any!(MappedMutexGuard<'static, Cell<u8>>: Sync);
assert_impl_all!(OwnedMutexGuard<u8>: Send, Sync, std::fmt::Debug);
assert_not_impl_any!(OwnedMutexGuard<Cell<u8>>: Sync);
assert_not_impl_any!(OwnedMutexGuard<Rc<u8>>: Send, Sync);
assert_impl_all!(OwnedMappedMutexGuard<(u8, u8), u8>: Send, Sync, std::fmt::Debug);
assert_impl_all!(Lock<'static, u8>: Send, Sync, Unpin, std::fmt::Debug);
assert_impl_all!(LockOwned<u8>: Send, Sync, Unpin, std::fmt::Debug);
assert_not_impl_any!(Lock<'static, Rc<u8>>: Send, Sync);

assert_impl_all!(RwLock<u8>: Send, Sync, Unpin, Default, std::fmt::Debug);
assert_impl_all!(RwLock<Cell<u8>>: Send);
assert_not_impl_any!(RwLock<Cell<u8>>: Sync);
assert_not_impl_any!(RwLock<Rc<u8>>: Send, Sync);
assert_impl_all!(RwLockReadGuard<'static, u8>: Send, Sync, std::fmt::Debug);
assert_not_impl_any!(RwLockReadGuard<'static, Cell<u8>>: Send, Sync);
assert_impl_all!(RwLockWriteGuard<'static, u8>: Send, Sync, std::fmt::Debug);
assert_not_impl_any!(RwLockWriteGuard<'static, Cell<u8>>: Send, Sync);
assert_impl_all!(RwLockMappedWriteGuard<'static, u8>: Send, Sync, std::fmt::Debug);
assert_impl_all!(OwnedRwLockReadGuard<u8>: Send, Sync, std::fmt::Debug);
assert_not_impl_any!(OwnedRwLockReadGuard<Cell<u8>>: Send, Sync);
assert_impl_all!(OwnedRwLockWriteGuard<u8>: Send, Sync, std::fmt::Debug);
assert_not_impl_any!(OwnedRwLockWriteGuard<Cell<u8>>: Send, Sync);
assert_impl_all!(OwnedRwLockMappedWriteGuard<(u8, u8), u8>: Send, Sync, std::fmt::Debug);
assert_impl_all!(RwLockRead<'static, u8>: Send, Sync, Unpin, std::fmt::Debug);
assert_impl_all!(RwLockWrite<'static, u8>: Send, Sync, Unpin, std::fmt::Debug);
assert_impl_all!(RwLockReadOwned<u8>: Send, Sync, Unpin, std::fmt::Debug);
assert_impl_all!(RwLockWriteOwned<u8>: Send, Sync, Unpin, std::fmt::Debug);

// A oneshot's ends move a `T` between threads: `Send` values only.
assert_impl_all!(oneshot::Sender<u8>: Send, Sync, Unpin, std::fmt::Debug);
assert_impl_all!(oneshot::Receiver<u8>: Send, Sync, Unpin, std::fmt::Debug);
assert_impl_all!(oneshot::Sender<Cell<u8>>: Send, Sync);
assert_not_impl_any!(oneshot::Sender<Rc<u8>>: Send, Sync);
assert_not_impl_any!(oneshot::Receiver<Rc<u8>>: Send, Sync);
assert_not_impl_any!(oneshot::Sender<u8>: Clone);
assert_impl_all!(oneshot::Closed<'static, u8>: Send, Sync, Unpin, std::fmt::Debug);
assert_impl_all!(oneshot::RecvError: Send, Sync, Copy, std::error::Error);
assert_impl_all!(oneshot::TryRecvError: Send, Sync, Copy, std::error::Error);

assert_impl_all!(Barrier: Send, Sync, Unpin, std::fmt::Debug);
assert_impl_all!(BarrierWait<'static>: Send, Sync, Unpin, std::fmt::Debug);
assert_impl_all!(BarrierWaitResult: Send, Sync, Copy, std::fmt::Debug);

// The channel's errors carry the message, so are as thread-safe as it.
assert_impl_all!(TrySendError<u8>: Send, Sync, std::error::Error);
assert_impl_all!(TryRecvError: Send, Sync, Copy, std::error::Error);
assert_impl_all!(Receiver<u8>: futures_util::Stream);

// broadcast: both halves travel between threads; receivers resubscribe
// instead of cloning.
assert_impl_all!(broadcast::Sender<u8>: Send, Sync, Clone, std::fmt::Debug);
assert_impl_all!(broadcast::Receiver<u8>: Send, Sync, Unpin, std::fmt::Debug);
assert_not_impl_any!(broadcast::Receiver<u8>: Clone);
assert_impl_all!(broadcast::Recv<'static, u8>: Send, Sync, Unpin, std::fmt::Debug);
assert_impl_all!(broadcast::RecvError: Send, Sync, Copy, std::error::Error);
assert_impl_all!(broadcast::TryRecvError: Send, Sync, Copy, std::error::Error);
assert_not_impl_any!(broadcast::Sender<Rc<u8>>: Send, Sync);

// watch: one sender, any number of receivers; guards stay on their thread.
assert_impl_all!(watch::Sender<u8>: Send, Sync, std::fmt::Debug);
assert_not_impl_any!(watch::Sender<u8>: Clone);
assert_impl_all!(watch::Receiver<u8>: Send, Sync, Clone, Unpin, std::fmt::Debug);
assert_impl_all!(watch::Changed<'static>: Send, Sync, Unpin, std::fmt::Debug);
assert_impl_all!(watch::Closed<'static>: Send, Sync, Unpin, std::fmt::Debug);
assert_impl_all!(watch::Ref<'static, u8>: Sync, std::fmt::Debug);
assert_not_impl_any!(watch::Ref<'static, u8>: Send);
assert_impl_all!(watch::RecvError: Send, Sync, Copy, std::error::Error);
assert_not_impl_any!(watch::Receiver<Rc<u8>>: Send, Sync);
