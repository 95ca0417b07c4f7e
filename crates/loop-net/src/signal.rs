//! Unix signals as async events: [`ctrl_c`], and [`signal`] for any
//! catchable signal, returning a [`Signals`] listener.
//!
//! # Design
//!
//! - **A `sigaction` handler and a self-pipe.** The first listener of a
//!   signal installs one process-wide handler for it (with `SA_RESTART`, so
//!   other system calls are not interrupted). The handler does only what is
//!   async-signal-safe: it sets the signal's `pending` flag (an atomic
//!   store), writes one byte to a non-blocking, close-on-exec pipe, and puts
//!   `errno` back. A full pipe loses the byte but not the signal: the flag
//!   holds it. Why not `signalfd`: it sees only signals blocked in *every*
//!   thread, and a library cannot block a signal in threads it did not
//!   create (or in children, which inherit the mask); see ARCHITECTURE.md.
//! - **One dispatcher thread.** A thread named `goldiloop-signal`, started
//!   with the first listener, blocks reading the pipe. After each read it
//!   takes (`swap(false)`) every installed signal's flag and fans the
//!   delivery out to that signal's listeners: each listener's count goes up
//!   by one and its waker, if any, is woken. Wakers work across threads, so
//!   listeners on any number of loops (or on any executor) are woken
//!   wherever their task lives, and a signal sent to any thread of the
//!   process reaches them. A waker that panics is contained: the rest of
//!   the batch is still woken and the dispatcher goes on.
//! - **Nothing is lost, bursts coalesce.** A listener is registered when it
//!   is created, not when first polled, so a signal that arrives in between
//!   is counted. Deliveries the dispatcher has not yet read coalesce into
//!   one (as the kernel itself coalesces a standard signal already pending),
//!   and a listener's `recv` takes every delivery counted since its last
//!   `recv` at once: 10 000 signals sent in a burst wake a listener at
//!   least once, usually a few times, never 10 000 times.
//! - **The handler stays.** Once a signal has had a listener its handler is
//!   installed for the rest of the process: with no listener left, the
//!   signal is consumed and ignored (Ctrl-C no longer stops the program).

use std::fmt;
use std::future::{Future, poll_fn};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd, OwnedFd};
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError, Weak};
use std::task::{Context, Poll, Waker};

use futures_util::Stream;

use crate::messages;
use crate::sys::syscall;

/// One more than the highest signal number Linux has (`SIGRTMAX` is 64).
const NSIG: usize = 65;

/// A signal to listen for: the common ones by name, any by number.
///
/// # Examples
///
/// ```
/// use loop_net::signal::SignalKind;
///
/// assert_eq!(SignalKind::terminate().as_raw(), libc::SIGTERM);
/// assert_eq!(SignalKind::from(libc::SIGUSR1), SignalKind::user_defined1());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SignalKind(i32);

impl SignalKind {
    /// The signal numbered `signum`; [`signal`] checks that it can be caught.
    pub const fn from_raw(signum: i32) -> SignalKind {
        SignalKind(signum)
    }
    /// The signal's number.
    pub const fn as_raw(self) -> i32 {
        self.0
    }
    /// `SIGINT`: Ctrl-C at a terminal.
    pub const fn interrupt() -> SignalKind {
        SignalKind(libc::SIGINT)
    }
    /// `SIGTERM`: a polite request to stop (`kill`, systemd, Kubernetes).
    pub const fn terminate() -> SignalKind {
        SignalKind(libc::SIGTERM)
    }
    /// `SIGHUP`: the terminal hung up, or (by convention) reload settings.
    pub const fn hangup() -> SignalKind {
        SignalKind(libc::SIGHUP)
    }
    /// `SIGQUIT`: Ctrl-\ at a terminal.
    pub const fn quit() -> SignalKind {
        SignalKind(libc::SIGQUIT)
    }
    /// `SIGUSR1`.
    pub const fn user_defined1() -> SignalKind {
        SignalKind(libc::SIGUSR1)
    }
    /// `SIGUSR2`.
    pub const fn user_defined2() -> SignalKind {
        SignalKind(libc::SIGUSR2)
    }
    /// `SIGCHLD`: a child process changed state.
    pub const fn child() -> SignalKind {
        SignalKind(libc::SIGCHLD)
    }
    /// `SIGWINCH`: the terminal's window changed size.
    pub const fn window_change() -> SignalKind {
        SignalKind(libc::SIGWINCH)
    }
    /// `SIGALRM`: a timer set with `alarm` expired.
    pub const fn alarm() -> SignalKind {
        SignalKind(libc::SIGALRM)
    }
    /// `SIGPIPE`: a write to a pipe with no reader.
    pub const fn pipe() -> SignalKind {
        SignalKind(libc::SIGPIPE)
    }
}

