//! `AioSocket`: the talk's socket, which tries the system call first and, only
//! on `EAGAIN`, parks its task until the [`Reactor`] sees the fd ready.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::mem;
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::task::Poll;

use loop_core::Loop;

use crate::addr;
use crate::reactor::{Direction, Reactor, Registration};
use crate::sys::syscall;

/// The panic message for a socket used on a loop whose park is not a Reactor.
const NO_REACTOR: &str = "goldiloop: a socket was used on a loop without a Reactor; \
     build the loop with `Loop::with_park(loop_net::Reactor::new()?)`";

/// A socket's address family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Domain(libc::c_int);

impl Domain {
    /// IPv4 (`AF_INET`).
    pub const IPV4: Domain = Domain(libc::AF_INET);
    /// IPv6 (`AF_INET6`).
    pub const IPV6: Domain = Domain(libc::AF_INET6);
}

/// A socket's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Type(libc::c_int);

impl Type {
    /// A byte stream (`SOCK_STREAM`, TCP).
    pub const STREAM: Type = Type(libc::SOCK_STREAM);
    /// Datagrams (`SOCK_DGRAM`, UDP).
    pub const DGRAM: Type = Type(libc::SOCK_DGRAM);
}

/// A non-blocking, close-on-exec socket registered with the current loop's
/// [`Reactor`] for its whole life.
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
/// use loop_net::{aiosocket, Reactor};
///
/// let lp = Loop::with_park(Reactor::new()?);
/// lp.run_task(async {
///     let server = aiosocket()?;
///     server.bind("127.0.0.1:0".parse().unwrap())?;
///     server.listen(16)?;
///     let addr = server.local_addr()?;
///     let client = aiosocket()?;
///     client.connect(addr).await?;
///     let (peer, _) = server.accept().await?;
///     client.send(b"Hello World!").await?;
///     let mut buf = [0; 64];
///     let n = peer.recv(&mut buf).await?;
///     assert_eq!(&buf[..n], b"Hello World!");
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[doc(alias = "socket")]
pub struct AioSocket {
    // Declared before `fd`: deregisters before the fd closes.
    registration: Registration,
    fd: OwnedFd,
}

/// An IPv4 stream socket, the talk's `aiosocket()`.
///
/// # Panics
///
/// When the current loop's park is not a [`Reactor`], or outside a loop.
///
/// # Errors
///
/// The kernel's error from `socket`, e.g. `EMFILE` when out of fds.
#[track_caller]
pub fn aiosocket() -> io::Result<AioSocket> {
    AioSocket::new(Domain::IPV4, Type::STREAM)
}

impl AioSocket {
    /// A new socket of `domain` and `ty` on the current loop.
    ///
    /// # Panics
    ///
    /// When the current loop's park is not a [`Reactor`], or outside a loop.
    ///
    /// # Errors
    ///
    /// The kernel's error from `socket`, e.g. `EMFILE` when out of fds.
    #[track_caller]
    pub fn new(domain: Domain, ty: Type) -> io::Result<AioSocket> {
        let fd = syscall!(socket(
            domain.0,
            ty.0 | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            0
        ))?;
        // SAFETY: socket just returned this fd and nothing else owns it.
        AioSocket::adopt(unsafe { OwnedFd::from_raw_fd(fd) })
    }

    #[track_caller]
    fn adopt(fd: OwnedFd) -> io::Result<AioSocket> {
        let reactor = Loop::current().park::<Reactor>().expect(NO_REACTOR);
        let registration = Reactor::register(&reactor, fd.as_raw_fd())?;
        Ok(AioSocket { registration, fd })
    }

    /// Binds the socket to `addr`; never blocks.
    ///
    /// # Errors
    ///
    /// `AddrInUse`, `AddrNotAvailable`, `PermissionDenied`, `InvalidInput`.
    pub fn bind(&self, addr: SocketAddr) -> io::Result<()> {
        let (raw, len) = addr::to_raw(addr);
        // SAFETY: `raw` holds `len` valid bytes of a sockaddr.
        syscall!(bind(self.fd.as_raw_fd(), (&raw const raw).cast(), len)).map(drop)
    }

