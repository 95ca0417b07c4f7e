//! [`ToSocketAddrs`]: what `connect`, `bind` and `send_to` take, and how host
//! names become addresses without blocking the loop.
//!
//! # Design
//!
//! The trait is implemented for exactly the types std's
//! `std::net::ToSocketAddrs` is, but it is sealed and says, without doing
//! any I/O, whether its value is already an address (a `SocketAddr`, an IP
//! literal such as `"127.0.0.1:80"` or `("::1", 80)`) or a host name to
//! look up. Std's trait cannot say that: its `to_socket_addrs` may block in
//! `getaddrinfo`.
//!
//! - Addresses are used at once: no thread, no allocation beyond a `Vec`.
//! - A host name is looked up with std's resolver (it follows
//!   `/etc/hosts`, `/etc/nsswitch.conf` and the system's DNS settings) on
//!   loop-core's blocking pool (`loop_core::spawn_blocking`), so lookups
//!   share its capped threads instead of starting one each; the task waits
//!   on the job's `JoinHandle` like any other. If the task stops waiting,
//!   the lookup finishes and its answer is dropped.
//! - The sync `bind`s resolve on the calling thread, as std does.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use loop_core::Handle;

use crate::messages;

/// Something that names one or more socket addresses: what std's
/// `ToSocketAddrs` takes, resolved without blocking the loop.
///
/// Implemented for `SocketAddr`, `SocketAddrV4`, `SocketAddrV6`,
/// `(IpAddr, u16)`, `(Ipv4Addr, u16)`, `(Ipv6Addr, u16)`, `(&str, u16)`,
/// `(String, u16)`, `str` (`"host:port"`), `String`, `&[SocketAddr]`, and
/// references to each. An IP address, or a string holding one, is used as
/// it is; a host name (`"localhost:8080"`, `("example.com", 443)`) is looked
/// up on loop-core's blocking pool while the task waits, so the loop keeps running.
/// The trait is sealed: it cannot be implemented outside this crate.
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
/// use loop_net::{Reactor, TcpListener, TcpStream};
///
/// let lp = Loop::with_park(Reactor::new()?);
/// lp.run_task(async {
///     let listener = TcpListener::bind("127.0.0.1:0")?;
///     let port = listener.local_addr()?.port();
///     let _by_literal = TcpStream::connect(("127.0.0.1", port)).await?;
///     let _by_name = TcpStream::connect(format!("localhost:{port}")).await?;
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub trait ToSocketAddrs: sealed::Sealed {}

pub(crate) mod sealed {
    use std::io;
    use std::net::SocketAddr;

    /// What a [`ToSocketAddrs`](super::ToSocketAddrs) value names.
    #[derive(Debug)]
    pub enum Lookup {
        /// Addresses, ready to use.
        Addrs(Vec<SocketAddr>),
        /// A host name and a port, to look up.
        Host(String, u16),
    }

    /// The sealed half of [`ToSocketAddrs`](super::ToSocketAddrs).
    pub trait Sealed {
        /// What this value names, found without any I/O.
        fn lookup(&self) -> io::Result<Lookup>;
    }
}

use sealed::{Lookup, Sealed};

macro_rules! addresses {
    ($($ty:ty => |$v:ident| $addr:expr;)*) => {$(
        impl Sealed for $ty {
            fn lookup(&self) -> io::Result<Lookup> {
                let $v = self;
                Ok(Lookup::Addrs(vec![$addr]))
            }
        }
        impl ToSocketAddrs for $ty {}
    )*};
}

addresses! {
    SocketAddr => |a| *a;
    SocketAddrV4 => |a| SocketAddr::V4(*a);
    SocketAddrV6 => |a| SocketAddr::V6(*a);
    (IpAddr, u16) => |a| SocketAddr::new(a.0, a.1);
    (Ipv4Addr, u16) => |a| SocketAddr::new(a.0.into(), a.1);
    (Ipv6Addr, u16) => |a| SocketAddr::new(a.0.into(), a.1);
}

/// A host and port: an IP literal is used as is, a name is looked up.
fn host_port(host: &str, port: u16) -> Lookup {
    match host.parse::<IpAddr>() {
        Ok(ip) => Lookup::Addrs(vec![SocketAddr::new(ip, port)]),
        Err(_) => Lookup::Host(host.to_owned(), port),
    }
}

impl Sealed for (&str, u16) {
    fn lookup(&self) -> io::Result<Lookup> {
        Ok(host_port(self.0, self.1))
    }
}
impl ToSocketAddrs for (&str, u16) {}

impl Sealed for (String, u16) {
    fn lookup(&self) -> io::Result<Lookup> {
        Ok(host_port(&self.0, self.1))
    }
}
impl ToSocketAddrs for (String, u16) {}

