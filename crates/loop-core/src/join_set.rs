//! `JoinSet`: a set of tasks whose outputs come back in the order they finish.
//!
//! # How completion order is found without scanning
//!
//! Each member's [`JoinHandle`] sits in a slot of `slots`, and its task runs
//! its future inside a [`Member`] wrapper that knows the slot's index and the
//! set's shared [`Ready`] list. When the task is done with its future (it
//! returned, panicked, or was aborted or cancelled with its loop), the loop
//! drops the wrapper, whose destructor appends the index to `Ready` and wakes
//! the task waiting in `join_next` (the *parent*), once per batch. So `Ready`
//! lists the members in the order they finished, and `join_next` polls only
//! those: O(1) per member, never O(n) per call.
//!
//! The loop stores the output right after it drops the future, before the
//! parent can run on the loop's thread; a parent polled on another thread in
//! between finds the handle not finished yet and parks the slot's waker, a
//! [`SlotWaker`], as its join waker, which names the slot again when the task
//! completes. The set does not park a join waker otherwise: a task's join
//! waker lives in a side record (`side_record.rs`), an allocation a member
//! does not need.
//!
//! # The shared list
//!
//! `Ready` sits behind a `Mutex` (wakers must be `Send + Sync`; a wake on the
//! set's own thread costs one uncontended lock). `join_next` takes the whole
//! list at once into `batch`, a queue only the set touches, and drains it
//! before it locks again.
//!
//! # Stale and spurious entries
//!
//! A slot's index and waker are kept when the slot is freed and reused, and a
//! member that was named by its waker is named by its wrapper too: `Ready`
//! may therefore name a slot that is empty now, or that holds a newer member
//! than the one that finished. Both are harmless: an empty slot is skipped,
//! and a newer member is polled once for nothing (it answers `Pending` and
//! parks the slot's waker, as for a parent on another thread).
//!
//! # Dropping the set
//!
//! Dropping a `JoinSet` aborts every member still running, then drops the
//! handles (a dropped lone `JoinHandle` detaches instead): a set owns its
//! tasks, so that a scope that gave up on them does not leave them running.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Wake, Waker, ready};

use crate::budget::poll_budget;
use crate::handle::{Handle, spawn};
use crate::join::JoinHandle;
use crate::join_error::JoinError;
use crate::messages;

/// A set of tasks on the current loop, joined in the order they finish.
///
/// [`spawn`](JoinSet::spawn) adds a task; [`join_next`](JoinSet::join_next)
/// waits for the next one to finish (whichever it is, not the first added)
/// and gives its output. [`len`](JoinSet::len) counts the tasks not yet
/// joined.
///
/// **Dropping a `JoinSet` aborts its tasks** (their futures are dropped the
/// next time the loop would run them). That differs from a lone
/// [`JoinHandle`], whose drop detaches its task; call
/// [`detach_all`](JoinSet::detach_all) first to let the tasks run on.
///
/// # Examples
///
/// ```
/// use loop_core::{JoinSet, Loop, interrupt};
///
/// let lp = Loop::new();
/// let order = lp.run_task(async {
///     let mut set = JoinSet::new();
///     for (name, yields) in [("slow", 3), ("fast", 0), ("middle", 1)] {
///         set.spawn(async move {
///             for _ in 0..yields {
///                 interrupt().await;
///             }
///             name
///         });
///     }
///     let mut order = Vec::new();
///     while let Some(done) = set.join_next().await {
///         order.push(done.unwrap());
///     }
///     order
/// });
/// assert_eq!(order, ["fast", "middle", "slow"]);
/// ```
#[doc(alias = "TaskGroup")]
#[doc(alias = "FuturesUnordered")]
#[doc(alias = "TaskSet")]
pub struct JoinSet<T> {
    slots: Vec<Slot<T>>,
    /// Indices of the empty slots, reused last-freed first.
    free: Vec<u32>,
    /// Members in the set: slots that are not empty.
    len: usize,
    ready: Arc<Ready>,
    /// Indices taken from `ready` and not yet polled, in order.
    batch: VecDeque<u32>,
}

