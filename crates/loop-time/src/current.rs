//! The current loop's timer store, and the public functions that act on it:
//! [`now`], [`pause`], [`resume`], [`advance`] and [`timer_count`].
//!
//! This is the one place that looks up the loop running on this thread: it
//! asks loop-core for the loop's store (`Handle::source`, which attaches a
//! new one on first use). The store
//! (`store.rs`) and the clock (`clock.rs`) know nothing of the current loop,
//! so each reads and tests alone.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use loop_core::{Handle, Loop, LoopBound, LoopId};

use crate::clock;
use crate::messages;
use crate::store::TimerStore;

/// The store of `handle`'s loop, attached on first use.
fn store_of(handle: &Handle) -> Rc<TimerStore> {
    handle.source(TimerStore::new)
}

/// The store of the loop running on this thread, if any.
pub(crate) fn try_store() -> Option<Rc<TimerStore>> {
    Loop::try_current().map(|handle| store_of(&handle))
}

/// The store of the loop running on this thread, attached on first use.
///
/// # Panics
///
/// Outside a running loop, with a message that says what to do.
#[track_caller]
pub(crate) fn store() -> Rc<TimerStore> {
    match Loop::try_current() {
        Some(handle) => store_of(&handle),
        None => panic!("{}", messages::NO_LOOP),
    }
}

thread_local! {
    /// The store last found for a loop on this thread: a sleep registering
    /// with the same loop as the one before (the usual case) finds it with
    /// one compare, without asking loop-core for the loop's sources. A
    /// stale entry (another loop's, or a dropped loop's) is never used:
    /// `LoopBound::with` lends nothing unless its loop is current, and loop
    /// ids are never reused.
    static LAST_STORE: Cell<Option<LoopBound<TimerStore>>> = const { Cell::new(None) };
}

/// Calls `f` with the store of the loop running on this thread, as a
/// [`LoopBound`] and lent for the call, attaching the store on first use.
///
/// # Panics
///
/// Outside a running loop, with a message that says what to do.
#[inline]
#[track_caller]
pub(crate) fn with_bound_store<R>(f: impl FnOnce(LoopBound<TimerStore>, &TimerStore) -> R) -> R {
    let mut f = Some(f);
    if let Some(bound) = LAST_STORE.get()
        && let Some(result) = bound.with(|store| f.take().map(|f| f(bound, store)))
    {
        return result.expect("`f` is called once");
    }
    let Some(bound) = cache_current_store() else {
        panic!("{}", messages::NO_LOOP);
    };
    let f = f.take().expect("`f` is called once");
    bound
        .with(|store| f(bound, store))
        .expect("the running loop's own store")
}

/// Calls `f` with the store of loop `id` if that loop is the one running on
/// this thread (`None` anywhere else): how a timer that keeps only its
/// loop's id reaches its store, through the per-thread cache.
#[inline]
pub(crate) fn with_store_of<R>(id: LoopId, f: impl FnOnce(&TimerStore) -> R) -> Option<R> {
    match LAST_STORE.get() {
        Some(bound) if bound.loop_id() == id => bound.with(f),
        _ => with_store_of_uncached(id, f),
    }
}

/// [`with_store_of`] when the cache holds another loop's store.
#[cold]
#[inline(never)]
fn with_store_of_uncached<R>(id: LoopId, f: impl FnOnce(&TimerStore) -> R) -> Option<R> {
    if !id.is_current() {
        return None;
    }
    cache_current_store()?.with(f)
}

/// The store of the loop running on this thread (attached on first use),
/// kept in the per-thread cache; `None` where no loop runs.
#[cold]
fn cache_current_store() -> Option<LoopBound<TimerStore>> {
    let bound = Loop::try_current()?.source_bound(TimerStore::new);
    LAST_STORE.set(Some(bound));
    Some(bound)
}

/// The current time on the loop running on this thread: its paused clock's
/// time while paused, real time otherwise (and outside any loop).
///
/// Use it to compute deadlines that respect [`pause`] and [`advance`]:
/// [`sleep`](crate::sleep()) and [`interval`](crate::interval()) start from it.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use loop_core::Loop;
///
/// Loop::new().run_task(async {
///     loop_time::pause();
///     let start = loop_time::now();
///     loop_time::sleep(Duration::from_secs(3600)).await; // instant: auto-advance
///     assert_eq!(loop_time::now() - start, Duration::from_secs(3600));
/// });
/// ```
pub fn now() -> Instant {
    if !clock::ever_paused() {
        return Instant::now();
    }
    match try_store() {
        Some(store) => store.now(),
        None => Instant::now(),
    }
}

