//! The synchronisation primitives loop-core's cross-thread parts use, from
//! `std` and crossbeam in a normal build and from loom under `cfg(loom)`, so
//! that the loom models in `loom_tests.rs` explore every interleaving of the
//! real code: the task's state word and stage, the remote queue, the closed
//! flag and the thread parker.

#[cfg(not(loom))]
pub(crate) use std::sync::RwLock;
#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering, fence};
#[cfg(not(loom))]
pub(crate) use std::thread;

#[cfg(loom)]
pub(crate) use loom::sync::RwLock;
#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering, fence};
#[cfg(loom)]
pub(crate) use loom::thread;

/// The remote queue: crossbeam's lock-free queue, or under loom a mutex-held
/// `VecDeque` that loom can see (crossbeam's atomics are invisible to it).
pub(crate) struct RemoteQueue<T> {
    #[cfg(not(loom))]
    inner: crossbeam_queue::SegQueue<T>,
    #[cfg(loom)]
    inner: loom::sync::Mutex<std::collections::VecDeque<T>>,
}

impl<T> RemoteQueue<T> {
    pub(crate) fn new() -> RemoteQueue<T> {
        RemoteQueue {
            inner: Default::default(),
        }
    }

    #[inline]
    pub(crate) fn push(&self, value: T) {
        #[cfg(not(loom))]
        self.inner.push(value);
        #[cfg(loom)]
        self.inner.lock().unwrap().push_back(value);
    }

    #[inline]
    pub(crate) fn pop(&self) -> Option<T> {
        #[cfg(not(loom))]
        return self.inner.pop();
        #[cfg(loom)]
        return self.inner.lock().unwrap().pop_front();
    }
}

/// An `UnsafeCell` whose accesses go through closures, as loom's does, so
/// that loom can check that no two threads reach the cell at once.
#[cfg(not(loom))]
pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

#[cfg(not(loom))]
impl<T> UnsafeCell<T> {
    pub(crate) fn new(value: T) -> UnsafeCell<T> {
        UnsafeCell(std::cell::UnsafeCell::new(value))
    }

    /// Reads through a pointer valid for the closure's run.
    #[inline(always)]
    pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }

    /// Writes through a pointer valid for the closure's run.
    #[inline(always)]
    pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}

#[cfg(loom)]
pub(crate) use loom::cell::UnsafeCell;