/// One place in the set, with the waker its member's handle is polled with.
struct Slot<T> {
    handle: Option<JoinHandle<T>>,
    waker: Waker,
}

/// A member's future, wrapped: its destructor names the slot in `Ready`
/// (module docs).
struct Member<F> {
    future: F,
    ready: Arc<Ready>,
    index: u32,
}

impl<F: Future> Future for Member<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `future` is pinned with the wrapper: it is never moved out,
        // and the wrapper's `Drop` does not touch it (structural pinning).
        unsafe { self.map_unchecked_mut(|member| &mut member.future) }.poll(cx)
    }
}

impl<F> Drop for Member<F> {
    fn drop(&mut self) {
        self.ready.push(self.index);
    }
}

/// Members whose tasks finished, in the order they did, and the waker of the
/// task waiting in `join_next`.
#[derive(Debug, Default)]
struct Ready {
    inner: Mutex<ReadyInner>,
}

#[derive(Debug, Default)]
struct ReadyInner {
    indices: VecDeque<u32>,
    parent: Option<Waker>,
}

impl Ready {
    fn lock(&self) -> MutexGuard<'_, ReadyInner> {
        // Nothing panics while the lock is held (the parent is woken after
        // it is released), so a poisoned lock still holds a sound list.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn push(&self, index: u32) {
        let parent = {
            let mut inner = self.lock();
            inner.indices.push_back(index);
            inner.parent.take()
        };
        if let Some(parent) = parent {
            parent.wake();
        }
    }
}

/// The waker a member's `JoinHandle` is polled with.
#[derive(Debug)]
struct SlotWaker {
    ready: Arc<Ready>,
    index: u32,
}

impl Wake for SlotWaker {
    fn wake(self: Arc<Self>) {
        self.ready.push(self.index);
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.ready.push(self.index);
    }
}

impl<T> JoinSet<T> {
    /// An empty set.
    ///
    /// # Examples
    ///
    /// ```
    /// let set = loop_core::JoinSet::<u32>::new();
    /// assert!(set.is_empty());
    /// ```
    pub fn new() -> JoinSet<T> {
        JoinSet {
            slots: Vec::new(),
            free: Vec::new(),
            len: 0,
            ready: Arc::default(),
            batch: VecDeque::new(),
        }
    }

    /// The number of tasks in the set: running, or finished and not yet
    /// joined.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::{JoinSet, Loop};
    ///
    /// Loop::new().run_task(async {
    ///     let mut set = JoinSet::new();
    ///     set.spawn(async { 1 });
    ///     set.spawn(async { 2 });
    ///     assert_eq!(set.len(), 2);
    ///     set.join_next().await;
    ///     assert_eq!(set.len(), 1);
    /// });
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// True if the set holds no task.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(loop_core::JoinSet::<()>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl<T: 'static> JoinSet<T> {
    /// Adds a task to the loop running on this thread (as [`spawn`](fn@spawn)
    /// does) and to the set.
    ///
    /// # Panics
    ///
    /// Outside a running loop; use [`spawn_on`](JoinSet::spawn_on) with a
    /// [`Handle`] instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::{JoinSet, Loop};
    ///
    /// let n = Loop::new().run_task(async {
    ///     let mut set = JoinSet::new();
    ///     set.spawn(async { 6 * 7 });
    ///     set.join_next().await.unwrap().unwrap()
    /// });
    /// assert_eq!(n, 42);
    /// ```
    #[track_caller]
    pub fn spawn<F>(&mut self, future: F)
    where
        F: Future<Output = T> + 'static,
    {
        let index = self.free_slot();
        let member = self.member(index, future);
        self.insert(index, spawn(member));
    }

    /// Adds a task to the loop of `handle` and to the set.
    ///
    /// If that loop has been dropped, the future is dropped at once and
    /// `join_next` reports the task as cancelled.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::{JoinSet, Loop};
    ///
    /// let lp = Loop::new();
    /// let mut set = JoinSet::new();
    /// set.spawn_on(&lp.handle(), async { "on lp" });
    /// let out = lp.run_task(async move { set.join_next().await });
    /// assert_eq!(out.unwrap().unwrap(), "on lp");
    /// ```
    #[track_caller]
    pub fn spawn_on<F>(&mut self, handle: &Handle, future: F)
    where
        F: Future<Output = T> + 'static,
    {
        let index = self.free_slot();
        let member = self.member(index, future);
        self.insert(index, handle.add_task(member));
    }

