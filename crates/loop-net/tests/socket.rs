//! AioSocket behaviour: round trips, error kinds, fd flags, raw fds, misuse,
//! no spinning.

mod util;

use std::io::ErrorKind;
use std::net::{Shutdown, SocketAddr};
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd, OwnedFd};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use loop_core::{Loop, spawn};
use loop_net::{AioSocket, Domain, SockAddr, Type, aiosocket};

use util::{
    assert_nonblocking_cloexec, panic_message, reactor_loop, set_linger_zero,
    thread_cpu_time as cpu_time, within,
};

fn any_port() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

fn listener() -> AioSocket {
    let server = aiosocket().unwrap();
    server.bind(any_port()).unwrap();
    server.listen(1024).unwrap();
    server
}

/// A connected pair: (client, the server's accepted end).
async fn connected_pair() -> (AioSocket, AioSocket) {
    let server = listener();
    let client = aiosocket().unwrap();
    client.connect(server.local_addr().unwrap()).await.unwrap();
    let (peer, _) = server.accept().await.unwrap();
    (client, peer)
}

#[test]
fn server_answers_the_client_with_its_message_reversed() {
    let lp = reactor_loop();
    let server = lp.run_task(async { listener() });
    let addr = server.local_addr().unwrap();
    let serve = lp.add_task(async move {
        let (client, _) = server.accept().await.unwrap();
        let mut buf = [0; 1024];
        let n = client.recv(&mut buf).await.unwrap();
        buf[..n].reverse();
        client.send(&buf[..n]).await.unwrap();
    });
    let reply = lp.run_task(async move {
        let client = aiosocket().unwrap();
        client.connect(addr).await.unwrap();
        client.send(b"Hello World!").await.unwrap();
        let mut buf = [0; 1024];
        let n = client.recv(&mut buf).await.unwrap();
        buf[..n].to_vec()
    });
    assert_eq!(reply, b"!dlroW olleH");
    assert!(lp.run_task(serve).is_ok());
}

#[test]
fn connecting_to_a_closed_port_is_connection_refused() {
    let lp = reactor_loop();
    let err = lp.run_task(async {
        let addr = listener().local_addr().unwrap(); // listener dropped: port closed
        aiosocket().unwrap().connect(addr).await.unwrap_err()
    });
    assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
    assert_eq!(lp.run_task(async { 5 }), 5, "the loop keeps running");
}

#[test]
fn peer_close_reads_as_end_of_stream() {
    let lp = reactor_loop();
    let n = lp.run_task(async {
        let (client, peer) = connected_pair().await;
        peer.close();
        let mut buf = [0; 16];
        within(10, "recv after close", client.recv(&mut buf))
            .await
            .unwrap()
    });
    assert_eq!(n, 0);
}

static SIGPIPES: AtomicUsize = AtomicUsize::new(0);

extern "C" fn count_sigpipe(_: libc::c_int) {
    SIGPIPES.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn writing_after_the_peer_closed_is_broken_pipe_without_sigpipe() {
    // Count SIGPIPEs instead of ignoring them (as Rust's runtime does), so a
    // send without MSG_NOSIGNAL would show.
    // SAFETY: an all-zero sigaction is valid; the handler only touches an
    // atomic, which is async-signal-safe.
    let old = unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = count_sigpipe as extern "C" fn(libc::c_int) as libc::sighandler_t;
        let mut old: libc::sigaction = std::mem::zeroed();
        assert_eq!(libc::sigaction(libc::SIGPIPE, &action, &mut old), 0);
        old
    };
    let lp = reactor_loop();
    let err = lp.run_task(async {
        let (client, peer) = connected_pair().await;
        peer.close();
        let mut buf = [0; 16];
        // End of stream first: the peer's FIN has arrived.
        assert_eq!(client.recv(&mut buf).await.unwrap(), 0);
        for _ in 0..1000 {
            // The first send is answered by a reset; later ones fail.
            if let Err(e) = client.send(&[0; 1024]).await {
                return e;
            }
            loop_core::interrupt().await;
        }
        panic!("no error after 1000 sends to a closed peer");
    });
    // SAFETY: restores the action saved above.
    unsafe { libc::sigaction(libc::SIGPIPE, &old, std::ptr::null_mut()) };
    assert_eq!(err.kind(), ErrorKind::BrokenPipe, "{err:?}");
    assert_eq!(SIGPIPES.load(Ordering::SeqCst), 0, "a send raised SIGPIPE");
}

