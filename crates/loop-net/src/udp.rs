//! `UdpSocket`: the typed UDP layer over [`AioSocket`], shaped like std's.

use std::io;
use std::net::SocketAddr;
use std::os::fd::OwnedFd;

use crate::domain::{Domain, Type};
use crate::resolve::{ToSocketAddrs, each_addr, no_addresses, resolve, resolve_blocking};
use crate::reuseport;
use crate::socket::AioSocket;
use crate::typed::socket_traits;

/// A UDP socket: datagrams to and from any address, or, once
/// [`connect`](UdpSocket::connect)ed, to and from one peer.
///
/// Its methods take `&self`, so one task may receive while another sends.
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
/// use loop_net::{Reactor, UdpSocket};
///
/// let lp = Loop::with_park(Reactor::new()?);
/// lp.run_task(async {
///     let a = UdpSocket::bind("127.0.0.1:0")?;
///     let b = UdpSocket::bind("127.0.0.1:0")?;
///     a.send_to(b"ping", b.local_addr()?).await?;
///     let mut buf = [0; 16];
///     let (n, from) = b.recv_from(&mut buf).await?;
///     assert_eq!((&buf[..n], from), (&b"ping"[..], a.local_addr()?));
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct UdpSocket {
    socket: AioSocket,
}

impl UdpSocket {
    /// Binds a UDP socket to `addr`, like std's `UdpSocket::bind`: each
    /// address `addr` names is tried in turn. A host name is looked up on the
    /// calling thread, as std does.
    ///
    /// # Panics
    ///
    /// Outside a running loop, or when the loop's park is not a
    /// [`Reactor`](crate::Reactor).
    ///
    /// # Errors
    ///
    /// `AddrInUse`, `AddrNotAvailable`, `PermissionDenied`, `InvalidInput`
    /// for a malformed address: the last address's error.
    #[track_caller]
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<UdpSocket> {
        let addrs = resolve_blocking(&addr)?;
        each_addr(addrs, |addr| {
            let socket = AioSocket::new(Domain::for_address(&addr), Type::DGRAM)?;
            socket.bind(addr)?;
            Ok(UdpSocket { socket })
        })
    }

    /// Binds a UDP socket to `addr` with `SO_REUSEPORT` set before `bind`:
    /// each loop of a pool binds its own socket on the same address, and the
    /// kernel spreads incoming datagrams among them (by a hash of the
    /// sender's address). Otherwise as [`bind`](UdpSocket::bind).
    ///
    /// # Panics
    ///
    /// Outside a running loop, or when the loop's park is not a
    /// [`Reactor`](crate::Reactor).
    ///
    /// # Errors
    ///
    /// As [`bind`](UdpSocket::bind). `AddrInUse` means that the port is held
    /// by a socket that did not set `SO_REUSEPORT`, or by a process of another
    /// user; its message says so.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    /// use loop_net::{Reactor, UdpSocket};
    ///
    /// let lp = Loop::with_park(Reactor::new()?);
    /// lp.run_task(async {
    ///     let first = UdpSocket::bind_reuseport("127.0.0.1:0")?;
    ///     let addr = first.local_addr()?;
    ///     let second = UdpSocket::bind_reuseport(addr)?; // the same port
    ///     assert_eq!(second.local_addr()?, addr);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[doc(alias = "SO_REUSEPORT")]
    #[track_caller]
    pub fn bind_reuseport(addr: impl ToSocketAddrs) -> io::Result<UdpSocket> {
        let addrs = resolve_blocking(&addr)?;
        each_addr(addrs, |addr| {
            let socket = reuseport::bind_reuseport(addr, Type::DGRAM)?;
            Ok(UdpSocket { socket })
        })
    }

    /// Adopts a UDP socket from std, setting it non-blocking.
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
    pub fn from_std(socket: std::net::UdpSocket) -> io::Result<UdpSocket> {
        let socket = AioSocket::from_fd(OwnedFd::from(socket))?;
        Ok(UdpSocket { socket })
    }

