//! `broadcast`: every receiver sees every message sent after it subscribed.
//!
//! One `Mutex` guards the whole state: a ring of the last `capacity`
//! messages, the position (a count of messages ever sent) of the oldest one
//! kept, the numbers of live senders and receivers, and the receivers waiting
//! for a message.
//!
//! # Positions
//!
//! Message number `p` (counting from 0, over the channel's whole life) sits
//! at index `p - head` of the ring while `head <= p < head + ring.len()`. A
//! receiver is nothing but the position of the next message it will read, so
//! receivers cost the sender nothing: a send pushes one message and, once
//! the ring holds `capacity`, drops the oldest. A receiver whose position fell
//! behind `head` missed exactly `head - position` messages: it is told so with
//! [`RecvError::Lagged`] and moves on to `head`, the oldest message still
//! kept. Memory is so bounded by `capacity` whatever the receivers do.
//!
//! # Waiting
//!
//! A receiver that has read everything queues in the wait list; a send (or
//! the last sender leaving) notifies every queued receiver. Messages are
//! cloned under the lock, but dropped (when evicted) and wakers woken only
//! after it is released. A receive takes its message (moves its position)
//! only when its future completes, so a cancelled receive loses nothing.

use std::collections::VecDeque;
use std::error::Error;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};

use crate::blocking::block_on;
use crate::messages;
use crate::wait_list::{Entry, WaitEntry, WaitList, WaitQueue, lock, wake_all};

pub use crate::channel_error::SendError;

/// Creates a broadcast channel that keeps the last `capacity` messages.
///
/// Every [`Receiver`] sees every message sent after it was created (by this
/// function, [`Sender::subscribe`] or [`Receiver::resubscribe`]), unless it
/// falls more than `capacity` messages behind: then it is told how many it
/// missed ([`RecvError::Lagged`]) and goes on from the oldest one kept.
///
/// # Panics
///
/// If `capacity` is 0: such a channel could keep no message for anyone.
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
/// use loop_sync::broadcast;
///
/// let lp = Loop::new();
/// let (tx, mut rx1) = broadcast(16);
/// let mut rx2 = tx.subscribe();
/// let first = lp.add_task(async move { rx1.recv().await.unwrap() });
/// let second = lp.add_task(async move { rx2.recv().await.unwrap() });
/// tx.send("hello").unwrap();
/// assert_eq!(lp.run_task(first).unwrap(), "hello");
/// assert_eq!(lp.run_task(second).unwrap(), "hello");
/// ```
#[doc(alias = "pubsub")]
#[doc(alias = "fan_out")]
#[track_caller]
pub fn broadcast<T: Clone>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(capacity > 0, "{}", messages::BROADCAST_CAPACITY_ZERO);
    let shared = Arc::new(Mutex::new(State {
        ring: VecDeque::with_capacity(capacity),
        capacity,
        head: 0,
        senders: 1,
        receivers: 1,
        waiters: WaitList::new(),
    }));
    let receiver = Receiver {
        shared: shared.clone(),
        next: 0,
    };
    (Sender { shared }, receiver)
}

struct State<T> {
    /// The last `capacity` messages sent, oldest first.
    ring: VecDeque<T>,
    capacity: usize,
    /// The position of `ring[0]` (see the module docs).
    head: u64,
    /// Live `Sender`s.
    senders: usize,
    /// Live `Receiver`s.
    receivers: usize,
    /// Receivers that have read everything, waiting for the next message.
    waiters: WaitList<()>,
}

impl<T> State<T> {
    /// The position the next message sent will take.
    fn tail(&self) -> u64 {
        self.head + self.ring.len() as u64
    }

    /// The message at `*next` for a receiver standing there, moving it on.
    fn take(&self, next: &mut u64) -> Result<T, TryRecvError>
    where
        T: Clone,
    {
        if *next < self.head {
            let missed = self.head - *next;
            *next = self.head;
            return Err(TryRecvError::Lagged(missed));
        }
        // `next <= tail`, and `tail - head <= capacity`, a `usize`.
        let index = (*next - self.head) as usize;
        match self.ring.get(index) {
            Some(message) => {
                let message = message.clone();
                *next += 1;
                Ok(message)
            }
            None if self.senders == 0 => Err(TryRecvError::Closed),
            None => Err(TryRecvError::Empty),
        }
    }
}

