//! [`BlockingIo`]: futures-io reads, writes and seeks over a blocking
//! handle (a regular file, stdout), each run on loop-core's blocking pool.
//!
//! # Design
//!
//! - The handle and one buffer (at most [`CHUNK`], 64 KiB) live in a box
//!   that is either *here* (idle) or *on the pool* (inside a job, while a
//!   task waits on its `JoinHandle`). One job at a time: a read, a write of
//!   the buffer, a seek, or any other operation ([`BlockingIo::run`]).
//! - The buffer holds either read-ahead (bytes read but not yet taken) or
//!   pending writes, never both. A read refills it with one `read` of up to
//!   64 KiB; a write copies into it and returns at once, and the buffer
//!   goes to the pool when full or at `flush`/`close`. Before a write, a
//!   seek or another operation, unread read-ahead is given back
//!   ([`Handle::unread`]: a file seeks back by that much) and pending
//!   writes are written, so the file position is always what the caller
//!   sees.
//! - The error of a job is reported by whichever poll finds it finished
//!   (a write error by the next `poll_write` or `poll_flush`).
//! - **Drop.** Pending writes not yet flushed are written by a detached
//!   pool job (`loop_core::blocking::spawn_detached`); its error, if any,
//!   is lost: call `flush` (or `sync_all` on a file) to see it. A job
//!   already running finishes on its own.
//! - A job that panics loses the handle: later operations fail with `Other`.

use std::fmt;
use std::future::Future;
use std::io::{self, Read, SeekFrom, Write};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, ready};

use loop_core::{JoinHandle, poll_budget};

/// The most a buffer holds, and the most one read or write job moves.
pub(crate) const CHUNK: usize = 64 * 1024;

/// What a blocking handle does besides read and write.
pub(crate) trait Handle: Read + Write + Send + 'static {
    /// Gives back `n` bytes of read-ahead (a file seeks back; a stream
    /// cannot, and drops them).
    fn unread(&mut self, n: usize) -> io::Result<()>;

    /// Seeks, for handles that can.
    fn seek_to(&mut self, pos: SeekFrom) -> io::Result<u64>;
}

impl Handle for std::fs::File {
    fn unread(&mut self, n: usize) -> io::Result<()> {
        if n > 0 {
            io::Seek::seek(self, SeekFrom::Current(-(n as i64)))?;
        }
        Ok(())
    }

    fn seek_to(&mut self, pos: SeekFrom) -> io::Result<u64> {
        io::Seek::seek(self, pos)
    }
}

/// The handle and its buffer, moved to the pool for each job.
pub(crate) struct Inner<T> {
    pub(crate) io: T,
    buf: Vec<u8>,
    /// Read-ahead is `buf[pos..]`; with `pos == buf.len()` and a non-empty
    /// `buf` after a write, `buf` is pending writes (see `writing`).
    pos: usize,
    writing: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Job {
    Read,
    Write,
    Unread,
    Flush,
    Seek,
    /// [`BlockingIo::run`]'s operation.
    Other,
}

enum State<T> {
    Idle(Option<Box<Inner<T>>>),
    Busy(Job, JoinHandle<(Box<Inner<T>>, io::Result<u64>)>),
}

/// A blocking handle made async through the blocking pool; see the module
/// docs.
pub(crate) struct BlockingIo<T: Handle> {
    state: State<T>,
}

fn lost() -> io::Error {
    io::Error::other("goldiloop: a blocking file operation panicked; the handle is lost")
}

impl<T: Handle> BlockingIo<T> {
    pub(crate) fn new(io: T) -> BlockingIo<T> {
        BlockingIo {
            state: State::Idle(Some(Box::new(Inner {
                io,
                buf: Vec::new(),
                pos: 0,
                writing: false,
            }))),
        }
    }

    /// Waits for the running job, if any: `Some` with what finished and its
    /// result, `None` if none was running.
    fn poll_job(&mut self, cx: &mut Context<'_>) -> Poll<Option<(Job, io::Result<u64>)>> {
        let State::Busy(_, handle) = &mut self.state else {
            return Poll::Ready(None);
        };
        let out = ready!(Pin::new(handle).poll(cx));
        let State::Busy(job, _) = std::mem::replace(&mut self.state, State::Idle(None)) else {
            unreachable!("was busy")
        };
        Poll::Ready(Some(match out {
            Ok((inner, result)) => {
                self.state = State::Idle(Some(inner));
                (job, result)
            }
            Err(_) => (job, Err(lost())),
        }))
    }

    /// The idle inner; call after `poll_job` returned.
    fn inner(&mut self) -> io::Result<&mut Inner<T>> {
        match &mut self.state {
            State::Idle(Some(inner)) => Ok(inner),
            State::Idle(None) => Err(lost()),
            State::Busy(..) => unreachable!("called when idle"),
        }
    }

    fn start(
        &mut self,
        job: Job,
        op: impl FnOnce(&mut Inner<T>) -> io::Result<u64> + Send + 'static,
    ) {
        let State::Idle(Some(mut inner)) = std::mem::replace(&mut self.state, State::Idle(None))
        else {
            unreachable!("started only when idle")
        };
        let handle = loop_core::spawn_blocking(move || {
            let result = op(&mut inner);
            (inner, result)
        });
        self.state = State::Busy(job, handle);
    }