impl From<i32> for SignalKind {
    fn from(signum: i32) -> SignalKind {
        SignalKind(signum)
    }
}

/// The process-wide state: the self-pipe, each signal's flag, the listeners.
struct Globals {
    /// The pipe's read end, read by the dispatcher thread only.
    read: OwnedFd,
    /// Each signal's listeners; dead ones are pruned as they are met.
    listeners: Mutex<Vec<Vec<Weak<Listener>>>>,
    /// Serialises handler installation.
    install: Mutex<()>,
}

/// The pipe's write end, for the handler: -1 until the pipe exists.
static WRITE_FD: AtomicI32 = AtomicI32::new(-1);

/// Set by the handler, taken by the dispatcher: a signal arrived.
static PENDING: [AtomicBool; NSIG] = [const { AtomicBool::new(false) }; NSIG];

/// Set once a signal's handler is installed.
static INSTALLED: [AtomicBool; NSIG] = [const { AtomicBool::new(false) }; NSIG];

/// The signal handler: async-signal-safe, see the module docs.
extern "C" fn on_signal(signum: libc::c_int) {
    // SAFETY: `__errno_location` returns this thread's errno slot.
    let errno = unsafe { *libc::__errno_location() };
    if let Some(flag) = PENDING.get(signum as usize) {
        flag.store(true, Ordering::Release);
    }
    let fd = WRITE_FD.load(Ordering::Acquire);
    if fd >= 0 {
        let byte = 1u8;
        // SAFETY: `write` is async-signal-safe; the write end is never
        // closed once published, and `byte` is valid for one byte. A full
        // pipe (EAGAIN) is fine: the flag holds the signal.
        unsafe { libc::write(fd, (&byte as *const u8).cast(), 1) };
    }
    // SAFETY: as above; restoring errno keeps the interrupted code's value.
    unsafe { *libc::__errno_location() = errno };
}

/// The globals, made (with the dispatcher thread) on first use.
fn globals() -> io::Result<&'static Globals> {
    static GLOBALS: OnceLock<&'static Globals> = OnceLock::new();
    static INIT: Mutex<()> = Mutex::new(());
    if let Some(globals) = GLOBALS.get() {
        return Ok(globals);
    }
    let _init = lock(&INIT);
    if let Some(globals) = GLOBALS.get() {
        return Ok(globals);
    }
    let mut fds = [-1; 2];
    // SAFETY: `fds` is valid for two ints.
    syscall!(pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK))?;
    // SAFETY: pipe2 just returned these fds, and nothing else owns them.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    // The dispatcher blocks on the read end; the handler's end stays
    // non-blocking.
    // SAFETY: F_SETFL takes an int of flags; `read` is open.
    syscall!(fcntl(read.as_raw_fd(), libc::F_SETFL, 0))?;
    let globals = Globals {
        read,
        listeners: Mutex::new((0..NSIG).map(|_| Vec::new()).collect()),
        install: Mutex::new(()),
    };
    // The globals live for the rest of the process: the dispatcher reads
    // them, and the handler may run at any time. (If the thread cannot be
    // started, the pipe's two fds are leaked with them.)
    let globals: &'static Globals = Box::leak(Box::new(globals));
    std::thread::Builder::new()
        .name("goldiloop-signal".into())
        .spawn(move || dispatch(globals))?;
    WRITE_FD.store(write.into_raw_fd(), Ordering::Release);
    let _ = GLOBALS.set(globals);
    Ok(globals)
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Wakers run outside these locks; a poisoned lock held plain data.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The dispatcher thread: reads the pipe, then fans each pending signal out.
fn dispatch(globals: &'static Globals) {
    let mut buf = [0u8; 256];
    loop {
        // SAFETY: the read end is open for the process's life; `buf` is
        // valid for writes of its length.
        let read = syscall!(read(
            globals.read.as_raw_fd(),
            buf.as_mut_ptr().cast(),
            buf.len()
        ));
        if read.is_err() {
            continue; // EINTR is retried by `syscall!`; nothing else can fail here
        }
        for signum in 1..NSIG {
            if INSTALLED[signum].load(Ordering::Acquire)
                && PENDING[signum].swap(false, Ordering::AcqRel)
            {
                deliver(globals, signum);
            }
        }
    }
}

