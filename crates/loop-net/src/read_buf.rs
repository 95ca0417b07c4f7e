//! [`ReadBuf`], a buffer that may be partly uninitialised, and the reads that
//! fill one without zeroing it first: `poll_read_buf`/`read_buf` on
//! [`TcpStream`], [`UnixStream`] and [`AioFd`], `poll_recv_buf`/`recv_buf` on
//! [`AioSocket`].
//!
//! # Design
//!
//! A read into `&mut [u8]` needs initialised memory, so a caller with fresh
//! capacity (a `Vec`'s spare room, hyper's read buffer) must zero it first,
//! or read into a buffer of its own and copy. The kernel never reads the
//! buffer it writes, so neither is needed: a `ReadBuf` hands the kernel the
//! part not yet filled as a raw pointer and a length, and counts what it
//! wrote.
//!
//! A `ReadBuf` over `buf: &mut [MaybeUninit<u8>]` keeps two counts, and
//! every method keeps this invariant (each `unsafe` block below cites it as
//! "the invariant"):
//!
//! - `filled <= initialized <= buf.len()`;
//! - `buf[..initialized]` is initialised: written by the kernel, by
//!   [`put_slice`](ReadBuf::put_slice), or initialised before the `ReadBuf`
//!   was made ([`ReadBuf::new`]);
//! - `buf[..filled]` is what was read (or put) so far, in order.
//!
//! Nothing past `initialized` is ever read through a `ReadBuf`, and nothing
//! past `filled` is ever claimed read: a read of `n` bytes moves `filled`
//! by exactly `n`, and `initialized` only up to the new `filled` (unless it
//! was already further).
//!
//! The reads go through [`Registration::poll_io`](crate::Registration) like
//! every other read (the loop check, the cooperative budget, `EAGAIN` parks
//! the task); a short read forgets the direction's readiness as `recv` does.

use std::future::poll_fn;
use std::io;
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, AsRawFd, RawFd};
use std::task::{Context, Poll, ready};

use crate::fd::AioFd;
use crate::messages;
use crate::registration::Direction;
use crate::socket::AioSocket;
use crate::sys::syscall;
use crate::tcp::TcpStream;
use crate::unix::UnixStream;

/// The room a `read_buf` into a full `Vec` reserves first, so that `Ok(0)`
/// always means end of stream.
const MIN_SPARE: usize = 4096;

/// A borrowed byte buffer that may be partly uninitialised, filled from the
/// front by reads that do not zero it first.
///
/// It tracks how much is *filled* (read so far) and how much is
/// *initialised* (safe to hand out as `&[u8]`), with
/// `filled <= initialized <= capacity`. Only [`filled`](ReadBuf::filled)
/// is ever handed out.
///
/// # Examples
///
/// ```
/// use std::mem::MaybeUninit;
/// use futures_util::io::AsyncWriteExt;
/// use loop_core::Loop;
/// use loop_net::{ReadBuf, Reactor, UnixStream};
///
/// let lp = Loop::with_park(Reactor::new()?);
/// lp.run_task(async {
///     let (mut a, b) = UnixStream::pair()?;
///     a.write_all(b"hello").await?;
///     let mut storage = [MaybeUninit::<u8>::uninit(); 64]; // never zeroed
///     let mut buf = ReadBuf::uninit(&mut storage);
///     let n = std::future::poll_fn(|cx| b.poll_read_buf(cx, &mut buf)).await?;
///     assert_eq!(n, 5);
///     assert_eq!(buf.filled(), b"hello");
///     assert_eq!(buf.initialized_len(), 5); // nothing more is claimed
///     assert_eq!(buf.remaining(), 59);
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[doc(alias = "BorrowedBuf")]
pub struct ReadBuf<'a> {
    buf: &'a mut [MaybeUninit<u8>],
    filled: usize,
    initialized: usize,
}

