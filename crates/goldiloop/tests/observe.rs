//! Seeing inside the loop through the facade: spawn sites name the user's
//! line through the facade's wrappers, and the Reactor and timers feed the
//! loop's counters.

// Timers and sockets exist only with these features (`.ci/run` also tests
// the facade with `--no-default-features`).
#![cfg(all(feature = "time", feature = "net"))]

use std::future::pending;
use std::time::Duration;

use goldiloop::{JoinSet, Loop, spawn, task};

#[test]
fn spawn_sites_through_the_facade_name_the_users_line() {
    let lp = Loop::new();
    let (a, line_a) = (lp.add_task(pending::<()>()), line!());
    let (b, line_b) = (lp.add_task_named("b", pending::<()>()), line!());
    let (c, line_c) = lp.run_task(async { (spawn(pending::<()>()), line!()) });
    let line_d = lp.run_task(async {
        let mut set = JoinSet::new();
        let line = line!() + 1;
        set.spawn(pending::<()>());
        set.detach_all();
        line
    });
    let dump = lp.dump();
    let sites: Vec<_> = dump
        .iter()
        .map(|t| (t.spawn_site.file(), t.spawn_site.line()))
        .collect();
    let here = file!();
    assert_eq!(
        sites,
        [
            (here, line_a),
            (here, line_b),
            (here, line_c),
            (here, line_d)
        ]
    );
    assert_eq!(
        dump.iter().take(3).map(|t| t.id).collect::<Vec<_>>(),
        [a.id(), b.id(), c.id()]
    );
}

#[test]
fn a_sleep_is_one_timer_armed_and_fired() {
    let lp = Loop::new();
    lp.run_task(async {
        let handle = spawn(async {
            goldiloop::sleep(Duration::from_millis(1)).await;
            task::id()
        });
        let id = handle.id();
        assert_eq!(handle.await.unwrap(), Some(id));
    });
    let stats = lp.stats();
    assert_eq!((stats.timers_armed, stats.timers_fired), (1, 1));
    assert_eq!(stats.parks, 1, "the loop waited once, for the timer");
}

#[test]
fn a_read_that_waits_is_woken_by_a_counted_io_event() {
    let lp = Loop::new();
    lp.run_task(async {
        let (a, b) = goldiloop::net::UnixStream::pair().unwrap();
        let reader = spawn(async move {
            let mut buf = [0; 4];
            a.read(&mut buf).await.unwrap()
        });
        goldiloop::interrupt().await; // the reader waits for readiness
        let before = Loop::current().stats().io_events;
        b.write(b"ping").await.unwrap();
        assert_eq!(reader.await.unwrap(), 4);
        assert!(Loop::current().stats().io_events > before);
    });
}
