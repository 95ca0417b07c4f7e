//! `gather` and `try_gather`: run many futures at once, collect their outputs.
//!
//! The talk's `gather` spawns a task per coroutine and awaits a `Waiter`. Here
//! the futures are not spawned: they live inside the `Gather` future, so they
//! may borrow from the caller, and they advance whenever the task awaiting
//! the gather runs.
//!
//! # Layout
//!
//! Each future is boxed once (so it stays pinned while the `Vec` of slots is
//! not) and polled with its own waker from a [`WakeSet`]. A slot goes from
//! `Running` to `Done` (the future is dropped as soon as it completes, so its
//! destructors run then) and the outputs are moved out in input order at the
//! end. A poll of the gather polls every future the first time, and after that
//! only the futures whose wakers fired since the previous poll.

use std::convert::Infallible;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::messages;
use crate::wake_set::{CachedWaker, WakeSet};

/// Runs every future at once and returns their outputs in input order, the
/// talk's `gather`.
///
/// The futures advance concurrently inside the returned future, on whatever
/// executor polls it; nothing is spawned, so they may borrow local data. Each
/// future is polled again only after its own waker fired, so gathering 100 000
/// futures costs O(wake-ups), not O(n) per wake-up. An empty input completes
/// at once with `vec![]`. For a few futures of different types, use
/// [`gather!`](crate::gather!).
///
/// # Examples
///
/// ```
/// use loop_core::{Loop, interrupt};
/// use loop_sync::gather;
///
/// async fn double(x: u32) -> u32 {
///     interrupt().await;
///     2 * x
/// }
///
/// let lp = Loop::new();
/// let out = lp.run_task(gather((1..=3).map(double)));
/// assert_eq!(out, [2, 4, 6]);
/// ```
///
/// The futures may borrow:
///
/// ```
/// use loop_core::Loop;
/// use loop_sync::gather;
///
/// let names = vec![String::from("foo"), String::from("bar")];
/// let lengths = Loop::new().run_task(gather(names.iter().map(|n| async { n.len() })));
/// assert_eq!(lengths, [3, 3]);
/// ```
#[doc(alias = "join_all")]
pub fn gather<I>(futures: I) -> Gather<<I::Item as IntoFuture>::IntoFuture>
where
    I: IntoIterator,
    I::Item: IntoFuture,
{
    Gather {
        set: FutureSet::new(futures),
    }
}

/// Runs every future at once until all succeed or one fails: returns the
/// outputs in input order, or the first error.
///
/// "First" is in time: the first future to complete with an `Err`. The other
/// futures are dropped (their destructors run) before `try_gather` returns it.
///
/// # Errors
///
/// The first `Err` any of the futures completes with.
///
/// # Examples
///
/// ```
/// use loop_core::{Loop, interrupt};
/// use loop_sync::try_gather;
///
/// async fn parse(s: &str) -> Result<u32, std::num::ParseIntError> {
///     interrupt().await;
///     s.parse()
/// }
///
/// let lp = Loop::new();
/// assert_eq!(lp.run_task(try_gather(["1", "2"].map(parse))), Ok(vec![1, 2]));
/// assert!(lp.run_task(try_gather(["1", "x"].map(parse))).is_err());
/// ```
#[doc(alias = "try_join_all")]
pub fn try_gather<I, T, E>(futures: I) -> TryGather<<I::Item as IntoFuture>::IntoFuture>
where
    I: IntoIterator,
    I::Item: IntoFuture<Output = Result<T, E>>,
{
    TryGather {
        set: FutureSet::new(futures),
    }
}

/// The future returned by [`gather`].
///
/// It is `Unpin` whatever the futures are (each one is boxed).
///
/// # Examples
///
/// ```
/// use std::future::{Ready, ready};
/// use loop_core::Loop;
/// use loop_sync::{Gather, gather};
///
/// let all: Gather<Ready<u8>> = gather([ready(1), ready(2)]);
/// assert_eq!(Loop::new().run_task(all), [1, 2]);
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Gather<F: Future> {
    set: FutureSet<F>,
}

