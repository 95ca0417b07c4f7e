//! The one place where libc calls turn `-1` into `io::Error` and `EINTR` is retried.

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
