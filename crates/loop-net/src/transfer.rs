//! Moving bytes: `recv`/`send`/`send_all`, `recv_from`/`send_to`, and their `poll_*`
//! forms (which the futures-io traits call), all through
//! [`AioSocket::poll_io`]: try the system call, park only on `EAGAIN`.

use std::future::poll_fn;
use std::io::{self, IoSlice, IoSliceMut};
use std::mem;
use std::os::fd::AsRawFd;
use std::task::{Context, Poll, ready};

use crate::addr::SockAddr;
use crate::registration::Direction;
use crate::socket::AioSocket;
use crate::sys::syscall;

/// Most buffers one `sendmsg`/`recvmsg` takes (Linux's `UIO_MAXIOV`).
const MAX_IOVECS: usize = 1024;

impl AioSocket {
    /// Receives into `buf`; `Ok(0)` is end of stream (or an empty `buf`).
    ///
    /// # Errors
    ///
    /// `ConnectionReset` when the peer reset the connection, `NotConnected`
    /// on a stream socket that is not connected.
    ///
    /// # Cancellation
    ///
    /// Dropping the future before it completes receives nothing.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        poll_fn(|cx| self.poll_recv(cx, buf)).await
    }

    /// Polls to receive into `buf`: the poll form of
    /// [`recv`](AioSocket::recv), which `AsyncRead::poll_read` calls.
    ///
    /// # Errors
    ///
    /// As [`recv`](AioSocket::recv).
    pub fn poll_recv(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let len = buf.len();
        let received = ready!(self.poll_io(Direction::Read, cx, || {
            // SAFETY: `buf` is valid for writes of its length.
            syscall!(recv(
                self.fd.as_raw_fd(),
                buf.as_mut_ptr().cast(),
                buf.len(),
                0
            ))
            .map(|n| n as usize)
        }))?;
        self.note_transferred(Direction::Read, received, len);
        Poll::Ready(Ok(received))
    }

    /// Polls to receive into several buffers at once (`recvmsg`), filling
    /// them in order.
    ///
    /// # Errors
    ///
    /// As [`recv`](AioSocket::recv).
    pub fn poll_recv_vectored(
        &self,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
    ) -> Poll<io::Result<usize>> {
        let len = total_len(bufs.iter().take(MAX_IOVECS).map(|b| b.len()));
        let received = ready!(self.poll_io(Direction::Read, cx, || {
            let mut msg = empty_msghdr();
            msg.msg_iov = bufs.as_mut_ptr().cast();
            msg.msg_iovlen = bufs.len().min(MAX_IOVECS) as _;
            // SAFETY: IoSliceMut is ABI-compatible with iovec on Unix, and
            // each one is valid for writes of its length.
            syscall!(recvmsg(self.fd.as_raw_fd(), &mut msg, 0)).map(|n| n as usize)
        }))?;
        self.note_transferred(Direction::Read, received, len);
        Poll::Ready(Ok(received))
    }

    /// Sends from `buf`, returning how many bytes were sent (maybe fewer than
    /// `buf.len()`); never raises `SIGPIPE`.
    ///
    /// # Errors
    ///
    /// `BrokenPipe` after the peer closed, `ConnectionReset`.
    ///
    /// # Cancellation
    ///
    /// Dropping the future before it completes sends nothing.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        poll_fn(|cx| self.poll_send(cx, buf)).await
    }

    /// Polls to send from `buf`: the poll form of [`send`](AioSocket::send),
    /// which `AsyncWrite::poll_write` calls.
    ///
    /// # Errors
    ///
    /// As [`send`](AioSocket::send).
    pub fn poll_send(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let sent = ready!(self.poll_io(Direction::Write, cx, || {
            // SAFETY: `buf` is valid for reads of its length.
            syscall!(send(
                self.fd.as_raw_fd(),
                buf.as_ptr().cast(),
                buf.len(),
                libc::MSG_NOSIGNAL
            ))
            .map(|n| n as usize)
        }))?;
        self.note_transferred(Direction::Write, sent, buf.len());
        Poll::Ready(Ok(sent))
    }

    /// Polls to send from several buffers at once (`sendmsg`), in order;
    /// never raises `SIGPIPE`.
    ///
    /// # Errors
    ///
    /// As [`send`](AioSocket::send).
    pub fn poll_send_vectored(
        &self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let len = total_len(bufs.iter().take(MAX_IOVECS).map(|b| b.len()));
        let sent = ready!(self.poll_io(Direction::Write, cx, || {
            let mut msg = empty_msghdr();
            // The kernel only reads through `msg_iov` for sendmsg.
            msg.msg_iov = bufs.as_ptr().cast_mut().cast();
            msg.msg_iovlen = bufs.len().min(MAX_IOVECS) as _;
            // SAFETY: IoSlice is ABI-compatible with iovec on Unix, and each
            // one is valid for reads of its length.
            syscall!(sendmsg(self.fd.as_raw_fd(), &msg, libc::MSG_NOSIGNAL)).map(|n| n as usize)
        }))?;
        self.note_transferred(Direction::Write, sent, len);
        Poll::Ready(Ok(sent))
    }

    /// Sends all of `buf`, calling `send` until every byte is sent, as
    /// Python's `socket.sendall` does; never raises `SIGPIPE`.
    ///
    /// # Errors
    ///
    /// As [`send`](AioSocket::send); `WriteZero` if the kernel accepts no
    /// byte of what is left. After an error, some of `buf` may have been sent.
    ///
    /// # Cancellation
    ///
    /// Dropping the future before it completes may leave part of `buf`
    /// sent: the stream is then cut mid-message.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    /// use loop_net::{Reactor, UnixStream};
    ///
    /// let lp = Loop::with_park(Reactor::new()?);
    /// lp.run_task(async {
    ///     let (a, b) = UnixStream::pair()?;
    ///     let (a, b) = (a.into_inner(), b.into_inner());
    ///     let message = vec![7u8; 1 << 20]; // more than the socket buffers hold
    ///     let reader = loop_core::spawn(async move {
    ///         let mut got = 0;
    ///         let mut buf = [0; 4096];
    ///         while got < 1 << 20 {
    ///             got += b.recv(&mut buf).await?;
    ///         }
    ///         Ok::<_, std::io::Error>(got)
    ///     });
    ///     a.send_all(&message).await?;
    ///     assert_eq!(reader.await.unwrap()?, 1 << 20);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[doc(alias = "sendall")]
    pub async fn send_all(&self, mut buf: &[u8]) -> io::Result<()> {
        while !buf.is_empty() {
            match poll_fn(|cx| self.poll_send(cx, buf)).await? {
                0 => {
                    return Err(io::Error::new(
                        io::ErrorKind::WriteZero,
                        "the socket accepted no more bytes",
                    ));
                }
                n => buf = &buf[n..],
            }
        }
        Ok(())
    }

    /// Receives one datagram into `buf`; returns its length and sender (an
    /// address of the socket's family; for a Unix socket, often unnamed). A
    /// datagram longer than `buf` is cut to fit.
    ///
    /// # Errors
    ///
    /// `ConnectionRefused` after an ICMP port-unreachable on a connected
    /// socket.
    ///
    /// # Cancellation
    ///
    /// Dropping the future before it completes receives nothing.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SockAddr)> {
        poll_fn(|cx| self.poll_recv_from(cx, buf)).await
    }

    /// Polls to receive one datagram: the poll form of
    /// [`recv_from`](AioSocket::recv_from).
    ///
    /// # Errors
    ///
    /// As [`recv_from`](AioSocket::recv_from).
    pub fn poll_recv_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<(usize, SockAddr)>> {
        self.poll_io(Direction::Read, cx, || {
            let (n, from) = SockAddr::from_kernel(|addr, len| {
                // SAFETY: `buf` is valid for writes of its length, `addr`
                // has room for `*len` bytes.
                syscall!(recvfrom(
                    self.fd.as_raw_fd(),
                    buf.as_mut_ptr().cast(),
                    buf.len(),
                    0,
                    addr,
                    len
                ))
            })?;
            Ok((n as usize, from))
        })
    }

    /// Sends one datagram from `buf` to `target` (a `std::net::SocketAddr`
    /// converts); never raises `SIGPIPE`.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a datagram too large or an address of another
    /// family, `NetworkUnreachable`, `PermissionDenied` for a broadcast
    /// address without `SO_BROADCAST`.
    ///
    /// # Cancellation
    ///
    /// Dropping the future before it completes sends nothing.
    pub async fn send_to(&self, buf: &[u8], target: impl Into<SockAddr>) -> io::Result<usize> {
        let target = target.into();
        poll_fn(|cx| self.poll_send_to(cx, buf, &target)).await
    }

    /// Polls to send one datagram: the poll form of
    /// [`send_to`](AioSocket::send_to).
    ///
    /// # Errors
    ///
    /// As [`send_to`](AioSocket::send_to).
    pub fn poll_send_to(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
        target: &SockAddr,
    ) -> Poll<io::Result<usize>> {
        if let Err(e) = self.check_family(target) {
            return Poll::Ready(Err(e));
        }
        self.poll_io(Direction::Write, cx, || {
            // SAFETY: `buf` is valid for reads of its length, `target`
            // holds `target.len()` bytes of a sockaddr.
            syscall!(sendto(
                self.fd.as_raw_fd(),
                buf.as_ptr().cast(),
                buf.len(),
                libc::MSG_NOSIGNAL,
                target.as_ptr(),
                target.len()
            ))
            .map(|n| n as usize)
        })
    }
}

/// A `msghdr` with no name, no control data and no buffers.
fn empty_msghdr() -> libc::msghdr {
    // SAFETY: msghdr is pointers and integers, for which all zeroes are
    // valid values (null pointers, zero lengths).
    unsafe { mem::zeroed() }
}

/// The bytes a vectored call can move at most: the sum of its buffers'
/// lengths (saturating: a short count is all that matters).
fn total_len(lens: impl Iterator<Item = usize>) -> usize {
    lens.fold(0, usize::saturating_add)
}
