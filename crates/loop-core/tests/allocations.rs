//! One heap allocation per spawned task: state, future, output and join slot together.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use loop_core::Loop;

/// Counts allocations made while `COUNTING` is on.
struct CountingAlloc;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's pointer and layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: forwarded with the caller's arguments.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

#[test]
fn spawning_and_completing_a_task_allocates_once() {
    const TASKS: usize = 10_000;
    let lp = Loop::new();
    // warm up: the loop's own structures
    lp.run_task(async {});
    let mut handles = Vec::with_capacity(TASKS);
    ALLOCATIONS.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    for i in 0..TASKS {
        handles.push(lp.add_task(async move { i as u64 }));
    }
    let sum = lp.run_task(async move {
        let mut sum = 0;
        for h in handles {
            sum += h.await.unwrap();
        }
        sum
    });
    COUNTING.store(false, Ordering::SeqCst);
    let allocations = ALLOCATIONS.load(Ordering::SeqCst);
    assert_eq!(sum, (0..TASKS as u64).sum());
    // 10 000 tasks, plus the run queue's and free list's amortized growth
    // (about log2(10 000) reallocations each), one registry chunk per 1 024
    // tasks (10), the side record of the one handle awaited before its task
    // ended, and run_task's main waker.
    assert!(
        allocations <= TASKS + 100,
        "{allocations} allocations for {TASKS} tasks"
    );
    assert!(
        allocations >= TASKS,
        "each task is one allocation: {allocations}"
    );
}
