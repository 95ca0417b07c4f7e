//! fd hygiene: no leaks, and the Reactor's own fds non-blocking and
//! close-on-exec. In its own test binary, so no other test opens fds while
//! these count them; the tests here take turns through `SERIAL`.

mod util;

use std::os::fd::RawFd;
use std::sync::Mutex;

use loop_net::{AioSocket, Reactor, SockAddr, TcpListener, TcpStream, UnixStream, aiosocket};

use util::{assert_nonblocking_cloexec, open_fds, reactor_loop, within};

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

#[test]
fn a_thousand_connect_accept_close_cycles_leak_no_fd() {
    let _serial = serial();
    let lp = reactor_loop();
    lp.run_task(async {
        let server = aiosocket().unwrap();
        server
            .bind("127.0.0.1:0".parse::<SockAddr>().unwrap())
            .unwrap();
        server.listen(1024).unwrap();
        let addr = server.local_addr().unwrap();
        let closed: SockAddr = {
            let probe = aiosocket().unwrap();
            probe
                .bind("127.0.0.1:0".parse::<SockAddr>().unwrap())
                .unwrap();
            probe.local_addr().unwrap() // dropped: nothing listens there
        };
        let before = open_fds();
        for i in 0..1000 {
            let client = aiosocket().unwrap();
            client.connect(addr).await.unwrap();
            let (peer, _) = server.accept().await.unwrap();
            if i % 2 == 0 {
                drop(peer);
            } else {
                client.close();
                continue;
            }
            // Error paths: a refused connect and a send to a closed peer.
            let refused = aiosocket().unwrap();
            assert!(refused.connect(closed).await.is_err());
            let _ = client.send(b"to nobody").await;
        }
        assert_eq!(open_fds(), before);
    });
}

#[test]
fn typed_connections_and_failed_connects_leak_no_fd() {
    let _serial = serial();
    let lp = reactor_loop();
    lp.run_task(async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let closed = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let before = open_fds();
        for _ in 0..300 {
            let client = TcpStream::connect(addr).await.unwrap();
            let (server_end, _) = listener.accept().await.unwrap();
            drop((client, server_end));
            assert!(TcpStream::connect(closed).await.is_err());
            assert!(TcpStream::connect("bad address").await.is_err());
            let (a, b) = UnixStream::pair().unwrap();
            drop((a, b));
        }
        // A host-name lookup thread, and a socket adopted then given back.
        drop(
            within(
                30,
                "connect by name",
                TcpStream::connect(format!("localhost:{}", addr.port())),
            )
            .await,
        );
        drop(listener.accept().await.unwrap());
        let socket = aiosocket().unwrap();
        let fd = std::os::fd::OwnedFd::from(socket);
        drop(AioSocket::from_fd(fd).unwrap());
        assert_eq!(open_fds(), before);
    });
}

/// The fds whose `/proc/self/fd` link names `kind` (e.g. "[eventfd]").
fn anon_fds(kind: &str) -> Vec<RawFd> {
    std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let link = std::fs::read_link(entry.path()).ok()?;
            link.to_str()?
                .ends_with(kind)
                .then(|| entry.file_name().to_str()?.parse().ok())?
        })
        .collect()
}

#[test]
fn the_reactors_epoll_fd_and_eventfd_are_non_blocking_and_close_on_exec() {
    let _serial = serial();
    let (epolls, eventfds) = (anon_fds("[eventpoll]"), anon_fds("[eventfd]"));
    let reactor = Reactor::new().unwrap();
    let new_epolls: Vec<_> = anon_fds("[eventpoll]")
        .into_iter()
        .filter(|fd| !epolls.contains(fd))
        .collect();
    let new_eventfds: Vec<_> = anon_fds("[eventfd]")
        .into_iter()
        .filter(|fd| !eventfds.contains(fd))
        .collect();
    assert_eq!((new_epolls.len(), new_eventfds.len()), (1, 1));
    assert_nonblocking_cloexec(new_epolls[0], "the epoll fd");
    assert_nonblocking_cloexec(new_eventfds[0], "the eventfd");
    drop(reactor);
    assert_eq!(anon_fds("[eventpoll]"), epolls, "the epoll fd is closed");
    assert_eq!(anon_fds("[eventfd]"), eventfds, "the eventfd is closed");
}

#[test]
fn sockets_dropped_on_another_thread_leak_no_fd() {
    let _serial = serial();
    let lp = reactor_loop();
    let before = open_fds();
    let sockets = lp.run_task(async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let mut sockets = Vec::new();
        for _ in 0..50 {
            let client = TcpStream::connect(addr).await.unwrap();
            let (server, _) = listener.accept().await.unwrap();
            sockets.push((client, server));
        }
        (listener, sockets)
    });
    assert_eq!(open_fds(), before + 101);
    std::thread::spawn(move || drop(sockets)).join().unwrap();
    assert_eq!(open_fds(), before, "closed on the thread that dropped them");
    // Their registrations are released by tasks on the loop, which run.
    lp.run_task(loop_core::yield_now());
    assert_eq!(lp.task_count(), 0);
}
