//! TcpListener and TcpStream: connect by literal and by name, IPv6, the
//! futures-io traits, 1 000 concurrent connections, error kinds.

mod util;

use std::io::ErrorKind;
use std::net::{Shutdown, SocketAddr};
use std::os::fd::AsRawFd;

use futures_util::io::{AsyncReadExt, AsyncWriteExt};
use loop_core::{Loop, spawn};
use loop_net::{TcpListener, TcpStream};

use util::{
    assert_nonblocking_cloexec, nofile_limit, panic_message, reactor_loop, set_linger_zero,
    set_nofile_soft_limit, within,
};

/// Accepts one connection and echoes it back until end of stream.
fn spawn_echo_server(listener: TcpListener) -> loop_core::JoinHandle<u64> {
    spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        futures_util::io::copy(&stream, &mut &stream).await.unwrap()
    })
}

#[test]
fn read_exact_write_all_and_copy_echo_through_the_futures_io_traits() {
    let lp = reactor_loop();
    lp.run_task(async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = spawn_echo_server(listener);
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let message: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        // Write and read concurrently: 200 kB do not fit the socket buffers.
        let ((), read) = within(30, "echo", async {
            let reader = async {
                let mut back = vec![0; message.len()];
                (&stream).read_exact(&mut back).await.unwrap();
                back
            };
            let writer = async {
                (&stream).write_all(&message).await.unwrap();
            };
            futures_util::future::join(writer, reader).await
        })
        .await;
        assert_eq!(read, message);
        stream.close().await.unwrap(); // shutdown(Write): the copy ends
        let copied = within(10, "server copy", server).await.unwrap();
        assert_eq!(copied, message.len() as u64);
        let mut rest = Vec::new();
        stream.read_to_end(&mut rest).await.unwrap();
        assert!(rest.is_empty());
    });
}

#[test]
fn connecting_by_host_name_resolves_off_the_loop_and_tries_each_address() {
    let lp = reactor_loop();
    lp.run_task(async {
        // Only IPv4: if "localhost" gives ::1 first, that attempt is refused
        // and the next address is tried, as std does.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = spawn_echo_server(listener);
        let stream = within(30, "connect to localhost", async {
            TcpStream::connect(format!("localhost:{port}")).await
        })
        .await
        .unwrap();
        assert_eq!(stream.peer_addr().unwrap().port(), port);
        (&stream).write_all(b"by name").await.unwrap();
        let mut buf = [0; 7];
        (&stream).read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"by name");
        stream.shutdown(Shutdown::Write).unwrap();
        assert_eq!(within(10, "server", server).await.unwrap(), 7);
    });
}

#[test]
fn connecting_to_a_closed_port_is_connection_refused_for_every_form_of_address() {
    let lp = reactor_loop();
    lp.run_task(async {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port(); // dropped: the port is closed
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let text = format!("127.0.0.1:{port}");
        let errors = [
            TcpStream::connect(addr).await.unwrap_err(),
            TcpStream::connect(("127.0.0.1", port)).await.unwrap_err(),
            TcpStream::connect(text.as_str()).await.unwrap_err(),
            TcpStream::connect(&[addr, addr][..]).await.unwrap_err(),
        ];
        for err in errors {
            assert_eq!(err.kind(), ErrorKind::ConnectionRefused, "{err:?}");
        }
    });
}

#[test]
fn malformed_addresses_are_invalid_input_errors() {
    let lp = reactor_loop();
    lp.run_task(async {
        for bad in ["no port", "127.0.0.1:port", "localhost:99999"] {
            let err = TcpStream::connect(bad).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad}: {err:?}");
            let err = TcpListener::bind(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad}: {err:?}");
        }
        let none: &[SocketAddr] = &[];
        let err = TcpStream::connect(none).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err:?}");
    });
}

#[test]
fn ipv6_loopback_round_trips_where_the_machine_has_it() {
    let lp = reactor_loop();
    lp.run_task(async {
        let listener = match TcpListener::bind("[::1]:0") {
            Ok(listener) => listener,
            Err(e)
                if matches!(
                    e.raw_os_error(),
                    Some(libc::EADDRNOTAVAIL | libc::EAFNOSUPPORT)
                ) =>
            {
                println!("note: skipped, no IPv6 loopback here ({e})");
                return;
            }
            Err(e) => panic!("binding [::1]:0: {e}"),
        };
        let addr = listener.local_addr().unwrap();
        assert!(addr.is_ipv6());
        let server = spawn_echo_server(listener);
        let stream = TcpStream::connect(addr).await.unwrap();
        assert_eq!(stream.peer_addr().unwrap(), addr);
        assert!(stream.local_addr().unwrap().is_ipv6());
        stream.write(b"six").await.unwrap();
        let mut buf = [0; 3];
        (&stream).read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"six");
        stream.shutdown(Shutdown::Write).unwrap();
        within(10, "server", server).await.unwrap();
    });
}

