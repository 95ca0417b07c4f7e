//! A oneshot channel: one value, sent once, from one task to another.
//!
//! [`channel()`] makes a [`Sender`] and a [`Receiver`]; the receiver is the
//! future that gives the value, or [`RecvError`] if the sender is dropped
//! without sending.
//!
//! # Protocol
//!
//! Both ends share one allocation, an `Inner<T>`: a state word, a cell
//! for the value, and two cells for wakers (the receiver's, and the one of
//! the sender's [`closed`](Sender::closed) future). No lock: who may touch
//! each cell is decided by the state word, changed only by atomic
//! read-modify-writes (`AcqRel`) and read with `Acquire`. Its bits:
//!
//! - `VALUE`: the sender stored its value. Set only while `RX_CLOSED` is
//!   clear (a compare-exchange), so a value is never sent to a closed
//!   receiver.
//! - `TX_DROPPED`: the sender was dropped without sending.
//! - `RX_CLOSED`: the receiver was dropped or closed.
//! - `RX_WAKER`: the receiver's waker cell holds a waker for the sender's side
//!   to wake.
//! - `TX_WAKER`: likewise for the sender's `closed()` waker.
//! - `TX_GONE`, `RX_GONE`: that end will never touch the allocation again.
//!
//! Who owns each cell (the invariants every `SAFETY` comment cites):
//!
//! 1. **The value cell** belongs to the sender until it sets `VALUE` (it
//!    writes the value, and takes it back if the receiver closed first), and
//!    to the receiver after (it takes the value out once).
//! 2. **The receiver's waker cell** belongs to the receiver while `RX_WAKER`
//!    is clear. Setting `RX_WAKER` lends it to the sender's side, which takes
//!    the waker out if it is the one to set `VALUE` or `TX_DROPPED` while
//!    `RX_WAKER` is set. To store a new waker the receiver first clears
//!    `RX_WAKER`; if it then sees `VALUE` or `TX_DROPPED`, it is done and
//!    never touches the cell again, because the sender may be reading it.
//! 3. **The sender's waker cell** follows rule 2 with the roles swapped:
//!    `TX_WAKER` lends it to the receiver's side, which takes the waker out
//!    if it is the one to set `RX_CLOSED`.
//!
//! 4. **The allocation** is freed by the end that leaves second: each end
//!    sets its `*_GONE` bit when it is done with the allocation (a
//!    read-modify-write, whose result says whether the other end had left
//!    already), or, if a load shows the other end gone, frees it at once.
//!    Whatever is left in the cells is dropped with it. This is the reference
//!    count, folded into the state word.
//!
//! The happy path (send before the receive is polled) is one allocation, one
//! compare-exchange to send (setting `VALUE | TX_GONE` at once when no
//! waker is registered), one load to receive, and the free: a single atomic
//! read-modify-write in all, where two `Arc`s would add three.

use std::cell::UnsafeCell;
use std::error::Error;
use std::fmt;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker, ready};

use crate::messages::{ONESHOT_POLLED_AFTER_COMPLETION, ONESHOT_VALUE_MISSING};

const VALUE: usize = 1;
const TX_DROPPED: usize = 2;
const RX_CLOSED: usize = 4;
const RX_WAKER: usize = 8;
const TX_WAKER: usize = 16;

const TX_GONE: usize = 32;
const RX_GONE: usize = 64;

/// The receiver can no longer get a value: sent, or the sender is gone.
const SENDER_DONE: usize = VALUE | TX_DROPPED;

struct Inner<T> {
    state: AtomicUsize,
    /// Owned per rule 1 of the module docs.
    value: UnsafeCell<Option<T>>,
    /// Owned per rule 2.
    rx_waker: UnsafeCell<Option<Waker>>,
    /// Owned per rule 3.
    tx_waker: UnsafeCell<Option<Waker>>,
}

// SAFETY: the cells are reached only by the side that owns them at the time
// (module docs, rules 1-3), so sharing `Inner` between the two ends' threads
// only ever moves a `T` (or a `Waker`, which is `Send`) from one to the other.
unsafe impl<T: Send> Send for Inner<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Inner<T> {}