    /// An empty slot's index, making a slot if none is free.
    fn free_slot(&mut self) -> u32 {
        if let Some(index) = self.free.pop() {
            return index;
        }
        let index = u32::try_from(self.slots.len()).expect(messages::JOIN_SET_FULL);
        let waker = Waker::from(Arc::new(SlotWaker {
            ready: self.ready.clone(),
            index,
        }));
        self.slots.push(Slot {
            handle: None,
            waker,
        });
        index
    }

    fn member<F: Future>(&self, index: u32, future: F) -> Member<F> {
        Member {
            future,
            ready: self.ready.clone(),
            index,
        }
    }

    /// Puts the handle of the task running `member(index, ..)` in its slot.
    /// If the task has already ended (its loop was gone), its wrapper has
    /// already named the slot in `ready`.
    fn insert(&mut self, index: u32, handle: JoinHandle<T>) {
        self.slots[index as usize].handle = Some(handle);
        self.len += 1;
    }

    /// Waits for the next task of the set to finish and gives its output:
    /// `None` once the set is empty.
    ///
    /// Tasks come back in the order they finish, not the order they were
    /// added. A task that panicked or was aborted gives its [`JoinError`].
    ///
    /// # Cancellation
    ///
    /// Cancel-safe: dropping the future before it is ready loses nothing; the
    /// next call gives the same task's output.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::{JoinSet, Loop};
    ///
    /// Loop::new().run_task(async {
    ///     let mut set = JoinSet::new();
    ///     set.spawn(async { panic!("boom") });
    ///     assert!(set.join_next().await.unwrap().unwrap_err().is_panic());
    ///     assert!(set.join_next().await.is_none());
    /// });
    /// ```
    #[doc(alias = "as_completed")]
    pub fn join_next(&mut self) -> JoinNext<'_, T> {
        JoinNext { set: self }
    }

    /// The poll behind [`join_next`](JoinSet::join_next), for hand-written
    /// futures: `Ready(None)` if the set is empty, `Ready(Some(..))` with a
    /// finished task's output, or `Pending` (and `cx` is woken when a task
    /// finishes).
    ///
    /// It spends one unit of the cooperative budget
    /// ([`poll_budget`]) when the set is not empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::{JoinSet, Loop};
    /// use std::future::poll_fn;
    ///
    /// Loop::new().run_task(async {
    ///     let mut set = JoinSet::new();
    ///     set.spawn(async { 1 });
    ///     let out = poll_fn(|cx| set.poll_join_next(cx)).await;
    ///     assert_eq!(out.unwrap().unwrap(), 1);
    /// });
    /// ```
    pub fn poll_join_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, JoinError>>> {
        if self.len == 0 {
            return Poll::Ready(None);
        }
        ready!(poll_budget(cx));
        loop {
            if let Some(out) = self.poll_batch() {
                return Poll::Ready(Some(out));
            }
            let mut inner = self.ready.lock();
            if inner.indices.is_empty() {
                if !inner
                    .parent
                    .as_ref()
                    .is_some_and(|p| p.will_wake(cx.waker()))
                {
                    inner.parent = Some(cx.waker().clone());
                }
                return Poll::Pending;
            }
            std::mem::swap(&mut inner.indices, &mut self.batch);
        }
    }

    /// Gives the output of a task that has already finished, without waiting:
    /// `None` if no task of the set has finished (or the set is empty).
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::{JoinSet, Loop, interrupt};
    ///
    /// Loop::new().run_task(async {
    ///     let mut set = JoinSet::new();
    ///     set.spawn(async { 7 });
    ///     assert!(set.try_join_next().is_none(), "the task has not run yet");
    ///     interrupt().await;
    ///     assert_eq!(set.try_join_next().unwrap().unwrap(), 7);
    /// });
    /// ```
    pub fn try_join_next(&mut self) -> Option<Result<T, JoinError>> {
        if self.len == 0 {
            return None;
        }
        loop {
            if let Some(out) = self.poll_batch() {
                return Some(out);
            }
            let mut inner = self.ready.lock();
            if inner.indices.is_empty() {
                return None;
            }
            std::mem::swap(&mut inner.indices, &mut self.batch);
        }
    }

    /// Polls the members named in `batch`, in order, until one is finished.
    fn poll_batch(&mut self) -> Option<Result<T, JoinError>> {
        while let Some(index) = self.batch.pop_front() {
            let Some(slot) = self.slots.get_mut(index as usize) else {
                continue; // Stale: from before `detach_all`.
            };
            let Some(handle) = &mut slot.handle else {
                continue;
            };
            let mut cx = Context::from_waker(&slot.waker);
            let Poll::Ready(out) = Pin::new(handle).poll(&mut cx) else {
                continue;
            };
            slot.handle = None;
            self.free.push(index);
            self.len -= 1;
            return Some(out);
        }
        None
    }
}

