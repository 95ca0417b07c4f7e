//! The thread-local "current loop", the talk's `Loop.current`.
//!
//! `CURRENT` holds a pointer to the `Core` of the loop running on this thread,
//! or null. It is set only by an [`Enter`] guard, which keeps an `Rc<Core>`
//! alive for as long as the pointer is set and restores the previous value when
//! it is dropped (unwinding included). That is the invariant every `unsafe`
//! dereference of the pointer below relies on.

use std::cell::Cell;
use std::ptr;
use std::rc::Rc;

use crate::messages;
use crate::scheduler::Core;

thread_local! {
    static CURRENT: Cell<*const Core> = const { Cell::new(ptr::null()) };
}

/// Makes a loop current on this thread for as long as the guard lives.
pub(crate) struct Enter {
    core: Rc<Core>,
    previous: *const Core,
}

impl Enter {
    /// Enters `core` to run it. Panics if a loop already runs on this thread.
    #[track_caller]
    pub(crate) fn run(core: &Rc<Core>) -> Enter {
        if !CURRENT.get().is_null() {
            panic!("{}", messages::NESTED_RUN);
        }
        Enter::replace(core)
    }

    /// Makes `core` current whatever was current before (used while a loop is
    /// dropped, so that destructors of its tasks still see their loop).
    pub(crate) fn replace(core: &Rc<Core>) -> Enter {
        let previous = CURRENT.replace(Rc::as_ptr(core));
        Enter {
            core: core.clone(),
            previous,
        }
    }
}

impl Drop for Enter {
    fn drop(&mut self) {
        debug_assert!(ptr::eq(CURRENT.get(), Rc::as_ptr(&self.core)));
        CURRENT.set(self.previous);
    }
}

/// Calls `f` with the loop current on this thread, if any.
#[inline]
pub(crate) fn with_current<R>(f: impl FnOnce(Option<&Core>) -> R) -> R {
    let ptr = CURRENT.get();
    // SAFETY: a non-null `CURRENT` points into an `Rc<Core>` that the `Enter`
    // guard which set it keeps alive until it resets the pointer (module docs);
    // `f` cannot outlive this call, so neither does the reference.
    f(unsafe { ptr.as_ref() })
}

/// A strong reference to the loop current on this thread, if any.
pub(crate) fn current() -> Option<Rc<Core>> {
    let ptr = CURRENT.get();
    if ptr.is_null() {
        return None;
    }
    // SAFETY: `ptr` came from `Rc::as_ptr` on an `Rc<Core>` that is alive
    // (module docs), so adding one strong count and adopting it is sound.
    unsafe {
        Rc::increment_strong_count(ptr);
        Some(Rc::from_raw(ptr))
    }
}
