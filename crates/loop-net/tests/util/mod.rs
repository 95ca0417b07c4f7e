//! Helpers shared by the test binaries (each uses some of them).
#![allow(dead_code)]

use std::future::Future;
use std::os::fd::RawFd;
use std::time::Duration;

use loop_core::Loop;
use loop_net::Reactor;

/// A loop whose park is the epoll Reactor.
pub(crate) fn reactor_loop() -> Loop {
    Loop::with_park(Reactor::new().unwrap())
}

/// Awaits `future`, failing the test loudly if it takes longer than `secs`.
pub(crate) async fn within<F: Future>(secs: u64, what: &str, future: F) -> F::Output {
    match loop_time::timeout(Duration::from_secs(secs), future).await {
        Ok(output) => output,
        Err(_) => panic!("{what}: not done after {secs} s (a hang?)"),
    }
}

#[allow(unused_imports)] // each test binary uses only some helpers
pub(crate) use test_support::thread_cpu_time;

/// The number of fds this process has open.
pub(crate) fn open_fds() -> usize {
    // The directory's own fd is counted while it is read: subtract it.
    std::fs::read_dir("/proc/self/fd").unwrap().count() - 1
}

/// `(O_NONBLOCK set, FD_CLOEXEC set)` for an open fd; `None` if it is closed.
pub(crate) fn fd_flags(fd: RawFd) -> Option<(bool, bool)> {
    // SAFETY: F_GETFL reads the flags of `fd`; a closed fd gives -1.
    let status = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    // SAFETY: as above, for F_GETFD.
    let descriptor = unsafe { libc::fcntl(fd, libc::F_GETFD) };
    if status == -1 || descriptor == -1 {
        return None;
    }
    Some((
        status & libc::O_NONBLOCK != 0,
        descriptor & libc::FD_CLOEXEC != 0,
    ))
}

/// Asserts that `fd` is open, non-blocking and close-on-exec.
pub(crate) fn assert_nonblocking_cloexec(fd: RawFd, what: &str) {
    let (nonblocking, cloexec) = fd_flags(fd).unwrap_or_else(|| panic!("{what}: fd {fd} closed"));
    assert!(nonblocking, "{what} (fd {fd}) is not O_NONBLOCK");
    assert!(cloexec, "{what} (fd {fd}) is not FD_CLOEXEC");
}

/// The soft and hard limits on open fds.
pub(crate) fn nofile_limit() -> (u64, u64) {
    // SAFETY: an all-zero rlimit is valid, and getrlimit fills it.
    let limit = unsafe {
        let mut limit: libc::rlimit = std::mem::zeroed();
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
        limit
    };
    (limit.rlim_cur as u64, limit.rlim_max as u64)
}

/// Sets the soft limit on open fds (the hard limit is kept).
pub(crate) fn set_nofile_soft_limit(soft: u64) {
    let (_, hard) = nofile_limit();
    let limit = libc::rlimit {
        rlim_cur: soft as libc::rlim_t,
        rlim_max: hard as libc::rlim_t,
    };
    // SAFETY: `limit` is a valid rlimit; lowering or raising the soft limit
    // up to the hard limit needs no privilege.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) }, 0);
}

/// Sets `SO_LINGER` to zero seconds: closing the socket then resets the
/// connection (RST) instead of ending it (FIN).
pub(crate) fn set_linger_zero(fd: RawFd) {
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: `linger` is a readable struct of the size passed.
    let res = unsafe {
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&raw const linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    assert_eq!(res, 0, "{}", std::io::Error::last_os_error());
}

/// The message of a caught panic.
pub(crate) fn panic_message(panic: Box<dyn std::any::Any + Send>) -> String {
    test_support::payload_message(&*panic)
}
