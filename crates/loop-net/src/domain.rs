//! [`Domain`] and [`Type`]: what kind of socket [`AioSocket::new`] makes.
//!
//! [`AioSocket::new`]: crate::AioSocket::new

use std::fmt;
use std::net::SocketAddr;

/// A socket's address family.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Domain(pub(crate) libc::c_int);

impl Domain {
    /// IPv4 (`AF_INET`).
    pub const IPV4: Domain = Domain(libc::AF_INET);
    /// IPv6 (`AF_INET6`).
    pub const IPV6: Domain = Domain(libc::AF_INET6);
    /// Unix domain (`AF_UNIX`): sockets named by a path on this machine.
    pub const UNIX: Domain = Domain(libc::AF_UNIX);

    /// The domain of a socket that can bind or connect to `addr`.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_net::Domain;
    ///
    /// assert_eq!(Domain::for_address(&"[::1]:80".parse().unwrap()), Domain::IPV6);
    /// ```
    pub fn for_address(addr: &SocketAddr) -> Domain {
        match addr {
            SocketAddr::V4(_) => Domain::IPV4,
            SocketAddr::V6(_) => Domain::IPV6,
        }
    }
}

impl fmt::Debug for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Domain::IPV4 => f.write_str("IPV4"),
            Domain::IPV6 => f.write_str("IPV6"),
            Domain::UNIX => f.write_str("UNIX"),
            Domain(other) => write!(f, "Domain({other})"),
        }
    }
}

/// A socket's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Type(pub(crate) libc::c_int);

impl Type {
    /// A byte stream (`SOCK_STREAM`: TCP, or a Unix stream).
    pub const STREAM: Type = Type(libc::SOCK_STREAM);
    /// Datagrams (`SOCK_DGRAM`: UDP, or Unix datagrams).
    pub const DGRAM: Type = Type(libc::SOCK_DGRAM);
}
