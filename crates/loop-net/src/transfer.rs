//! Moving bytes: `recv`/`send`, `recv_from`/`send_to`, and their `poll_*`
//! forms (which the futures-io traits call), all through
//! [`AioSocket::poll_io`]: try the system call, park only on `EAGAIN`.

use std::future::poll_fn;
use std::io::{self, IoSlice, IoSliceMut};
use std::mem;
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::task::{Context, Poll, ready};

use crate::addr;
use crate::reactor::Direction;
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
            // SAFETY: an all-zero msghdr is a valid value (no name, no
            // control data, no buffers).
            let mut msg: libc::msghdr = unsafe { mem::zeroed() };
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
            // SAFETY: an all-zero msghdr is a valid value.
            let mut msg: libc::msghdr = unsafe { mem::zeroed() };
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

    /// Receives one datagram into `buf`; returns its length and sender. A
    /// datagram longer than `buf` is cut to fit.
    ///
    /// # Errors
    ///
    /// `ConnectionRefused` after an ICMP port-unreachable on a connected
    /// socket; `InvalidInput` on a Unix socket.
    ///
    /// # Cancellation
    ///
    /// Dropping the future before it completes receives nothing.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
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
    ) -> Poll<io::Result<(usize, SocketAddr)>> {
        let received = self.poll_io(Direction::Read, cx, || {
            // SAFETY: an all-zero sockaddr_storage is a valid value.
            let mut storage: libc::sockaddr_storage = unsafe { mem::zeroed() };
            let mut len = mem::size_of_val(&storage) as libc::socklen_t;
            // SAFETY: `buf` is valid for writes of its length, `storage`
            // has room for `len` bytes.
            let n = syscall!(recvfrom(
                self.fd.as_raw_fd(),
                buf.as_mut_ptr().cast(),
                buf.len(),
                0,
                (&raw mut storage).cast(),
                &mut len
            ))?;
            Ok((n as usize, storage))
        });
        received.map(|res| res.and_then(|(n, storage)| Ok((n, addr::from_raw(&storage)?))))
    }

    /// Sends one datagram from `buf` to `target`; never raises `SIGPIPE`.
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
    pub async fn send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        poll_fn(|cx| self.poll_send_to(cx, buf, target)).await
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
        target: SocketAddr,
    ) -> Poll<io::Result<usize>> {
        if let Err(e) = self.check_family(&target) {
            return Poll::Ready(Err(e));
        }
        let (raw, len) = addr::to_raw(target);
        self.poll_io(Direction::Write, cx, || {
            // SAFETY: `buf` is valid for reads of its length, `raw` holds
            // `len` bytes of a sockaddr.
            syscall!(sendto(
                self.fd.as_raw_fd(),
                buf.as_ptr().cast(),
                buf.len(),
                libc::MSG_NOSIGNAL,
                (&raw const raw).cast(),
                len
            ))
            .map(|n| n as usize)
        })
    }
}

/// The bytes a vectored call can move at most: the sum of its buffers'
/// lengths (saturating: a short count is all that matters).
fn total_len(lens: impl Iterator<Item = usize>) -> usize {
    lens.fold(0, usize::saturating_add)
}
