//! Helpers shared by the tests: a waker that counts its wakes, a future that
//! counts its polls, and a gate future opened by hand.

// Each test file uses only some of these.
#![allow(dead_code)]

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};

pub(crate) use test_support::CountingWaker;

/// Wraps an `Unpin` future and counts its polls in a shared counter.
#[derive(Debug)]
pub(crate) struct Counted<F> {
    pub(crate) inner: F,
    pub(crate) polls: Arc<AtomicUsize>,
}

impl<F: Future + Unpin> Future for Counted<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.polls.fetch_add(1, Ordering::SeqCst);
        Pin::new(&mut self.inner).poll(cx)
    }
}

/// What a [`Gate`] has seen.
#[derive(Debug, Default)]
pub(crate) struct GateState {
    pub(crate) polls: usize,
    pub(crate) open: bool,
    pub(crate) waker: Option<Waker>,
    pub(crate) dropped: bool,
}

/// A future that is pending until opened by hand; counts its polls.
#[derive(Debug)]
pub(crate) struct Gate {
    pub(crate) id: usize,
    pub(crate) state: Rc<RefCell<GateState>>,
}

impl Gate {
    pub(crate) fn new(id: usize) -> (Gate, Rc<RefCell<GateState>>) {
        let state = Rc::new(RefCell::new(GateState::default()));
        (
            Gate {
                id,
                state: state.clone(),
            },
            state,
        )
    }
}

/// Opens the gate and wakes the future waiting on it.
pub(crate) fn open(state: &Rc<RefCell<GateState>>) {
    let waker = {
        let mut state = state.borrow_mut();
        state.open = true;
        state.waker.take()
    };
    if let Some(waker) = waker {
        waker.wake();
    }
}

/// Wakes the gate's future without opening it.
pub(crate) fn nudge(state: &Rc<RefCell<GateState>>) {
    let waker = state.borrow().waker.clone();
    if let Some(waker) = waker {
        waker.wake();
    }
}

impl Future for Gate {
    type Output = usize;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        let mut state = self.state.borrow_mut();
        state.polls += 1;
        if state.open {
            Poll::Ready(self.id)
        } else {
            state.waker = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        self.state.borrow_mut().dropped = true;
    }
}

/// Polls `future` once with `waker`.
pub(crate) fn poll_once<F: Future + Unpin>(future: &mut F, waker: &Waker) -> Poll<F::Output> {
    Pin::new(future).poll(&mut Context::from_waker(waker))
}
