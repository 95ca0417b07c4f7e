//! `TcpListener` and `TcpStream`: the typed TCP layer over [`AioSocket`],
//! shaped like std's.

use std::future::poll_fn;
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::os::fd::OwnedFd;
use std::task::{Context, Poll, ready};

use crate::domain::{Domain, Type};
use crate::resolve::{ToSocketAddrs, each_addr, no_addresses, resolve, resolve_blocking};
use crate::reuseport;
use crate::socket::{AioSocket, max_backlog};
use crate::typed::socket_traits;

/// A TCP socket listening for connections.
///
/// # Examples
///
/// ```
/// use futures_util::io::{AsyncReadExt, AsyncWriteExt};
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
///     let mut stream = TcpStream::connect(addr).await?;
///     let mut buf = Vec::new();
///     stream.read_to_end(&mut buf).await?;
///     assert_eq!(buf, b"hello");
///     server.await.unwrap()?;
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct TcpListener {
    socket: AioSocket,
}

impl TcpListener {
    /// Binds a listener to `addr` and starts listening, like std's
    /// `TcpListener::bind`: it sets `SO_REUSEADDR`, and listens with the
    /// largest backlog the system allows (`net.core.somaxconn`). If `addr`
    /// names several addresses, each is tried in turn. This never waits for
    /// the network, but a host name is looked up on the calling thread, as
    /// std does: pass an IP address on a busy loop.
    ///
    /// # Panics
    ///
    /// Outside a running loop, or when the loop's park is not a
    /// [`Reactor`](crate::Reactor).
    ///
    /// # Errors
    ///
    /// `AddrInUse`, `AddrNotAvailable`, `PermissionDenied` (a port below
    /// 1024), `InvalidInput` for a malformed address or a name that resolves
    /// to nothing: the last address's error.
    #[track_caller]
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<TcpListener> {
        let addrs = resolve_blocking(&addr)?;
        each_addr(addrs, |addr| {
            let socket = AioSocket::new(Domain::for_address(&addr), Type::STREAM)?;
            socket.set_reuseaddr(true)?;
            socket.bind(addr)?;
            socket.listen(max_backlog())?;
            Ok(TcpListener { socket })
        })
    }

    /// Binds a listener to `addr` with `SO_REUSEPORT` (and `SO_REUSEADDR`)
    /// set before `bind`, and starts listening: each loop of a pool binds its
    /// own listener on the same address, and the kernel spreads incoming
    /// connections among them (by a hash of the connection's addresses), so
    /// the loops share nothing. Otherwise as [`bind`](TcpListener::bind).
    ///
    /// # Panics
    ///
    /// Outside a running loop, or when the loop's park is not a
    /// [`Reactor`](crate::Reactor).
    ///
    /// # Errors
    ///
    /// As [`bind`](TcpListener::bind). `AddrInUse` means that the port is held
    /// by a socket that did not set `SO_REUSEPORT` (a plain `bind`, or another
    /// program), or by a process of another user; its message says so.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    /// use loop_net::{Reactor, TcpListener};
    ///
    /// let lp = Loop::with_park(Reactor::new()?);
    /// lp.run_task(async {
    ///     let first = TcpListener::bind_reuseport("127.0.0.1:0")?;
    ///     let addr = first.local_addr()?;
    ///     let second = TcpListener::bind_reuseport(addr)?; // the same port
    ///     assert_eq!(second.local_addr()?, addr);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[doc(alias = "SO_REUSEPORT")]
    #[track_caller]
    pub fn bind_reuseport(addr: impl ToSocketAddrs) -> io::Result<TcpListener> {
        let addrs = resolve_blocking(&addr)?;
        each_addr(addrs, |addr| {
            let socket = reuseport::bind_reuseport(addr, Type::STREAM)?;
            Ok(TcpListener { socket })
        })
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
    pub fn from_std(listener: std::net::TcpListener) -> io::Result<TcpListener> {
        let socket = AioSocket::from_fd(OwnedFd::from(listener))?;
        Ok(TcpListener { socket })
    }

    /// Deregisters the listener from this loop's Reactor and gives back std's
    /// type, still open and still non-blocking: this is how it moves to
    /// another loop, which adopts it with [`from_std`](TcpListener::from_std). Data the
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
    /// use loop_net::{Reactor, TcpListener};
    ///
    /// let lp = Loop::with_park(Reactor::new()?);
    /// let std_listener = lp.run_task(async { Ok::<_, std::io::Error>(TcpListener::bind("127.0.0.1:0")?.into_std()) })?;
    /// let addr = std_listener.local_addr()?;
    /// let again = lp.run_task(async move { TcpListener::from_std(std_listener)?.local_addr() })?;
    /// assert_eq!(again, addr);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn into_std(self) -> std::net::TcpListener {
        std::net::TcpListener::from(std::os::fd::OwnedFd::from(self.socket))
    }

