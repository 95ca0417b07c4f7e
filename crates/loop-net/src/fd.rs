//! [`AioFd`]: any pollable fd (a pipe, a tty, an eventfd, a timerfd, an
//! inotify fd, a socketpair end) on the current loop's [`Reactor`].
//!
//! # Design
//!
//! - The fd is made non-blocking and registered once, edge triggered, for
//!   the `AioFd`'s life, like a socket; both directions start ready, so the
//!   first operation is tried at once. Its fields are declared so that the
//!   registration is dropped (deregistered) before the wrapped value closes
//!   the fd.
//! - Every operation goes through [`AioFd::poll_read_with`] /
//!   [`AioFd::poll_write_with`]: wait until the direction is known ready,
//!   spend one unit of the task's cooperative budget, try the operation, and
//!   on `WouldBlock` forget the readiness and wait for the next edge. The
//!   futures-io impls and `read_with`/`write_with` are those polled.
//! - A regular file or a directory is always "ready" to epoll (which refuses
//!   it with `EPERM`): [`AioFd::new`] turns it away with an `InvalidInput`
//!   error that points at `goldiloop::fs`, which runs file I/O on the
//!   blocking pool.
//! - `O_NONBLOCK` belongs to the open file description, which a terminal or
//!   an inherited pipe shares with other processes. So an `AioFd` that had
//!   to set it clears it again when it is dropped or
//!   [`into_inner`](AioFd::into_inner)ed, and leaves the fd as it found it.
//! - Writing to a pipe whose reader is gone fails with `BrokenPipe`: Rust
//!   programs start with `SIGPIPE` ignored (std does it before `main`), so
//!   no signal kills the process. A program that restores `SIGPIPE`'s
//!   default gets the default.

use std::fmt;
use std::future::poll_fn;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_util::io::{AsyncRead, AsyncWrite};
use loop_core::LoopBound;

use crate::messages;
use crate::reactor::Reactor;
use crate::registration::{Direction, Registration};
use crate::socket::{current_reactor, register_with};
use crate::sys::syscall;

/// A pollable fd registered with the current loop's [`Reactor`]: waits for
/// readiness without blocking the loop.
///
/// `T` is anything that owns an fd (`OwnedFd`, `std::io::PipeReader`,
/// `std::process::ChildStdout`, `std::fs::File` opened on a FIFO or a tty,
/// a `UnixStream`...). It implements futures-io's `AsyncRead` and
/// `AsyncWrite` when `T` implements `Read` and `Write` (and so does
/// `&AioFd<T>` when `&T` does, so one task may read while another writes).
/// Like a socket, it belongs to the loop it was created on.
///
/// # Examples
///
/// A pipe, read without blocking the loop:
///
/// ```
/// use std::io::Write;
/// use futures_util::io::AsyncReadExt;
/// use loop_core::Loop;
/// use loop_net::{AioFd, Reactor};
///
/// let lp = Loop::with_park(Reactor::new()?);
/// lp.run_task(async {
///     let (reader, mut writer) = std::io::pipe()?;
///     let mut reader = AioFd::new(reader)?;
///     writer.write_all(b"through the pipe")?;
///     drop(writer);
///     let mut text = String::new();
///     reader.read_to_string(&mut text).await?;
///     assert_eq!(text, "through the pipe");
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[doc(alias = "AsyncFd")]
#[doc(alias = "Async")]
pub struct AioFd<T: AsFd> {
    // Declared before `inner`: deregisters before the fd closes.
    registration: Registration,
    inner: Option<T>,
    /// `AioFd::new` set `O_NONBLOCK`, and clears it again at the end.
    set_nonblocking: bool,
}

impl<T: AsFd> AioFd<T> {
    /// Makes `inner`'s fd non-blocking and registers it with the current
    /// loop's [`Reactor`].
    ///
    /// # Panics
    ///
    /// Outside a running loop, or when the loop's park is not a [`Reactor`].
    ///
    /// # Errors
    ///
    /// - `InvalidInput` for a regular file or a directory, which epoll
    ///   cannot wait on; the message names `goldiloop::fs`, which can.
    /// - The kernel's error from `fcntl` or `epoll_ctl` (e.g. `EPERM` for
    ///   another kind of fd epoll does not support).
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    /// use loop_net::{AioFd, Reactor};
    ///
    /// let lp = Loop::with_park(Reactor::new()?);
    /// lp.run_task(async {
    ///     let file = std::fs::File::open("/etc/hostname").or_else(|_| std::fs::File::open("/"))?;
    ///     let err = AioFd::new(file).unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    ///     assert!(err.to_string().contains("goldiloop::fs"));
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn new(inner: T) -> io::Result<AioFd<T>> {
        reject_files(inner.as_fd().as_raw_fd())?;
        AioFd::new_unchecked(inner)
    }

    /// [`AioFd::new`] without the check for regular files: for fds known
    /// pollable (a pidfd, which some kernels describe as a regular file).
    #[track_caller]
    pub(crate) fn new_unchecked(inner: T) -> io::Result<AioFd<T>> {
        AioFd::with_reactor(current_reactor(), inner)
    }

