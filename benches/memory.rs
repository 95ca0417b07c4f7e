//! Bytes of heap per idle task: 100 000 tasks that each wait forever, spawned
//! and polled once on goldiloop, tokio (current-thread + `LocalSet`) and smol
//! (`LocalExecutor`), measured with a counting allocator in one run.
//!
//! Run with `cargo bench -p goldiloop-benches --bench memory`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::future::pending;
use std::sync::atomic::{AtomicIsize, Ordering};

struct Counting;

static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator; the
// counter only observes sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded with the caller's pointer and layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE_BYTES.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        // SAFETY: forwarded with the caller's arguments.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const TASKS: usize = 100_000;

/// A future that lets its runtime go idle once: it is woken from another
/// thread after its first poll, so the runtime parks in between.
fn idle_once() -> impl std::future::Future<Output = ()> {
    let mut started = false;
    std::future::poll_fn(move |cx| {
        if started {
            return std::task::Poll::Ready(());
        }
        started = true;
        let waker = cx.waker().clone();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(10));
            waker.wake();
        });
        std::task::Poll::Pending
    })
}

fn live() -> isize {
    LIVE_BYTES.load(Ordering::SeqCst)
}

/// Heap bytes per task once `TASKS` tasks are spawned, polled, and the
/// runtime has gone idle, its structures included (run queues, task lists),
/// `JoinHandle`s dropped. The idle thread's own allocations are counted too,
/// alike for each runtime, and are negligible beside 100 000 tasks.
fn goldiloop_bytes() -> f64 {
    let lp = goldiloop::Loop::new();
    lp.run_task(async {});
    let before = live();
    for _ in 0..TASKS {
        drop(lp.add_task(pending::<()>()));
    }
    lp.run_task(idle_once());
    let per_task = (live() - before) as f64 / TASKS as f64;
    drop(lp);
    per_task
}

fn tokio_bytes() -> f64 {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let local = tokio::task::LocalSet::new();
    local.block_on(&rt, async {});
    let before = live();
    for _ in 0..TASKS {
        drop(local.spawn_local(pending::<()>()));
    }
    local.block_on(&rt, idle_once());
    (live() - before) as f64 / TASKS as f64
}

fn smol_bytes() -> f64 {
    let ex = smol::LocalExecutor::new();
    futures_lite::future::block_on(ex.run(async {}));
    let before = live();
    for _ in 0..TASKS {
        ex.spawn(pending::<()>()).detach();
    }
    futures_lite::future::block_on(ex.run(idle_once()));
    (live() - before) as f64 / TASKS as f64
}

fn main() {
    // `cargo bench --no-run` builds this; `cargo test` runs benches as tests
    // with `--bench` absent: keep that cheap.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let goldi = goldiloop_bytes();
    let tokio = tokio_bytes();
    let smol = smol_bytes();
    println!("| runtime   | bytes per idle task | ratio to goldiloop |");
    println!("|-----------|--------------------:|-------------------:|");
    for (name, bytes) in [("goldiloop", goldi), ("tokio", tokio), ("smol", smol)] {
        println!("| {name:<9} | {bytes:>19.1} | {:>17.2}x |", bytes / goldi);
    }
}
