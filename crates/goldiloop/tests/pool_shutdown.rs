//! Dropping a `LoopPool` whose tasks are pending, sleeping or blocked on
//! sockets: it returns, and leaves no thread and no fd behind. (Alone in its
//! binary: it counts the process's threads.)

#![cfg(all(feature = "net", feature = "time"))]

use std::future::pending;
use std::sync::mpsc;
use std::time::Duration;

use goldiloop::LoopPool;
use goldiloop::net::{TcpListener, TcpStream};

fn count(dir: &str) -> usize {
    // The directory's own fd is counted while /proc/self/fd is read; the
    // difference is all that matters here.
    std::fs::read_dir(dir).unwrap().count()
}

#[test]
fn dropping_a_pool_with_pending_sleeping_and_socket_blocked_tasks_neither_hangs_nor_leaks() {
    let (threads, fds) = (count("/proc/self/task"), count("/proc/self/fd"));
    let pool = LoopPool::builder().loops(2).build().unwrap();
    assert_eq!(count("/proc/self/task"), threads + 2);
    let (started_tx, started_rx) = mpsc::channel();
    let mut handles = Vec::new();
    for i in 0..pool.len() {
        let started = started_tx.clone();
        handles.push(pool.spawner(i).add_task_with(move || async move {
            drop(goldiloop::spawn(pending::<()>()));
            drop(goldiloop::spawn(goldiloop::sleep(Duration::from_secs(
                3600,
            ))));
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let addr = listener.local_addr().unwrap();
            let client = TcpStream::connect(addr).await.unwrap();
            let (server, _) = listener.accept().await.unwrap();
            drop(goldiloop::spawn(async move {
                let _ = client.read(&mut [0; 1]).await; // blocked: nobody writes
            }));
            drop(goldiloop::spawn(async move {
                let _ = server.read(&mut [0; 1]).await;
            }));
            started.send(()).unwrap();
            let _ = listener.accept().await; // blocked: nobody connects
        }));
    }
    for _ in 0..pool.len() {
        started_rx.recv_timeout(Duration::from_secs(10)).unwrap();
    }
    assert!(count("/proc/self/fd") > fds);
    // Dropped on another thread so that a hang fails the test loudly.
    let (done_tx, done_rx) = mpsc::channel();
    let dropper = std::thread::spawn(move || {
        drop(pool);
        done_tx.send(()).unwrap();
    });
    done_rx
        .recv_timeout(Duration::from_secs(10))
        .expect("dropping the pool hangs");
    dropper.join().unwrap();
    for handle in handles {
        assert!(
            goldiloop::run(handle).unwrap_err().is_cancelled(),
            "the body was dropped with its loop"
        );
    }
    assert_eq!(count("/proc/self/task"), threads, "threads leaked");
    assert_eq!(count("/proc/self/fd"), fds, "fds leaked");
}
