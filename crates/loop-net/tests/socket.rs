//! AioSocket behaviour: round trips, error kinds, fd flags, no leaks, no spinning.

use std::io::ErrorKind;
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::time::Duration;

use loop_core::Loop;
use loop_net::{AioSocket, Reactor, aiosocket};

fn reactor_loop() -> Loop {
    Loop::with_park(Reactor::new().unwrap())
}

fn any_port() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

fn listener() -> AioSocket {
    let server = aiosocket().unwrap();
    server.bind(any_port()).unwrap();
    server.listen(1024).unwrap();
    server
}

fn cpu_time() -> Duration {
    // SAFETY: getrusage fills the zeroed struct it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        assert_eq!(libc::getrusage(libc::RUSAGE_THREAD, &mut usage), 0);
        usage
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
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
    assert_eq!(lp.run_task(async { 5 }), 5);
}

#[test]
fn peer_close_reads_as_eof_and_writing_after_it_is_broken_pipe() {
    let lp = reactor_loop();
    let (n, err) = lp.run_task(async {
        let server = listener();
        let client = aiosocket().unwrap();
        client.connect(server.local_addr().unwrap()).await.unwrap();
        let (peer, _) = server.accept().await.unwrap();
        peer.close();
        let mut buf = [0; 16];
        let n = client.recv(&mut buf).await.unwrap();
        let mut err = None;
        for _ in 0..100 {
            if let Err(e) = client.send(&[0; 1024]).await {
                err = Some(e);
                break;
            }
        }
        (n, err.expect("no error after 100 writes to a closed peer"))
    });
    assert_eq!(n, 0);
    assert!(
        matches!(
            err.kind(),
            ErrorKind::BrokenPipe | ErrorKind::ConnectionReset
        ),
        "{err:?}"
    );
}

#[test]
fn sockets_are_non_blocking_and_close_on_exec() {
    let lp = reactor_loop();
    lp.run_task(async {
        let server = listener();
        let client = aiosocket().unwrap();
        client.connect(server.local_addr().unwrap()).await.unwrap();
        let (peer, _) = server.accept().await.unwrap();
        for fd in [server.as_raw_fd(), client.as_raw_fd(), peer.as_raw_fd()] {
            // SAFETY: fcntl reads flags of an open fd.
            let fl = unsafe { libc::fcntl(fd, libc::F_GETFL) };
            // SAFETY: as above.
            let fd_flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
            assert_ne!(fl & libc::O_NONBLOCK, 0);
            assert_ne!(fd_flags & libc::FD_CLOEXEC, 0);
        }
    });
}

#[test]
fn waiting_300ms_on_accept_costs_a_few_ms_of_cpu() {
    let lp = reactor_loop();
    let server = lp.run_task(async { listener() });
    let addr = server.local_addr().unwrap();
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
    let msg = panic
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_else(|| panic.downcast_ref::<&str>().unwrap().to_string());
    assert!(
        msg.contains("Loop::with_park(loop_net::Reactor::new()?)"),
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
        let (peer, from) = server.accept().await.unwrap();
        assert_eq!(from, client.local_addr().unwrap());
        assert_eq!(peer.peer_addr().unwrap(), client.local_addr().unwrap());
        assert_eq!(client.peer_addr().unwrap(), server.local_addr().unwrap());
        client.shutdown(std::net::Shutdown::Write).unwrap();
        let mut buf = [0; 4];
        assert_eq!(peer.recv(&mut buf).await.unwrap(), 0);
    });
}

#[test]
fn udp_datagram_round_trips_with_sender_address() {
    use loop_net::{Domain, Type};

    let lp = reactor_loop();
    lp.run_task(async {
        let a = AioSocket::new(Domain::IPV4, Type::DGRAM).unwrap();
        let b = AioSocket::new(Domain::IPV4, Type::DGRAM).unwrap();
        a.bind(any_port()).unwrap();
        b.bind(any_port()).unwrap();
        let to_b = b.local_addr().unwrap();
        assert_eq!(a.send_to(b"ping", to_b).await.unwrap(), 4);
        let mut buf = [0; 16];
        let (n, from) = b.recv_from(&mut buf).await.unwrap();
        assert_eq!((&buf[..n], from), (&b"ping"[..], a.local_addr().unwrap()));
    });
}