/// Takes the waker out of `cell`.
///
/// # Safety
///
/// The caller owns `cell` (rule 2 or 3 of the module docs).
unsafe fn take_waker(cell: &UnsafeCell<Option<Waker>>) -> Option<Waker> {
    // SAFETY: the caller owns the cell.
    unsafe { (*cell.get()).take() }
}

/// One end leaves the allocation `inner` (rule 4 of the module docs):
/// `gone` is its bit, `other_gone` the other end's, and `seen` a state this
/// end loaded with `Acquire` (the gone bits never clear, so if `seen` shows
/// the other end gone, it is gone for good, and its last use happened before).
///
/// # Safety
///
/// `inner` came from [`channel()`]'s `Box`, and this end does not touch it
/// after this call; each end leaves once.
unsafe fn leave<T>(inner: NonNull<Inner<T>>, gone: usize, other_gone: usize, seen: usize) {
    if seen & other_gone == 0 {
        // SAFETY: the allocation is alive: this end has not left yet.
        let state = unsafe { inner.as_ref() }
            .state
            .fetch_or(gone, Ordering::AcqRel);
        if state & other_gone == 0 {
            // The other end leaves last, and frees.
            return;
        }
    }
    // SAFETY: both ends have left (rule 4): nobody else can reach the
    // allocation, which `channel()` made with `Box::new`.
    drop(unsafe { Box::from_raw(inner.as_ptr()) });
}

impl<T> Inner<T> {
    /// Stores `waker` in `cell` and lends the cell out by setting `bit`,
    /// unless a bit of `done` is set first; returns the state that ended the
    /// wait (with a bit of `done`), or `None` if the waker is in place.
    ///
    /// # Safety
    ///
    /// `cell` and `bit` are this side's (rule 2 for the receiver, rule 3 for
    /// the sender), and `done` the bits that end its wait.
    unsafe fn register(
        &self,
        cell: &UnsafeCell<Option<Waker>>,
        bit: usize,
        done: usize,
        waker: &Waker,
    ) -> Option<usize> {
        let mut state = self.state.load(Ordering::Acquire);
        if state & bit != 0 {
            // Take the cell back before writing to it.
            state = self.state.fetch_and(!bit, Ordering::AcqRel);
            if state & done != 0 {
                // The other side set `done` while the cell was lent out: it
                // may be reading it now; never touch it again.
                return Some(state);
            }
        }
        // SAFETY: `bit` is clear and no `done` bit was set while it was, so
        // the cell is ours (the caller's rule).
        unsafe {
            match &mut *cell.get() {
                Some(old) => old.clone_from(waker),
                slot => *slot = Some(waker.clone()),
            }
        }
        let state = self.state.fetch_or(bit, Ordering::AcqRel);
        (state & done != 0).then_some(state)
    }
}

/// Makes a oneshot channel: the [`Sender`] sends one value, the
/// [`Receiver`] (a future) gets it.
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
/// use loop_sync::oneshot;
///
/// let lp = Loop::new();
/// let (tx, rx) = oneshot::channel();
/// let _task = lp.add_task(async move {
///     tx.send("done").unwrap();
/// });
/// assert_eq!(lp.run_task(rx), Ok("done"));
/// ```
#[doc(alias = "promise")]
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let inner = NonNull::from(Box::leak(Box::new(Inner {
        state: AtomicUsize::new(0),
        value: UnsafeCell::new(None),
        rx_waker: UnsafeCell::new(None),
        tx_waker: UnsafeCell::new(None),
    })));
    (Sender { inner }, Receiver { inner: Some(inner) })
}

/// The sending half of a [`channel()`]: sends one value.
///
/// Dropping it without sending ends the receiver's wait with [`RecvError`].
///
/// # Examples
///
/// ```
/// use loop_sync::oneshot;
///
/// let (tx, mut rx) = oneshot::channel();
/// tx.send(1).unwrap();
/// assert_eq!(rx.try_recv(), Ok(1));
/// ```
pub struct Sender<T> {
    /// Alive until this end leaves (rule 4 of the module docs).
    inner: NonNull<Inner<T>>,
}

// SAFETY: the sender moves a `T` to the receiver's thread; the allocation is
// shared as an `Inner<T>`, which is `Send + Sync` for `T: Send`.
unsafe impl<T: Send> Send for Sender<T> {}
// SAFETY: `&Sender` only loads the state word (`is_closed`).
unsafe impl<T: Send> Sync for Sender<T> {}