    /// Waits for a connection; returns its stream and the peer's address.
    ///
    /// # Errors
    ///
    /// As [`AioSocket::accept`]: at the fd limit (`EMFILE`) the error is
    /// returned and the connection stays queued for a later `accept`.
    ///
    /// # Cancellation
    ///
    /// Dropping the future before it completes accepts nothing.
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        poll_fn(|cx| self.poll_accept(cx)).await
    }

    /// Polls for a connection: the poll form of [`accept`](TcpListener::accept).
    ///
    /// # Errors
    ///
    /// As [`accept`](TcpListener::accept).
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(TcpStream, SocketAddr)>> {
        let (socket, peer) = ready!(self.socket.poll_accept(cx))?;
        Poll::Ready(Ok((TcpStream { socket }, peer.as_inet()?)))
    }

    /// The address the listener is bound to (with the port the kernel chose,
    /// if it was bound to port 0).
    ///
    /// # Errors
    ///
    /// The kernel's error from `getsockname`.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()?.as_inet()
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

/// A TCP connection.
///
/// Read and write it with its `&self` methods, or with the futures-io
/// traits, implemented for `TcpStream` and `&TcpStream` (so one task may
/// read while another writes): `AsyncReadExt::read_exact`,
/// `AsyncWriteExt::write_all` and `futures_util::io::copy` work on it.
///
/// # Examples
///
/// ```
/// use futures_util::io::{AsyncReadExt, AsyncWriteExt};
/// use loop_core::{Loop, spawn};
/// use loop_net::{Reactor, TcpListener, TcpStream};
///
/// let lp = Loop::with_park(Reactor::new()?);
/// lp.run_task(async {
///     let listener = TcpListener::bind("127.0.0.1:0")?;
///     let addr = listener.local_addr()?;
///     let echo = spawn(async move {
///         let (stream, _) = listener.accept().await?;
///         futures_util::io::copy(&stream, &mut &stream).await
///     });
///     let mut stream = TcpStream::connect(addr).await?;
///     stream.write_all(b"ping").await?;
///     let mut buf = [0; 4];
///     stream.read_exact(&mut buf).await?;
///     assert_eq!(&buf, b"ping");
///     stream.close().await?; // shuts down the write half: the copy ends
///     assert_eq!(echo.await.unwrap()?, 4);
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct TcpStream {
    socket: AioSocket,
}

