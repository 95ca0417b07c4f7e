//! `SO_REUSEPORT` binding, shared by [`TcpListener::bind_reuseport`] and
//! [`UdpSocket::bind_reuseport`]: one socket per loop on the same address,
//! and the kernel spreads connections (or datagrams) among them.
//!
//! [`TcpListener::bind_reuseport`]: crate::TcpListener::bind_reuseport
//! [`UdpSocket::bind_reuseport`]: crate::UdpSocket::bind_reuseport

use std::io;
use std::net::SocketAddr;

use crate::domain::{Domain, Type};
use crate::socket::{AioSocket, max_backlog};

/// A socket of type `ty` with `SO_REUSEPORT` set, bound to `addr`, and
/// listening if it is a stream socket.
///
/// # Errors
///
/// As `bind`; `AddrInUse` says that another socket holds the port without
/// `SO_REUSEPORT` (or belongs to another user), which is the only way a
/// `SO_REUSEPORT` bind finds the port in use.
pub(crate) fn bind_reuseport(addr: SocketAddr, ty: Type) -> io::Result<AioSocket> {
    let socket = AioSocket::new(Domain::for_address(&addr), ty)?;
    if ty == Type::STREAM {
        socket.set_reuseaddr(true)?;
    }
    socket.set_reuseport(true)?;
    socket.bind(addr).map_err(|e| explain_in_use(e, addr))?;
    if ty == Type::STREAM {
        socket.listen(max_backlog())?;
    }
    Ok(socket)
}

/// Turns the kernel's bare `EADDRINUSE` into an error that says why.
fn explain_in_use(e: io::Error, addr: SocketAddr) -> io::Error {
    if e.kind() != io::ErrorKind::AddrInUse {
        return e;
    }
    io::Error::new(
        io::ErrorKind::AddrInUse,
        format!(
            "{addr} is held by a socket that did not set SO_REUSEPORT (or that belongs to \
             another user); `bind_reuseport` shares a port only among sockets that all set it: \
             stop the other holder, bind it with `bind_reuseport` too, or pick another port ({e})"
        ),
    )
}
