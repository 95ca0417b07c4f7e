//! The words loop-net says when it is misused, kept in one place so that
//! each names what went wrong and what to do instead, and tests can check them.

/// A socket created on a running loop whose park is not a `Reactor`.
pub(crate) const NO_REACTOR: &str = "goldiloop: a socket was created on a loop without a Reactor \
     (its park is another `Park`, such as `loop_core::Loop::new()`'s thread parker); build the \
     loop with `Loop::with_park(loop_net::Reactor::new()?)`, or use `goldiloop::Loop::new()`, \
     which comes with one";

/// A socket created where no loop is running.
pub(crate) const NO_LOOP: &str = "goldiloop: a socket was created outside a running loop; \
     create it from a task running on a loop built with \
     `Loop::with_park(loop_net::Reactor::new()?)` (or `goldiloop::Loop::new()`)";

/// `FromRawFd` failed to adopt the fd (the error follows the message).
pub(crate) const FROM_RAW_FD: &str = "goldiloop: `AioSocket::from_raw_fd` could not adopt the fd; \
     use `AioSocket::from_fd`, which returns the error instead of panicking";

/// A socket polled on another loop than the one it was created on (or where
/// no loop runs): its Reactor would never wake it there.
pub(crate) const WRONG_LOOP: &str = "goldiloop: a socket was awaited on another loop than the one \
     it was created on (or where no loop runs), where its Reactor can never wake it, so it would \
     wait forever; create the socket on the loop that uses it, or move it there: `into_std()` on its own \
     loop, then `from_std()` on the other";

/// `Reactor::register` called with a Reactor that is not the running loop's.
pub(crate) const REGISTER_OFF_LOOP: &str = "goldiloop: `Reactor::register` was given a Reactor \
     that is not the park of the loop running on this thread; register from a task of the loop \
     built with that Reactor (`Loop::with_park(reactor)`), where `Loop::current().park::<Reactor>()` \
     returns it";

/// A host name looked up where no loop runs.
pub(crate) const LOOKUP_NO_LOOP: &str = "goldiloop: a host name was looked up outside a running \
     loop; the lookup runs on the blocking pool and answers through a task of the current loop, \
     so call it from a task running on a loop";

/// `AioFd::new` given a regular file or a directory.
pub(crate) const REGULAR_FILE: &str = "goldiloop: `AioFd` was given a regular file or a \
     directory, which epoll cannot wait on (it is always ready, and reads block on the disk); \
     use `goldiloop::fs` (its `File` runs file I/O on the blocking pool) instead";

/// An `AioFd` used after `into_inner` (cannot happen: `into_inner` takes it).
pub(crate) const AIOFD_EMPTY: &str = "goldiloop bug: an `AioFd` was used after its value was \
     taken; please report it";

/// `signal()` given a signal that cannot be listened for.
pub(crate) const BAD_SIGNAL: &str = "goldiloop: this signal cannot be listened for; \
     listen for a catchable signal such as SIGINT, SIGTERM, SIGHUP, SIGUSR1 or SIGRTMIN+n \
     (SIGKILL and SIGSTOP are never delivered to a program, and fault signals must not return)";

/// `ReadBuf::put_slice` given more bytes than the buffer has room for.
pub(crate) const READ_BUF_FULL: &str = "goldiloop: `ReadBuf::put_slice` was given more bytes than \
     the buffer has room for; check `remaining()` first, or put a shorter slice";
