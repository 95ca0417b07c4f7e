//! The loop's machinery: the FIFO run queue, the remote queue, the registry of
//! live tasks, the park and the event sources, and the run loop that drives
//! them.
//!
//! Who may touch what:
//! - [`Core`] is loop-local (`Rc`): its run queue, registry and sources are
//!   touched only on the loop's thread. The registry and sources sit in
//!   `RefCell`s whose borrows never span a poll, a drop of a task or a call
//!   into a source (those may re-enter the loop through a wake or
//!   `add_task`); the run queue (`run_queue.rs`) needs no borrow flag, as
//!   none of its methods runs foreign code while it is between states.
//! - [`Shared`] is what other threads see (`Arc`): the remote queue, into
//!   which wakes from other threads and remote spawns go, the park's unparker,
//!   and the `closed` flag.
//!
//! A run-queue entry is `Some(task)`, or `None` for "poll the future given to
//! `run_task`", which takes its turn in the FIFO like any task.
//!
//! The counters of `stats.rs` are bumped here, where each event happens; the
//! poll itself goes through [`Core::poll_task`], which publishes the running
//! task for watchdogs (`monitor.rs`) and, only when the loop times polls,
//! reads the clock around it.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use crate::budget::BUDGET;
use crate::builder::Config;
use crate::context::{self, Enter};
use crate::dump::{TaskDump, TaskInfo};
use crate::join::JoinHandle;
use crate::loop_id::LoopId;
use crate::monitor::{Monitor, Snapshot};
use crate::park::Park;
use crate::registry::Registry;
use crate::run_queue::RunQueue;
use crate::slow_poll::SlowPoll;
use crate::source::Source;
use crate::stats::{Counters, LoopStats};
use crate::sync::{AtomicBool, Ordering, RemoteQueue, RwLock, fence};
use crate::task::{self, RunOutcome, Task, TaskRef, UNREGISTERED};

/// The loop looks at remote wakes, its park and its sources at least once
/// every this many polls, even when its run queue never empties.
///
/// A task that loops on [`interrupt`](fn@crate::interrupt) slows the others down
/// but starves none of them: every `EVENT_INTERVAL` polls the loop looks,
/// without blocking, at wakes from other threads, remote spawns, timers and
/// socket readiness.
pub const EVENT_INTERVAL: u32 = 32;

/// An oversized run queue is shrunk back to this when the loop goes idle.
const IDLE_QUEUE_CAPACITY: usize = 1024;

/// The part of a loop other threads reach: through wakers and `Spawner`s.
pub(crate) struct Shared {
    remote: RemoteQueue<Option<TaskRef>>,
    /// The park's unparker, taken out when the loop drops so that wakers that
    /// outlive the loop do not keep its park (the Reactor's eventfd) alive.
    unpark: RwLock<Option<Waker>>,
    /// Set once the loop is dropped: pushes then drain what they pushed.
    closed: AtomicBool,
    /// The loop's thread, for debug-build assertions.
    #[cfg(debug_assertions)]
    owner: std::thread::ThreadId,
    /// What a watchdog on another thread reads and asks (`monitor.rs`).
    pub(crate) monitor: Monitor,
}

impl Shared {
    pub(crate) fn new(unpark: Waker) -> Shared {
        Shared {
            remote: RemoteQueue::new(),
            unpark: RwLock::new(Some(unpark)),
            closed: AtomicBool::new(false),
            #[cfg(debug_assertions)]
            owner: std::thread::current().id(),
            monitor: Monitor::new(),
        }
    }

    /// Asks the loop for a snapshot from any thread (`monitor.rs`).
    pub(crate) fn snapshot(
        &self,
        timeout: Duration,
    ) -> Result<Snapshot, crate::monitor::SnapshotError> {
        if self.is_closed() {
            return Err(crate::monitor::SnapshotError::Closed);
        }
        self.monitor.ask(timeout, || {
            if let Some(unpark) = &*self.unpark.read().unwrap_or_else(|e| e.into_inner()) {
                unpark.wake_by_ref();
            }
        })
    }

    /// Queues `entry` for the loop from outside it and unparks the loop.
    pub(crate) fn push_remote(&self, entry: Option<TaskRef>) {
        self.remote.push(entry);
        if let Some(unpark) = &*self.unpark.read().unwrap_or_else(|e| e.into_inner()) {
            unpark.wake_by_ref();
        }
        // Either the loop's final drain (after it sets `closed`) sees this
        // entry, or this load sees `closed` and drains it here.
        fence(Ordering::SeqCst);
        if self.closed.load(Ordering::SeqCst) {
            self.drain_closed();
        }
    }

