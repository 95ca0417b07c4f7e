//! `accept` at the fd limit: alone in its own test binary, because it lowers
//! the whole process's `RLIMIT_NOFILE`.

mod util;

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::time::Duration;

use loop_net::TcpListener;

use util::{nofile_limit, reactor_loop, set_nofile_soft_limit, thread_cpu_time, within};

/// The highest fd number open in this process.
fn highest_fd() -> i32 {
    std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .max()
        .unwrap()
}

#[test]
fn accept_at_the_fd_limit_returns_emfile_without_spinning_and_recovers() {
    let (soft, _) = nofile_limit();
    let lp = reactor_loop();
    let listener = lp.run_task(async { TcpListener::bind("127.0.0.1:0").unwrap() });
    let addr = listener.local_addr().unwrap();
    // Queued in the listener's backlog, waiting to be accepted.
    let mut client = std::net::TcpStream::connect(addr).unwrap();
    client.write_all(b"queued").unwrap();

    // Take every fd number below a lowered limit.
    let limit = highest_fd() as u64 + 8;
    set_nofile_soft_limit(limit);
    let mut filler = Vec::new();
    loop {
        match File::open("/dev/null") {
            Ok(file) => filler.push(file),
            Err(e) if e.raw_os_error() == Some(libc::EMFILE) => break,
            Err(e) => panic!("filling the fd table: {e}"),
        }
        assert!(
            (filler.len() as u64) < limit,
            "the lowered fd limit is not enforced"
        );
    }

    let (err, cpu) = lp.run_task(async {
        let err = within(10, "accept at EMFILE", listener.accept())
            .await
            .unwrap_err();
        // The connection stays queued. Edge-triggered epoll reports it once:
        // an idle loop must sleep, not wake again and again for it.
        let start = thread_cpu_time();
        loop_time::sleep(Duration::from_millis(300)).await;
        (err, thread_cpu_time() - start)
    });
    assert_eq!(err.raw_os_error(), Some(libc::EMFILE), "{err:?}");
    assert!(
        cpu < Duration::from_millis(30),
        "300 ms idle with a connection queued at EMFILE cost {cpu:?} of CPU"
    );

    // Free the fds: the same listener accepts the queued connection.
    drop(filler);
    set_nofile_soft_limit(soft);
    let (stream, peer) = lp.run_task(async {
        within(10, "accept after freeing fds", listener.accept())
            .await
            .unwrap()
    });
    assert_eq!(peer, client.local_addr().unwrap());
    let got = lp.run_task(async move {
        let mut buf = [0; 6];
        futures_util::io::AsyncReadExt::read_exact(&mut &stream, &mut buf)
            .await
            .unwrap();
        stream.write(b"accepted").await.unwrap();
        buf
    });
    assert_eq!(&got, b"queued");
    let mut reply = [0; 8];
    client.read_exact(&mut reply).unwrap();
    assert_eq!(&reply, b"accepted");
    assert!(client.as_raw_fd() > 0);
}