impl<T> WaitQueue for Mutex<State<T>> {
    type State = State<T>;
    type Value = ();

    fn state(&self) -> &Mutex<State<T>> {
        self
    }

    fn waiters(state: &mut State<T>) -> &mut WaitList<()> {
        &mut state.waiters
    }
}

/// Why [`Receiver::recv`] returned no message.
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
/// use loop_sync::broadcast::{self, RecvError};
///
/// let (tx, mut rx) = broadcast::broadcast(2);
/// for i in 0..5 {
///     tx.send(i).unwrap();
/// }
/// drop(tx);
/// Loop::new().run_task(async move {
///     assert_eq!(rx.recv().await, Err(RecvError::Lagged(3)));
///     assert_eq!(rx.recv().await, Ok(3));
///     assert_eq!(rx.recv().await, Ok(4));
///     assert_eq!(rx.recv().await, Err(RecvError::Closed));
/// });
/// ```
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum RecvError {
    /// Every sender is gone and this receiver has read every message kept.
    Closed,
    /// The receiver fell behind and this many messages were dropped before
    /// it read them; the next receive gives the oldest message still kept.
    Lagged(u64),
}

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecvError::Closed => f.write_str("broadcast channel closed"),
            RecvError::Lagged(n) => write!(f, "broadcast receiver lagged behind by {n} messages"),
        }
    }
}

impl Error for RecvError {}

/// Why [`Receiver::try_recv`] returned no message.
///
/// # Examples
///
/// ```
/// use loop_sync::broadcast::{self, TryRecvError};
///
/// let (tx, mut rx) = broadcast::broadcast::<u8>(4);
/// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
/// drop(tx);
/// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
/// ```
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum TryRecvError {
    /// No message now, but one may still come.
    Empty,
    /// Every sender is gone and this receiver has read every message kept.
    Closed,
    /// The receiver fell behind and missed this many messages (see
    /// [`RecvError::Lagged`]).
    Lagged(u64),
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryRecvError::Empty => f.write_str("broadcast channel empty"),
            TryRecvError::Closed => f.write_str("broadcast channel closed"),
            TryRecvError::Lagged(n) => {
                write!(f, "broadcast receiver lagged behind by {n} messages")
            }
        }
    }
}

impl Error for TryRecvError {}

/// The sending half of a [`broadcast`] channel; clone it to send from
/// several tasks.
///
/// # Examples
///
/// ```
/// use loop_sync::broadcast;
///
/// let (tx, mut rx) = broadcast(4);
/// let tx2 = tx.clone();
/// tx.send(1).unwrap();
/// tx2.send(2).unwrap();
/// assert_eq!(rx.try_recv(), Ok(1));
/// assert_eq!(rx.try_recv(), Ok(2));
/// ```
pub struct Sender<T> {
    shared: Arc<Mutex<State<T>>>,
}

impl<T> Sender<T> {
    /// Sends `value` to every receiver; returns how many there are.
    ///
    /// It never waits: when the channel already keeps `capacity` messages,
    /// the oldest is dropped, and receivers that had not read it will be
    /// told they lagged.
    ///
    /// # Errors
    ///
    /// If there is no receiver, the value is not kept and comes back in the
    /// [`SendError`] (a receiver created later would not see it anyway).
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::broadcast;
    /// use loop_sync::broadcast::SendError;
    ///
    /// let (tx, rx) = broadcast(4);
    /// let rx2 = rx.resubscribe();
    /// assert_eq!(tx.send('a'), Ok(2));
    /// drop((rx, rx2));
    /// assert_eq!(tx.send('b'), Err(SendError('b')));
    /// ```
    pub fn send(&self, value: T) -> Result<usize, SendError<T>> {
        let mut wakers = Vec::new();
        let (receivers, evicted) = {
            let mut state = lock(&self.shared);
            if state.receivers == 0 {
                return Err(SendError(value));
            }
            let evicted = if state.ring.len() == state.capacity {
                state.head += 1;
                state.ring.pop_front()
            } else {
                None
            };
            state.ring.push_back(value);
            if !state.waiters.is_empty() {
                state.waiters.notify_all(&mut wakers);
            }
            (state.receivers, evicted)
        };
        drop(evicted);
        wake_all(wakers);
        Ok(receivers)
    }

