//! The one place where libc calls turn `-1` into `io::Error` and `EINTR` is
//! retried, and the few fd helpers built on it.

use std::io;
use std::os::fd::RawFd;

/// Calls a libc function; `-1` becomes `io::Error::last_os_error()`, and a call
/// interrupted by a signal (`EINTR`) is made again.
macro_rules! syscall {
    ($fn:ident ( $($arg:expr),* $(,)? )) => {{
        loop {
            // SAFETY: each caller passes arguments that satisfy the libc
            // function's contract; see the SAFETY note at the call site.
            let res = unsafe { libc::$fn($($arg),*) };
            if res == -1 {
                let err = std::io::Error::last_os_error();
                if err.kind() == std::io::ErrorKind::Interrupted {
                    continue;
                }
                break Err(err);
            }
            break Ok(res);
        }
    }};
}

pub(crate) use syscall;

/// Sets `O_NONBLOCK` on `fd`, keeping its other status flags.
pub(crate) fn set_nonblocking(fd: RawFd) -> io::Result<()> {
    // SAFETY: F_GETFL takes no argument; a closed `fd` is reported as EBADF.
    let flags = syscall!(fcntl(fd, libc::F_GETFL))?;
    if flags & libc::O_NONBLOCK == 0 {
        // SAFETY: F_SETFL takes an int of flags; a closed `fd` is EBADF.
        syscall!(fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK))?;
    }
    Ok(())
}
