//! `ParkState`: how a remote wake and the Reactor's blocking wait agree on
//! whether the wake must write the eventfd.
//!
//! One atomic word with two bits, changed only by read-modify-writes, so all
//! changes fall in one total order (no store-then-load reasoning, which needs
//! sequential consistency across two words and which loom cannot check):
//!
//! | bit        | set by                          | cleared by                 |
//! |------------|---------------------------------|----------------------------|
//! | `PARKED`   | the loop, before a blocking wait | the loop, after it        |
//! | `NOTIFIED` | every remote wake               | the loop, before and after a blocking wait |
//!
//! The loop swaps the word to `PARKED` before it blocks. If a wake came since
//! its last look outside (`NOTIFIED` was set), it does not block. A wake sets
//! `NOTIFIED`; if it finds `PARKED` set (and no earlier wake of this park
//! already did), it writes the eventfd. Whichever comes first in the word's
//! order, the wait is ended or never begins: no wake is lost, and a running
//! loop is not slowed by a system call per remote wake. The loom model in
//! this file checks it.

#[cfg(not(loom))]
use std::sync::atomic::{AtomicU8, Ordering::AcqRel};

#[cfg(loom)]
use loom::sync::atomic::{AtomicU8, Ordering::AcqRel};

const PARKED: u8 = 1 << 0;
const NOTIFIED: u8 = 1 << 1;

/// The Reactor's park word; see the module docs.
#[derive(Debug)]
pub(crate) struct ParkState(AtomicU8);

impl ParkState {
    pub(crate) fn new() -> ParkState {
        ParkState(AtomicU8::new(0))
    }

    /// The loop is about to block. False if a wake came since the last park:
    /// the loop must then look without blocking.
    pub(crate) fn begin_park(&self) -> bool {
        self.0.swap(PARKED, AcqRel) & NOTIFIED == 0
    }

    /// The blocking wait is over.
    pub(crate) fn end_park(&self) {
        self.0.swap(0, AcqRel);
    }

    /// A remote wake: true if the caller must write the eventfd to end the
    /// loop's wait.
    pub(crate) fn notify(&self) -> bool {
        self.0.fetch_or(NOTIFIED, AcqRel) & (PARKED | NOTIFIED) == PARKED
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use std::collections::VecDeque;

    use loom::sync::{Arc, Condvar, Mutex};
    use loom::thread;

    use super::ParkState;

    /// An eventfd: a counter that a blocking read waits on and resets.
    #[derive(Default)]
    struct EventFd {
        count: Mutex<u64>,
        ready: Condvar,
    }

    impl EventFd {
        fn write(&self) {
            *self.count.lock().unwrap() += 1;
            self.ready.notify_one();
        }

        fn wait(&self) {
            let mut count = self.count.lock().unwrap();
            while *count == 0 {
                count = self.ready.wait(count).unwrap();
            }
            *count = 0;
        }
    }

    #[test]
    fn loom_a_park_racing_remote_wakes_never_sleeps_with_work_queued() {
        loom::model(|| {
            let state = Arc::new(ParkState::new());
            let eventfd = Arc::new(EventFd::default());
            let queue = Arc::new(Mutex::new(VecDeque::new()));
            let wakers: Vec<_> = (0..2)
                .map(|i| {
                    let (state, eventfd, queue) = (state.clone(), eventfd.clone(), queue.clone());
                    thread::spawn(move || {
                        queue.lock().unwrap().push_back(i);
                        if state.notify() {
                            eventfd.write();
                        }
                    })
                })
                .collect();
            // The loop: take what is queued, block when nothing is (loom
            // reports a deadlock if a wake is ever lost).
            let mut seen = 0;
            while seen < 2 {
                if queue.lock().unwrap().pop_front().is_some() {
                    seen += 1;
                    continue;
                }
                if state.begin_park() {
                    eventfd.wait();
                }
                state.end_park();
            }
            for waker in wakers {
                waker.join().unwrap();
            }
        });
    }
}