#[test]
fn a_peer_reset_mid_stream_is_an_error_not_a_hang() {
    let lp = reactor_loop();
    let err = lp.run_task(async {
        let (client, peer) = connected_pair().await;
        peer.send(b"first half").await.unwrap();
        let mut buf = [0; 10];
        assert_eq!(client.recv(&mut buf).await.unwrap(), 10);
        let reader = Rc::new(client);
        let waiting = spawn({
            let reader = reader.clone();
            async move {
                let mut buf = [0; 16];
                reader.recv(&mut buf).await
            }
        });
        loop_core::interrupt().await; // the reader is now parked on recv
        set_linger_zero(peer.as_raw_fd());
        drop(peer); // sends RST
        within(10, "recv after reset", waiting)
            .await
            .unwrap()
            .unwrap_err()
    });
    assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err:?}");
}

#[test]
fn sockets_are_non_blocking_and_close_on_exec() {
    let lp = reactor_loop();
    lp.run_task(async {
        let server = listener();
        let client = aiosocket().unwrap();
        client.connect(server.local_addr().unwrap()).await.unwrap();
        let (peer, _) = server.accept().await.unwrap();
        let udp = AioSocket::new(Domain::IPV4, Type::DGRAM).unwrap();
        let unix = AioSocket::new(Domain::UNIX, Type::STREAM).unwrap();
        assert_nonblocking_cloexec(server.as_raw_fd(), "listener");
        assert_nonblocking_cloexec(client.as_raw_fd(), "connected socket");
        assert_nonblocking_cloexec(peer.as_raw_fd(), "accepted socket");
        assert_nonblocking_cloexec(udp.as_raw_fd(), "datagram socket");
        assert_nonblocking_cloexec(unix.as_raw_fd(), "Unix socket");
    });
}

#[test]
fn waiting_300ms_on_accept_costs_a_few_ms_of_cpu() {
    let lp = reactor_loop();
    let server = lp.run_task(async { listener() });
    let addr = server.local_addr().unwrap().as_socket().unwrap();
    let connector = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        std::net::TcpStream::connect(addr).unwrap()
    });
    let start = cpu_time();
    lp.run_task(async move { server.accept().await.unwrap() });
    let cpu = cpu_time() - start;
    assert!(
        cpu < Duration::from_millis(20),
        "accept wait cost {cpu:?} of CPU"
    );
    drop(connector.join().unwrap());
}

#[test]
fn a_socket_on_a_loop_without_a_reactor_panics_naming_the_fix() {
    let lp = Loop::new();
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        lp.run_task(async { drop(aiosocket()) })
    }))
    .unwrap_err();
    let msg = panic_message(panic);
    assert!(
        msg.contains("Loop::with_park(loop_net::Reactor::new()?)"),
        "{msg}"
    );
    assert!(msg.contains("goldiloop::Loop::new()"), "{msg}");
    assert_eq!(lp.run_task(async { 1 }), 1, "the loop survives the panic");
}

#[test]
fn a_socket_outside_a_running_loop_panics_naming_the_fix() {
    let panic = std::panic::catch_unwind(aiosocket).unwrap_err();
    let msg = panic_message(panic);
    assert!(msg.contains("outside a running loop"), "{msg}");
    assert!(
        msg.contains("Loop::with_park(loop_net::Reactor::new()?)"),
        "{msg}"
    );
}

/// Runs `op` on `lp`, a loop other than the one its socket was made on, and
/// returns the message it panics with (a hang fails the test after 3 s).
fn message_on_the_wrong_loop<F: std::future::Future>(lp: &Loop, what: &str, op: F) -> String {
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        lp.run_task(async { drop(within(3, what, op).await) })
    }))
    .expect_err(what);
    panic_message(panic)
}

