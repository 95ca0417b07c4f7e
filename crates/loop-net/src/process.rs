//! Child processes: [`Command`] wraps `std::process::Command`; its
//! [`spawn`](Command::spawn) gives a [`Child`] whose exit is awaited on the
//! loop's Reactor, and whose piped stdin, stdout and stderr are
//! futures-io streams.
//!
//! # Design
//!
//! - **Spawning** is std's (`fork`/`exec` or `posix_spawn`, close-on-exec
//!   pipes, the error of a failed `exec` reported back); a program that
//!   cannot be run gets std's error kind (`NotFound`, `PermissionDenied`)
//!   with a message naming the program.
//! - **Waiting.** A `Child` opens a *pidfd* for its process (`pidfd_open`,
//!   Linux 5.3+) and registers it with the Reactor as an [`AioFd`]; epoll
//!   reports it readable when the process exits, and `wait` then reaps it
//!   with `waitpid(WNOHANG)` (std's `try_wait`). No signal handler and no
//!   thread are involved, and no `SIGCHLD` disposition is changed. On a
//!   kernel without `pidfd_open` (`ENOSYS`, or `EPERM` under some seccomp
//!   filters) the fallback is a blocking-pool job that waits in
//!   `waitid(WEXITED | WNOWAIT)` (which does not reap) and then `try_wait`
//!   reaps: one pool thread per child being waited for.
//! - **Pipes** (`stdin`, `stdout`, `stderr` set to `Stdio::piped()`) are
//!   std's pipe ends in an [`AioFd`]: non-blocking on the Reactor.
//!   `ChildStdin`'s `close` (or drop) closes the pipe, so the child reads
//!   end of input; writing after the child closed its end is `BrokenPipe`
//!   (`SIGPIPE` is ignored in Rust programs).
//! - **No zombies.** A `Child` dropped before its exit was seen is killed
//!   first if [`Command::kill_on_drop`] was set; either way it is handed to
//!   a blocking-pool job (`loop_core::blocking::spawn_detached`) that waits
//!   for it and reaps it; that job holds one pool thread until the child
//!   exits, so a program that drops many long-lived children should wait
//!   for them (or kill them) instead.

use std::ffi::OsStr;
use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::path::Path;
use std::pin::Pin;
use std::process::{ExitStatus, Output, Stdio};
use std::task::{Context, Poll};

use futures_util::io::{AsyncRead, AsyncReadExt, AsyncWrite};

use crate::fd::AioFd;
use crate::sys::syscall;

/// A process builder: `std::process::Command` with an async [`Child`].
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
/// use loop_net::{Reactor, process::Command};
///
/// let lp = Loop::with_park(Reactor::new()?);
/// let out = lp.run_task(Command::new("echo").arg("hello").output())?;
/// assert!(out.status.success());
/// assert_eq!(out.stdout, b"hello\n");
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Command {
    inner: std::process::Command,
    kill_on_drop: bool,
    stdin_set: bool,
    stdout_set: bool,
    stderr_set: bool,
}

impl Command {
    /// A command that runs `program`, looked up in `PATH` unless it holds a
    /// `/`; see `std::process::Command::new`.
    pub fn new(program: impl AsRef<OsStr>) -> Command {
        Command::from(std::process::Command::new(program))
    }

    /// Adds an argument.
    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut Command {
        self.inner.arg(arg);
        self
    }

