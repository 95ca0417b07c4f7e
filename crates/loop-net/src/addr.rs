//! [`SockAddr`]: one owned socket address for every family, the bytes the
//! kernel reads and writes (storage + length), and the few helpers that
//! fill one from the kernel (`getsockname`, `getpeername`, `accept4`,
//! `recvfrom`).
//!
//! # Design
//!
//! - The bytes live in a union of `sockaddr_storage` (for its size and
//!   alignment) and a byte array (so that copying a `SockAddr` keeps every
//!   byte the kernel wrote, even those that are padding to
//!   `sockaddr_storage`'s own fields). The invariant every `unsafe` block
//!   below cites: *all the bytes are initialised, and `len` is at most their
//!   number*. It holds because a `SockAddr` starts zeroed and only the
//!   kernel or a typed write of a `sockaddr_*` changes it, and `len` is
//!   clamped after the kernel sets it.
//! - Typed views (`sockaddr_in`, `sockaddr_in6`) are read by copy from the
//!   bytes; those structs have no padding, so every byte they read is one
//!   the invariant covers.
//! - Nothing here takes a raw pointer from a caller: the helpers hand the
//!   kernel pointers into a `SockAddr` they own.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::io;
use std::mem;
use std::net::{AddrParseError, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::{AsRawFd, BorrowedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::str::FromStr;

use crate::domain::Domain;
use crate::sys::syscall;

/// Bytes in the kernel's largest socket address.
const STORAGE: usize = mem::size_of::<libc::sockaddr_storage>();

/// Where a Unix address's path starts: an address this long is unnamed.
const SUN_PATH: usize = mem::offset_of!(libc::sockaddr_un, sun_path);

/// Longest Unix socket path, its terminating NUL excluded (107 on Linux).
const SUN_PATH_MAX: usize = mem::size_of::<libc::sockaddr_un>() - SUN_PATH - 1;

/// The bytes of a socket address, aligned as `sockaddr_storage`.
#[derive(Clone, Copy)]
#[repr(C)]
union Storage {
    /// Gives the union `sockaddr_storage`'s size and alignment.
    _storage: libc::sockaddr_storage,
    /// Every byte: read through this field, copied as a whole.
    bytes: [u8; STORAGE],
}

/// A socket address of any family: IPv4, IPv6 or Unix (a path, an abstract
/// name, or unnamed), held as the kernel's bytes and their length.
///
/// [`AioSocket`](crate::AioSocket)'s `bind` and `connect` take one (or
/// anything that converts into one: a `std::net::SocketAddr`, or
/// [`SockAddr::unix`] for a path), and its `accept`, `recv_from`,
/// `local_addr` and `peer_addr` return one, whatever the socket's family.
///
/// Two addresses are equal when their bytes are.
///
/// # Examples
///
/// ```
/// use std::net::SocketAddr;
/// use std::path::Path;
/// use loop_net::{Domain, SockAddr};
///
/// let inet = SockAddr::from("127.0.0.1:8080".parse::<SocketAddr>().unwrap());
/// assert_eq!(inet.domain(), Domain::IPV4);
/// assert_eq!(inet.as_socket(), Some("127.0.0.1:8080".parse().unwrap()));
/// assert_eq!(inet.to_string(), "127.0.0.1:8080");
///
/// let unix = SockAddr::unix("/tmp/app.sock")?;
/// assert_eq!(unix.domain(), Domain::UNIX);
/// assert_eq!(unix.as_pathname(), Some(Path::new("/tmp/app.sock")));
/// assert_eq!(unix.as_socket(), None);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct SockAddr {
    /// Invariant (module docs): every byte initialised.
    storage: Storage,
    /// Invariant (module docs): at most `STORAGE`.
    len: libc::socklen_t,
}

impl SockAddr {
    /// An address of family `AF_UNSPEC` and length 0, all bytes zero.
    fn empty() -> SockAddr {
        SockAddr {
            storage: Storage {
                bytes: [0; STORAGE],
            },
            len: 0,
        }
    }

    /// The address of the Unix socket file at `path`: `bind` creates the
    /// file, which must not exist yet; `connect` reaches the socket
    /// listening there. An empty path binds to an unused abstract name the
    /// kernel picks (autobind).
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a path with a NUL byte or longer than 107 bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_net::SockAddr;
    ///
    /// assert!(SockAddr::unix("/run/app.sock").is_ok());
    /// assert!(SockAddr::unix("bad\0path").is_err());
    /// assert!(SockAddr::unix("a".repeat(108)).is_err());
    /// ```
    pub fn unix(path: impl AsRef<Path>) -> io::Result<SockAddr> {
        let path = path.as_ref().as_os_str().as_bytes();
        if path.contains(&0) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a Unix socket path must not contain NUL bytes",
            ));
        }
        if path.len() > SUN_PATH_MAX {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a Unix socket path must be shorter than 108 bytes",
            ));
        }
        let mut addr = SockAddr::empty();
        let bytes = addr.bytes_mut();
        bytes[..2].copy_from_slice(&(libc::AF_UNIX as libc::sa_family_t).to_ne_bytes());
        bytes[SUN_PATH..SUN_PATH + path.len()].copy_from_slice(path);
        // The path and its terminating NUL (already zero); only the family
        // for an empty path.
        let len = if path.is_empty() {
            SUN_PATH
        } else {
            SUN_PATH + path.len() + 1
        };
        addr.len = len as libc::socklen_t;
        Ok(addr)
    }

    /// Makes an address from what `fill` has the kernel write: `fill` gets
    /// a pointer to zeroed room for any address and the room's length,
    /// which the kernel sets to the address's length.
    pub(crate) fn from_kernel<T>(
        fill: impl FnOnce(*mut libc::sockaddr, &mut libc::socklen_t) -> io::Result<T>,
    ) -> io::Result<(T, SockAddr)> {
        let mut addr = SockAddr::empty();
        let mut len = STORAGE as libc::socklen_t;
        let value = fill((&raw mut addr.storage).cast(), &mut len)?;
        // The kernel reports the full length of an address it had to cut.
        addr.len = len.min(STORAGE as libc::socklen_t);
        Ok((value, addr))
    }

    /// Writes `raw`, a `sockaddr_*` of `len` bytes, at the start.
    fn from_typed<T: Copy>(raw: T) -> SockAddr {
        const { assert!(mem::size_of::<T>() <= STORAGE) };
        let mut addr = SockAddr::empty();
        // SAFETY: the union is aligned as sockaddr_storage, which every
        // `sockaddr_*` fits in (checked above for size); a `sockaddr_*`
        // has no padding, so every byte written is initialised.
        unsafe { (&raw mut addr.storage).cast::<T>().write(raw) };
        addr.len = mem::size_of::<T>() as libc::socklen_t;
        addr
    }

    /// Reads a `sockaddr_*` from the start, if the address is that long.
    fn typed<T: Copy>(&self) -> Option<T> {
        const { assert!(mem::size_of::<T>() <= STORAGE) };
        if (self.len as usize) < mem::size_of::<T>() {
            return None;
        }
        // SAFETY: aligned and in bounds as in `from_typed`; every byte is
        // initialised (the invariant), and the `sockaddr_*` types read here
        // are plain integers and arrays, valid for any bytes.
        Some(unsafe { (&raw const self.storage).cast::<T>().read() })
    }

    /// The meaningful bytes: the first `len`.
    fn as_bytes(&self) -> &[u8] {
        // SAFETY: every byte is initialised (the invariant), and any byte is
        // a valid u8.
        let bytes = unsafe { &self.storage.bytes };
        &bytes[..self.len as usize]
    }

    /// All the bytes, for writing.
    fn bytes_mut(&mut self) -> &mut [u8; STORAGE] {
        // SAFETY: writing through the byte view keeps every byte initialised.
        unsafe { &mut self.storage.bytes }
    }

    /// A pointer to the address, for the kernel to read [`len`](Self::len)
    /// bytes from while `self` is borrowed.
    pub(crate) fn as_ptr(&self) -> *const libc::sockaddr {
        (&raw const self.storage).cast()
    }

    /// The length of the address in bytes.
    pub(crate) fn len(&self) -> libc::socklen_t {
        self.len
    }

    /// The address family, as the domain of a socket that can use it.
    pub fn domain(&self) -> Domain {
        // SAFETY: every byte is initialised (the invariant); the family is
        // the first two.
        let bytes = unsafe { &self.storage.bytes };
        let family = libc::sa_family_t::from_ne_bytes([bytes[0], bytes[1]]);
        Domain(family.into())
    }

    /// The IP address and port, for an IPv4 or IPv6 address.
    pub fn as_socket(&self) -> Option<SocketAddr> {
        match self.domain() {
            Domain::IPV4 => {
                let sin: libc::sockaddr_in = self.typed()?;
                let ip = Ipv4Addr::from(sin.sin_addr.s_addr.to_ne_bytes());
                Some(SocketAddrV4::new(ip, u16::from_be(sin.sin_port)).into())
            }
            Domain::IPV6 => {
                let sin6: libc::sockaddr_in6 = self.typed()?;
                let ip = Ipv6Addr::from(sin6.sin6_addr.s6_addr);
                let port = u16::from_be(sin6.sin6_port);
                Some(SocketAddrV6::new(ip, port, sin6.sin6_flowinfo, sin6.sin6_scope_id).into())
            }
            _ => None,
        }
    }

    /// [`as_socket`](Self::as_socket), or `InvalidInput` naming what the
    /// address is instead.
    pub(crate) fn as_inet(&self) -> io::Result<SocketAddr> {
        self.as_socket().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{self} is not an IP socket address"),
            )
        })
    }

    /// The bytes after the family of a Unix address (its path, or a NUL
    /// then its abstract name; empty when unnamed).
    fn unix_bytes(&self) -> Option<&[u8]> {
        if self.domain() != Domain::UNIX {
            return None;
        }
        Some(self.as_bytes().get(SUN_PATH..).unwrap_or_default())
    }

    /// The path of a Unix address bound to a file.
    pub fn as_pathname(&self) -> Option<&Path> {
        let path = self.unix_bytes()?;
        if path.first().is_none_or(|&b| b == 0) {
            return None;
        }
        // The kernel may count the terminating NUL, or not.
        let end = path.iter().position(|&b| b == 0).unwrap_or(path.len());
        Some(Path::new(std::ffi::OsStr::from_bytes(&path[..end])))
    }

    /// The name of a Unix address in the abstract namespace (Linux), without
    /// its leading NUL.
    pub fn as_abstract_name(&self) -> Option<&[u8]> {
        match self.unix_bytes()? {
            [0, name @ ..] => Some(name),
            _ => None,
        }
    }

    /// True for an unnamed Unix address: that of a socket that never bound,
    /// such as most clients and each end of a `socketpair`.
    pub fn is_unnamed(&self) -> bool {
        self.unix_bytes().is_some_and(<[u8]>::is_empty)
    }
}

