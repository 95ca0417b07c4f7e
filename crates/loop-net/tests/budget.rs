//! The cooperative budget on sockets: a task whose socket operations keep
//! completing at once (never `Pending`) still lets the loop's other tasks,
//! its timers and its sockets run.

mod util;

use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

use futures_util::io::{AsyncReadExt, AsyncWriteExt};
use loop_core::{interrupt, spawn};
use loop_net::{UdpSocket, UnixStream};

use util::reactor_loop;

/// Ready operations after which a loop that never yielded has failed: far
/// more than a fair loop needs (a few hundred, and a 1 ms timer's worth).
const GENEROUS: u64 = 1_000_000;

/// Runs `op` again and again (each run completes without `Pending`) until a
/// task that interrupts in a loop and a task that sleeps 1 ms in a loop have
/// both made progress, or `GENEROUS` runs have passed; asserts they made it.
async fn op_loop_lets_others_run<F: Future<Output = ()>>(what: &str, mut op: impl FnMut() -> F) {
    let interrupts = Rc::new(Cell::new(0u64));
    let sleeps = Rc::new(Cell::new(0u64));
    let ticker = spawn({
        let interrupts = interrupts.clone();
        async move {
            loop {
                interrupt().await;
                interrupts.set(interrupts.get() + 1);
            }
        }
    });
    let sleeper = spawn({
        let sleeps = sleeps.clone();
        async move {
            loop {
                loop_time::sleep(Duration::from_millis(1)).await;
                sleeps.set(sleeps.get() + 1);
            }
        }
    });
    let mut runs = 0;
    while (interrupts.get() == 0 || sleeps.get() == 0) && runs < GENEROUS {
        op().await;
        runs += 1;
    }
    ticker.abort();
    sleeper.abort();
    assert!(
        interrupts.get() > 0 && sleeps.get() > 0,
        "after {runs} {what} that never waited: {} interrupt ticks, {} timer ticks",
        interrupts.get(),
        sleeps.get()
    );
}

#[test]
fn a_task_reading_an_always_readable_stream_lets_tasks_and_timers_run() {
    reactor_loop().run_task(async {
        let (a, b) = UnixStream::pair().unwrap();
        // Each round writes a byte and reads it back: the stream is always
        // readable, a full read never clears its readiness, nothing waits.
        op_loop_lets_others_run("write+read rounds", || async {
            assert_eq!(a.write(b"x").await.unwrap(), 1);
            assert_eq!(b.read(&mut [0; 1]).await.unwrap(), 1);
        })
        .await;
    });
}

#[test]
fn a_task_using_the_futures_io_traits_on_a_ready_stream_lets_tasks_and_timers_run() {
    reactor_loop().run_task(async {
        let (a, b) = UnixStream::pair().unwrap();
        op_loop_lets_others_run("write_all+read_exact rounds", || async {
            (&a).write_all(b"xy").await.unwrap();
            (&b).read_exact(&mut [0; 2]).await.unwrap();
        })
        .await;
    });
}

#[test]
fn a_task_receiving_datagrams_that_are_always_there_lets_tasks_and_timers_run() {
    reactor_loop().run_task(async {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        let addr = socket.local_addr().unwrap();
        op_loop_lets_others_run("send_to+recv_from rounds", || async {
            socket.send_to(b"x", addr).await.unwrap();
            assert_eq!(socket.recv_from(&mut [0; 4]).await.unwrap(), (1, addr));
        })
        .await;
    });
}
