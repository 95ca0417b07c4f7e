//! The epoll reactor: a [`Park`] that waits for socket readiness.
//!
//! # Design
//!
//! - Each fd is registered once, edge-triggered, for its whole life
//!   ([`Reactor::register`] returns a [`Registration`]; dropping it
//!   deregisters).
//! - The epoll token is `index << 32 | generation` of a slot in a slab: a later
//!   socket that reuses the same fd number, or the same slot, gets another
//!   token, so a stale event can never be mistaken for it.
//! - Readiness is cached per direction. A task that sees `EAGAIN` clears it
//!   and waits; every waker waiting on a direction is woken when it becomes
//!   ready, so none is lost.
//! - Other threads end a park by writing the `eventfd`, but only while the
//!   loop is parked or about to park (the `parked` flag), so a running loop
//!   is not slowed by a syscall per remote wake.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use loop_core::Park;

use crate::sys::syscall;

/// The token of the eventfd: no slab slot has it.
const UNPARK_TOKEN: u64 = u64::MAX;
/// Events asked per `epoll_wait`.
const EVENTS: usize = 256;

/// A direction of readiness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Readable (or hung up, or in error).
    Read,
    /// Writable (or in error).
    Write,
}

/// Readiness and waiters of one registered fd.
#[derive(Default)]
struct IoState {
    ready: [Cell<bool>; 2],
    waiters: [RefCell<Vec<Waker>>; 2],
}

impl IoState {
    fn set_ready(&self, dir: usize) {
        self.ready[dir].set(true);
        let waiters = std::mem::take(&mut *self.waiters[dir].borrow_mut());
        for waker in waiters {
            waker.wake();
        }
    }
}

struct Slot {
    generation: u32,
    state: Option<Rc<IoState>>,
}

struct Shared {
    eventfd: OwnedFd,
    /// Set by the loop before a blocking `epoll_wait`, cleared after it.
    parked: AtomicBool,
    /// Set by every remote wake; a park that finds it set does not block.
    /// With `parked` (both SeqCst) either the waker sees `parked` and writes
    /// the eventfd, or the loop sees `notified` and does not block.
    notified: AtomicBool,
}

/// The epoll [`Park`]: a loop built with it can wait for sockets.
///
/// # Examples
///
/// ```
/// use loop_core::Loop;
/// use loop_net::Reactor;
///
/// let lp = Loop::with_park(Reactor::new()?);
/// lp.run_task(async {});
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Reactor {
    epoll: OwnedFd,
    shared: Arc<Shared>,
    slots: RefCell<Vec<Slot>>,
    free: RefCell<Vec<u32>>,
    events: RefCell<Vec<libc::epoll_event>>,
}