    fn with_reactor(reactor: LoopBound<Reactor>, inner: T) -> io::Result<AioFd<T>> {
        let fd = inner.as_fd().as_raw_fd();
        // SAFETY: F_GETFL takes no argument; `fd` is open (borrowed from `inner`).
        let flags = syscall!(fcntl(fd, libc::F_GETFL))?;
        let set_nonblocking = flags & libc::O_NONBLOCK == 0;
        if set_nonblocking {
            // SAFETY: F_SETFL takes an int of flags; `fd` is open.
            syscall!(fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK))?;
        }
        // SAFETY: the `AioFd` owns `inner`, which owns the fd, and declares
        // `registration` before it, so the registration is dropped before
        // the fd can close (`into_inner` drops it first too).
        let registration = match unsafe { register_with(reactor, inner.as_fd()) } {
            Ok(registration) => registration,
            Err(err) => {
                if set_nonblocking {
                    restore_blocking(fd);
                }
                return Err(err);
            }
        };
        registration.assume_ready();
        Ok(AioFd {
            registration,
            inner: Some(inner),
            set_nonblocking,
        })
    }

    /// The wrapped value.
    pub fn get_ref(&self) -> &T {
        self.inner.as_ref().expect(messages::AIOFD_EMPTY)
    }

    /// The wrapped value, mutably. Do not replace its fd: the registration
    /// is for the one it had.
    pub fn get_mut(&mut self) -> &mut T {
        self.inner.as_mut().expect(messages::AIOFD_EMPTY)
    }

    /// Deregisters the fd and gives the wrapped value back, blocking again
    /// if `AioFd::new` made it non-blocking.
    pub fn into_inner(mut self) -> T {
        self.release()
    }

    fn release(&mut self) -> T {
        let inner = self.inner.take().expect(messages::AIOFD_EMPTY);
        if self.set_nonblocking {
            restore_blocking(inner.as_fd().as_raw_fd());
            self.set_nonblocking = false;
        }
        inner
    }

    /// Waits until the Reactor reports the fd readable (or hung up, or in
    /// error). A new `AioFd` counts as readable until an operation through
    /// [`read_with`](AioFd::read_with) (or the `AsyncRead` impl) meets
    /// `WouldBlock`.
    ///
    /// # Cancellation
    ///
    /// Dropping the future only stops waiting.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    /// use loop_net::{AioFd, Reactor};
    ///
    /// let lp = Loop::with_park(Reactor::new()?);
    /// lp.run_task(async {
    ///     let (reader, _writer) = std::io::pipe()?;
    ///     let reader = AioFd::new(reader)?;
    ///     reader.readable().await; // a new AioFd is tried at once
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn readable(&self) {
        poll_fn(|cx| self.registration.poll_ready(Direction::Read, cx)).await
    }

    /// Waits until the Reactor reports the fd writable (or in error); see
    /// [`readable`](AioFd::readable).
    pub async fn writable(&self) {
        poll_fn(|cx| self.registration.poll_ready(Direction::Write, cx)).await
    }

    /// Runs `op` (a non-blocking read of the fd) until it does not fail with
    /// `WouldBlock`, waiting for readability between tries.
    ///
    /// # Errors
    ///
    /// Whatever `op` returns other than `WouldBlock`.
    ///
    /// # Cancellation
    ///
    /// Dropping the future between tries does nothing more: `op` is only
    /// called while the future is polled.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// use loop_core::Loop;
    /// use loop_net::{AioFd, Reactor};
    ///
    /// let lp = Loop::with_park(Reactor::new()?);
    /// lp.run_task(async {
    ///     let (reader, mut writer) = std::io::pipe()?;
    ///     let reader = AioFd::new(reader)?;
    ///     writer.write_all(b"hi")?;
    ///     let mut buf = [0; 8];
    ///     let n = reader.read_with(|mut r| r.read(&mut buf)).await?;
    ///     assert_eq!(&buf[..n], b"hi");
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn read_with<R>(&self, mut op: impl FnMut(&T) -> io::Result<R>) -> io::Result<R> {
        poll_fn(|cx| self.poll_read_with(cx, &mut op)).await
    }

    /// Runs `op` (a non-blocking write to the fd) until it does not fail
    /// with `WouldBlock`, waiting for writability between tries; see
    /// [`read_with`](AioFd::read_with).
    ///
    /// # Errors
    ///
    /// Whatever `op` returns other than `WouldBlock`.
    pub async fn write_with<R>(&self, mut op: impl FnMut(&T) -> io::Result<R>) -> io::Result<R> {
        poll_fn(|cx| self.poll_write_with(cx, &mut op)).await
    }

    /// The poll form of [`read_with`](AioFd::read_with).
    ///
    /// # Errors
    ///
    /// Whatever `op` returns other than `WouldBlock`.
    pub fn poll_read_with<R>(
        &self,
        cx: &mut Context<'_>,
        mut op: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        let inner = self.get_ref();
        self.registration.poll_io(Direction::Read, cx, || op(inner))
    }

    /// The poll form of [`write_with`](AioFd::write_with).
    ///
    /// # Errors
    ///
    /// Whatever `op` returns other than `WouldBlock`.
    pub fn poll_write_with<R>(
        &self,
        cx: &mut Context<'_>,
        mut op: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        let inner = self.get_ref();
        self.registration
            .poll_io(Direction::Write, cx, || op(inner))
    }

    /// [`poll_read_with`](AioFd::poll_read_with) with the value borrowed
    /// mutably, for `T: Read`.
    fn poll_read_mut<R>(
        &mut self,
        cx: &mut Context<'_>,
        mut op: impl FnMut(&mut T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        let inner = self.inner.as_mut().expect(messages::AIOFD_EMPTY);
        self.registration
            .poll_io(Direction::Read, cx, || op(&mut *inner))
    }

    /// [`poll_write_with`](AioFd::poll_write_with) with the value borrowed
    /// mutably, for `T: Write`.
    fn poll_write_mut<R>(
        &mut self,
        cx: &mut Context<'_>,
        mut op: impl FnMut(&mut T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        let inner = self.inner.as_mut().expect(messages::AIOFD_EMPTY);
        self.registration
            .poll_io(Direction::Write, cx, || op(&mut *inner))
    }
}

impl<T: AsFd> AioFd<T> {
    /// The fd's registration, for the reads in `read_buf.rs`.
    pub(crate) fn registration(&self) -> &Registration {
        &self.registration
    }
}

/// `InvalidInput` naming `goldiloop::fs` for a regular file or a directory.
fn reject_files(fd: RawFd) -> io::Result<()> {
    // SAFETY: an all-zero `stat` is a valid value for fstat to overwrite.
    let mut stat: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: `fd` is open and `stat` is valid for writes.
    syscall!(fstat(fd, &mut stat))?;
    let kind = stat.st_mode & libc::S_IFMT;
    if kind == libc::S_IFREG || kind == libc::S_IFDIR {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            messages::REGULAR_FILE,
        ));
    }
    Ok(())
}