impl Sealed for str {
    fn lookup(&self) -> io::Result<Lookup> {
        if let Ok(addr) = self.parse::<SocketAddr>() {
            return Ok(Lookup::Addrs(vec![addr]));
        }
        let invalid = |msg| io::Error::new(io::ErrorKind::InvalidInput, msg);
        let (host, port) = self
            .rsplit_once(':')
            .ok_or_else(|| invalid("invalid socket address: expected \"host:port\""))?;
        let port = port.parse().map_err(|_| invalid("invalid port value"))?;
        Ok(host_port(host, port))
    }
}
impl ToSocketAddrs for str {}

impl Sealed for String {
    fn lookup(&self) -> io::Result<Lookup> {
        self.as_str().lookup()
    }
}
impl ToSocketAddrs for String {}

impl Sealed for &[SocketAddr] {
    fn lookup(&self) -> io::Result<Lookup> {
        Ok(Lookup::Addrs(self.to_vec()))
    }
}
impl ToSocketAddrs for &[SocketAddr] {}

impl<T: ToSocketAddrs + ?Sized> Sealed for &T {
    fn lookup(&self) -> io::Result<Lookup> {
        (**self).lookup()
    }
}
impl<T: ToSocketAddrs + ?Sized> ToSocketAddrs for &T {}

/// The addresses `addr` names, looking a host name up on the calling thread.
pub(crate) fn resolve_blocking(
    addr: &(impl ToSocketAddrs + ?Sized),
) -> io::Result<Vec<SocketAddr>> {
    match addr.lookup()? {
        Lookup::Addrs(addrs) => Ok(addrs),
        Lookup::Host(host, port) => look_up(&host, port),
    }
}

/// The addresses `addr` names; a host name is looked up on another thread
/// while the task waits.
///
/// # Errors
///
/// `InvalidInput` for a malformed string; the resolver's error for a name it
/// cannot find.
pub(crate) async fn resolve(addr: &(impl ToSocketAddrs + ?Sized)) -> io::Result<Vec<SocketAddr>> {
    match addr.lookup()? {
        Lookup::Addrs(addrs) => Ok(addrs),
        Lookup::Host(host, port) => look_up_elsewhere(host, port).await,
    }
}

/// std's resolver, which blocks in `getaddrinfo`.
fn look_up(host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
    std::net::ToSocketAddrs::to_socket_addrs(&(host, port)).map(Iterator::collect)
}

/// Looks `host` up on the blocking pool (`loop_core::spawn_blocking`)
/// while the task waits.
///
/// # Errors
///
/// The resolver's error; `Other` if no loop runs here or the lookup panicked.
async fn look_up_elsewhere(host: String, port: u16) -> io::Result<Vec<SocketAddr>> {
    // The `Handle` is not held across the wait: it is `!Send`, and
    // `connect`'s future must be `Send` (hyper-util's pooled client needs it).
    let Some(lookup) =
        Handle::try_current().map(|h| h.spawn_blocking(move || look_up(&host, port)))
    else {
        return Err(io::Error::other(messages::LOOKUP_NO_LOOP));
    };
    match lookup.await {
        Ok(result) => result,
        Err(err) => Err(io::Error::other(format!(
            "the host name lookup failed: {err}"
        ))),
    }
}

/// The error for a name that resolved to no address at all.
pub(crate) fn no_addresses() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        "could not resolve to any addresses",
    )
}

/// Calls `f` on each address in turn until one succeeds; the last error
/// otherwise.
pub(crate) fn each_addr<T>(
    addrs: Vec<SocketAddr>,
    mut f: impl FnMut(SocketAddr) -> io::Result<T>,
) -> io::Result<T> {
    let mut last = None;
    for addr in addrs {
        match f(addr) {
            Ok(value) => return Ok(value),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(no_addresses))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_literal(lookup: io::Result<Lookup>) -> bool {
        matches!(lookup.unwrap(), Lookup::Addrs(_))
    }

    #[test]
    fn ip_literals_need_no_lookup_thread() {
        assert!(is_literal("127.0.0.1:80".lookup()));
        assert!(is_literal("[::1]:80".lookup()));
        assert!(is_literal(("::1", 80).lookup()));
        assert!(is_literal(("10.0.0.1".to_string(), 80).lookup()));
        assert!(is_literal(String::from("0.0.0.0:0").lookup()));
        let addr: SocketAddr = "127.0.0.1:9".parse().unwrap();
        assert!(is_literal(addr.lookup()));
        assert!(is_literal((&[addr, addr][..]).lookup()));
        assert!(is_literal((&&addr).lookup()));
    }

    #[test]
    fn host_names_are_looked_up_with_their_port() {
        match "localhost:8080".lookup().unwrap() {
            Lookup::Host(host, port) => assert_eq!((host.as_str(), port), ("localhost", 8080)),
            other => panic!("{other:?}"),
        }
        match ("example.invalid", 1).lookup().unwrap() {
            Lookup::Host(host, port) => assert_eq!((host.as_str(), port), ("example.invalid", 1)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn malformed_strings_are_invalid_input() {
        for bad in ["localhost", "localhost:port", "127.0.0.1:99999"] {
            let err = bad.lookup().unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{bad}");
        }
    }
}
