//! UnixListener and UnixStream: round trips over a path, addresses, EOF,
//! broken pipe, bad paths.

mod util;

use std::io::ErrorKind;
use std::net::Shutdown;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use futures_util::io::{AsyncReadExt, AsyncWriteExt};
use loop_core::spawn;
use loop_net::{UnixListener, UnixStream};

use util::{assert_nonblocking_cloexec, reactor_loop, within};

/// A fresh socket path in the temp directory, removed when dropped.
struct TempPath(PathBuf);

impl TempPath {
    fn new(name: &str) -> TempPath {
        let path =
            std::env::temp_dir().join(format!("loop-net-{}-{name}.sock", std::process::id()));
        let _ = std::fs::remove_file(&path);
        TempPath(path)
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn a_unix_stream_round_trips_through_a_listener_at_a_path() {
    let path = TempPath::new("round-trip");
    let lp = reactor_loop();
    lp.run_task(async {
        let listener = UnixListener::bind(&path.0).unwrap();
        assert_eq!(
            listener.local_addr().unwrap().as_pathname(),
            Some(path.0.as_path())
        );
        let server = spawn(async move {
            let (stream, peer) = listener.accept().await.unwrap();
            assert!(peer.is_unnamed(), "{peer:?}");
            assert_nonblocking_cloexec(stream.as_raw_fd(), "accepted Unix stream");
            let mut buf = [0; 12];
            (&stream).read_exact(&mut buf).await.unwrap();
            buf.reverse();
            (&stream).write_all(&buf).await.unwrap();
            stream.shutdown(Shutdown::Write).unwrap();
        });
        let mut stream = within(10, "connect", UnixStream::connect(&path.0))
            .await
            .unwrap();
        assert_nonblocking_cloexec(stream.as_raw_fd(), "connected Unix stream");
        assert_eq!(
            stream.peer_addr().unwrap().as_pathname(),
            Some(path.0.as_path())
        );
        assert!(stream.local_addr().unwrap().is_unnamed());
        stream.write_all(b"Hello World!").await.unwrap();
        let mut reply = Vec::new();
        within(10, "read to end", stream.read_to_end(&mut reply))
            .await
            .unwrap();
        assert_eq!(reply, b"!dlroW olleH");
        server.await.unwrap();
    });
}

#[test]
fn a_unix_pair_reads_eof_then_writing_is_broken_pipe() {
    let lp = reactor_loop();
    lp.run_task(async {
        let (a, b) = UnixStream::pair().unwrap();
        a.write(b"last words").await.unwrap();
        drop(a);
        let mut buf = Vec::new();
        (&b).read_to_end(&mut buf).await.unwrap();
        assert_eq!(buf, b"last words");
        let mut more = [0; 4];
        assert_eq!(b.read(&mut more).await.unwrap(), 0, "EOF again");
        let err = b.write(b"anyone?").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe, "{err:?}");
    });
}

#[test]
fn connecting_to_a_missing_or_dead_path_fails_with_its_kind() {
    let path = TempPath::new("dead");
    let lp = reactor_loop();
    lp.run_task(async {
        let err = UnixStream::connect(&path.0).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{err:?}");
        drop(UnixListener::bind(&path.0).unwrap()); // the file stays behind
        let err = UnixStream::connect(&path.0).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused, "{err:?}");
        let err = UnixListener::bind(&path.0).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse, "{err:?}");
    });
}

#[test]
fn a_path_too_long_or_with_a_nul_is_invalid_input() {
    let lp = reactor_loop();
    lp.run_task(async {
        let long = Path::new("/tmp").join("x".repeat(200));
        for path in [long.as_path(), Path::new("/tmp/a\0b")] {
            let err = UnixListener::bind(path).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{path:?}");
            let err = UnixStream::connect(path).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{path:?}");
        }
    });
}

#[test]
fn unix_sockets_from_std_are_adopted_non_blocking() {
    let path = TempPath::new("from-std");
    let std_listener = std::os::unix::net::UnixListener::bind(&path.0).unwrap();
    let std_client = std::os::unix::net::UnixStream::connect(&path.0).unwrap();
    let lp = reactor_loop();
    lp.run_task(async move {
        let listener = UnixListener::from_std(std_listener).unwrap();
        let client = UnixStream::from_std(std_client).unwrap();
        assert_nonblocking_cloexec(listener.as_raw_fd(), "adopted Unix listener");
        assert_nonblocking_cloexec(client.as_raw_fd(), "adopted Unix stream");
        let (server_end, _) = within(10, "accept", listener.accept()).await.unwrap();
        client.write(b"x").await.unwrap();
        let mut buf = [0; 1];
        assert_eq!(server_end.read(&mut buf).await.unwrap(), 1);
    });
}