impl<T> Sender<T> {
    /// Sends `value` to the receiver, without waiting.
    ///
    /// # Errors
    ///
    /// Gives `value` back if the receiver was dropped or closed.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::oneshot;
    ///
    /// let (tx, rx) = oneshot::channel();
    /// drop(rx);
    /// assert_eq!(tx.send(5), Err(5));
    /// ```
    pub fn send(self, value: T) -> Result<(), T> {
        // Sending is this end's way out: `Sender::drop` does not run.
        let ptr = ManuallyDrop::new(self).inner;
        // SAFETY: the sender has not left, so the allocation is alive.
        let inner = unsafe { ptr.as_ref() };
        // SAFETY: `VALUE` is not set (only this sender sets it, once), so the
        // value cell is ours (rule 1).
        unsafe { *inner.value.get() = Some(value) };
        // Guess the usual state: nothing happened yet.
        let mut state = 0;
        loop {
            if state & RX_CLOSED != 0 {
                // SAFETY: still ours: `VALUE` was not set.
                let value = unsafe { (*inner.value.get()).take() };
                // SAFETY: the sender leaves once, and touches nothing after.
                unsafe { leave(ptr, TX_GONE, RX_GONE, state) };
                return Err(value.expect(ONESHOT_VALUE_MISSING));
            }
            // With no waker to take, the sender is done at once.
            let gone = if state & RX_WAKER == 0 { TX_GONE } else { 0 };
            match inner.state.compare_exchange_weak(
                state,
                state | VALUE | gone,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => break,
                Err(actual) => state = actual,
            }
        }
        if state & RX_WAKER != 0 {
            // SAFETY: we set `VALUE` while `RX_WAKER` was set: the receiver's
            // waker cell is ours now (rule 2).
            let waker = unsafe { take_waker(&inner.rx_waker) };
            // SAFETY: the sender leaves once (it did not set `TX_GONE`
            // above), and touches nothing after.
            unsafe { leave(ptr, TX_GONE, RX_GONE, state) };
            waker.into_iter().for_each(Waker::wake);
        }
        // Otherwise `TX_GONE` was set with `VALUE`, and the receiver may
        // have freed the allocation already: touch nothing.
        Ok(())
    }

    /// True if the receiver was dropped or closed: a `send` would fail.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::oneshot;
    ///
    /// let (tx, mut rx) = oneshot::channel::<u8>();
    /// assert!(!tx.is_closed());
    /// rx.close();
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        // SAFETY: the sender has not left, so the allocation is alive.
        unsafe { self.inner.as_ref() }.state.load(Ordering::Acquire) & RX_CLOSED != 0
    }

    /// Waits until the receiver is dropped or closed (for a task that
    /// computes a value and can stop early when nobody wants it any more).
    ///
    /// # Cancellation
    ///
    /// Dropping the future has no effect on the channel.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    /// use loop_sync::oneshot;
    ///
    /// let lp = Loop::new();
    /// let (mut tx, rx) = oneshot::channel::<u8>();
    /// let task = lp.add_task(async move { tx.closed().await });
    /// drop(rx);
    /// lp.run_task(task).unwrap();
    /// ```
    pub fn closed(&mut self) -> Closed<'_, T> {
        Closed { sender: self }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        // SAFETY: the sender has not left, so the allocation is alive.
        let inner = unsafe { self.inner.as_ref() };
        let state = inner.state.fetch_or(TX_DROPPED, Ordering::AcqRel);
        let waker = if state & RX_WAKER != 0 {
            // SAFETY: we set `TX_DROPPED` (the sender drops once, and never
            // after sending) while `RX_WAKER` was set: the receiver's waker
            // cell is ours now (rule 2).
            unsafe { take_waker(&inner.rx_waker) }
        } else {
            None
        };
        // SAFETY: the sender leaves once, and touches nothing after.
        unsafe { leave(self.inner, TX_GONE, RX_GONE, state) };
        waker.into_iter().for_each(Waker::wake);
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("closed", &self.is_closed())
            .finish()
    }
}

/// The future returned by [`Sender::closed`]; completes once the receiver is
/// dropped or closed.
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
/// use loop_sync::oneshot::{self, Closed};
///
/// let (mut tx, mut rx) = oneshot::channel::<u8>();
/// rx.close();
/// let closed: Closed<'_, u8> = tx.closed();
/// Loop::new().run_task(closed);
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Closed<'a, T> {
    sender: &'a mut Sender<T>,
}

