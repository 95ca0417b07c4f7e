//! Files and directories without blocking the loop: each call runs on
//! loop-core's blocking pool (`loop_core::spawn_blocking`), since epoll
//! cannot wait on a regular file (it is always "ready", and a read blocks
//! on the disk).
//!
//! The free functions are std's, run on the pool, and their errors name
//! the path (std's `NotFound` says only "No such file or directory").
//! [`File`] reads, writes and seeks through a buffer of at most 64 KiB: a
//! read fetches up to 64 KiB at once, writes collect in the buffer and go
//! to the pool when it is full or on `flush`.
//!
//! This module lives in loop-net, beside the `AioFd` that turns files away
//! toward it, because stdout and stdin redirected to a file share its
//! buffered adapter; it needs the blocking pool, not the Reactor, so it
//! works on a bare `loop_core::Loop` too. `goldiloop::fs` is this module.
//!
//! # Flush on drop
//!
//! Dropping a [`File`] with unflushed writes hands them to a detached pool
//! job that writes them; an error there is lost. Call `flush().await` (or
//! [`File::sync_all`]) before dropping to see errors, and `sync_all` to
//! know the data reached the disk.
//!
//! # Panics
//!
//! Every function here panics outside a running loop (the pool's answer
//! comes back through a task of the current loop).

use std::fmt;
use std::future::Future;
use std::io::{self, SeekFrom};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_util::Stream;
use futures_util::io::{AsyncRead, AsyncSeek, AsyncWrite};
use loop_core::JoinHandle;

use crate::blocking_io::BlockingIo;

pub use std::fs::{DirEntry, FileType, Metadata, Permissions};

/// Runs `op` on the pool; its error gets `path` in its message.
async fn unblock<R: Send + 'static>(
    path: &Path,
    op: impl FnOnce(&Path) -> io::Result<R> + Send + 'static,
) -> io::Result<R> {
    let owned = path.to_owned();
    match loop_core::spawn_blocking(move || op(&owned).map_err(|e| with_path(e, &owned))).await {
        Ok(result) => result,
        Err(err) => Err(io::Error::other(format!(
            "goldiloop: a file operation on {} panicked: {err}",
            path.display()
        ))),
    }
}

/// `err` with the path it concerns in its message, its kind kept.
fn with_path(err: io::Error, path: &Path) -> io::Error {
    io::Error::new(err.kind(), format!("{err}: {}", path.display()))
}

/// Reads a whole file; `std::fs::read` on the blocking pool.
///
/// # Errors
///
/// `NotFound`, `PermissionDenied`... as std's, naming the path.
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
///
/// let lp = Loop::new();
/// let err = lp.run_task(loop_net::fs::read("/no/such/file")).unwrap_err();
/// assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
/// assert!(err.to_string().contains("/no/such/file"));
/// ```
pub async fn read(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    unblock(path.as_ref(), |p| std::fs::read(p)).await
}

/// Reads a whole file as UTF-8; `std::fs::read_to_string` on the pool.
///
/// # Errors
///
/// As [`read`], and `InvalidData` for text that is not UTF-8.
pub async fn read_to_string(path: impl AsRef<Path>) -> io::Result<String> {
    unblock(path.as_ref(), |p| std::fs::read_to_string(p)).await
}

/// Writes a whole file, creating or truncating it; `std::fs::write` on the
/// pool.
///
/// # Errors
///
/// As std's, naming the path.
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
///
/// let lp = Loop::new();
/// let path = std::env::temp_dir().join(format!("goldiloop-doc-{}", std::process::id()));
/// let back = lp.run_task(async {
///     loop_net::fs::write(&path, b"saved").await?;
///     let back = loop_net::fs::read(&path).await?;
///     loop_net::fs::remove_file(&path).await?;
///     Ok::<_, std::io::Error>(back)
/// })?;
/// assert_eq!(back, b"saved");
/// # Ok::<(), std::io::Error>(())
/// ```
pub async fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> io::Result<()> {
    let contents = contents.as_ref().to_owned();
    unblock(path.as_ref(), move |p| std::fs::write(p, contents)).await
}

/// Creates a directory and any missing parents; `std::fs::create_dir_all`.
///
/// # Errors
///
/// As std's, naming the path.
pub async fn create_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    unblock(path.as_ref(), |p| std::fs::create_dir_all(p)).await
}

/// Creates one directory; `std::fs::create_dir`.
///
/// # Errors
///
/// As std's (`AlreadyExists`, `NotFound` for a missing parent), naming the path.
pub async fn create_dir(path: impl AsRef<Path>) -> io::Result<()> {
    unblock(path.as_ref(), |p| std::fs::create_dir(p)).await
}

/// Removes an empty directory; `std::fs::remove_dir`.
///
/// # Errors
///
/// As std's, naming the path.
pub async fn remove_dir(path: impl AsRef<Path>) -> io::Result<()> {
    unblock(path.as_ref(), |p| std::fs::remove_dir(p)).await
}

/// Removes a directory and everything in it; `std::fs::remove_dir_all`.
///
/// # Errors
///
/// As std's, naming the path.
pub async fn remove_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    unblock(path.as_ref(), |p| std::fs::remove_dir_all(p)).await
}

