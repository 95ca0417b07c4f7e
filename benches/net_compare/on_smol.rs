//! The echo and HTTP servers on smol (a `LocalExecutor` driven by async-io's
//! `block_on`): the same work per request as `examples/echo_server.rs` and
//! `examples/http_hello.rs`.

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

use smol::io::{AsyncReadExt, AsyncWriteExt};
use smol::{Async, LocalExecutor, Timer};

use crate::Kind;
use crate::http;

/// Echoes everything the client sends until it closes its side.
async fn echo(mut conn: Async<TcpStream>) -> io::Result<()> {
    let mut buf = [0; crate::ECHO_BUF];
    loop {
        let n = conn.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        conn.write_all(&buf[..n]).await?;
    }
}

/// Answers the requests on one connection until either side closes it.
async fn serve_http(mut conn: Async<TcpStream>) -> io::Result<()> {
    let mut buf = [0; http::BUF];
    let mut len = 0;
    let mut out = Vec::new();
    loop {
        let n = conn.read(&mut buf[len..]).await?;
        if n == 0 {
            return Ok(());
        }
        len += n;
        let (start, open) = http::answer(&buf[..len], &mut out);
        if start == 0 && len == http::BUF {
            return conn.write_all(http::TOO_LARGE).await;
        }
        conn.write_all(&out).await?;
        out.clear();
        if !open {
            return Ok(());
        }
        buf.copy_within(start..len, 0);
        len -= start;
    }
}

/// Serves `kind` on `addr` until killed.
pub(crate) fn serve(kind: Kind, addr: SocketAddr) -> io::Result<()> {
    let ex = LocalExecutor::new();
    smol::block_on(ex.run(async {
        let listener = Async::<TcpListener>::bind(addr)?;
        println!(
            "smol {kind:?} listening on {}",
            listener.get_ref().local_addr()?
        );
        loop {
            match listener.accept().await {
                Ok((conn, _)) => {
                    conn.get_ref().set_nodelay(true)?;
                    match kind {
                        Kind::Echo => ex.spawn(async move { crate::log(echo(conn).await) }),
                        Kind::Http => ex.spawn(async move { crate::log(serve_http(conn).await) }),
                    }
                    .detach();
                }
                Err(e) => {
                    eprintln!("smol server: accept: {e}");
                    Timer::after(Duration::from_millis(10)).await;
                }
            }
        }
    }))
}