impl Reactor {
    /// A new reactor with its epoll fd and eventfd (both close-on-exec).
    ///
    /// # Errors
    ///
    /// The kernel's error from `epoll_create1` or `eventfd`, e.g.
    /// `ErrorKind::Other` with `EMFILE` when the process is out of fds.
    pub fn new() -> io::Result<Reactor> {
        let epoll = syscall!(epoll_create1(libc::EPOLL_CLOEXEC))?;
        // SAFETY: epoll_create1 just returned this fd and nothing else owns it.
        let epoll = unsafe { OwnedFd::from_raw_fd(epoll) };
        let eventfd = syscall!(eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK))?;
        // SAFETY: eventfd just returned this fd and nothing else owns it.
        let eventfd = unsafe { OwnedFd::from_raw_fd(eventfd) };
        let mut event = libc::epoll_event {
            events: (libc::EPOLLIN | libc::EPOLLET) as u32,
            u64: UNPARK_TOKEN,
        };
        // SAFETY: both fds are open, and `event` is a valid epoll_event.
        syscall!(epoll_ctl(
            epoll.as_raw_fd(),
            libc::EPOLL_CTL_ADD,
            eventfd.as_raw_fd(),
            &mut event
        ))?;
        Ok(Reactor {
            epoll,
            shared: Arc::new(Shared {
                eventfd,
                parked: AtomicBool::new(false),
                notified: AtomicBool::new(false),
            }),
            slots: RefCell::new(Vec::new()),
            free: RefCell::new(Vec::new()),
            events: RefCell::new(Vec::with_capacity(EVENTS)),
        })
    }

    /// Registers `fd` (edge-triggered, both directions) until the returned
    /// [`Registration`] is dropped; the fd must stay open until then.
    ///
    /// # Errors
    ///
    /// The kernel's error from `epoll_ctl`: `ErrorKind::Other` with `EBADF`
    /// for a closed fd, `EPERM` for a file that epoll cannot watch.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::os::fd::AsRawFd;
    /// use std::rc::Rc;
    /// use loop_net::Reactor;
    ///
    /// let reactor = Rc::new(Reactor::new()?);
    /// let socket = std::net::UdpSocket::bind("127.0.0.1:0")?;
    /// let registration = Reactor::register(&reactor, socket.as_raw_fd())?;
    /// drop(registration);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn register(this: &Rc<Reactor>, fd: RawFd) -> io::Result<Registration> {
        let state = Rc::new(IoState::default());
        let (index, generation) = {
            let mut slots = this.slots.borrow_mut();
            let index = match this.free.borrow_mut().pop() {
                Some(index) => index,
                None => {
                    slots.push(Slot {
                        generation: 0,
                        state: None,
                    });
                    (slots.len() - 1) as u32
                }
            };
            let slot = &mut slots[index as usize];
            slot.generation = slot.generation.wrapping_add(1);
            slot.state = Some(state.clone());
            (index, slot.generation)
        };
        let token = (u64::from(index) << 32) | u64::from(generation);
        let mut event = libc::epoll_event {
            events: (libc::EPOLLIN | libc::EPOLLOUT | libc::EPOLLRDHUP | libc::EPOLLET) as u32,
            u64: token,
        };
        // SAFETY: the epoll fd is open for the reactor's life, and `event` is
        // a valid epoll_event; a bad `fd` is reported as EBADF.
        let added = syscall!(epoll_ctl(
            this.epoll.as_raw_fd(),
            libc::EPOLL_CTL_ADD,
            fd,
            &mut event
        ));
        let registration = Registration {
            reactor: this.clone(),
            state,
            index,
            fd,
            added: added.is_ok(),
        };
        added.map(|_| registration)
    }

    fn dispatch(&self, count: usize) {
        let events = self.events.borrow();
        for event in &events[..count] {
            let token = event.u64;
            if token == UNPARK_TOKEN {
                let mut buf = 0u64;
                // SAFETY: the eventfd is open, and `buf` is 8 writable bytes.
                let _ = syscall!(read(
                    self.shared.eventfd.as_raw_fd(),
                    (&raw mut buf).cast(),
                    8
                ));
                continue;
            }
            let index = (token >> 32) as usize;
            let generation = token as u32;
            let state = match self.slots.borrow().get(index) {
                Some(slot) if slot.generation == generation => slot.state.clone(),
                _ => None,
            };
            let Some(state) = state else { continue };
            let flags = event.events as libc::c_int;
            let error = libc::EPOLLERR | libc::EPOLLHUP;
            if flags & (libc::EPOLLIN | libc::EPOLLRDHUP | error) != 0 {
                state.set_ready(0);
            }
            if flags & (libc::EPOLLOUT | error) != 0 {
                state.set_ready(1);
            }
        }
    }
}