    /// Deregisters the socket from this loop's Reactor and gives back std's
    /// type, still open and still non-blocking: this is how it moves to
    /// another loop, which adopts it with [`from_std`](UdpSocket::from_std). Data the
    /// kernel holds for it is kept; the readiness this loop had seen is not
    /// (the new loop tries its first call at once).
    ///
    /// It may be called on any thread (the socket is `Send`): it takes the
    /// fd out of its loop's Reactor wherever it is. The std value then crosses
    /// to the other loop, for instance inside a `Spawner::add_task_with`
    /// closure.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    /// use loop_net::{Reactor, UdpSocket};
    ///
    /// let lp = Loop::with_park(Reactor::new()?);
    /// let std_socket = lp.run_task(async { Ok::<_, std::io::Error>(UdpSocket::bind("127.0.0.1:0")?.into_std()) })?;
    /// let addr = std_socket.local_addr()?;
    /// let again = lp.run_task(async move { UdpSocket::from_std(std_socket)?.local_addr() })?;
    /// assert_eq!(again, addr);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn into_std(self) -> std::net::UdpSocket {
        std::net::UdpSocket::from(std::os::fd::OwnedFd::from(self.socket))
    }

    /// Sends one datagram to `target` (its first address, if it names
    /// several; a host name is looked up on another thread).
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a datagram too large or an address that resolves
    /// to nothing; `NetworkUnreachable`; the resolver's error.
    ///
    /// # Cancellation
    ///
    /// Dropping the future before it completes sends nothing.
    pub async fn send_to(&self, buf: &[u8], target: impl ToSocketAddrs) -> io::Result<usize> {
        let target = *resolve(&target).await?.first().ok_or_else(no_addresses)?;
        self.socket.send_to(buf, target).await
    }

    /// Receives one datagram; returns its length and sender. A datagram
    /// longer than `buf` is cut to fit.
    ///
    /// # Errors
    ///
    /// `ConnectionRefused` on a connected socket whose peer's port is closed.
    ///
    /// # Cancellation
    ///
    /// Dropping the future before it completes receives nothing.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        let (n, from) = self.socket.recv_from(buf).await?;
        Ok((n, from.as_inet()?))
    }

    /// Sets the socket's peer: [`send`](UdpSocket::send) goes there, and
    /// only its datagrams are received. Each address `addr` names is tried
    /// in turn; a host name is looked up on another thread.
    ///
    /// # Errors
    ///
    /// `NetworkUnreachable`, `InvalidInput` for an address that resolves to
    /// nothing: the last address's error.
    pub async fn connect(&self, addr: impl ToSocketAddrs) -> io::Result<()> {
        let addrs = resolve(&addr).await?;
        let mut last = None;
        for addr in addrs {
            // A UDP connect only records the peer: it completes at once.
            match self.socket.connect(addr).await {
                Ok(()) => return Ok(()),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(no_addresses))
    }

    /// Sends one datagram to the connected peer.
    ///
    /// # Errors
    ///
    /// The kernel's `EDESTADDRREQ` before [`connect`](UdpSocket::connect);
    /// `ConnectionRefused` after the peer's port was found closed.
    ///
    /// # Cancellation
    ///
    /// Dropping the future before it completes sends nothing.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.socket.send(buf).await
    }

    /// Receives one datagram from the connected peer.
    ///
    /// # Errors
    ///
    /// `ConnectionRefused` after the peer's port was found closed.
    ///
    /// # Cancellation
    ///
    /// Dropping the future before it completes receives nothing.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.socket.recv(buf).await
    }

    /// The address the socket is bound to.
    ///
    /// # Errors
    ///
    /// The kernel's error from `getsockname`.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()?.as_inet()
    }

    /// The connected peer's address.
    ///
    /// # Errors
    ///
    /// `NotConnected` before [`connect`](UdpSocket::connect).
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.socket.peer_addr()?.as_inet()
    }

    /// Sets `SO_BROADCAST`: the socket may send to broadcast addresses.
    ///
    /// # Errors
    ///
    /// The kernel's error from `setsockopt`.
    pub fn set_broadcast(&self, on: bool) -> io::Result<()> {
        self.socket.set_broadcast(on)
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

socket_traits!(UdpSocket);
