//! `channel` and `unbounded`: a multi-producer, single-consumer queue of
//! messages, bounded or not.
//!
//! One `Mutex` guards the whole state: the buffered messages (`queue`, at most
//! `capacity` of them; `usize::MAX` for an unbounded channel, whose senders
//! so never wait), the senders waiting for room, the receiver's waker, the
//! number of live senders and whether the receiver has closed.
//!
//! # Hand-off from waiting senders
//!
//! A sender that finds the buffer full (or other senders already waiting)
//! parks its *value* in its wait-list entry and waits. When the receiver takes
//! a message, it moves the front waiting sender's value into the buffer and
//! notifies that sender, whose future then completes with `Ok`. So:
//!
//! - senders are served in the order they started waiting, and a newcomer
//!   never overtakes them;
//! - a message is in exactly one place at any time (a [`SendFuture`], a wait
//!   entry, or the buffer), so none is lost or duplicated;
//! - a capacity of 0 works too: every send waits until the receiver takes its
//!   value straight from the wait entry (a rendezvous).
//!
//! # Closing
//!
//! The receiver closes by [`Receiver::close`] or by being dropped: sends fail
//! from then on and waiting senders are woken to take their values back as
//! [`SendError`]s, while messages already buffered can still be received. The
//! senders close by all being dropped: `recv` returns what is buffered, then
//! `None`.
//!
//! Wakers are woken and messages dropped only after the lock is released.
//! When the receiver closes, every waiting sender is woken even if one of
//! their wakers panics; that panic then reaches the caller of `close` (see
//! [`Receiver::close`]).

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker, ready};

use crate::blocking::block_on;
use crate::channel_error::{SendError, TrySendError};
pub use crate::channel_receiver::{Receiver, Recv};
use crate::messages;
use crate::wait_list::{Entry, WaitEntry, WaitList, WaitQueue, lock};

/// Creates a bounded channel holding up to `capacity` messages.
///
/// [`Sender::send`] waits while the channel is full; [`Receiver::recv`] waits
/// while it is empty and returns `None` once every sender is gone and the
/// buffer is empty. A capacity of 0 makes every send wait for the receiver to
/// take its message.
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
/// use loop_sync::channel;
///
/// let lp = Loop::new();
/// let (tx, mut rx) = channel(2);
/// let _producer = lp.add_task(async move {
///     for i in 0..5 {
///         tx.send(i).await.unwrap();
///     }
/// });
/// let received = lp.run_task(async move {
///     let mut out = Vec::new();
///     while let Some(i) = rx.recv().await {
///         out.push(i);
///     }
///     out
/// });
/// assert_eq!(received, [0, 1, 2, 3, 4]);
/// ```
#[doc(alias = "mpsc")]
#[doc(alias = "bounded")]
pub fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    with_queue(VecDeque::with_capacity(capacity.min(1024)), capacity)
}

/// Creates a channel with no limit on the messages it holds.
///
/// The same [`Sender`] and [`Receiver`] as [`channel`]'s, but a send never
/// waits and [`Sender::try_send`] never finds the channel full. The messages
/// sit in one ring buffer that grows by doubling when it fills and is reused
/// after that: in a steady state, a message costs no allocation.
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
/// use loop_sync::unbounded;
///
/// let (tx, mut rx) = unbounded();
/// for i in 0..1000 {
///     tx.try_send(i).unwrap();
/// }
/// drop(tx);
/// let sum = Loop::new().run_task(async move {
///     let mut sum = 0;
///     while let Some(i) = rx.recv().await {
///         sum += i;
///     }
///     sum
/// });
/// assert_eq!(sum, 499_500);
/// ```
#[doc(alias = "unbounded_channel")]
pub fn unbounded<T>() -> (Sender<T>, Receiver<T>) {
    with_queue(VecDeque::new(), usize::MAX)
}

fn with_queue<T>(queue: VecDeque<T>, capacity: usize) -> (Sender<T>, Receiver<T>) {
    let chan = Arc::new(Mutex::new(State {
        queue,
        capacity,
        senders: 1,
        closed: false,
        send_waiters: WaitList::new(),
        receiver: None,
    }));
    (Sender { chan: chan.clone() }, Receiver::new(chan))
}

