//! The epoll reactor: a [`Park`] that waits for socket readiness.
//!
//! # Design
//!
//! - Each fd is registered once, edge-triggered, for its whole life
//!   ([`Reactor::register`] returns a [`Registration`], defined with the
//!   per-fd state in `registration.rs`; dropping it deregisters). The fd is
//!   removed from the epoll set by number when the registration drops, so
//!   `register` is an `unsafe fn`: its caller promises the fd stays open
//!   until then, and says how at the call site.
//! - The epoll token is `index << 32 | generation` of a slot in a slab: a later
//!   socket that reuses the same fd number, or the same slot, gets another
//!   token, so a stale event can never be mistaken for it.
//! - Readiness is cached per direction. A task that sees `EAGAIN` clears it
//!   and waits; every waker waiting on a direction is woken when it becomes
//!   ready, so none is lost.
//! - Waiters: each direction keeps the wakers of the tasks waiting on it. A
//!   task that polls again while it waits is not added twice (its waker is
//!   recognised with `Waker::will_wake`), so the list holds one waker per
//!   waiting task, and readiness wakes and empties it.
//! - Other threads end a park by writing the `eventfd`, but only while the
//!   loop is parked or about to park (`park_state.rs`, checked by a loom
//!   model), so a running loop is not slowed by a syscall per remote wake.
//! - A registration belongs to the loop whose Reactor it is registered
//!   with, which must be the loop running when it is made. It is
//!   `Send + Sync` (so sockets are), and holds no reference count on the
//!   Reactor: it reaches the Reactor and its slot through a
//!   [`LoopBound`], lent only while that loop runs on
//!   the thread (one thread-local read and a compare per operation, the
//!   check made before the handles were `Send`). Used anywhere else (on
//!   another loop, or where no loop runs) it panics with a message that
//!   names the fix, since only its own Reactor ever wakes the task. Dropped
//!   anywhere, it takes its fd out of the epoll set (each registration
//!   shares the epoll fd for this) and frees its slot: at once on its
//!   loop's thread, otherwise through a small task on its loop (nothing,
//!   if the loop is gone). A socket moves to another loop by value:
//!   `into_std()` (on any thread) deregisters it here, `from_std()`
//!   registers it there.

//! # A panicking waker
//!
//! Wakers are foreign code: a task's waker may come from another executor,
//! a combinator or a test. The rule is that a panic in a waker the Reactor
//! calls is contained, and the batch goes on:
//!
//! - [`dispatch`](Reactor::park) first records an event's readiness (both
//!   directions, and whether they are closed), then wakes its waiters. With
//!   edge-triggered epoll no second event may come for the same readiness,
//!   so it must be recorded whatever a waker does.
//! - Each wake runs under `catch_unwind`; after a panic the next waker of
//!   the list, then the next event of the batch, are served as if nothing
//!   happened. No `RefCell` is borrowed while a waker runs (the waiter list
//!   is taken out first, each event copied out of the buffer), so a waker
//!   that re-enters the Reactor finds it in order.
//! - The panic is then *not* propagated into the loop: the process's panic
//!   hook has already reported it (on stderr, by default) when it was
//!   raised, and unwinding out of `park` would take the loop, and every task
//!   in it, down for a fault in code that is not the loop's. A test that
//!   wants to see such a panic installs its own hook.
//!
//! # Precision
//!
//! `epoll_wait` counts its timeout in milliseconds, which would make every
//! timer up to a millisecond late. A timed park uses `epoll_pwait2` instead,
//! which takes a `timespec`, and sets the thread's timer slack to 1 ns before
//! the first one (`PR_SET_TIMERSLACK`), so a timer fires within microseconds
//! of its deadline. On kernels without `epoll_pwait2` (before 5.11) the
//! timeout is rounded *up* to whole milliseconds: late, never early. A zero
//! timeout is a non-blocking look, made only when the loop asks for one.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Wake, Waker};
use std::time::Duration;

use loop_core::{Loop, LoopBound, Park};

