//! `AioSocket`: the talk's socket, which tries the system call first and, only
//! on `EAGAIN`, parks its task until the [`Reactor`] sees the fd ready.
//!
//! # Design
//!
//! - A socket is registered with the Reactor of the loop it was created on,
//!   once, for its whole life; its fields are declared so that the
//!   registration is dropped (deregistered) before the fd is closed.
//! - Every operation has a `poll_*` form, which tries the system call and,
//!   on `EAGAIN`, forgets the cached readiness of its direction and stores
//!   the task's waker (see [`Registration::poll_ready`]). The `async` methods
//!   are those polled in a `poll_fn`, and the futures-io traits (in `io.rs`)
//!   are those too, so both behave the same.
//! - Methods take `&self`: one task may read while another writes, and any
//!   number may wait in the same direction; all are woken.
//! - A socket is used on the loop it was created on; polled anywhere else it
//!   panics, naming the fix (see the Reactor's module docs).
//! - Cooperative budget: an operation about to try its system call first
//!   spends one unit of the task's budget (`loop_core::poll_budget`), so a
//!   task whose calls always complete at once still yields to the loop's
//!   other tasks, timers and sockets every `loop_core::BUDGET` operations.
//!   An operation known to wait (readiness not cached) spends nothing.
//! - One address type for every family, [`SockAddr`]: `bind` and `connect`
//!   take anything that converts into one (a `std::net::SocketAddr`, or
//!   `SockAddr::unix(path)`), `accept`, `local_addr` and `peer_addr` return
//!   one. An address of another family than the socket's is an
//!   `InvalidInput` error, found before any system call.
//!
//! This file holds the socket's life (create, adopt, bind, listen, accept,
//! connect, addresses, close); `transfer.rs` the methods that move bytes,
//! `options.rs` the socket options.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::mem;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, IntoRawFd, OwnedFd, RawFd};
use std::sync::OnceLock;
use std::task::{Context, Poll, ready};

use loop_core::{Loop, LoopBound, poll_budget};

use crate::addr::{self, SockAddr};
use crate::domain::{Domain, Type};
use crate::messages;
use crate::reactor::Reactor;
use crate::registration::{Direction, Registration};
use crate::sys::{set_nonblocking, syscall};

/// A non-blocking, close-on-exec socket registered with the current loop's
/// [`Reactor`] for its whole life.
///
/// Each operation tries its system call first and, only if the kernel says
/// `EAGAIN`, waits until the Reactor sees the socket ready. Methods take
/// `&self`, so one task may read while another writes. A socket belongs to
/// the loop it was created on: use it from that loop's tasks.
///
/// Closing is `Drop` (deregister, then close), or [`close`](AioSocket::close).
///
/// # Examples
///
/// The talk's client and server, on one loop:
///
/// ```
/// use std::net::SocketAddr;
/// use loop_core::Loop;
/// use loop_net::{aiosocket, Reactor};
///
/// let lp = Loop::with_park(Reactor::new()?);
/// lp.run_task(async {
///     let server = aiosocket()?;
///     server.bind(SocketAddr::from(([127, 0, 0, 1], 0)))?;
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
    pub(crate) fd: OwnedFd,
    domain: Domain,
    /// A byte stream (`SOCK_STREAM`): a short read or write means the kernel
    /// had no more to give or no more room. (A short datagram means nothing.)
    stream: bool,
}

/// An IPv4 stream socket, the talk's `aiosocket()`.
///
/// # Panics
///
/// Outside a running loop, or when the loop's park is not a [`Reactor`]; the
/// message says how to build a loop that has one.
///
/// # Errors
///
/// The kernel's error from `socket`, e.g. `EMFILE` when out of fds.
///
/// # Examples
///
/// ```
/// use std::net::SocketAddr;
/// use loop_core::Loop;
/// use loop_net::{aiosocket, Reactor};
///
/// let lp = Loop::with_park(Reactor::new()?);
/// let port = lp.run_task(async {
///     let socket = aiosocket()?;
///     socket.bind(SocketAddr::from(([127, 0, 0, 1], 0)))?;
///     Ok::<_, std::io::Error>(socket.local_addr()?.as_socket().unwrap().port())
/// })?;
/// assert_ne!(port, 0);
/// # Ok::<(), std::io::Error>(())
/// ```
#[doc(alias = "socket")]
#[track_caller]
pub fn aiosocket() -> io::Result<AioSocket> {
    AioSocket::new(Domain::IPV4, Type::STREAM)
}

/// The Reactor of the running loop.
#[track_caller]
pub(crate) fn current_reactor() -> LoopBound<Reactor> {
    let Some(handle) = Loop::try_current() else {
        panic!("{}", messages::NO_LOOP);
    };
    match handle.park_bound::<Reactor>() {
        Some(reactor) => reactor,
        None => panic!("{}", messages::NO_REACTOR),
    }
}