impl<'a> ReadBuf<'a> {
    /// A `ReadBuf` over an initialised buffer: nothing filled, all of it
    /// initialised.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut storage = [0u8; 16];
    /// let buf = loop_net::ReadBuf::new(&mut storage);
    /// assert_eq!((buf.filled().len(), buf.initialized_len(), buf.capacity()), (0, 16, 16));
    /// ```
    pub fn new(buf: &'a mut [u8]) -> ReadBuf<'a> {
        let initialized = buf.len();
        // SAFETY: `u8` and `MaybeUninit<u8>` have the same layout, and the
        // `ReadBuf` only ever writes initialised bytes into the slice (the
        // kernel's, or `put_slice`'s), so `buf` stays initialised when the
        // borrow ends and the caller reads it as `[u8]` again.
        let buf = unsafe { &mut *(buf as *mut [u8] as *mut [MaybeUninit<u8>]) };
        ReadBuf {
            buf,
            filled: 0,
            initialized,
        }
    }

    /// A `ReadBuf` over a buffer of which nothing is known initialised,
    /// such as a `Vec`'s `spare_capacity_mut()`.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut storage = Vec::<u8>::with_capacity(32);
    /// let buf = loop_net::ReadBuf::uninit(storage.spare_capacity_mut());
    /// assert_eq!(buf.initialized_len(), 0);
    /// assert!(buf.capacity() >= 32);
    /// ```
    pub fn uninit(buf: &'a mut [MaybeUninit<u8>]) -> ReadBuf<'a> {
        ReadBuf {
            buf,
            filled: 0,
            initialized: 0,
        }
    }

    /// The length of the whole buffer, filled or not.
    pub fn capacity(&self) -> usize {
        self.buf.len()
    }

    /// The bytes read (or put) so far.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut storage = [0u8; 8];
    /// let mut buf = loop_net::ReadBuf::new(&mut storage);
    /// buf.put_slice(b"abc");
    /// assert_eq!(buf.filled(), b"abc");
    /// ```
    pub fn filled(&self) -> &[u8] {
        // SAFETY: `buf[..filled]` is initialised (the invariant:
        // `filled <= initialized`), and `MaybeUninit<u8>` has `u8`'s layout.
        unsafe { &*(&self.buf[..self.filled] as *const [MaybeUninit<u8>] as *const [u8]) }
    }

    /// The bytes read (or put) so far, mutably.
    pub fn filled_mut(&mut self) -> &mut [u8] {
        // SAFETY: as in `filled`; a `&mut [u8]` can only store initialised
        // bytes, so the invariant holds after the borrow.
        unsafe { &mut *(&mut self.buf[..self.filled] as *mut [MaybeUninit<u8>] as *mut [u8]) }
    }

    /// How many bytes from the front are known initialised (at least
    /// `filled().len()`).
    pub fn initialized_len(&self) -> usize {
        self.initialized
    }

    /// How many more bytes fit: `capacity() - filled().len()`.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.filled
    }

    /// Forgets what was filled (the bytes stay initialised, so the next
    /// reads need not be claimed again).
    pub fn clear(&mut self) {
        self.filled = 0;
    }

    /// Appends `bytes` to what is filled.
    ///
    /// # Panics
    ///
    /// If `bytes` is longer than [`remaining`](ReadBuf::remaining); the
    /// message says so.
    #[track_caller]
    pub fn put_slice(&mut self, bytes: &[u8]) {
        if bytes.len() > self.remaining() {
            panic!(
                "{} ({} bytes given, {} left)",
                messages::READ_BUF_FULL,
                bytes.len(),
                self.remaining()
            );
        }
        let end = self.filled + bytes.len();
        for (slot, &byte) in self.buf[self.filled..end].iter_mut().zip(bytes) {
            slot.write(byte);
        }
        self.filled = end;
        self.initialized = self.initialized.max(end);
    }

    /// Lets `read` write into the part not yet filled, given as a pointer
    /// and its length, and counts the `n` bytes it says it wrote as filled
    /// (and initialised).
    ///
    /// # Safety
    ///
    /// `read` writes only within the `len` bytes from the pointer it is
    /// given, and returns `Ok(n)` only when it has written the first `n`
    /// of them, `n <= len` (as `read(2)` and `recv(2)` do).
    unsafe fn fill_with(
        &mut self,
        read: impl FnOnce(*mut u8, usize) -> io::Result<usize>,
    ) -> io::Result<usize> {
        let unfilled = &mut self.buf[self.filled..];
        let n = read(unfilled.as_mut_ptr().cast(), unfilled.len())?;
        debug_assert!(n <= unfilled.len(), "a read claimed more than its room");
        // The invariant again: `read` initialised `buf[filled..filled + n]`
        // (the caller's promise), so everything up to the new `filled` is
        // initialised.
        self.filled += n;
        self.initialized = self.initialized.max(self.filled);
        Ok(n)
    }
}

impl std::fmt::Debug for ReadBuf<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadBuf")
            .field("filled", &self.filled)
            .field("initialized", &self.initialized)
            .field("capacity", &self.buf.len())
            .finish()
    }
}

/// `recv(2)` on `fd` into `buf`'s unfilled part.
fn recv_into(fd: RawFd, buf: &mut ReadBuf<'_>) -> io::Result<usize> {
    // SAFETY: `ptr` is valid for writes of `len` bytes (`fill_with` passes
    // the unfilled part).
    let recv = |ptr: *mut u8, len| syscall!(recv(fd, ptr.cast(), len, 0)).map(|n| n as usize);
    // SAFETY: `recv` writes at most `len` bytes at `ptr` and returns how
    // many it wrote, as `fill_with` requires.
    unsafe { buf.fill_with(recv) }
}

