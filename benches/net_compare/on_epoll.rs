//! The floor: the echo and HTTP servers as one hand-written, edge-triggered
//! epoll loop on libc, with no runtime, no tasks and no wakers.
//!
//! It does the least a readiness-based server can do per request: each
//! connection is registered once for both directions; the connection keeps
//! the readiness epoll reported per direction, and forgets it on `EAGAIN` or
//! on a short read or write (for a stream socket that means the kernel's
//! buffer was emptied or filled, and the next change brings a new edge), so a
//! ping-pong request costs one `recv`, one `send` and a share of an
//! `epoll_wait`. The per-request work is the same as the other servers':
//! receive up to 8 KiB, send it back (echo) or answer every complete head
//! with the fixed response (HTTP, `examples/http_answer.rs`).
//!
//! Invariant FD: a `Conn` owns its fd, and `conns[fd]` holds the `Conn` of
//! `fd`; the epoll token of a connection is its fd, which cannot be reused
//! while its `Conn` lives.

use std::io;
use std::net::{SocketAddr, TcpListener};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use crate::Kind;
use crate::http;

/// Calls a libc function; `-1` becomes `io::Error::last_os_error()`, and a
/// call interrupted by a signal is made again.
macro_rules! syscall {
    ($fn:ident ( $($arg:expr),* $(,)? )) => {{
        loop {
            // SAFETY: each caller passes arguments that satisfy the libc
            // function's contract; see the SAFETY note at the call site.
            let res = unsafe { libc::$fn($($arg),*) };
            if res == -1 {
                let err = io::Error::last_os_error();
                if err.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                break Err(err);
            }
            break Ok(res);
        }
    }};
}

/// The epoll token of the listener; connections use their fd.
const LISTENER: u64 = u64::MAX;
/// Events taken per `epoll_wait`.
const EVENTS: usize = 256;

/// `Ok(None)` for `EAGAIN`.
fn would_block<T>(res: io::Result<T>) -> io::Result<Option<T>> {
    match res {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(None),
        Err(e) => Err(e),
    }
}

fn recv(fd: RawFd, buf: &mut [u8]) -> io::Result<Option<usize>> {
    // SAFETY: `buf` is valid for writes of its length.
    would_block(syscall!(recv(fd, buf.as_mut_ptr().cast(), buf.len(), 0)).map(|n| n as usize))
}

fn send(fd: RawFd, buf: &[u8]) -> io::Result<Option<usize>> {
    // SAFETY: `buf` is valid for reads of its length.
    would_block(
        syscall!(send(fd, buf.as_ptr().cast(), buf.len(), libc::MSG_NOSIGNAL)).map(|n| n as usize),
    )
}

/// One connection: its fd, its buffers and the readiness epoll last reported.
struct Conn {
    fd: OwnedFd,
    read_ready: bool,
    /// Sticky: the peer closed its side (or the connection failed). A short
    /// read that ends just before an end of stream already announced brings
    /// no new edge, so this keeps reads going until they return 0.
    read_closed: bool,
    write_ready: bool,
    /// Echo: bytes received and not yet sent back are `buf[sent..len]`.
    /// HTTP: the unanswered start of the next head is `buf[..len]`.
    buf: [u8; http::BUF],
    len: usize,
    sent: usize,
    /// HTTP: answers not yet sent are `out[out_sent..]`.
    out: Vec<u8>,
    out_sent: usize,
    /// HTTP: false once the connection is to close after `out` is sent.
    open: bool,
}

impl Conn {
    /// Sends from `buf` while the socket takes it; `Ok(false)` if it must
    /// wait for writability.
    fn flush(fd: RawFd, write_ready: &mut bool, buf: &[u8], sent: &mut usize) -> io::Result<bool> {
        while *sent < buf.len() {
            if !*write_ready {
                return Ok(false);
            }
            match send(fd, &buf[*sent..])? {
                None => *write_ready = false,
                Some(n) => {
                    *sent += n;
                    if *sent < buf.len() {
                        *write_ready = false;
                    }
                }
            }
        }
        Ok(true)
    }

    /// Receives into `self.buf[self.len..]`; `Ok(None)` when nothing is
    /// ready, `Ok(Some(0))` at end of stream.
    fn receive(&mut self) -> io::Result<Option<usize>> {
        if !self.read_ready && !self.read_closed {
            return Ok(None);
        }
        let room = self.buf.len() - self.len;
        let fd = self.fd.as_raw_fd();
        match recv(fd, &mut self.buf[self.len..])? {
            None => {
                self.read_ready = false;
                Ok(None)
            }
            Some(n) => {
                if n < room {
                    self.read_ready = false;
                }
                Ok(Some(n))
            }
        }
    }

