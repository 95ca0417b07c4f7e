//! The facade's panic messages name the fix. This file holds one test on
//! purpose: it lowers the process's file descriptor limit, which would make
//! any test running beside it fail.

#![cfg(feature = "net")]

use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};

use goldiloop::Loop;

/// The message of the panic `f` raises.
fn panic_message(f: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("expected a panic");
    match payload.downcast::<&str>() {
        Ok(s) => s.to_string(),
        Err(payload) => *payload.downcast::<String>().unwrap(),
    }
}

/// Runs `f` with no file descriptor to spare, then restores the limit.
fn without_free_fds<T>(f: impl FnOnce() -> T) -> T {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid `rlimit` for the kernel to fill in.
    let read = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    assert_eq!(read, 0);
    let lowered = libc::rlimit {
        rlim_cur: 0,
        ..limit
    };
    // SAFETY: `lowered` is a valid `rlimit`; a soft limit of 0 only makes
    // new descriptors fail with EMFILE until it is restored below.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lowered) }, 0);
    let out = catch_unwind(AssertUnwindSafe(f));
    // SAFETY: `limit` is the valid `rlimit` read above.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) }, 0);
    out.unwrap_or_else(|payload| std::panic::resume_unwind(payload))
}

#[test]
fn loop_new_without_file_descriptors_names_the_fix_and_try_new_returns_the_error() {
    let (message, error) = without_free_fds(|| {
        (
            panic_message(|| drop(Loop::new())),
            Loop::try_new()
                .map(drop)
                .expect_err("no descriptor to spare"),
        )
    });
    assert!(
        message.starts_with("goldiloop: `Loop::new()` could not set up its epoll Reactor"),
        "{message}"
    );
    assert!(
        message.contains("raise the file descriptor limit"),
        "{message}"
    );
    assert!(message.contains("call `Loop::try_new()`"), "{message}");
    let kernel = io::Error::from_raw_os_error(libc::EMFILE).to_string();
    assert!(message.ends_with(&format!("({kernel})")), "{message}");
    assert_eq!(error.raw_os_error(), Some(libc::EMFILE));
    // With the limit back, a loop sets up again.
    drop(Loop::new());
}
