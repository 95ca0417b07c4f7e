//! `accept` at the fd limit: in its own test binary, because it lowers the
//! whole process's `RLIMIT_NOFILE`; its tests take turns (`FD_LIMIT`).

mod util;

use std::cell::Cell;
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::rc::Rc;
use std::sync::Mutex;
use std::time::Duration;

use loop_core::{interrupt, spawn};
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

/// Held by each test while it lowers the process's fd limit.
static FD_LIMIT: Mutex<()> = Mutex::new(());

/// Lowers the soft fd limit to a few above the highest open fd and opens
/// files until it is reached; the files hold the fd table full.
fn fill_the_fd_table() -> Vec<File> {
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
    filler
}

#[test]
fn accept_at_the_fd_limit_returns_emfile_without_spinning_and_recovers() {
    let _turn = FD_LIMIT.lock().unwrap_or_else(|e| e.into_inner());
    let (soft, _) = nofile_limit();
    let lp = reactor_loop();
    let listener = lp.run_task(async { TcpListener::bind("127.0.0.1:0").unwrap() });
    let addr = listener.local_addr().unwrap();
    // Queued in the listener's backlog, waiting to be accepted.
    let mut client = std::net::TcpStream::connect(addr).unwrap();
    client.write_all(b"queued").unwrap();

    let filler = fill_the_fd_table();
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

#[test]
fn an_accept_loop_retrying_at_the_fd_limit_lets_tasks_and_timers_run() {
    let _turn = FD_LIMIT.lock().unwrap_or_else(|e| e.into_inner());
    let (soft, _) = nofile_limit();
    let lp = reactor_loop();
    let listener = lp.run_task(async { TcpListener::bind("127.0.0.1:0").unwrap() });
    let _client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let filler = fill_the_fd_table();

    // The naive server: retry at once on EMFILE. Each accept fails without
    // waiting, so only the budget makes the task give the loop back.
    let (attempts, interrupts, sleeps) = lp.run_task(async {
        let interrupts = Rc::new(Cell::new(0u64));
        let sleeps = Rc::new(Cell::new(0u64));
        let ticker = spawn({
            let interrupts = interrupts.clone();
            async move {
                loop {
                    interrupt().await;
                    interrupts.set(interrupts.get() + 1);
                }
            }
        });
        let sleeper = spawn({
            let sleeps = sleeps.clone();
            async move {
                loop {
                    loop_time::sleep(Duration::from_millis(1)).await;
                    sleeps.set(sleeps.get() + 1);
                }
            }
        });
        let mut attempts = 0u64;
        // Far more attempts than a fair loop needs before both have ticked.
        while (interrupts.get() == 0 || sleeps.get() == 0) && attempts < 1_000_000 {
            let err = listener.accept().await.unwrap_err();
            assert_eq!(err.raw_os_error(), Some(libc::EMFILE), "{err:?}");
            attempts += 1;
        }
        ticker.abort();
        sleeper.abort();
        (attempts, interrupts.get(), sleeps.get())
    });
    drop(filler);
    set_nofile_soft_limit(soft);
    assert!(
        interrupts > 0 && sleeps > 0,
        "after {attempts} accepts failing with EMFILE: {interrupts} interrupt ticks, \
         {sleeps} timer ticks"
    );
}