/// What the halves share (behind one `Mutex`; see the module docs).
pub(crate) struct State<T> {
    pub(crate) queue: VecDeque<T>,
    pub(crate) capacity: usize,
    /// Live `Sender`s.
    pub(crate) senders: usize,
    /// The receiver closed or was dropped.
    pub(crate) closed: bool,
    /// Senders waiting for room, each with its value parked in its entry.
    pub(crate) send_waiters: WaitList<T>,
    /// The receiver's waker while it waits for a message.
    pub(crate) receiver: Option<Waker>,
}

impl<T> WaitQueue for Mutex<State<T>> {
    type State = State<T>;
    type Value = T;

    fn state(&self) -> &Mutex<State<T>> {
        self
    }

    fn waiters(state: &mut State<T>) -> &mut WaitList<T> {
        &mut state.send_waiters
    }
}

/// The sending half of a [`channel`]; clone it to send from several tasks.
///
/// The channel stays open for the receiver as long as one sender lives.
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
/// use loop_sync::channel;
///
/// let lp = Loop::new();
/// let (tx, mut rx) = channel(8);
/// for name in ["a", "b"] {
///     let tx = tx.clone();
///     let _task = lp.add_task(async move { tx.send(name).await.unwrap() });
/// }
/// drop(tx);
/// let mut got = lp.run_task(async move {
///     let mut got = Vec::new();
///     while let Some(name) = rx.recv().await {
///         got.push(name);
///     }
///     got
/// });
/// got.sort();
/// assert_eq!(got, ["a", "b"]);
/// ```
pub struct Sender<T> {
    chan: Arc<Mutex<State<T>>>,
}

