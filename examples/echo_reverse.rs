//! The talk's last slide: `server_coro` accepts one client and answers its
//! message reversed; `client_coro` sends `Hello World!` and prints the answer.
//! Unlike the slide's `AIOSocket`, nothing polls: a task that would block
//! parks until the epoll Reactor sees its socket ready.
//!
//! Run: `cargo run -p goldiloop-examples --example echo_reverse`

use std::io;
use std::net::SocketAddr;

use goldiloop::net::{AioSocket, SockAddr, aiosocket};
use goldiloop::{Loop, spawn};

async fn server_coro(server: AioSocket) -> io::Result<()> {
    let (client, _) = server.accept().await?;
    let mut buf = [0; 1024];
    let n = client.recv(&mut buf).await?;
    let msg = &mut buf[..n];
    println!("Received from client {:?}", String::from_utf8_lossy(msg));
    msg.reverse();
    client.send(msg).await?;
    Ok(())
}

async fn client_coro(addr: SockAddr) -> io::Result<()> {
    let client = aiosocket()?;
    client.connect(addr).await?;
    client.send(b"Hello World!").await?;
    let mut buf = [0; 1024];
    let n = client.recv(&mut buf).await?;
    println!(
        "Received from server {:?}",
        String::from_utf8_lossy(&buf[..n])
    );
    Ok(())
}

pub(crate) fn main() -> io::Result<()> {
    // goldiloop's Loop parks in the epoll Reactor, so sockets work on it.
    let lp = Loop::try_new()?;
    lp.run_task(async {
        // bind and listen never block: the server is ready before the client
        // connects. Port 0 lets the kernel pick a free port.
        let server = aiosocket()?;
        server.bind(SocketAddr::from(([127, 0, 0, 1], 0)))?;
        server.listen(128)?;
        let addr = server.local_addr()?;
        let server = spawn(server_coro(server));
        client_coro(addr).await?;
        server.await.expect("server task panicked")
    })
}
