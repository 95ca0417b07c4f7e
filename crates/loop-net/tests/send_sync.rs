//! The auto-trait and trait contracts of loop-net's types, in one table.
//!
//! The Reactor is loop-local (`!Send`, `!Sync`). Sockets, fds and their
//! registrations are `Send + Sync`, so that Send-bound code (hyper, tower, a
//! `Spawner` task) can hold them; they are used on the loop they were
//! registered with, panic naming the fix anywhere else, and may be dropped
//! anywhere (`tests/send.rs`). The plain values (`Domain`, `Type`,
//! `Direction`) go anywhere.

use std::os::fd::{AsFd, AsRawFd, FromRawFd, IntoRawFd, OwnedFd};

use futures_util::io::{AsyncRead, AsyncWrite};
use loop_net::{
    AioSocket, Direction, Domain, Reactor, Registration, SockAddr, TcpListener, TcpStream,
    ToSocketAddrs, Type, UdpSocket, UnixListener, UnixStream,
};
use static_assertions::{assert_impl_all, assert_not_impl_any};

assert_not_impl_any!(Reactor: Send, Sync);
assert_impl_all!(Registration: Send, Sync);
assert_impl_all!(AioSocket: Send, Sync);
assert_impl_all!(TcpListener: Send, Sync);
assert_impl_all!(TcpStream: Send, Sync);
assert_impl_all!(UdpSocket: Send, Sync);
assert_impl_all!(UnixListener: Send, Sync);
assert_impl_all!(UnixStream: Send, Sync);

assert_impl_all!(Domain: Send, Sync, Copy, Eq, std::fmt::Debug);
assert_impl_all!(Type: Send, Sync, Copy, Eq, std::fmt::Debug);
assert_impl_all!(Direction: Send, Sync, Copy, Eq, std::fmt::Debug);
assert_impl_all!(
    SockAddr: Send,
    Sync,
    Copy,
    Eq,
    std::hash::Hash,
    std::fmt::Debug,
    std::fmt::Display,
    std::str::FromStr,
    From<std::net::SocketAddr>,
    From<std::net::SocketAddrV4>,
    From<std::net::SocketAddrV6>,
    From<&'static SockAddr>
);

assert_impl_all!(AioSocket: AsRawFd, AsFd, IntoRawFd, FromRawFd, Into<OwnedFd>, std::fmt::Debug);
assert_impl_all!(TcpListener: AsRawFd, AsFd, Into<AioSocket>, std::fmt::Debug);
assert_impl_all!(UdpSocket: AsRawFd, AsFd, Into<AioSocket>, std::fmt::Debug);
assert_impl_all!(UnixListener: AsRawFd, AsFd, Into<AioSocket>, std::fmt::Debug);

assert_impl_all!(AioSocket: AsyncRead, AsyncWrite, Unpin);
assert_impl_all!(&AioSocket: AsyncRead, AsyncWrite);
assert_impl_all!(TcpStream: AsyncRead, AsyncWrite, Unpin, AsRawFd, AsFd, Into<AioSocket>);
assert_impl_all!(&TcpStream: AsyncRead, AsyncWrite);
assert_impl_all!(UnixStream: AsyncRead, AsyncWrite, Unpin, AsRawFd, AsFd, Into<AioSocket>);
assert_impl_all!(&UnixStream: AsyncRead, AsyncWrite);

// What `connect` takes: each type std's `ToSocketAddrs` is implemented for.
assert_impl_all!(std::net::SocketAddr: ToSocketAddrs);
assert_impl_all!(std::net::SocketAddrV4: ToSocketAddrs);
assert_impl_all!(std::net::SocketAddrV6: ToSocketAddrs);
assert_impl_all!((std::net::IpAddr, u16): ToSocketAddrs);
assert_impl_all!((std::net::Ipv4Addr, u16): ToSocketAddrs);
assert_impl_all!((std::net::Ipv6Addr, u16): ToSocketAddrs);
assert_impl_all!((&str, u16): ToSocketAddrs);
assert_impl_all!((String, u16): ToSocketAddrs);
assert_impl_all!(str: ToSocketAddrs);
assert_impl_all!(&str: ToSocketAddrs);
assert_impl_all!(String: ToSocketAddrs);
assert_impl_all!(&String: ToSocketAddrs);
assert_impl_all!(&[std::net::SocketAddr]: ToSocketAddrs);

// An `AioFd` is registered with its loop's Reactor, like a socket: `Send`
// and `Sync` when what it wraps is.
assert_impl_all!(loop_net::AioFd<std::os::fd::OwnedFd>: Send, Sync);
assert_not_impl_any!(loop_net::AioFd<PhantomRc>: Send, Sync);

/// An `AsFd` that is neither `Send` nor `Sync`.
struct PhantomRc(OwnedFd, std::marker::PhantomData<std::rc::Rc<()>>);
impl AsFd for PhantomRc {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.0.as_fd()
    }
}
assert_impl_all!(loop_net::AioFd<std::io::PipeReader>: futures_util::io::AsyncRead, std::fmt::Debug);
assert_impl_all!(loop_net::AioFd<std::io::PipeWriter>: futures_util::io::AsyncWrite);
assert_impl_all!(&'static loop_net::AioFd<std::io::PipeReader>: futures_util::io::AsyncRead);

// The OS handles built on `AioFd` and the blocking pool are `Send + Sync`
// too, so Send-bound code can hold them.
assert_impl_all!(loop_net::signal::Signals: Send, Sync);
assert_impl_all!(loop_net::process::Child: Send, Sync);
assert_impl_all!(loop_net::process::ChildStdin: Send, Sync);
assert_impl_all!(loop_net::process::ChildStdout: Send, Sync);
assert_impl_all!(loop_net::process::ChildStderr: Send, Sync);
assert_impl_all!(loop_net::Stdin: Send, Sync);
assert_impl_all!(loop_net::fs::File: Send, Sync);
