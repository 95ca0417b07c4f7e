//! `UnixListener` and `UnixStream`: the typed Unix-domain stream layer over
//! [`AioSocket`], shaped like std's `std::os::unix::net`.

use std::io;
use std::mem::ManuallyDrop;
use std::net::Shutdown;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::net::{SocketAddr, UnixStream as StdUnixStream};
use std::path::Path;

use crate::addr::SockAddr;
use crate::domain::{Domain, Type};
use crate::socket::{AioSocket, max_backlog};
use crate::sys::syscall;
use crate::typed::socket_traits;

/// Calls `f` on a std view of `socket`, a Unix socket: std's address type
/// can only be made by std.
fn with_std<T>(
    socket: &AioSocket,
    f: impl FnOnce(&StdUnixStream) -> io::Result<T>,
) -> io::Result<T> {
    // SAFETY: the fd is open for as long as `socket` is borrowed, which
    // outlasts `view`; `ManuallyDrop` keeps the view from closing it, and
    // `f` gets only a shared reference, so it cannot take ownership.
    let view = ManuallyDrop::new(unsafe { StdUnixStream::from_raw_fd(socket.as_raw_fd()) });
    f(&view)
}

/// A Unix-domain stream socket listening at a path.
///
/// Dropping it does not remove the socket file; remove it yourself to bind
/// the same path again.
///
/// # Examples
///
/// ```
/// use futures_util::io::{AsyncReadExt, AsyncWriteExt};
/// use loop_core::{Loop, spawn};
/// use loop_net::{Reactor, UnixListener, UnixStream};
///
/// let path = std::env::temp_dir().join(format!("loop-net-doc-{}.sock", std::process::id()));
/// let lp = Loop::with_park(Reactor::new()?);
/// lp.run_task(async {
///     let listener = UnixListener::bind(&path)?;
///     let server = spawn(async move {
///         let (mut stream, _) = listener.accept().await?;
///         stream.write_all(b"hi").await
///     });
///     let mut stream = UnixStream::connect(&path).await?;
///     let mut buf = Vec::new();
///     stream.read_to_end(&mut buf).await?;
///     assert_eq!(buf, b"hi");
///     server.await.unwrap()?;
///     Ok::<(), std::io::Error>(())
/// })?;
/// std::fs::remove_file(&path)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct UnixListener {
    socket: AioSocket,
}

impl UnixListener {
    /// Creates a socket file at `path` and listens on it, with the largest
    /// backlog the system allows (`net.core.somaxconn`); never blocks.
    ///
    /// # Panics
    ///
    /// Outside a running loop, or when the loop's park is not a
    /// [`Reactor`](crate::Reactor).
    ///
    /// # Errors
    ///
    /// `AddrInUse` if `path` exists, `NotFound` if its directory does not,
    /// `PermissionDenied`, `InvalidInput` for a path with a NUL byte or
    /// longer than 107 bytes.
    #[track_caller]
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixListener> {
        let addr = SockAddr::unix(path)?;
        let socket = AioSocket::new(Domain::UNIX, Type::STREAM)?;
        socket.bind(addr)?;
        socket.listen(max_backlog())?;
        Ok(UnixListener { socket })
    }

    /// Adopts a listener from std, setting it non-blocking.
    ///
    /// # Panics
    ///
    /// Outside a running loop, or when the loop's park is not a
    /// [`Reactor`](crate::Reactor).
    ///
    /// # Errors
    ///
    /// The kernel's error from `fcntl` or `epoll_ctl`.
    #[track_caller]
    pub fn from_std(listener: std::os::unix::net::UnixListener) -> io::Result<UnixListener> {
        let socket = AioSocket::from_fd(OwnedFd::from(listener))?;
        Ok(UnixListener { socket })
    }