    /// A new receiver, which will see every message sent from now on.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::broadcast;
    ///
    /// let (tx, _rx) = broadcast(4);
    /// tx.send(1).unwrap();
    /// let mut late = tx.subscribe();
    /// tx.send(2).unwrap();
    /// assert_eq!(late.try_recv(), Ok(2));
    /// ```
    pub fn subscribe(&self) -> Receiver<T> {
        let mut state = lock(&self.shared);
        state.receivers += 1;
        Receiver {
            shared: self.shared.clone(),
            next: state.tail(),
        }
    }

    /// The number of live receivers.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::broadcast;
    ///
    /// let (tx, rx) = broadcast::<u8>(4);
    /// let _rx2 = tx.subscribe();
    /// assert_eq!(tx.receiver_count(), 2);
    /// drop(rx);
    /// assert_eq!(tx.receiver_count(), 1);
    /// ```
    pub fn receiver_count(&self) -> usize {
        lock(&self.shared).receivers
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Sender<T> {
        lock(&self.shared).senders += 1;
        Sender {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    /// The last sender leaving wakes every waiting receiver, to see
    /// [`RecvError::Closed`]; a panicking waker is handled as in the crate's
    /// other wake batches (every waiter woken, then the panic resumed).
    fn drop(&mut self) {
        let mut wakers = Vec::new();
        {
            let mut state = lock(&self.shared);
            state.senders -= 1;
            if state.senders == 0 {
                state.waiters.notify_all(&mut wakers);
            }
        }
        wake_all(wakers);
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("receivers", &self.receiver_count())
            .finish_non_exhaustive()
    }
}

/// The receiving half of a [`broadcast`] channel.
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
/// use loop_sync::broadcast;
///
/// let (tx, mut rx) = broadcast(4);
/// Loop::new().run_task(async move {
///     tx.send(7).unwrap();
///     assert_eq!(rx.recv().await, Ok(7));
/// });
/// ```
pub struct Receiver<T> {
    shared: Arc<Mutex<State<T>>>,
    /// The position of the next message to read (see the module docs).
    next: u64,
}

impl<T: Clone> Receiver<T> {
    /// Receives the next message, waiting while there is none.
    ///
    /// # Errors
    ///
    /// [`RecvError::Lagged`] if messages this receiver had not read were
    /// dropped to make room (the next call gives the oldest one kept);
    /// [`RecvError::Closed`] once every sender is gone and every message kept
    /// has been read.
    ///
    /// # Cancellation
    ///
    /// Dropping the future loses no message: the receiver moves on only when
    /// the future completes.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    /// use loop_sync::broadcast;
    /// use loop_sync::broadcast::RecvError;
    ///
    /// let (tx, mut rx) = broadcast(4);
    /// Loop::new().run_task(async move {
    ///     tx.send("a").unwrap();
    ///     drop(tx);
    ///     assert_eq!(rx.recv().await, Ok("a"));
    ///     assert_eq!(rx.recv().await, Err(RecvError::Closed));
    /// });
    /// ```
    pub fn recv(&mut self) -> Recv<'_, T> {
        let Receiver { shared, next } = self;
        Recv {
            entry: WaitEntry::new(&**shared),
            next,
        }
    }

    /// Takes the next message if there is one now, without waiting.
    ///
    /// # Errors
    ///
    /// [`TryRecvError::Empty`] if this receiver has read every message and a
    /// sender remains; otherwise as [`recv`](Receiver::recv).
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::broadcast;
    /// use loop_sync::broadcast::TryRecvError;
    ///
    /// let (tx, mut rx) = broadcast(1);
    /// tx.send(1).unwrap();
    /// tx.send(2).unwrap();
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Lagged(1)));
    /// assert_eq!(rx.try_recv(), Ok(2));
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        lock(&self.shared).take(&mut self.next)
    }

    /// Receives the next message on a plain thread, blocking it while there
    /// is none.
    ///
    /// # Errors
    ///
    /// As [`recv`](Receiver::recv).
    ///
    /// # Panics
    ///
    /// If called inside a goldiloop task (or the future given to
    /// `run_task`), where blocking would stall the loop: await
    /// [`recv`](Receiver::recv) there.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::broadcast;
    ///
    /// let (tx, mut rx) = broadcast(4);
    /// let listener = std::thread::spawn(move || rx.blocking_recv());
    /// tx.send(3).unwrap();
    /// assert_eq!(listener.join().unwrap(), Ok(3));
    /// ```
    #[track_caller]
    pub fn blocking_recv(&mut self) -> Result<T, RecvError> {
        block_on(self.recv())
    }
}

