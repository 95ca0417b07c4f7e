//! The process's standard streams, async: [`stdin`], [`stdout`],
//! [`stderr`].
//!
//! # Design
//!
//! - **stdin** on a pipe, a tty or a socket is read through the Reactor: a
//!   duplicate of fd 0 in an [`AioFd`]. On a regular file (a
//!   `< file` redirect) or anything epoll refuses (`/dev/null`), reads run
//!   on the blocking pool instead, 64 KiB at a time.
//! - **The terminal is left as found.** `O_NONBLOCK` belongs to the open
//!   file description, which fd 0 shares with the shell and every other
//!   process on the terminal or pipe. It is set while at least one
//!   Reactor-backed `Stdin` lives (a process-wide count), cleared when the
//!   last one is dropped, and cleared by an `atexit` handler if the program
//!   exits (`main` returning, `std::process::exit`) while one still lives.
//!   Only a death by signal can leave it set. While it is set, std's own
//!   `std::io::stdin()` reads may fail with `WouldBlock`: use one or the
//!   other.
//! - **stdout and stderr** always write on the blocking pool, through
//!   std's own `Stdout`/`Stderr` (so their output interleaves correctly
//!   with `println!`, and shares its line buffering): setting `O_NONBLOCK`
//!   on them would make `println!`, and panic messages, fail with
//!   `WouldBlock` whenever the pipe is full. Writes collect in a buffer of
//!   up to 64 KiB; `flush().await` writes them (and flushes std's buffer).
//!   Dropping a handle with unflushed bytes writes them from a detached
//!   pool job.

use std::fmt;
use std::fs::File;
use std::io::{self, Read, SeekFrom, Write};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::pin::Pin;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use futures_util::io::{AsyncRead, AsyncWrite};

use crate::blocking_io::{BlockingIo, Handle};
use crate::fd::AioFd;
use crate::sys::syscall;

/// The process's stdin, read without blocking the loop; see the module docs.
///
/// # Examples
///
/// ```no_run
/// use futures_util::io::{AsyncBufReadExt, BufReader};
/// use futures_util::StreamExt;
/// use loop_core::Loop;
/// use loop_net::Reactor;
///
/// let lp = Loop::with_park(Reactor::new()?);
/// lp.run_task(async {
///     let mut lines = BufReader::new(loop_net::stdin()).lines();
///     while let Some(line) = lines.next().await {
///         println!("> {}", line?);
///     }
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn stdin() -> Stdin {
    Stdin { kind: None }
}

/// The process's stdout, written on the blocking pool; see the module docs.
///
/// # Examples
///
/// ```
/// use futures_util::io::AsyncWriteExt;
/// use loop_core::Loop;
///
/// let lp = Loop::new();
/// lp.run_task(async {
///     let mut out = loop_net::stdout();
///     out.write_all(b"hello\n").await?;
///     out.flush().await
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn stdout() -> Stdout {
    Stdout(BlockingIo::new(Std::Out(io::stdout())))
}

/// The process's stderr, written on the blocking pool; see [`stdout`].
pub fn stderr() -> Stderr {
    Stderr(BlockingIo::new(Std::Err(io::stderr())))
}

/// The process's stdin: `AsyncRead`. See [`stdin`].
pub struct Stdin {
    /// Made at the first read, on the loop that reads.
    kind: Option<StdinKind>,
}

enum StdinKind {
    Reactor(AioFd<File>),
    Blocking(BlockingIo<File>),
}

/// Live Reactor-backed `Stdin`s, and whether the first one set `O_NONBLOCK`.
static NONBLOCK: Mutex<(usize, bool)> = Mutex::new((0, false));

/// Whether the `atexit` handler is registered.
static ATEXIT: AtomicBool = AtomicBool::new(false);

/// Clears `O_NONBLOCK` on fd 0 if a `Stdin` set it and still lives.
extern "C" fn restore_at_exit() {
    if let Ok(state) = NONBLOCK.try_lock()
        && state.1
    {
        clear_nonblocking(0);
    }
}

fn clear_nonblocking(fd: i32) {
    // SAFETY: F_GETFL takes no argument; an error leaves nothing to restore.
    if let Ok(flags) = syscall!(fcntl(fd, libc::F_GETFL)) {
        // SAFETY: F_SETFL takes an int of flags.
        let _ = syscall!(fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK));
    }
}

