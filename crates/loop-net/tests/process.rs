//! Child processes: output, status, pipes, signals, faults and reaping.

mod util;

use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;
use std::time::{Duration, Instant};

use futures_util::io::{AsyncReadExt, AsyncWriteExt};
use loop_core::spawn;
use loop_net::process::Command;
use util::{reactor_loop, thread_cpu_time, within};

/// Waits (failing loudly after 30 s) until process `pid` is gone from
/// /proc: reaped, not a zombie.
fn wait_until_reaped(pid: u32) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::path::Path::new(&format!("/proc/{pid}")).exists() {
        let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        assert!(
            Instant::now() < deadline,
            "process {pid} not reaped after 30 s: {state}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn output_collects_stdout_stderr_and_the_exit_code() {
    let lp = reactor_loop();
    let out = lp
        .run_task(
            Command::new("sh")
                .args(["-c", "echo out; echo err >&2; exit 2"])
                .output(),
        )
        .unwrap();
    assert_eq!(out.stdout, b"out\n");
    assert_eq!(out.stderr, b"err\n");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn status_runs_the_child_to_its_end() {
    let lp = reactor_loop();
    let status = lp.run_task(Command::new("true").status()).unwrap();
    assert!(status.success());
}

#[test]
fn a_nonexistent_program_is_not_found_naming_the_program() {
    let lp = reactor_loop();
    let err = lp
        .run_task(async { Command::new("goldiloop-no-such-program").spawn().map(drop) })
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    assert!(
        err.to_string().contains("goldiloop-no-such-program"),
        "{err}"
    );
}

#[test]
fn wait_parks_until_the_child_exits_without_spinning() {
    let lp = reactor_loop();
    lp.run_task(async {
        let mut child = Command::new("sleep").arg("0.3").spawn().unwrap();
        assert!(child.id().is_some());
        let before = thread_cpu_time();
        let status = within(30, "wait", child.wait()).await.unwrap();
        let cpu = thread_cpu_time() - before;
        assert!(status.success());
        assert!(
            cpu < Duration::from_millis(100),
            "{cpu:?} of CPU while waiting"
        );
        assert_eq!(child.id(), None, "reaped");
        // Waiting again gives the same status at once.
        assert_eq!(child.wait().await.unwrap(), status);
    });
}

#[test]
fn a_child_killed_by_a_signal_reports_the_signal() {
    let lp = reactor_loop();
    lp.run_task(async {
        let mut child = Command::new("sleep").arg("1000").spawn().unwrap();
        child.kill().await.unwrap();
        let status = child.wait().await.unwrap();
        assert_eq!(status.signal(), Some(libc::SIGKILL));
        assert_eq!(status.code(), None);
        let status = Command::new("sh")
            .args(["-c", "kill -TERM $$"])
            .status()
            .await
            .unwrap();
        assert_eq!(status.signal(), Some(libc::SIGTERM));
    });
}

#[test]
fn a_megabyte_goes_through_cat_and_back() {
    let lp = reactor_loop();
    lp.run_task(async {
        let mut child = Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let data: Vec<u8> = (0..1 << 20).map(|i| (i % 253) as u8).collect();
        let expected = data.clone();
        let writer = spawn(async move {
            stdin.write_all(&data).await.unwrap();
            stdin.close().await.unwrap(); // cat sees end of input
        });
        let mut back = Vec::new();
        within(30, "cat", stdout.read_to_end(&mut back))
            .await
            .unwrap();
        writer.await.unwrap();
        assert!(back == expected);
        assert!(child.wait().await.unwrap().success());
    });
}

#[test]
fn a_child_that_closes_its_stdout_early_gives_end_of_file_then_exits() {
    let lp = reactor_loop();
    lp.run_task(async {
        let mut child = Command::new("sh")
            .args(["-c", "echo first; exec >&-; sleep 0.1; exit 4"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut got = Vec::new();
        within(30, "EOF", stdout.read_to_end(&mut got))
            .await
            .unwrap();
        assert_eq!(got, b"first\n");
        assert_eq!(child.wait().await.unwrap().code(), Some(4));
    });
}

#[test]
fn writing_to_a_child_that_stopped_reading_is_broken_pipe_not_sigpipe() {
    let lp = reactor_loop();
    lp.run_task(async {
        let mut child = Command::new("head")
            .args(["-c", "1"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let big = vec![b'x'; 4 << 20];
        let err = within(30, "write", stdin.write_all(&big))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe);
        assert!(child.wait().await.unwrap().success());
        // Closed stdin: writing again is BrokenPipe too.
        stdin.close().await.unwrap();
        let err = stdin.write_all(b"more").await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe);
    });
}

#[test]
fn a_dropped_child_is_still_reaped() {
    let lp = reactor_loop();
    let pid = lp.run_task(async {
        let child = Command::new("sleep").arg("0.2").spawn().unwrap();
        child.id().unwrap()
    });
    wait_until_reaped(pid);
}

#[test]
fn kill_on_drop_kills_and_reaps_the_child() {
    let lp = reactor_loop();
    let pid = lp.run_task(async {
        let child = Command::new("sleep")
            .arg("1000")
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        child.id().unwrap()
    });
    wait_until_reaped(pid);
}

#[test]
fn many_children_wait_concurrently_on_one_loop() {
    let lp = reactor_loop();
    let codes = lp.run_task(async {
        let handles: Vec<_> = (0..50)
            .map(|i| {
                spawn(async move {
                    Command::new("sh")
                        .args(["-c", &format!("exit {i}")])
                        .status()
                        .await
                        .unwrap()
                        .code()
                        .unwrap()
                })
            })
            .collect();
        let mut codes = Vec::new();
        for handle in handles {
            codes.push(within(30, "children", handle).await.unwrap());
        }
        codes
    });
    assert_eq!(codes, (0..50).collect::<Vec<_>>());
}
