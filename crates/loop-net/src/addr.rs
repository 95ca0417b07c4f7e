//! Conversion between the addresses users hold (`std::net::SocketAddr`, a
//! Unix socket's path) and the kernel's `sockaddr`.

use std::io;
use std::mem;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// `addr` as a `sockaddr_storage` and the length of its meaningful part.
pub(crate) fn to_raw(addr: SocketAddr) -> (libc::sockaddr_storage, libc::socklen_t) {
    // SAFETY: an all-zero sockaddr_storage is a valid value.
    let mut storage: libc::sockaddr_storage = unsafe { mem::zeroed() };
    let len = match addr {
        SocketAddr::V4(a) => {
            let sin = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: a.port().to_be(),
                sin_addr: libc::in_addr {
                    s_addr: u32::from_ne_bytes(a.ip().octets()),
                },
                sin_zero: [0; 8],
            };
            // SAFETY: sockaddr_storage is larger than and aligned for sockaddr_in.
            unsafe { (&raw mut storage).cast::<libc::sockaddr_in>().write(sin) };
            mem::size_of::<libc::sockaddr_in>()
        }
        SocketAddr::V6(a) => {
            let sin6 = libc::sockaddr_in6 {
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: a.port().to_be(),
                sin6_flowinfo: a.flowinfo(),
                sin6_addr: libc::in6_addr {
                    s6_addr: a.ip().octets(),
                },
                sin6_scope_id: a.scope_id(),
            };
            // SAFETY: sockaddr_storage is larger than and aligned for sockaddr_in6.
            unsafe { (&raw mut storage).cast::<libc::sockaddr_in6>().write(sin6) };
            mem::size_of::<libc::sockaddr_in6>()
        }
    };
    (storage, len as libc::socklen_t)
}

/// The `SocketAddr` the kernel wrote into `storage`.
pub(crate) fn from_raw(storage: &libc::sockaddr_storage) -> io::Result<SocketAddr> {
    match storage.ss_family as libc::c_int {
        libc::AF_INET => {
            // SAFETY: the family says the kernel wrote a sockaddr_in here.
            let sin =
                unsafe { &*(storage as *const libc::sockaddr_storage).cast::<libc::sockaddr_in>() };
            let ip = Ipv4Addr::from(sin.sin_addr.s_addr.to_ne_bytes());
            Ok(SocketAddrV4::new(ip, u16::from_be(sin.sin_port)).into())
        }
        libc::AF_INET6 => {
            // SAFETY: the family says the kernel wrote a sockaddr_in6 here.
            let sin6 = unsafe {
                &*(storage as *const libc::sockaddr_storage).cast::<libc::sockaddr_in6>()
            };
            let ip = Ipv6Addr::from(sin6.sin6_addr.s6_addr);
            Ok(SocketAddrV6::new(
                ip,
                u16::from_be(sin6.sin6_port),
                sin6.sin6_flowinfo,
                sin6.sin6_scope_id,
            )
            .into())
        }
        _ => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not an IP socket address (for a Unix socket, use the `_unix` methods)",
        )),
    }
}

/// `path` as a `sockaddr_un` and the length of its meaningful part (the path
/// and its terminating NUL).
///
/// # Errors
///
/// `InvalidInput` for a path with a NUL byte or too long for `sun_path`
/// (107 bytes on Linux).
pub(crate) fn unix_to_raw(path: &Path) -> io::Result<(libc::sockaddr_un, libc::socklen_t)> {
    // SAFETY: an all-zero sockaddr_un is a valid value.
    let mut raw: libc::sockaddr_un = unsafe { mem::zeroed() };
    raw.sun_family = libc::AF_UNIX as libc::sa_family_t;
    let bytes = path.as_os_str().as_bytes();
    if bytes.contains(&0) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "a Unix socket path must not contain NUL bytes",
        ));
    }
    // Keep room for the terminating NUL, already there in the zeroed array.
    if bytes.len() >= raw.sun_path.len() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "a Unix socket path must be shorter than 108 bytes",
        ));
    }
    for (dst, &src) in raw.sun_path.iter_mut().zip(bytes) {
        *dst = src as libc::c_char;
    }
    let offset = mem::offset_of!(libc::sockaddr_un, sun_path);
    let len = if bytes.is_empty() {
        // Only the family: binding to it picks an unused abstract name.
        offset
    } else {
        offset + bytes.len() + 1
    };
    Ok((raw, len as libc::socklen_t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inet_addresses_round_trip_through_sockaddr_storage() {
        for text in ["127.0.0.1:8080", "[::1]:443", "[fe80::1%2]:9", "0.0.0.0:0"] {
            let addr: SocketAddr = text.parse().unwrap();
            let (raw, len) = to_raw(addr);
            assert!(len as usize <= mem::size_of_val(&raw));
            assert_eq!(from_raw(&raw).unwrap(), addr);
        }
    }

    #[test]
    fn a_unix_path_is_nul_terminated_and_its_length_counts_the_nul() {
        let (raw, len) = unix_to_raw(Path::new("/tmp/x.sock")).unwrap();
        let offset = mem::offset_of!(libc::sockaddr_un, sun_path);
        assert_eq!(len as usize, offset + "/tmp/x.sock".len() + 1);
        assert_eq!(raw.sun_path["/tmp/x.sock".len()], 0);
        assert_eq!(raw.sun_path[0], b'/' as libc::c_char);
    }

    #[test]
    fn a_unix_path_too_long_or_with_a_nul_is_invalid_input() {
        let long = "a".repeat(108);
        for path in [long.as_str(), "bad\0path"] {
            let err = unix_to_raw(Path::new(path)).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{path:?}");
        }
        assert!(unix_to_raw(Path::new(&"a".repeat(107))).is_ok());
    }

    #[test]
    fn a_family_other_than_inet_is_invalid_input() {
        // SAFETY: an all-zero sockaddr_storage is a valid value.
        let mut raw: libc::sockaddr_storage = unsafe { mem::zeroed() };
        raw.ss_family = libc::AF_UNIX as libc::sa_family_t;
        assert_eq!(
            from_raw(&raw).unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
    }
}