impl<T> Sender<T> {
    /// Sends `value`, waiting while the channel is full.
    ///
    /// # Errors
    ///
    /// If the receiver has closed or been dropped (before or while waiting),
    /// the value comes back inside the [`SendError`].
    ///
    /// # Cancellation
    ///
    /// Dropping the future before it completes gives up its place in the
    /// queue and drops the value: it is not sent.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    /// use loop_sync::channel;
    ///
    /// let (tx, mut rx) = channel(1);
    /// Loop::new().run_task(async {
    ///     tx.send(1).await.unwrap();
    ///     assert_eq!(rx.recv().await, Some(1));
    /// });
    /// ```
    pub fn send(&self, value: T) -> SendFuture<'_, T> {
        SendFuture {
            entry: WaitEntry::new(&*self.chan),
            value: Some(value),
        }
    }

    /// True once the receiver has closed or been dropped: sends will fail.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::channel;
    ///
    /// let (tx, rx) = channel::<u8>(1);
    /// assert!(!tx.is_closed());
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        lock(&self.chan).closed
    }

    /// Sends `value` if the channel has room now, without waiting.
    ///
    /// # Errors
    ///
    /// [`TrySendError::Full`] if the channel is full or other senders are
    /// already waiting for room (they keep their turn; a capacity-0 channel
    /// is always full for `try_send`), [`TrySendError::Closed`] if the
    /// receiver has closed or been dropped; both give the value back.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::{TrySendError, channel};
    ///
    /// let (tx, mut rx) = channel(1);
    /// assert_eq!(tx.try_send('a'), Ok(()));
    /// assert_eq!(tx.try_send('b'), Err(TrySendError::Full('b')));
    /// assert_eq!(rx.try_recv(), Ok('a'));
    /// ```
    #[doc(alias = "try_push")]
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        let mut state = lock(&self.chan);
        if state.closed {
            return Err(TrySendError::Closed(value));
        }
        if !state.send_waiters.is_empty() || state.queue.len() >= state.capacity {
            return Err(TrySendError::Full(value));
        }
        state.queue.push_back(value);
        let receiver = state.receiver.take();
        drop(state);
        if let Some(waker) = receiver {
            waker.wake();
        }
        Ok(())
    }

    /// Sends `value` from a plain thread, blocking it while the channel is
    /// full.
    ///
    /// # Errors
    ///
    /// If the receiver has closed or been dropped (before or while waiting),
    /// the value comes back inside the [`SendError`].
    ///
    /// # Panics
    ///
    /// If called inside a goldiloop task (or the future given to
    /// `run_task`), where blocking would stall the loop: await
    /// [`send`](Sender::send) there. Under another executor it cannot tell,
    /// and blocks that executor's thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    /// use loop_sync::channel;
    ///
    /// let (tx, mut rx) = channel(1);
    /// let producer = std::thread::spawn(move || {
    ///     for i in 0..3 {
    ///         tx.blocking_send(i).unwrap();
    ///     }
    /// });
    /// let got = Loop::new().run_task(async move {
    ///     let mut got = Vec::new();
    ///     while let Some(i) = rx.recv().await {
    ///         got.push(i);
    ///     }
    ///     got
    /// });
    /// producer.join().unwrap();
    /// assert_eq!(got, [0, 1, 2]);
    /// ```
    #[track_caller]
    pub fn blocking_send(&self, value: T) -> Result<(), SendError<T>> {
        block_on(self.send(value))
    }

    /// The number of messages in the channel now.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::unbounded;
    ///
    /// let (tx, _rx) = unbounded();
    /// tx.try_send(1).unwrap();
    /// tx.try_send(2).unwrap();
    /// assert_eq!(tx.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        lock(&self.chan).queue.len()
    }

    /// True if the channel holds no message now.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::channel;
    ///
    /// let (tx, _rx) = channel::<u8>(1);
    /// assert!(tx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        lock(&self.chan).queue.is_empty()
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Sender<T> {
        lock(&self.chan).senders += 1;
        Sender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let waker = {
            let mut state = lock(&self.chan);
            state.senders -= 1;
            if state.senders == 0 {
                state.receiver.take()
            } else {
                None
            }
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}

/// The future returned by [`Sender::send`].
///
/// The one exception to the crate's naming rule (a future is named after the
/// function that returns it): `Send` would shadow the [`std::marker::Send`]
/// trait wherever the crate is glob-imported.
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
/// use loop_sync::channel;
///
/// let (tx, _rx) = channel(1);
/// let send: loop_sync::SendFuture<'_, u8> = tx.send(1);
/// assert_eq!(Loop::new().run_task(send), Ok(()));
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct SendFuture<'a, T> {
    /// Our wait entry, holding the message, while we wait for room.
    entry: WaitEntry<&'a Mutex<State<T>>>,
    /// The message, until it goes into the buffer or the wait entry.
    value: Option<T>,
}

// The message is moved around by value and never pinned.
impl<T> Unpin for SendFuture<'_, T> {}

impl<T> Future for SendFuture<'_, T> {
    type Output = Result<(), SendError<T>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        ready!(loop_core::poll_budget(cx));
        let this = &mut *self;
        let mut locked = this.entry.lock();
        match locked.poll(cx.waker()) {
            // The receiver took our value.
            Entry::Notified => return Poll::Ready(Ok(())),
            Entry::Waiting if locked.closed => {
                let value = locked.remove().expect(messages::SENDER_ENTRY_EMPTY);
                return Poll::Ready(Err(SendError(value)));
            }
            Entry::Waiting => return Poll::Pending,
            Entry::Unqueued => {}
        }
        let value = this
            .value
            .take()
            .expect(messages::SEND_POLLED_AFTER_COMPLETION);
        if locked.closed {
            return Poll::Ready(Err(SendError(value)));
        }
        let sent = locked.send_waiters.is_empty() && locked.queue.len() < locked.capacity;
        if sent {
            locked.queue.push_back(value);
        } else {
            locked.push(cx.waker(), Some(value));
        }
        // The receiver may be waiting for this message (with capacity 0, for
        // exactly this waiting sender).
        let receiver = locked.receiver.take();
        drop(locked);
        if let Some(waker) = receiver {
            waker.wake();
        }
        if sent {
            Poll::Ready(Ok(()))
        } else {
            Poll::Pending
        }
    }
}

impl<T> fmt::Debug for SendFuture<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendFuture")
            .field("queued", &self.entry.is_queued())
            .finish_non_exhaustive()
    }
}