    /// Adds arguments.
    pub fn args<I, S>(&mut self, args: I) -> &mut Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.inner.args(args);
        self
    }

    /// Sets an environment variable for the child.
    pub fn env(&mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> &mut Command {
        self.inner.env(key, value);
        self
    }

    /// Removes an environment variable for the child.
    pub fn env_remove(&mut self, key: impl AsRef<OsStr>) -> &mut Command {
        self.inner.env_remove(key);
        self
    }

    /// Starts the child with an empty environment.
    pub fn env_clear(&mut self) -> &mut Command {
        self.inner.env_clear();
        self
    }

    /// Sets the child's working directory.
    pub fn current_dir(&mut self, dir: impl AsRef<Path>) -> &mut Command {
        self.inner.current_dir(dir);
        self
    }

    /// The child's stdin: `Stdio::piped()` gives [`Child::stdin`].
    pub fn stdin(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.inner.stdin(cfg);
        self.stdin_set = true;
        self
    }

    /// The child's stdout: `Stdio::piped()` gives [`Child::stdout`].
    pub fn stdout(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.inner.stdout(cfg);
        self.stdout_set = true;
        self
    }

    /// The child's stderr: `Stdio::piped()` gives [`Child::stderr`].
    pub fn stderr(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.inner.stderr(cfg);
        self.stderr_set = true;
        self
    }

    /// Kill the child (`SIGKILL`) when its [`Child`] is dropped before its
    /// exit was seen. Off by default: a dropped child runs on, and is reaped
    /// when it exits either way.
    pub fn kill_on_drop(&mut self, kill: bool) -> &mut Command {
        self.kill_on_drop = kill;
        self
    }

    /// The std command inside, for settings this wrapper does not repeat
    /// (`uid`, `pre_exec`, `process_group`...).
    pub fn as_std_mut(&mut self) -> &mut std::process::Command {
        &mut self.inner
    }

    /// The std command inside.
    pub fn as_std(&self) -> &std::process::Command {
        &self.inner
    }

    /// Starts the child. Unset stdin, stdout and stderr are inherited.
    ///
    /// # Panics
    ///
    /// Outside a running loop, or when the loop's park is not a
    /// [`Reactor`](crate::Reactor) (the child's exit and pipes are waited
    /// on there).
    ///
    /// # Errors
    ///
    /// `NotFound` (naming the program) when it does not exist,
    /// `PermissionDenied` when it is not executable, and the kernel's error
    /// from `fork`/`exec`, `pidfd_open` or registering a pipe.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    /// use loop_net::{Reactor, process::Command};
    ///
    /// let lp = Loop::with_park(Reactor::new()?);
    /// let err = lp.run_task(async { Command::new("no-such-program-here").spawn().map(drop) });
    /// let err = err.unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    /// assert!(err.to_string().contains("no-such-program-here"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[doc(alias = "fork")]
    #[doc(alias = "exec")]
    #[track_caller]
    pub fn spawn(&mut self) -> io::Result<Child> {
        let child = self
            .inner
            .spawn()
            .map_err(|err| name_program(err, self.inner.get_program()))?;
        Child::new(child, self.kill_on_drop)
    }

    /// Runs the child to its end and returns its exit status. Unset stdin,
    /// stdout and stderr are inherited.
    ///
    /// # Errors
    ///
    /// As [`spawn`](Command::spawn) and [`Child::wait`].
    ///
    /// # Cancellation
    ///
    /// Dropping the future drops the [`Child`]: see
    /// [`kill_on_drop`](Command::kill_on_drop).
    pub async fn status(&mut self) -> io::Result<ExitStatus> {
        self.spawn()?.wait().await
    }

    /// Runs the child to its end, collecting its stdout and stderr. Unset
    /// stdin is `Stdio::null()`; unset stdout and stderr are piped (and
    /// stay so for later spawns of this command).
    ///
    /// # Errors
    ///
    /// As [`spawn`](Command::spawn), or an error reading the pipes.
    ///
    /// # Cancellation
    ///
    /// Dropping the future drops the [`Child`]: see
    /// [`kill_on_drop`](Command::kill_on_drop).
    pub async fn output(&mut self) -> io::Result<Output> {
        if !self.stdin_set {
            self.inner.stdin(Stdio::null());
        }
        if !self.stdout_set {
            self.inner.stdout(Stdio::piped());
        }
        if !self.stderr_set {
            self.inner.stderr(Stdio::piped());
        }
        let mut child = self.spawn()?;
        child.wait_with_output().await
    }
}