    /// Marks the loop closed: from now on a push drains what it pushed. The
    /// loop then empties its remote queue one last time.
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        fence(Ordering::SeqCst);
        self.monitor.close();
    }

    /// Takes the unparker out, so that it (and the park it keeps, such as
    /// the Reactor's eventfd) goes with the loop; later wakes unpark nothing.
    pub(crate) fn take_unparker(&self) -> Option<Waker> {
        self.unpark
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }

    /// Takes one entry from the remote queue (the loom models look at it).
    #[cfg(all(test, loom))]
    pub(crate) fn pop_remote(&self) -> Option<Option<TaskRef>> {
        self.remote.pop()
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    /// Empties the remote queue of a closed loop. Every registered task is
    /// complete by then, so the only futures left to drop belong to `Spawner`
    /// tasks, which are `Send` (see `task.rs`).
    pub(crate) fn drain_closed(&self) {
        while let Some(entry) = self.remote.pop() {
            if let Some(task) = entry {
                // SAFETY: the loop is closed: a registered task is complete
                // (its shutdown returns at once); an unregistered one is a
                // `Spawner` task, which may be shut down on any thread.
                unsafe { task.shutdown() };
            }
        }
    }

    /// Debug builds: panics unless called on the loop's thread.
    #[cfg(debug_assertions)]
    pub(crate) fn assert_owner_thread(&self) {
        assert_eq!(
            std::thread::current().id(),
            self.owner,
            "{}",
            crate::messages::OFF_LOOP_THREAD
        );
    }
}

/// Puts a woken task in a run queue: its loop's local queue when the wake
/// happens on that loop's thread while it runs, its remote queue otherwise.
pub(crate) fn schedule(task: TaskRef) {
    context::with_current(|core| match core {
        Some(core) if Arc::ptr_eq(&core.shared, &task::header(&task).shared) => core.push(task),
        _ => {
            let shared = task::header(&task).shared.clone();
            shared.push_remote(Some(task));
        }
    })
}

/// The loop-local state of a loop.
pub(crate) struct Core {
    pub(crate) id: LoopId,
    pub(crate) shared: Arc<Shared>,
    queue: RunQueue<Option<TaskRef>>,
    tasks: RefCell<Registry>,
    park: Rc<dyn Park>,
    sources: RefCell<Vec<Rc<dyn Source>>>,
    /// Set once the `Loop` is dropped: new tasks are cancelled at once.
    closed: Cell<bool>,
    /// The running task's cooperative budget (`budget.rs`), refilled before
    /// each poll.
    pub(crate) budget: Cell<u32>,
    /// Always-on counters (`stats.rs`).
    pub(crate) counters: Counters,
    /// Slow polls, poll timings, the leak report (`builder.rs`).
    config: Config,
    /// Whether polls are timed (a slow-poll threshold or `time_polls`).
    timed: bool,
}

impl Core {
    pub(crate) fn new(park: Rc<dyn Park>, config: Config) -> Core {
        let id = LoopId::next();
        let shared = Arc::new(Shared::new(park.unparker()));
        crate::loop_id::register_live(id, &shared);
        Core {
            counters: Counters::new(),
            timed: config.time_polls || config.slow_poll.is_some(),
            config,
            id,
            shared,
            queue: RunQueue::new(),
            tasks: RefCell::new(Registry::default()),
            park,
            sources: RefCell::new(Vec::new()),
            closed: Cell::new(false),
            budget: Cell::new(BUDGET),
        }
    }

