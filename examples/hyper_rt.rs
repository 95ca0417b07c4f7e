//! hyper 1.x on goldiloop: the three pieces hyper asks of a runtime, small
//! enough to copy into your program (it has no other home: goldiloop keeps
//! its four dependencies). Used by `hyper_hello`, `hyper_client` and
//! `axum_hello` through `#[path = "hyper_rt.rs"] mod hyper_rt;`.
//!
//! - [`LoopExecutor`] spawns hyper's background tasks on the current loop.
//! - [`LoopTimer`] is hyper's `Timer`, each sleep a `goldiloop::Sleep`.
//! - [`HyperIo`] is hyper's `Read` and `Write` over a `goldiloop::TcpStream`;
//!   reads go straight into hyper's uninitialised buffer (no zeroing, no
//!   copy) through `TcpStream::poll_read_buf`.
#![allow(dead_code)] // each example uses some of it

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use goldiloop::io::{AsyncWrite, ReadBuf};
use goldiloop::net::TcpStream;
use hyper::rt::{ReadBufCursor, Sleep};

/// Spawns each future hyper hands over on the loop running this thread.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct LoopExecutor;

impl<F: Future<Output = ()> + 'static> hyper::rt::Executor<F> for LoopExecutor {
    fn execute(&self, future: F) {
        drop(goldiloop::spawn(future)); // detached: it runs to its end
    }
}

/// hyper's timer: every sleep is a `goldiloop::Sleep` on the current loop.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct LoopTimer;

/// A `goldiloop::Sleep` as hyper's `Sleep` (hyper's trait on goldiloop's
/// type needs a type of ours in between).
struct LoopSleep(goldiloop::Sleep);

impl Future for LoopSleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.0).poll(cx)
    }
}

impl Sleep for LoopSleep {}

impl hyper::rt::Timer for LoopTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Sleep>> {
        Box::pin(LoopSleep(goldiloop::sleep(duration)))
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn Sleep>> {
        Box::pin(LoopSleep(goldiloop::sleep_until(deadline)))
    }

    /// Moves one of our sleeps in place, without a new allocation.
    fn reset(&self, sleep: &mut Pin<Box<dyn Sleep>>, deadline: Instant) {
        match sleep.as_mut().downcast_mut_pin::<LoopSleep>() {
            Some(mut ours) => ours.0.reset(deadline),
            None => *sleep = self.sleep_until(deadline),
        }
    }
}

/// A goldiloop TCP stream as hyper's IO.
#[derive(Debug)]
pub(crate) struct HyperIo(pub TcpStream);

impl hyper::rt::Read for HyperIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        // SAFETY: the `ReadBuf` only writes bytes into the slice, never
        // de-initialises any, and counts as filled only what it wrote.
        let mut unfilled = ReadBuf::uninit(unsafe { buf.as_mut() });
        let n = ready!(self.0.poll_read_buf(cx, &mut unfilled))?;
        // SAFETY: the read initialised the first `n` bytes of the slice.
        unsafe { buf.advance(n) };
        Poll::Ready(Ok(()))
    }
}

impl hyper::rt::Write for HyperIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.0.as_socket().poll_send(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.0.as_socket().poll_send_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(())) // a socket has no user-space buffer
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_close(cx) // shuts the write half down
    }
}
