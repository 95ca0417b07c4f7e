//! The receiving half of [`channel`] and [`unbounded`]: it takes messages out
//! of the state the halves share (described in `channel.rs`) and, on taking
//! one, moves the front waiting sender's value in behind it.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker, ready};

use futures_util::stream::Stream;

use crate::blocking::block_on;
use crate::channel::State;
#[cfg(doc)]
use crate::channel::{Sender, channel, unbounded};
#[cfg(doc)]
use crate::channel_error::SendError;
use crate::channel_error::TryRecvError;
use crate::messages;
use crate::wait_list::{lock, wake_all};

/// The receiving half of a [`channel`].
///
/// It is also a [`Stream`] of the messages.
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
/// use loop_sync::channel;
///
/// let (tx, mut rx) = channel(2);
/// Loop::new().run_task(async move {
///     tx.send(1).await.unwrap();
///     tx.send(2).await.unwrap();
///     drop(tx);
///     assert_eq!(rx.recv().await, Some(1));
///     assert_eq!(rx.recv().await, Some(2));
///     assert_eq!(rx.recv().await, None);
/// });
/// ```
pub struct Receiver<T> {
    chan: Arc<Mutex<State<T>>>,
}

impl<T> Receiver<T> {
    pub(crate) fn new(chan: Arc<Mutex<State<T>>>) -> Receiver<T> {
        Receiver { chan }
    }

    /// Receives the next message, waiting while the channel is empty.
    ///
    /// Returns `None` once the channel is empty and either every sender is
    /// gone or the receiver was closed.
    ///
    /// # Cancellation
    ///
    /// Dropping the future loses no message: a message is taken out of the
    /// channel only when the future completes with it.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    /// use loop_sync::channel;
    ///
    /// let (tx, mut rx) = channel(4);
    /// Loop::new().run_task(async move {
    ///     tx.send("a").await.unwrap();
    ///     drop(tx);
    ///     assert_eq!(rx.recv().await, Some("a"));
    ///     assert_eq!(rx.recv().await, None);
    /// });
    /// ```
    pub fn recv(&mut self) -> Recv<'_, T> {
        Recv { receiver: self }
    }

    /// Polls for the next message; the building block of [`recv`](Receiver::recv).
    ///
    /// On `Pending`, the waker of `cx` is woken when a message arrives or the
    /// last sender goes. Each call spends one unit of the task's cooperative
    /// budget ([`loop_core::poll_budget`]), so a receiver that always finds a
    /// message still gives its loop back now and then.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::future::poll_fn;
    /// use loop_core::Loop;
    /// use loop_sync::channel;
    ///
    /// let (tx, mut rx) = channel(1);
    /// Loop::new().run_task(async move {
    ///     tx.send('x').await.unwrap();
    ///     assert_eq!(poll_fn(|cx| rx.poll_recv(cx)).await, Some('x'));
    /// });
    /// ```
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        ready!(loop_core::poll_budget(cx));
        let mut state = lock(&self.chan);
        match take(&mut state) {
            Ok((value, sender)) => {
                drop(state);
                if let Some(waker) = sender {
                    waker.wake();
                }
                Poll::Ready(Some(value))
            }
            Err(TryRecvError::Closed) => Poll::Ready(None),
            Err(TryRecvError::Empty) => {
                match &mut state.receiver {
                    Some(waker) => waker.clone_from(cx.waker()),
                    None => state.receiver = Some(cx.waker().clone()),
                }
                Poll::Pending
            }
        }
    }

    /// Takes the next message if there is one now, without waiting.
    ///
    /// # Errors
    ///
    /// [`TryRecvError::Empty`] if no message is in the channel now;
    /// [`TryRecvError::Closed`] if none is and none will come (every sender
    /// is gone, or the receiver was closed).
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::{TryRecvError, channel};
    ///
    /// let (tx, mut rx) = channel(2);
    /// tx.try_send(1).unwrap();
    /// drop(tx);
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let mut state = lock(&self.chan);
        let (value, sender) = take(&mut state)?;
        drop(state);
        if let Some(waker) = sender {
            waker.wake();
        }
        Ok(value)
    }

    /// Receives the next message on a plain thread, blocking it while the
    /// channel is empty; `None` once it is empty and closed.
    ///
    /// # Panics
    ///
    /// If called inside a goldiloop task (or the future given to
    /// `run_task`), where blocking would stall the loop: await
    /// [`recv`](Receiver::recv) there. Under another executor it cannot
    /// tell, and blocks that executor's thread.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::unbounded;
    ///
    /// let (tx, mut rx) = unbounded();
    /// let consumer = std::thread::spawn(move || {
    ///     let mut got = Vec::new();
    ///     while let Some(i) = rx.blocking_recv() {
    ///         got.push(i);
    ///     }
    ///     got
    /// });
    /// for i in 0..3 {
    ///     tx.try_send(i).unwrap();
    /// }
    /// drop(tx);
    /// assert_eq!(consumer.join().unwrap(), [0, 1, 2]);
    /// ```
    #[track_caller]
    pub fn blocking_recv(&mut self) -> Option<T> {
        block_on(self.recv())
    }

    /// The number of messages in the channel now.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::channel;
    ///
    /// let (tx, rx) = channel(4);
    /// tx.try_send(()).unwrap();
    /// assert_eq!(rx.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        lock(&self.chan).queue.len()
    }

    /// True if the channel holds no message now.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::unbounded;
    ///
    /// let (_tx, rx) = unbounded::<u8>();
    /// assert!(rx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        lock(&self.chan).queue.is_empty()
    }

    /// Closes the channel from the receiving side.
    ///
    /// Sends fail from now on, and senders waiting for room get their values
    /// back in a [`SendError`]; messages already in the channel can still be
    /// received, after which `recv` returns `None`.
    ///
    /// # Panics
    ///
    /// If a waiting sender's waker panics (foreign code: an executor's, or a
    /// hand-written one). The channel is closed first and every other waiting
    /// sender is still woken; then the first such panic is resumed here (or,
    /// when the receiver is dropped during unwinding, left to the panic
    /// hook's report).
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    /// use loop_sync::{SendError, channel};
    ///
    /// let (tx, mut rx) = channel(4);
    /// Loop::new().run_task(async move {
    ///     tx.send(1).await.unwrap();
    ///     rx.close();
    ///     assert_eq!(tx.send(2).await, Err(SendError(2)));
    ///     assert_eq!(rx.recv().await, Some(1));
    ///     assert_eq!(rx.recv().await, None);
    /// });
    /// ```
    pub fn close(&mut self) {
        let mut wakers = Vec::new();
        {
            let mut state = lock(&self.chan);
            state.closed = true;
            state.send_waiters.take_wakers(&mut wakers);
        }
        wake_all(wakers);
    }
}