impl From<std::process::Command> for Command {
    fn from(inner: std::process::Command) -> Command {
        Command {
            inner,
            kill_on_drop: false,
            stdin_set: false,
            stdout_set: false,
            stderr_set: false,
        }
    }
}

impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

/// Puts the program's name in an error from spawning it (std's says only
/// "No such file or directory").
fn name_program(err: io::Error, program: &OsStr) -> io::Error {
    io::Error::new(
        err.kind(),
        format!("goldiloop: could not run `{}`: {err}", program.display()),
    )
}

/// How the exit of a child is awaited; see the module docs.
enum Exit {
    /// Its pidfd, on the Reactor.
    Pidfd(AioFd<OwnedFd>),
    /// No pidfd: a blocking-pool job waits (without reaping).
    Fallback,
}

/// A running child process; see [`Command::spawn`].
///
/// Dropping it does not kill the process (unless
/// [`Command::kill_on_drop`] was set) and never leaves a zombie: the
/// process is reaped when it exits.
pub struct Child {
    /// The std child, for `try_wait` and `kill`; `None` once reaped and
    /// given away.
    child: Option<std::process::Child>,
    exit: Exit,
    status: Option<ExitStatus>,
    kill_on_drop: bool,
    /// The child's stdin, if piped; take it to write.
    pub stdin: Option<ChildStdin>,
    /// The child's stdout, if piped; take it to read.
    pub stdout: Option<ChildStdout>,
    /// The child's stderr, if piped; take it to read.
    pub stderr: Option<ChildStderr>,
}

impl Child {
    #[track_caller]
    fn new(mut child: std::process::Child, kill_on_drop: bool) -> io::Result<Child> {
        // If anything below fails, the child must not be left unreaped.
        let guard = ReapOnError(Some(child.id()), kill_on_drop);
        let stdin = child.stdin.take().map(ChildStdin::new).transpose()?;
        let stdout = child.stdout.take().map(ChildStdout::new).transpose()?;
        let stderr = child.stderr.take().map(ChildStderr::new).transpose()?;
        let exit = match pidfd_open(child.id()) {
            Ok(fd) => Exit::Pidfd(AioFd::new_unchecked(fd)?),
            Err(err) if fallback(&err) => Exit::Fallback,
            Err(err) => return Err(err),
        };
        std::mem::forget(guard);
        Ok(Child {
            child: Some(child),
            exit,
            status: None,
            kill_on_drop,
            stdin,
            stdout,
            stderr,
        })
    }

    /// The child's process id, while it has not been reaped.
    pub fn id(&self) -> Option<u32> {
        if self.status.is_some() {
            return None;
        }
        self.child.as_ref().map(std::process::Child::id)
    }