/// Registers `fd` with `reactor`, which must be the running loop's.
///
/// # Safety
///
/// As for [`Reactor::register`].
pub(crate) unsafe fn register_with(
    reactor: LoopBound<Reactor>,
    fd: BorrowedFd<'_>,
) -> io::Result<Registration> {
    // SAFETY: passed on from our caller; `reactor` refers to itself.
    let registered = reactor.with(|this| unsafe { this.register_on(reactor, fd) });
    registered.expect("a socket is registered on its own loop")
}

/// The listen backlog the system allows at most: `net.core.somaxconn`
/// (the kernel caps any larger backlog to it), read once.
pub(crate) fn max_backlog() -> i32 {
    static BACKLOG: OnceLock<i32> = OnceLock::new();
    *BACKLOG.get_or_init(|| {
        std::fs::read_to_string("/proc/sys/net/core/somaxconn")
            .ok()
            .and_then(|text| text.trim().parse::<i32>().ok())
            .filter(|&n| n > 0)
            .unwrap_or(libc::SOMAXCONN)
    })
}

impl AioSocket {
    /// A new socket of `domain` and `ty` on the current loop.
    ///
    /// # Panics
    ///
    /// Outside a running loop, or when the loop's park is not a [`Reactor`].
    ///
    /// # Errors
    ///
    /// The kernel's error from `socket`: `EMFILE` when out of fds,
    /// `EAFNOSUPPORT` for a domain the kernel lacks (IPv6 disabled).
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    /// use loop_net::{AioSocket, Domain, Reactor, Type};
    ///
    /// let lp = Loop::with_park(Reactor::new()?);
    /// lp.run_task(async {
    ///     let udp = AioSocket::new(Domain::IPV4, Type::DGRAM)?;
    ///     assert_eq!(udp.domain(), Domain::IPV4);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn new(domain: Domain, ty: Type) -> io::Result<AioSocket> {
        let reactor = current_reactor();
        let fd = syscall!(socket(
            domain.0,
            ty.0 | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            0
        ))?;
        // SAFETY: socket just returned this fd and nothing else owns it.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        AioSocket::register(reactor, fd, domain, ty == Type::STREAM)
    }

    /// Adopts an open socket: sets `O_NONBLOCK` on it and registers it with
    /// the current loop's [`Reactor`]. Its close-on-exec flag is left as is.
    ///
    /// # Panics
    ///
    /// Outside a running loop, or when the loop's park is not a [`Reactor`].
    ///
    /// # Errors
    ///
    /// `ENOTSOCK` for an fd that is not a socket; the kernel's error from
    /// `fcntl` or `epoll_ctl`. The fd is closed on error.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::os::fd::OwnedFd;
    /// use loop_core::Loop;
    /// use loop_net::{AioSocket, Reactor};
    ///
    /// let lp = Loop::with_park(Reactor::new()?);
    /// let std_socket = std::net::UdpSocket::bind("127.0.0.1:0")?;
    /// let addr = std_socket.local_addr()?;
    /// lp.run_task(async move {
    ///     let socket = AioSocket::from_fd(OwnedFd::from(std_socket))?;
    ///     assert_eq!(socket.local_addr()?.as_socket(), Some(addr));
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn from_fd(fd: OwnedFd) -> io::Result<AioSocket> {
        let reactor = current_reactor();
        // Even an unbound socket reports its family.
        let domain = addr::local_addr(fd.as_fd())?.domain();
        let mut ty: libc::c_int = 0;
        let mut ty_len = mem::size_of_val(&ty) as libc::socklen_t;
        // SAFETY: `ty` has room for `ty_len` bytes.
        syscall!(getsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_TYPE,
            (&raw mut ty).cast(),
            &mut ty_len
        ))?;
        set_nonblocking(fd.as_raw_fd())?;
        AioSocket::register(reactor, fd, domain, ty == libc::SOCK_STREAM)
    }

    fn register(
        reactor: LoopBound<Reactor>,
        fd: OwnedFd,
        domain: Domain,
        stream: bool,
    ) -> io::Result<AioSocket> {
        // SAFETY: the socket owns `fd` and declares `registration` before
        // it, so the registration is dropped before the fd is closed.
        let registration = unsafe { register_with(reactor, fd.as_fd())? };
        registration.assume_ready();
        Ok(AioSocket {
            registration,
            fd,
            domain,
            stream,
        })
    }

    /// The socket's address family.
    pub fn domain(&self) -> Domain {
        self.domain
    }

    /// Binds the socket to `addr`: an IP address and port (a
    /// `std::net::SocketAddr` converts), or a Unix path
    /// ([`SockAddr::unix`]; the file must not exist yet, and dropping the
    /// socket does not remove it). Never blocks.
    ///
    /// # Errors
    ///
    /// `AddrInUse` (for a path: the file exists), `AddrNotAvailable`,
    /// `NotFound` (a path's directory does not exist), `PermissionDenied`,
    /// or `InvalidInput` for an address of another family than the
    /// socket's (checked before the system call).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::net::SocketAddr;
    /// use loop_core::Loop;
    /// use loop_net::{AioSocket, Domain, Reactor, SockAddr, Type, aiosocket};
    ///
    /// let path = std::env::temp_dir().join(format!("loop-net-bind-{}.sock", std::process::id()));
    /// let lp = Loop::with_park(Reactor::new()?);
    /// lp.run_task(async {
    ///     let inet = aiosocket()?;
    ///     inet.bind("127.0.0.1:0".parse::<SocketAddr>().unwrap())?;
    ///     let unix = AioSocket::new(Domain::UNIX, Type::STREAM)?;
    ///     unix.bind(SockAddr::unix(&path)?)?;
    ///     assert_eq!(unix.local_addr()?.as_pathname(), Some(path.as_path()));
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn bind(&self, addr: impl Into<SockAddr>) -> io::Result<()> {
        let addr = addr.into();
        self.check_family(&addr)?;
        // SAFETY: `addr` holds `addr.len()` bytes of a sockaddr, and is
        // borrowed for the call.
        syscall!(bind(self.fd.as_raw_fd(), addr.as_ptr(), addr.len())).map(drop)
    }

    /// Marks the socket as accepting connections, with room for `backlog`
    /// connections not yet accepted (the kernel caps it to
    /// `net.core.somaxconn`); never blocks.
    ///
    /// # Errors
    ///
    /// `AddrInUse`, or the kernel's `EOPNOTSUPP` for a datagram socket.
    pub fn listen(&self, backlog: i32) -> io::Result<()> {
        syscall!(listen(self.fd.as_raw_fd(), backlog)).map(drop)
    }

    /// Waits for a connection and returns its socket and the peer's address
    /// (for a Unix socket, usually unnamed: clients seldom bind).
    ///
    /// The new socket is registered with the same Reactor as the listener.
    ///
    /// # Errors
    ///
    /// The kernel's error from `accept4`. At the fd limit (`EMFILE`,
    /// `ENFILE`) the error is returned at once and the connection stays
    /// queued: the listener accepts it once fds are freed. A caller that
    /// retries in a loop should wait a little between attempts, as nothing
    /// tells the loop when fds are freed (the cooperative budget keeps such
    /// a loop from starving the others, but not from burning CPU).
    ///
    /// # Cancellation
    ///
    /// Dropping the future before it completes accepts nothing.
    pub async fn accept(&self) -> io::Result<(AioSocket, SockAddr)> {
        poll_fn(|cx| self.poll_accept(cx)).await
    }

    /// Polls for a connection: the poll form of [`accept`](AioSocket::accept).
    ///
    /// # Errors
    ///
    /// As [`accept`](AioSocket::accept).
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(AioSocket, SockAddr)>> {
        let (fd, peer) = ready!(self.poll_io(Direction::Read, cx, || {
            SockAddr::from_kernel(|addr, len| {
                // SAFETY: `addr` has room for `*len` bytes, which the kernel
                // fills.
                syscall!(accept4(
                    self.fd.as_raw_fd(),
                    addr,
                    len,
                    libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC
                ))
            })
        }))?;
        // SAFETY: accept4 just returned this fd and nothing else owns it.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        let socket = AioSocket::register(self.registration.reactor(), fd, self.domain, self.stream);
        Poll::Ready(socket.map(|socket| (socket, peer)))
    }

    /// Connects to `addr`: an IP address and port (a `std::net::SocketAddr`
    /// converts), or the Unix path a socket listens at ([`SockAddr::unix`]).
    /// A TCP connect that is in progress waits for the socket to become
    /// writable and then reads its outcome (`SO_ERROR`).
    ///
    /// # Errors
    ///
    /// `ConnectionRefused`, `TimedOut`, `NetworkUnreachable`,
    /// `HostUnreachable`, `AddrNotAvailable`; for a path, `NotFound` if
    /// nothing is there and `WouldBlock` when the listener's backlog is full
    /// (Unix sockets do not queue the attempt; try again later);
    /// `InvalidInput` for an address of another family than the socket's.
    ///
    /// # Cancellation
    ///
    /// Dropping the future leaves the connection attempt running in the
    /// kernel; drop the socket too to abandon it.
    pub async fn connect(&self, addr: impl Into<SockAddr>) -> io::Result<()> {
        let addr = addr.into();
        self.check_family(&addr)?;
        // As in `poll_io`: on its own loop only, and a connect that completes
        // at once (UDP, Unix, or an error) spends budget.
        poll_fn(|cx| {
            self.registration.check_loop();
            poll_budget(cx)
        })
        .await;
        // SAFETY: `addr` holds `addr.len()` bytes of a sockaddr, and is
        // borrowed for the call.
        match syscall!(connect(self.fd.as_raw_fd(), addr.as_ptr(), addr.len())) {
            Ok(_) => return Ok(()),
            Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
            Err(e) => return Err(e),
        }
        loop {
            self.registration.clear_ready(Direction::Write);
            poll_fn(|cx| self.registration.poll_ready(Direction::Write, cx)).await;
            if let Some(e) = self.take_error()? {
                return Err(e);
            }
            // Writable without an error: connected, unless the readiness was
            // stale; then the peer's address is not there yet, so wait again.
            match addr::peer_addr(self.fd.as_fd()) {
                Ok(_) => return Ok(()),
                Err(e) if e.raw_os_error() == Some(libc::ENOTCONN) => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Runs `op` for this socket: [`Registration::poll_io`].
    #[inline]
    pub(crate) fn poll_io<T>(
        &self,
        dir: Direction,
        cx: &mut Context<'_>,
        op: impl FnMut() -> io::Result<T>,
    ) -> Poll<io::Result<T>> {
        self.registration.poll_io(dir, cx, op)
    }

    /// After `n` of `len` bytes went through a stream socket: a short count
    /// means the kernel is drained (or full) for now, so the next call waits
    /// for the Reactor's next edge instead of trying and getting `EAGAIN`.
    pub(crate) fn note_transferred(&self, dir: Direction, n: usize, len: usize) {
        if self.stream && 0 < n && n < len {
            self.registration.clear_ready_after_short(dir);
        }
    }

    /// The address the socket is bound to: for an IP socket bound to port 0,
    /// the port the kernel chose; for a Unix socket that did not bind,
    /// unnamed.
    ///
    /// # Errors
    ///
    /// The kernel's error from `getsockname`.
    pub fn local_addr(&self) -> io::Result<SockAddr> {
        addr::local_addr(self.fd.as_fd())
    }

    /// The address of the connected peer.
    ///
    /// # Errors
    ///
    /// `NotConnected` for a socket that is not connected.
    pub fn peer_addr(&self) -> io::Result<SockAddr> {
        addr::peer_addr(self.fd.as_fd())
    }

    /// Closes the socket (deregister, then close), like dropping it.
    pub fn close(self) {}
}

impl AioSocket {
    /// `InvalidInput` if `addr` is not of this socket's family (the kernel
    /// would say `EAFNOSUPPORT` or `EINVAL`).
    pub(crate) fn check_family(&self, addr: &SockAddr) -> io::Result<()> {
        if addr.domain() == self.domain {
            return Ok(());
        }
        Err(self.wrong_family(addr))
    }

    /// The error for an address of another family than the socket's: out of
    /// line, as it allocates its message.
    #[cold]
    fn wrong_family(&self, addr: &SockAddr) -> io::Error {
        let hint = if self.domain == Domain::UNIX {
            "; a Unix socket takes `SockAddr::unix(path)`"
        } else {
            ""
        };
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{addr} is not an address of this {:?} socket{hint}",
                self.domain
            ),
        )
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

impl IntoRawFd for AioSocket {
    /// Deregisters the socket and gives its fd to the caller, who must close it.
    fn into_raw_fd(self) -> RawFd {
        OwnedFd::from(self).into_raw_fd()
    }
}

impl From<AioSocket> for OwnedFd {
    /// Deregisters the socket and gives its fd to the caller.
    fn from(socket: AioSocket) -> OwnedFd {
        let AioSocket {
            registration, fd, ..
        } = socket;
        drop(registration);
        fd
    }
}

impl FromRawFd for AioSocket {
    /// Adopts an open socket like [`AioSocket::from_fd`]: sets `O_NONBLOCK`
    /// and registers it with the current loop's [`Reactor`].
    ///
    /// # Panics
    ///
    /// Outside a running loop, when the loop's park is not a [`Reactor`], or
    /// when `from_fd` fails (e.g. `fd` is not a socket);
    /// [`AioSocket::from_fd`] returns that error instead.
    ///
    /// # Safety
    ///
    /// `fd` must be an open fd that the caller owns and gives away.
    #[track_caller]
    unsafe fn from_raw_fd(fd: RawFd) -> AioSocket {
        // SAFETY: the caller gives us ownership of the open `fd`.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        match AioSocket::from_fd(fd) {
            Ok(socket) => socket,
            Err(e) => panic!("{} ({e})", messages::FROM_RAW_FD),
        }
    }
}

impl fmt::Debug for AioSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AioSocket")
            .field("fd", &self.fd.as_raw_fd())
            .field("domain", &self.domain)
            .finish()
    }
}
