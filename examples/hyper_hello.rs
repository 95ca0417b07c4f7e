//! hyper 1.x serving HTTP/1.1 on goldiloop, through the small adapter in
//! `hyper_rt.rs` (executor, timer, IO): every request is answered with
//! `Hello, World!`; keep-alive, pipelining and the 30 s header-read timeout
//! are hyper's. One loop on one thread, one task per connection.
//!
//! Run: `cargo run --release -p goldiloop-examples --example hyper_hello -- 127.0.0.1:8080`
//! (the address defaults to `127.0.0.1:8080`), then e.g. `curl http://127.0.0.1:8080/`
//! or `wrk -t1 -c64 -d5s http://127.0.0.1:8080/`.

use std::convert::Infallible;
use std::io;
use std::time::Duration;

use goldiloop::net::TcpListener;
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};

#[path = "hyper_rt.rs"]
mod hyper_rt;

use hyper_rt::{HyperIo, LoopTimer};

async fn hello(_: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(Response::new(Full::new(Bytes::from_static(
        b"Hello, World!",
    ))))
}

fn main() -> io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    goldiloop::run(async move {
        let listener = TcpListener::bind(addr.as_str())?;
        println!("hyper_hello listening on {}", listener.local_addr()?);
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                // Out of fds (EMFILE) and the like: wait instead of spinning.
                Err(e) => {
                    eprintln!("hyper_hello: accept: {e}");
                    goldiloop::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            };
            stream.set_nodelay(true)?;
            drop(goldiloop::spawn(async move {
                let conn = http1::Builder::new()
                    .timer(LoopTimer)
                    .serve_connection(HyperIo(stream), service_fn(hello));
                // A client that leaves mid-request (as wrk does when it
                // stops) has merely left.
                if let Err(e) = conn.await
                    && !e.is_incomplete_message()
                {
                    eprintln!("hyper_hello: connection ended: {e}");
                }
            }));
        }
    })
}
