//! Reads into uninitialised memory: `ReadBuf`, `poll_read_buf`/`read_buf`
//! on the stream types and `AioFd`, `recv_buf` on `AioSocket`. Each checks
//! that the bytes read are exactly the peer's, and that nothing past what
//! was read is claimed initialised.

mod util;

use std::future::poll_fn;
use std::io::Write;
use std::mem::MaybeUninit;
use std::pin::pin;
use std::task::{Context, Poll};

use futures_util::io::AsyncWriteExt;
use loop_core::spawn;
use loop_net::{AioFd, ReadBuf, TcpListener, TcpStream, UnixStream};
use test_support::{CountingWaker, panic_message};

use util::{reactor_loop, within};

/// A byte no peer in these tests sends: a slot still holding it was not
/// written by the kernel.
const POISON: u8 = 0xA5;

#[test]
fn poll_read_buf_fills_an_uninit_buffer_with_exactly_the_peers_bytes_and_claims_no_more() {
    let lp = reactor_loop();
    lp.run_task(async {
        let (mut a, b) = UnixStream::pair().unwrap();
        a.write_all(b"hello").await.unwrap();
        // Poisoned, so a write past the 5 bytes would show; the ReadBuf is
        // told nothing is initialised.
        let mut storage = [MaybeUninit::new(POISON); 64];
        let mut buf = ReadBuf::uninit(&mut storage);
        let n = within(10, "read", poll_fn(|cx| b.poll_read_buf(cx, &mut buf)))
            .await
            .unwrap();
        assert_eq!(n, 5);
        assert_eq!(buf.filled(), b"hello");
        assert_eq!(buf.initialized_len(), 5);
        assert_eq!(buf.remaining(), 59);
        assert_eq!(buf.capacity(), 64);
        // SAFETY: every slot was initialised (poisoned) before the read.
        let bytes = storage.map(|b| unsafe { b.assume_init() });
        assert_eq!(&bytes[..5], b"hello");
        assert!(bytes[5..].iter().all(|&b| b == POISON), "{bytes:?}");
    });
}

#[test]
fn successive_reads_append_to_what_is_filled() {
    let lp = reactor_loop();
    lp.run_task(async {
        let (mut a, b) = UnixStream::pair().unwrap();
        let mut storage = [MaybeUninit::uninit(); 16];
        let mut buf = ReadBuf::uninit(&mut storage);
        a.write_all(b"abc").await.unwrap();
        poll_fn(|cx| b.poll_read_buf(cx, &mut buf)).await.unwrap();
        a.write_all(b"defg").await.unwrap();
        let n = poll_fn(|cx| b.poll_read_buf(cx, &mut buf)).await.unwrap();
        assert_eq!(n, 4);
        assert_eq!(buf.filled(), b"abcdefg");
        assert_eq!(buf.initialized_len(), 7);
    });
}

#[test]
fn a_read_buf_over_initialised_bytes_keeps_them_initialised_after_clear() {
    let lp = reactor_loop();
    lp.run_task(async {
        let (mut a, b) = UnixStream::pair().unwrap();
        let mut storage = [0u8; 8];
        let mut buf = ReadBuf::new(&mut storage);
        assert_eq!(buf.initialized_len(), 8);
        a.write_all(b"xy").await.unwrap();
        poll_fn(|cx| b.poll_read_buf(cx, &mut buf)).await.unwrap();
        assert_eq!(buf.filled(), b"xy");
        assert_eq!(buf.initialized_len(), 8);
        buf.filled_mut()[0] = b'X';
        assert_eq!(buf.filled(), b"Xy");
        buf.clear();
        assert_eq!(buf.filled(), b"");
        assert_eq!(buf.initialized_len(), 8);
        assert_eq!(buf.remaining(), 8);
        assert_eq!(&storage[..3], b"Xy\0");
    });
}

#[test]
fn put_slice_appends_and_counts_the_bytes_initialised() {
    let mut storage = [MaybeUninit::uninit(); 6];
    let mut buf = ReadBuf::uninit(&mut storage);
    buf.put_slice(b"ab");
    buf.put_slice(b"cde");
    assert_eq!(buf.filled(), b"abcde");
    assert_eq!(buf.initialized_len(), 5);
    assert_eq!(buf.remaining(), 1);
    buf.clear();
    buf.put_slice(b"z");
    assert_eq!(buf.filled(), b"z");
    assert_eq!(buf.initialized_len(), 5);
}

#[test]
fn put_slice_past_the_end_panics_naming_remaining() {
    let mut storage = [MaybeUninit::uninit(); 4];
    let mut buf = ReadBuf::uninit(&mut storage);
    buf.put_slice(b"abc");
    let msg = panic_message(|| buf.put_slice(b"de"));
    assert!(msg.contains("`ReadBuf::put_slice`"), "{msg}");
    assert!(msg.contains("check `remaining()` first"), "{msg}");
    assert!(msg.contains("(2 bytes given, 1 left)"), "{msg}");
    assert_eq!(buf.filled(), b"abc", "nothing was put");
}

