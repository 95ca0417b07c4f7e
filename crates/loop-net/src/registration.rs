//! [`Registration`]: one fd's readiness and waiters in the [`Reactor`], and
//! the handle a socket polls them through.
//!
//! The Reactor's `dispatch` records readiness here and wakes the waiters
//! ([`IoState::wake_waiters`]); sockets ask through
//! [`Registration::poll_ready`] and forget readiness after `EAGAIN`. The
//! rules (edge triggering, one waker per waiting task, the loop a
//! registration belongs to, panicking wakers) are in the Reactor's module
//! docs.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::panic::{self, AssertUnwindSafe};
use std::ptr::NonNull;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, Waker, ready};

use loop_core::{LoopBound, LoopId, poll_budget};

use crate::messages;
use crate::reactor::Reactor;
use crate::sys::syscall;

/// A direction of readiness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Readable (or hung up, or in error).
    Read,
    /// Writable (or in error).
    Write,
}

/// Readiness and waiters of one registered fd.
#[derive(Default)]
pub(crate) struct IoState {
    pub(crate) ready: [Cell<bool>; 2],
    /// Set for good once epoll reports the direction closed (end of stream,
    /// hang-up or error): no later edge may come for it, so a short read or
    /// write must not clear its readiness (only `EAGAIN` does). A socket not
    /// yet connected also reports a hang-up; that only costs it this
    /// shortcut.
    pub(crate) closed: [Cell<bool>; 2],
    waiters: [RefCell<Vec<Waker>>; 2],
}

impl IoState {
    /// Stores `waker` to be woken when direction `dir` becomes ready, unless
    /// a waker of the same task is stored already.
    #[inline]
    fn add_waiter(&self, dir: usize, waker: &Waker) {
        let mut waiters = self.waiters[dir].borrow_mut();
        if !waiters.iter().any(|w| w.will_wake(waker)) {
            waiters.push(waker.clone());
        }
    }

    /// Takes the wakers waiting on `dir` and wakes each of them, the list's
    /// borrow ended first: a waker that polls this fd again (loop-core's only
    /// queue their task) finds it empty, not borrowed. Call it after the
    /// readiness it reports is recorded.
    ///
    /// A waker that panics is contained (see the Reactor's module docs): the others
    /// are still woken, and the panic is not propagated.
    pub(crate) fn wake_waiters(&self, dir: usize) {
        let mut waiters = std::mem::take(&mut *self.waiters[dir].borrow_mut());
        if waiters.is_empty() {
            return;
        }
        for waker in waiters.drain(..) {
            wake_contained(waker);
        }
        // Give the allocation back, so the next wait does not allocate.
        let mut slot = self.waiters[dir].borrow_mut();
        if slot.is_empty() {
            *slot = waiters;
        }
    }
}

/// Wakes `waker`, catching a panic from it: the panic hook has already
/// reported the panic, and the batch that called us must go on.
#[inline]
fn wake_contained(waker: Waker) {
    if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| waker.wake())) {
        // Dropping the payload runs foreign code too: contain it as well.
        let _ = panic::catch_unwind(AssertUnwindSafe(|| drop(payload)));
    }
}

/// An fd's registration with a [`Reactor`]; dropping it deregisters the fd.
///
/// It is `Send + Sync`, and belongs to the loop whose Reactor it is
/// registered with: it is used only on that loop (anywhere else, using it
/// panics naming the fix), and it may be dropped anywhere (see
/// [`Drop`](#impl-Drop-for-Registration)).
pub struct Registration {
    /// The Reactor, reachable only while its loop runs on this thread.
    reactor: LoopBound<Reactor>,
    /// The Reactor's epoll fd, kept open while any registration lives, so
    /// that the fd can be taken out of the set on any thread.
    epoll: Arc<OwnedFd>,
    /// The fd's state, which slot `index` of the Reactor holds (an `Rc`) from
    /// `register` until this registration is released, and which only that
    /// loop's thread touches: usable exactly when `reactor` is (`with_state`).
    state: NonNull<IoState>,
    index: u32,
    generation: u32,
    fd: RawFd,
    added: bool,
}