impl<T> Future for Closed<'_, T> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: the borrowed sender has not left: the allocation is alive.
        let inner = unsafe { self.sender.inner.as_ref() };
        if inner.state.load(Ordering::Acquire) & RX_CLOSED != 0 {
            ready!(loop_core::poll_budget(cx));
            return Poll::Ready(());
        }
        // SAFETY: the sender's waker cell and `TX_WAKER` are the sender's
        // side (rule 3), which this future borrows uniquely, and `RX_CLOSED`
        // ends its wait.
        match unsafe { inner.register(&inner.tx_waker, TX_WAKER, RX_CLOSED, cx.waker()) } {
            Some(_) => Poll::Ready(()),
            None => Poll::Pending,
        }
    }
}

impl<T> fmt::Debug for Closed<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Closed")
            .field("closed", &self.sender.is_closed())
            .finish()
    }
}

/// The receiving half of a [`channel()`]: a future that gives the value, or
/// [`RecvError`] if the sender was dropped without sending.
///
/// # Cancellation
///
/// Dropping the receiver closes the channel: the sender's `send` gives its
/// value back, and [`Sender::closed`] completes.
///
/// # Panics
///
/// When polled again after it completed (the value is gone); use
/// [`try_recv`](Receiver::try_recv) to look again.
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
/// use loop_sync::oneshot::{self, RecvError};
///
/// let lp = Loop::new();
/// let (tx, rx) = oneshot::channel::<u8>();
/// drop(tx);
/// assert_eq!(lp.run_task(rx), Err(RecvError));
/// ```
pub struct Receiver<T> {
    /// Alive until this end leaves (rule 4 of the module docs); `None` once
    /// the value or the error was handed out.
    inner: Option<NonNull<Inner<T>>>,
}

// SAFETY: the receiver takes a `T` from the sender's thread; the allocation
// is shared as an `Inner<T>`, which is `Send + Sync` for `T: Send`.
unsafe impl<T: Send> Send for Receiver<T> {}
// SAFETY: `&Receiver` only loads the state word (`Debug`).
unsafe impl<T: Send> Sync for Receiver<T> {}

impl<T> Receiver<T> {
    /// The allocation, if this end has not left.
    fn inner(&self) -> Option<&Inner<T>> {
        // SAFETY: while `self.inner` is `Some` the receiver has not left, so
        // the allocation is alive.
        self.inner.map(|inner| unsafe { &*inner.as_ptr() })
    }
}

impl<T> Receiver<T> {
    /// Hands out what the state `state` (with a bit of `SENDER_DONE` or
    /// `RX_CLOSED`) says, and lets go of the channel.
    fn finish(&mut self, state: usize) -> Result<T, RecvError> {
        let ptr = self.inner.take().expect(ONESHOT_POLLED_AFTER_COMPLETION);
        let out = if state & VALUE != 0 {
            // SAFETY: the receiver has not left, so the allocation is alive;
            // `VALUE` is set, so the value cell is ours (rule 1), and we take
            // it once: `inner` is gone from `self` now.
            let value = unsafe { (*ptr.as_ref().value.get()).take() };
            Ok(value.expect(ONESHOT_VALUE_MISSING))
        } else {
            Err(RecvError)
        };
        // SAFETY: the receiver leaves once (`self.inner` is `None` now), and
        // `state` was loaded after everything but the value was done.
        unsafe { leave(ptr, RX_GONE, TX_GONE, state) };
        out
    }

