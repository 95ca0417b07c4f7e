//! Seeing inside the loop (issue 15): task ids, names and spawn sites, the
//! always-on counters, dumps (from the loop's thread and from another one,
//! stuck loop included), slow polls and the leak report.

use std::cell::RefCell;
use std::future::{Future, pending, poll_fn};
use std::panic::Location;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};
use std::thread;
use std::time::Duration;

use loop_core::{
    JoinSet, Loop, LoopStats, Park, SnapshotError, TaskId, TaskState, ThreadParker, interrupt,
    spawn, task_id,
};

/// A future that ends once `open` is called from anywhere.
#[derive(Clone, Default)]
struct Gate(Arc<(AtomicBool, Mutex<Option<Waker>>)>);

impl Gate {
    fn open(&self) {
        self.0.0.store(true, Ordering::SeqCst);
        if let Some(waker) = self.0.1.lock().unwrap().take() {
            waker.wake();
        }
    }

    fn wait(&self) -> impl Future<Output = ()> + Send + 'static {
        let gate = self.clone();
        poll_fn(move |cx| {
            *gate.0.1.lock().unwrap() = Some(cx.waker().clone());
            if gate.0.0.load(Ordering::SeqCst) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
    }
}

/// The counters that do not depend on the clock.
fn counts(s: &LoopStats) -> [u64; 12] {
    [
        s.tasks_alive as u64,
        s.tasks_spawned,
        s.tasks_returned,
        s.tasks_panicked,
        s.tasks_cancelled,
        s.polls,
        s.slow_polls,
        s.queue_depth as u64,
        s.max_queue_depth as u64,
        s.remote_wakes,
        s.remote_spawns,
        s.parks,
    ]
}

#[test]
fn a_hundred_tasks_of_ten_yields_make_exactly_eleven_hundred_polls() {
    let lp = Loop::builder().slow_poll(None).build();
    for _ in 0..100 {
        drop(lp.add_task(async {
            for _ in 0..10 {
                interrupt().await;
            }
        }));
    }
    lp.run();
    let stats = lp.stats();
    // alive, spawned, returned, panicked, cancelled, polls, slow, depth,
    // max depth, remote wakes, remote spawns, parks
    assert_eq!(
        counts(&stats),
        [0, 100, 100, 0, 0, 1100, 0, 0, 100, 0, 0, 0]
    );
}

#[test]
fn panics_and_aborts_are_counted_apart_from_returns() {
    let lp = Loop::builder().slow_poll(None).build();
    let returns = lp.add_task(async {});
    let panics = lp.add_task(async { panic!("counted") });
    let aborted = lp.add_task(pending::<()>());
    aborted.abort();
    let waiting = lp.add_task(pending::<()>());
    lp.run_task(async {
        assert!(returns.await.is_ok());
        assert!(panics.await.unwrap_err().is_panic());
        assert!(aborted.await.unwrap_err().is_cancelled());
    });
    let stats = lp.stats();
    assert_eq!(
        (
            stats.tasks_returned,
            stats.tasks_panicked,
            stats.tasks_cancelled
        ),
        (1, 1, 1)
    );
    assert_eq!(
        (stats.tasks_alive, stats.tasks_spawned, stats.polls),
        (1, 4, 4)
    );
    drop(waiting);
}

/// A park that tells the test each time the loop is about to block.
struct TellingPark {
    inner: ThreadParker,
    parking: mpsc::Sender<()>,
}

impl Park for TellingPark {
    fn park(&self, timeout: Option<Duration>) {
        if timeout != Some(Duration::ZERO) {
            let _ = self.parking.send(());
        }
        self.inner.park(timeout);
    }