impl<T> Receiver<T> {
    /// A new receiver of the same channel, which will see every message sent
    /// from now on (not the ones this receiver has yet to read).
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::broadcast;
    ///
    /// let (tx, rx) = broadcast(4);
    /// tx.send(1).unwrap();
    /// let mut other = rx.resubscribe();
    /// tx.send(2).unwrap();
    /// assert_eq!(other.try_recv(), Ok(2));
    /// ```
    pub fn resubscribe(&self) -> Receiver<T> {
        let mut state = lock(&self.shared);
        state.receivers += 1;
        Receiver {
            shared: self.shared.clone(),
            next: state.tail(),
        }
    }

    /// The number of messages kept that this receiver has not read yet.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::broadcast;
    ///
    /// let (tx, rx) = broadcast(2);
    /// for i in 0..3 {
    ///     tx.send(i).unwrap();
    /// }
    /// assert_eq!(rx.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        let state = lock(&self.shared);
        // At most `capacity`, a `usize`.
        (state.tail() - self.next.max(state.head)) as usize
    }

    /// True if this receiver has read every message kept.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::broadcast;
    ///
    /// let (_tx, rx) = broadcast::<u8>(2);
    /// assert!(rx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        lock(&self.shared).receivers -= 1;
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("unread", &self.len())
            .finish_non_exhaustive()
    }
}

/// The future returned by [`Receiver::recv`].
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
/// use loop_sync::broadcast;
///
/// let (tx, mut rx) = broadcast(1);
/// tx.send(1u8).unwrap();
/// let recv: broadcast::Recv<'_, u8> = rx.recv();
/// assert_eq!(Loop::new().run_task(recv), Ok(1));
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Recv<'a, T> {
    /// Our place in the wait list while we wait for a message.
    entry: WaitEntry<&'a Mutex<State<T>>>,
    /// The receiver's position, moved only when we complete.
    next: &'a mut u64,
}

impl<T: Clone> Future for Recv<'_, T> {
    type Output = Result<T, RecvError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        ready!(loop_core::poll_budget(cx));
        let Recv { entry, next } = &mut *self;
        let mut locked = entry.lock();
        let waiting = locked.poll(cx.waker()) == Entry::Waiting;
        let result = match locked.take(next) {
            Ok(message) => Ok(message),
            Err(TryRecvError::Lagged(missed)) => Err(RecvError::Lagged(missed)),
            Err(TryRecvError::Closed) => Err(RecvError::Closed),
            Err(TryRecvError::Empty) => {
                if !waiting {
                    locked.push(cx.waker(), None);
                }
                return Poll::Pending;
            }
        };
        locked.remove();
        Poll::Ready(result)
    }
}

impl<T> fmt::Debug for Recv<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recv")
            .field("queued", &self.entry.is_queued())
            .finish_non_exhaustive()
    }
}
