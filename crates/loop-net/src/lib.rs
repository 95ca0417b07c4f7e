//! loop-net: goldiloop's network layer, the talk's `AioSocket` on an epoll
//! [`Reactor`] that parks tasks instead of polling.
//!
//! - [`Reactor`] is a loop-core [`Park`](loop_core::Park): a loop built with
//!   it (`Loop::with_park(Reactor::new()?)`; `goldiloop::Loop::new()` does
//!   this for you) waits in `epoll_wait` when no task is ready, and wakes for
//!   socket readiness, timers (precisely: `epoll_pwait2`) and remote wakes
//!   (an `eventfd`).
//! - [`AioSocket`] and [`aiosocket()`] are the talk's socket: `bind`,
//!   `listen`, `accept`, `connect`, `recv`, `send` and the rest, IPv4, IPv6
//!   or Unix ([`Domain`]), stream or datagram ([`Type`]), with one address
//!   type for every family ([`SockAddr`]). Each call tries the system call
//!   first and, only on `EAGAIN`, parks its task until the Reactor sees the
//!   socket ready.
//! - The typed layer Rust users expect: [`TcpListener`], [`TcpStream`],
//!   [`UdpSocket`], [`UnixListener`], [`UnixStream`]. Host names are looked
//!   up without blocking the loop ([`ToSocketAddrs`]). The stream types
//!   implement futures-io's `AsyncRead` and `AsyncWrite`.
//! - Around the sockets, the rest of the operating system: [`AioFd`] for any
//!   pollable fd (pipes, ttys, eventfds), [`signal`] (Ctrl-C, SIGTERM),
//!   [`process`] (child processes with async pipes and exit), [`fs`] (files
//!   on loop-core's blocking pool), and [`stdin`]/[`stdout`]/[`stderr`].
//!
//! Every fd is non-blocking and close-on-exec, writes never raise `SIGPIPE`,
//! `EINTR` is retried, and kernel errors come back as `io::Error`s that
//! leave the loop running. Creating a socket on a loop without a Reactor
//! panics with a message that says how to build one; so does awaiting a
//! socket on another loop than its own. Socket calls that complete at once
//! spend the task's cooperative budget (`loop_core::poll_budget`), so a
//! task that always finds its socket ready still lets others run.
//!
//! # Examples
//!
//! An echo over loopback, on loop-core alone:
//!
//! ```
//! use futures_util::io::{AsyncReadExt, AsyncWriteExt};
//! use loop_core::{Loop, spawn};
//! use loop_net::{Reactor, TcpListener, TcpStream};
//!
//! let lp = Loop::with_park(Reactor::new()?);
//! let reply = lp.run_task(async {
//!     let listener = TcpListener::bind("127.0.0.1:0")?;
//!     let addr = listener.local_addr()?;
//!     let server = spawn(async move {
//!         let (stream, _) = listener.accept().await?;
//!         futures_util::io::copy(&stream, &mut &stream).await
//!     });
//!     let mut client = TcpStream::connect(addr).await?;
//!     client.write_all(b"Hello World!").await?;
//!     let mut reply = [0; 12];
//!     client.read_exact(&mut reply).await?;
//!     client.close().await?; // the server's copy sees end of stream
//!     assert_eq!(server.await.unwrap()?, 12);
//!     Ok::<_, std::io::Error>(reply)
//! })?;
//! assert_eq!(&reply, b"Hello World!");
//! # Ok::<(), std::io::Error>(())
//! ```

#![doc(test(attr(deny(warnings))))]

mod addr;
mod blocking_io;
mod domain;
mod fd;
pub mod fs;
mod io;
mod messages;
mod options;
mod park_state;
pub mod process;
mod reactor;
mod registration;
mod resolve;
pub mod signal;
mod socket;
mod stdio;
mod sys;
mod tcp;
mod transfer;
mod typed;
mod udp;
mod unix;

pub use addr::SockAddr;
pub use domain::{Domain, Type};
pub use fd::AioFd;
pub use reactor::Reactor;
pub use registration::{Direction, Registration};
pub use resolve::ToSocketAddrs;
pub use socket::{AioSocket, aiosocket};
pub use stdio::{Stderr, Stdin, Stdout, stderr, stdin, stdout};
pub use tcp::{TcpListener, TcpStream};
pub use udp::UdpSocket;
pub use unix::{UnixListener, UnixStream};

/// The README's Rust sample, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