    /// Does all the work the connection's readiness allows; `Ok(false)`
    /// when it is to be closed.
    fn drive(&mut self, kind: Kind) -> io::Result<bool> {
        let fd = self.fd.as_raw_fd();
        loop {
            match kind {
                Kind::Echo => {
                    let pending = &self.buf[..self.len];
                    if !Conn::flush(fd, &mut self.write_ready, pending, &mut self.sent)? {
                        return Ok(true);
                    }
                    (self.len, self.sent) = (0, 0);
                    match self.receive()? {
                        None => return Ok(true),
                        Some(0) => return Ok(false),
                        Some(n) => self.len = n,
                    }
                }
                Kind::Http => {
                    if !Conn::flush(fd, &mut self.write_ready, &self.out, &mut self.out_sent)? {
                        return Ok(true);
                    }
                    self.out.clear();
                    self.out_sent = 0;
                    if !self.open {
                        return Ok(false);
                    }
                    match self.receive()? {
                        None => return Ok(true),
                        Some(0) => return Ok(false),
                        Some(n) => {
                            self.len += n;
                            let (start, open) = http::answer(&self.buf[..self.len], &mut self.out);
                            if start == 0 && self.len == http::BUF {
                                self.out.extend_from_slice(http::TOO_LARGE);
                                self.open = false;
                                continue;
                            }
                            self.open = open;
                            self.buf.copy_within(start..self.len, 0);
                            self.len -= start;
                        }
                    }
                }
            }
        }
    }
}

/// Registers `fd` edge-triggered for `events` under `token`.
fn register(epoll: &OwnedFd, fd: RawFd, events: libc::c_int, token: u64) -> io::Result<()> {
    let mut event = libc::epoll_event {
        events: (events | libc::EPOLLET) as u32,
        u64: token,
    };
    // SAFETY: both fds are open and `event` is a valid epoll_event.
    syscall!(epoll_ctl(
        epoll.as_raw_fd(),
        libc::EPOLL_CTL_ADD,
        fd,
        &mut event
    ))
    .map(drop)
}

/// Accepts every pending connection and registers it.
fn accept_all(
    epoll: &OwnedFd,
    listener: &TcpListener,
    conns: &mut Vec<Option<Box<Conn>>>,
) -> io::Result<()> {
    loop {
        // SAFETY: null address pointers ask accept4 not to return the peer.
        let res = syscall!(accept4(
            listener.as_raw_fd(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC
        ));
        let Some(fd) = would_block(res)? else {
            return Ok(());
        };
        // SAFETY: accept4 just returned this fd and nothing else owns it.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        let one: libc::c_int = 1;
        // SAFETY: `one` is a readable c_int of the size passed.
        syscall!(setsockopt(
            fd.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_NODELAY,
            (&raw const one).cast(),
            size_of::<libc::c_int>() as libc::socklen_t
        ))?;
        let raw = fd.as_raw_fd();
        let events = libc::EPOLLIN | libc::EPOLLOUT | libc::EPOLLRDHUP;
        register(epoll, raw, events, raw as u64)?;
        let index = raw as usize;
        if conns.len() <= index {
            conns.resize_with(index + 1, || None);
        }
        conns[index] = Some(Box::new(Conn {
            fd,
            read_ready: false,
            read_closed: false,
            write_ready: false,
            buf: [0; http::BUF],
            len: 0,
            sent: 0,
            out: Vec::new(),
            out_sent: 0,
            open: true,
        }));
    }
}

/// Serves `kind` on `addr` until killed.
pub(crate) fn serve(kind: Kind, addr: SocketAddr) -> io::Result<()> {
    let epoll = syscall!(epoll_create1(libc::EPOLL_CLOEXEC))?;
    // SAFETY: epoll_create1 just returned this fd and nothing else owns it.
    let epoll = unsafe { OwnedFd::from_raw_fd(epoll) };
    let listener = TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    register(&epoll, listener.as_raw_fd(), libc::EPOLLIN, LISTENER)?;
    println!("raw epoll {kind:?} listening on {}", listener.local_addr()?);
    // Indexed by fd (invariant FD).
    let mut conns: Vec<Option<Box<Conn>>> = Vec::new();
    let mut events: Vec<libc::epoll_event> = Vec::with_capacity(EVENTS);
    loop {
        // SAFETY: the epoll fd is open and `events` has room for EVENTS
        // entries, which the kernel fills from the front.
        let count = syscall!(epoll_wait(
            epoll.as_raw_fd(),
            events.as_mut_ptr(),
            EVENTS as libc::c_int,
            -1
        ))?;
        // SAFETY: the kernel initialised the first `count` entries.
        unsafe { events.set_len(count as usize) };
        for event in &events {
            let token = event.u64;
            if token == LISTENER {
                // Out of fds and the like: report and carry on (the floor
                // does not defend itself against EMFILE).
                if let Err(e) = accept_all(&epoll, &listener, &mut conns) {
                    eprintln!("raw epoll server: accept: {e}");
                }
                continue;
            }
            let flags = event.events as libc::c_int;
            let Some(conn) = conns[token as usize].as_mut() else {
                continue;
            };
            let error = libc::EPOLLERR | libc::EPOLLHUP;
            if flags & (libc::EPOLLIN | libc::EPOLLRDHUP | error) != 0 {
                conn.read_ready = true;
            }
            if flags & (libc::EPOLLRDHUP | error) != 0 {
                conn.read_closed = true;
            }
            if flags & (libc::EPOLLOUT | error) != 0 {
                conn.write_ready = true;
            }
            let keep = conn.drive(kind);
            if !matches!(keep, Ok(true)) {
                if let Err(e) = keep {
                    crate::log(Err(e));
                }
                // Closing the fd removes it from the epoll set (invariant FD).
                conns[token as usize] = None;
            }
        }
    }
}
