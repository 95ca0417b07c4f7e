//! `copy_bidirectional`: two streams joined both ways, as a proxy does.
//!
//! Each direction is a [`OneWay`]: a buffer read from one stream and written
//! to the other, flushed when the reader has nothing more for now, and, once
//! the reader reaches end of file, the writer is flushed and *closed*
//! (`poll_close`, which for a goldiloop socket shuts down its write half), so
//! the peer on that side sees the end of the stream while the other
//! direction goes on.

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_util::io::{AsyncRead, AsyncWrite};
use loop_core::poll_budget;

/// Bytes one direction buffers between a read and its writes.
const BUF_SIZE: usize = 8 * 1024;

/// Copies `a` to `b` and `b` to `a` at the same time, until both have reached
/// end of file; gives the bytes copied each way, `(a to b, b to a)`.
///
/// When one side reaches end of file, the other side's write half is closed
/// (`poll_close`; a goldiloop socket shuts down its write half), so its peer
/// sees the end of the stream too, while the other direction goes on until
/// it ends as well.
///
/// # Errors
///
/// The first error a read, write, flush or close gives, in either direction
/// (`ErrorKind::WriteZero` if a stream accepts no bytes). The bytes copied
/// until then are not reported.
///
/// # Cancellation
///
/// Dropping the future stops both copies; bytes already read from one side
/// and not yet written to the other are lost.
///
/// # Examples
///
/// A proxy in three lines: accept, connect, copy.
///
/// ```
/// use goldiloop::io::{AsyncReadExt, AsyncWriteExt, copy_bidirectional};
/// use goldiloop::net::{TcpListener, TcpStream};
/// use goldiloop::spawn;
///
/// goldiloop::run(async {
///     // An upstream echo server, and the proxy in front of it.
///     let upstream = TcpListener::bind("127.0.0.1:0")?;
///     let upstream_addr = upstream.local_addr()?;
///     let echo = spawn(async move {
///         let (mut conn, _) = upstream.accept().await?;
///         let mut buf = Vec::new();
///         conn.read_to_end(&mut buf).await?;
///         conn.write_all(&buf).await
///     });
///     let proxy = TcpListener::bind("127.0.0.1:0")?;
///     let proxy_addr = proxy.local_addr()?;
///     let proxied = spawn(async move {
///         let (mut client, _) = proxy.accept().await?;
///         let mut server = TcpStream::connect(upstream_addr).await?;
///         copy_bidirectional(&mut client, &mut server).await
///     });
///
///     let mut client = TcpStream::connect(proxy_addr).await?;
///     client.write_all(b"hello").await?;
///     client.close().await?; // end of the request
///     let mut reply = Vec::new();
///     client.read_to_end(&mut reply).await?;
///     assert_eq!(reply, b"hello");
///     assert_eq!(proxied.await.unwrap()?, (5, 5));
///     echo.await.unwrap()?;
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[doc(alias = "proxy")]
#[doc(alias = "splice")]
pub fn copy_bidirectional<'a, A, B>(a: &'a mut A, b: &'a mut B) -> CopyBidirectional<'a, A, B>
where
    A: AsyncRead + AsyncWrite + Unpin + ?Sized,
    B: AsyncRead + AsyncWrite + Unpin + ?Sized,
{
    CopyBidirectional {
        a,
        b,
        a_to_b: OneWay::new(),
        b_to_a: OneWay::new(),
    }
}

/// The future of [`copy_bidirectional`].
#[must_use = "futures do nothing unless polled"]
pub struct CopyBidirectional<'a, A: ?Sized, B: ?Sized> {
    a: &'a mut A,
    b: &'a mut B,
    a_to_b: OneWay,
    b_to_a: OneWay,
}

impl<A, B> Future for CopyBidirectional<'_, A, B>
where
    A: AsyncRead + AsyncWrite + Unpin + ?Sized,
    B: AsyncRead + AsyncWrite + Unpin + ?Sized,
{
    type Output = io::Result<(u64, u64)>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let a_to_b = this.a_to_b.poll_copy(cx, &mut *this.a, &mut *this.b)?;
        let b_to_a = this.b_to_a.poll_copy(cx, &mut *this.b, &mut *this.a)?;
        match (a_to_b, b_to_a) {
            (Poll::Ready(a_to_b), Poll::Ready(b_to_a)) => Poll::Ready(Ok((a_to_b, b_to_a))),
            _ => Poll::Pending,
        }
    }
}

impl<A: ?Sized, B: ?Sized> fmt::Debug for CopyBidirectional<'_, A, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CopyBidirectional")
            .field("a_to_b", &self.a_to_b)
            .field("b_to_a", &self.b_to_a)
            .finish_non_exhaustive()
    }
}

/// One direction of the copy.
struct OneWay {
    buf: Box<[u8]>,
    /// `buf[start..end]` was read and is not written yet.
    start: usize,
    end: usize,
    copied: u64,
    /// Bytes were written since the last flush.
    unflushed: bool,
    stage: Stage,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Copying,
    /// The reader reached end of file: flush and close the writer.
    Closing,
    Done,
}

impl OneWay {
    fn new() -> OneWay {
        OneWay {
            buf: vec![0; BUF_SIZE].into_boxed_slice(),
            start: 0,
            end: 0,
            copied: 0,
            unflushed: false,
            stage: Stage::Copying,
        }
    }

    /// Moves bytes from `reader` to `writer` until the reader has none ready
    /// (`Pending`) or has ended and the writer is closed (`Ready(copied)`).
    fn poll_copy<R, W>(
        &mut self,
        cx: &mut Context<'_>,
        reader: &mut R,
        writer: &mut W,
    ) -> Poll<io::Result<u64>>
    where
        R: AsyncRead + Unpin + ?Sized,
        W: AsyncWrite + Unpin + ?Sized,
    {
        loop {
            match self.stage {
                Stage::Done => return Poll::Ready(Ok(self.copied)),
                Stage::Closing => {
                    ready!(Pin::new(&mut *writer).poll_close(cx))?;
                    self.stage = Stage::Done;
                }
                Stage::Copying if self.start < self.end => {
                    let chunk = &self.buf[self.start..self.end];
                    let n = ready!(Pin::new(&mut *writer).poll_write(cx, chunk))?;
                    if n == 0 {
                        return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
                    }
                    self.start += n;
                    self.copied += n as u64;
                    self.unflushed = true;
                }
                Stage::Copying => {
                    // Two streams that are always ready must not hold the
                    // loop: every read spends budget, and yields once it is
                    // spent.
                    ready!(poll_budget(cx));
                    match Pin::new(&mut *reader).poll_read(cx, &mut self.buf) {
                        Poll::Ready(Ok(0)) => self.stage = Stage::Closing,
                        Poll::Ready(Ok(n)) => (self.start, self.end) = (0, n),
                        Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                        Poll::Pending => {
                            // Nothing more for now: push out what a buffered
                            // writer holds before waiting.
                            if self.unflushed {
                                ready!(Pin::new(&mut *writer).poll_flush(cx))?;
                                self.unflushed = false;
                            }
                            return Poll::Pending;
                        }
                    }
                }
            }
        }
    }
}

impl fmt::Debug for OneWay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OneWay")
            .field("copied", &self.copied)
            .field("buffered", &(self.end - self.start))
            .field("stage", &self.stage)
            .finish()
    }
}
