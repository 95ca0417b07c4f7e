//! The cached readiness: a short read on a stream waits for the next edge
//! instead of asking the kernel again, yet never misses an end of stream or
//! spins on a socket that reported a hang-up before it was connected.

mod util;

use std::io::Write;
use std::time::Duration;

use loop_net::{AioSocket, Domain, SockAddr, TcpListener, Type, aiosocket};

use util::{reactor_loop, thread_cpu_time, within};

/// Lets the loop park once, so that epoll's pending events are dispatched.
async fn park_once() {
    loop_time::sleep(Duration::from_millis(5)).await;
}

#[test]
fn a_short_read_of_the_last_bytes_before_end_of_stream_still_sees_the_end() {
    let lp = reactor_loop();
    lp.run_task(async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut peer = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (stream, _) = listener.accept().await.unwrap();
        peer.write_all(b"last!").unwrap();
        drop(peer);
        // Data and end of stream both arrive, and the Reactor reports them in
        // one edge before the first read.
        park_once().await;
        let mut buf = [0; 64];
        let n = within(5, "the short read", stream.read(&mut buf))
            .await
            .unwrap();
        assert_eq!(&buf[..n], b"last!");
        // A short read would clear the readiness, but no edge will come
        // after the end of stream: the read must still see it.
        let n = within(5, "the end of stream", stream.read(&mut buf))
            .await
            .unwrap();
        assert_eq!(n, 0);
    });
}

#[test]
fn a_short_read_waits_for_more_data_without_losing_it() {
    let lp = reactor_loop();
    lp.run_task(async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut peer = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (stream, _) = listener.accept().await.unwrap();
        let mut buf = [0; 64];
        for round in 0..50u8 {
            peer.write_all(&[round; 3]).unwrap();
            let n = within(5, "a read after a short read", stream.read(&mut buf))
                .await
                .unwrap();
            assert_eq!(&buf[..n], &[round; 3]);
        }
    });
}

#[test]
fn a_socket_that_hung_up_before_listening_waits_on_accept_without_spinning() {
    let lp = reactor_loop();
    lp.run_task(async {
        // An unconnected TCP socket reports EPOLLHUP: let the Reactor see it.
        let server = aiosocket().unwrap();
        park_once().await;
        server
            .bind("127.0.0.1:0".parse::<SockAddr>().unwrap())
            .unwrap();
        server.listen(16).unwrap();
        let start = thread_cpu_time();
        let waited = loop_time::timeout(Duration::from_millis(300), server.accept()).await;
        let cpu = thread_cpu_time() - start;
        assert!(waited.is_err(), "nobody connected, yet accept returned");
        assert!(
            cpu < Duration::from_millis(30),
            "waiting 300 ms on accept cost {cpu:?} of CPU"
        );
        // And it still accepts.
        let addr = server.local_addr().unwrap();
        let client = loop_core::spawn(async move {
            let client = AioSocket::new(Domain::IPV4, Type::STREAM).unwrap();
            // The client, too, reports a hang-up before it connects.
            park_once().await;
            client.connect(addr).await.unwrap();
            client.send(b"hi").await.unwrap();
            client
        });
        let (conn, _) = within(5, "accept", server.accept()).await.unwrap();
        let _client = within(5, "connect", client).await.unwrap();
        let mut buf = [0; 2];
        assert_eq!(within(5, "recv", conn.recv(&mut buf)).await.unwrap(), 2);
    });
}