#[test]
fn a_thousand_concurrent_connections_all_echo() {
    let (soft, hard) = nofile_limit();
    if soft < hard {
        set_nofile_soft_limit(hard); // each connection takes two fds here
    }
    let connections = 1000.min((hard.saturating_sub(64) / 2) as usize);
    if connections < 1000 {
        println!("note: the fd hard limit ({hard}) allows only {connections} connections");
    }
    let lp = reactor_loop();
    lp.run_task(async move {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = spawn(async move {
            let mut echoes = Vec::new();
            for _ in 0..connections {
                let (stream, _) = listener.accept().await.unwrap();
                echoes.push(spawn(async move {
                    futures_util::io::copy(&stream, &mut &stream).await.unwrap()
                }));
            }
            let mut total = 0;
            for echo in echoes {
                total += echo.await.unwrap();
            }
            total
        });
        let clients: Vec<_> = (0..connections)
            .map(|i| {
                spawn(async move {
                    let mut stream = TcpStream::connect(addr).await.unwrap();
                    let message = format!("message {i:04} from a client of many");
                    stream.write_all(message.as_bytes()).await.unwrap();
                    let mut back = vec![0; message.len()];
                    stream.read_exact(&mut back).await.unwrap();
                    assert_eq!(back, message.as_bytes());
                    stream.close().await.unwrap();
                    message.len() as u64
                })
            })
            .collect();
        let (sent, echoed) = within(120, "1000 connections", async {
            let mut sent = 0;
            for client in clients {
                sent += client.await.unwrap();
            }
            (sent, server.await.unwrap())
        })
        .await;
        assert_eq!(sent, echoed);
        assert_eq!(sent, connections as u64 * 34);
    });
}

#[test]
fn a_listener_queues_hundreds_of_connections_before_accepting_any() {
    let somaxconn: usize = std::fs::read_to_string("/proc/sys/net/core/somaxconn")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0);
    if somaxconn < 600 {
        println!("note: skipped, net.core.somaxconn is {somaxconn}, below 600");
        return;
    }
    let lp = reactor_loop();
    lp.run_task(async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        // With a backlog of 128 the kernel would drop the later SYNs and
        // these connects would stall for seconds.
        let clients = within(20, "500 connects before any accept", async {
            let mut clients = Vec::new();
            for _ in 0..500 {
                clients.push(TcpStream::connect(addr).await.unwrap());
            }
            clients
        })
        .await;
        for _ in 0..clients.len() {
            within(10, "accept", listener.accept()).await.unwrap();
        }
    });
}

#[test]
fn a_peer_reset_mid_stream_ends_a_read_with_connection_reset() {
    let lp = reactor_loop();
    let err = lp.run_task(async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server_end, _) = listener.accept().await.unwrap();
        server_end.write(b"partial").await.unwrap();
        let mut buf = [0; 7];
        (&client).read_exact(&mut buf).await.unwrap();
        set_linger_zero(server_end.as_raw_fd());
        drop(server_end);
        let mut rest = [0; 64];
        within(10, "read after reset", client.read(&mut rest))
            .await
            .unwrap_err()
    });
    assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err:?}");
}

#[test]
fn streams_from_std_are_adopted_non_blocking() {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = std_listener.local_addr().unwrap();
    let std_client = std::net::TcpStream::connect(addr).unwrap();
    let lp = reactor_loop();
    lp.run_task(async move {
        let listener = TcpListener::from_std(std_listener).unwrap();
        let client = TcpStream::from_std(std_client).unwrap();
        assert_nonblocking_cloexec(listener.as_raw_fd(), "adopted listener");
        assert_nonblocking_cloexec(client.as_raw_fd(), "adopted stream");
        let (server_end, peer) = listener.accept().await.unwrap();
        assert_eq!(peer, client.local_addr().unwrap());
        client.set_nodelay(true).unwrap();
        assert!(client.nodelay().unwrap());
        client.write(b"adopted").await.unwrap();
        let mut buf = [0; 7];
        (&server_end).read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"adopted");
        // A read with nothing to read parks instead of blocking the loop.
        let idle = spawn(async move {
            let mut buf = [0; 1];
            client.read(&mut buf).await.unwrap()
        });
        loop_core::interrupt().await;
        drop(server_end);
        assert_eq!(within(10, "read to EOF", idle).await.unwrap(), 0);
    });
}

#[test]
fn binding_a_port_in_use_is_addr_in_use() {
    let lp = reactor_loop();
    lp.run_task(async {
        let first = TcpListener::bind("127.0.0.1:0").unwrap();
        let err = TcpListener::bind(first.local_addr().unwrap()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse);
    });
}

#[test]
fn binding_a_listener_on_a_loop_without_a_reactor_panics_naming_the_fix() {
    let lp = Loop::new();
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        lp.run_task(async { drop(TcpListener::bind("127.0.0.1:0")) })
    }))
    .unwrap_err();
    let msg = panic_message(panic);
    assert!(
        msg.contains("Loop::with_park(loop_net::Reactor::new()?)"),
        "{msg}"
    );
}

#[test]
fn closing_a_stream_whose_peer_reset_the_connection_is_ok() {
    let lp = reactor_loop();
    lp.run_task(async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let mut client = TcpStream::connect(addr).await.unwrap();
        let (server, _) = listener.accept().await.unwrap();
        // The server resets the connection (linger 0, then close: an RST).
        set_linger_zero(server.as_raw_fd());
        drop(server);
        // The client sees the reset on a read...
        let mut buf = [0; 1];
        let read = within(10, "the reset", client.read(&mut buf)).await;
        assert_eq!(read.unwrap_err().kind(), ErrorKind::ConnectionReset);
        // ...and closing what is already closed is not an error.
        client.close().await.unwrap();
        // An explicit shutdown still reports what the kernel says.
        assert_eq!(
            client.shutdown(Shutdown::Write).unwrap_err().kind(),
            ErrorKind::NotConnected
        );
    });
}

/// `connect`'s future is `Send` (hyper-util's pooled client spawns it), for
/// a host name as for an address.
#[test]
fn connect_futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let by_name = TcpStream::connect(("localhost", 80));
    assert_send(&by_name);
    let by_addr = TcpStream::connect(std::net::SocketAddr::from(([127, 0, 0, 1], 80)));
    assert_send(&by_addr);
}
