//! [`LoopBound`]: a `Send + Sync` reference to a part of one loop (its park,
//! or one of its sources), usable only on that loop.
//!
//! Upper layers keep one in each handle that belongs to a loop (a `Sleep`
//! points at its loop's timer store, a socket at its loop's Reactor), so that
//! the handle can be `Send` without a reference count on its hot path.
//!
//! The invariant it rests on is loop-core's, and is kept here: while a loop
//! is current on a thread (the `Enter` guard of `context.rs` holds its
//! `Core`), its park and its sources are alive, and they are only ever
//! touched on that thread. `Core` owns its park until it is dropped, and
//! `Core::shut_down` drops the sources only after the loop stops being
//! current. So [`LoopBound::with`] checks that its loop is current (one
//! thread-local read and a compare) and lends the reference for the length
//! of a closure, which cannot outlive the check.

use std::fmt;
use std::ptr::NonNull;
use std::rc::Rc;

use crate::loop_id::LoopId;

/// A reference to a part of one loop that may be sent anywhere, and used
/// only where that loop runs.
///
/// Made by [`Handle::park_bound`](crate::Handle::park_bound) and
/// [`Handle::source_bound`](crate::Handle::source_bound). It holds no
/// reference count: it does not keep the loop, or the part, alive. Use it
/// with [`with`](LoopBound::with), which lends the part only while its loop
/// is running on the calling thread, and says `None` anywhere else (another
/// loop's thread, a thread where no loop runs, or after the loop is gone).
///
/// # Examples
///
/// ```
/// use loop_core::{Loop, Source};
///
/// struct Counter(std::cell::Cell<u32>);
/// impl Source for Counter {
///     fn deadline(&self) -> Option<std::time::Instant> {
///         None
///     }
///     fn dispatch(&self, _idle: bool) {}
/// }
///
/// let lp = Loop::new();
/// let counter = lp.run_task(async {
///     let counter = Loop::current().source_bound(|| Counter(Default::default()));
///     counter.with(|c| c.0.set(c.0.get() + 1));
///     counter
/// });
/// // Away from its loop (not running here), it lends nothing.
/// assert_eq!(counter.with(|c| c.0.get()), None);
/// // It may be sent to another thread: still nothing there.
/// let there = std::thread::spawn(move || counter.with(|c| c.0.get())).join().unwrap();
/// assert_eq!(there, None);
/// assert_eq!(lp.run_task(async move { counter.with(|c| c.0.get()) }), Some(1));
/// ```
pub struct LoopBound<T: 'static> {
    id: LoopId,
    ptr: NonNull<T>,
}

// SAFETY: a `LoopBound` lends its `T` only on the thread where its loop is
// running (`with` checks), so no `T` is ever touched from two threads, or
// from a thread other than the one that owns it; sending or sharing the
// pointer itself touches nothing.
unsafe impl<T: 'static> Send for LoopBound<T> {}
// SAFETY: as for `Send`.
unsafe impl<T: 'static> Sync for LoopBound<T> {}

impl<T: 'static> LoopBound<T> {
    /// A bound reference to `part`, which loop `id` keeps alive while it is
    /// current.
    ///
    /// # Safety
    ///
    /// `part` is the loop `id`'s park or one of its sources: an `Rc` that the
    /// loop holds at least as long as it is current (module docs).
    pub(crate) unsafe fn new(id: LoopId, part: &Rc<T>) -> LoopBound<T> {
        LoopBound {
            id,
            ptr: NonNull::from(&**part),
        }
    }

    /// The loop this part belongs to.
    #[inline]
    pub fn loop_id(&self) -> LoopId {
        self.id
    }

    /// Calls `f` with the part if its loop is the one running on this
    /// thread, and returns what it returns; `None` anywhere else.
    #[inline]
    pub fn with<R>(&self, f: impl FnOnce(&T) -> R) -> Option<R> {
        if self.id.is_current() {
            // SAFETY: the loop `id` is current on this thread, so the part is
            // alive and owned by this thread (`new`'s contract and the module
            // docs), and it stays so while `f` runs: a loop stops being
            // current only when its `run` returns or its shutdown ends, and
            // neither can happen inside `f`, a call made from inside it.
            Some(f(unsafe { self.ptr.as_ref() }))
        } else {
            None
        }
    }
}

impl<T: 'static> Clone for LoopBound<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: 'static> Copy for LoopBound<T> {}

impl<T: 'static> fmt::Debug for LoopBound<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoopBound")
            .field("loop", &self.id)
            .finish_non_exhaustive()
    }
}
