//! `LoopId`: which loop a handle, timer or socket belongs to.

use std::fmt;
use std::num::NonZeroU64;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use crate::context;
use crate::messages;

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
