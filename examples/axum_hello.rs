//! An axum `Router` served by hyper on goldiloop, through the adapter in
//! `hyper_rt.rs`: `/` says hello, `/slow` awaits a `goldiloop::sleep`
//! before it answers, `/json` answers JSON. axum needs handlers whose
//! futures are `Send`; goldiloop's sleeps and sockets are.
//!
//! Run: `cargo run -p goldiloop-examples --example axum_hello -- 127.0.0.1:8080`
//! (the address defaults to `127.0.0.1:8080`), then e.g.
//! `curl http://127.0.0.1:8080/json`.

use std::io;
use std::time::Duration;

use axum::routing::get;
use axum::{Json, Router};
use goldiloop::net::TcpListener;
use hyper::server::conn::http1;
use hyper_util::service::TowerToHyperService;
use serde_json::{Value, json};

#[path = "hyper_rt.rs"]
mod hyper_rt;

use hyper_rt::{HyperIo, LoopTimer};

async fn slow() -> String {
    let start = std::time::Instant::now();
    goldiloop::sleep(Duration::from_millis(50)).await;
    let waited = start.elapsed() >= Duration::from_millis(50);
    format!("slept 50 ms: {waited}")
}

async fn json() -> Json<Value> {
    Json(json!({ "runtime": "goldiloop", "server": "axum on hyper", "ok": true }))
}

fn main() -> io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let app = Router::new()
        .route("/", get(|| async { "Hello from axum!" }))
        .route("/slow", get(slow))
        .route("/json", get(json));
    goldiloop::run(async move {
        let listener = TcpListener::bind(addr.as_str())?;
        println!("axum_hello listening on {}", listener.local_addr()?);
        loop {
            let (stream, _) = listener.accept().await?;
            stream.set_nodelay(true)?;
            let service = TowerToHyperService::new(app.clone());
            drop(goldiloop::spawn(async move {
                let conn = http1::Builder::new()
                    .timer(LoopTimer)
                    .serve_connection(HyperIo(stream), service);
                // A client that leaves mid-request (as wrk does when it
                // stops) has merely left.
                if let Err(e) = conn.await
                    && !e.is_incomplete_message()
                {
                    eprintln!("axum_hello: connection ended: {e}");
                }
            }));
        }
    })
}