/// Takes the next message out of the locked state: from the buffer (moving
/// the front waiting sender's value in behind it) or, on a capacity-0
/// channel, straight from a waiting sender. Returns the waker of the sender
/// served, to be woken after the lock is released.
fn take<T>(state: &mut State<T>) -> Result<(T, Option<Waker>), TryRecvError> {
    if let Some(value) = state.queue.pop_front() {
        // Room for one more: the front waiting sender's value moves in.
        let mut sender = None;
        if !state.closed
            && let Some((waker, parked)) = state.send_waiters.notify_front()
        {
            state
                .queue
                .push_back(parked.expect(messages::SENDER_ENTRY_EMPTY));
            sender = waker;
        }
        return Ok((value, sender));
    }
    if !state.closed
        && let Some((waker, parked)) = state.send_waiters.notify_front()
    {
        // A capacity-0 channel: take the value straight from the sender.
        return Ok((parked.expect(messages::SENDER_ENTRY_EMPTY), waker));
    }
    if state.senders == 0 || state.closed {
        Err(TryRecvError::Closed)
    } else {
        Err(TryRecvError::Empty)
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let mut wakers = Vec::new();
        let buffered = {
            let mut state = lock(&self.chan);
            state.closed = true;
            state.send_waiters.take_wakers(&mut wakers);
            std::mem::take(&mut state.queue)
        };
        // The messages are dropped after the lock, and even if a waker panics.
        wake_all(wakers);
        drop(buffered);
    }
}

impl<T> Stream for Receiver<T> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.get_mut().poll_recv(cx)
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = lock(&self.chan);
        f.debug_struct("Receiver")
            .field("buffered", &state.queue.len())
            .field(
                "capacity",
                &(state.capacity != usize::MAX).then_some(state.capacity),
            )
            .field("senders", &state.senders)
            .field("closed", &state.closed)
            .finish()
    }
}

/// The future returned by [`Receiver::recv`].
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
/// use loop_sync::{Recv, channel};
///
/// let (tx, mut rx) = channel::<u8>(1);
/// drop(tx);
/// let recv: Recv<'_, u8> = rx.recv();
/// assert_eq!(Loop::new().run_task(recv), None);
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Recv<'a, T> {
    receiver: &'a mut Receiver<T>,
}

impl<T> Future for Recv<'_, T> {
    type Output = Option<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.receiver.poll_recv(cx)
    }
}

impl<T> fmt::Debug for Recv<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recv").finish_non_exhaustive()
    }
}
