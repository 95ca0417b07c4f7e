//! The loop's run queue: a FIFO ring of entries, touched only on the loop's
//! thread.
//!
//! Each poll pops one entry and, for a task that woke itself (a yield), pushes
//! it back, so these two operations are the loop's hot path. A
//! `RefCell<VecDeque>` did the same job with a borrow flag set and cleared
//! around each, and a compare-and-select to wrap each index; here the capacity
//! is a power of two, so wrapping is a mask, and `head` and `tail` only grow
//! (wrapping at `usize::MAX`), so the length is their difference. A pop and a
//! push are a handful of instructions each, with no flag to maintain.
//!
//! # Re-entrancy
//!
//! Methods take `&self`. Entries leave by value (`pop`, `take_all`), so their
//! destructors run in the caller, never inside a method. The one foreign code
//! a method calls is the global allocator, when the buffer grows or shrinks.
//! While it runs, the ring shows capacity 0 and no values, so a push made
//! from inside the allocator lands in `grow`, which panics naming the
//! problem, and a pop finds nothing: neither touches the buffer the
//! allocator holds.
//!
//! Growing reallocates in place where the allocator can (as `VecDeque`
//! does): a fresh buffer and a copy cost a large spawn burst 8% more
//! instructions, mostly in the allocator consolidating the freed buffers.

use std::alloc::{self, Layout};
use std::cell::Cell;
use std::mem::{self, MaybeUninit};
use std::ptr;

/// The capacity of the first buffer, allocated by the first push.
const MIN_CAPACITY: usize = 64;

/// A FIFO queue for one thread (module docs).
pub(crate) struct RunQueue<T> {
    /// `cap` slots; those from `head` to `tail` (masked) hold values.
    buf: Cell<*mut MaybeUninit<T>>,
    /// 0, or a power of two.
    cap: Cell<usize>,
    head: Cell<usize>,
    tail: Cell<usize>,
    /// The allocator is running for the buffer (module docs).
    resizing: Cell<bool>,
}

impl<T> RunQueue<T> {
    pub(crate) const fn new() -> RunQueue<T> {
        assert!(
            mem::size_of::<T>() > 0,
            "a run queue holds values with a size"
        );
        RunQueue {
            buf: Cell::new(ptr::null_mut()),
            cap: Cell::new(0),
            head: Cell::new(0),
            tail: Cell::new(0),
            resizing: Cell::new(false),
        }
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.tail.get().wrapping_sub(self.head.get())
    }

    /// How many values have been taken out since the queue was made (a
    /// wrapping count): the loop's poll counter reads it, so that counting
    /// polls costs no store of its own.
    #[inline]
    pub(crate) fn pops(&self) -> usize {
        self.head.get()
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.head.get() == self.tail.get()
    }

    #[cfg(test)]
    fn capacity(&self) -> usize {
        self.cap.get()
    }

    /// Appends `value`; returns the new length.
    #[inline]
    pub(crate) fn push(&self, value: T) -> usize {
        if self.len() == self.cap.get() {
            self.grow();
        }
        let tail = self.tail.get();
        // SAFETY: `len < cap` now (`grow` returns only then), so `cap` is a
        // power of two, `buf` holds `cap` slots, and the slot at `tail` is
        // outside the live range: it holds no value to overwrite.
        unsafe {
            self.buf
                .get()
                .add(tail & (self.cap.get() - 1))
                .write(MaybeUninit::new(value))
        };
        self.tail.set(tail.wrapping_add(1));
        self.len()
    }

    /// Takes the oldest value out.
    #[inline]
    pub(crate) fn pop(&self) -> Option<T> {
        let head = self.head.get();
        if head == self.tail.get() {
            return None;
        }
        // SAFETY: the ring is not empty, so `cap` is a power of two and the
        // slot at `head` holds a value; advancing `head` below gives up the
        // ring's claim on it, so it is read exactly once.
        let value = unsafe {
            self.buf
                .get()
                .add(head & (self.cap.get() - 1))
                .read()
                .assume_init()
        };
        self.head.set(head.wrapping_add(1));
        Some(value)
    }

    /// Takes every value out, oldest first.
    pub(crate) fn take_all(&self) -> Vec<T> {
        let mut all = Vec::new();
        while let Some(value) = self.pop() {
            all.push(value);
        }
        all
    }

    /// Gives memory back: an empty ring whose buffer has more than `max`
    /// slots (a power of two) moves to one of `max`.
    pub(crate) fn shrink_to(&self, max: usize) {
        debug_assert!(max.is_power_of_two());
        if self.cap.get() > max && self.is_empty() {
            self.resize(max);
        }
    }

    /// Makes room for one more value: doubles the buffer, and moves each
    /// value whose slot changes under the new mask (`head` and `tail` keep
    /// counting, so `pops` stays exact).
    #[cold]
    #[inline(never)]
    fn grow(&self) {
        assert!(
            !self.resizing.get(),
            "a loop's run queue was used from inside the global allocator: \
             an allocator must not wake or spawn tasks"
        );
        let (cap, head, len) = (self.cap.get(), self.head.get(), self.len());
        let new_cap = if cap == 0 {
            MIN_CAPACITY
        } else {
            cap.checked_mul(2).expect("run queue capacity overflow")
        };
        self.resize(new_cap);
        let buf = self.buf.get();
        for i in 0..len {
            let at = head.wrapping_add(i);
            let (old, new) = (at & cap.wrapping_sub(1), at & (new_cap - 1));
            if old != new {
                // SAFETY: `resize` kept the first `cap` slots, where the
                // values are. Doubling adds the bit `cap` to some slots:
                // `new` is `old + cap`, in the added half, which held no
                // value, and no other value's slot is `new` (the `len <=
                // cap` values are distinct modulo `2 * cap`) or is `old`
                // after the move (it would have been `old` before, too).
                unsafe { ptr::copy_nonoverlapping(buf.add(old), buf.add(new), 1) };
            }
        }
    }