// SAFETY: a `Registration` holds no reference count, and reaches the
// Reactor and the fd's state only through `with_state`, which lends them
// only on the thread where their loop runs (`LoopBound::with`); the rest is
// plain data. Dropped elsewhere, it hands its release to that loop as a task
// that carries only numbers.
unsafe impl Send for Registration {}
// SAFETY: as for `Send`: every `&self` method goes through `with_state`.
unsafe impl Sync for Registration {}

impl Registration {
    /// The registration of `fd` in slot `index` (of `generation`) of
    /// `reactor`, whose epoll fd is `epoll` and whose state is `state`.
    ///
    /// # Safety
    ///
    /// `fd` stays open until the registration is dropped (see
    /// [`Reactor::register`]), and slot `index` of `reactor`'s Reactor
    /// holds `state` until the registration releases it.
    pub(crate) unsafe fn new(
        reactor: LoopBound<Reactor>,
        epoll: Arc<OwnedFd>,
        state: &Rc<IoState>,
        [index, generation]: [u32; 2],
        fd: RawFd,
        added: bool,
    ) -> Registration {
        Registration {
            reactor,
            epoll,
            state: NonNull::from(&**state),
            index,
            generation,
            fd,
            added,
        }
    }

    /// Calls `f` with the fd's state, on the loop it belongs to.
    ///
    /// # Panics
    ///
    /// Anywhere else (another loop, or where no loop runs), naming the fix.
    #[inline(always)]
    fn with_state<R>(&self, f: impl FnOnce(&IoState) -> R) -> R {
        // SAFETY: inside `with`, the Reactor's loop runs on this thread, so
        // the Reactor is alive and slot `index` still holds `state` (only
        // this registration's release frees it), touched only by this
        // thread (the field's docs); the reference does not outlive `with`.
        let lent = self.reactor.with(|_| f(unsafe { self.state.as_ref() }));
        match lent {
            Some(result) => result,
            None => wrong_loop(self.reactor.loop_id()),
        }
    }

    /// `Ready` if `dir` is known ready; otherwise stores the task's waker
    /// and returns `Pending`.
    ///
    /// Every task waiting on `dir` is woken when it becomes ready. A task
    /// that polls again before then is stored once, not once per poll: a
    /// waker that [`will_wake`](Waker::will_wake) the same task as a stored
    /// one is not added.
    ///
    /// # Panics
    ///
    /// When polled on another loop than the one that was running when the
    /// fd was registered, or where no loop runs: its Reactor would never
    /// wake the task there. The message names the fix.
    #[inline]
    pub fn poll_ready(&self, dir: Direction, cx: &mut Context<'_>) -> Poll<()> {
        self.with_state(|state| {
            let i = dir as usize;
            if state.ready[i].get() {
                return Poll::Ready(());
            }
            state.add_waiter(i, cx.waker());
            Poll::Pending
        })
    }

    /// Panics (naming the fix) unless the loop running on this thread is the
    /// one the fd was registered on; see [`poll_ready`](Registration::poll_ready).
    #[inline]
    pub(crate) fn check_loop(&self) {
        self.with_state(|_| ());
    }

    /// Runs `op`; on `EAGAIN`, forgets that `dir` is ready and stores the
    /// task's waker, to be woken when the Reactor sees `dir` ready again.
    ///
    /// Every operation on a registered fd that moves data or accepts goes
    /// through here (sockets and `AioFd`), so here are the two checks each
    /// one owes: the fd is used on its own loop ([`poll_ready`](Self::poll_ready)
    /// panics otherwise), and the task has budget left for one more operation
    /// that completes at once (`loop_core::poll_budget`; otherwise it yields
    /// first).
    pub(crate) fn poll_io<T>(
        &self,
        dir: Direction,
        cx: &mut Context<'_>,
        mut op: impl FnMut() -> io::Result<T>,
    ) -> Poll<io::Result<T>> {
        // One check of the loop for the whole operation.
        self.with_state(|state| {
            let i = dir as usize;
            loop {
                // Known not ready: wait for the Reactor, without a system
                // call that would only say `EAGAIN`.
                if !state.ready[i].get() {
                    state.add_waiter(i, cx.waker());
                    return Poll::Pending;
                }
                // The call may complete at once: spend a unit of the task's
                // budget first, so a task whose calls always complete (a
                // socket that always has data, an accept failing with
                // `EMFILE`) still yields now and then. A call known to wait
                // spends nothing.
                ready!(poll_budget(cx));
                match op() {
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => state.ready[i].set(false),
                    res => return Poll::Ready(res),
                }
            }
        })
    }