use crate::messages;
use crate::park_state::ParkState;
use crate::registration::{IoState, Registration};
use crate::sys::{set_nonblocking, syscall};

/// The token of the eventfd: no slab slot has it.
const UNPARK_TOKEN: u64 = u64::MAX;
/// Events asked per `epoll_wait`.
const EVENTS: usize = 256;

/// Set once `epoll_pwait2` said `ENOSYS` (or `EPERM` from a seccomp filter):
/// from then on, timed parks use `epoll_wait` with rounded-up milliseconds.
static NO_PWAIT2: AtomicBool = AtomicBool::new(false);

struct Slot {
    generation: u32,
    state: Option<Rc<IoState>>,
}

struct Shared {
    eventfd: OwnedFd,
    /// Whether a remote wake must write the eventfd (`park_state.rs`).
    park: ParkState,
}

/// The epoll [`Park`]: a loop built with it can wait for sockets.
///
/// When no task is ready the loop blocks in `epoll_wait` until a registered
/// fd becomes ready, another thread wakes a task or spawns one (through an
/// `eventfd`), or the earliest timer is due. Sockets find the Reactor
/// through `Loop::current().park::<Reactor>()`.
///
/// # Precision
///
/// A timed park waits with `epoll_pwait2`, to the nanosecond, after setting
/// the thread's timer slack to 1 ns (`PR_SET_TIMERSLACK`, once): timers fire
/// within tens of microseconds of their deadline. Where the kernel lacks
/// `epoll_pwait2` (before Linux 5.11) the wait is rounded up to whole
/// milliseconds: later, never earlier.
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
    /// Shared with every registration, so that one dropped on another thread
    /// can still take its fd out of the set (see `Registration`'s `Drop`).
    epoll: Arc<OwnedFd>,
    shared: Arc<Shared>,
    slots: RefCell<Vec<Slot>>,
    free: RefCell<Vec<u32>>,
    events: RefCell<Vec<libc::epoll_event>>,
    /// Whether this thread's timer slack was already set to 1 ns.
    precise: Cell<bool>,
}

