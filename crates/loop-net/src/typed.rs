//! What the typed layers (`tcp.rs`, `udp.rs`, `unix.rs`) share: the traits
//! every wrapper of an [`AioSocket`](crate::AioSocket) implements alike.

/// Implements `AsRawFd`, `AsFd`, `From<$ty> for AioSocket` and `Debug` for
/// typed wrappers, each a struct with one field, `socket: AioSocket`.
macro_rules! socket_traits {
    ($($ty:ident),*) => {$(
        impl std::os::fd::AsRawFd for $ty {
            fn as_raw_fd(&self) -> std::os::fd::RawFd {
                std::os::fd::AsRawFd::as_raw_fd(&self.socket)
            }
        }

        impl std::os::fd::AsFd for $ty {
            fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
                std::os::fd::AsFd::as_fd(&self.socket)
            }
        }

        impl From<$ty> for $crate::AioSocket {
            fn from(typed: $ty) -> $crate::AioSocket {
                typed.socket
            }
        }

        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($ty))
                    .field("fd", &std::os::fd::AsRawFd::as_raw_fd(&self.socket))
                    .finish()
            }
        }
    )*};
}

pub(crate) use socket_traits;