    /// Marks the socket as accepting connections; never blocks.
    ///
    /// # Errors
    ///
    /// `AddrInUse`, or `InvalidInput` for a socket that cannot listen.
    pub fn listen(&self, backlog: i32) -> io::Result<()> {
        syscall!(listen(self.fd.as_raw_fd(), backlog)).map(drop)
    }

    /// Waits for a connection and returns its socket and the peer's address.
    ///
    /// # Errors
    ///
    /// The kernel's error from `accept4`; at the fd limit (`EMFILE`) the error
    /// is returned, and the listener accepts again once fds are freed.
    pub async fn accept(&self) -> io::Result<(AioSocket, SocketAddr)> {
        let (fd, storage) = self
            .io(Direction::Read, || {
                // SAFETY: an all-zero sockaddr_storage is valid.
                let mut storage: libc::sockaddr_storage = unsafe { mem::zeroed() };
                let mut len = mem::size_of_val(&storage) as libc::socklen_t;
                // SAFETY: `storage` has room for `len` bytes, which the kernel fills.
                let fd = syscall!(accept4(
                    self.fd.as_raw_fd(),
                    (&raw mut storage).cast(),
                    &mut len,
                    libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC
                ))?;
                // SAFETY: accept4 just returned this fd and nothing else owns it.
                Ok((unsafe { OwnedFd::from_raw_fd(fd) }, storage))
            })
            .await?;
        let peer = addr::from_raw(&storage)?;
        Ok((AioSocket::adopt(fd)?, peer))
    }

    /// Connects to `addr`, waiting for writability and reading `SO_ERROR`.
    ///
    /// # Errors
    ///
    /// `ConnectionRefused`, `TimedOut`, `NetworkUnreachable`, `AddrNotAvailable`.
    pub async fn connect(&self, addr: SocketAddr) -> io::Result<()> {
        let (raw, len) = addr::to_raw(addr);
        // SAFETY: `raw` holds `len` valid bytes of a sockaddr.
        match syscall!(connect(self.fd.as_raw_fd(), (&raw const raw).cast(), len)) {
            Ok(_) => return Ok(()),
            Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
            Err(e) => return Err(e),
        }
        self.registration.clear_ready(Direction::Write);
        poll_fn(|cx| self.registration.poll_ready(Direction::Write, cx)).await;
        let mut error: libc::c_int = 0;
        let mut len = mem::size_of::<libc::c_int>() as libc::socklen_t;
        // SAFETY: `error` has room for `len` bytes.
        syscall!(getsockopt(
            self.fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_ERROR,
            (&raw mut error).cast(),
            &mut len
        ))?;
        match error {
            0 => Ok(()),
            e => Err(io::Error::from_raw_os_error(e)),
        }
    }

