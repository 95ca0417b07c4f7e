//! Faults found under attack, each pinned by a test that failed before its fix:
//! work queued while the loop was stopped, panicking wakers in the middle of a
//! batch, and wakers that outlive their loop.

use std::cell::Cell;
use std::future::{Future, poll_fn};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use loop_core::{Loop, Park, Source, ThreadParker, interrupt};
use test_support::{DropFlag, PanickingWaker};

/// Sets its flag when dropped.
struct SetOnDrop(Rc<Cell<bool>>);

impl Drop for SetOnDrop {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

/// Adds two tasks that give control back forever, so the run queue never
/// empties and the loop looks outside only every few dozen polls.
fn keep_the_queue_busy(lp: &Loop) {
    for _ in 0..2 {
        let _spinner = lp.add_task(async {
            loop {
                interrupt().await;
            }
        });
    }
}

#[test]
fn an_abort_made_between_two_runs_is_seen_as_soon_as_the_loop_runs_again() {
    let lp = Loop::new();
    let dropped = Rc::new(Cell::new(false));
    let guard = SetOnDrop(dropped.clone());
    let task = lp.add_task(async move {
        let _guard = guard;
        std::future::pending::<()>().await;
    });
    lp.run_task(interrupt());
    assert!(!dropped.get());

    task.abort();
    keep_the_queue_busy(&lp);
    let seen = lp.run_task(async {
        interrupt().await;
        dropped.get()
    });
    assert!(seen, "the aborted task's future was still alive");
    assert!(lp.run_task(task).unwrap_err().is_cancelled());
}

#[test]
fn a_wake_made_between_two_runs_is_seen_as_soon_as_the_loop_runs_again() {
    let lp = Loop::new();
    let waker = Rc::new(Cell::new(None::<Waker>));
    let resumed = Rc::new(Cell::new(false));
    let _task = lp.add_task({
        let (waker, resumed) = (waker.clone(), resumed.clone());
        async move {
            let mut first = true;
            poll_fn(|cx| {
                if std::mem::take(&mut first) {
                    waker.set(Some(cx.waker().clone()));
                    Poll::Pending
                } else {
                    Poll::Ready(())
                }
            })
            .await;
            resumed.set(true);
        }
    });
    lp.run_task(interrupt());
    waker.take().expect("the task stored its waker").wake();

    keep_the_queue_busy(&lp);
    let seen = lp.run_task(async {
        interrupt().await;
        resumed.get()
    });
    assert!(seen, "the woken task had not run");
}

#[test]
fn a_panicking_join_waker_does_not_escape_run_task() {
    let lp = Loop::new();
    let output = lp.run_task(async {
        let mut task = pin!(Loop::current().add_task(async {
            interrupt().await;
            7
        }));
        // Register a foreign, panicking waker as the join waker.
        let panicking = PanickingWaker::waker();
        assert!(
            task.as_mut()
                .poll(&mut Context::from_waker(&panicking))
                .is_pending()
        );
        // The task completes and its completion wakes that waker.
        for _ in 0..3 {
            interrupt().await;
        }
        assert!(task.is_finished());
        task.await.unwrap() + 1
    });
    assert_eq!(output, 8);
}

#[test]
fn a_panicking_join_waker_does_not_stop_the_loop_s_shutdown() {
    let lp = Loop::new();
    let spawner = lp.spawner();
    let dropped = Rc::new(Cell::new(false));
    let guard = SetOnDrop(dropped.clone());
    let first = lp.add_task(std::future::pending::<()>());
    let _second = lp.add_task(async move {
        let _guard = guard;
        std::future::pending::<()>().await;
    });
    let mut first = Box::pin(first);
    let panicking = PanickingWaker::waker();
    assert!(
        first
            .as_mut()
            .poll(&mut Context::from_waker(&panicking))
            .is_pending()
    );

    let dropping = catch_unwind(AssertUnwindSafe(|| drop(lp)));
    assert!(dropping.is_ok(), "the panic escaped `Loop::drop`");
    assert!(dropped.get(), "shutdown stopped before the second task");
    assert!(spawner_sees_a_closed_loop(&spawner));
}

/// A `Spawner` task added to a closed loop is dropped at once, here.
fn spawner_sees_a_closed_loop(spawner: &loop_core::Spawner) -> bool {
    let dropped = DropFlag::new();
    let guard = dropped.guard();
    let handle = spawner.add_task(async move {
        let _guard = guard;
    });
    dropped.is_set() && handle.is_finished()
}

/// A source whose destructor panics.
struct PanicOnDrop;

impl Source for PanicOnDrop {
    fn deadline(&self) -> Option<Instant> {
        None
    }
    fn dispatch(&self, _idle: bool) {}
}

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        panic!("a source's destructor panicked");
    }
}

#[test]
fn a_panicking_source_destructor_does_not_stop_the_loop_s_shutdown() {
    let lp = Loop::new();
    let spawner = lp.spawner();
    lp.run_task(async { Loop::current().source(|| PanicOnDrop).dispatch(false) });
    assert!(catch_unwind(AssertUnwindSafe(|| drop(lp))).is_ok());
    assert!(spawner_sees_a_closed_loop(&spawner));
}

/// A park that counts the unparkers alive, as the Reactor's eventfd would be.
struct CountingPark {
    inner: ThreadParker,
    token: Arc<()>,
}

struct TokenUnparker {
    _token: Arc<()>,
    inner: Waker,
}

impl Wake for TokenUnparker {
    fn wake(self: Arc<Self>) {
        self.inner.wake_by_ref();
    }
}

impl Park for CountingPark {
    fn park(&self, timeout: Option<Duration>) {
        self.inner.park(timeout);
    }
    fn unparker(&self) -> Waker {
        Waker::from(Arc::new(TokenUnparker {
            _token: self.token.clone(),
            inner: self.inner.unparker(),
        }))
    }
}

#[test]
fn a_waker_that_outlives_its_loop_does_not_keep_the_park_alive() {
    let token = Arc::new(());
    let lp = Loop::with_park(CountingPark {
        inner: ThreadParker::new(),
        token: token.clone(),
    });
    let waker = lp.run_task(lp.add_task(poll_fn(|cx| Poll::Ready(cx.waker().clone()))));
    let waker = waker.unwrap();
    drop(lp);
    assert_eq!(
        Arc::strong_count(&token),
        1,
        "the park's unparker is still alive"
    );
    // Waking into a dropped loop does nothing, from any thread.
    waker.wake_by_ref();
    std::thread::spawn(move || waker.wake()).join().unwrap();
}

#[test]
fn a_task_that_never_waits_is_made_to_yield_by_the_budget() {
    let lp = Loop::new();
    let spins = Rc::new(Cell::new(0u64));
    let busy = lp.add_task({
        let spins = spins.clone();
        async move {
            while spins.get() < 10_000_000 {
                loop_core::consume_budget().await;
                spins.set(spins.get() + 1);
            }
        }
    });
    let ticks = Arc::new(AtomicUsize::new(0));
    let spins_when_ticked = lp.run_task({
        let ticks = ticks.clone();
        async move {
            while ticks.fetch_add(1, Ordering::Relaxed) < 10 {
                interrupt().await;
            }
            spins.get()
        }
    });
    assert!(
        spins_when_ticked < 10 * 2 * loop_core::BUDGET as u64,
        "the busy task ran {spins_when_ticked} times before the other ticked ten times"
    );
    busy.abort();
}