impl TcpStream {
    /// Connects to `addr`, trying each address it names in turn until one
    /// accepts, as std does. A host name is looked up on another thread while
    /// the task waits; an IP address is used at once.
    ///
    /// # Panics
    ///
    /// Outside a running loop, or when the loop's park is not a
    /// [`Reactor`](crate::Reactor).
    ///
    /// # Errors
    ///
    /// The last address's error: `ConnectionRefused`, `TimedOut`,
    /// `NetworkUnreachable`, `HostUnreachable`; the resolver's error for an
    /// unknown host; `InvalidInput` for a malformed address or a name that
    /// resolves to nothing.
    ///
    /// # Cancellation
    ///
    /// Dropping the future abandons the attempt and closes its socket.
    pub async fn connect(addr: impl ToSocketAddrs) -> io::Result<TcpStream> {
        let addrs = resolve(&addr).await?;
        let mut last = None;
        for addr in addrs {
            match connect_one(addr).await {
                Ok(socket) => return Ok(TcpStream { socket }),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(no_addresses))
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
    pub fn from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        let socket = AioSocket::from_fd(OwnedFd::from(stream))?;
        Ok(TcpStream { socket })
    }

    /// Deregisters the stream from this loop's Reactor and gives back std's
    /// type, still open and still non-blocking: this is how it moves to
    /// another loop, which adopts it with [`from_std`](TcpStream::from_std). Data the
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
    /// use futures_util::io::{AsyncReadExt, AsyncWriteExt};
    /// use loop_core::Loop;
    /// use loop_net::{Reactor, TcpListener, TcpStream};
    ///
    /// let a = Loop::with_park(Reactor::new()?);
    /// let (std_stream, peer) = a.run_task(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0")?;
    ///     let client = TcpStream::connect(listener.local_addr()?).await?;
    ///     let (server, _) = listener.accept().await?;
    ///     Ok::<_, std::io::Error>((server.into_std(), client.into_std()))
    /// })?;
    /// // On another loop (here on another thread), the streams carry on.
    /// std::thread::spawn(move || {
    ///     let b = Loop::with_park(Reactor::new()?);
    ///     b.run_task(async {
    ///         let mut server = TcpStream::from_std(std_stream)?;
    ///         let mut client = TcpStream::from_std(peer)?;
    ///         client.write_all(b"moved").await?;
    ///         let mut buf = [0; 5];
    ///         server.read_exact(&mut buf).await?;
    ///         assert_eq!(&buf, b"moved");
    ///         Ok::<(), std::io::Error>(())
    ///     })
    /// })
    /// .join()
    /// .unwrap()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn into_std(self) -> std::net::TcpStream {
        std::net::TcpStream::from(std::os::fd::OwnedFd::from(self.socket))
    }

    /// Reads into `buf`; `Ok(0)` is end of stream.
    ///
    /// # Errors
    ///
    /// `ConnectionReset` when the peer reset the connection.
    ///
    /// # Cancellation
    ///
    /// Dropping the future before it completes reads nothing.
    pub async fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.socket.recv(buf).await
    }

    /// Writes from `buf`; returns how many bytes were written, maybe fewer
    /// than `buf.len()` (`AsyncWriteExt::write_all` writes them all).
    ///
    /// # Errors
    ///
    /// `BrokenPipe` after the peer closed (never a `SIGPIPE`),
    /// `ConnectionReset`.
    ///
    /// # Cancellation
    ///
    /// Dropping the future before it completes writes nothing.
    pub async fn write(&self, buf: &[u8]) -> io::Result<usize> {
        self.socket.send(buf).await
    }

    /// The address of the peer.
    ///
    /// # Errors
    ///
    /// `NotConnected` once the connection is gone.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.socket.peer_addr()?.as_inet()
    }

    /// The local address of the connection.
    ///
    /// # Errors
    ///
    /// The kernel's error from `getsockname`.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()?.as_inet()
    }

    /// Sets `TCP_NODELAY`: small writes are sent at once, not merged.
    ///
    /// # Errors
    ///
    /// The kernel's error from `setsockopt`.
    pub fn set_nodelay(&self, on: bool) -> io::Result<()> {
        self.socket.set_nodelay(on)
    }

    /// Whether `TCP_NODELAY` is set.
    ///
    /// # Errors
    ///
    /// The kernel's error from `getsockopt`.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.socket.nodelay()
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

/// A new socket connected to `addr`.
async fn connect_one(addr: SocketAddr) -> io::Result<AioSocket> {
    let socket = AioSocket::new(Domain::for_address(&addr), Type::STREAM)?;
    socket.connect(addr).await?;
    Ok(socket)
}

socket_traits!(TcpListener, TcpStream);
