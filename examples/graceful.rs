//! A server that stops gracefully: on SIGTERM or Ctrl-C it stops accepting,
//! lets the connections already open finish their request (up to a
//! deadline), and exits 0.
//!
//! The protocol is one line each way: the server greets a new connection
//! with `hello`, reads one line, works on it for a moment (a 200 ms sleep
//! standing for real work), and answers `done: <line>`.
//!
//! Run: `cargo run -p goldiloop-examples --example graceful -- 127.0.0.1:0`
//! (it prints the address it listens on), talk to it with `nc`, and stop it
//! with Ctrl-C or `kill -TERM <pid>`.

use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::io;
use std::rc::Rc;
use std::task::Poll;
use std::time::Duration;

use goldiloop::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use goldiloop::net::{TcpListener, TcpStream};
use goldiloop::signal::{SignalKind, signal};
use goldiloop::{JoinHandle, sleep, spawn, timeout};

/// How long open connections get to finish after the signal.
const DEADLINE: Duration = Duration::from_secs(5);

/// One connection: greet, read a line, work, answer.
async fn serve(stream: TcpStream) -> io::Result<()> {
    (&stream).write_all(b"hello\n").await?;
    let mut line = String::new();
    BufReader::new(&stream).read_line(&mut line).await?;
    sleep(Duration::from_millis(200)).await; // the work
    (&stream)
        .write_all(format!("done: {}\n", line.trim_end()).as_bytes())
        .await
}

/// Accepts until aborted, keeping each connection's handle.
async fn accept(listener: TcpListener, open: Rc<RefCell<Vec<JoinHandle<io::Result<()>>>>>) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let mut open = open.borrow_mut();
                open.retain(|conn| !conn.is_finished());
                open.push(spawn(serve(stream)));
            }
            Err(err) => eprintln!("accept: {err}"),
        }
    }
}

fn main() -> io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7879".into());
    goldiloop::run(async move {
        // Listen for the signals first: one that comes early is kept.
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        let listener = TcpListener::bind(addr.as_str())?;
        println!("listening on {}", listener.local_addr()?);

        let open = Rc::new(RefCell::new(Vec::new()));
        let acceptor = spawn(accept(listener, open.clone()));
        poll_fn(|cx| {
            if term.poll_recv(cx).is_ready() || int.poll_recv(cx).is_ready() {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await;

        // Stop accepting: aborting the acceptor drops the listener.
        acceptor.abort();
        let _ = acceptor.await;
        let open = std::mem::take(&mut *open.borrow_mut());
        println!("stopping: {} connection(s) open", open.len());
        let finished = Cell::new(0);
        let all = async {
            for conn in open {
                if let Ok(Ok(())) = conn.await {
                    finished.set(finished.get() + 1);
                }
            }
        };
        // Past the deadline, the connections left are dropped with the loop.
        if timeout(DEADLINE, all).await.is_err() {
            println!("deadline passed: dropping the rest");
        }
        println!("stopped: {} finished", finished.get());
        Ok(())
    })
}