    /// Waits for the child to exit and returns its status; later calls
    /// return the same status at once. Closes the child's stdin first (if
    /// still held here), so a child that reads to the end of its input
    /// does not wait for us while we wait for it.
    ///
    /// # Errors
    ///
    /// The kernel's error from `waitpid`; with the fallback, a panic in its
    /// blocking job becomes `Other`.
    ///
    /// # Cancellation
    ///
    /// Dropping the future only stops waiting; the child is still ours.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::Loop;
    /// use loop_net::{Reactor, process::Command};
    ///
    /// let lp = Loop::with_park(Reactor::new()?);
    /// let status = lp.run_task(async { Command::new("sh").args(["-c", "exit 3"]).spawn()?.wait().await })?;
    /// assert_eq!(status.code(), Some(3));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn wait(&mut self) -> io::Result<ExitStatus> {
        drop(self.stdin.take());
        if let Some(status) = self.status {
            return Ok(status);
        }
        let child = self.child.as_mut().expect("a child not yet reaped is held");
        let status = match &self.exit {
            Exit::Pidfd(pidfd) => {
                pidfd
                    .read_with(|_| match child.try_wait()? {
                        Some(status) => Ok(status),
                        None => Err(io::ErrorKind::WouldBlock.into()),
                    })
                    .await?
            }
            Exit::Fallback => {
                let pid = child.id();
                match loop_core::spawn_blocking(move || wait_no_reap(pid)).await {
                    Ok(result) => result?,
                    Err(err) => return Err(io::Error::other(err.to_string())),
                }
                child.wait()? // it has exited: this reaps without blocking
            }
        };
        self.status = Some(status);
        Ok(status)
    }

    /// The child's status if it has exited (reaping it), `None` if it runs.
    ///
    /// # Errors
    ///
    /// The kernel's error from `waitpid`.
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        if let Some(status) = self.status {
            return Ok(Some(status));
        }
        let child = self.child.as_mut().expect("a child not yet reaped is held");
        self.status = child.try_wait()?;
        Ok(self.status)
    }

    /// Sends `SIGKILL` to the child without waiting; does nothing if it has
    /// already been reaped.
    ///
    /// # Errors
    ///
    /// The kernel's error from `kill`.
    pub fn start_kill(&mut self) -> io::Result<()> {
        if self.status.is_some() {
            return Ok(());
        }
        match self.child.as_mut() {
            Some(child) => child.kill(),
            None => Ok(()),
        }
    }

    /// Kills the child (`SIGKILL`) and waits for it to exit.
    ///
    /// # Errors
    ///
    /// As [`start_kill`](Child::start_kill) and [`wait`](Child::wait).
    pub async fn kill(&mut self) -> io::Result<()> {
        self.start_kill()?;
        self.wait().await.map(drop)
    }

    /// Waits for the child to exit while collecting whatever it writes to
    /// its piped stdout and stderr (an unpiped one gives an empty `Vec`).
    ///
    /// # Errors
    ///
    /// As [`wait`](Child::wait), or an error reading the pipes.
    pub async fn wait_with_output(&mut self) -> io::Result<Output> {
        drop(self.stdin.take());
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let stdout = self.stdout.take();
        let stderr = self.stderr.take();
        let read_out = async {
            if let Some(mut pipe) = stdout {
                pipe.read_to_end(&mut out).await?;
            }
            Ok::<(), io::Error>(())
        };
        let read_err = async {
            if let Some(mut pipe) = stderr {
                pipe.read_to_end(&mut err).await?;
            }
            Ok::<(), io::Error>(())
        };
        let (a, b) = futures_util::future::join(read_out, read_err).await;
        a?;
        b?;
        let status = self.wait().await?;
        Ok(Output {
            status,
            stdout: out,
            stderr: err,
        })
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        if self.status.is_some() {
            return;
        }
        let Some(mut child) = self.child.take() else {
            return;
        };
        if self.kill_on_drop {
            let _ = child.kill();
        }
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        // Still running: reap it when it exits, on the blocking pool.
        loop_core::blocking::spawn_detached(move || {
            let _ = child.wait();
        });
    }
}

impl fmt::Debug for Child {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Child")
            .field("pid", &self.child.as_ref().map(std::process::Child::id))
            .field("status", &self.status)
            .field("pidfd", &matches!(self.exit, Exit::Pidfd(_)))
            .finish_non_exhaustive()
    }
}

/// Reaps (after killing, if asked) a child whose `Child` could not be made.
struct ReapOnError(Option<u32>, bool);

impl Drop for ReapOnError {
    fn drop(&mut self) {
        if let Some(pid) = self.0.take() {
            let kill = self.1;
            loop_core::blocking::spawn_detached(move || {
                if kill {
                    // SAFETY: the pid is our unreaped child, so not reused.
                    unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
                }
                let mut status = 0;
                // SAFETY: `status` is valid for writes; reaping our own child.
                let _ = syscall!(waitpid(pid as libc::pid_t, &mut status, 0));
            });
        }
    }
}

