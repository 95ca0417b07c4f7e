//! `Event`: a flag tasks can wait on, like asyncio's `Event`.
//!
//! The flag and the waiting futures live together behind one `Mutex`.
//! `set()` on a clear event notifies every queued future; a notified future
//! completes even if the event was cleared again before it ran, as in asyncio,
//! because what it waited for (the event being set) did happen.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, ready};

use crate::wait_list::{Entry, WaitEntry, WaitList, WaitQueue, lock, wake_all};

/// A flag that tasks can wait on: [`set`](Event::set) wakes every waiting
/// task, [`clear`](Event::clear) resets it, like asyncio's `Event`.
///
/// Clones share one flag. Waiting on an event that is set completes at once.
///
/// # Examples
///
/// ```
/// use loop_core::{Loop, interrupt};
/// use loop_sync::Event;
///
/// let lp = Loop::new();
/// let ready = Event::new();
/// let waiting = lp.add_task({
///     let ready = ready.clone();
///     async move {
///         ready.wait().await;
///         "started"
///     }
/// });
/// lp.run_task(async {
///     interrupt().await;
///     ready.set();
/// });
/// assert_eq!(lp.run_task(waiting).unwrap(), "started");
/// ```
#[doc(alias = "ManualResetEvent")]
#[doc(alias = "Notify")]
#[derive(Clone, Default)]
pub struct Event {
    inner: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    set: bool,
    waiters: WaitList<()>,
}

impl WaitQueue for Mutex<State> {
    type State = State;
    type Value = ();

    fn state(&self) -> &Mutex<State> {
        self
    }

    fn waiters(state: &mut State) -> &mut WaitList<()> {
        &mut state.waiters
    }
}

impl Event {
    /// A new event, clear.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::Event;
    ///
    /// assert!(!Event::new().is_set());
    /// ```
    pub fn new() -> Event {
        Event::default()
    }

    /// Sets the flag and wakes every task waiting for it.
    ///
    /// # Panics
    ///
    /// If a waiting task's waker panics (foreign code: an executor's, or a
    /// hand-written one). Every other waiting task is still woken and the
    /// event is left set, with every waiter notified; then the first such
    /// panic is resumed here.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::Event;
    ///
    /// let event = Event::new();
    /// event.set();
    /// assert!(event.is_set());
    /// ```
    pub fn set(&self) {
        let mut wakers = Vec::new();
        {
            let mut state = lock(&self.inner);
            if state.set {
                return;
            }
            state.set = true;
            state.waiters.notify_all(&mut wakers);
        }
        wake_all(wakers);
    }

    /// Clears the flag: tasks that wait from now on wait for the next `set`.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::Event;
    ///
    /// let event = Event::new();
    /// event.set();
    /// event.clear();
    /// assert!(!event.is_set());
    /// ```
    pub fn clear(&self) {
        lock(&self.inner).set = false;
    }

    /// True if the flag is set.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::Event;
    ///
    /// let event = Event::new();
    /// assert!(!event.is_set());
    /// event.clone().set();
    /// assert!(event.is_set());
    /// ```
    pub fn is_set(&self) -> bool {
        lock(&self.inner).set
    }

    /// A future that completes once the flag is set (at once if it is set now).
    ///
    /// # Cancellation
    ///
    /// Dropping the future removes it from the event; nothing else changes.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    /// use loop_sync::Event;
    ///
    /// let event = Event::new();
    /// event.set();
    /// Loop::new().run_task(event.wait());
    /// ```
    pub fn wait(&self) -> EventWait {
        EventWait {
            entry: WaitEntry::new(self.inner.clone()),
        }
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = lock(&self.inner);
        f.debug_struct("Event")
            .field("set", &state.set)
            .field("waiting", &state.waiters.len())
            .finish()
    }
}

/// The future returned by [`Event::wait`].
///
/// It holds a clone of the event, so it is `'static` and can be spawned.
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
/// use loop_sync::{Event, EventWait};
///
/// let lp = Loop::new();
/// let event = Event::new();
/// let wait: EventWait = event.wait();
/// let task = lp.add_task(wait);
/// event.set();
/// lp.run_task(task).unwrap();
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct EventWait {
    entry: WaitEntry<Arc<Mutex<State>>>,
}

impl Future for EventWait {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut locked = self.entry.lock();
        match locked.poll(cx.waker()) {
            Entry::Unqueued if locked.set => {
                // Ready without waiting: the case the cooperative budget is
                // for (a wait that was woken has waited, and pays nothing).
                drop(locked);
                ready!(loop_core::poll_budget(cx));
                Poll::Ready(())
            }
            Entry::Unqueued => {
                locked.push(cx.waker(), None);
                Poll::Pending
            }
            Entry::Notified => Poll::Ready(()),
            Entry::Waiting => Poll::Pending,
        }
    }
}

impl fmt::Debug for EventWait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventWait")
            .field("queued", &self.entry.is_queued())
            .finish()
    }
}
