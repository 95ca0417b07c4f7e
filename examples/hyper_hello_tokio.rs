//! The `hyper_hello` server on tokio's current-thread runtime, for the
//! benchmark that measures both side by side (`benches/net.sh --only hyper`):
//! the same hyper service, the same HTTP/1.1 options (a timer, so the
//! header-read timeout runs on both), the same one thread.
//!
//! Run: `cargo run --release -p goldiloop-examples --example hyper_hello_tokio -- 127.0.0.1:8080`.

use std::convert::Infallible;
use std::io;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;

async fn hello(_: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(Response::new(Full::new(Bytes::from_static(
        b"Hello, World!",
    ))))
}

fn main() -> io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = TcpListener::bind(addr.as_str()).await?;
        println!("hyper_hello_tokio listening on {}", listener.local_addr()?);
        loop {
            let (stream, _) = listener.accept().await?;
            stream.set_nodelay(true)?;
            tokio::spawn(async move {
                let conn = http1::Builder::new()
                    .timer(TokioTimer::new())
                    .serve_connection(TokioIo::new(stream), service_fn(hello));
                // A client that leaves mid-request (as wrk does when it
                // stops) has merely left.
                if let Err(e) = conn.await
                    && !e.is_incomplete_message()
                {
                    eprintln!("hyper_hello_tokio: connection ended: {e}");
                }
            });
        }
    })
}
