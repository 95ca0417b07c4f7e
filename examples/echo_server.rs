//! The talk's "network utils" slides: "use `select` to know when the socket
//! is available; go back to the event loop when unavailable". The talk's
//! `AIOSocket` asks epoll with a zero timeout and yields to ask again on
//! every turn; here a task that sees `EAGAIN` parks with its waker, costs
//! nothing while it waits, and runs again only when the epoll Reactor
//! reports its socket ready.
//!
//! An echo server: one task per connection, each receiving into an 8 KiB
//! buffer and sending back what it received until the client closes.
//!
//! Run: `cargo run --release -p goldiloop-examples --example echo_server -- 127.0.0.1:7878`
//! (the address defaults to `127.0.0.1:7878`; port 0 picks a free port), then
//! load it with the `echo_load` example.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use goldiloop::net::{AioSocket, Domain, Type};
use goldiloop::{Loop, spawn};

/// Bytes received (and sent back) at most per system call.
const BUF: usize = 8 * 1024;

/// Echoes everything the client sends until it closes its side.
async fn echo(conn: AioSocket) -> io::Result<()> {
    let mut buf = [0; BUF];
    loop {
        let n = conn.recv(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        conn.send_all(&buf[..n]).await?;
    }
}

fn main() -> io::Result<()> {
    let addr: SocketAddr = match std::env::args().nth(1) {
        Some(arg) => arg
            .parse()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("{arg}: {e}")))?,
        None => "127.0.0.1:7878".parse().unwrap(),
    };
    let domain = if addr.is_ipv4() {
        Domain::IPV4
    } else {
        Domain::IPV6
    };
    let lp = Loop::try_new()?;
    lp.run_task(async move {
        let listener = AioSocket::new(domain, Type::STREAM)?;
        listener.set_reuseaddr(true)?;
        listener.bind(addr)?;
        listener.listen(1024)?;
        println!("echo_server listening on {}", listener.local_addr()?);
        loop {
            match listener.accept().await {
                Ok((conn, _)) => {
                    conn.set_nodelay(true)?;
                    // Dropping the handle detaches the task: it runs to the end.
                    drop(spawn(async move {
                        // A client that resets its connection has merely left.
                        if let Err(e) = echo(conn).await
                            && e.kind() != io::ErrorKind::ConnectionReset
                        {
                            eprintln!("echo_server: connection ended: {e}");
                        }
                    }));
                }
                // Out of fds (EMFILE) and the like: wait instead of spinning.
                Err(e) => {
                    eprintln!("echo_server: accept: {e}");
                    goldiloop::sleep(Duration::from_millis(10)).await;
                }
            }
        }
    })
}