    /// Forgets that `dir` is ready: call it after the system call said `EAGAIN`.
    ///
    /// # Panics
    ///
    /// Away from the registration's loop, as [`poll_ready`](Registration::poll_ready).
    pub fn clear_ready(&self, dir: Direction) {
        self.with_state(|state| state.ready[dir as usize].set(false));
    }

    /// Forgets that `dir` is ready after a short read or write on a stream
    /// socket (the kernel had no more to give or no more room for now, and
    /// reports the next change as a new edge), unless epoll reported the
    /// direction closed: then no edge may come again, and the next call
    /// must be tried to see the end of stream or the error.
    pub(crate) fn clear_ready_after_short(&self, dir: Direction) {
        self.with_state(|state| {
            let i = dir as usize;
            if !state.closed[i].get() {
                state.ready[i].set(false);
            }
        });
    }

    /// Marks both directions ready without an event: for a socket just
    /// created or accepted, whose first system call should be tried at once
    /// (epoll reports a registration's initial state only at the next park).
    pub(crate) fn assume_ready(&self) {
        self.with_state(|state| {
            state.ready[0].set(true);
            state.ready[1].set(true);
        });
    }

    /// The Reactor this fd is registered with.
    pub(crate) fn reactor(&self) -> LoopBound<Reactor> {
        self.reactor
    }
}

/// Dropping a registration takes its fd out of the epoll set, on any thread
/// (the epoll fd is shared for that), then frees its slot: at once on its
/// loop's thread; anywhere else (the handle that owns it was sent away) it
/// cannot touch the Reactor, so it hands the freeing to its loop as a small
/// task, or does nothing if the loop is gone (the Reactor went with it).
impl Drop for Registration {
    fn drop(&mut self) {
        if self.added {
            // SAFETY: the epoll fd is open (we share it); `fd` is open until
            // now, as `Registration::new`'s caller promised.
            let _ = syscall!(epoll_ctl(
                self.epoll.as_raw_fd(),
                libc::EPOLL_CTL_DEL,
                self.fd,
                std::ptr::null_mut()
            ));
        }
        let index = self.index;
        if self.reactor.with(|reactor| reactor.free(index)).is_none() {
            release_away(self.reactor, index, self.generation);
        }
    }
}

/// Frees slot `index` (if still of `generation`) of `reactor` from a thread
/// where its loop is not running: as a task on that loop, or not at all if
/// the loop is gone.
#[cold]
#[inline(never)]
fn release_away(reactor: LoopBound<Reactor>, index: u32, generation: u32) {
    reactor.loop_id().defer(move || {
        reactor.with(|reactor| reactor.release(index, generation));
    });
}

/// The panic of a registration used away from its loop: out of line, so the
/// check in [`Registration::poll_ready`] stays a compare and a branch.
#[cold]
#[inline(never)]
fn wrong_loop(home: LoopId) -> ! {
    match LoopId::current() {
        Some(current) => panic!(
            "{} (the socket is registered with {home}, polled on {current})",
            messages::WRONG_LOOP
        ),
        None => panic!(
            "{} (the socket is registered with {home}, polled where no loop runs)",
            messages::WRONG_LOOP
        ),
    }
}

impl fmt::Debug for Registration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("Registration");
        out.field("fd", &self.fd)
            .field("loop", &self.reactor.loop_id());
        // SAFETY: as in `with_state`.
        let ready = self
            .reactor
            .with(|_| unsafe { self.state.as_ref() }.ready.clone());
        if let Some([readable, writable]) = ready {
            out.field("readable", &readable.get())
                .field("writable", &writable.get());
        }
        out.finish()
    }
}