#[test]
fn a_socket_awaited_on_another_loop_panics_naming_the_fix() {
    use loop_net::{TcpListener, TcpStream, UdpSocket, UnixStream};

    let home = reactor_loop();
    let (listener, client, server, udp, (unix_a, _unix_b), raw) = home.run_task(async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
        let raw = aiosocket().unwrap();
        let pair = UnixStream::pair().unwrap();
        (listener, client, server, udp, pair, raw)
    });
    let other = reactor_loop();
    let mut buf = [0; 8];
    let messages = [
        message_on_the_wrong_loop(&other, "accept", listener.accept()),
        message_on_the_wrong_loop(&other, "TcpStream::read", client.read(&mut buf)),
        message_on_the_wrong_loop(&other, "an accepted stream's read", server.read(&mut buf)),
        message_on_the_wrong_loop(&other, "recv_from", udp.recv_from(&mut buf)),
        message_on_the_wrong_loop(&other, "UnixStream::read", unix_a.read(&mut buf)),
        message_on_the_wrong_loop(&other, "connect", raw.connect(any_port())),
    ];
    for msg in messages {
        assert!(msg.contains("another loop"), "{msg}");
        assert!(
            msg.contains("create the socket on the loop that uses it"),
            "{msg}"
        );
    }
    assert_eq!(other.run_task(async { 1 }), 1, "the other loop survives");
    // On its own loop the socket still works.
    let echoed = home.run_task(async {
        client.write(b"ping").await.unwrap();
        let n = within(10, "the read on its own loop", server.read(&mut buf))
            .await
            .unwrap();
        buf[..n].to_vec()
    });
    assert_eq!(echoed, b"ping");
}

#[test]
fn a_socket_polled_where_no_loop_runs_panics_naming_the_fix() {
    let lp = reactor_loop();
    let (a, _b) = lp.run_task(async { loop_net::UnixStream::pair().unwrap() });
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut buf = [0; 8];
        let read = std::pin::pin!(a.read(&mut buf));
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        std::future::Future::poll(read, &mut cx)
    }))
    .expect_err("a read polled where no loop runs must panic, not wait forever");
    let msg = panic_message(panic);
    assert!(
        msg.contains("create the socket on the loop that uses it"),
        "{msg}"
    );
}

#[test]
fn peer_addr_and_local_addr_match_across_a_connection_with_nodelay_set() {
    let lp = reactor_loop();
    lp.run_task(async {
        let server = listener();
        server.set_reuseaddr(true).unwrap();
        let client = aiosocket().unwrap();
        client.connect(server.local_addr().unwrap()).await.unwrap();
        client.set_nodelay(true).unwrap();
        assert!(client.nodelay().unwrap());
        let (peer, from) = server.accept().await.unwrap();
        assert_eq!(from, client.local_addr().unwrap());
        assert_eq!(peer.peer_addr().unwrap(), client.local_addr().unwrap());
        assert_eq!(client.peer_addr().unwrap(), server.local_addr().unwrap());
        assert!(client.take_error().unwrap().is_none());
        client.shutdown(Shutdown::Write).unwrap();
        let mut buf = [0; 4];
        assert_eq!(peer.recv(&mut buf).await.unwrap(), 0);
    });
}

#[test]
fn udp_datagram_round_trips_with_sender_address() {
    let lp = reactor_loop();
    lp.run_task(async {
        let a = AioSocket::new(Domain::IPV4, Type::DGRAM).unwrap();
        let b = AioSocket::new(Domain::IPV4, Type::DGRAM).unwrap();
        a.bind(any_port()).unwrap();
        b.bind(any_port()).unwrap();
        let to_b = b.local_addr().unwrap();
        let receiving = spawn(async move {
            let mut buf = [0; 16];
            let (n, from) = b.recv_from(&mut buf).await.unwrap();
            (buf[..n].to_vec(), from)
        });
        loop_core::interrupt().await; // b waits before a sends
        assert_eq!(a.send_to(b"ping", to_b).await.unwrap(), 4);
        let (got, from) = within(10, "recv_from", receiving).await.unwrap();
        assert_eq!(
            (got.as_slice(), from),
            (&b"ping"[..], a.local_addr().unwrap())
        );
    });
}

