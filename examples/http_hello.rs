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

/// Room for request heads: a head that does not fit is refused.
const BUF: usize = 8 * 1024;

const HELLO: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!";
const HELLO_CLOSE: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nConnection: close\r\n\r\nHello, World!";
const TOO_LARGE: &[u8] = b"HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

/// Finds the first complete request head in `buf`. Returns its length,
/// blank line included, and whether the connection stays open after the
/// answer.
fn parse_head(buf: &[u8]) -> Option<(usize, bool)> {
    let len = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let mut lines = buf[..len - 4].split(|&b| b == b'\n');
    let request_line = lines.next()?.trim_ascii_end();
    let mut keep_alive = request_line.ends_with(b"HTTP/1.1");
    for line in lines {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], line[colon + 1..].trim_ascii());
        if name.eq_ignore_ascii_case(b"connection") {
            if value.eq_ignore_ascii_case(b"close") {
                keep_alive = false;
            } else if value.eq_ignore_ascii_case(b"keep-alive") {
                keep_alive = true;
            }
        } else if (name.eq_ignore_ascii_case(b"content-length") && value != b"0")
            || name.eq_ignore_ascii_case(b"transfer-encoding")
        {
            // A body this server does not read: answer, then close.
            return Some((len, false));
        }
    }
    Some((len, keep_alive))
}

/// Sends all of `buf`, waiting for room in the socket as often as needed.
async fn send_all(conn: &AioSocket, mut buf: &[u8]) -> io::Result<()> {
    while !buf.is_empty() {
        let n = conn.send(buf).await?;
        buf = &buf[n..];
    }
    Ok(())
}

/// Answers the requests on one connection until either side closes it.
async fn serve(conn: AioSocket) -> io::Result<()> {
    let mut buf = [0; BUF];
    let mut len = 0;
    let mut out = Vec::new();
    loop {
        let n = conn.recv(&mut buf[len..]).await?;
        if n == 0 {
            return Ok(());
        }
        len += n;
        let mut start = 0;
        let mut open = true;
        while open && let Some((head, keep_alive)) = parse_head(&buf[start..len]) {
            start += head;
            open = keep_alive;
            out.extend_from_slice(if open { HELLO } else { HELLO_CLOSE });
        }
        if start == 0 && len == BUF {
            return send_all(&conn, TOO_LARGE).await;
        }
        send_all(&conn, &out).await?;
        out.clear();
        if !open {
            return Ok(());
        }
        buf.copy_within(start..len, 0);
        len -= start;
    }
}

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