/// Counts one delivery of `signum` in each of its listeners and wakes them.
fn deliver(globals: &Globals, signum: usize) {
    let live: Vec<Arc<Listener>> = {
        let mut listeners = lock(&globals.listeners);
        let list = &mut listeners[signum];
        list.retain(|weak| weak.strong_count() > 0);
        list.iter().filter_map(Weak::upgrade).collect()
    };
    for listener in live {
        let waker = {
            let mut state = lock(&listener.state);
            state.count += 1;
            state.waker.take()
        };
        if let Some(waker) = waker {
            // A waker is foreign code: contain its panic, finish the batch.
            if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(|| waker.wake())) {
                let _ = panic::catch_unwind(AssertUnwindSafe(|| drop(payload)));
            }
        }
    }
}

/// One listener's deliveries not yet received, and its task's waker.
struct Listener {
    state: Mutex<ListenerState>,
}

struct ListenerState {
    count: u64,
    waker: Option<Waker>,
}

/// Checks that `signum` can be caught by a handler.
fn check(signum: i32) -> io::Result<()> {
    let invalid = |why: &str| {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} (signal {signum} {why})", messages::BAD_SIGNAL),
        ))
    };
    if signum == libc::SIGKILL || signum == libc::SIGSTOP {
        return invalid("can never be caught");
    }
    if [libc::SIGILL, libc::SIGFPE, libc::SIGSEGV, libc::SIGBUS].contains(&signum) {
        return invalid("reports a fault in the thread that raised it, which must not return");
    }
    if signum <= 0 || signum as usize >= NSIG || signum > libc::SIGRTMAX() {
        return invalid("is not a signal number");
    }
    Ok(())
}

/// Installs the handler for `signum`, once.
fn install(globals: &Globals, signum: i32) -> io::Result<()> {
    if INSTALLED[signum as usize].load(Ordering::Acquire) {
        return Ok(());
    }
    let _install = lock(&globals.install);
    if INSTALLED[signum as usize].load(Ordering::Acquire) {
        return Ok(());
    }
    // SAFETY: an all-zero sigaction is a valid value to fill in.
    let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
    action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
    action.sa_flags = libc::SA_RESTART;
    // SAFETY: `sa_mask` is a valid sigset_t to empty.
    unsafe { libc::sigemptyset(&mut action.sa_mask) };
    // SAFETY: `action` is a valid sigaction whose handler is
    // async-signal-safe; the old action is not wanted.
    syscall!(sigaction(signum, &action, std::ptr::null_mut()))?;
    INSTALLED[signum as usize].store(true, Ordering::Release);
    Ok(())
}

/// Listens for `kind`, from now on: every delivery after this call is
/// counted for the returned [`Signals`], even before it is first polled.
///
/// The signal's handler is installed for the rest of the process (see the
/// module docs): while no listener is left, the signal is ignored. It works
/// under any executor, from any thread, and with listeners on any number of
/// loops: each gets every delivery.
///
/// # Errors
///
/// `InvalidInput` for `SIGKILL` and `SIGSTOP` (which cannot be caught),
/// `SIGILL`, `SIGFPE`, `SIGSEGV` and `SIGBUS` (which must not be caught to
/// go on), and numbers that are not signals; the error from `pipe2`,
/// `sigaction` or starting the dispatcher thread.
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
/// use loop_net::signal::{signal, SignalKind};
///
/// let lp = Loop::new();
/// lp.run_task(async {
///     let mut usr1 = signal(SignalKind::user_defined1())?;
///     // SAFETY: raising a signal this process now handles.
///     unsafe { libc::raise(libc::SIGUSR1) };
///     usr1.recv().await;
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn signal(kind: impl Into<SignalKind>) -> io::Result<Signals> {
    let signum = kind.into().as_raw();
    check(signum)?;
    let globals = globals()?;
    let listener = Arc::new(Listener {
        state: Mutex::new(ListenerState {
            count: 0,
            waker: None,
        }),
    });
    // Registered before the handler is installed: the first delivery
    // after installation already counts.
    lock(&globals.listeners)[signum as usize].push(Arc::downgrade(&listener));
    install(globals, signum)?;
    Ok(Signals { signum, listener })
}