impl From<SocketAddrV4> for SockAddr {
    fn from(addr: SocketAddrV4) -> SockAddr {
        SockAddr::from_typed(libc::sockaddr_in {
            sin_family: libc::AF_INET as libc::sa_family_t,
            sin_port: addr.port().to_be(),
            sin_addr: libc::in_addr {
                s_addr: u32::from_ne_bytes(addr.ip().octets()),
            },
            sin_zero: [0; 8],
        })
    }
}

impl From<SocketAddrV6> for SockAddr {
    fn from(addr: SocketAddrV6) -> SockAddr {
        SockAddr::from_typed(libc::sockaddr_in6 {
            sin6_family: libc::AF_INET6 as libc::sa_family_t,
            sin6_port: addr.port().to_be(),
            sin6_flowinfo: addr.flowinfo(),
            sin6_addr: libc::in6_addr {
                s6_addr: addr.ip().octets(),
            },
            sin6_scope_id: addr.scope_id(),
        })
    }
}

impl From<SocketAddr> for SockAddr {
    fn from(addr: SocketAddr) -> SockAddr {
        match addr {
            SocketAddr::V4(addr) => addr.into(),
            SocketAddr::V6(addr) => addr.into(),
        }
    }
}

impl From<&SockAddr> for SockAddr {
    fn from(addr: &SockAddr) -> SockAddr {
        *addr
    }
}

