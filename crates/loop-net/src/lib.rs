#![doc = include_str!("../README.md")]
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
mod read_buf;
mod registration;
mod resolve;
mod reuseport;
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
pub use read_buf::ReadBuf;
pub use registration::{Direction, Registration};
pub use resolve::ToSocketAddrs;
pub use socket::{AioSocket, aiosocket};
pub use stdio::{Stderr, Stdin, Stdout, stderr, stdin, stdout};
pub use tcp::{TcpListener, TcpStream};
pub use udp::UdpSocket;
pub use unix::{UnixListener, UnixStream};