/// Clears `O_NONBLOCK` on `fd` again; an error (the fd is gone) is ignored:
/// there is nothing left to restore.
fn restore_blocking(fd: RawFd) {
    // SAFETY: F_GETFL takes no argument; a closed `fd` is reported as EBADF.
    if let Ok(flags) = syscall!(fcntl(fd, libc::F_GETFL)) {
        // SAFETY: F_SETFL takes an int of flags.
        let _ = syscall!(fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK));
    }
}

impl<T: AsFd> Drop for AioFd<T> {
    fn drop(&mut self) {
        if self.inner.is_some() && self.set_nonblocking {
            restore_blocking(self.get_ref().as_fd().as_raw_fd());
        }
    }
}

impl<T: AsFd> AsFd for AioFd<T> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.get_ref().as_fd()
    }
}

impl<T: AsFd> AsRawFd for AioFd<T> {
    fn as_raw_fd(&self) -> RawFd {
        self.get_ref().as_fd().as_raw_fd()
    }
}

impl<T: AsFd + fmt::Debug> fmt::Debug for AioFd<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AioFd")
            .field("inner", &self.inner)
            .field("registration", &self.registration)
            .finish()
    }
}

impl<T: AsFd + Read + Unpin> AsyncRead for AioFd<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let len = buf.len();
        let this = self.get_mut();
        let n = ready!(this.poll_read_mut(cx, |inner| inner.read(buf)))?;
        note_short(&this.registration, Direction::Read, n, len);
        Poll::Ready(Ok(n))
    }
}

impl<T: AsFd + Write + Unpin> AsyncWrite for AioFd<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let len = buf.len();
        let this = self.get_mut();
        let n = ready!(this.poll_write_mut(cx, |inner| inner.write(buf)))?;
        note_short(&this.registration, Direction::Write, n, len);
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().poll_write_mut(cx, |inner| inner.flush())
    }

    /// Flushes; the fd itself closes when the `AioFd` is dropped.
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_flush(cx)
    }
}

impl<T: AsFd> AsyncRead for &AioFd<T>
where
    for<'a> &'a T: Read,
{
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let len = buf.len();
        let n = ready!(self.poll_read_with(cx, |mut inner| inner.read(buf)))?;
        note_short(&self.registration, Direction::Read, n, len);
        Poll::Ready(Ok(n))
    }
}

impl<T: AsFd> AsyncWrite for &AioFd<T>
where
    for<'a> &'a T: Write,
{
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let len = buf.len();
        let n = ready!(self.poll_write_with(cx, |mut inner| inner.write(buf)))?;
        note_short(&self.registration, Direction::Write, n, len);
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_write_with(cx, |mut inner| inner.flush())
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_flush(cx)
    }
}

/// A short read or write on a byte stream (a pipe, a tty) means the kernel
/// is drained or full for now: wait for the next edge instead of trying
/// again and meeting `EAGAIN`.
fn note_short(registration: &Registration, dir: Direction, n: usize, len: usize) {
    if 0 < n && n < len {
        registration.clear_ready_after_short(dir);
    }
}