impl FromStr for SockAddr {
    type Err = AddrParseError;

    /// Parses an IP socket address, as `std::net::SocketAddr` does (use
    /// [`SockAddr::unix`] for a path).
    fn from_str(text: &str) -> Result<SockAddr, AddrParseError> {
        text.parse::<SocketAddr>().map(SockAddr::from)
    }
}

impl PartialEq for SockAddr {
    fn eq(&self, other: &SockAddr) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for SockAddr {}

impl Hash for SockAddr {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

impl fmt::Display for SockAddr {
    /// An IP address as std shows it; a Unix path as is; an abstract name
    /// as `@name` (bytes escaped); `(unnamed)`; another family by number.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(addr) = self.as_socket() {
            return addr.fmt(f);
        }
        if let Some(path) = self.as_pathname() {
            return path.display().fmt(f);
        }
        if let Some(name) = self.as_abstract_name() {
            return write!(f, "@{}", name.escape_ascii());
        }
        if self.is_unnamed() {
            return f.write_str("(unnamed)");
        }
        write!(f, "(address of family {})", self.domain().0)
    }
}

impl fmt::Debug for SockAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SockAddr({self})")
    }
}

/// The address `fd` is bound to (`getsockname`).
pub(crate) fn local_addr(fd: BorrowedFd<'_>) -> io::Result<SockAddr> {
    let (_, addr) = SockAddr::from_kernel(|addr, len| {
        // SAFETY: `addr` has room for `*len` bytes, which the kernel fills.
        syscall!(getsockname(fd.as_raw_fd(), addr, len))
    })?;
    Ok(addr)
}