impl Stdin {
    fn open() -> io::Result<StdinKind> {
        let fd: OwnedFd = io::stdin().as_fd().try_clone_to_owned()?;
        let file = File::from(fd);
        // SAFETY: an all-zero `stat` is a valid value for fstat to overwrite.
        let mut stat: libc::stat = unsafe { std::mem::zeroed() };
        // SAFETY: the fd is open and `stat` is valid for writes.
        syscall!(fstat(file.as_raw_fd(), &mut stat))?;
        let kind = stat.st_mode & libc::S_IFMT;
        if kind == libc::S_IFREG || kind == libc::S_IFDIR {
            return Ok(StdinKind::Blocking(BlockingIo::new(file)));
        }
        let mut state = NONBLOCK.lock().unwrap_or_else(|e| e.into_inner());
        if state.0 == 0 {
            // SAFETY: F_GETFL takes no argument; the fd is open.
            let flags = syscall!(fcntl(file.as_raw_fd(), libc::F_GETFL))?;
            if flags & libc::O_NONBLOCK == 0 {
                // SAFETY: F_SETFL takes an int of flags; the fd is open.
                syscall!(fcntl(
                    file.as_raw_fd(),
                    libc::F_SETFL,
                    flags | libc::O_NONBLOCK
                ))?;
                state.1 = true;
                if !ATEXIT.swap(true, Ordering::AcqRel) {
                    // SAFETY: the handler is an `extern "C" fn()` that only
                    // calls fcntl.
                    unsafe { libc::atexit(restore_at_exit) };
                }
            }
        }
        // Already non-blocking now: the AioFd leaves the flag to us.
        match AioFd::new_unchecked(file) {
            Ok(fd) => {
                state.0 += 1;
                Ok(StdinKind::Reactor(fd))
            }
            Err(err) if err.raw_os_error() == Some(libc::EPERM) => {
                // epoll refuses it (`/dev/null`): read on the pool.
                if state.0 == 0 && state.1 {
                    clear_nonblocking(0);
                    state.1 = false;
                }
                let fd = io::stdin().as_fd().try_clone_to_owned()?;
                Ok(StdinKind::Blocking(BlockingIo::new(File::from(fd))))
            }
            Err(err) => Err(err),
        }
    }

    /// True if reads go through the Reactor (a pipe, tty or socket), false
    /// if through the blocking pool or not yet started.
    pub fn uses_reactor(&self) -> bool {
        matches!(self.kind, Some(StdinKind::Reactor(_)))
    }
}

impl Drop for Stdin {
    fn drop(&mut self) {
        if let Some(StdinKind::Reactor(_)) = self.kind {
            let mut state = NONBLOCK.lock().unwrap_or_else(|e| e.into_inner());
            state.0 -= 1;
            if state.0 == 0 && state.1 {
                clear_nonblocking(0);
                state.1 = false;
            }
        }
    }
}

impl AsyncRead for Stdin {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.kind.is_none() {
            this.kind = Some(Stdin::open()?);
        }
        match this.kind.as_mut() {
            Some(StdinKind::Reactor(fd)) => Pin::new(fd).poll_read(cx, buf),
            Some(StdinKind::Blocking(io)) => io.poll_read(cx, buf),
            None => unreachable!("opened above"),
        }
    }
}

impl fmt::Debug for Stdin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stdin")
            .field("reactor", &self.uses_reactor())
            .finish()
    }
}

/// std's stdout or stderr, as a blocking handle.
enum Std {
    Out(io::Stdout),
    Err(io::Stderr),
}

impl Read for Std {
    fn read(&mut self, _buf: &mut [u8]) -> io::Result<usize> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "stdout and stderr cannot be read",
        ))
    }
}

impl Write for Std {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Std::Out(out) => out.write(buf),
            Std::Err(err) => err.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        // One lock for the whole buffer: no other writer's line in between.
        match self {
            Std::Out(out) => out.lock().write_all(buf),
            Std::Err(err) => err.lock().write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Std::Out(out) => out.flush(),
            Std::Err(err) => err.flush(),
        }
    }
}

impl Handle for Std {
    fn unread(&mut self, _n: usize) -> io::Result<()> {
        Ok(())
    }

    fn seek_to(&mut self, _pos: SeekFrom) -> io::Result<u64> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "stdout and stderr cannot seek",
        ))
    }
}

/// The process's stdout: `AsyncWrite`. See [`stdout`].
pub struct Stdout(BlockingIo<Std>);

/// The process's stderr: `AsyncWrite`. See [`stderr`].
pub struct Stderr(BlockingIo<Std>);

macro_rules! async_write {
    ($($ty:ident),*) => {$(
        impl AsyncWrite for $ty {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                self.get_mut().0.poll_write(cx, buf)
            }

            fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                self.get_mut().0.poll_flush(cx)
            }

            /// Flushes; the process's stream itself stays open.
            fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                self.get_mut().0.poll_flush(cx)
            }
        }

        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($ty)).field(&self.0).finish()
            }
        }
    )*};
}

async_write!(Stdout, Stderr);
