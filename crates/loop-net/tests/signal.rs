//! Signals: delivery, fan-out, bursts, several loops, bad numbers. Each test
//! uses its own signal, since tests run in parallel in one process.

mod util;

use std::time::Duration;

use futures_util::StreamExt;
use loop_core::spawn;
use loop_net::signal::{SignalKind, ctrl_c, signal};
use util::{reactor_loop, thread_cpu_time, within};

fn raise(signum: i32) {
    // SAFETY: every test raises only signals it listens for.
    assert_eq!(unsafe { libc::raise(signum) }, 0);
}

fn rt(n: i32) -> i32 {
    libc::SIGRTMIN() + n
}

#[test]
fn a_raised_sigusr1_is_delivered() {
    let lp = reactor_loop();
    lp.run_task(async {
        let mut usr1 = signal(SignalKind::user_defined1()).unwrap();
        assert_eq!(usr1.kind(), SignalKind::user_defined1());
        raise(libc::SIGUSR1);
        assert_eq!(within(30, "SIGUSR1", usr1.recv()).await, Some(()));
    });
}

#[test]
fn a_signal_sent_before_the_listener_is_polled_is_not_lost() {
    let mut listener = signal(rt(1)).unwrap();
    raise(rt(1)); // no task has polled the listener yet
    let lp = reactor_loop();
    lp.run_task(async move {
        within(30, "the early signal", listener.recv()).await;
    });
}

#[test]
fn every_listener_gets_each_delivery() {
    let lp = reactor_loop();
    lp.run_task(async {
        let mut a = signal(rt(2)).unwrap();
        let mut b = signal(rt(2)).unwrap();
        raise(rt(2));
        within(30, "a", a.recv()).await;
        within(30, "b", b.recv()).await;
        // A second delivery reaches both again.
        let waiting = spawn(async move { b.recv().await });
        raise(rt(2));
        within(30, "a again", a.recv()).await;
        within(30, "b again", waiting).await.unwrap();
    });
}

#[test]
fn a_signal_sent_from_another_thread_wakes_a_parked_listener() {
    let lp = reactor_loop();
    lp.run_task(async {
        let mut listener = signal(rt(3)).unwrap();
        let waiting = spawn(async move { listener.next().await });
        loop_core::interrupt().await; // the listener is parked
        std::thread::spawn(|| raise(rt(3))).join().unwrap();
        assert_eq!(within(30, "cross-thread", waiting).await.unwrap(), Some(()));
    });
}

#[test]
fn listeners_on_several_loops_each_get_the_signal() {
    let ready = std::sync::Arc::new(std::sync::Barrier::new(3));
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let ready = ready.clone();
            std::thread::spawn(move || {
                let mut listener = signal(rt(4)).unwrap();
                ready.wait();
                reactor_loop().run_task(async move {
                    within(30, "per loop", listener.recv()).await;
                });
            })
        })
        .collect();
    ready.wait();
    raise(rt(4));
    for thread in threads {
        thread.join().unwrap();
    }
}

#[test]
fn ten_thousand_signals_in_a_burst_wake_the_listener_and_nothing_spins() {
    let lp = reactor_loop();
    lp.run_task(async {
        let mut listener = signal(rt(5)).unwrap();
        for _ in 0..10_000 {
            raise(rt(5));
        }
        within(30, "the burst", listener.recv()).await;
        // Later deliveries of the burst may still come (coalesced into a
        // few); then the listener waits without burning CPU.
        let mut wakes = 1;
        let before = thread_cpu_time();
        while loop_time::timeout(Duration::from_millis(300), listener.recv())
            .await
            .is_ok()
        {
            wakes += 1;
        }
        let cpu = thread_cpu_time() - before;
        assert!((1..=10_000).contains(&wakes), "{wakes}");
        assert!(
            cpu < Duration::from_millis(100),
            "{cpu:?} of CPU while idle"
        );
    });
}

#[test]
fn uncatchable_and_invalid_signals_are_invalid_input() {
    for bad in [libc::SIGKILL, libc::SIGSTOP, libc::SIGSEGV, 0, -1, 65, 1000] {
        let err = signal(bad).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{bad}");
        assert!(err.to_string().contains("cannot be listened for"), "{err}");
        assert!(err.to_string().contains(&format!("signal {bad}")), "{err}");
    }
    let err = signal(SignalKind::from_raw(libc::SIGKILL)).unwrap_err();
    assert!(err.to_string().contains("never be caught"), "{err}");
}

#[test]
fn ctrl_c_resolves_on_sigint() {
    let lp = reactor_loop();
    lp.run_task(async {
        let waiting = ctrl_c(); // listening from here, before any poll
        raise(libc::SIGINT);
        within(30, "ctrl_c", waiting).await.unwrap();
    });
}

#[test]
fn a_dropped_listener_stops_counting_and_others_go_on() {
    let lp = reactor_loop();
    lp.run_task(async {
        let dropped = signal(rt(6)).unwrap();
        let mut kept = signal(rt(6)).unwrap();
        drop(dropped);
        raise(rt(6));
        within(30, "kept", kept.recv()).await;
    });
}
