//! loom models of loop-core's cross-thread protocols, run on the real code
//! (through the `sync` shims) with every interleaving loom can reach:
//!
//! - a remote wake or abort racing `start_poll`/`end_poll`/`complete`: the
//!   task is queued at most once, re-queued exactly once when the wake came
//!   during its poll, and no wake is lost;
//! - `poll_join`/`drop_join` on another thread racing completion: the join
//!   waker slot and the output are never touched by two threads at once
//!   (loom's `UnsafeCell` checks it), the output is taken or dropped exactly
//!   once, and the join wake is never lost;
//! - `push_remote` racing the loop's shutdown: nothing is stranded in the
//!   remote queue, nothing is shut down twice;
//! - the thread parker's park racing an unpark: the loop never blocks with
//!   work queued (loom reports a deadlock if it would).
//!
//! Run with `RUSTFLAGS="--cfg loom" cargo test -p loop-core --lib --release
//! loom` (`.ci/loom` does, with a bounded number of preemptions).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::task::{Context, Poll, Wake, Waker};

use loom::sync::atomic::AtomicBool;
use loom::sync::atomic::Ordering::{Acquire, Release, SeqCst};
use loom::thread;

use crate::join::JoinHandle;
use crate::park::{Park, ThreadParker};
use crate::scheduler::Shared;
use crate::state::{COMPLETE, Notify, SCHEDULED, State};
use crate::task::{RunOutcome, Runnable, Task, TaskRef};

/// Counts its wakes.
#[derive(Default)]
struct CountingWaker(AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, SeqCst);
    }
}

fn counting_waker() -> (Arc<CountingWaker>, Waker) {
    let count = Arc::new(CountingWaker::default());
    (count.clone(), Waker::from(count))
}

fn shared() -> Arc<Shared> {
    Arc::new(Shared::new(Waker::noop().clone()))
}

/// Counts the drops of the value it is attached to.
struct DropCount(Arc<AtomicUsize>);

impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

/// A future that is ready at once with 42, counting its own drop.
struct Ready(#[allow(dead_code)] DropCount);

impl Future for Ready {
    type Output = u32;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<u32> {
        Poll::Ready(42)
    }
}

#[test]
fn loom_a_wake_racing_a_poll_queues_the_task_once_and_is_never_lost() {
    loom::model(|| {
        let state = Arc::new(State::new());
        let event = Arc::new(AtomicBool::new(false));
        let waker = thread::spawn({
            let (state, event) = (state.clone(), event.clone());
            move || {
                event.store(true, Release);
                state.notify() == Notify::Enqueue
            }
        });
        // The loop takes the task from its queue and polls it: the future
        // looks at the event the waker published.
        state.start_poll();
        let seen = event.load(Acquire);
        let requeued = state.end_poll();
        let enqueued = waker.join().unwrap();
        assert!(!(requeued && enqueued), "queued twice");
        assert!(seen || requeued || enqueued, "the wake was lost");
        assert_eq!(state.load() & SCHEDULED != 0, requeued || enqueued);
    });
}

#[test]
fn loom_an_abort_racing_a_completing_poll_never_queues_a_finished_task() {
    loom::model(|| {
        let state = Arc::new(State::new());
        let aborter = thread::spawn({
            let state = state.clone();
            move || state.cancel() == Notify::Enqueue
        });
        state.start_poll();
        state.complete();
        let enqueued = aborter.join().unwrap();
        assert!(!enqueued, "a finished task was queued");
        assert!(state.load() & COMPLETE != 0);
    });
}

#[test]
fn loom_a_join_racing_completion_gets_the_output_once_and_is_woken() {
    loom::model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let task = Task::new(
            Ready(DropCount(drops.clone())),
            shared(),
            std::panic::Location::caller(),
            None,
        );
        let mut handle = JoinHandle::new(task.clone());
        let joiner = thread::spawn(move || {
            let (count, waker) = counting_waker();
            let first = Pin::new(&mut handle).poll(&mut Context::from_waker(&waker));
            (handle, count, first.is_ready())
        });
        // SAFETY: this thread plays the loop, which took the task from its
        // queue (a new task is scheduled).
        assert_eq!(
            unsafe { task.run(&crate::monitor::Monitor::new()) },
            RunOutcome::Returned
        );
        let (mut handle, count, ready_at_once) = joiner.join().unwrap();
        assert_eq!(drops.load(SeqCst), 1, "the future was not dropped once");
        if !ready_at_once {
            assert_eq!(count.0.load(SeqCst), 1, "the join wake was lost");
            let second = Pin::new(&mut handle).poll(&mut Context::from_waker(Waker::noop()));
            assert!(matches!(second, Poll::Ready(Ok(42))));
        }
    });
}