/// `read(2)` on `fd` into `buf`'s unfilled part.
fn read_into(fd: RawFd, buf: &mut ReadBuf<'_>) -> io::Result<usize> {
    // SAFETY: as in `recv_into`.
    let read = |ptr: *mut u8, len| syscall!(read(fd, ptr.cast(), len)).map(|n| n as usize);
    // SAFETY: as in `recv_into`, for `read`.
    unsafe { buf.fill_with(read) }
}

/// Polls `poll` with a `ReadBuf` over `vec`'s spare capacity (reserving
/// [`MIN_SPARE`] first if there is none), then grows `vec` by what it read.
fn poll_into_vec(
    vec: &mut Vec<u8>,
    poll: impl FnOnce(&mut ReadBuf<'_>) -> Poll<io::Result<usize>>,
) -> Poll<io::Result<usize>> {
    if vec.len() == vec.capacity() {
        vec.reserve(MIN_SPARE);
    }
    let len = vec.len();
    let mut buf = ReadBuf::uninit(vec.spare_capacity_mut());
    ready!(poll(&mut buf))?;
    let n = buf.filled().len();
    // SAFETY: `buf` started empty over `vec[len..capacity]` and its first
    // `n` bytes are filled, hence initialised (the invariant), so
    // `vec[..len + n]` is initialised and within the capacity.
    unsafe { vec.set_len(len + n) };
    Poll::Ready(Ok(n))
}

impl AioSocket {
    /// Polls to receive into `buf`'s unfilled part, without zeroing it
    /// first; on `Ready(Ok(n))` the `n` bytes received are appended to
    /// [`buf.filled()`](ReadBuf::filled). `Ok(0)` is end of stream (or a
    /// full `buf`).
    ///
    /// # Errors
    ///
    /// As [`recv`](AioSocket::recv).
    pub fn poll_recv_buf(
        &self,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<usize>> {
        let len = buf.remaining();
        if len == 0 {
            // The kernel would wait for data it has no room to give.
            return Poll::Ready(Ok(0));
        }
        let fd = self.as_raw_fd();
        let n = ready!(self.poll_io(Direction::Read, cx, || recv_into(fd, buf)))?;
        self.note_transferred(Direction::Read, n, len);
        Poll::Ready(Ok(n))
    }

    /// Receives into `vec`'s spare capacity, without zeroing it first, and
    /// grows `vec` by what was received. A `vec` with no spare capacity
    /// reserves some first, so `Ok(0)` always means end of stream.
    ///
    /// # Errors
    ///
    /// As [`recv`](AioSocket::recv).
    ///
    /// # Cancellation
    ///
    /// Dropping the future before it completes receives nothing; `vec` may
    /// have grown its capacity, never its length.
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
    ///     a.send_all(b"abc").await?;
    ///     drop(a);
    ///     let mut vec = Vec::new(); // no capacity: 4 KiB is reserved
    ///     while b.recv_buf(&mut vec).await? != 0 {}
    ///     assert_eq!(vec, b"abc");
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn recv_buf(&self, vec: &mut Vec<u8>) -> io::Result<usize> {
        poll_fn(|cx| poll_into_vec(vec, |buf| self.poll_recv_buf(cx, buf))).await
    }
}

impl TcpStream {
    /// Polls to read into `buf`'s unfilled part, without zeroing it first;
    /// on `Ready(Ok(n))` the `n` bytes read are appended to
    /// [`buf.filled()`](ReadBuf::filled). `Ok(0)` is end of stream (or a full
    /// `buf`). This is what an adapter to another runtime's read trait over
    /// uninitialised memory (hyper's `rt::Read`) calls.
    ///
    /// # Errors
    ///
    /// As [`read`](TcpStream::read).
    pub fn poll_read_buf(
        &self,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<usize>> {
        self.as_socket().poll_recv_buf(cx, buf)
    }

    /// Reads into `vec`'s spare capacity, without zeroing it first, and
    /// grows `vec` by what was read. A `vec` with no spare capacity reserves
    /// some first, so `Ok(0)` always means end of stream.
    ///
    /// # Errors
    ///
    /// As [`read`](TcpStream::read).
    ///
    /// # Cancellation
    ///
    /// Dropping the future before it completes reads nothing; `vec` may have
    /// grown its capacity, never its length.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_util::io::AsyncWriteExt;
    /// use loop_core::{Loop, spawn};
    /// use loop_net::{Reactor, TcpListener, TcpStream};
    ///
    /// let lp = Loop::with_park(Reactor::new()?);
    /// lp.run_task(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0")?;
    ///     let addr = listener.local_addr()?;
    ///     let server = spawn(async move {
    ///         let (mut stream, _) = listener.accept().await?;
    ///         stream.write_all(b"hello").await
    ///     });
    ///     let stream = TcpStream::connect(addr).await?;
    ///     let mut vec = Vec::with_capacity(1024); // read into, never zeroed
    ///     while stream.read_buf(&mut vec).await? != 0 {}
    ///     assert_eq!(vec, b"hello");
    ///     server.await.unwrap()?;
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn read_buf(&self, vec: &mut Vec<u8>) -> io::Result<usize> {
        self.as_socket().recv_buf(vec).await
    }
}

impl UnixStream {
    /// Polls to read into `buf`'s unfilled part, without zeroing it first;
    /// see [`TcpStream::poll_read_buf`] and the [`ReadBuf`] example.
    ///
    /// # Errors
    ///
    /// As [`read`](UnixStream::read).
    pub fn poll_read_buf(
        &self,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<usize>> {
        self.as_socket().poll_recv_buf(cx, buf)
    }

    /// Reads into `vec`'s spare capacity, without zeroing it first, and
    /// grows `vec` by what was read; see [`TcpStream::read_buf`].
    ///
    /// # Errors
    ///
    /// As [`read`](UnixStream::read).
    ///
    /// # Cancellation
    ///
    /// Dropping the future before it completes reads nothing; `vec` may have
    /// grown its capacity, never its length.
    ///
    /// # Examples
    ///
    /// ```
    /// use futures_util::io::AsyncWriteExt;
    /// use loop_core::Loop;
    /// use loop_net::{Reactor, UnixStream};
    ///
    /// let lp = Loop::with_park(Reactor::new()?);
    /// lp.run_task(async {
    ///     let (mut a, b) = UnixStream::pair()?;
    ///     a.write_all(b"ping").await?;
    ///     let mut vec = b"> ".to_vec();
    ///     assert_eq!(b.read_buf(&mut vec).await?, 4);
    ///     assert_eq!(vec, b"> ping");
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn read_buf(&self, vec: &mut Vec<u8>) -> io::Result<usize> {
        self.as_socket().recv_buf(vec).await
    }
}

impl<T: AsFd> AioFd<T> {
    /// Polls to read the fd (`read(2)`) into `buf`'s unfilled part, without
    /// zeroing it first; on `Ready(Ok(n))` the `n` bytes read are appended
    /// to [`buf.filled()`](ReadBuf::filled). `Ok(0)` is end of file (or a
    /// full `buf`). It reads the fd itself, past any `Read` impl of `T`.
    ///
    /// # Errors
    ///
    /// The kernel's error from `read`, other than `WouldBlock`.
    pub fn poll_read_buf(
        &self,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<usize>> {
        let len = buf.remaining();
        if len == 0 {
            // The kernel would wait for data it has no room to give.
            return Poll::Ready(Ok(0));
        }
        let fd = self.as_raw_fd();
        let registration = self.registration();
        let n = ready!(registration.poll_io(Direction::Read, cx, || read_into(fd, buf)))?;
        if 0 < n && n < len {
            registration.clear_ready_after_short(Direction::Read);
        }
        Poll::Ready(Ok(n))
    }

    /// Reads the fd into `vec`'s spare capacity, without zeroing it first,
    /// and grows `vec` by what was read; see
    /// [`TcpStream::read_buf`](crate::TcpStream::read_buf).
    ///
    /// # Errors
    ///
    /// As [`poll_read_buf`](AioFd::poll_read_buf).
    ///
    /// # Cancellation
    ///
    /// Dropping the future before it completes reads nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::io::Write;
    /// use loop_core::Loop;
    /// use loop_net::{AioFd, Reactor};
    ///
    /// let lp = Loop::with_park(Reactor::new()?);
    /// lp.run_task(async {
    ///     let (reader, mut writer) = std::io::pipe()?;
    ///     let reader = AioFd::new(reader)?;
    ///     writer.write_all(b"piped")?;
    ///     let mut vec = b"got: ".to_vec();
    ///     assert_eq!(reader.read_buf(&mut vec).await?, 5);
    ///     assert_eq!(vec, b"got: piped");
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn read_buf(&self, vec: &mut Vec<u8>) -> io::Result<usize> {
        poll_fn(|cx| poll_into_vec(vec, |buf| self.poll_read_buf(cx, buf))).await
    }
}
