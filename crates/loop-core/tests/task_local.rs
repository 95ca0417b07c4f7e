//! `task_local!`: per-task values, unset outside their scope, restored after
//! a panic.

use std::cell::RefCell;
use std::future::poll_fn;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::pin;
use std::rc::Rc;
use std::task::Poll;

use loop_core::{Loop, interrupt, spawn, task_local};
use test_support::panic_message;

task_local! {
    static ID: u32;
    /// A documented key with a non-`Copy` type.
    pub(crate) static NAME: String;
}

#[test]
fn each_task_sees_its_own_value_across_awaits() {
    let trace = Rc::new(RefCell::new(Vec::new()));
    let lp = Loop::new();
    lp.run_task({
        let trace = trace.clone();
        async move {
            let tasks: Vec<_> = (1..=3)
                .map(|id| {
                    let trace = trace.clone();
                    spawn(ID.scope(id, async move {
                        for step in 0..2 {
                            trace.borrow_mut().push((id, step, ID.get()));
                            interrupt().await;
                        }
                    }))
                })
                .collect();
            for task in tasks {
                task.await.unwrap();
            }
        }
    });
    assert_eq!(
        *trace.borrow(),
        [
            (1, 0, 1),
            (2, 0, 2),
            (3, 0, 3),
            (1, 1, 1),
            (2, 1, 2),
            (3, 1, 3)
        ]
    );
}

#[test]
fn a_task_without_a_scope_sees_no_value_while_a_scoped_task_waits() {
    let seen = Loop::new().run_task(async {
        let scoped = spawn(ID.scope(7, async {
            interrupt().await;
            ID.get()
        }));
        let plain = spawn(async { ID.try_with(|id| *id) });
        (scoped.await.unwrap(), plain.await.unwrap())
    });
    assert_eq!(seen.0, 7);
    assert!(seen.1.is_err());
}

#[test]
fn the_value_is_unset_outside_the_scope_and_between_polls() {
    let lp = Loop::new();
    let mut fut = pin!(ID.scope(5, async {
        assert_eq!(ID.get(), 5);
        interrupt().await;
        ID.get()
    }));
    assert!(ID.try_with(|_| ()).is_err(), "before the first poll");
    let out = lp.run_task(async {
        let first = poll_fn(|cx| Poll::Ready(fut.as_mut().poll(cx))).await;
        assert!(first.is_pending());
        assert!(ID.try_with(|_| ()).is_err(), "between polls");
        fut.await
    });
    assert_eq!(out, 5);
    assert!(ID.try_with(|_| ()).is_err(), "after the scope");
}

#[test]
fn with_outside_a_scope_panics_and_names_scope_and_try_with() {
    let msg = panic_message(|| {
        ID.with(|_| ());
    });
    assert!(msg.contains("outside a `scope`"), "{msg}");
    assert!(msg.contains("KEY.scope(value, future)"), "{msg}");
    assert!(msg.contains("try_with"), "{msg}");
    assert!(msg.contains("key `ID`"), "{msg}");
    let msg = panic_message(|| {
        NAME.with(|_| ());
    });
    assert!(msg.contains("key `NAME`"), "{msg}");
}

#[test]
fn nested_scopes_restore_the_outer_value() {
    ID.sync_scope(1, || {
        ID.sync_scope(2, || assert_eq!(ID.get(), 2));
        assert_eq!(ID.get(), 1);
    });
    let out = Loop::new().run_task(ID.scope(1, async {
        let inner = ID
            .scope(2, async {
                interrupt().await;
                ID.get()
            })
            .await;
        (inner, ID.get())
    }));
    assert_eq!(out, (2, 1));
}

#[test]
fn the_outer_value_is_restored_after_a_panic_inside_sync_scope() {
    ID.sync_scope(1, || {
        let caught = catch_unwind(|| ID.sync_scope(2, || panic!("inner")));
        assert!(caught.is_err());
        assert_eq!(ID.get(), 1);
    });
    assert!(ID.try_with(|_| ()).is_err());
}

#[test]
fn the_value_is_restored_after_a_poll_inside_scope_panics() {
    let lp = Loop::new();
    let out = lp.run_task(ID.scope(1, async {
        let mut inner = Box::pin(ID.scope(2, async {
            interrupt().await;
            panic!("second poll");
        }));
        let first = poll_fn(|cx| Poll::Ready(inner.as_mut().poll(cx))).await;
        assert!(first.is_pending());
        let second =
            poll_fn(|cx| Poll::Ready(catch_unwind(AssertUnwindSafe(|| inner.as_mut().poll(cx)))))
                .await;
        assert!(second.is_err(), "the inner poll panicked");
        ID.get()
    }));
    assert_eq!(out, 1);
    assert!(ID.try_with(|_| ()).is_err());
}

#[test]
fn a_task_that_panics_in_its_scope_leaves_the_loop_without_the_value() {
    let lp = Loop::new();
    let err = lp.run_task(async {
        spawn(ID.scope(3, async { panic!("in scope") }))
            .await
            .unwrap_err()
    });
    assert!(err.is_panic());
    assert!(lp.run_task(async { ID.try_with(|_| ()) }).is_err());
}

#[test]
fn the_inner_future_is_dropped_with_the_value_still_set() {
    struct SeesId(Rc<RefCell<Option<u32>>>);
    impl Drop for SeesId {
        fn drop(&mut self) {
            *self.0.borrow_mut() = ID.try_with(|id| *id).ok();
        }
    }
    let seen = Rc::new(RefCell::new(None));
    let probe = SeesId(seen.clone());
    let fut = ID.scope(11, async move {
        let _probe = probe;
        std::future::pending::<()>().await;
    });
    drop(fut);
    assert_eq!(*seen.borrow(), Some(11));
}

#[test]
fn entering_a_scope_inside_with_of_the_same_key_panics_and_names_the_fix() {
    let msg = ID.sync_scope(1, || ID.with(|_| panic_message(|| ID.sync_scope(2, || ()))));
    assert!(msg.contains("inside a `with` closure"), "{msg}");
    assert!(msg.contains("after it returns"), "{msg}");
}

#[test]
fn non_copy_values_are_read_by_reference() {
    let len = NAME.sync_scope("goldiloop".to_string(), || NAME.with(String::len));
    assert_eq!(len, 9);
}
