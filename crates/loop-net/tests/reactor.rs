//! The Reactor as a loop's park: readiness, waiters, remote unparks, timer
//! precision, no busy waiting.

mod util;

use std::future::poll_fn;
use std::io::{ErrorKind, Read, Write};
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Wake, Waker};
use std::time::{Duration, Instant};

use loop_core::{Loop, Park};
use loop_net::{Direction, Reactor};
use test_support::CountingWaker;

use util::thread_cpu_time as cpu_time;

#[test]
fn task_waiting_for_readability_is_woken_by_a_write_from_another_thread() {
    let lp = Loop::with_park(Reactor::new().unwrap());
    let (mut a, b) = UnixStream::pair().unwrap();
    b.set_nonblocking(true).unwrap();
    let writer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        a.write_all(b"ping").unwrap();
        a
    });
    let start = cpu_time();
    let got = lp.run_task(async {
        let reactor: Rc<Reactor> = Loop::current().park::<Reactor>().unwrap();
        // SAFETY: `b` outlives `reg`, dropped at the end of this task.
        let reg = unsafe { Reactor::register(&reactor, b.as_fd()) }.unwrap();
        let mut buf = [0u8; 16];
        for _ in 0..1000 {
            match (&b).read(&mut buf) {
                Ok(n) => return buf[..n].to_vec(),
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    reg.clear_ready(Direction::Read);
                    poll_fn(|cx| reg.poll_ready(Direction::Read, cx)).await;
                }
                Err(e) => panic!("read failed: {e}"),
            }
        }
        panic!("no data after 1000 wake-ups");
    });
    assert_eq!(got, b"ping");
    let cpu = cpu_time() - start;
    assert!(
        cpu < Duration::from_millis(50),
        "waiting cost {cpu:?} of CPU"
    );
    writer.join().unwrap();
}

#[test]
fn remote_wake_ends_an_unbounded_park() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    use std::task::{Poll, Waker};

    let lp = Loop::with_park(Reactor::new().unwrap());
    let slot: Arc<Mutex<Option<Waker>>> = Arc::default();
    let done = Arc::new(AtomicBool::new(false));
    let (slot2, done2) = (slot.clone(), done.clone());
    let remote = std::thread::spawn(move || {
        for _ in 0..10_000 {
            if let Some(waker) = slot2.lock().unwrap().take() {
                done2.store(true, Ordering::SeqCst);
                waker.wake();
                return;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        panic!("the loop never stored its waker");
    });
    lp.run_task(poll_fn(|cx| {
        if done.load(Ordering::SeqCst) {
            Poll::Ready(())
        } else {
            *slot.lock().unwrap() = Some(cx.waker().clone());
            Poll::Pending
        }
    }));
    remote.join().unwrap();
}

/// Runs `body` with the Reactor of a running loop, to drive by hand.
fn with_reactor<R>(body: impl FnOnce(&Reactor) -> R) -> R {
    let lp = Loop::with_park(Reactor::new().unwrap());
    lp.run_task(async { body(&Loop::current().park::<Reactor>().unwrap()) })
}

/// Registers `fd` with the running loop's Reactor.
///
/// # Safety
///
/// `fd` stays open until the registration is dropped.
unsafe fn register(fd: std::os::fd::BorrowedFd<'_>) -> loop_net::Registration {
    let reactor: Rc<Reactor> = Loop::current().park::<Reactor>().unwrap();
    // SAFETY: passed on from our caller.
    unsafe { Reactor::register(&reactor, fd) }.unwrap()
}

#[test]
fn reregistering_a_reused_fd_number_reports_only_its_current_readiness() {
    let (mut a, b) = UnixStream::pair().unwrap();
    with_reactor(|reactor| {
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);

        // SAFETY: `b` outlives both registrations.
        let first = unsafe { register(b.as_fd()) };
        reactor.park(Some(Duration::ZERO));
        assert!(first.poll_ready(Direction::Read, &mut cx).is_pending());
        drop(first);

        // SAFETY: as above.
        let second = unsafe { register(b.as_fd()) };
        reactor.park(Some(Duration::ZERO));
        assert!(second.poll_ready(Direction::Read, &mut cx).is_pending());
        assert!(second.poll_ready(Direction::Write, &mut cx).is_ready());
        a.write_all(b"x").unwrap();
        reactor.park(Some(Duration::from_secs(10)));
        assert!(second.poll_ready(Direction::Read, &mut cx).is_ready());
    });
}