impl Reactor {
    /// A new reactor with its epoll fd and eventfd (both non-blocking and
    /// close-on-exec), for the loop of the calling thread.
    ///
    /// # Errors
    ///
    /// The kernel's error from `epoll_create1` or `eventfd`, e.g. `EMFILE`
    /// (see `io::Error::raw_os_error`) when the process is out of fds.
    pub fn new() -> io::Result<Reactor> {
        let epoll = syscall!(epoll_create1(libc::EPOLL_CLOEXEC))?;
        // SAFETY: epoll_create1 just returned this fd and nothing else owns it.
        let epoll = unsafe { OwnedFd::from_raw_fd(epoll) };
        // `epoll_wait` ignores O_NONBLOCK (its timeout decides), but setting
        // it keeps "every fd is non-blocking" true without exceptions.
        set_nonblocking(epoll.as_raw_fd())?;
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
            epoll: Arc::new(epoll),
            shared: Arc::new(Shared {
                eventfd,
                park: ParkState::new(),
            }),
            slots: RefCell::new(Vec::new()),
            free: RefCell::new(Vec::new()),
            events: RefCell::new(Vec::with_capacity(EVENTS)),
            precise: Cell::new(false),
        })
    }

    /// Registers `fd` (edge-triggered, both directions) until the returned
    /// [`Registration`] is dropped.
    ///
    /// `this` must be the park of the loop running on this thread: the
    /// registration belongs to that loop (see [`Registration::poll_ready`]).
    ///
    /// # Safety
    ///
    /// `fd` must stay open until the returned [`Registration`] is dropped:
    /// dropping it removes the fd from the epoll set by number, which would
    /// remove another file that took the number (or fail) if it was closed
    /// first. (Sockets keep this promise by declaring their registration
    /// before their `OwnedFd`.)
    ///
    /// # Errors
    ///
    /// - `Other`, with a message that names the fix, if `this` is not the
    ///   Reactor of the loop running on this thread (or no loop runs).
    /// - The kernel's error from `epoll_ctl`: `EPERM` for a file that epoll
    ///   cannot watch (a regular file), `EEXIST` for an fd already
    ///   registered with this reactor.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::os::fd::AsFd;
    /// use loop_core::Loop;
    /// use loop_net::Reactor;
    ///
    /// let lp = Loop::with_park(Reactor::new()?);
    /// lp.run_task(async {
    ///     let reactor = Loop::current().park::<Reactor>().unwrap();
    ///     let socket = std::net::UdpSocket::bind("127.0.0.1:0")?;
    ///     // SAFETY: `socket` outlives the registration, dropped first.
    ///     let registration = unsafe { Reactor::register(&reactor, socket.as_fd())? };
    ///     drop(registration);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub unsafe fn register(this: &Rc<Reactor>, fd: BorrowedFd<'_>) -> io::Result<Registration> {
        let bound = Loop::try_current()
            .and_then(|handle| handle.park_bound::<Reactor>())
            .filter(|bound| bound.with(|current| std::ptr::eq(current, &**this)) == Some(true));
        let Some(bound) = bound else {
            return Err(io::Error::other(messages::REGISTER_OFF_LOOP));
        };
        // SAFETY: our caller keeps `fd` open until the registration drops.
        unsafe { this.register_on(bound, fd) }
    }

    /// [`register`](Reactor::register) with `bound`, which is this Reactor
    /// as its loop's [`LoopBound`].
    ///
    /// # Safety
    ///
    /// As for `register`, and `bound` refers to `self`.
    pub(crate) unsafe fn register_on(
        &self,
        bound: LoopBound<Reactor>,
        fd: BorrowedFd<'_>,
    ) -> io::Result<Registration> {
        let fd = fd.as_raw_fd();
        let state = Rc::new(IoState::default());
        let (index, generation) = {
            let mut slots = self.slots.borrow_mut();
            let index = match self.free.borrow_mut().pop() {
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
        // SAFETY: the epoll fd is open for the reactor's life, `fd` is open
        // (it was borrowed), and `event` is a valid epoll_event.
        let added = syscall!(epoll_ctl(
            self.epoll.as_raw_fd(),
            libc::EPOLL_CTL_ADD,
            fd,
            &mut event
        ));
        // Made even on failure: dropping it frees the slot.
        // SAFETY: our caller keeps `fd` open until the registration is
        // dropped; slot `index` holds `state` until the registration frees it.
        let registration = unsafe {
            Registration::new(
                bound,
                self.epoll.clone(),
                &state,
                [index, generation],
                fd,
                added.is_ok(),
            )
        };
        added.map(|_| registration)
    }

    /// Frees slot `index`, whose generation then tells any event still
    /// queued for it to be ignored: the end of a registration dropped on
    /// its loop's thread (it has taken its fd out of the epoll set itself).
    pub(crate) fn free(&self, index: u32) {
        self.slots.borrow_mut()[index as usize].state = None;
        self.free.borrow_mut().push(index);
    }

    /// Frees slot `index` if it is still of `generation`: for a
    /// registration dropped away from its loop (see its `Drop`), which asks
    /// for it through a task.
    pub(crate) fn release(&self, index: u32, generation: u32) {
        let mut slots = self.slots.borrow_mut();
        if let Some(slot) = slots.get_mut(index as usize)
            && slot.generation == generation
            && slot.state.is_some()
        {
            slot.state = None;
            self.free.borrow_mut().push(index);
        }
    }

    /// Records the readiness of the first `count` events of the last wait,
    /// and wakes the tasks waiting for it.
    ///
    /// Every event is handled even if a waker panics (see the module docs).
    /// No borrow is held while a waker runs: each event is copied out of the
    /// buffer, and the slab's borrow ends before the wakes.
    fn dispatch(&self, count: usize) {
        loop_core::stats::count_io_events(count);
        for i in 0..count {
            let event = self.events.borrow()[i];
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
            if flags & (libc::EPOLLRDHUP | error) != 0 {
                state.closed[0].set(true);
            }
            if flags & error != 0 {
                state.closed[1].set(true);
            }
            // Both directions recorded before any waker runs.
            let readable = flags & (libc::EPOLLIN | libc::EPOLLRDHUP | error) != 0;
            let writable = flags & (libc::EPOLLOUT | error) != 0;
            if readable {
                state.ready[0].set(true);
            }
            if writable {
                state.ready[1].set(true);
            }
            if readable {
                state.wake_waiters(0);
            }
            if writable {
                state.wake_waiters(1);
            }
        }
    }
}

impl Reactor {
    /// One `epoll_wait`: fills `events` and returns how many arrived.
    ///
    /// An interrupted wait (`EINTR`) returns 0, a spurious return, which
    /// `Park` allows: the loop parks again if nothing is ready.
    fn wait(&self, timeout: Option<Duration>) -> usize {
        let mut events = self.events.borrow_mut();
        let res = match timeout {
            None => self.wait_ms(&mut events, -1),
            Some(timeout) if timeout.is_zero() => self.wait_ms(&mut events, 0),
            Some(timeout) => {
                if !self.precise.replace(true) {
                    set_precise_timer_slack();
                }
                match self.wait_precisely(&mut events, timeout) {
                    Some(res) => res,
                    None => self.wait_ms(&mut events, timeout_ms(timeout)),
                }
            }
        };
        let count = usize::try_from(res).unwrap_or(0);
        // SAFETY: the kernel initialised the first `count` entries, and
        // `count` is at most EVENTS, the capacity.
        unsafe { events.set_len(count) };
        count
    }

    /// `epoll_wait` with a timeout in milliseconds (-1: none).
    fn wait_ms(&self, events: &mut Vec<libc::epoll_event>, timeout_ms: libc::c_int) -> libc::c_int {
        // SAFETY: the epoll fd is open and `events` has room for EVENTS
        // entries, which the kernel fills from the front.
        unsafe {
            libc::epoll_wait(
                self.epoll.as_raw_fd(),
                events.as_mut_ptr(),
                EVENTS as libc::c_int,
                timeout_ms,
            )
        }
    }

    /// `epoll_pwait2`, which takes a `timespec`: `None` if the kernel lacks
    /// it (before Linux 5.11: `ENOSYS`; a seccomp filter that does not know
    /// it: `EPERM`), remembered for the rest of the process.
    fn wait_precisely(
        &self,
        events: &mut Vec<libc::epoll_event>,
        timeout: Duration,
    ) -> Option<libc::c_int> {
        if NO_PWAIT2.load(Ordering::Relaxed) {
            return None;
        }
        let timespec = libc::timespec {
            tv_sec: timeout.as_secs().min(libc::time_t::MAX as u64) as libc::time_t,
            tv_nsec: timeout.subsec_nanos().into(),
        };
        // SAFETY: the epoll fd is open; `events` has room for EVENTS entries;
        // `timespec` is a valid timespec that outlives the call; a null
        // signal mask means "leave the mask alone" (its size is then unused).
        let res = unsafe {
            libc::syscall(
                libc::SYS_epoll_pwait2,
                self.epoll.as_raw_fd(),
                events.as_mut_ptr(),
                EVENTS as libc::c_int,
                &raw const timespec,
                std::ptr::null::<libc::sigset_t>(),
                0usize,
            )
        };
        if res == -1 {
            let errno = io::Error::last_os_error().raw_os_error();
            if matches!(errno, Some(libc::ENOSYS | libc::EPERM)) {
                NO_PWAIT2.store(true, Ordering::Relaxed);
                return None;
            }
        }
        Some(res as libc::c_int)
    }
}

/// `timeout` in whole milliseconds for `epoll_wait`, rounded up so that the
/// wait never ends before it, and capped at what a `c_int` holds (a shorter
/// wait is a spurious return, which `Park` allows).
fn timeout_ms(timeout: Duration) -> libc::c_int {
    timeout
        .as_nanos()
        .div_ceil(1_000_000)
        .min(libc::c_int::MAX as u128) as libc::c_int
}

/// Sets the calling thread's timer slack to 1 ns, so a timed wait ends
/// within microseconds of its timeout instead of up to 50 µs late (the
/// default slack). It lasts for the thread's life; on failure the thread
/// keeps its default slack, so the error is ignored.
fn set_precise_timer_slack() {
    // SAFETY: PR_SET_TIMERSLACK takes one integer argument and changes only
    // the calling thread's timer slack; no memory is passed.
    unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, 1 as libc::c_ulong) };
}