#[test]
fn loom_dropping_the_handle_racing_completion_drops_the_output_once() {
    loom::model(|| {
        struct Output(#[allow(dead_code)] DropCount);
        struct MakeOutput(Option<Arc<AtomicUsize>>);
        impl Future for MakeOutput {
            type Output = Output;
            fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Output> {
                Poll::Ready(Output(DropCount(self.0.take().unwrap())))
            }
        }
        let drops = Arc::new(AtomicUsize::new(0));
        let task = Task::new(
            MakeOutput(Some(drops.clone())),
            shared(),
            std::panic::Location::caller(),
            None,
        );
        let handle = JoinHandle::new(task.clone());
        let dropper = thread::spawn(move || drop(handle));
        // SAFETY: as above, this thread is the loop.
        assert_eq!(
            unsafe { task.run(&crate::monitor::Monitor::new()) },
            RunOutcome::Returned
        );
        dropper.join().unwrap();
        assert_eq!(
            drops.load(SeqCst),
            1,
            "the output was not dropped exactly once"
        );
    });
}

#[test]
fn loom_an_abort_racing_a_poll_ends_the_task_once() {
    loom::model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let task = Task::new(
            Ready(DropCount(drops.clone())),
            shared(),
            std::panic::Location::caller(),
            None,
        );
        let handle = JoinHandle::new(task.clone());
        let aborter = thread::spawn(move || {
            handle.abort();
            handle
        });
        // SAFETY: as above, this thread is the loop.
        let outcome = unsafe { task.run(&crate::monitor::Monitor::new()) };
        assert!(
            matches!(outcome, RunOutcome::Returned | RunOutcome::Cancelled),
            "{outcome:?}"
        );
        let mut handle = aborter.join().unwrap();
        assert_eq!(drops.load(SeqCst), 1);
        match Pin::new(&mut handle).poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(Ok(output)) => assert_eq!(output, 42),
            Poll::Ready(Err(e)) => assert!(e.is_cancelled()),
            Poll::Pending => panic!("a finished task's handle was pending"),
        }
    });
}

#[test]
fn loom_a_remote_push_racing_shutdown_strands_nothing() {
    loom::model(|| {
        let shared = shared();
        let drops = Arc::new(AtomicUsize::new(0));
        let task = Task::new(
            Ready(DropCount(drops.clone())),
            shared.clone(),
            std::panic::Location::caller(),
            None,
        );
        let handle = JoinHandle::new(task.clone());
        let task: TaskRef = task;
        let pusher = thread::spawn({
            let shared = shared.clone();
            move || shared.push_remote(Some(task))
        });
        // The loop's shutdown, as `Core::shut_down` does it.
        shared.close();
        shared.drain_closed();
        pusher.join().unwrap();
        assert!(shared.pop_remote().is_none(), "an entry was stranded");
        assert_eq!(
            drops.load(SeqCst),
            1,
            "the future was not dropped exactly once"
        );
        assert!(handle.is_finished());
    });
}

#[test]
fn loom_a_park_racing_an_unpark_never_sleeps_with_work_queued() {
    loom::model(|| {
        let parker = ThreadParker::new();
        let shared = Arc::new(Shared::new(parker.unparker()));
        let task = Task::new(
            Ready(DropCount(Arc::default())),
            shared.clone(),
            std::panic::Location::caller(),
            None,
        );
        let _handle = JoinHandle::new(task.clone());
        let task: TaskRef = task;
        let pusher = thread::spawn({
            let shared = shared.clone();
            move || shared.push_remote(Some(task))
        });
        // The loop: look at the remote queue, park when it is empty.
        let task = loop {
            if let Some(entry) = shared.pop_remote() {
                break entry.unwrap();
            }
            parker.park(None);
        };
        pusher.join().unwrap();
        // SAFETY: this thread is the loop and took the task from its queue.
        assert_eq!(
            unsafe { task.run(&crate::monitor::Monitor::new()) },
            RunOutcome::Returned
        );
    });
}