/// A path's metadata, following symlinks; `std::fs::metadata`.
///
/// # Errors
///
/// As std's, naming the path.
pub async fn metadata(path: impl AsRef<Path>) -> io::Result<Metadata> {
    unblock(path.as_ref(), |p| std::fs::metadata(p)).await
}

/// Removes a file; `std::fs::remove_file`.
///
/// # Errors
///
/// As std's, naming the path.
pub async fn remove_file(path: impl AsRef<Path>) -> io::Result<()> {
    unblock(path.as_ref(), |p| std::fs::remove_file(p)).await
}

/// Renames `from` to `to`, replacing `to`; `std::fs::rename`.
///
/// # Errors
///
/// As std's, naming `from`.
pub async fn rename(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<()> {
    let to = to.as_ref().to_owned();
    unblock(from.as_ref(), move |p| std::fs::rename(p, to)).await
}

/// Copies a file's contents and permissions; `std::fs::copy`.
///
/// # Errors
///
/// As std's, naming `from`.
pub async fn copy(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<u64> {
    let to = to.as_ref().to_owned();
    unblock(from.as_ref(), move |p| std::fs::copy(p, to)).await
}

/// The entries of a directory, as a [`ReadDir`] stream read on the pool
/// in batches.
///
/// # Errors
///
/// As `std::fs::read_dir`, naming the path.
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
///
/// let lp = Loop::new();
/// let found = lp.run_task(async {
///     let mut entries = loop_net::fs::read_dir("/").await?;
///     let mut names = Vec::new();
///     while let Some(entry) = entries.next_entry().await? {
///         names.push(entry.file_name());
///     }
///     Ok::<_, std::io::Error>(names)
/// })?;
/// assert!(found.iter().any(|name| name == "proc"));
/// # Ok::<(), std::io::Error>(())
/// ```
pub async fn read_dir(path: impl AsRef<Path>) -> io::Result<ReadDir> {
    let path = path.as_ref().to_owned();
    let dir = unblock(&path, |p| std::fs::read_dir(p)).await?;
    Ok(ReadDir {
        path,
        state: DirState::Idle(Some(Box::new(dir)), Vec::new()),
    })
}

/// How many entries one pool job reads.
const DIR_BATCH: usize = 64;

type Batch = Vec<io::Result<DirEntry>>;

enum DirState {
    /// The iterator (`None` once exhausted) and entries read, in reverse.
    Idle(Option<Box<std::fs::ReadDir>>, Batch),
    Busy(JoinHandle<(Option<Box<std::fs::ReadDir>>, Batch)>),
}

/// The entries of a directory ([`read_dir`]): a `Stream` of
/// `io::Result<DirEntry>`, and [`next_entry`](ReadDir::next_entry).
///
/// The `DirEntry` is std's: its `file_type` is free on most file systems,
/// its `metadata` is a system call made where it is called.
pub struct ReadDir {
    path: PathBuf,
    state: DirState,
}

impl ReadDir {
    /// The next entry, or `None` at the end.
    ///
    /// # Errors
    ///
    /// An error reading the directory.
    pub async fn next_entry(&mut self) -> io::Result<Option<DirEntry>> {
        std::future::poll_fn(|cx| self.poll_next_entry(cx)).await
    }

    /// The poll form of [`next_entry`](ReadDir::next_entry).
    ///
    /// # Errors
    ///
    /// An error reading the directory.
    pub fn poll_next_entry(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Option<DirEntry>>> {
        loop {
            match &mut self.state {
                DirState::Busy(handle) => {
                    let (dir, batch) = match ready!(Pin::new(handle).poll(cx)) {
                        Ok(pair) => pair,
                        Err(err) => (None, vec![Err(io::Error::other(err.to_string()))]),
                    };
                    self.state = DirState::Idle(dir, batch);
                }
                DirState::Idle(dir, batch) => {
                    if let Some(entry) = batch.pop() {
                        return Poll::Ready(entry.map(Some).map_err(|e| with_path(e, &self.path)));
                    }
                    let Some(mut dir) = dir.take() else {
                        return Poll::Ready(Ok(None));
                    };
                    let job = loop_core::spawn_blocking(move || {
                        let mut batch: Batch = dir.by_ref().take(DIR_BATCH).collect();
                        let more = batch.len() == DIR_BATCH;
                        batch.reverse();
                        (more.then_some(dir), batch)
                    });
                    self.state = DirState::Busy(job);
                }
            }
        }
    }
}

impl Stream for ReadDir {
    type Item = io::Result<DirEntry>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut()
            .poll_next_entry(cx)
            .map(|result| result.transpose())
    }
}

impl fmt::Debug for ReadDir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadDir").field("path", &self.path).finish()
    }
}