    /// Receives into `buf`; `Ok(0)` is end of stream.
    ///
    /// # Errors
    ///
    /// `ConnectionReset` when the peer reset the connection.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io(Direction::Read, || {
            // SAFETY: `buf` is valid for writes of its length.
            syscall!(recv(
                self.fd.as_raw_fd(),
                buf.as_mut_ptr().cast(),
                buf.len(),
                0
            ))
            .map(|n| n as usize)
        })
        .await
    }

    /// Sends from `buf`, returning how many bytes were sent; never raises SIGPIPE.
    ///
    /// # Errors
    ///
    /// `BrokenPipe` after the peer closed, `ConnectionReset`.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io(Direction::Write, || {
            // SAFETY: `buf` is valid for reads of its length.
            syscall!(send(
                self.fd.as_raw_fd(),
                buf.as_ptr().cast(),
                buf.len(),
                libc::MSG_NOSIGNAL
            ))
            .map(|n| n as usize)
        })
        .await
    }

    /// Receives one datagram into `buf`; returns its length and sender.
    ///
    /// # Errors
    ///
    /// `ConnectionRefused` after an ICMP port-unreachable on a connected socket.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        let (n, storage) = self
            .io(Direction::Read, || {
                // SAFETY: an all-zero sockaddr_storage is valid.
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
            })
            .await?;
        Ok((n, addr::from_raw(&storage)?))
    }

    /// Sends one datagram from `buf` to `target`.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a datagram too large, `NetworkUnreachable`.
    pub async fn send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        let (raw, len) = addr::to_raw(target);
        self.io(Direction::Write, || {
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
        .await
    }

    /// The address the socket is bound to.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a socket that is not IPv4 or IPv6.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        // SAFETY: an all-zero sockaddr_storage is valid.
        let mut storage: libc::sockaddr_storage = unsafe { mem::zeroed() };
        let mut len = mem::size_of_val(&storage) as libc::socklen_t;
        // SAFETY: `storage` has room for `len` bytes.
        syscall!(getsockname(
            self.fd.as_raw_fd(),
            (&raw mut storage).cast(),
            &mut len
        ))?;
        addr::from_raw(&storage)
    }

    /// The address of the connected peer.
    ///
    /// # Errors
    ///
    /// `NotConnected` for a socket that is not connected.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        // SAFETY: an all-zero sockaddr_storage is valid.
        let mut storage: libc::sockaddr_storage = unsafe { mem::zeroed() };
        let mut len = mem::size_of_val(&storage) as libc::socklen_t;
        // SAFETY: `storage` has room for `len` bytes.
        syscall!(getpeername(
            self.fd.as_raw_fd(),
            (&raw mut storage).cast(),
            &mut len
        ))?;
        addr::from_raw(&storage)
    }

    /// Shuts down the read, write or both halves of the connection.
    ///
    /// # Errors
    ///
    /// `NotConnected` for a socket that is not connected.
    pub fn shutdown(&self, how: std::net::Shutdown) -> io::Result<()> {
        let how = match how {
            std::net::Shutdown::Read => libc::SHUT_RD,
            std::net::Shutdown::Write => libc::SHUT_WR,
            std::net::Shutdown::Both => libc::SHUT_RDWR,
        };
        syscall!(shutdown(self.fd.as_raw_fd(), how)).map(drop)
    }

    /// Sets `TCP_NODELAY` (no Nagle delay for small writes).
    ///
    /// # Errors
    ///
    /// `InvalidInput` on a socket that is not TCP.
    pub fn set_nodelay(&self, on: bool) -> io::Result<()> {
        self.set_flag(libc::IPPROTO_TCP, libc::TCP_NODELAY, on)
    }

    /// Sets `SO_REUSEADDR`.
    ///
    /// # Errors
    ///
    /// The kernel's error from `setsockopt`.
    pub fn set_reuseaddr(&self, on: bool) -> io::Result<()> {
        self.set_flag(libc::SOL_SOCKET, libc::SO_REUSEADDR, on)
    }

    /// Sets `SO_REUSEPORT`.
    ///
    /// # Errors
    ///
    /// The kernel's error from `setsockopt`.
    pub fn set_reuseport(&self, on: bool) -> io::Result<()> {
        self.set_flag(libc::SOL_SOCKET, libc::SO_REUSEPORT, on)
    }

    fn set_flag(&self, level: libc::c_int, name: libc::c_int, on: bool) -> io::Result<()> {
        let value = libc::c_int::from(on);
        // SAFETY: `value` is a readable c_int of the size passed.
        syscall!(setsockopt(
            self.fd.as_raw_fd(),
            level,
            name,
            (&raw const value).cast(),
            mem::size_of::<libc::c_int>() as libc::socklen_t
        ))
        .map(drop)
    }

    /// Closes the socket (deregister, then close), like dropping it.
    pub fn close(self) {}

    /// Runs `op` until it does not say `EAGAIN`, parking on `dir` in between.
    async fn io<T>(&self, dir: Direction, mut op: impl FnMut() -> io::Result<T>) -> io::Result<T> {
        poll_fn(|cx| {
            loop {
                match op() {
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        self.registration.clear_ready(dir);
                        if self.registration.poll_ready(dir, cx).is_pending() {
                            return Poll::Pending;
                        }
                    }
                    res => return Poll::Ready(res),
                }
            }
        })
        .await
    }
}

impl AsRawFd for AioSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

impl AsFd for AioSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl fmt::Debug for AioSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AioSocket")
            .field("fd", &self.fd.as_raw_fd())
            .finish()
    }
}
