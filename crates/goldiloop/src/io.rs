//! The async read and write traits the stream sockets implement, their
//! helpers (futures-io's, re-exported from futures-util), and
//! [`copy_bidirectional`], and the async standard streams [`stdin`],
//! [`stdout`] and [`stderr`] (feature `net`).
//!
//! ```
//! use goldiloop::io::{AsyncReadExt, AsyncWriteExt};
//! use goldiloop::net::UnixStream;
//!
//! let got = goldiloop::run(async {
//!     let (mut a, mut b) = UnixStream::pair()?;
//!     a.write_all(b"ping").await?;
//!     let mut buf = [0; 4];
//!     b.read_exact(&mut buf).await?;
//!     Ok::<_, std::io::Error>(buf)
//! })?;
//! assert_eq!(&got, b"ping");
//! # Ok::<(), std::io::Error>(())
//! ```

mod bidirectional;

pub use bidirectional::{CopyBidirectional, copy_bidirectional};

#[doc(no_inline)]
pub use futures_util::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
    BufWriter, copy,
};

#[doc(inline)]
pub use loop_net::{ReadBuf, Stderr, Stdin, Stdout, stderr, stdin, stdout};