    /// Deregisters the listener from this loop's Reactor and gives back std's
    /// type, still open and still non-blocking: this is how it moves to
    /// another loop, which adopts it with [`from_std`](UnixListener::from_std). Data the
    /// kernel holds for it is kept; the readiness this loop had seen is not
    /// (the new loop tries its first call at once).
    ///
    /// It may be called on any thread (the listener is `Send`): it takes the
    /// fd out of its loop's Reactor wherever it is. The std value then crosses
    /// to the other loop, for instance inside a `Spawner::add_task_with`
    /// closure.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    /// use loop_net::{Reactor, UnixListener};
    ///
    /// let path = std::env::temp_dir().join(format!("loop-net-into-std-{}.sock", std::process::id()));
    /// let lp = Loop::with_park(Reactor::new()?);
    /// let std_listener = lp.run_task(async { Ok::<_, std::io::Error>(UnixListener::bind(&path)?.into_std()) })?;
    /// lp.run_task(async move { UnixListener::from_std(std_listener).map(drop) })?;
    /// std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn into_std(self) -> std::os::unix::net::UnixListener {
        std::os::unix::net::UnixListener::from(std::os::fd::OwnedFd::from(self.socket))
    }

    /// Waits for a connection; returns its stream and the peer's address
    /// (usually unnamed: clients seldom bind).
    ///
    /// # Errors
    ///
    /// As [`AioSocket::accept`]: at the fd limit (`EMFILE`) the error is
    /// returned and the connection stays queued for a later `accept`.
    ///
    /// # Cancellation
    ///
    /// Dropping the future before it completes accepts nothing.
    pub async fn accept(&self) -> io::Result<(UnixStream, SocketAddr)> {
        let (socket, _) = self.socket.accept().await?;
        let peer = with_std(&socket, StdUnixStream::peer_addr)?;
        Ok((UnixStream { socket }, peer))
    }

    /// The address the listener is bound to.
    ///
    /// # Errors
    ///
    /// The kernel's error from `getsockname`.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        with_std(&self.socket, StdUnixStream::local_addr)
    }

    /// The underlying socket.
    pub fn as_socket(&self) -> &AioSocket {
        &self.socket
    }

    /// The underlying socket, by value.
    pub fn into_inner(self) -> AioSocket {
        self.socket
    }
}

/// A Unix-domain stream connection.
///
/// Read and write it with its `&self` methods, or with the futures-io
/// traits, implemented for `UnixStream` and `&UnixStream`.
///
/// # Examples
///
/// ```
/// use futures_util::io::{AsyncReadExt, AsyncWriteExt};
/// use loop_core::Loop;
/// use loop_net::{Reactor, UnixStream};
///
/// let lp = Loop::with_park(Reactor::new()?);
/// lp.run_task(async {
///     let (mut a, mut b) = UnixStream::pair()?;
///     a.write_all(b"ping").await?;
///     let mut buf = [0; 4];
///     b.read_exact(&mut buf).await?;
///     assert_eq!(&buf, b"ping");
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct UnixStream {
    socket: AioSocket,
}

impl UnixStream {
    /// Connects to the listener at `path`.
    ///
    /// # Panics
    ///
    /// Outside a running loop, or when the loop's park is not a
    /// [`Reactor`](crate::Reactor).
    ///
    /// # Errors
    ///
    /// `NotFound` if nothing is at `path`, `ConnectionRefused` if no socket
    /// listens there, `PermissionDenied`, `InvalidInput` for a bad path, and
    /// `WouldBlock` when the listener's backlog is full (the kernel does not
    /// queue the attempt; try again later).
    pub async fn connect(path: impl AsRef<Path>) -> io::Result<UnixStream> {
        let addr = SockAddr::unix(path)?;
        let socket = AioSocket::new(Domain::UNIX, Type::STREAM)?;
        socket.connect(addr).await?;
        Ok(UnixStream { socket })
    }