/// `pidfd_open(pid, 0)`: a close-on-exec fd readable once `pid` exits.
fn pidfd_open(pid: u32) -> io::Result<OwnedFd> {
    // SAFETY: pidfd_open takes a pid and flags; the pid is our unreaped
    // child, so it names no other process.
    let fd = syscall!(syscall(libc::SYS_pidfd_open, pid as libc::pid_t, 0))?;
    // SAFETY: the kernel just returned this fd, and nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

/// A `pidfd_open` failure that means "no pidfds here": use the fallback.
fn fallback(err: &io::Error) -> bool {
    matches!(err.raw_os_error(), Some(libc::ENOSYS) | Some(libc::EPERM))
}

/// Blocks until `pid` has exited, without reaping it (`WNOWAIT`).
fn wait_no_reap(pid: u32) -> io::Result<()> {
    // SAFETY: an all-zero siginfo_t is a valid value to overwrite.
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    // SAFETY: `info` is valid for writes; `pid` is our unreaped child.
    syscall!(waitid(
        libc::P_PID,
        pid as libc::id_t,
        &mut info,
        libc::WEXITED | libc::WNOWAIT
    ))?;
    Ok(())
}

macro_rules! pipe_type {
    ($(#[$doc:meta])* $name:ident, $std:ty) => {
        $(#[$doc])*
        pub struct $name(AioFd<$std>);

        impl $name {
            #[track_caller]
            fn new(pipe: $std) -> io::Result<$name> {
                AioFd::new(pipe).map($name)
            }

            /// Gives the std pipe end back (blocking again), e.g. to pass
            /// it as another child's `Stdio`.
            pub fn into_std(self) -> $std {
                self.0.into_inner()
            }
        }

        impl AsFd for $name {
            fn as_fd(&self) -> BorrowedFd<'_> {
                self.0.as_fd()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($name)).field(&self.0.as_raw_fd()).finish()
            }
        }
    };
}

pipe_type!(
    /// The child's stdout, a pipe: `AsyncRead`.
    ChildStdout,
    std::process::ChildStdout
);
pipe_type!(
    /// The child's stderr, a pipe: `AsyncRead`.
    ChildStderr,
    std::process::ChildStderr
);

/// The child's stdin, a pipe: `AsyncWrite`. `close` (or dropping it)
/// closes the pipe, so the child reads end of input; a write after `close`
/// fails with `BrokenPipe`.
pub struct ChildStdin(Option<AioFd<std::process::ChildStdin>>);

impl ChildStdin {
    #[track_caller]
    fn new(pipe: std::process::ChildStdin) -> io::Result<ChildStdin> {
        AioFd::new(pipe).map(|fd| ChildStdin(Some(fd)))
    }

    /// Gives the std pipe end back (blocking again), e.g. to pass it as
    /// another child's `Stdio`; `None` after `close`.
    pub fn into_std(mut self) -> Option<std::process::ChildStdin> {
        self.0.take().map(AioFd::into_inner)
    }
}

impl AsyncWrite for ChildStdin {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.0.as_mut() {
            Some(pipe) => Pin::new(pipe).poll_write(cx, buf),
            None => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the child's stdin was closed",
            ))),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(())) // a pipe has no user-space buffer
    }

    /// Closes the pipe at once: a pipe's close has nothing to wait for.
    fn poll_close(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        drop(self.0.take());
        Poll::Ready(Ok(()))
    }
}

impl fmt::Debug for ChildStdin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ChildStdin")
            .field(&self.0.as_ref().map(AsRawFd::as_raw_fd))
            .finish()
    }
}

impl AsyncRead for ChildStdout {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncRead for ChildStderr {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fallback_waits_for_exit_without_reaping_so_try_wait_then_reaps() {
        let mut child = std::process::Command::new("sh")
            .args(["-c", "exit 7"])
            .spawn()
            .unwrap();
        wait_no_reap(child.id()).unwrap();
        let status = child
            .try_wait()
            .unwrap()
            .expect("exited, and not yet reaped");
        assert_eq!(status.code(), Some(7));
    }

    #[test]
    fn a_pidfd_is_close_on_exec() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let fd = pidfd_open(child.id()).unwrap();
        // SAFETY: F_GETFD takes no argument.
        let flags = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFD) };
        assert_ne!(flags & libc::FD_CLOEXEC, 0);
        child.wait().unwrap();
    }
}
