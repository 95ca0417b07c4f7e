//! Socket options and `shutdown`: plain `setsockopt`/`getsockopt` calls
//! that never wait.

use std::io;
use std::mem;
use std::net::Shutdown;
use std::os::fd::AsRawFd;

use crate::socket::AioSocket;
use crate::sys::syscall;

impl AioSocket {
    /// Shuts down the read, write or both halves of the connection: after
    /// `Shutdown::Write` the peer reads end of stream.
    ///
    /// # Errors
    ///
    /// `NotConnected` for a socket that is not connected.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        let how = match how {
            Shutdown::Read => libc::SHUT_RD,
            Shutdown::Write => libc::SHUT_WR,
            Shutdown::Both => libc::SHUT_RDWR,
        };
        syscall!(shutdown(self.fd.as_raw_fd(), how)).map(drop)
    }

    /// Takes the socket's pending error (`SO_ERROR`), if any, clearing it.
    ///
    /// # Errors
    ///
    /// The kernel's error from `getsockopt`.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        match self.get_int(libc::SOL_SOCKET, libc::SO_ERROR)? {
            0 => Ok(None),
            errno => Ok(Some(io::Error::from_raw_os_error(errno))),
        }
    }

    /// Sets `TCP_NODELAY`: small writes are sent at once, without waiting
    /// to be merged (Nagle's algorithm).
    ///
    /// # Errors
    ///
    /// The kernel's `ENOPROTOOPT` or `EOPNOTSUPP` on a socket that is not TCP.
    pub fn set_nodelay(&self, on: bool) -> io::Result<()> {
        self.set_int(libc::IPPROTO_TCP, libc::TCP_NODELAY, on.into())
    }

    /// Whether `TCP_NODELAY` is set.
    ///
    /// # Errors
    ///
    /// The kernel's `ENOPROTOOPT` or `EOPNOTSUPP` on a socket that is not TCP.
    pub fn nodelay(&self) -> io::Result<bool> {
        Ok(self.get_int(libc::IPPROTO_TCP, libc::TCP_NODELAY)? != 0)
    }

    /// Sets `SO_REUSEADDR`: a listener may bind its port again while old
    /// connections on it are in `TIME_WAIT`.
    ///
    /// # Errors
    ///
    /// The kernel's error from `setsockopt`.
    pub fn set_reuseaddr(&self, on: bool) -> io::Result<()> {
        self.set_int(libc::SOL_SOCKET, libc::SO_REUSEADDR, on.into())
    }

    /// Sets `SO_REUSEPORT`: several sockets may bind the same port, and the
    /// kernel spreads connections or datagrams among them.
    ///
    /// # Errors
    ///
    /// The kernel's error from `setsockopt`.
    pub fn set_reuseport(&self, on: bool) -> io::Result<()> {
        self.set_int(libc::SOL_SOCKET, libc::SO_REUSEPORT, on.into())
    }

    /// Sets `SO_BROADCAST`: a datagram socket may send to broadcast addresses.
    ///
    /// # Errors
    ///
    /// The kernel's error from `setsockopt`.
    pub fn set_broadcast(&self, on: bool) -> io::Result<()> {
        self.set_int(libc::SOL_SOCKET, libc::SO_BROADCAST, on.into())
    }

    fn set_int(&self, level: libc::c_int, name: libc::c_int, value: libc::c_int) -> io::Result<()> {
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

    fn get_int(&self, level: libc::c_int, name: libc::c_int) -> io::Result<libc::c_int> {
        let mut value: libc::c_int = 0;
        let mut len = mem::size_of::<libc::c_int>() as libc::socklen_t;
        // SAFETY: `value` has room for `len` bytes.
        syscall!(getsockopt(
            self.fd.as_raw_fd(),
            level,
            name,
            (&raw mut value).cast(),
            &mut len
        ))?;
        Ok(value)
    }
}