#[test]
fn a_task_polling_the_same_direction_again_and_again_is_woken_once() {
    let (mut a, b) = UnixStream::pair().unwrap();
    with_reactor(|reactor| {
        // SAFETY: `b` outlives `reg`.
        let reg = unsafe { register(b.as_fd()) };
        reactor.park(Some(Duration::ZERO)); // the registration's first events
        let counter = Arc::new(CountingWaker::default());
        let waker = Waker::from(counter.clone());
        for _ in 0..100 {
            // A fresh clone each time, as a task's context gives: same task.
            let clone = waker.clone();
            let mut cx = Context::from_waker(&clone);
            assert!(reg.poll_ready(Direction::Read, &mut cx).is_pending());
        }
        a.write_all(b"x").unwrap();
        reactor.park(Some(Duration::from_secs(10)));
        assert_eq!(counter.wakes(), 1, "one waiting task, one wake");
        assert!(
            reg.poll_ready(Direction::Read, &mut Context::from_waker(&waker))
                .is_ready()
        );
    });
}

#[test]
fn every_task_waiting_in_one_direction_is_woken() {
    let (mut a, b) = UnixStream::pair().unwrap();
    with_reactor(|reactor| {
        // SAFETY: `b` outlives `reg`.
        let reg = unsafe { register(b.as_fd()) };
        reactor.park(Some(Duration::ZERO));
        let counters: Vec<Arc<CountingWaker>> = (0..10).map(|_| Arc::default()).collect();
        for _ in 0..3 {
            for counter in &counters {
                let waker = Waker::from(counter.clone());
                let mut cx = Context::from_waker(&waker);
                assert!(reg.poll_ready(Direction::Read, &mut cx).is_pending());
            }
        }
        a.write_all(b"x").unwrap();
        reactor.park(Some(Duration::from_secs(10)));
        let wakes: Vec<usize> = counters.iter().map(|c| c.wakes()).collect();
        assert_eq!(wakes, [1; 10]);
    });
}

#[test]
fn registering_with_a_reactor_that_is_not_the_running_loop_s_is_an_error_naming_the_fix() {
    let (_a, b) = UnixStream::pair().unwrap();
    let stray = Rc::new(Reactor::new().unwrap());
    // SAFETY: `b` outlives any registration (there is none).
    let outside = unsafe { Reactor::register(&stray, b.as_fd()) }.unwrap_err();
    assert!(
        outside
            .to_string()
            .contains("register from a task of the loop"),
        "{outside}"
    );
    let inside = with_reactor(|_| {
        // SAFETY: as above.
        unsafe { Reactor::register(&stray, b.as_fd()) }.unwrap_err()
    });
    assert!(
        inside.to_string().contains("Loop::with_park(reactor)"),
        "{inside}"
    );
}

#[test]
fn a_timed_park_without_events_never_ends_before_its_timeout() {
    let reactor = Reactor::new().unwrap();
    for micros in [1, 100, 1_500, 5_000] {
        let timeout = Duration::from_micros(micros);
        let start = Instant::now();
        reactor.park(Some(timeout));
        let waited = start.elapsed();
        assert!(
            waited >= timeout,
            "park({timeout:?}) returned after {waited:?}"
        );
    }
}

