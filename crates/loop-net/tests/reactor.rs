//! The Reactor as a loop's park: readiness, remote unparks, no busy waiting.

use std::future::poll_fn;
use std::io::{ErrorKind, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::rc::Rc;
use std::time::Duration;

use loop_core::Loop;
use loop_net::{Direction, Reactor};

fn cpu_time() -> Duration {
    // SAFETY: getrusage fills the zeroed struct it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        assert_eq!(libc::getrusage(libc::RUSAGE_THREAD, &mut usage), 0);
        usage
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

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
        let reg = Reactor::register(&reactor, b.as_raw_fd()).unwrap();
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

#[test]
fn reregistering_a_reused_fd_number_reports_only_its_current_readiness() {
    use loop_core::Park;

    let reactor = Rc::new(Reactor::new().unwrap());
    let (mut a, b) = UnixStream::pair().unwrap();
    let fd = b.as_raw_fd();
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);

    let first = Reactor::register(&reactor, fd).unwrap();
    reactor.park(Some(Duration::ZERO));
    assert!(first.poll_ready(Direction::Read, &mut cx).is_pending());
    drop(first);

    let second = Reactor::register(&reactor, fd).unwrap();
    reactor.park(Some(Duration::ZERO));
    assert!(second.poll_ready(Direction::Read, &mut cx).is_pending());
    assert!(second.poll_ready(Direction::Write, &mut cx).is_ready());
    a.write_all(b"x").unwrap();
    reactor.park(Some(Duration::from_secs(10)));
    assert!(second.poll_ready(Direction::Read, &mut cx).is_ready());
}