    /// Reallocates the buffer to `new_cap` slots, keeping the first
    /// `min(cap, new_cap)`, with the ring shown empty and without capacity
    /// meanwhile (module docs).
    fn resize(&self, new_cap: usize) {
        let (old_buf, old_cap) = (self.buf.get(), self.cap.get());
        let (head, tail) = (self.head.get(), self.tail.get());
        self.cap.set(0);
        self.head.set(0);
        self.tail.set(0);
        self.resizing.set(true);
        let new_layout =
            Layout::array::<MaybeUninit<T>>(new_cap).expect("run queue capacity overflow");
        let new_buf = if old_cap == 0 {
            // SAFETY: the layout's size is not zero (`T` has a size, `new_cap > 0`).
            unsafe { alloc::alloc(new_layout) }
        } else {
            let old_layout = Layout::array::<MaybeUninit<T>>(old_cap).expect("it was allocated");
            // SAFETY: `old_buf` was allocated with `old_layout` (here, earlier),
            // and the new size is not zero.
            unsafe { alloc::realloc(old_buf.cast(), old_layout, new_layout.size()) }
        };
        if new_buf.is_null() {
            alloc::handle_alloc_error(new_layout);
        }
        self.resizing.set(false);
        self.buf.set(new_buf.cast());
        self.cap.set(new_cap);
        self.head.set(head);
        self.tail.set(tail);
    }
}

impl<T> Drop for RunQueue<T> {
    fn drop(&mut self) {
        // Out first, buffer freed, then the values dropped: a panicking
        // destructor does not stop the others (a `Vec` drops all its values)
        // and leaks no buffer.
        let values = self.take_all();
        let cap = self.cap.replace(0);
        if cap > 0 {
            let layout = Layout::array::<MaybeUninit<T>>(cap).expect("it was allocated");
            // SAFETY: our buffer, allocated with this layout, and now empty:
            // its slots are `MaybeUninit`, so freeing drops no value.
            unsafe { alloc::dealloc(self.buf.get().cast(), layout) };
        }
        drop(values);
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::rc::Rc;

    #[test]
    fn values_come_out_in_the_order_they_went_in_across_growth_and_wrap() {
        let q = RunQueue::new();
        let mut next_in = 0u32;
        let mut next_out = 0u32;
        // Keep the ring partly full while pushing more than it holds, so
        // it grows while its live range wraps around the buffer's end.
        for round in 0..10 {
            for _ in 0..(MIN_CAPACITY * 3 / 4 + round * 37) {
                q.push(next_in);
                next_in += 1;
            }
            for _ in 0..(MIN_CAPACITY / 2 + round * 29) {
                assert_eq!(q.pop(), Some(next_out));
                next_out += 1;
            }
            assert_eq!(q.len(), (next_in - next_out) as usize);
        }
        while let Some(v) = q.pop() {
            assert_eq!(v, next_out);
            next_out += 1;
        }
        assert_eq!(next_out, next_in);
        assert!(q.is_empty());
        assert_eq!(q.pop(), None);
    }

    #[test]
    fn pops_counts_every_value_taken_out_across_growth_and_shrinking() {
        let q = RunQueue::new();
        let mut taken = 0;
        for round in 0..6 {
            for i in 0..(100 << round) {
                q.push(i);
            }
            for _ in 0..(70 << round) {
                q.pop();
                taken += 1;
            }
            assert_eq!(q.pops(), taken);
        }
        taken += q.take_all().len();
        q.shrink_to(64);
        assert_eq!(q.pops(), taken);
        q.push(1);
        assert_eq!(q.pop(), Some(1));
        assert_eq!(q.pops(), taken + 1);
    }

    #[test]
    fn push_returns_the_new_length() {
        let q = RunQueue::new();
        assert_eq!(q.push('a'), 1);
        assert_eq!(q.push('b'), 2);
        q.pop();
        assert_eq!(q.push('c'), 2);
    }

    #[test]
    fn an_empty_ring_shrinks_and_a_busy_one_does_not() {
        let q = RunQueue::new();
        for i in 0..5000 {
            q.push(i);
        }
        assert!(q.capacity() >= 8192);
        q.shrink_to(1024);
        assert_eq!(q.capacity(), 8192, "values still in: no shrink");
        assert_eq!(q.take_all(), (0..5000).collect::<Vec<_>>());
        q.shrink_to(1024);
        assert_eq!(q.capacity(), 1024);
        for i in 0..3000 {
            q.push(i);
        }
        assert_eq!(q.take_all(), (0..3000).collect::<Vec<_>>());
    }

    #[test]
    fn dropping_the_queue_drops_every_value_once() {
        let counted = Rc::new(());
        let q = RunQueue::new();
        for _ in 0..100 {
            q.push(counted.clone());
        }
        for _ in 0..30 {
            drop(q.pop());
        }
        assert_eq!(Rc::strong_count(&counted), 71);
        drop(q);
        assert_eq!(Rc::strong_count(&counted), 1);
    }

    #[test]
    fn a_panicking_destructor_does_not_stop_the_others() {
        struct Bomb {
            _held: Rc<()>,
            explode: bool,
        }
        impl Drop for Bomb {
            fn drop(&mut self) {
                if self.explode {
                    panic!("bomb");
                }
            }
        }
        let counted = Rc::new(());
        let q = RunQueue::new();
        for i in 0..10 {
            q.push(Bomb {
                _held: counted.clone(),
                explode: i == 3,
            });
        }
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(q)));
        assert!(result.is_err());
        assert_eq!(Rc::strong_count(&counted), 1);
    }
}
