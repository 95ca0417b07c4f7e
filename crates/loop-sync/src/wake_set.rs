//! `WakeSet`: one waker per gathered future, so only woken futures are polled.
//!
//! `gather` and `gather!` poll each of their futures with a waker of its own,
//! an [`IndexWaker`] that knows the future's index. Waking it records the
//! index in the set's shared `Woken` list and wakes the task that polls the
//! gather (the *parent*), once; the next poll of the gather polls exactly the
//! futures on that list. That makes gathering n futures cost O(wake-ups), not
//! O(n) per wake-up.
//!
//! # The shared list
//!
//! `Woken` sits behind a `Mutex` (wakers must be `Send + Sync`; a wake from the
//! gather's own thread costs one uncontended lock):
//!
//! - `queued[i]` is true while `i` is on `order`, so a future woken twice
//!   before it is polled is polled once;
//! - `order` lists woken indices in wake order;
//! - `parent` is the waker of the task polling the gather, taken by the first
//!   wake after each poll of the gather and registered again at the next.
//!
//! # One batch per poll
//!
//! [`WakeSet::begin`] takes the whole `order` list (and clears those `queued`
//! flags) under one lock; the gather polls that batch and nothing else. A
//! future that wakes itself while being polled (`interrupt()`) lands on the
//! next batch and wakes the parent, so the gather gives control back to its
//! executor instead of spinning: inside a gather, `interrupt()` still lets
//! every other task run.
//!
//! # Waker allocations
//!
//! A waker is an `Arc<IndexWaker>`. Most futures wake their waker during the
//! poll or not at all and keep no clone; then the `Arc` is unique again once
//! the poll returns, and it is reused for the next future (its index rewritten
//! through `Arc::get_mut`, which proves nobody else can see it). A future that
//! keeps a clone gets its `Arc` stored in its slot and reused for its next
//! poll, so `Waker::will_wake` holds across polls and it need not re-register.
//!
//! # A panicking parent waker
//!
//! The parent's waker is foreign code. It is woken after the lock is
//! released, with the index already on `order`, so if it panics the panic
//! goes to whoever woke the index waker (loop-sync's own wake batches finish
//! their batch first; see `wait_list::wake_all`), no lock is poisoned, and
//! the next poll of the gather still polls that future.

use std::sync::{Arc, Mutex};
use std::task::{Context, Wake, Waker};

use crate::wait_list::lock;

/// The shared half of a [`WakeSet`], reached from every [`IndexWaker`].
#[derive(Debug)]
struct Shared {
    woken: Mutex<Woken>,
}

#[derive(Debug)]
struct Woken {
    queued: Vec<bool>,
    order: Vec<usize>,
    parent: Option<Waker>,
}

/// The waker of the gathered future at `index`.
#[derive(Debug)]
pub(crate) struct IndexWaker {
    shared: Arc<Shared>,
    index: usize,
}

impl Wake for IndexWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let parent = {
            let mut woken = lock(&self.shared.woken);
            if std::mem::replace(&mut woken.queued[self.index], true) {
                return;
            }
            woken.order.push(self.index);
            woken.parent.take()
        };
        if let Some(parent) = parent {
            parent.wake();
        }
    }
}

/// A future's own waker, kept between polls while the future holds a clone.
pub(crate) type CachedWaker = Option<Arc<IndexWaker>>;

/// The wakers of `len` gathered futures and the list of those woken.
#[derive(Debug)]
pub(crate) struct WakeSet {
    shared: Arc<Shared>,
    /// A waker nobody else holds, ready to take any index.
    spare: CachedWaker,
}

impl WakeSet {
    pub(crate) fn new(len: usize) -> WakeSet {
        WakeSet {
            shared: Arc::new(Shared {
                woken: Mutex::new(Woken {
                    queued: vec![false; len],
                    order: Vec::new(),
                    parent: None,
                }),
            }),
            spare: None,
        }
    }

    /// Starts a poll of the gather: registers the parent's waker and swaps the
    /// indices woken since the last poll into `batch` (which must be empty).
    pub(crate) fn begin(&mut self, parent: &Waker, batch: &mut Vec<usize>) {
        debug_assert!(batch.is_empty());
        let mut woken = lock(&self.shared.woken);
        match &mut woken.parent {
            Some(waker) => waker.clone_from(parent),
            None => woken.parent = Some(parent.clone()),
        }
        std::mem::swap(&mut woken.order, batch);
        for &index in batch.iter() {
            woken.queued[index] = false;
        }
    }

    /// Calls `poll` with a context whose waker is the future at `index`'s own.
    ///
    /// `cached` is the future's slot for a waker it keeps between polls.
    pub(crate) fn poll_with<R>(
        &mut self,
        index: usize,
        cached: &mut CachedWaker,
        poll: impl FnOnce(&mut Context<'_>) -> R,
    ) -> R {
        let arc = match cached.take() {
            Some(arc) => arc,
            None => self.fresh(index),
        };
        let waker = Waker::from(arc.clone());
        let output = poll(&mut Context::from_waker(&waker));
        drop(waker);
        // A hint only: reuse goes through `Arc::get_mut` in `fresh`.
        if Arc::strong_count(&arc) > 1 {
            *cached = Some(arc);
        } else {
            self.spare = Some(arc);
        }
        output
    }

    /// A waker for `index` that nobody else holds.
    fn fresh(&mut self, index: usize) -> Arc<IndexWaker> {
        if let Some(mut arc) = self.spare.take()
            && let Some(waker) = Arc::get_mut(&mut arc)
        {
            waker.index = index;
            return arc;
        }
        Arc::new(IndexWaker {
            shared: self.shared.clone(),
            index,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::panic::{AssertUnwindSafe, catch_unwind};

    struct PanickingWaker;

    impl Wake for PanickingWaker {
        fn wake(self: Arc<Self>) {
            panic!("this waker panics on purpose");
        }
    }

    #[test]
    fn a_panicking_parent_waker_leaves_the_wake_recorded_and_the_lock_sound() {
        let mut set = WakeSet::new(2);
        let mut batch = Vec::new();
        set.begin(&Waker::from(Arc::new(PanickingWaker)), &mut batch);
        let mut cached = None;
        let kept = set.poll_with(1, &mut cached, |cx| cx.waker().clone());

        assert!(catch_unwind(AssertUnwindSafe(|| kept.wake_by_ref())).is_err());

        assert!(!set.shared.woken.is_poisoned());
        set.begin(Waker::noop(), &mut batch);
        assert_eq!(batch, [1]);
    }
}
