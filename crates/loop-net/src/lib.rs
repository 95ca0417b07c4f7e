#![doc = include_str!("../README.md")]
#![doc(test(attr(deny(warnings))))]

mod addr;
mod domain;
mod io;
mod messages;
mod options;
mod park_state;
mod reactor;
mod registration;
mod resolve;
mod reuseport;
mod socket;
mod sys;
mod tcp;
mod transfer;
mod typed;
mod udp;
mod unix;

pub use addr::SockAddr;
pub use domain::{Domain, Type};
pub use reactor::Reactor;
pub use registration::{Direction, Registration};
pub use resolve::ToSocketAddrs;
pub use socket::{AioSocket, aiosocket};
pub use tcp::{TcpListener, TcpStream};
pub use udp::UdpSocket;
pub use unix::{UnixListener, UnixStream};