/// Pauses the current loop's clock: [`now`] stands still, and timers fire
/// only when it is moved, by [`advance`] or by auto-advance.
///
/// While the clock is paused and no task of the loop is ready to run, the
/// clock jumps to the earliest timer's deadline and fires it (auto-advance),
/// so a test of an hour-long timeout runs instantly and deterministically.
/// The loop still looks (without blocking) at remote wakes and I/O before each
/// jump. Pausing a paused clock does nothing.
///
/// # Panics
///
/// Outside a running goldiloop loop.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use loop_core::Loop;
/// use loop_time::{pause, sleep, timeout};
///
/// let result = Loop::new().run_task(async {
///     pause();
///     timeout(Duration::from_secs(60), sleep(Duration::from_secs(3600))).await
/// });
/// assert!(result.is_err()); // took no real time
/// ```
#[track_caller]
pub fn pause() {
    store().pause();
}

/// Lets the current loop's clock run again, at the speed of real time from
/// where it stands (it never goes backwards). Resuming a running clock does
/// nothing.
///
/// # Panics
///
/// Outside a running goldiloop loop.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use loop_core::Loop;
///
/// Loop::new().run_task(async {
///     loop_time::pause();
///     loop_time::advance(Duration::from_secs(10)).await;
///     loop_time::resume();
///     let before = loop_time::now();
///     loop_time::sleep(Duration::from_millis(1)).await; // real time again
///     assert!(loop_time::now() - before >= Duration::from_millis(1));
/// });
/// ```
#[track_caller]
pub fn resume() {
    store().resume();
}

/// Moves the current loop's paused clock forward by `duration`, fires every
/// timer whose deadline it passes (earliest first), and gives the tasks they
/// wake a turn before returning.
///
/// The clock moves when `advance` is called; awaiting the returned future
/// then lets the woken tasks run (they are queued ahead of the caller), so
/// that after `advance(d).await` every task that was waiting on a timer due
/// by then has taken its step.
///
/// # Panics
///
/// Outside a running goldiloop loop; if the clock is not paused (call
/// [`pause`] first); if the clock would pass the largest `Instant`.
///
/// # Examples
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use std::time::Duration;
/// use loop_core::{Loop, spawn};
/// use loop_time::{advance, pause, sleep};
///
/// Loop::new().run_task(async {
///     pause();
///     let rang = Rc::new(Cell::new(false));
///     let flag = rang.clone();
///     let _alarm = spawn(async move {
///         sleep(Duration::from_secs(5)).await;
///         flag.set(true);
///     });
///     loop_core::interrupt().await; // let the alarm task start its sleep
///     advance(Duration::from_secs(4)).await;
///     assert!(!rang.get());
///     advance(Duration::from_secs(1)).await;
///     assert!(rang.get());
/// });
/// ```
#[track_caller]
pub fn advance(duration: Duration) -> impl Future<Output = ()> {
    let store = store();
    store.advance(duration);
    loop_core::interrupt()
}

/// How many timers the current loop's store holds: registered by a first
/// poll, neither fired nor cancelled yet.
///
/// Dropping a [`Sleep`](crate::Sleep) or a timeout cancels its timer and
/// frees its slot at once, so this drops back to 0 when they are gone.
///
/// # Panics
///
/// Outside a running goldiloop loop.
///
/// # Examples
///
/// ```
/// use std::future::Future;
/// use std::pin::pin;
/// use std::task::{Context, Waker};
/// use std::time::Duration;
/// use loop_core::Loop;
/// use loop_time::{sleep, timer_count};
///
/// Loop::new().run_task(async {
///     let mut nap = pin!(sleep(Duration::from_secs(60)));
///     assert!(nap.as_mut().poll(&mut Context::from_waker(Waker::noop())).is_pending());
///     assert_eq!(timer_count(), 1);
/// });
/// ```
#[track_caller]
pub fn timer_count() -> usize {
    store().len()
}