impl Park for Reactor {
    fn park(&self, timeout: Option<Duration>) {
        let timeout_ms = match timeout {
            None => -1,
            Some(timeout) if timeout.is_zero() => 0,
            // Round up: never wake before the deadline.
            Some(timeout) => {
                timeout.as_nanos().div_ceil(1_000_000).min(i32::MAX as u128) as libc::c_int
            }
        };
        let mut timeout_ms = timeout_ms;
        let blocking = timeout_ms != 0;
        if blocking {
            self.shared.parked.store(true, Ordering::SeqCst);
            if self.shared.notified.swap(false, Ordering::SeqCst) {
                timeout_ms = 0;
            }
        }
        let count = {
            let mut events = self.events.borrow_mut();
            // SAFETY: the epoll fd is open and `events` has room for EVENTS
            // entries, which the kernel fills from the front.
            let res = unsafe {
                libc::epoll_wait(
                    self.epoll.as_raw_fd(),
                    events.as_mut_ptr(),
                    EVENTS as libc::c_int,
                    timeout_ms,
                )
            };
            // An interrupted wait (EINTR) is a spurious return, which `Park`
            // allows: the loop parks again if nothing is ready.
            let count = usize::try_from(res).unwrap_or(0);
            // SAFETY: the kernel initialised the first `count` entries.
            unsafe { events.set_len(count) };
            count
        };
        if blocking {
            self.shared.parked.store(false, Ordering::SeqCst);
            self.shared.notified.store(false, Ordering::SeqCst);
        }
        self.dispatch(count);
    }

    fn unparker(&self) -> Waker {
        Waker::from(Arc::new(Unparker(self.shared.clone())))
    }
}

impl fmt::Debug for Reactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reactor")
            .field("epoll", &self.epoll.as_raw_fd())
            .field(
                "registrations",
                &(self.slots.borrow().len() - self.free.borrow().len()),
            )
            .finish()
    }
}

struct Unparker(Arc<Shared>);

impl Unparker {
    fn unpark(&self) {
        self.0.notified.store(true, Ordering::SeqCst);
        if self.0.parked.load(Ordering::SeqCst) {
            let one = 1u64;
            // SAFETY: the eventfd lives as long as this Arc, and `one` is 8
            // readable bytes. A full counter (EAGAIN) already means "wake".
            let _ = syscall!(write(
                self.0.eventfd.as_raw_fd(),
                (&raw const one).cast(),
                8
            ));
        }
    }
}

impl Wake for Unparker {
    fn wake(self: Arc<Self>) {
        self.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.unpark();
    }
}

/// An fd's registration with a [`Reactor`]; dropping it deregisters the fd.
pub struct Registration {
    reactor: Rc<Reactor>,
    state: Rc<IoState>,
    index: u32,
    fd: RawFd,
    added: bool,
}

impl Registration {
    /// `Ready` if `dir` is known ready; otherwise stores the task's waker
    /// (every waiting task is woken when `dir` becomes ready) and returns
    /// `Pending`.
    pub fn poll_ready(&self, dir: Direction, cx: &mut Context<'_>) -> Poll<()> {
        let i = dir as usize;
        if self.state.ready[i].get() {
            return Poll::Ready(());
        }
        let mut waiters = self.state.waiters[i].borrow_mut();
        if !waiters.iter().any(|w| w.will_wake(cx.waker())) {
            waiters.push(cx.waker().clone());
        }
        Poll::Pending
    }

    /// Forgets that `dir` is ready: call it after the system call said `EAGAIN`.
    pub fn clear_ready(&self, dir: Direction) {
        self.state.ready[dir as usize].set(false);
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        if self.added {
            // SAFETY: the epoll fd is open; the caller of `register` keeps
            // `fd` open until this registration is dropped.
            let _ = syscall!(epoll_ctl(
                self.reactor.epoll.as_raw_fd(),
                libc::EPOLL_CTL_DEL,
                self.fd,
                std::ptr::null_mut()
            ));
        }
        self.reactor.slots.borrow_mut()[self.index as usize].state = None;
        self.reactor.free.borrow_mut().push(self.index);
    }
}

impl fmt::Debug for Registration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registration")
            .field("fd", &self.fd)
            .field("readable", &self.state.ready[0].get())
            .field("writable", &self.state.ready[1].get())
            .finish()
    }
}
