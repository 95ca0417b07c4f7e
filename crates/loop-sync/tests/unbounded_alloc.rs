//! An unbounded channel in a steady state allocates nothing per message: its
//! ring buffer grows to the largest backlog once and is reused after that.
//! (A test binary of its own, for its counting global allocator.)

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::task::Poll;

use loop_sync::unbounded;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

/// The system allocator, counting this thread's allocations.
struct Counting;

// SAFETY: every call is forwarded unchanged to the system allocator; the
// count is a thread-local `Cell` that never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` above, that is from `System`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: `ptr` came from `System`, and the caller's contract is
        // the system allocator's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

#[test]
fn an_unbounded_channel_in_a_steady_state_allocates_nothing_per_message() {
    const BACKLOG: u64 = 1000;
    let (tx, mut rx) = unbounded();
    let waker = std::task::Waker::noop();
    let mut cx = std::task::Context::from_waker(waker);
    let mut round = |tx: &loop_sync::Sender<u64>, rx: &mut loop_sync::Receiver<u64>| {
        for i in 0..BACKLOG {
            tx.try_send(i).unwrap();
        }
        for i in 0..BACKLOG {
            assert_eq!(rx.poll_recv(&mut cx), Poll::Ready(Some(i)));
        }
        assert!(rx.poll_recv(&mut cx).is_pending());
    };
    // The first round grows the ring buffer to the backlog.
    round(&tx, &mut rx);
    let before = allocations();
    for _ in 0..100 {
        round(&tx, &mut rx);
    }
    assert_eq!(allocations() - before, 0, "100 000 messages allocated");
}