    /// Two streams connected to each other (`socketpair`).
    ///
    /// # Panics
    ///
    /// Outside a running loop, or when the loop's park is not a
    /// [`Reactor`](crate::Reactor).
    ///
    /// # Errors
    ///
    /// The kernel's error from `socketpair`, e.g. `EMFILE`.
    #[track_caller]
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let mut fds = [0; 2];
        // SAFETY: `fds` has room for the two fds the kernel writes.
        syscall!(socketpair(
            libc::AF_UNIX,
            libc::SOCK_STREAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            0,
            fds.as_mut_ptr()
        ))?;
        // SAFETY: socketpair just returned these fds and nothing else owns them.
        let (a, b) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        let a = AioSocket::from_fd(a)?;
        let b = AioSocket::from_fd(b)?;
        Ok((UnixStream { socket: a }, UnixStream { socket: b }))
    }

    /// Adopts a connected stream from std, setting it non-blocking.
    ///
    /// # Panics
    ///
    /// Outside a running loop, or when the loop's park is not a
    /// [`Reactor`](crate::Reactor).
    ///
    /// # Errors
    ///
    /// The kernel's error from `fcntl` or `epoll_ctl`.
    #[track_caller]
    pub fn from_std(stream: std::os::unix::net::UnixStream) -> io::Result<UnixStream> {
        let socket = AioSocket::from_fd(OwnedFd::from(stream))?;
        Ok(UnixStream { socket })
    }

    /// Deregisters the stream from this loop's Reactor and gives back std's
    /// type, still open and still non-blocking: this is how it moves to
    /// another loop, which adopts it with [`from_std`](UnixStream::from_std). Data the
    /// kernel holds for it is kept; the readiness this loop had seen is not
    /// (the new loop tries its first call at once).
    ///
    /// It may be called on any thread (the stream is `Send`): it takes the
    /// fd out of its loop's Reactor wherever it is. The std value then crosses
    /// to the other loop, for instance inside a `Spawner::add_task_with`
    /// closure.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    /// use loop_net::{Reactor, UnixStream};
    ///
    /// let lp = Loop::with_park(Reactor::new()?);
    /// let (a, b) = lp.run_task(async {
    ///     let (a, b) = UnixStream::pair()?;
    ///     Ok::<_, std::io::Error>((a.into_std(), b.into_std()))
    /// })?;
    /// lp.run_task(async move {
    ///     let (a, b) = (UnixStream::from_std(a)?, UnixStream::from_std(b)?);
    ///     a.write(b"hi").await?;
    ///     let mut buf = [0; 2];
    ///     b.read(&mut buf).await?;
    ///     assert_eq!(&buf, b"hi");
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn into_std(self) -> std::os::unix::net::UnixStream {
        std::os::unix::net::UnixStream::from(std::os::fd::OwnedFd::from(self.socket))
    }

    /// Reads into `buf`; `Ok(0)` is end of stream.
    ///
    /// # Errors
    ///
    /// `ConnectionReset` when the peer closed with data unread.
    ///
    /// # Cancellation
    ///
    /// Dropping the future before it completes reads nothing.
    pub async fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.socket.recv(buf).await
    }

    /// Writes from `buf`; returns how many bytes were written.
    ///
    /// # Errors
    ///
    /// `BrokenPipe` after the peer closed (never a `SIGPIPE`).
    ///
    /// # Cancellation
    ///
    /// Dropping the future before it completes writes nothing.
    pub async fn write(&self, buf: &[u8]) -> io::Result<usize> {
        self.socket.send(buf).await
    }

    /// The address of the peer (unnamed unless it bound one).
    ///
    /// # Errors
    ///
    /// `NotConnected` once the connection is gone.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        with_std(&self.socket, StdUnixStream::peer_addr)
    }

    /// The stream's own address (unnamed unless it bound one).
    ///
    /// # Errors
    ///
    /// The kernel's error from `getsockname`.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        with_std(&self.socket, StdUnixStream::local_addr)
    }

    /// Shuts down the read, write or both halves: after `Shutdown::Write`
    /// the peer reads end of stream.
    ///
    /// # Errors
    ///
    /// `NotConnected` once the connection is gone.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.socket.shutdown(how)
    }

    /// The underlying socket.
    pub fn as_socket(&self) -> &AioSocket {
        &self.socket
    }

    /// The underlying socket, by value.
    pub fn into_inner(self) -> AioSocket {
        self.socket
    }
}

socket_traits!(UnixListener, UnixStream);