#[test]
fn two_tasks_may_read_and_write_one_socket_at_once() {
    const TOTAL: usize = 4 << 20; // far more than the socket buffers hold
    let lp = reactor_loop();
    lp.run_task(async {
        let (client, peer) = connected_pair().await;
        // The peer echoes everything back.
        let echo = spawn(async move {
            let mut buf = vec![0; 64 << 10];
            loop {
                let n = peer.recv(&mut buf).await.unwrap();
                if n == 0 {
                    return;
                }
                let mut sent = 0;
                while sent < n {
                    sent += peer.send(&buf[sent..n]).await.unwrap();
                }
            }
        });
        let client = Rc::new(client);
        let writer = spawn({
            let client = client.clone();
            async move {
                let chunk: Vec<u8> = (0..=255).cycle().take(32 << 10).collect();
                let mut written = 0;
                while written < TOTAL {
                    let end = chunk.len().min(TOTAL - written);
                    written += client.send(&chunk[..end]).await.unwrap();
                }
                client.shutdown(Shutdown::Write).unwrap();
            }
        });
        let reader = spawn({
            let client = client.clone();
            async move {
                let mut buf = vec![0; 64 << 10];
                let mut total = 0;
                loop {
                    let n = client.recv(&mut buf).await.unwrap();
                    if n == 0 {
                        return total;
                    }
                    total += n;
                }
            }
        });
        let read = within(60, "concurrent read and write", async {
            writer.await.unwrap();
            let read = reader.await.unwrap();
            echo.await.unwrap();
            read
        })
        .await;
        assert_eq!(read, TOTAL);
    });
}

#[test]
fn two_tasks_waiting_to_read_one_socket_are_both_woken() {
    let lp = reactor_loop();
    lp.run_task(async {
        let (client, peer) = connected_pair().await;
        let client = Rc::new(client);
        let readers: Vec<_> = (0..2)
            .map(|_| {
                let client = client.clone();
                spawn(async move {
                    let mut buf = [0; 1];
                    let mut bytes = 0;
                    while client.recv(&mut buf).await.unwrap() == 1 {
                        bytes += 1;
                    }
                    bytes
                })
            })
            .collect();
        loop_core::interrupt().await; // both now wait on the same socket
        peer.send(b"xy").await.unwrap();
        peer.close(); // end of stream must reach both
        let mut total = 0;
        for reader in readers {
            total += within(10, "a reader", reader).await.unwrap();
        }
        assert_eq!(total, 2);
    });
}

#[test]
fn into_raw_fd_and_from_raw_fd_move_a_socket_between_owners() {
    let lp = reactor_loop();
    lp.run_task(async {
        let (client, peer) = connected_pair().await;
        let raw = client.into_raw_fd();
        // SAFETY: `raw` was just given up by `into_raw_fd`, and is open.
        let client = unsafe { AioSocket::from_raw_fd(raw) };
        assert_eq!(client.as_raw_fd(), raw);
        peer.send(b"still here").await.unwrap();
        let mut buf = [0; 16];
        let n = within(10, "recv on the adopted socket", client.recv(&mut buf))
            .await
            .unwrap();
        assert_eq!(&buf[..n], b"still here");
    });
}

#[test]
fn an_adopted_blocking_socket_is_made_non_blocking() {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = std_listener.local_addr().unwrap();
    let lp = reactor_loop();
    lp.run_task(async move {
        let listener = AioSocket::from_fd(OwnedFd::from(std_listener)).unwrap();
        assert_eq!(listener.domain(), Domain::IPV4);
        assert_nonblocking_cloexec(listener.as_raw_fd(), "adopted listener");
        // A blocking accept would hang the loop here instead of parking.
        let connector = std::thread::spawn(move || std::net::TcpStream::connect(addr).unwrap());
        let (peer, _) = within(10, "accept", listener.accept()).await.unwrap();
        assert_nonblocking_cloexec(peer.as_raw_fd(), "accepted socket");
        drop(connector.join().unwrap());
    });
}