impl Park for Reactor {
    fn park(&self, timeout: Option<Duration>) {
        let mut timeout = timeout;
        let blocking = timeout != Some(Duration::ZERO);
        if blocking && !self.shared.park.begin_park() {
            timeout = Some(Duration::ZERO);
        }
        let count = self.wait(timeout);
        if blocking {
            self.shared.park.end_park();
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
        if self.0.park.notify() {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsFd;
    use std::time::Instant;

    #[test]
    fn millisecond_timeouts_are_rounded_up_never_down() {
        assert_eq!(timeout_ms(Duration::from_nanos(1)), 1);
        assert_eq!(timeout_ms(Duration::from_millis(1)), 1);
        assert_eq!(timeout_ms(Duration::from_nanos(1_000_001)), 2);
        assert_eq!(timeout_ms(Duration::from_micros(2_500)), 3);
        assert_eq!(timeout_ms(Duration::MAX), libc::c_int::MAX);
    }

    #[test]
    fn the_millisecond_fallback_never_wakes_before_the_timeout() {
        let reactor = Reactor::new().unwrap();
        for micros in [1, 999, 1_001, 2_500] {
            let timeout = Duration::from_micros(micros);
            let start = Instant::now();
            let mut events = reactor.events.borrow_mut();
            assert_eq!(reactor.wait_ms(&mut events, timeout_ms(timeout)), 0);
            let waited = start.elapsed();
            assert!(waited >= timeout, "waited {waited:?} for {timeout:?}");
        }
    }

    #[test]
    fn epoll_pwait2_waits_no_less_than_its_timeout() {
        let reactor = Reactor::new().unwrap();
        let timeout = Duration::from_micros(300);
        let start = Instant::now();
        let mut events = reactor.events.borrow_mut();
        match reactor.wait_precisely(&mut events, timeout) {
            Some(count) => {
                assert_eq!(count, 0);
                assert!(start.elapsed() >= timeout);
            }
            None => println!("note: this kernel has no epoll_pwait2; the fallback is in use"),
        }
    }

    /// The slots of the running loop's Reactor that hold a registration.
    fn live_slots() -> usize {
        let reactor = Loop::current().park::<Reactor>().unwrap();
        let slots = reactor.slots.borrow();
        slots.iter().filter(|slot| slot.state.is_some()).count()
    }

    #[test]
    fn a_registration_dropped_away_from_its_loop_frees_its_slot_when_the_loop_runs() {
        let lp = Loop::with_park(Reactor::new().unwrap());
        let (_a, b) = std::os::unix::net::UnixStream::pair().unwrap();
        let registration = lp.run_task(async {
            let reactor = Loop::current().park::<Reactor>().unwrap();
            // SAFETY: `b` outlives the registration (dropped below).
            let registration = unsafe { Reactor::register(&reactor, b.as_fd()) }.unwrap();
            assert_eq!(live_slots(), 1);
            registration
        });
        std::thread::spawn(move || drop(registration))
            .join()
            .unwrap();
        // The drop queued a task, which the loop runs first thing.
        lp.run_task(async { assert_eq!(live_slots(), 0) });
        // A stale release (its slot reused since) frees nothing.
        lp.run_task(async {
            let reactor = Loop::current().park::<Reactor>().unwrap();
            // SAFETY: `b` outlives the registration.
            let again = unsafe { Reactor::register(&reactor, b.as_fd()) }.unwrap();
            reactor.release(0, 1);
            assert_eq!(live_slots(), 1);
            drop(again);
            assert_eq!(live_slots(), 0);
        });
    }
}