/// The address of `fd`'s connected peer (`getpeername`).
pub(crate) fn peer_addr(fd: BorrowedFd<'_>) -> io::Result<SockAddr> {
    let (_, addr) = SockAddr::from_kernel(|addr, len| {
        // SAFETY: `addr` has room for `*len` bytes, which the kernel fills.
        syscall!(getpeername(fd.as_raw_fd(), addr, len))
    })?;
    Ok(addr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inet_addresses_round_trip_through_the_kernels_bytes() {
        for text in ["127.0.0.1:8080", "[::1]:443", "[fe80::1%2]:9", "0.0.0.0:0"] {
            let addr: SocketAddr = text.parse().unwrap();
            let raw = SockAddr::from(addr);
            assert!(raw.len() as usize <= STORAGE);
            assert_eq!(raw.as_socket(), Some(addr));
            assert_eq!(raw.domain(), Domain::for_address(&addr));
            assert_eq!(raw.to_string(), addr.to_string());
            assert_eq!(text.parse::<SockAddr>().unwrap(), raw);
        }
    }

    #[test]
    fn a_unix_path_is_nul_terminated_and_its_length_counts_the_nul() {
        let addr = SockAddr::unix("/tmp/x.sock").unwrap();
        assert_eq!(addr.len() as usize, SUN_PATH + "/tmp/x.sock".len() + 1);
        let bytes = addr.as_bytes();
        assert_eq!(&bytes[SUN_PATH..], b"/tmp/x.sock\0");
        assert_eq!(addr.as_pathname(), Some(Path::new("/tmp/x.sock")));
        assert_eq!(addr.as_socket(), None);
        assert!(!addr.is_unnamed());
        assert_eq!(addr.to_string(), "/tmp/x.sock");
    }

    #[test]
    fn a_unix_path_too_long_or_with_a_nul_is_invalid_input() {
        let long = "a".repeat(108);
        for path in [long.as_str(), "bad\0path"] {
            let err = SockAddr::unix(path).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{path:?}");
        }
        assert!(SockAddr::unix("a".repeat(107)).is_ok());
    }

    #[test]
    fn an_empty_unix_path_is_only_the_family_and_reads_as_unnamed() {
        let addr = SockAddr::unix("").unwrap();
        assert_eq!(addr.len() as usize, SUN_PATH);
        assert!(addr.is_unnamed());
        assert_eq!(addr.as_pathname(), None);
        assert_eq!(addr.to_string(), "(unnamed)");
    }

    #[test]
    fn an_abstract_name_is_shown_with_an_at_sign() {
        let mut addr = SockAddr::unix("").unwrap();
        addr.bytes_mut()[SUN_PATH + 1..SUN_PATH + 4].copy_from_slice(b"app");
        addr.len = (SUN_PATH + 4) as libc::socklen_t;
        assert_eq!(addr.as_abstract_name(), Some(&b"app"[..]));
        assert_eq!(addr.as_pathname(), None);
        assert_eq!(addr.to_string(), "@app");
    }

    #[test]
    fn a_family_other_than_inet_is_invalid_input_as_an_ip_address() {
        let unix = SockAddr::unix("/tmp/x.sock").unwrap();
        assert_eq!(
            unix.as_inet().unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
        let nothing = SockAddr::empty();
        assert_eq!(
            nothing.as_inet().unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
    }

    #[test]
    fn an_address_the_kernel_cut_keeps_its_length_within_the_storage() {
        let (_, addr) = SockAddr::from_kernel(|_, len| {
            *len = 4096;
            Ok(())
        })
        .unwrap();
        assert_eq!(addr.len() as usize, STORAGE);
    }
}
