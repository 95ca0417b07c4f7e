//! UdpSocket: round trips by address and by connected peer, errors.

mod util;

use std::io::ErrorKind;

use loop_core::spawn;
use loop_net::UdpSocket;

use util::{reactor_loop, within};

#[test]
fn a_datagram_round_trips_and_is_answered_to_its_sender() {
    let lp = reactor_loop();
    lp.run_task(async {
        let server = UdpSocket::bind("127.0.0.1:0").unwrap();
        let server_addr = server.local_addr().unwrap();
        let echo = spawn(async move {
            let mut buf = [0; 64];
            let (n, from) = server.recv_from(&mut buf).await.unwrap();
            server.send_to(&buf[..n], from).await.unwrap();
            from
        });
        let client = UdpSocket::bind("127.0.0.1:0").unwrap();
        assert_eq!(client.send_to(b"ping", server_addr).await.unwrap(), 4);
        let mut buf = [0; 64];
        let (n, from) = within(10, "echo reply", client.recv_from(&mut buf))
            .await
            .unwrap();
        assert_eq!((&buf[..n], from), (&b"ping"[..], server_addr));
        assert_eq!(echo.await.unwrap(), client.local_addr().unwrap());
    });
}

#[test]
fn a_connected_socket_sends_and_receives_with_its_peer_only() {
    let lp = reactor_loop();
    lp.run_task(async {
        let a = UdpSocket::bind("127.0.0.1:0").unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").unwrap();
        let stranger = UdpSocket::bind("127.0.0.1:0").unwrap();
        a.connect(b.local_addr().unwrap()).await.unwrap();
        b.connect(format!("localhost:{}", a.local_addr().unwrap().port()))
            .await
            .unwrap();
        assert_eq!(a.peer_addr().unwrap(), b.local_addr().unwrap());
        // Filtered out by `a`'s connection: never received.
        stranger
            .send_to(b"noise", a.local_addr().unwrap())
            .await
            .unwrap();
        b.send(b"hello").await.unwrap();
        let mut buf = [0; 16];
        let n = within(10, "recv", a.recv(&mut buf)).await.unwrap();
        assert_eq!(&buf[..n], b"hello");
        a.send(b"back").await.unwrap();
        let n = within(10, "recv", b.recv(&mut buf)).await.unwrap();
        assert_eq!(&buf[..n], b"back");
    });
}

#[test]
fn a_connected_socket_whose_peer_port_is_closed_gets_connection_refused() {
    let lp = reactor_loop();
    lp.run_task(async {
        let closed = UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap(); // dropped: nothing listens there
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket.connect(closed).await.unwrap();
        socket.send(b"anyone?").await.unwrap();
        // The ICMP port-unreachable comes back as an error on the socket.
        let mut buf = [0; 16];
        let err = within(10, "recv", socket.recv(&mut buf)).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused, "{err:?}");
    });
}

#[test]
fn a_datagram_larger_than_the_buffer_is_cut_to_fit() {
    let lp = reactor_loop();
    lp.run_task(async {
        let a = UdpSocket::bind("127.0.0.1:0").unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").unwrap();
        a.send_to(&[7; 100], b.local_addr().unwrap()).await.unwrap();
        let mut buf = [0; 10];
        let (n, _) = within(10, "recv_from", b.recv_from(&mut buf))
            .await
            .unwrap();
        assert_eq!((n, buf), (10, [7; 10]));
    });
}

#[test]
fn a_datagram_too_large_for_udp_is_an_error() {
    let lp = reactor_loop();
    lp.run_task(async {
        let a = UdpSocket::bind("127.0.0.1:0").unwrap();
        let err = a
            .send_to(&vec![0; 70_000], a.local_addr().unwrap())
            .await
            .unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EMSGSIZE), "{err:?}");
    });
}