impl<F: Future> Future for Gather<F> {
    type Output = Vec<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Vec<F::Output>> {
        let set = &mut self.get_mut().set;
        match set.poll(cx, Ok::<_, Infallible>) {
            Poll::Ready(Ok(())) => Poll::Ready(set.take_outputs().collect()),
            Poll::Ready(Err(never)) => match never {},
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<F: Future> fmt::Debug for Gather<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gather")
            .field("len", &self.set.slots.len())
            .field("running", &self.set.running)
            .finish()
    }
}

/// The future returned by [`try_gather`].
///
/// # Examples
///
/// ```
/// use std::future::{Ready, ready};
/// use loop_core::Loop;
/// use loop_sync::{TryGather, try_gather};
///
/// let all: TryGather<Ready<Result<u8, &str>>> = try_gather([ready(Ok(1)), ready(Err("e"))]);
/// assert_eq!(Loop::new().run_task(all), Err("e"));
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct TryGather<F: Future> {
    set: FutureSet<F>,
}

impl<F, T, E> Future for TryGather<F>
where
    F: Future<Output = Result<T, E>>,
{
    type Output = Result<Vec<T>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<Vec<T>, E>> {
        let set = &mut self.get_mut().set;
        // Keep each `Ok` as it is; stop at the first error.
        let keep = |output: Result<T, E>| match output {
            Ok(value) => Ok(Ok(value)),
            Err(error) => Err(error),
        };
        match set.poll(cx, keep) {
            Poll::Ready(Ok(())) => Poll::Ready(Ok(set
                .take_outputs()
                .map(|output| match output {
                    Ok(value) => value,
                    Err(_) => panic!("{}", messages::TRY_GATHER_KEPT_ERROR),
                })
                .collect())),
            Poll::Ready(Err(error)) => Poll::Ready(Err(error)),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<F: Future> fmt::Debug for TryGather<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TryGather")
            .field("len", &self.set.slots.len())
            .field("running", &self.set.running)
            .finish()
    }
}

/// Where a gathered future is in its life.
enum Slot<F: Future> {
    Running {
        future: Pin<Box<F>>,
        waker: CachedWaker,
    },
    Done(F::Output),
}

/// The engine behind [`Gather`] and [`TryGather`].
struct FutureSet<F: Future> {
    slots: Vec<Slot<F>>,
    wakes: WakeSet,
    /// Futures not completed yet.
    running: usize,
    /// False until the first poll, which polls every future.
    started: bool,
    /// Set once the outputs have been handed out.
    finished: bool,
    /// The indices to poll this time; kept to reuse its buffer.
    batch: Vec<usize>,
}

// The futures are pinned in their boxes; the outputs are moved around by value
// and never pinned. So the set may move even if a future or output is `!Unpin`.
impl<F: Future> Unpin for FutureSet<F> {}

impl<F: Future> FutureSet<F> {
    fn new<I>(futures: I) -> FutureSet<F>
    where
        I: IntoIterator,
        I::Item: IntoFuture<IntoFuture = F>,
    {
        let slots: Vec<Slot<F>> = futures
            .into_iter()
            .map(|future| Slot::Running {
                future: Box::pin(future.into_future()),
                waker: None,
            })
            .collect();
        FutureSet {
            wakes: WakeSet::new(slots.len()),
            running: slots.len(),
            slots,
            started: false,
            finished: false,
            batch: Vec::new(),
        }
    }

    /// Polls the futures due this time, passing each output to `keep`:
    /// `Ok(output)` is kept for `take_outputs`, `Err(stop)` ends the gather
    /// at once with `Ready(Err(stop))` (every other future is dropped
    /// first). `Ready(Ok(()))` once every output has been kept.
    fn poll<S>(
        &mut self,
        cx: &mut Context<'_>,
        mut keep: impl FnMut(F::Output) -> Result<F::Output, S>,
    ) -> Poll<Result<(), S>> {
        assert!(
            !self.finished,
            "{}",
            messages::GATHER_POLLED_AFTER_COMPLETION
        );
        let mut batch = std::mem::take(&mut self.batch);
        self.wakes.begin(cx.waker(), &mut batch);
        let first = if self.started {
            0..0
        } else {
            self.started = true;
            0..self.slots.len()
        };
        for index in first.chain(batch.drain(..)) {
            let Slot::Running { future, waker } = &mut self.slots[index] else {
                // A late wake of a future that has completed.
                continue;
            };
            if let Poll::Ready(output) = self
                .wakes
                .poll_with(index, waker, |cx| future.as_mut().poll(cx))
            {
                self.running -= 1;
                match keep(output) {
                    Ok(output) => self.slots[index] = Slot::Done(output),
                    Err(stop) => {
                        self.finished = true;
                        // Drop every other future before handing out `stop`.
                        self.slots = Vec::new();
                        return Poll::Ready(Err(stop));
                    }
                }
            }
        }
        self.batch = batch;
        if self.running == 0 {
            self.finished = true;
            Poll::Ready(Ok(()))
        } else {
            Poll::Pending
        }
    }

    /// The outputs in input order, once every future is done.
    fn take_outputs(&mut self) -> impl Iterator<Item = F::Output> {
        std::mem::take(&mut self.slots)
            .into_iter()
            .map(|slot| match slot {
                Slot::Done(output) => output,
                Slot::Running { .. } => panic!("{}", messages::GATHER_OUTPUT_MISSING),
            })
    }
}
