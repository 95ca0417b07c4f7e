//! One socket per loop on one port (`bind_reuseport`), and sockets that move
//! between loops (`into_std` / `from_std`).

mod util;

use std::io::{ErrorKind, Read, Write};
use std::os::fd::AsRawFd;

use futures_util::io::{AsyncReadExt, AsyncWriteExt};
use loop_core::{LoopPool, spawn};
use loop_net::{Reactor, TcpListener, TcpStream, UdpSocket, UnixStream};

use util::{fd_flags, reactor_loop, within};

#[test]
fn two_reuseport_listeners_share_a_port_and_both_accept_connections() {
    let lp = reactor_loop();
    let (a, b) = lp.run_task(async {
        let first = TcpListener::bind_reuseport("127.0.0.1:0").unwrap();
        let addr = first.local_addr().unwrap();
        let second = TcpListener::bind_reuseport(addr).unwrap();
        let count = |listener: TcpListener| {
            spawn(async move {
                let mut n = 0;
                while let Ok((stream, _)) = listener.accept().await {
                    let mut byte = [0];
                    if stream.read(&mut byte).await.unwrap() == 0 {
                        break; // the end marker: a connection closed at once
                    }
                    n += 1;
                }
                n
            })
        };
        let (ta, tb) = (count(first), count(second));
        within(10, "64 connections", async {
            for _ in 0..64 {
                let mut client = TcpStream::connect(addr).await.unwrap();
                client.write_all(b"x").await.unwrap();
            }
        })
        .await;
        // Closed connections end each counter: connect until both have ended.
        // Once one counter has ended its listener is closed, and a connection
        // the kernel had already queued on it is reset: such a marker may
        // fail, which is fine (every data connection came before any marker
        // in each listener's queue, so none is lost).
        while !(ta.is_finished() && tb.is_finished()) {
            let _ = TcpStream::connect(addr).await;
            loop_core::interrupt().await;
        }
        (ta.await.unwrap(), tb.await.unwrap())
    });
    assert_eq!(a + b, 64);
    assert!(a > 0 && b > 0, "the kernel spread them: {a} and {b}");
}

#[test]
fn bind_reuseport_on_a_port_held_without_it_is_addr_in_use_saying_why() {
    let plain = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = plain.local_addr().unwrap();
    let lp = reactor_loop();
    let err = lp.run_task(async { TcpListener::bind_reuseport(addr).unwrap_err() });
    assert_eq!(err.kind(), ErrorKind::AddrInUse);
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "{addr} is held by a socket that did not set SO_REUSEPORT"
        )),
        "{text}"
    );
    let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = udp.local_addr().unwrap();
    let err = lp.run_task(async { UdpSocket::bind_reuseport(addr).unwrap_err() });
    assert_eq!(err.kind(), ErrorKind::AddrInUse);
}

#[test]
fn udp_reuseport_sockets_share_a_port() {
    let lp = reactor_loop();
    lp.run_task(async {
        let first = UdpSocket::bind_reuseport("127.0.0.1:0").unwrap();
        let addr = first.local_addr().unwrap();
        let second = UdpSocket::bind_reuseport(addr).unwrap();
        assert_eq!(second.local_addr().unwrap(), addr);
        // A datagram reaches one of them.
        let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
        sender.send_to(b"hi", addr).await.unwrap();
        let mut buf = [0; 2];
        let got = within(10, "the datagram", async {
            futures_util::future::select(
                std::pin::pin!(first.recv_from(&mut [0; 2])),
                std::pin::pin!(second.recv_from(&mut buf)),
            )
            .await
            .factor_first()
            .0
            .unwrap()
            .0
        })
        .await;
        assert_eq!(got, 2);
    });
}

#[test]
fn into_std_deregisters_and_leaves_the_socket_non_blocking() {
    let lp = reactor_loop();
    lp.run_task(async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let std_listener = listener.into_std();
        assert_eq!(fd_flags(std_listener.as_raw_fd()), Some((true, true)));
        // Registered again on the same Reactor: it had left it (epoll would
        // say EEXIST otherwise).
        let listener = TcpListener::from_std(std_listener).unwrap();
        let client = spawn(async move { TcpStream::connect(addr).await.unwrap() });
        let (server, _) = within(10, "accept", listener.accept()).await.unwrap();
        let client = client.await.unwrap();
        let (server, client) = (server.into_std(), client.into_std());
        let (mut server, mut client) = (
            TcpStream::from_std(server).unwrap(),
            TcpStream::from_std(client).unwrap(),
        );
        client.write_all(b"again").await.unwrap();
        let mut buf = [0; 5];
        server.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"again");
        let (a, b) = UnixStream::pair().unwrap();
        let (a, b) = (a.into_std(), b.into_std());
        assert_eq!(fd_flags(a.as_raw_fd()), Some((true, true)));
        let (a, b) = (
            UnixStream::from_std(a).unwrap(),
            UnixStream::from_std(b).unwrap(),
        );
        a.write(b"u").await.unwrap();
        assert_eq!(b.read(&mut [0; 1]).await.unwrap(), 1);
        let udp = UdpSocket::bind("127.0.0.1:0").unwrap().into_std();
        assert!(UdpSocket::from_std(udp).is_ok());
    });
}

#[test]
fn a_tcp_stream_accepted_on_one_loop_is_served_on_another_through_a_spawner() {
    let pool = LoopPool::builder()
        .loops(2)
        .park(Reactor::new)
        .build()
        .unwrap();
    let loop_b = pool.spawner(1);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let mut client = std::net::TcpStream::connect(addr).unwrap();
    // Loop 0 accepts, then hands the stream to loop 1, which echoes on it.
    let served = pool.spawner(0).add_task_with(move || async move {
        let listener = TcpListener::from_std(listener).unwrap();
        let (stream, _) = listener.accept().await.unwrap();
        let moved = stream.into_std();
        let echo = loop_b.add_task_with(move || async move {
            let stream = TcpStream::from_std(moved).unwrap();
            let served_on = std::thread::current().name().map(String::from);
            let copied = futures_util::io::copy(&stream, &mut &stream).await.unwrap();
            (copied, served_on)
        });
        echo.await.unwrap()
    });
    client.write_all(b"hello across loops").unwrap();
    let mut buf = [0; 18];
    client.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"hello across loops");
    client.shutdown(std::net::Shutdown::Write).unwrap();
    let (copied, served_on) = loop_core::Loop::new().run_task(served).unwrap();
    assert_eq!(copied, 18);
    assert_eq!(served_on.as_deref(), Some("goldiloop-1"));
}