    /// Takes the value if it has been sent, without waiting.
    ///
    /// Works anywhere, in a plain thread as in a task.
    ///
    /// # Errors
    ///
    /// [`TryRecvError::Empty`] if nothing was sent yet;
    /// [`TryRecvError::Closed`] if nothing ever will be (the sender is gone,
    /// the receiver was closed before a value came, or the value was already
    /// taken).
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::oneshot::{self, TryRecvError};
    ///
    /// let (tx, mut rx) = oneshot::channel();
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// tx.send(3).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(3));
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let Some(inner) = self.inner() else {
            return Err(TryRecvError::Closed);
        };
        let state = inner.state.load(Ordering::Acquire);
        if state & (SENDER_DONE | RX_CLOSED) == 0 {
            return Err(TryRecvError::Empty);
        }
        self.finish(state).map_err(|RecvError| TryRecvError::Closed)
    }

    /// Closes the channel without dropping the receiver: a later `send`
    /// fails and gives its value back, and [`Sender::closed`] completes. A
    /// value sent before the close can still be received.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::oneshot::{self, TryRecvError};
    ///
    /// let (tx, mut rx) = oneshot::channel();
    /// rx.close();
    /// assert_eq!(tx.send(1), Err(1));
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    /// ```
    pub fn close(&mut self) {
        if let Some(inner) = self.inner() {
            close(inner);
        }
    }
}

/// Sets `RX_CLOSED` and wakes the sender's `closed()` if it waits.
fn close<T>(inner: &Inner<T>) {
    if inner.state.load(Ordering::Acquire) & (RX_CLOSED | SENDER_DONE) != 0 {
        // Closed already, or the sender is gone: nobody can send or wait for
        // the close any more, and a value already sent stays receivable.
        return;
    }
    let state = inner.state.fetch_or(RX_CLOSED, Ordering::AcqRel);
    if state & RX_CLOSED == 0 && state & TX_WAKER != 0 {
        // SAFETY: we set `RX_CLOSED` while `TX_WAKER` was set: the sender's
        // waker cell is ours now (rule 3).
        let waker = unsafe { take_waker(&inner.tx_waker) };
        waker.into_iter().for_each(Waker::wake);
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T, RecvError>> {
        let inner = self.inner().expect(ONESHOT_POLLED_AFTER_COMPLETION);
        let state = inner.state.load(Ordering::Acquire);
        if state & (SENDER_DONE | RX_CLOSED) != 0 {
            ready!(loop_core::poll_budget(cx));
            return Poll::Ready(self.finish(state));
        }
        // SAFETY: the receiver's waker cell and `RX_WAKER` are the
        // receiver's side (rule 2), which `&mut self` holds uniquely; the
        // sender's bits end its wait (`RX_CLOSED` is only set by this side,
        // and was clear above).
        match unsafe { inner.register(&inner.rx_waker, RX_WAKER, SENDER_DONE, cx.waker()) } {
            Some(state) => Poll::Ready(self.finish(state)),
            None => Poll::Pending,
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let Some(ptr) = self.inner else {
            return;
        };
        // SAFETY: the receiver has not left, so the allocation is alive.
        let inner = unsafe { ptr.as_ref() };
        close(inner);
        let state = inner.state.load(Ordering::Acquire);
        // SAFETY: the receiver leaves once (it is being dropped), and
        // touches nothing after.
        unsafe { leave(ptr, RX_GONE, TX_GONE, state) };
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self
            .inner()
            .map(|inner| inner.state.load(Ordering::Acquire));
        f.debug_struct("Receiver")
            .field("sent", &state.map(|s| s & VALUE != 0))
            .field("sender_dropped", &state.map(|s| s & TX_DROPPED != 0))
            .field("done", &state.is_none())
            .finish()
    }
}

/// The error a [`Receiver`] gives when the sender was dropped without
/// sending (or the receiver was closed before a value came).
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
/// use loop_sync::oneshot::{self, RecvError};
///
/// let (tx, rx) = oneshot::channel::<()>();
/// drop(tx);
/// let error: RecvError = Loop::new().run_task(rx).unwrap_err();
/// assert_eq!(error.to_string(), "the oneshot sender was dropped without sending");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecvError;

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the oneshot sender was dropped without sending")
    }
}

impl Error for RecvError {}

/// Why [`Receiver::try_recv`] gave no value.
///
/// # Examples
///
/// ```
/// use loop_sync::oneshot::{self, TryRecvError};
///
/// let (tx, mut rx) = oneshot::channel::<u8>();
/// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
/// drop(tx);
/// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryRecvError {
    /// Nothing was sent yet; the sender may still send.
    Empty,
    /// Nothing will ever come: the sender is gone, the channel was closed, or
    /// the value was taken already.
    Closed,
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TryRecvError::Empty => "the oneshot channel is empty",
            TryRecvError::Closed => "the oneshot channel is closed",
        })
    }
}

impl Error for TryRecvError {}