    fn unparker(&self) -> Waker {
        self.inner.unparker()
    }
}

#[test]
fn a_wake_from_another_thread_is_one_remote_wake_after_one_park() {
    let (parking, parked) = mpsc::channel();
    let lp = Loop::builder()
        .slow_poll(None)
        .build_with_park(TellingPark {
            inner: ThreadParker::new(),
            parking,
        });
    let gate = Gate::default();
    drop(lp.add_task(gate.wait()));
    let opener = thread::spawn(move || {
        // The loop has polled the task, has nothing to do, and parks.
        parked.recv().unwrap();
        gate.open();
    });
    lp.run();
    opener.join().unwrap();
    let stats = lp.stats();
    // alive, spawned, returned, panicked, cancelled, polls, slow, depth,
    // max depth, remote wakes, remote spawns, parks
    assert_eq!(counts(&stats), [0, 1, 1, 0, 0, 2, 0, 0, 1, 1, 0, 1]);
    assert!(stats.time_parked > Duration::ZERO);
}

#[test]
fn tasks_added_through_a_spawner_are_remote_spawns() {
    let lp = Loop::builder().slow_poll(None).build();
    let spawner = lp.spawner();
    let handles = thread::spawn(move || (spawner.add_task(async {}), spawner.add_task(async {})))
        .join()
        .unwrap();
    lp.run();
    drop(handles);
    let stats = lp.stats();
    assert_eq!(
        (
            stats.remote_spawns,
            stats.tasks_spawned,
            stats.remote_wakes,
            stats.polls
        ),
        (2, 2, 0, 2)
    );
}

#[test]
fn a_task_knows_its_own_id_and_its_handle_knows_it_too() {
    let lp = Loop::new();
    let a = lp.add_task(async { task_id() });
    let b = lp.add_task(async { task_id() });
    let (a_id, b_id) = (a.id(), b.id());
    assert_ne!(a_id, b_id);
    let (a_seen, b_seen, main_seen) =
        lp.run_task(async { (a.await.unwrap(), b.await.unwrap(), task_id()) });
    assert_eq!((a_seen, b_seen, main_seen), (Some(a_id), Some(b_id), None));
    assert_eq!(task_id(), None, "outside the loop");
}

/// The file and line of a `Location`, to compare with `file!()`/`line!()`.
fn at(site: &Location<'_>) -> (String, u32) {
    (site.file().to_string(), site.line())
}

#[test]
fn spawn_sites_point_at_the_callers_line_through_every_way_to_spawn() {
    let lp = Loop::new();
    let spawner = lp.spawner();
    let mut expected: Vec<(TaskId, u32)> = Vec::new();
    let (h, line) = (lp.add_task(pending::<()>()), line!());
    expected.push((h.id(), line));
    let (h2, line) = (lp.add_task_named("named", pending::<()>()), line!());
    expected.push((h2.id(), line));
    let (h3, line) = (lp.handle().add_task(pending::<()>()), line!());
    expected.push((h3.id(), line));
    let (h4, line) = (spawner.add_task(pending::<()>()), line!());
    expected.push((h4.id(), line));
    let (h5, line) = (spawner.add_task_with(pending::<()>), line!());
    expected.push((h5.id(), line));
    let inside = lp.run_task(async {
        let mut inside = Vec::new();
        let (h, line) = (spawn(pending::<()>()), line!());
        inside.push((h.id(), line, Some(h)));
        let mut set = JoinSet::new();
        let line = line!() + 1;
        set.spawn(pending::<()>());
        inside.push((Loop::current().dump().last().unwrap().id, line, None));
        let line = line!() + 1;
        set.spawn_on(&Loop::current(), pending::<()>());
        inside.push((Loop::current().dump().last().unwrap().id, line, None));
        set.detach_all();
        inside
    });
    for (id, line, _) in &inside {
        expected.push((*id, *line));
    }
    let dump = lp.dump();
    assert_eq!(dump.len(), expected.len());
    for (id, line) in expected {
        let info = dump
            .iter()
            .find(|t| t.id == id)
            .expect("every task is in the dump");
        assert_eq!(
            at(info.spawn_site),
            (file!().to_string(), line),
            "task {id}"
        );
    }
    drop((h, h2, h3, h4, h5));
}

#[test]
fn a_dump_lists_names_and_states_of_the_live_tasks() {
    let lp = Loop::builder().slow_poll(None).build();
    let waiting = lp.add_task_named("waiter", pending::<()>());
    lp.run_task(async {});
    let queued = lp.add_task(pending::<()>());
    let dump = lp.dump();
    let states: Vec<_> = dump
        .iter()
        .map(|t| (t.id, t.name.clone(), t.state))
        .collect();
    assert_eq!(
        states,
        [
            (
                waiting.id(),
                Some("waiter".to_string()),
                TaskState::Waiting { for_: None }
            ),
            (queued.id(), None, TaskState::Queued),
        ]
    );
    assert_eq!(dump[0].polls, None, "timings are recorded only when asked");
    let table = dump.to_string();
    assert!(table.lines().nth(1).unwrap().contains("waiter"), "{table}");
    assert_eq!(
        table.lines().count(),
        3,
        "a header and one row per task:\n{table}"
    );
}

#[test]
fn a_loop_that_times_polls_records_each_tasks_polls() {
    let lp = Loop::builder().slow_poll(None).time_polls(true).build();
    let handle = lp.add_task(async {
        for _ in 0..3 {
            interrupt().await;
        }
        pending::<()>().await;
    });
    lp.run_task(async {
        for _ in 0..5 {
            interrupt().await;
        }
    });
    let info = lp.dump().into_vec().remove(0);
    assert_eq!(info.id, handle.id());
    assert_eq!(info.polls, Some(4));
    assert!(matches!(info.state, TaskState::Waiting { for_: Some(_) }));
    let (busy, longest, age) = (
        info.busy.unwrap(),
        info.longest_poll.unwrap(),
        info.age.unwrap(),
    );
    assert!(
        longest <= busy && busy <= age,
        "{longest:?} {busy:?} {age:?}"
    );
}

#[test]
fn a_snapshot_from_another_thread_names_the_task_stuck_in_a_blocking_poll() {
    let (to_watchdog, from_loop) = mpsc::channel();
    let (started_tx, started) = mpsc::channel();
    let poll_ended = Arc::new(AtomicBool::new(false));
    let ended = poll_ended.clone();
    let gate = Gate::default();
    let keep_running = gate.wait();
    let loop_thread = thread::spawn(move || {
        let lp = Loop::builder().slow_poll(None).build();
        let line = line!() + 1;
        let stuck = lp.add_task_named("stuck", async move {
            started_tx.send(()).unwrap();
            thread::sleep(Duration::from_millis(200)); // the blocking call under test
            ended.store(true, Ordering::SeqCst);
        });
        let keeper = lp.add_task(keep_running);
        to_watchdog.send((lp.spawner(), stuck.id(), line)).unwrap();
        lp.run();
        drop((stuck, keeper));
    });
    let (spawner, stuck_id, line) = from_loop.recv().unwrap();
    started.recv().unwrap();
    let answer = spawner.snapshot(Duration::from_millis(50));
    assert!(
        !poll_ended.load(Ordering::SeqCst),
        "the snapshot returned while the poll still blocked"
    );
    let Err(SnapshotError::Stuck(stuck)) = answer else {
        panic!("expected the stuck task, got {answer:?}");
    };
    assert_eq!(stuck.id, stuck_id);
    assert_eq!(at(stuck.spawn_site), (file!().to_string(), line));
    assert!(stuck.running_for >= Duration::from_millis(50), "{stuck}");
    // Once the poll is over the loop answers, between two polls.
    let snapshot = spawner.snapshot(Duration::from_secs(30)).unwrap();
    assert!(poll_ended.load(Ordering::SeqCst));
    assert_eq!(snapshot.tasks.len(), 1, "only the keeper is left");
    assert_eq!(snapshot.stats.tasks_returned, 1);
    gate.open();
    loop_thread.join().unwrap();
    assert_eq!(
        spawner.snapshot(Duration::from_secs(1)),
        Err(SnapshotError::Closed)
    );
}

#[test]
fn a_slow_poll_is_reported_once_with_its_task_name_and_site() {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let log = seen.clone();
    let lp = Loop::builder()
        .slow_poll(Some(Duration::from_millis(20)))
        .on_slow_poll(move |slow| {
            log.borrow_mut().push((
                slow.id,
                slow.name.map(String::from),
                at(slow.spawn_site),
                slow.duration,
            ))
        })
        .build();
    let line = line!() + 1;
    let handle = lp.add_task_named("sleepy", async {
        thread::sleep(Duration::from_millis(40)); // a blocking call: slow
        interrupt().await;
        interrupt().await;
        thread::sleep(Duration::from_millis(40)); // and again
    });
    let id = handle.id();
    lp.run_task(handle).unwrap();
    let seen = seen.borrow();
    assert_eq!(seen.len(), 2, "two slow polls of four");
    for (slow_id, name, site, duration) in seen.iter() {
        assert_eq!(*slow_id, id);
        assert_eq!(name.as_deref(), Some("sleepy"));
        assert_eq!(*site, (file!().to_string(), line));
        assert!(*duration >= Duration::from_millis(40));
    }
    assert_eq!((lp.stats().slow_polls, lp.stats().polls), (2, 3));
}

#[test]
fn the_leak_report_lists_exactly_the_pending_tasks() {
    let report = Rc::new(RefCell::new(None));
    let out = report.clone();
    let lp = Loop::builder()
        .slow_poll(None)
        .on_leaks(move |tasks| {
            *out.borrow_mut() = Some(
                tasks
                    .iter()
                    .map(|t| (t.id, t.name.clone(), at(t.spawn_site)))
                    .collect::<Vec<_>>(),
            )
        })
        .build();
    let done = lp.add_task(async {});
    let (forgotten, line_a) = (lp.add_task_named("forgotten", pending::<()>()), line!());
    let (parked, line_b) = (lp.add_task(async { interrupt().await }), line!());
    lp.run_task(async {});
    let (remote, line_c) = (lp.spawner().add_task(pending::<()>()), line!());
    let here = |line| (file!().to_string(), line);
    let expected = vec![
        (forgotten.id(), Some("forgotten".to_string()), here(line_a)),
        (parked.id(), None, here(line_b)),
        (remote.id(), None, here(line_c)),
    ];
    assert!(done.is_finished());
    drop(lp);
    let mut listed = report.borrow_mut().take().expect("the report was made");
    listed.sort_by_key(|t| t.0);
    assert_eq!(listed, expected);
}

#[test]
fn a_loop_without_pending_tasks_makes_no_leak_report() {
    let called = Rc::new(RefCell::new(false));
    let flag = called.clone();
    let lp = Loop::builder()
        .on_leaks(move |_| *flag.borrow_mut() = true)
        .build();
    lp.run_task(lp.add_task(async {})).unwrap();
    drop(lp);
    assert!(!*called.borrow());
}

#[test]
fn the_future_given_to_run_task_is_not_counted_as_a_task_poll() {
    let lp = Loop::builder().slow_poll(None).build();
    lp.run_task(async {
        for _ in 0..3 {
            interrupt().await;
        }
    });
    assert_eq!(lp.stats().polls, 0);
}

#[test]
fn a_loop_that_is_not_running_gives_no_answer_and_names_no_task() {
    let lp = Loop::builder().slow_poll(None).build();
    drop(lp.add_task(async { interrupt().await }));
    lp.run();
    let spawner = lp.spawner();
    let answer = thread::spawn(move || spawner.snapshot(Duration::from_millis(20)))
        .join()
        .unwrap();
    assert_eq!(answer, Err(SnapshotError::NoAnswer));
}

#[test]
fn two_watchdogs_asking_at_once_both_get_a_snapshot() {
    let lp = Loop::builder().slow_poll(None).build();
    let askers: Vec<_> = (0..2)
        .map(|_| {
            let spawner = lp.spawner();
            thread::spawn(move || spawner.snapshot(Duration::from_secs(30)))
        })
        .collect();
    let gate = Gate::default();
    let opener = gate.clone();
    let keeper = lp.add_task(gate.wait());
    let answers = lp.run_task(async move {
        let waiting = thread::spawn(move || {
            let answers: Vec<_> = askers.into_iter().map(|a| a.join().unwrap()).collect();
            opener.open();
            answers
        });
        keeper.await.unwrap();
        waiting.join().unwrap()
    });
    for answer in answers {
        assert_eq!(answer.unwrap().stats.tasks_spawned, 1);
    }
}
