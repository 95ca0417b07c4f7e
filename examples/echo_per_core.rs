//! Every core: the echo server of `echo_server`, on one loop per CPU. Each
//! loop binds its own listener to the same address with `SO_REUSEPORT`, the
//! kernel spreads the connections among them, and the loops share nothing:
//! each has its own run queue, timers and epoll Reactor, on a thread pinned
//! to its CPU (`goldiloop::run_per_core`).
//!
//! Run: `cargo run --release -p goldiloop-examples --example echo_per_core -- 127.0.0.1:7878`
//! (the address defaults to `127.0.0.1:7878`; port 0 picks a free port; add
//! `--loops N` for N unpinned loops), then load it with the `echo_load` example.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use goldiloop::net::TcpStream;
use goldiloop::spawn;

#[path = "every_core.rs"]
mod every_core;

/// Echoes everything the client sends until it closes its side.
async fn echo(conn: TcpStream) -> io::Result<()> {
    let mut buf = [0; 8 * 1024];
    loop {
        let n = conn.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        conn.as_socket().send_all(&buf[..n]).await?;
    }
}

fn main() -> io::Result<()> {
    let args = every_core::args("127.0.0.1:7878")?;
    let listeners = Arc::new(every_core::Listeners::bind(args.addr)?);
    println!("echo_per_core listening on {}", listeners.addr);
    let ended = every_core::run(args.loops, move |index| {
        let listeners = listeners.clone();
        async move {
            let listener = listeners.for_loop(index)?;
            loop {
                match listener.accept().await {
                    Ok((conn, _)) => {
                        conn.set_nodelay(true)?;
                        // Dropping the handle detaches the task.
                        drop(spawn(async move {
                            if let Err(e) = echo(conn).await
                                && e.kind() != io::ErrorKind::ConnectionReset
                            {
                                eprintln!("echo_per_core: loop {index}: {e}");
                            }
                        }));
                    }
                    // Out of fds (EMFILE) and the like: wait instead of spinning.
                    Err(e) => {
                        eprintln!("echo_per_core: loop {index}: accept: {e}");
                        goldiloop::sleep(Duration::from_millis(10)).await;
                    }
                }
            }
        }
    })?;
    ended.into_iter().collect::<io::Result<Vec<()>>>().map(drop)
}