#[test]
fn adopting_an_fd_that_is_not_a_socket_is_an_error() {
    let lp = reactor_loop();
    let file = std::fs::File::open("/dev/null").unwrap();
    let err = lp.run_task(async move { AioSocket::from_fd(OwnedFd::from(file)).unwrap_err() });
    assert_eq!(err.raw_os_error(), Some(libc::ENOTSOCK), "{err:?}");
}

#[test]
fn an_address_of_another_family_is_invalid_input_before_any_system_call() {
    let lp = reactor_loop();
    lp.run_task(async {
        let unix = AioSocket::new(Domain::UNIX, Type::STREAM).unwrap();
        let inet = aiosocket().unwrap();
        let path = SockAddr::unix("/no/such/dir/x.sock").unwrap();
        let err = inet.bind(path).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err:?}");
        let err = inet.connect(path).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err:?}");
        let v6: SocketAddr = "[::1]:1".parse().unwrap();
        assert_eq!(inet.bind(v6).unwrap_err().kind(), ErrorKind::InvalidInput);
        assert_eq!(
            inet.connect(v6).await.unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
        let err = unix.bind(any_port()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.to_string().contains("SockAddr::unix"), "{err}");
        assert_eq!(
            unix.send_to(b"x", any_port()).await.unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
    });
}

#[test]
fn one_address_type_serves_inet_and_unix_sockets_alike() {
    let dir = std::env::temp_dir().join(format!("loop-net-sockaddr-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("s.sock");
    let _ = std::fs::remove_file(&path);
    let lp = reactor_loop();
    lp.run_task(async {
        // The same calls, the same address type, two families.
        let unix_addr = SockAddr::unix(&path).unwrap();
        let inet_addr = SockAddr::from(any_port());
        for (domain, addr) in [(Domain::UNIX, unix_addr), (Domain::IPV4, inet_addr)] {
            let server = AioSocket::new(domain, Type::STREAM).unwrap();
            server.bind(addr).unwrap();
            server.listen(16).unwrap();
            let bound = server.local_addr().unwrap();
            assert_eq!(bound.domain(), domain);
            let client = AioSocket::new(domain, Type::STREAM).unwrap();
            client.connect(&bound).await.unwrap();
            let (peer, from) = within(10, "accept", server.accept()).await.unwrap();
            assert_eq!(from, client.local_addr().unwrap());
            assert_eq!(peer.peer_addr().unwrap(), client.local_addr().unwrap());
            assert_eq!(client.peer_addr().unwrap(), bound);
            if domain == Domain::UNIX {
                assert_eq!(bound.as_pathname(), Some(path.as_path()));
                assert!(from.is_unnamed(), "{from:?}");
            } else {
                assert_ne!(bound.as_socket().unwrap().port(), 0);
            }
            client.send_all(b"same").await.unwrap();
            let mut buf = [0; 4];
            assert_eq!(peer.recv(&mut buf).await.unwrap(), 4);
            assert_eq!(&buf, b"same");
        }
    });
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn send_all_sends_more_than_the_socket_buffers_hold() {
    let lp = reactor_loop();
    let got = lp.run_task(async {
        let (a, b) = connected_pair().await;
        let message: Vec<u8> = (0..4 << 20).map(|i: u32| i as u8).collect();
        let reader = spawn(async move {
            let mut got = Vec::new();
            let mut buf = [0; 64 * 1024];
            loop {
                match b.recv(&mut buf).await.unwrap() {
                    0 => return got,
                    n => got.extend_from_slice(&buf[..n]),
                }
            }
        });
        a.send_all(&message).await.unwrap();
        a.shutdown(Shutdown::Write).unwrap();
        let got = within(30, "the reader", reader).await.unwrap();
        assert!(
            got == message,
            "{} of {} bytes, or not the same",
            got.len(),
            message.len()
        );
        got.len()
    });
    assert_eq!(got, 4 << 20);
}
