//! `goldiloop::io::copy_bidirectional`: a proxy between two TCP connections on
//! the Reactor loop copies both ways at once, passes each end of stream on as
//! a shutdown of the other side's write half, and counts the bytes.

// Sockets and `io` exist only with the `net` feature (`.ci/run` also tests the
// facade with `--no-default-features`).
#![cfg(feature = "net")]

use std::io;
use std::net::Shutdown;
use std::pin::Pin;
use std::task::{Context, Poll};

use goldiloop::io::{AsyncRead, AsyncWrite, copy_bidirectional};
use goldiloop::net::{TcpListener, TcpStream};
use goldiloop::prelude::*;

/// Both ends of one TCP connection on localhost.
async fn tcp_pair() -> io::Result<(TcpStream, TcpStream)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let (client, accepted) = join!(TcpStream::connect(addr), listener.accept());
    Ok((client?, accepted?.0))
}

/// `client <-> (a | proxy | b) <-> server`: the proxy runs as its own task.
async fn proxied() -> io::Result<(TcpStream, TcpStream, JoinHandle<io::Result<(u64, u64)>>)> {
    let (client, mut a) = tcp_pair().await?;
    let (mut b, server) = tcp_pair().await?;
    let proxy = spawn(async move { copy_bidirectional(&mut a, &mut b).await });
    Ok((client, server, proxy))
}

#[test]
fn a_request_and_its_reply_cross_the_proxy_and_are_counted() -> io::Result<()> {
    goldiloop::run(async {
        let (mut client, mut server, proxy) = proxied().await?;
        client.write_all(b"GET / please").await?;
        client.shutdown(Shutdown::Write)?;
        let mut request = Vec::new();
        server.read_to_end(&mut request).await?;
        assert_eq!(request, b"GET / please");
        server.write_all(b"200 here you are").await?;
        server.shutdown(Shutdown::Write)?;
        let mut reply = Vec::new();
        client.read_to_end(&mut reply).await?;
        assert_eq!(reply, b"200 here you are");
        assert_eq!(proxy.await.unwrap()?, (12, 16));
        Ok(())
    })
}

#[test]
fn one_side_ending_shuts_down_only_that_direction() -> io::Result<()> {
    goldiloop::run(async {
        let (mut client, mut server, proxy) = proxied().await?;
        client.close().await?; // client is done sending, still reading
        let mut request = Vec::new();
        server.read_to_end(&mut request).await?;
        assert!(request.is_empty(), "the server saw the end of the stream");
        assert!(!proxy.is_finished(), "the other direction still runs");
        // The half-open direction still carries data, in several writes.
        for chunk in [&b"late "[..], b"reply"] {
            server.write_all(chunk).await?;
            let mut buf = vec![0; chunk.len()];
            client.read_exact(&mut buf).await?;
            assert_eq!(buf, chunk);
        }
        server.close().await?;
        let mut rest = Vec::new();
        client.read_to_end(&mut rest).await?;
        assert!(rest.is_empty());
        assert_eq!(proxy.await.unwrap()?, (0, 10));
        Ok(())
    })
}

#[test]
fn megabytes_flow_both_ways_at_once() -> io::Result<()> {
    const LEN: usize = 4 << 20;
    let pattern = |seed: u8| -> Vec<u8> {
        (0..LEN)
            .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
            .collect()
    };
    goldiloop::run(async move {
        let (client, server, proxy) = proxied().await?;
        // Each end writes 4 MiB while reading 4 MiB: neither direction can
        // finish unless the proxy copies both at the same time.
        let end = |stream: TcpStream, seed: u8| async move {
            let (mut rd, mut wr) = (&stream, &stream);
            let send = async {
                wr.write_all(&pattern(seed)).await?;
                wr.close().await
            };
            let mut got = Vec::new();
            let recv = rd.read_to_end(&mut got);
            try_join!(send, recv)?;
            Ok::<_, io::Error>(got)
        };
        let (from_server, from_client) = try_join!(end(client, 1), end(server, 2))?;
        assert!(
            from_server == pattern(2),
            "the client got the server's bytes in order"
        );
        assert!(
            from_client == pattern(1),
            "the server got the client's bytes in order"
        );
        assert_eq!(proxy.await.unwrap()?, (LEN as u64, LEN as u64));
        Ok(())
    })
}

/// A stream whose reads fail and whose writes take everything.
struct BrokenReads;

impl AsyncRead for BrokenReads {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        _: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(Err(io::Error::other("broken reads")))
    }
}

impl AsyncWrite for BrokenReads {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[test]
fn an_error_on_one_side_ends_the_copy_with_that_error() -> io::Result<()> {
    goldiloop::run(async {
        let (mut a, _b) = tcp_pair().await?;
        let err = copy_bidirectional(&mut BrokenReads, &mut a)
            .await
            .unwrap_err();
        assert_eq!(err.to_string(), "broken reads");
        Ok(())
    })
}

#[test]
fn the_streams_may_be_trait_objects() -> io::Result<()> {
    trait Duplex: AsyncRead + AsyncWrite + Unpin {}
    impl<T: AsyncRead + AsyncWrite + Unpin> Duplex for T {}
    goldiloop::run(async {
        let (mut client, a) = tcp_pair().await?;
        let (b, mut server) = tcp_pair().await?;
        let mut a: Box<dyn Duplex> = Box::new(a);
        let mut b: Box<dyn Duplex> = Box::new(b);
        let proxy = spawn(async move { copy_bidirectional(&mut *a, &mut *b).await });
        client.write_all(b"x").await?;
        client.close().await?;
        server.close().await?;
        let mut got = Vec::new();
        server.read_to_end(&mut got).await?;
        assert_eq!(got, b"x");
        assert_eq!(proxy.await.unwrap()?, (1, 0));
        Ok(())
    })
}
