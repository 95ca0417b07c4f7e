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
//! - Inet addresses are `std::net::SocketAddr`; a Unix socket has its own
//!   `_unix` methods taking a path and returning
//!   `std::os::unix::net::SocketAddr`. An address of the wrong family is an
//!   `InvalidInput` error, found before any system call.
//!
//! This file holds the socket's life (create, adopt, bind, listen, accept,
//! connect, addresses, close); `transfer.rs` the methods that move bytes,
//! `options.rs` the socket options.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::mem::{self, ManuallyDrop};
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, IntoRawFd, OwnedFd, RawFd};
use std::os::unix::net::{SocketAddr as UnixSocketAddr, UnixStream as StdUnixStream};
use std::path::Path;
use std::rc::Rc;
use std::sync::OnceLock;
use std::task::{Context, Poll, ready};

use loop_core::{Loop, poll_budget};

use crate::addr;
use crate::domain::{Domain, Type};
use crate::messages;
use crate::reactor::{Direction, Reactor, Registration};
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
/// use loop_core::Loop;
/// use loop_net::{aiosocket, Reactor};
///
/// let lp = Loop::with_park(Reactor::new()?);
/// let port = lp.run_task(async {
///     let socket = aiosocket()?;
///     socket.bind("127.0.0.1:0".parse().unwrap())?;
///     Ok::<_, std::io::Error>(socket.local_addr()?.port())
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
fn current_reactor() -> Rc<Reactor> {
    let Some(handle) = Loop::try_current() else {
        panic!("{}", messages::NO_LOOP);
    };
    match handle.park::<Reactor>() {
        Some(reactor) => reactor,
        None => panic!("{}", messages::NO_REACTOR),
    }
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
        AioSocket::register(&reactor, fd, domain, ty == Type::STREAM)
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
    ///     assert_eq!(socket.local_addr()?, addr);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn from_fd(fd: OwnedFd) -> io::Result<AioSocket> {
        let reactor = current_reactor();
        // SAFETY: an all-zero sockaddr_storage is a valid value.
        let mut storage: libc::sockaddr_storage = unsafe { mem::zeroed() };
        let mut len = mem::size_of_val(&storage) as libc::socklen_t;
        // SAFETY: `storage` has room for `len` bytes. Even an unbound socket
        // reports its family.
        syscall!(getsockname(
            fd.as_raw_fd(),
            (&raw mut storage).cast(),
            &mut len
        ))?;
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
        let domain = Domain(storage.ss_family.into());
        AioSocket::register(&reactor, fd, domain, ty == libc::SOCK_STREAM)
    }

    fn register(
        reactor: &Rc<Reactor>,
        fd: OwnedFd,
        domain: Domain,
        stream: bool,
    ) -> io::Result<AioSocket> {
        let registration = Reactor::register(reactor, fd.as_raw_fd())?;
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

    /// Binds the socket to `addr`; never blocks.
    ///
    /// # Errors
    ///
    /// `AddrInUse`, `AddrNotAvailable`, `PermissionDenied`, or
    /// `InvalidInput` for an address of another family than the socket's
    /// (checked before the system call).
    pub fn bind(&self, addr: SocketAddr) -> io::Result<()> {
        self.check_family(&addr)?;
        let (raw, len) = addr::to_raw(addr);
        // SAFETY: `raw` holds `len` valid bytes of a sockaddr.
        syscall!(bind(self.fd.as_raw_fd(), (&raw const raw).cast(), len)).map(drop)
    }

    /// Binds a Unix socket to the file `path`, which must not exist yet;
    /// never blocks. Dropping the socket does not remove the file.
    ///
    /// # Errors
    ///
    /// `AddrInUse` if `path` exists, `NotFound` if its directory does not,
    /// `PermissionDenied`, `InvalidInput` for a path with a NUL byte or
    /// longer than 107 bytes, or on a socket that is not a Unix socket.
    pub fn bind_unix(&self, path: impl AsRef<Path>) -> io::Result<()> {
        if self.domain != Domain::UNIX {
            return Err(wrong_family("bind_unix", "bind"));
        }
        let (raw, len) = addr::unix_to_raw(path.as_ref())?;
        // SAFETY: `raw` holds `len` valid bytes of a sockaddr_un.
        syscall!(bind(self.fd.as_raw_fd(), (&raw const raw).cast(), len)).map(drop)
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

    /// Waits for a connection and returns its socket and the peer's address.
    ///
    /// The new socket is registered with the same Reactor as the listener.
    ///
    /// # Errors
    ///
    /// The kernel's error from `accept4`. At the fd limit (`EMFILE`,
    /// `ENFILE`) the error is returned at once and the connection stays
    /// queued: the listener accepts it once fds are freed. A caller that
    /// retries in a loop should wait a little between attempts, as nothing
    /// tells the loop when fds are freed. `InvalidInput` on a Unix socket
    /// (use [`accept_unix`](AioSocket::accept_unix)), before accepting.
    ///
    /// # Cancellation
    ///
    /// Dropping the future before it completes accepts nothing.
    pub async fn accept(&self) -> io::Result<(AioSocket, SocketAddr)> {
        poll_fn(|cx| self.poll_accept(cx)).await
    }

    /// Polls for a connection: the poll form of [`accept`](AioSocket::accept).
    ///
    /// # Errors
    ///
    /// As [`accept`](AioSocket::accept).
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(AioSocket, SocketAddr)>> {
        if self.domain == Domain::UNIX {
            return Poll::Ready(Err(wrong_family("accept", "accept_unix")));
        }
        let (fd, storage) = match self.poll_accept_fd(cx) {
            Poll::Ready(Ok(accepted)) => accepted,
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Pending => return Poll::Pending,
        };
        let accepted = addr::from_raw(&storage).and_then(|peer| {
            let socket =
                AioSocket::register(self.registration.reactor(), fd, self.domain, self.stream)?;
            Ok((socket, peer))
        });
        Poll::Ready(accepted)
    }

    /// Waits for a connection on a Unix socket; returns its socket and the
    /// peer's address (usually unnamed: clients seldom bind).
    ///
    /// # Errors
    ///
    /// As [`accept`](AioSocket::accept); `InvalidInput` on a socket that is
    /// not a Unix socket, before accepting.
    ///
    /// # Cancellation
    ///
    /// Dropping the future before it completes accepts nothing.
    pub async fn accept_unix(&self) -> io::Result<(AioSocket, UnixSocketAddr)> {
        if self.domain != Domain::UNIX {
            return Err(wrong_family("accept_unix", "accept"));
        }
        let (fd, _) = poll_fn(|cx| self.poll_accept_fd(cx)).await?;
        let socket =
            AioSocket::register(self.registration.reactor(), fd, self.domain, self.stream)?;
        let peer = socket.peer_unix_addr()?;
        Ok((socket, peer))
    }

    fn poll_accept_fd(
        &self,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<(OwnedFd, libc::sockaddr_storage)>> {
        self.poll_io(Direction::Read, cx, || {
            // SAFETY: an all-zero sockaddr_storage is a valid value.
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
    }

    /// Connects to `addr`. A TCP connect that is in progress waits for the
    /// socket to become writable and then reads its outcome (`SO_ERROR`).
    ///
    /// # Errors
    ///
    /// `ConnectionRefused`, `TimedOut`, `NetworkUnreachable`,
    /// `HostUnreachable`, `AddrNotAvailable`, `InvalidInput` for an address of
    /// another family than the socket's.
    ///
    /// # Cancellation
    ///
    /// Dropping the future leaves the connection attempt running in the
    /// kernel; drop the socket too to abandon it.
    pub async fn connect(&self, addr: SocketAddr) -> io::Result<()> {
        self.check_family(&addr)?;
        let (raw, len) = addr::to_raw(addr);
        self.connect_raw((&raw const raw).cast(), len).await
    }

    /// Connects a Unix socket to the listener at `path`.
    ///
    /// # Errors
    ///
    /// `NotFound` if nothing is at `path`, `ConnectionRefused` if no socket
    /// listens there, `PermissionDenied`, `InvalidInput` for a bad path (see
    /// [`bind_unix`](AioSocket::bind_unix)), and `WouldBlock` when the
    /// listener's backlog is full (Unix sockets do not queue the attempt; try
    /// again later). `InvalidInput` on a socket that is not a Unix socket.
    pub async fn connect_unix(&self, path: impl AsRef<Path>) -> io::Result<()> {
        if self.domain != Domain::UNIX {
            return Err(wrong_family("connect_unix", "connect"));
        }
        let (raw, len) = addr::unix_to_raw(path.as_ref())?;
        self.connect_raw((&raw const raw).cast(), len).await
    }

    async fn connect_raw(
        &self,
        raw: *const libc::sockaddr,
        len: libc::socklen_t,
    ) -> io::Result<()> {
        // As in `poll_io`: on its own loop only, and a connect that completes
        // at once (UDP, Unix, or an error) spends budget.
        poll_fn(|cx| {
            self.registration.check_loop();
            poll_budget(cx)
        })
        .await;
        // SAFETY: the caller's `raw` holds `len` valid bytes of a sockaddr
        // and outlives this call.
        match syscall!(connect(self.fd.as_raw_fd(), raw, len)) {
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
            match self.peer_raw() {
                Ok(_) => return Ok(()),
                Err(e) if e.raw_os_error() == Some(libc::ENOTCONN) => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Runs `op`; on `EAGAIN`, forgets that `dir` is ready and stores the
    /// task's waker, to be woken when the Reactor sees `dir` ready again.
    ///
    /// Every socket operation that moves data or accepts goes through here,
    /// so here are the two checks each one owes: the socket is used on its
    /// own loop ([`Registration::poll_ready`] panics otherwise), and the task
    /// has budget left for one more operation that completes at once
    /// (`loop_core::poll_budget`; otherwise it yields first).
    pub(crate) fn poll_io<T>(
        &self,
        dir: Direction,
        cx: &mut Context<'_>,
        mut op: impl FnMut() -> io::Result<T>,
    ) -> Poll<io::Result<T>> {
        loop {
            // Known not ready: wait for the Reactor, without a system call
            // that would only say `EAGAIN`.
            ready!(self.registration.poll_ready(dir, cx));
            // The call may complete at once: spend a unit of the task's
            // budget first, so a task whose calls always complete (a socket
            // that always has data, an accept failing with `EMFILE`) still
            // yields now and then. A call known to wait spends nothing.
            ready!(poll_budget(cx));
            match op() {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.registration.clear_ready(dir);
                }
                res => return Poll::Ready(res),
            }
        }
    }

    /// After `n` of `len` bytes went through a stream socket: a short count
    /// means the kernel is drained (or full) for now, so the next call waits
    /// for the Reactor's next edge instead of trying and getting `EAGAIN`.
    pub(crate) fn note_transferred(&self, dir: Direction, n: usize, len: usize) {
        if self.stream && 0 < n && n < len {
            self.registration.clear_ready_after_short(dir);
        }
    }

    /// The address the socket is bound to.
    ///
    /// # Errors
    ///
    /// `InvalidInput` on a Unix socket (use
    /// [`local_unix_addr`](AioSocket::local_unix_addr)).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        if self.domain == Domain::UNIX {
            return Err(wrong_family("local_addr", "local_unix_addr"));
        }
        // SAFETY: an all-zero sockaddr_storage is a valid value.
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
    /// `NotConnected` for a socket that is not connected; `InvalidInput` on a
    /// Unix socket (use [`peer_unix_addr`](AioSocket::peer_unix_addr)).
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        if self.domain == Domain::UNIX {
            return Err(wrong_family("peer_addr", "peer_unix_addr"));
        }
        addr::from_raw(&self.peer_raw()?)
    }

    fn peer_raw(&self) -> io::Result<libc::sockaddr_storage> {
        // SAFETY: an all-zero sockaddr_storage is a valid value.
        let mut storage: libc::sockaddr_storage = unsafe { mem::zeroed() };
        let mut len = mem::size_of_val(&storage) as libc::socklen_t;
        // SAFETY: `storage` has room for `len` bytes.
        syscall!(getpeername(
            self.fd.as_raw_fd(),
            (&raw mut storage).cast(),
            &mut len
        ))?;
        Ok(storage)
    }

    /// The address a Unix socket is bound to (unnamed if it is not bound).
    ///
    /// # Errors
    ///
    /// `InvalidInput` on a socket that is not a Unix socket.
    pub fn local_unix_addr(&self) -> io::Result<UnixSocketAddr> {
        self.with_std_unix("local_unix_addr", "local_addr", StdUnixStream::local_addr)
    }

    /// The address of a connected Unix socket's peer.
    ///
    /// # Errors
    ///
    /// `NotConnected` for a socket that is not connected; `InvalidInput` on a
    /// socket that is not a Unix socket.
    pub fn peer_unix_addr(&self) -> io::Result<UnixSocketAddr> {
        self.with_std_unix("peer_unix_addr", "peer_addr", StdUnixStream::peer_addr)
    }

    /// Calls `f` on a std view of this Unix socket: std's address type can
    /// only be made by std.
    fn with_std_unix<T>(
        &self,
        called: &str,
        instead: &str,
        f: impl FnOnce(&StdUnixStream) -> io::Result<T>,
    ) -> io::Result<T> {
        if self.domain != Domain::UNIX {
            return Err(wrong_family(called, instead));
        }
        // SAFETY: the fd is open for as long as `self` is borrowed, which
        // outlasts `view`; `ManuallyDrop` keeps the view from closing it, and
        // `f` gets only a shared reference, so it cannot take ownership.
        let view = ManuallyDrop::new(unsafe { StdUnixStream::from_raw_fd(self.fd.as_raw_fd()) });
        f(&view)
    }

    /// Closes the socket (deregister, then close), like dropping it.
    pub fn close(self) {}
}

impl AioSocket {
    /// `InvalidInput` if `addr` is not of this socket's family (the kernel
    /// would say `EAFNOSUPPORT` or `EINVAL`).
    pub(crate) fn check_family(&self, addr: &SocketAddr) -> io::Result<()> {
        if Domain::for_address(addr) == self.domain {
            return Ok(());
        }
        let msg = if self.domain == Domain::UNIX {
            "an IP address given to a Unix socket; use the `_unix` methods".to_string()
        } else {
            format!("{addr} is not an address of this {:?} socket", self.domain)
        };
        Err(io::Error::new(io::ErrorKind::InvalidInput, msg))
    }
}

/// The error for an inet method called on a Unix socket, or the reverse.
fn wrong_family(called: &str, instead: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("`AioSocket::{called}` does not fit this socket's family; use `{instead}`"),
    )
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