#[test]
fn a_zero_timeout_park_looks_without_blocking() {
    let reactor = Reactor::new().unwrap();
    let start = Instant::now();
    for _ in 0..100 {
        reactor.park(Some(Duration::ZERO));
    }
    // 100 non-blocking epoll_waits; a blocking one would take forever.
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn sleeps_on_a_reactor_loop_never_fire_early_and_fire_promptly() {
    let lp = Loop::with_park(Reactor::new().unwrap());
    let mut lateness = lp.run_task(async {
        let mut lateness = Vec::new();
        for i in 0..200u64 {
            let deadline = Instant::now() + Duration::from_micros(50 + (i % 20) * 100);
            loop_time::sleep_until(deadline).await;
            let now = Instant::now();
            assert!(now >= deadline, "a sleep fired {:?} early", deadline - now);
            lateness.push(now - deadline);
        }
        lateness
    });
    lateness.sort();
    let pct = |p: usize| lateness[(lateness.len() - 1) * p / 100];
    println!(
        "sleep lateness on the Reactor over {} sleeps of 50 µs..2 ms: \
         min {:?}, median {:?}, p90 {:?}, p99 {:?}, max {:?}",
        lateness.len(),
        lateness[0],
        pct(50),
        pct(90),
        pct(99),
        lateness[lateness.len() - 1],
    );
}

#[test]
fn waiting_on_a_timer_costs_little_cpu() {
    let lp = Loop::with_park(Reactor::new().unwrap());
    let start = cpu_time();
    lp.run_task(loop_time::sleep(Duration::from_millis(300)));
    let cpu = cpu_time() - start;
    assert!(
        cpu < Duration::from_millis(30),
        "a 300 ms sleep cost {cpu:?} of CPU"
    );
}

/// A foreign waker that panics when woken (after counting the wake).
#[derive(Default)]
struct PanickingWaker(AtomicUsize);

impl Wake for PanickingWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
        panic!("a foreign waker panicked (as this test wants)");
    }
}

/// Polls `read` once by hand with `waker`, which the socket then stores as
/// its waiter; returns whether it was pending.
fn poll_once_with<F: std::future::Future>(read: F, waker: &Waker) -> bool {
    let mut read = std::pin::pin!(read);
    read.as_mut()
        .poll(&mut Context::from_waker(waker))
        .is_pending()
}

#[test]
fn a_panicking_waker_does_not_stop_the_rest_of_the_epoll_batch() {
    let lp = util::reactor_loop();
    let panicking = Arc::new(PanickingWaker::default());
    let (first, second) = lp.run_task(async {
        // Registered in this order, so epoll reports them in this order.
        let (a1, b1) = loop_net::UnixStream::pair().unwrap();
        let (a2, b2) = loop_net::UnixStream::pair().unwrap();
        let mut buf1 = [0; 8];
        let waker = Waker::from(panicking.clone());
        assert!(poll_once_with(b1.read(&mut buf1), &waker));
        // Both become readable before the loop next looks at epoll.
        a1.write(b"one").await.unwrap();
        a2.write(b"two").await.unwrap();
        let mut buf2 = [0; 8];
        let n = util::within(10, "the second socket's read", b2.read(&mut buf2))
            .await
            .unwrap();
        let second = buf2[..n].to_vec();
        // The first socket's readiness was recorded though its waker panicked.
        let n = util::within(10, "the first socket's read", b1.read(&mut buf1))
            .await
            .unwrap();
        (buf1[..n].to_vec(), second)
    });
    assert_eq!(
        panicking.0.load(Ordering::SeqCst),
        1,
        "the panicking waker ran once"
    );
    assert_eq!((&first[..], &second[..]), (&b"one"[..], &b"two"[..]));
}

#[test]
fn a_panicking_waker_does_not_stop_the_wakers_after_it_on_the_same_socket() {
    let lp = util::reactor_loop();
    let panicking = Arc::new(PanickingWaker::default());
    let got = lp.run_task(async {
        let (a, b) = loop_net::UnixStream::pair().unwrap();
        let mut buf = [0; 8];
        let waker = Waker::from(panicking.clone());
        assert!(poll_once_with(b.read(&mut buf), &waker));
        let writer = loop_core::spawn(async move {
            a.write(b"hello").await.unwrap();
            a
        });
        // This task waits on the same direction, after the panicking waker.
        let n = util::within(10, "the read after a panicking waker", b.read(&mut buf))
            .await
            .unwrap();
        drop(writer.await.unwrap());
        buf[..n].to_vec()
    });
    assert_eq!(
        panicking.0.load(Ordering::SeqCst),
        1,
        "the panicking waker ran once"
    );
    assert_eq!(got, b"hello");
}
