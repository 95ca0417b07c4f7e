//! hyper-util's pooled `Client` (the "legacy" client, which keeps
//! connections alive and reuses them) on goldiloop, through the adapter in
//! `hyper_rt.rs` and a connector of a few lines: it fetches a URL three
//! times over one pooled connection and prints each answer, then how many
//! connections it opened.
//!
//! Run a server (`cargo run -p goldiloop-examples --example hyper_hello`), then
//! `cargo run -p goldiloop-examples --example hyper_client -- http://127.0.0.1:8080/`.

use std::error::Error;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use goldiloop::net::TcpStream;
use http_body_util::{BodyExt, Empty};
use hyper::Uri;
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::{Connected, Connection};

#[path = "hyper_rt.rs"]
mod hyper_rt;

use hyper_rt::{HyperIo, LoopExecutor, LoopTimer};

/// Opens goldiloop TCP connections for the client, counting them.
#[derive(Clone, Debug, Default)]
struct LoopConnector {
    opened: Arc<AtomicUsize>,
}

impl tower_service::Service<Uri> for LoopConnector {
    type Response = HyperIo;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<HyperIo>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let opened = self.opened.clone();
        Box::pin(async move {
            let host = uri.host().unwrap_or("localhost").to_owned();
            let stream = TcpStream::connect((host, uri.port_u16().unwrap_or(80))).await?;
            stream.set_nodelay(true)?;
            opened.fetch_add(1, Ordering::Relaxed);
            Ok(HyperIo(stream))
        })
    }
}

impl Connection for HyperIo {
    fn connected(&self) -> Connected {
        Connected::new()
    }
}

fn main() -> Result<(), Box<dyn Error + Send + Sync>> {
    let url: Uri = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:8080/".into())
        .parse()?;
    goldiloop::run(async move {
        let connector = LoopConnector::default();
        let client = Client::builder(LoopExecutor)
            .pool_timer(LoopTimer)
            .build::<_, Empty<Bytes>>(connector.clone());
        for _ in 0..3 {
            let response = client.get(url.clone()).await?;
            let status = response.status();
            let body = response.into_body().collect().await?.to_bytes();
            println!("GET {url}: {status} {}", String::from_utf8_lossy(&body));
        }
        let opened = connector.opened.load(Ordering::Relaxed);
        println!("connections opened: {opened}");
        Ok(())
    })
}