impl<T> JoinSet<T> {
    /// Aborts every task in the set (see [`JoinHandle::abort`]); they stay in
    /// the set, and `join_next` gives each one's output, or a cancellation
    /// error for those that had not finished.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::{JoinSet, Loop};
    ///
    /// Loop::new().run_task(async {
    ///     let mut set = JoinSet::new();
    ///     set.spawn(std::future::pending::<()>());
    ///     set.abort_all();
    ///     assert!(set.join_next().await.unwrap().unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn abort_all(&mut self) {
        for slot in &self.slots {
            if let Some(handle) = &slot.handle {
                handle.abort();
            }
        }
    }

    /// Removes every task from the set without aborting it: the tasks run on,
    /// and their outputs are dropped when they finish, as with a dropped
    /// [`JoinHandle`]. Outputs of tasks that had finished are dropped now.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::{JoinSet, Loop, interrupt};
    ///
    /// let lp = Loop::new();
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// lp.run_task(async move {
    ///     let mut set = JoinSet::new();
    ///     set.spawn(async move { interrupt().await; tx.send("ran").unwrap() });
    ///     set.detach_all();
    ///     assert!(set.is_empty());
    /// });
    /// lp.run();
    /// assert_eq!(rx.recv().unwrap(), "ran");
    /// ```
    pub fn detach_all(&mut self) {
        self.slots.clear();
        self.free.clear();
        self.batch.clear();
        self.len = 0;
        self.ready.lock().indices.clear();
    }

    /// Aborts every task and waits until each has ended, dropping their
    /// outputs: the set is then empty.
    ///
    /// # Cancellation
    ///
    /// Dropping the future part-way leaves in the set the (aborted) tasks not
    /// yet waited for.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::{JoinSet, Loop};
    ///
    /// Loop::new().run_task(async {
    ///     let mut set = JoinSet::new();
    ///     for _ in 0..3 {
    ///         set.spawn(std::future::pending::<()>());
    ///     }
    ///     set.shutdown().await;
    ///     assert!(set.is_empty());
    /// });
    /// ```
    pub async fn shutdown(&mut self)
    where
        T: 'static,
    {
        self.abort_all();
        while self.join_next().await.is_some() {}
    }
}

impl<T> Default for JoinSet<T> {
    fn default() -> JoinSet<T> {
        JoinSet::new()
    }
}

impl<T> Drop for JoinSet<T> {
    /// Aborts the tasks still running, then drops their handles.
    fn drop(&mut self) {
        self.abort_all();
    }
}

impl<T> fmt::Debug for JoinSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinSet").field("len", &self.len).finish()
    }
}

/// The future of [`JoinSet::join_next`].
#[must_use = "futures do nothing unless polled"]
pub struct JoinNext<'a, T> {
    set: &'a mut JoinSet<T>,
}

impl<T: 'static> Future for JoinNext<'_, T> {
    type Output = Option<Result<T, JoinError>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.set.poll_join_next(cx)
    }
}

impl<T> fmt::Debug for JoinNext<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinNext").field("set", &self.set).finish()
    }
}