    /// Adds a task on the loop's own thread.
    pub(crate) fn add_task<F>(
        &self,
        future: F,
        site: &'static Location<'static>,
        name: Option<Box<str>>,
    ) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let task = Task::new(future, self.shared.clone(), site, name);
        let handle = JoinHandle::new(task.clone());
        if self.closed.get() {
            // SAFETY: on the loop's thread (`Core` is loop-local), and the task
            // was never queued.
            unsafe { crate::task::Runnable::shutdown(&*task) };
            return handle;
        }
        self.register(task.clone());
        self.push(task);
        handle
    }

    #[inline]
    fn register(&self, task: TaskRef) {
        Counters::bump(&self.counters.spawned);
        if self.config.time_polls {
            let record = task::header(&task).meta.get_or_make();
            let timing = record.timing.get_or_init(Box::default);
            timing.since.set(Some(Instant::now()));
        }
        self.tasks.borrow_mut().insert(task);
    }

    /// Appends a task to the run queue.
    #[inline]
    pub(crate) fn push(&self, task: TaskRef) {
        self.push_entry(Some(task));
    }

    /// Appends an entry (a task, or `None` for the main future's turn),
    /// recording the queue's new length.
    #[inline]
    fn push_entry(&self, entry: Option<TaskRef>) {
        let len = self.queue.push(entry);
        self.counters.queue_len(len);
    }

    /// Forgets a completed task; its registry reference is dropped here,
    /// outside the borrow.
    pub(crate) fn unregister(&self, slot: u32) {
        let task = self.tasks.borrow_mut().remove(slot);
        drop(task);
    }

    /// Polls a task once, publishing it as running for watchdogs
    /// (`monitor.rs`), then acts on the outcome. No clock is read here: a
    /// loop that times polls goes through `poll_task_timed`.
    ///
    /// The slot is not cleared after each poll (a store per poll saved): the
    /// loop clears it wherever it does something else than polling tasks,
    /// in `tick`, before polling the main future and at shutdown, so it
    /// names a task only from that task's poll to the next of those points.
    ///
    /// `monitor` is `&self.shared.monitor`, which `turns` reads once, before
    /// its loop, rather than once per poll; `TIMED` is `self.timed`, so an
    /// untimed loop does not even test it.
    #[inline(always)]
    fn poll_task<const TIMED: bool>(&self, task: TaskRef, monitor: &Monitor) {
        if TIMED {
            return self.poll_task_timed(task);
        }
        self.budget.set(BUDGET);
        // SAFETY: this loop, on its thread, took the task from its run queue.
        let outcome = unsafe { task.run(monitor) };
        self.after_poll(task, outcome);
    }

    /// Re-queues or forgets a task after its poll, counting how it ended.
    /// Branches rather than a `match`: the two common outcomes come first,
    /// and the compiler does not turn them into an indirect jump.
    #[inline(always)]
    fn after_poll(&self, task: TaskRef, outcome: RunOutcome) {
        if outcome == RunOutcome::Idle {
        } else if outcome == RunOutcome::Requeue {
            // No new maximum here: the task was just taken off the queue.
            self.queue.push(Some(task));
        } else {
            self.ended(task, outcome);
        }
    }

    /// Counts how a task ended and forgets it.
    fn ended(&self, task: TaskRef, outcome: RunOutcome) {
        Counters::bump(match outcome {
            RunOutcome::Panicked => &self.counters.panicked,
            RunOutcome::Cancelled => &self.counters.cancelled,
            _ => &self.counters.returned,
        });
        self.unregister(task::header(&task).slot());
    }

    /// [`poll_task`](Core::poll_task) with the clock read around the poll.
    #[inline(never)]
    fn poll_task_timed(&self, task: TaskRef) {
        self.budget.set(BUDGET);
        let start = Instant::now();
        self.shared.monitor.begin_timed(start);
        // SAFETY: this loop, on its thread, took the task from its run queue.
        let outcome = unsafe { task.run(&self.shared.monitor) };
        self.after_timed_poll(&task, start);
        self.after_poll(task, outcome);
    }

    /// Records a timed poll, and reports it if it was slow.
    fn after_timed_poll(&self, task: &TaskRef, start: Instant) {
        let end = Instant::now();
        let took = end.saturating_duration_since(start);
        let header = task::header(task);
        if let Some(record) = header.meta.get()
            && let Some(t) = record.timing.get()
        {
            t.polls.set(t.polls.get() + 1);
            t.busy.set(t.busy.get() + took);
            t.longest.set(t.longest.get().max(took));
            t.last_end.set(Some(end));
        }
        if let Some(threshold) = self.config.slow_poll
            && took > threshold
        {
            Counters::bump(&self.counters.slow_polls);
            let slow = SlowPoll {
                id: header.id,
                name: header.meta.get().and_then(|r| r.name.as_deref()),
                spawn_site: header.meta.spawn_site(),
                duration: took,
                threshold,
            };
            contain(|| (self.config.on_slow_poll)(&slow));
        }
    }

    /// The counters now.
    pub(crate) fn stats(&self) -> LoopStats {
        let pops = self.queue.pops() as u64;
        self.counters
            .snapshot(self.task_count(), self.queue.len(), pops)
    }

    /// Every live task, read on the loop's thread.
    pub(crate) fn dump(&self) -> TaskDump {
        let now = self.config.time_polls.then(Instant::now);
        let tasks = self.tasks.borrow();
        TaskDump::new(
            tasks
                .iter()
                .map(|task| TaskInfo::of(task::header(task), now))
                .collect(),
        )
    }

    /// Answers a watchdog's request, if there is one (`monitor.rs`).
    #[inline]
    fn answer_monitor(&self) {
        if self.shared.monitor.is_wanted() {
            self.shared.monitor.answer(Snapshot {
                stats: self.stats(),
                tasks: self.dump(),
            });
        }
    }

    pub(crate) fn task_count(&self) -> usize {
        self.tasks.borrow().len()
    }

    pub(crate) fn park(&self) -> &Rc<dyn Park> {
        &self.park
    }

    /// The source of type `S`, created by `make` and attached on first use.
    pub(crate) fn source<S: Source>(&self, make: impl FnOnce() -> S) -> Rc<S> {
        let found = self.sources.borrow().iter().find_map(|source| {
            let any: Rc<dyn std::any::Any> = source.clone();
            any.downcast::<S>().ok()
        });
        if let Some(source) = found {
            return source;
        }
        let source = Rc::new(make());
        self.sources.borrow_mut().push(source.clone());
        source
    }

    /// Moves remote entries into the run queue, registering remote spawns.
    fn drain_remote(&self) {
        while let Some(entry) = self.shared.remote.pop() {
            if let Some(task) = &entry
                && task::header(task).slot() == UNREGISTERED
            {
                Counters::bump(&self.counters.remote_spawns);
                self.register(task.clone());
            } else {
                Counters::bump(&self.counters.remote_wakes);
            }
            self.push_entry(entry);
        }
    }

    /// How long the loop may block: until the earliest source deadline.
    fn park_timeout(&self) -> Option<Duration> {
        let mut earliest: Option<Instant> = None;
        for i in 0.. {
            let Some(source) = self.sources.borrow().get(i).cloned() else {
                break;
            };
            if let Some(deadline) = source.deadline() {
                earliest = Some(earliest.map_or(deadline, |e| e.min(deadline)));
            }
        }
        earliest.map(|deadline| deadline.saturating_duration_since(Instant::now()))
    }

    /// Looks at the outside world: remote queue, park, sources. Blocks only
    /// if `may_block` and nothing is ready to run.
    fn tick(&self, may_block: bool, main_ready: impl Fn() -> bool) {
        self.shared.monitor.leave();
        self.drain_remote();
        self.answer_monitor();
        let idle = may_block && self.queue.is_empty() && !main_ready();
        if idle {
            self.queue.shrink_to(IDLE_QUEUE_CAPACITY);
            let timeout = self.park_timeout();
            Counters::bump(&self.counters.parks);
            let parked_at = Instant::now();
            self.park.park(timeout);
            let parked = &self.counters.parked;
            parked.set(parked.get() + parked_at.elapsed());
        } else {
            self.park.park(Some(Duration::ZERO));
        }
        self.drain_remote();
        self.answer_monitor();
        let idle = self.queue.is_empty() && !main_ready();
        for i in 0.. {
            let Some(source) = self.sources.borrow().get(i).cloned() else {
                break;
            };
            source.dispatch(idle);
        }
    }

    /// Runs the loop until `main` completes or, without `main`, until every
    /// task has ended.
    #[track_caller]
    pub(crate) fn drive<F: Future>(
        self: &Rc<Core>,
        main: Option<Pin<&mut F>>,
    ) -> Option<F::Output> {
        let _enter = Enter::run(self);
        self.shared.monitor.leave();
        // Wakes and aborts made on this thread while the loop was stopped went
        // to the remote queue: take them in first, before the main future.
        self.drain_remote();
        let main_waker = Arc::new(MainWaker {
            woken: AtomicBool::new(main.is_some()),
            shared: self.shared.clone(),
        });
        let waker = Waker::from(main_waker.clone());
        let mut cx = Context::from_waker(&waker);
        if main.is_some() {
            self.queue.push(None);
        }
        if self.timed {
            self.turns::<F, true>(main, &mut cx, &main_waker)
        } else {
            self.turns::<F, false>(main, &mut cx, &main_waker)
        }
    }

    /// `drive`'s loop: takes the run queue's entries in turn, and looks at
    /// the outside world when the queue is empty and every `EVENT_INTERVAL`
    /// turns.
    fn turns<F: Future, const TIMED: bool>(
        &self,
        mut main: Option<Pin<&mut F>>,
        cx: &mut Context<'_>,
        main_waker: &MainWaker,
    ) -> Option<F::Output> {
        let main_ready = || main_waker.woken.load(Ordering::Relaxed);
        let monitor = &self.shared.monitor;
        let mut polls = 0;
        loop {
            let next = self.queue.pop();
            match next {
                Some(Some(task)) => self.poll_task::<TIMED>(task, monitor),
                Some(None) => {
                    Counters::bump(&self.counters.not_polls);
                    monitor.leave();
                    if let Some(future) = main.as_mut()
                        && main_waker.woken.swap(false, Ordering::AcqRel)
                    {
                        self.budget.set(BUDGET);
                        if let Poll::Ready(output) = future.as_mut().poll(cx) {
                            return Some(output);
                        }
                    }
                }
                None => {
                    self.drain_remote();
                    if main.is_none() && self.queue.is_empty() && self.tasks.borrow().is_empty() {
                        monitor.leave();
                        return None;
                    }
                    self.tick(true, main_ready);
                    polls = 0;
                    continue;
                }
            }
            polls += 1;
            if polls == EVENT_INTERVAL {
                polls = 0;
                self.tick(false, main_ready);
            }
        }
    }

    /// Drops every task still in the loop, on this thread, then closes it to
    /// other threads. Called when the `Loop` is dropped.
    ///
    /// Every step runs to its end whatever foreign code does: futures'
    /// destructors and join wakers are contained by the task (`task.rs`), and
    /// the rest (dropping queue entries, sources and the unparker) is caught
    /// here, so the loop is always closed and a later `Spawner::add_task`
    /// always finds it so. A caught panic has already been reported by the
    /// panic hook; it is not propagated out of `Loop::drop`.
    pub(crate) fn shut_down(self: &Rc<Core>) {
        let _enter = Enter::replace(self);
        self.shared.monitor.leave();
        if let Some(report) = &self.config.on_leaks {
            // Remote spawns not taken in yet are pending too.
            self.drain_remote();
            let dump = self.dump();
            if !dump.is_empty() {
                contain(|| report(&dump));
            }
        }
        // Destructors may add tasks (they are cancelled in the next round)
        // or wake others (their queue entries are dropped below).
        loop {
            let tasks = self.tasks.borrow_mut().take_all();
            if tasks.is_empty() {
                break;
            }
            for task in tasks {
                // SAFETY: on the loop's thread, and no task is being polled.
                if unsafe { task.shutdown() } {
                    Counters::bump(&self.counters.cancelled);
                }
                contain(|| drop(task));
            }
        }
        self.closed.set(true);
        self.shared.close();
        crate::loop_id::unregister_live(self.id);
        loop {
            let queued = self.queue.take_all();
            let not_polls = &self.counters.not_polls;
            not_polls.set(not_polls.get() + queued.len() as u64);
            let remote = self.shared.remote.pop();
            if queued.is_empty() && remote.is_none() {
                break;
            }
            contain(|| drop(queued));
            if let Some(Some(task)) = remote {
                // SAFETY: on the loop's thread; a registered task is complete,
                // an unregistered one is a `Spawner` task.
                unsafe { task.shutdown() };
                contain(|| drop(task));
            }
        }
        let sources = std::mem::take(&mut *self.sources.borrow_mut());
        // The sources go after the loop stops being current: a handle that
        // keeps a pointer to its loop's source (a `Sleep`, to its timer
        // store) may use it only while that loop is current, which keeps
        // the source alive until here.
        drop(_enter);
        for source in sources {
            contain(|| drop(source));
        }
        let unpark = self.shared.take_unparker();
        contain(|| drop(unpark));
    }
}

/// Runs `f`, swallowing a panic (which the panic hook has already reported):
/// for foreign code the loop calls in the middle of a batch.
fn contain(f: impl FnOnce()) {
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
}

/// The waker of the future given to `run_task`: it queues that future's turn.
struct MainWaker {
    woken: AtomicBool,
    shared: Arc<Shared>,
}

impl Wake for MainWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if self.woken.swap(true, Ordering::AcqRel) {
            return;
        }
        context::with_current(|core| match core {
            Some(core) if Arc::ptr_eq(&core.shared, &self.shared) => {
                core.queue.push(None);
            }
            _ => self.shared.push_remote(None),
        });
    }
}