/// An open file whose reads, writes, seeks and syncs run on the blocking
/// pool: futures-io `AsyncRead`, `AsyncWrite` and `AsyncSeek`, buffered up
/// to 64 KiB (see the module docs, and its *Flush on drop*).
///
/// # Examples
///
/// ```
/// use futures_util::io::{AsyncReadExt, AsyncWriteExt};
/// use loop_core::Loop;
/// use loop_net::fs::File;
///
/// let lp = Loop::new();
/// let path = std::env::temp_dir().join(format!("goldiloop-file-doc-{}", std::process::id()));
/// let text = lp.run_task(async {
///     let mut file = File::create(&path).await?;
///     file.write_all(b"line one\n").await?;
///     file.sync_all().await?;
///     let mut text = String::new();
///     File::open(&path).await?.read_to_string(&mut text).await?;
///     loop_net::fs::remove_file(&path).await?;
///     Ok::<_, std::io::Error>(text)
/// })?;
/// assert_eq!(text, "line one\n");
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct File {
    io: BlockingIo<std::fs::File>,
    path: Option<PathBuf>,
}

impl File {
    /// Opens a file for reading.
    ///
    /// # Errors
    ///
    /// `NotFound` (naming the path) and the rest of std's `File::open`.
    pub async fn open(path: impl AsRef<Path>) -> io::Result<File> {
        File::options().read(true).open(path).await
    }

    /// Creates (or truncates) a file for writing.
    ///
    /// # Errors
    ///
    /// As std's `File::create`, naming the path.
    pub async fn create(path: impl AsRef<Path>) -> io::Result<File> {
        File::options()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .await
    }

    /// Options to open a file with, as std's.
    pub fn options() -> OpenOptions {
        OpenOptions(std::fs::OpenOptions::new())
    }

    /// Adopts an open std file.
    pub fn from_std(file: std::fs::File) -> File {
        File {
            io: BlockingIo::new(file),
            path: None,
        }
    }

    /// The std file back, after writing what is buffered.
    ///
    /// # Errors
    ///
    /// An error writing the buffered bytes.
    pub async fn into_std(self) -> io::Result<std::fs::File> {
        self.io.into_inner().await
    }

    /// Writes what is buffered, then `fsync`s data and metadata.
    ///
    /// # Errors
    ///
    /// An error writing or syncing.
    pub async fn sync_all(&mut self) -> io::Result<()> {
        self.io.run(|f| f.sync_all()).await
    }

    /// Writes what is buffered, then `fdatasync`s.
    ///
    /// # Errors
    ///
    /// An error writing or syncing.
    pub async fn sync_data(&mut self) -> io::Result<()> {
        self.io.run(|f| f.sync_data()).await
    }

    /// Truncates or extends the file to `size` bytes.
    ///
    /// # Errors
    ///
    /// As std's `File::set_len`.
    pub async fn set_len(&mut self, size: u64) -> io::Result<()> {
        self.io.run(move |f| f.set_len(size)).await
    }

    /// The file's metadata.
    ///
    /// # Errors
    ///
    /// As std's `File::metadata`.
    pub async fn metadata(&mut self) -> io::Result<Metadata> {
        self.io.run(|f| f.metadata()).await
    }
}

impl AsyncRead for File {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().io.poll_read(cx, buf)
    }
}

impl AsyncWrite for File {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().io.poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().io.poll_flush(cx)
    }

    /// Flushes; the file itself closes when dropped.
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().io.poll_flush(cx)
    }
}

impl AsyncSeek for File {
    fn poll_seek(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        pos: SeekFrom,
    ) -> Poll<io::Result<u64>> {
        self.get_mut().io.poll_seek(cx, pos)
    }
}

impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("File")
            .field("path", &self.path)
            .field("io", &self.io)
            .finish()
    }
}

/// How to open a [`File`]: std's `OpenOptions`, opened on the pool.
#[derive(Clone, Debug)]
pub struct OpenOptions(std::fs::OpenOptions);

impl OpenOptions {
    /// Open for reading.
    pub fn read(&mut self, read: bool) -> &mut OpenOptions {
        self.0.read(read);
        self
    }
    /// Open for writing.
    pub fn write(&mut self, write: bool) -> &mut OpenOptions {
        self.0.write(write);
        self
    }
    /// Open for appending.
    pub fn append(&mut self, append: bool) -> &mut OpenOptions {
        self.0.append(append);
        self
    }
    /// Truncate to zero length on open.
    pub fn truncate(&mut self, truncate: bool) -> &mut OpenOptions {
        self.0.truncate(truncate);
        self
    }
    /// Create the file if missing.
    pub fn create(&mut self, create: bool) -> &mut OpenOptions {
        self.0.create(create);
        self
    }
    /// Create the file, failing with `AlreadyExists` if it exists.
    pub fn create_new(&mut self, create_new: bool) -> &mut OpenOptions {
        self.0.create_new(create_new);
        self
    }

    /// Opens `path` with these options.
    ///
    /// # Errors
    ///
    /// As std's `OpenOptions::open`, naming the path.
    pub async fn open(&self, path: impl AsRef<Path>) -> io::Result<File> {
        let options = self.0.clone();
        let path = path.as_ref().to_owned();
        let file = unblock(&path, move |p| options.open(p)).await?;
        Ok(File {
            io: BlockingIo::new(file),
            path: Some(path),
        })
    }
}
