//! Beyond the talk's slides, on its "network utils" idea ("go back to the
//! event loop when unavailable"): every connection a task that parks on
//! `EAGAIN` until the epoll Reactor reports its socket ready, where the
//! talk's socket would poll.
//!
//! A minimal HTTP/1.1 server that answers every request with `Hello, World!`:
//! one task per connection, keep-alive by default, pipelined requests
//! answered in order with one `send`, `Connection: close` honoured. Bodies are
//! not read: a request that has one is answered, then the connection closes.
//! Good enough for `wrk`, not for the open internet.
//!
//! Run: `cargo run --release -p goldiloop-examples --example http_hello -- 127.0.0.1:8080`
//! (the address defaults to `127.0.0.1:8080`), then e.g. `wrk -t1 -c64 -d5s http://127.0.0.1:8080/`.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use goldiloop::net::{AioSocket, Domain, Type};
use goldiloop::{Loop, spawn};

#[path = "http_answer.rs"]
mod http;

#[path = "http_conn.rs"]
mod conn;

use conn::serve;

fn main() -> io::Result<()> {
    let addr: SocketAddr = match std::env::args().nth(1) {
        Some(arg) => arg
            .parse()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("{arg}: {e}")))?,
        None => "127.0.0.1:8080".parse().unwrap(),
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
        println!("http_hello listening on {}", listener.local_addr()?);
        loop {
            match listener.accept().await {
                Ok((conn, _)) => {
                    conn.set_nodelay(true)?;
                    // Dropping the handle detaches the task: it runs to the end.
                    drop(spawn(async move {
                        // A client that resets its connection has merely left.
                        if let Err(e) = serve(conn).await
                            && e.kind() != io::ErrorKind::ConnectionReset
                        {
                            eprintln!("http_hello: connection ended: {e}");
                        }
                    }));
                }
                // Out of fds (EMFILE) and the like: wait instead of spinning.
                Err(e) => {
                    eprintln!("http_hello: accept: {e}");
                    goldiloop::sleep(Duration::from_millis(10)).await;
                }
            }
        }
    })
}
