//! The paused clock: deterministic, instant tests of long timers.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use loop_core::{Loop, interrupt, spawn};
use loop_time::{advance, now, pause, resume, sleep, sleep_until, timeout, timer_count};

type Trace = Rc<RefCell<Vec<String>>>;

/// The talk's `print_messages`, recording instead of printing.
async fn print_messages(trace: Trace, messages: &[&str], sleep_time: f64) {
    for msg in messages {
        trace.borrow_mut().push(msg.to_string());
        sleep(Duration::from_secs_f64(sleep_time)).await;
    }
}

#[test]
fn talk_example_interleaves_foo_aaa_bbb_bar_ccc_baz_and_takes_three_virtual_seconds() {
    let trace = Trace::default();
    let real = Instant::now();
    let virtual_time = Loop::new().run_task(async {
        pause();
        let start = now();
        let a = spawn(print_messages(trace.clone(), &["foo", "bar", "baz"], 1.0));
        let b = spawn(print_messages(trace.clone(), &["aaa", "bbb", "ccc"], 0.7));
        a.await.unwrap();
        b.await.unwrap();
        now() - start
    });
    assert_eq!(*trace.borrow(), ["foo", "aaa", "bbb", "bar", "ccc", "baz"]);
    assert_eq!(virtual_time, Duration::from_secs(3));
    assert!(real.elapsed() < Duration::from_secs(3));
}

#[test]
fn an_hour_long_timeout_elapses_at_once_on_a_paused_clock() {
    let real = Instant::now();
    let (result, waited) = Loop::new().run_task(async {
        pause();
        let start = now();
        let result = timeout(Duration::from_secs(3600), sleep(Duration::from_secs(7200))).await;
        (result, now() - start)
    });
    assert!(result.is_err());
    assert_eq!(waited, Duration::from_secs(3600));
    assert!(real.elapsed() < Duration::from_secs(60));
}

#[test]
fn the_paused_clock_stands_still_until_moved() {
    Loop::new().run_task(async {
        pause();
        let t = now();
        interrupt().await;
        assert_eq!(now(), t);
        advance(Duration::from_millis(1500)).await;
        assert_eq!(now(), t + Duration::from_millis(1500));
    });
}

#[test]
fn advance_fires_due_timers_in_deadline_order_and_lets_them_run() {
    let trace = Trace::default();
    Loop::new().run_task(async {
        pause();
        let start = now();
        for (name, secs) in [("c", 3), ("a", 1), ("d", 9), ("b", 2)] {
            let trace = trace.clone();
            drop(spawn(async move {
                sleep_until(start + Duration::from_secs(secs)).await;
                trace.borrow_mut().push(name.to_string());
            }));
        }
        interrupt().await; // the sleepers register
        advance(Duration::from_secs(3)).await;
        assert_eq!(*trace.borrow(), ["a", "b", "c"]);
        assert_eq!(timer_count(), 1);
        advance(Duration::from_secs(5)).await;
        assert_eq!(*trace.borrow(), ["a", "b", "c"]);
        advance(Duration::from_secs(1)).await;
        assert_eq!(*trace.borrow(), ["a", "b", "c", "d"]);
    });
}

#[test]
fn auto_advance_waits_for_ready_tasks_before_jumping() {
    let trace = Trace::default();
    Loop::new().run_task(async {
        pause();
        let start = now();
        let busy = {
            let trace = trace.clone();
            spawn(async move {
                for i in 0..3 {
                    trace
                        .borrow_mut()
                        .push(format!("busy {i} at {:?}", now() - start));
                    interrupt().await;
                }
            })
        };
        sleep(Duration::from_secs(10)).await;
        trace
            .borrow_mut()
            .push(format!("slept at {:?}", now() - start));
        busy.await.unwrap();
    });
    assert_eq!(
        *trace.borrow(),
        [
            "busy 0 at 0ns",
            "busy 1 at 0ns",
            "busy 2 at 0ns",
            "slept at 10s"
        ]
    );
}

#[test]
fn resume_runs_on_from_the_virtual_time_without_going_back() {
    Loop::new().run_task(async {
        pause();
        advance(Duration::from_secs(100)).await;
        let virtual_now = now();
        assert!(virtual_now > Instant::now() + Duration::from_secs(90));
        resume();
        assert!(now() >= virtual_now);
        let before = now();
        sleep(Duration::from_millis(5)).await; // real time again
        let slept = now() - before;
        assert!(slept >= Duration::from_millis(5));
        assert!(slept < Duration::from_secs(50));
    });
}

#[test]
fn pause_and_resume_twice_change_nothing() {
    Loop::new().run_task(async {
        pause();
        let t = now();
        pause();
        assert_eq!(now(), t);
        resume();
        resume();
        assert!(now() >= t);
    });
}

#[test]
fn each_loop_has_its_own_clock() {
    let paused = Loop::new();
    let t = paused.run_task(async {
        pause();
        advance(Duration::from_secs(1000)).await;
        now()
    });
    let real = Loop::new().run_task(async { now() });
    assert!(real < t);
}

#[test]
fn sleepers_registered_before_the_pause_fire_on_the_virtual_clock() {
    let lp = Loop::new();
    let sleeper = lp.add_task(sleep(Duration::from_secs(30)));
    let real = Instant::now();
    lp.run_task(async {
        interrupt().await; // the sleeper registers on the running clock
        pause();
        sleeper.await.unwrap();
    });
    assert!(real.elapsed() < Duration::from_secs(30));
}