    /// Starts the job that brings the handle to the caller's position
    /// (write pending bytes, or give back read-ahead); false if nothing is
    /// buffered. Call when idle.
    fn start_settle(&mut self) -> io::Result<bool> {
        let inner = self.inner()?;
        if inner.writing && !inner.buf.is_empty() {
            self.start(Job::Write, |inner| {
                let result = inner.io.write_all(&inner.buf);
                inner.buf.clear();
                inner.writing = false;
                result.map(|()| 0)
            });
            return Ok(true);
        }
        if !inner.writing && inner.pos < inner.buf.len() {
            let unread = inner.buf.len() - inner.pos;
            self.start(Job::Unread, move |inner| {
                inner.buf.clear();
                inner.pos = 0;
                inner.io.unread(unread).map(|()| 0)
            });
            return Ok(true);
        }
        inner.buf.clear();
        inner.pos = 0;
        inner.writing = false;
        Ok(false)
    }

    /// Waits until nothing is buffered and no job runs.
    fn poll_settle(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            if let Some((_, result)) = ready!(self.poll_job(cx)) {
                result?;
            }
            if !self.start_settle()? {
                return Poll::Ready(Ok(()));
            }
        }
    }

    pub(crate) fn poll_read(
        &mut self,
        cx: &mut Context<'_>,
        out: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        ready!(poll_budget(cx));
        loop {
            if let Some((job, result)) = ready!(self.poll_job(cx)) {
                let n = result?;
                if job == Job::Read && n == 0 {
                    return Poll::Ready(Ok(0)); // end of file
                }
            }
            let inner = self.inner()?;
            if !inner.writing && inner.pos < inner.buf.len() {
                let n = out.len().min(inner.buf.len() - inner.pos);
                out[..n].copy_from_slice(&inner.buf[inner.pos..inner.pos + n]);
                inner.pos += n;
                return Poll::Ready(Ok(n));
            }
            if out.is_empty() {
                return Poll::Ready(Ok(0));
            }
            if self.start_settle()? {
                continue;
            }
            let want = out.len().min(CHUNK);
            self.start(Job::Read, move |inner| {
                inner.buf.resize(want, 0);
                inner.pos = 0;
                let result = loop {
                    match inner.io.read(&mut inner.buf) {
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        other => break other,
                    }
                };
                inner.buf.truncate(*result.as_ref().unwrap_or(&0));
                result.map(|n| n as u64)
            });
        }
    }

    pub(crate) fn poll_write(
        &mut self,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(poll_budget(cx));
        loop {
            if let Some((_, result)) = ready!(self.poll_job(cx)) {
                result?;
            }
            let inner = self.inner()?;
            let read_ahead = !inner.writing && inner.pos < inner.buf.len();
            if read_ahead || inner.buf.len() >= CHUNK {
                self.start_settle()?;
                continue;
            }
            if !inner.writing {
                inner.buf.clear();
                inner.pos = 0;
                inner.writing = true;
            }
            let n = data.len().min(CHUNK - inner.buf.len());
            inner.buf.extend_from_slice(&data[..n]);
            return Poll::Ready(Ok(n));
        }
    }

    pub(crate) fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            if let Some((job, result)) = ready!(self.poll_job(cx)) {
                result?;
                if job == Job::Flush {
                    return Poll::Ready(Ok(()));
                }
            }
            if self.start_settle()? {
                continue;
            }
            // Then the handle's own flush (stdout's line buffer, for one).
            self.start(Job::Flush, |inner| inner.io.flush().map(|()| 0));
        }
    }

    pub(crate) fn poll_seek(
        &mut self,
        cx: &mut Context<'_>,
        pos: SeekFrom,
    ) -> Poll<io::Result<u64>> {
        loop {
            if let Some((job, result)) = ready!(self.poll_job(cx)) {
                let n = result?;
                if job == Job::Seek {
                    return Poll::Ready(Ok(n));
                }
            }
            if self.start_settle()? {
                continue;
            }
            self.start(Job::Seek, move |inner| inner.io.seek_to(pos));
        }
    }

    /// Runs `op` on the handle on the pool, after settling the buffer. If
    /// the future is dropped before `op` ends, the next operation waits for
    /// it.
    pub(crate) async fn run<R: Send + 'static>(
        &mut self,
        op: impl FnOnce(&mut T) -> io::Result<R> + Send + 'static,
    ) -> io::Result<R> {
        std::future::poll_fn(|cx| self.poll_settle(cx)).await?;
        let out = Arc::new(Mutex::new(None));
        let slot = out.clone();
        self.start(Job::Other, move |inner| {
            let result = op(&mut inner.io);
            *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(result);
            Ok(0)
        });
        std::future::poll_fn(|cx| match ready!(self.poll_job(cx)) {
            Some((_, result)) => Poll::Ready(result.map(drop)),
            None => Poll::Ready(Err(lost())),
        })
        .await?;
        let result = out.lock().unwrap_or_else(PoisonError::into_inner).take();
        result.unwrap_or_else(|| Err(lost()))
    }

    /// The handle back, after writing pending bytes.
    pub(crate) async fn into_inner(mut self) -> io::Result<T> {
        std::future::poll_fn(|cx| self.poll_settle(cx)).await?;
        match std::mem::replace(&mut self.state, State::Idle(None)) {
            State::Idle(Some(inner)) => Ok(inner.io),
            _ => Err(lost()),
        }
    }
}

impl<T: Handle> Drop for BlockingIo<T> {
    fn drop(&mut self) {
        if let State::Idle(Some(inner)) = &mut self.state
            && inner.writing
            && !inner.buf.is_empty()
        {
            let State::Idle(Some(mut inner)) =
                std::mem::replace(&mut self.state, State::Idle(None))
            else {
                return;
            };
            loop_core::blocking::spawn_detached(move || {
                let _ = inner.io.write_all(&inner.buf);
                let _ = inner.io.flush();
            });
        }
    }
}

impl<T: Handle> fmt::Debug for BlockingIo<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let busy = matches!(self.state, State::Busy(..));
        f.debug_struct("BlockingIo").field("busy", &busy).finish()
    }
}