/// Waits for one Ctrl-C (`SIGINT`), listening from the moment it is called
/// (not from the first poll).
///
/// After the first call, Ctrl-C no longer stops the process by itself: the
/// program decides what to do.
///
/// # Errors
///
/// As [`signal`].
///
/// # Examples
///
/// ```no_run
/// use loop_core::Loop;
///
/// Loop::new().run_task(async {
///     loop_net::signal::ctrl_c().await?;
///     println!("stopping");
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[doc(alias = "SIGINT")]
pub fn ctrl_c() -> impl Future<Output = io::Result<()>> {
    let listener = signal(SignalKind::interrupt());
    async move {
        listener?.recv().await;
        Ok(())
    }
}

/// A listener for one signal: [`recv`](Signals::recv) waits for the next
/// delivery, and it is a `Stream` of them that never ends.
///
/// Deliveries made while the listener was not waiting are kept (coalesced:
/// see [`recv`](Signals::recv)). Dropping it stops listening. It is `Send`
/// and `Sync`, and may be awaited from any loop.
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
/// use loop_net::signal::{signal, SignalKind};
///
/// let lp = Loop::new();
/// lp.run_task(async {
///     let mut usr2 = signal(SignalKind::user_defined2())?;
///     // SAFETY: raising a signal this process now handles.
///     unsafe { libc::raise(libc::SIGUSR2) };
///     assert_eq!(usr2.recv().await, Some(()));
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Signals {
    signum: i32,
    listener: Arc<Listener>,
}

impl Signals {
    /// Waits for the signal; returns at once if it arrived since the last
    /// `recv` (or since the listener was created). Every delivery counted
    /// meanwhile is taken at once: a burst of signals may be seen as one.
    /// Always `Some(())` (the `Option` matches a `Stream`'s end, which never
    /// comes).
    ///
    /// # Cancellation
    ///
    /// Dropping the future takes nothing: a delivery stays for the next
    /// `recv`.
    pub async fn recv(&mut self) -> Option<()> {
        poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// The poll form of [`recv`](Signals::recv).
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<()>> {
        let mut state = lock(&self.listener.state);
        if state.count > 0 {
            state.count = 0;
            return Poll::Ready(Some(()));
        }
        match &state.waker {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            _ => state.waker = Some(cx.waker().clone()),
        }
        Poll::Pending
    }

    /// The signal this listens for.
    pub fn kind(&self) -> SignalKind {
        SignalKind(self.signum)
    }
}

impl Stream for Signals {
    type Item = ();

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<()>> {
        self.get_mut().poll_recv(cx)
    }
}

impl fmt::Debug for Signals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signals")
            .field("signal", &self.signum)
            .field("pending", &lock(&self.listener.state).count)
            .finish()
    }
}

/// The raw fd the handler writes, for tests: -1 before the first listener.
#[cfg(test)]
fn write_fd() -> std::os::fd::RawFd {
    WRITE_FD.load(Ordering::Acquire)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_self_pipe_is_close_on_exec_and_non_blocking() {
        let _listener = signal(SignalKind::window_change()).unwrap();
        let fd = write_fd();
        assert!(fd >= 0);
        // SAFETY: F_GETFD / F_GETFL take no argument.
        let (fd_flags, fl_flags) = unsafe {
            (
                libc::fcntl(fd, libc::F_GETFD),
                libc::fcntl(fd, libc::F_GETFL),
            )
        };
        assert_ne!(fd_flags & libc::FD_CLOEXEC, 0);
        assert_ne!(fl_flags & libc::O_NONBLOCK, 0);
    }
}