#[test]
fn tcp_read_buf_appends_exactly_the_peers_bytes_after_what_the_vec_held() {
    let lp = reactor_loop();
    lp.run_task(async {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        // More than the socket buffers hold at once: many reads, some short.
        let message: Vec<u8> = (0..1 << 20).map(|i: u32| (i % 251) as u8).collect();
        let sent = message.clone();
        let server = spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            stream.write_all(&sent).await.unwrap();
        });
        let stream = TcpStream::connect(addr).await.unwrap();
        let mut vec = b"prefix".to_vec();
        let mut reads = 0;
        while within(10, "read_buf", stream.read_buf(&mut vec))
            .await
            .unwrap()
            != 0
        {
            reads += 1;
        }
        assert!(reads > 1, "one read took the whole megabyte");
        assert_eq!(&vec[..6], b"prefix");
        assert_eq!(vec.len(), 6 + message.len());
        assert!(vec[6..] == message[..], "the bytes differ from the peer's");
        server.await.unwrap();
    });
}

#[test]
fn read_buf_into_a_full_vec_reserves_room_so_zero_means_end_of_stream() {
    let lp = reactor_loop();
    lp.run_task(async {
        let (mut a, b) = UnixStream::pair().unwrap();
        let mut vec = Vec::with_capacity(3);
        vec.extend_from_slice(b"abc");
        assert_eq!(vec.len(), vec.capacity());
        a.write_all(b"d").await.unwrap();
        assert_eq!(b.read_buf(&mut vec).await.unwrap(), 1);
        assert_eq!(vec, b"abcd");
        drop(a);
        let capacity = vec.capacity();
        assert_eq!(b.read_buf(&mut vec).await.unwrap(), 0);
        assert_eq!(vec, b"abcd", "end of stream adds nothing");
        assert_eq!(vec.capacity(), capacity, "spare room was there: no reserve");
    });
}

#[test]
fn dropping_a_pending_read_buf_leaves_the_vec_length_unchanged() {
    let lp = reactor_loop();
    lp.run_task(async {
        let (mut a, b) = UnixStream::pair().unwrap();
        let mut vec = b"kept".to_vec();
        {
            let (_wakes, waker) = CountingWaker::new();
            let mut read = pin!(b.read_buf(&mut vec));
            let mut cx = Context::from_waker(&waker);
            assert!(read.as_mut().poll(&mut cx).is_pending());
        }
        assert_eq!(vec, b"kept");
        a.write_all(b"!").await.unwrap();
        assert_eq!(b.read_buf(&mut vec).await.unwrap(), 1);
        assert_eq!(vec, b"kept!");
    });
}

#[test]
fn aio_socket_recv_buf_reads_into_spare_capacity() {
    let lp = reactor_loop();
    lp.run_task(async {
        let (a, b) = UnixStream::pair().unwrap();
        let (a, b) = (a.into_inner(), b.into_inner());
        a.send_all(b"socket").await.unwrap();
        let mut vec = Vec::with_capacity(100);
        assert_eq!(b.recv_buf(&mut vec).await.unwrap(), 6);
        assert_eq!(vec, b"socket");
    });
}

#[test]
fn aio_fd_read_buf_reads_a_pipe_to_its_end() {
    let lp = reactor_loop();
    lp.run_task(async {
        let (reader, mut writer) = std::io::pipe().unwrap();
        let reader = AioFd::new(reader).unwrap();
        let writing = std::thread::spawn(move || {
            let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 7) as u8).collect();
            writer.write_all(&bytes).unwrap();
        });
        let mut vec = Vec::new();
        while within(10, "read_buf", reader.read_buf(&mut vec))
            .await
            .unwrap()
            != 0
        {}
        writing.join().unwrap();
        let expected: Vec<u8> = (0..200_000u32).map(|i| (i % 7) as u8).collect();
        assert!(vec == expected, "the pipe's bytes differ");
    });
}

#[test]
fn aio_fd_poll_read_buf_claims_only_what_the_pipe_gave() {
    let lp = reactor_loop();
    lp.run_task(async {
        let (reader, mut writer) = std::io::pipe().unwrap();
        let reader = AioFd::new(reader).unwrap();
        writer.write_all(b"pipe").unwrap();
        let mut storage = [MaybeUninit::uninit(); 32];
        let mut buf = ReadBuf::uninit(&mut storage);
        let n = poll_fn(|cx| reader.poll_read_buf(cx, &mut buf))
            .await
            .unwrap();
        assert_eq!(n, 4);
        assert_eq!(buf.filled(), b"pipe");
        assert_eq!(buf.initialized_len(), 4);
        // Drained: the next read waits (it is not tried and found empty).
        let (_wakes, waker) = CountingWaker::new();
        let mut cx = Context::from_waker(&waker);
        assert!(reader.poll_read_buf(&mut cx, &mut buf).is_pending());
        assert_eq!(buf.filled(), b"pipe");
    });
}

#[test]
fn a_full_read_buf_reads_zero_bytes_without_waiting() {
    let lp = reactor_loop();
    lp.run_task(async {
        let (_a, b) = UnixStream::pair().unwrap();
        let mut storage = [0u8; 2];
        let mut buf = ReadBuf::new(&mut storage);
        buf.put_slice(b"ok");
        let (_wakes, waker) = CountingWaker::new();
        let mut cx = Context::from_waker(&waker);
        assert!(matches!(
            b.poll_read_buf(&mut cx, &mut buf),
            Poll::Ready(Ok(0))
        ));
        assert_eq!(buf.filled(), b"ok");
    });
}

/// The reads' futures are `Send`, as the streams are.
#[test]
fn read_buf_futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let lp = reactor_loop();
    lp.run_task(async {
        let (a, _b) = UnixStream::pair().unwrap();
        let mut vec = Vec::new();
        assert_send(&a.read_buf(&mut vec));
        assert_send(&a.as_socket().recv_buf(&mut vec));
    });
}
