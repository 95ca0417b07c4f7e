//! `LoopId`: which loop a handle, timer or socket belongs to.

use std::collections::HashMap;
use std::fmt;
use std::num::NonZeroU64;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, LazyLock, Mutex, Weak};

use crate::context;
use crate::handle::Spawner;
use crate::messages;
use crate::scheduler::Shared;

/// The loops alive now, by id: what [`LoopId::spawner`] looks in. A loop is
/// added when it is made and removed when it is dropped, so this holds one
/// entry per live loop; it is read only when a handle is released away from
/// its loop, never on a loop's hot path.
static LIVE: LazyLock<Mutex<HashMap<LoopId, Weak<Shared>>>> = LazyLock::new(Default::default);

/// Records a new loop in [`LIVE`].
pub(crate) fn register_live(id: LoopId, shared: &Arc<Shared>) {
    let mut live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
    live.insert(id, Arc::downgrade(shared));
}

/// Forgets a loop that is being dropped.
pub(crate) fn unregister_live(id: LoopId) {
    let mut live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
    live.remove(&id);
}

/// The identity of one loop, unique for the life of the process (a new loop
/// never reuses a dropped loop's id).
///
/// Upper layers record it when a handle (a timer, a socket) registers with a
/// loop, and compare it with [`LoopId::current`] when the handle is polled, to
/// tell a handle used on the wrong loop.
///
/// # Examples
///
/// ```
/// use loop_core::{Loop, LoopId};
///
/// let lp = Loop::new();
/// assert_eq!(LoopId::current(), None);
/// let inside = lp.run_task(async { LoopId::current() });
/// assert_eq!(inside, Some(lp.id()));
/// assert_ne!(Loop::new().id(), lp.id());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct LoopId(NonZeroU64);

impl LoopId {
    /// A fresh id.
    pub(crate) fn next() -> LoopId {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let id = NEXT.fetch_add(1, Relaxed);
        LoopId(NonZeroU64::new(id).expect(messages::LOOP_IDS_EXHAUSTED))
    }

    /// The id of the loop running on this thread, if any.
    #[inline]
    pub fn current() -> Option<LoopId> {
        context::with_current(|core| core.map(|core| core.id))
    }

    /// True if this is the loop running on this thread.
    #[inline]
    pub fn is_current(self) -> bool {
        LoopId::current() == Some(self)
    }

    /// A [`Spawner`] for this loop, if it is still alive (made and not yet
    /// dropped); `None` once it has been dropped.
    ///
    /// This is how a handle that belongs to a loop (a timer, a socket) is
    /// released when it is dropped on another thread: it hands the release
    /// to its loop as a small task, which runs there, or is dropped unrun if
    /// the loop is gone or shutting down (its resources then go with the
    /// loop). It takes a global lock, so it is meant for such rare paths,
    /// not for every poll.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::{Loop, LoopId};
    ///
    /// let lp = Loop::new();
    /// let id: LoopId = lp.id();
    /// let answer = std::thread::spawn(move || id.spawner().unwrap().add_task(async { 6 * 7 }))
    ///     .join()
    ///     .unwrap();
    /// assert_eq!(lp.run_task(answer).unwrap(), 42);
    /// drop(lp);
    /// assert!(id.spawner().is_none());
    /// ```
    pub fn spawner(self) -> Option<Spawner> {
        let shared = {
            let live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
            live.get(&self)?.upgrade()?
        };
        Some(Spawner::from_shared(shared))
    }

    /// Runs `f` on this loop, from any thread, as a small task it runs
    /// when it next gets to it; drops `f` unrun if the loop is gone or
    /// shutting down.
    ///
    /// This is how a handle dropped away from its loop has the loop release
    /// what it holds there (a timer's place, a socket's slot): `f` finds the
    /// loop's part through a [`LoopBound`](crate::LoopBound), which lends it
    /// there. Not for a hot path: it looks the loop up under a global lock
    /// and allocates a task.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicBool, Ordering};
    /// use std::sync::Arc;
    /// use loop_core::{Loop, LoopId};
    ///
    /// let lp = Loop::new();
    /// let ran = Arc::new(AtomicBool::new(false));
    /// let (id, flag) = (lp.id(), ran.clone());
    /// std::thread::spawn(move || {
    ///     id.defer(move || flag.store(LoopId::current() == Some(id), Ordering::SeqCst))
    /// })
    /// .join()
    /// .unwrap();
    /// lp.run_task(loop_core::yield_now());
    /// assert!(ran.load(Ordering::SeqCst));
    /// ```
    pub fn defer(self, f: impl FnOnce() + Send + 'static) {
        if let Some(spawner) = self.spawner() {
            drop(spawner.add_task(async move { f() }));
        }
    }
}

impl fmt::Debug for LoopId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LoopId({})", self.0)
    }
}

impl fmt::Display for LoopId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "loop #{}", self.0)
    }
}
