//! Misuse panics with a message that mentions the loop and names the fix.

use loop_core::{Loop, spawn};
use test_support::panic_message;

#[test]
fn current_outside_a_loop_panics_and_names_the_fix() {
    let msg = panic_message(|| {
        Loop::current();
    });
    assert!(msg.contains("outside a running loop"), "{msg}");
    assert!(msg.contains("Loop::try_current()"), "{msg}");
}

#[test]
fn current_with_an_idle_loop_on_the_thread_still_panics() {
    let _lp = Loop::new();
    let msg = panic_message(|| {
        Loop::current();
    });
    assert!(msg.contains("outside a running loop"), "{msg}");
}

#[test]
fn spawn_outside_a_loop_panics_and_names_the_fix() {
    let msg = panic_message(|| drop(spawn(async {})));
    assert!(msg.contains("Loop::try_current()"), "{msg}");
}

#[test]
fn running_another_loop_inside_a_running_loop_panics() {
    let lp = Loop::new();
    let msg = lp.run_task(async {
        let inner = Loop::new();
        panic_message(|| inner.run_task(async {}))
    });
    assert!(msg.contains("inside a running loop"), "{msg}");
    assert!(msg.contains(".await"), "{msg}");
    assert_eq!(lp.run_task(async { 1 }), 1, "the outer loop is unharmed");
}

#[test]
fn running_the_same_loop_from_its_own_task_panics() {
    let lp = std::rc::Rc::new(Loop::new());
    let inner = lp.clone();
    let task = lp.add_task(async move { panic_message(|| inner.run()) });
    let msg = lp.run_task(task).unwrap();
    assert!(msg.contains("inside a running loop"), "{msg}");
}

#[test]
fn spawn_blocking_outside_a_loop_panics_and_names_the_fix() {
    let msg = panic_message(|| drop(loop_core::spawn_blocking(|| ())));
    assert!(msg.contains("Loop::try_current()"), "{msg}");
}

#[test]
fn a_blocking_pool_cap_of_zero_panics_and_names_the_fix() {
    let msg = panic_message(|| loop_core::blocking::set_max_threads(0));
    assert!(msg.contains("set_max_threads(0)"), "{msg}");
    assert!(msg.contains("at least 1"), "{msg}");
}
