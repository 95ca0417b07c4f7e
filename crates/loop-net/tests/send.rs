//! Sockets are `Send + Sync`: they may be held by Send-bound code and moved
//! between threads. They are used on the loop they were registered with
//! (anywhere else they panic, naming the fix: `tests/socket.rs`), may be
//! dropped anywhere, and move to another loop through `into_std`/`from_std`
//! from any thread.

mod util;

use std::io::Write;

use futures_util::io::{AsyncReadExt, AsyncWriteExt};
use loop_core::yield_now;
use loop_net::{TcpListener, TcpStream, UdpSocket};
use test_support::panic_message;

use util::{reactor_loop, within};

/// A connected pair of streams on the running loop.
async fn pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let client = TcpStream::connect(addr).await.unwrap();
    let (server, _) = listener.accept().await.unwrap();
    (client, server)
}

#[test]
fn a_stream_handed_to_a_spawner_task_of_its_own_loop_works_there() {
    let lp = reactor_loop();
    let (client, mut server) = lp.run_task(pair());
    let spawner = lp.spawner();
    // From another thread, the stream goes into a `Send` task of its loop.
    let echoed = std::thread::spawn(move || {
        spawner.add_task(async move {
            let mut client = client;
            client.write_all(b"ping").await.unwrap();
            let mut buf = [0; 4];
            client.read_exact(&mut buf).await.unwrap();
            buf
        })
    })
    .join()
    .unwrap();
    let got = lp.run_task(async move {
        let mut buf = [0; 4];
        server.read_exact(&mut buf).await.unwrap();
        server.write_all(b"pong").await.unwrap();
        within(5, "the echo", echoed).await.unwrap()
    });
    assert_eq!(&got, b"pong");
}

#[test]
fn a_stream_sent_to_another_thread_s_loop_panics_naming_the_move() {
    let lp = reactor_loop();
    let (mut client, _server) = lp.run_task(pair());
    let msg = std::thread::spawn(move || {
        panic_message(|| {
            reactor_loop().run_task(async {
                let _ = client.write_all(b"lost").await;
            })
        })
    })
    .join()
    .unwrap();
    assert!(msg.contains("`into_std()` on its own loop"), "{msg}");
}

#[test]
fn a_stream_dropped_on_another_thread_closes_its_fd_and_the_loop_reuses_its_slot() {
    let lp = reactor_loop();
    let (client, server) = lp.run_task(pair());
    std::thread::spawn(move || drop(client)).join().unwrap();
    // The peer sees the close at once (the fd was closed on that thread).
    let n = lp.run_task(async { within(5, "end of stream", server.read(&mut [0; 8])).await });
    assert_eq!(n.unwrap(), 0);
    // The loop released the registration (a task it ran), and goes on.
    lp.run_task(async {
        yield_now().await;
        let (mut a, mut b) = pair().await;
        a.write_all(b"after").await.unwrap();
        let mut buf = [0; 5];
        b.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"after");
    });
    assert_eq!(lp.task_count(), 0);
}

#[test]
fn a_socket_that_outlives_its_loop_drops_on_any_thread() {
    let lp = reactor_loop();
    let (client, server) = lp.run_task(pair());
    let udp = lp.run_task(async { UdpSocket::bind("127.0.0.1:0").unwrap() });
    drop(lp);
    drop(server);
    std::thread::spawn(move || {
        drop(client);
        drop(udp);
    })
    .join()
    .unwrap();
}

#[test]
fn a_stream_moves_to_another_thread_s_loop_and_back_through_into_std() {
    let lp = reactor_loop();
    let (client, mut server) = lp.run_task(pair());
    let std_client = std::thread::spawn(move || {
        // Taken out of its loop's Reactor here, on another thread.
        let mut std_client = client.into_std();
        std_client.set_nonblocking(false).unwrap();
        std_client.write_all(b"std").unwrap();
        // Then registered with a loop of this thread, and out again.
        reactor_loop().run_task(async move {
            let mut client = TcpStream::from_std(std_client).unwrap();
            client.write_all(b", there").await.unwrap();
            client.into_std()
        })
    })
    .join()
    .unwrap();
    let text = lp.run_task(async move {
        // Home again: registered with its first loop once more.
        let mut client = TcpStream::from_std(std_client).unwrap();
        client.write_all(b", home").await.unwrap();
        drop(client);
        let mut text = String::new();
        within(5, "reading", server.read_to_string(&mut text))
            .await
            .unwrap();
        text
    });
    assert_eq!(text, "std, there, home");
}

#[test]
fn a_listener_polled_where_no_loop_runs_panics_naming_the_fix() {
    let lp = reactor_loop();
    let listener = lp.run_task(async { TcpListener::bind("127.0.0.1:0").unwrap() });
    let msg = std::thread::spawn(move || {
        panic_message(|| {
            let waker = std::task::Waker::noop();
            let mut cx = std::task::Context::from_waker(waker);
            let _ = listener.poll_accept(&mut cx);
        })
    })
    .join()
    .unwrap();
    assert!(msg.contains("polled where no loop runs"), "{msg}");
}
