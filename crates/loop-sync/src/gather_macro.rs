//! `gather!`: gather a few futures of different types into a tuple.
//!
//! The macro needs each future pinned in place and polled with its own waker,
//! without `unsafe` (it expands in the caller's crate, which may forbid it).
//! So it binds each future, wrapped in futures-util's `MaybeDone`, to a local
//! of its own: `__gather_bind!` recurses once per future, and each expansion's
//! hygienic `future` is a distinct variable that is passed on by name. The last
//! expansion is an `async move` block that pins the locals with `pin!` and
//! polls them through [`Branches`], which holds the [`WakeSet`] and remembers
//! which branch is due.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::wake_set::{CachedWaker, WakeSet};

/// Runs a few futures of possibly different types at once and returns their
/// outputs as a tuple: `gather!(a, b, c).await` is `(A, B, C)`.
///
/// Like [`gather()`](crate::gather()), the futures advance concurrently inside
/// the returned future, may borrow, and each is polled again only after its
/// own waker fired. The expressions are evaluated in order, where the macro is
/// used; the returned future must be awaited.
///
/// # Examples
///
/// ```
/// use loop_core::{Loop, interrupt};
/// use loop_sync::gather;
///
/// async fn number() -> u32 {
///     interrupt().await;
///     7
/// }
///
/// let lp = Loop::new();
/// let (n, s) = lp.run_task(async { gather!(number(), async { "seven" }).await });
/// assert_eq!((n, s), (7, "seven"));
/// ```
#[doc(alias = "join!")]
#[doc(alias = "join")]
#[macro_export]
macro_rules! gather {
    () => {
        ::core::future::ready(())
    };
    ($($future:expr),+ $(,)?) => {
        $crate::__gather_bind!([] $($future,)+)
    };
}

/// The recursion behind [`gather!`]; not public API.
#[doc(hidden)]
#[macro_export]
macro_rules! __gather_bind {
    ([$($bound:ident)*] $head:expr, $($rest:expr,)*) => {{
        let future = $crate::__private::maybe_done(
            ::core::future::IntoFuture::into_future($head),
        );
        $crate::__gather_bind!([$($bound)* future] $($rest,)*)
    }};
    ([$($bound:ident)+]) => {
        async move {
            $( let mut $bound = ::core::pin::pin!($bound); )+
            let mut branches = $crate::__private::Branches::new([$(stringify!($bound)),+].len());
            $crate::__private::poll_fn(|cx| {
                branches.begin(cx);
                $( branches.poll_branch($bound.as_mut()); )+
                branches.end()
            })
            .await;
            ($(
                $bound
                    .as_mut()
                    .take_output()
                    .expect($crate::__private::GATHER_MACRO_OUTPUT_TAKEN),
            )+)
        }
    };
}

/// The state of a [`gather!`] between polls; not public API.
#[doc(hidden)]
#[derive(Debug)]
pub struct Branches {
    wakes: WakeSet,
    batch: Vec<usize>,
    /// Branch `i` is to be polled at this poll.
    due: Vec<bool>,
    done: Vec<bool>,
    wakers: Vec<CachedWaker>,
    running: usize,
    /// The index of the next `poll_branch` call within this poll.
    cursor: usize,
}

impl Branches {
    /// The state of `len` branches, all due for their first poll.
    pub fn new(len: usize) -> Branches {
        Branches {
            wakes: WakeSet::new(len),
            batch: Vec::new(),
            due: vec![true; len],
            done: vec![false; len],
            wakers: (0..len).map(|_| None).collect(),
            running: len,
            cursor: 0,
        }
    }

    /// Starts a poll: marks the branches woken since the last one as due.
    pub fn begin(&mut self, cx: &mut Context<'_>) {
        self.wakes.begin(cx.waker(), &mut self.batch);
        for index in self.batch.drain(..) {
            self.due[index] = true;
        }
        self.cursor = 0;
    }

    /// Polls the next branch, in order, if it is due.
    pub fn poll_branch<F: Future<Output = ()>>(&mut self, future: Pin<&mut F>) {
        let index = self.cursor;
        self.cursor += 1;
        if !std::mem::replace(&mut self.due[index], false) || self.done[index] {
            return;
        }
        let waker = &mut self.wakers[index];
        if self
            .wakes
            .poll_with(index, waker, |cx| future.poll(cx))
            .is_ready()
        {
            self.done[index] = true;
            self.wakers[index] = None;
            self.running -= 1;
        }
    }

    /// Ends a poll: ready once every branch is done.
    pub fn end(&self) -> Poll<()> {
        if self.running == 0 {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}
