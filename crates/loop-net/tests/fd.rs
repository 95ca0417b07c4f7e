//! `AioFd`: pipes, eventfds and socketpairs on the Reactor; files turned away.

mod util;

use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::time::Duration;

use futures_util::io::{AsyncReadExt, AsyncWriteExt};
use loop_core::spawn;
use loop_net::AioFd;
use util::{reactor_loop, thread_cpu_time, within};

fn is_nonblocking(fd: RawFd) -> bool {
    // SAFETY: F_GETFL takes no argument.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    assert!(flags >= 0);
    flags & libc::O_NONBLOCK != 0
}

#[test]
fn a_megabyte_goes_through_a_pipe_between_two_tasks() {
    let lp = reactor_loop();
    let received = lp.run_task(async {
        let (reader, writer) = std::io::pipe().unwrap();
        let mut reader = AioFd::new(reader).unwrap();
        let mut writer = AioFd::new(writer).unwrap();
        let data: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
        let expected = data.clone();
        let sender = spawn(async move {
            writer.write_all(&data).await.unwrap();
            // dropping the writer closes the pipe: the reader sees EOF
        });
        let mut received = Vec::new();
        within(30, "read to end", reader.read_to_end(&mut received))
            .await
            .unwrap();
        sender.await.unwrap();
        assert!(received == expected);
        received.len()
    });
    assert_eq!(received, 1 << 20);
}

#[test]
fn a_regular_file_is_invalid_input_naming_goldiloop_fs() {
    let lp = reactor_loop();
    lp.run_task(async {
        let file = std::fs::File::open("/proc/self/exe").unwrap();
        let err = AioFd::new(file).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("goldiloop::fs"), "{err}");
        let dir = std::fs::File::open("/").unwrap();
        let err = AioFd::new(dir).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    });
}

#[test]
fn reading_a_pipe_whose_writer_died_is_end_of_file() {
    let lp = reactor_loop();
    lp.run_task(async {
        let (reader, mut writer) = std::io::pipe().unwrap();
        let mut reader = AioFd::new(reader).unwrap();
        writer.write_all(b"last words").unwrap();
        drop(writer);
        let mut buf = Vec::new();
        reader.read_to_end(&mut buf).await.unwrap();
        assert_eq!(buf, b"last words");
        assert_eq!(reader.read(&mut [0; 8]).await.unwrap(), 0);
    });
}

#[test]
fn a_reader_waiting_on_an_empty_pipe_sees_end_of_file_when_the_writer_drops() {
    let lp = reactor_loop();
    lp.run_task(async {
        let (reader, writer) = std::io::pipe().unwrap();
        let mut reader = AioFd::new(reader).unwrap();
        let waiting = spawn(async move { reader.read(&mut [0; 8]).await });
        loop_core::interrupt().await; // the reader parks on the Reactor
        drop(writer);
        assert_eq!(within(30, "EOF", waiting).await.unwrap().unwrap(), 0);
    });
}

#[test]
fn writing_to_a_pipe_whose_reader_died_is_broken_pipe() {
    let lp = reactor_loop();
    lp.run_task(async {
        let (reader, writer) = std::io::pipe().unwrap();
        let mut writer = AioFd::new(writer).unwrap();
        drop(reader);
        let err = writer.write_all(b"nobody listens").await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe);
    });
}

#[test]
fn a_full_pipe_parks_the_writer_until_the_reader_drains_it() {
    let lp = reactor_loop();
    lp.run_task(async {
        let (reader, writer) = std::io::pipe().unwrap();
        let mut writer = AioFd::new(writer).unwrap();
        let mut reader = AioFd::new(reader).unwrap();
        // Far more than a pipe holds (64 KiB by default).
        let big = vec![7u8; 1 << 20];
        let writing = spawn(async move { writer.write_all(&big).await });
        loop_core::interrupt().await;
        assert!(!writing.is_finished(), "the writer must wait for room");
        let mut total = 0;
        let mut buf = vec![0; 1 << 16];
        while total < 1 << 20 {
            total += reader.read(&mut buf).await.unwrap();
        }
        within(30, "writer", writing).await.unwrap().unwrap();
        assert_eq!(total, 1 << 20);
    });
}

#[test]
fn an_eventfd_written_from_another_thread_wakes_a_parked_reader_without_spinning() {
    let lp = reactor_loop();
    // SAFETY: eventfd takes an initial value and flags.
    let raw = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC) };
    assert!(raw >= 0);
    // SAFETY: eventfd just returned this fd and nothing else owns it.
    let owned = unsafe { OwnedFd::from_raw_fd(raw) };
    let value = lp.run_task(async move {
        let event = AioFd::new(std::fs::File::from(owned)).unwrap();
        let raw = event.as_raw_fd();
        let writer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            // SAFETY: the fd stays open: the loop waits for this value.
            let n = unsafe { libc::write(raw, (&5u64 as *const u64).cast(), 8) };
            assert_eq!(n, 8);
        });
        let before = thread_cpu_time();
        let mut buf = [0u8; 8];
        let n = within(30, "eventfd", event.read_with(|mut f| f.read(&mut buf)))
            .await
            .unwrap();
        let cpu = thread_cpu_time() - before;
        writer.join().unwrap();
        assert_eq!(n, 8);
        assert!(
            cpu < Duration::from_millis(100),
            "{cpu:?} of CPU while waiting"
        );
        u64::from_ne_bytes(buf)
    });
    assert_eq!(value, 5);
}

#[test]
fn a_socketpair_end_works_through_shared_references() {
    let lp = reactor_loop();
    lp.run_task(async {
        let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
        let a = AioFd::new(a).unwrap();
        let b = AioFd::new(b).unwrap();
        (&a).write_all(b"ping").await.unwrap();
        let mut buf = [0; 4];
        (&b).read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"ping");
        b.write_with(|mut s| s.write(b"pong")).await.unwrap();
        a.readable().await;
        (&a).read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"pong");
    });
}

#[test]
fn an_aiofd_leaves_the_fd_blocking_again_when_dropped_or_taken_back() {
    let lp = reactor_loop();
    lp.run_task(async {
        let (reader, writer) = std::io::pipe().unwrap();
        let raw = reader.as_raw_fd();
        assert!(!is_nonblocking(raw));
        let reader = AioFd::new(reader).unwrap();
        assert!(is_nonblocking(raw));
        let reader = reader.into_inner();
        assert!(!is_nonblocking(raw));

        // Dropping: watch through a dup, which shares the file description.
        let dup = reader.try_clone().unwrap();
        let wrapped = AioFd::new(reader).unwrap();
        assert!(is_nonblocking(dup.as_raw_fd()));
        drop(wrapped);
        assert!(!is_nonblocking(dup.as_raw_fd()));

        // An fd that was non-blocking already stays so.
        let writer = OwnedFd::from(writer);
        // SAFETY: F_SETFL with O_NONBLOCK on an open fd.
        unsafe { libc::fcntl(writer.as_raw_fd(), libc::F_SETFL, libc::O_NONBLOCK) };
        let raw = writer.as_raw_fd();
        let writer = AioFd::new(writer).unwrap().into_inner();
        assert!(is_nonblocking(raw));
        drop(writer);
    });
}
