//! The futures-io `AsyncRead` and `AsyncWrite` traits (as re-exported by
//! `futures_util::io`) for the stream types and references to them, so
//! `AsyncReadExt::read_exact`, `AsyncWriteExt::write_all` and
//! `futures_util::io::copy` work on them.
//!
//! Each method is the socket's `poll_*` form: a read is `poll_recv`, a write
//! `poll_send` (never `SIGPIPE`), flushing does nothing (a socket has no
//! user-space buffer) and closing shuts down the write half, so the peer
//! reads end of stream. The impls for `&T` let one task read while another
//! writes the same stream, and let `copy(&s, &mut &s)` echo a stream into
//! itself.

use std::io::{self, IoSlice, IoSliceMut};
use std::net::Shutdown;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::io::{AsyncRead, AsyncWrite};

use crate::socket::AioSocket;
use crate::tcp::TcpStream;
use crate::unix::UnixStream;

/// The socket under a stream type.
trait Stream {
    fn socket(&self) -> &AioSocket;
}

impl Stream for AioSocket {
    fn socket(&self) -> &AioSocket {
        self
    }
}

impl Stream for TcpStream {
    fn socket(&self) -> &AioSocket {
        self.as_socket()
    }
}

impl Stream for UnixStream {
    fn socket(&self) -> &AioSocket {
        self.as_socket()
    }
}

impl<T: Stream + ?Sized> Stream for &T {
    fn socket(&self) -> &AioSocket {
        (**self).socket()
    }
}

macro_rules! async_io {
    ($($ty:ty),*) => {$(
        impl AsyncRead for $ty {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut [u8],
            ) -> Poll<io::Result<usize>> {
                self.socket().poll_recv(cx, buf)
            }

            fn poll_read_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &mut [IoSliceMut<'_>],
            ) -> Poll<io::Result<usize>> {
                self.socket().poll_recv_vectored(cx, bufs)
            }
        }

        impl AsyncWrite for $ty {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                self.socket().poll_send(cx, buf)
            }

            fn poll_write_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &[IoSlice<'_>],
            ) -> Poll<io::Result<usize>> {
                self.socket().poll_send_vectored(cx, bufs)
            }

            fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                Poll::Ready(Ok(()))
            }

            /// Shuts down the write half. A peer that already reset the
            /// connection leaves nothing to shut down: the kernel's
            /// `ENOTCONN` then means "already closed", and this is `Ok`.
            fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                Poll::Ready(match self.socket().shutdown(Shutdown::Write) {
                    Err(e) if e.kind() == io::ErrorKind::NotConnected => Ok(()),
                    other => other,
                })
            }
        }
    )*};
}

async_io!(
    AioSocket,
    &AioSocket,
    TcpStream,
    &TcpStream,
    UnixStream,
    &UnixStream
);
