//! `task_local!`: a value that belongs to one task's future, across its awaits.
//!
//! # How it works
//!
//! A key is a thread-local `RefCell<Option<T>>`, empty outside any scope.
//! [`LocalKey::scope`] wraps a future in a [`TaskLocalFuture`] that owns the
//! value; each time it is polled it *swaps* its value into the thread-local,
//! polls the inner future, and swaps it back out (a guard does the swap back,
//! so it happens on a panic too). Between polls the value lives in the
//! future, not in the thread: two tasks with the same key each carry their
//! own, and whatever task the loop polls next sees its own value or none.
//! Nesting works the same way: an inner scope swaps the outer value out for
//! the time of its poll and back in after it.
//!
//! Nothing here knows about the loop: any executor that polls the future on
//! one thread at a time gets the same behaviour.

use std::cell::RefCell;
use std::error::Error;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::messages;

/// Declares task-local keys: `static NAME: Type;`, each a [`LocalKey`].
///
/// A value is set for the time a future runs with
/// [`LocalKey::scope`] (or a closure with [`LocalKey::sync_scope`]) and read
/// inside it with [`LocalKey::with`], [`LocalKey::try_with`] or
/// [`LocalKey::get`].
///
/// # Examples
///
/// ```
/// use loop_core::{Loop, interrupt, spawn, task_local};
///
/// task_local! {
///     /// The id of the request a task serves.
///     static REQUEST: u32;
/// }
///
/// let lp = Loop::new();
/// let seen = lp.run_task(async {
///     let a = spawn(REQUEST.scope(1, async { interrupt().await; REQUEST.get() }));
///     let b = spawn(REQUEST.scope(2, async { interrupt().await; REQUEST.get() }));
///     (a.await.unwrap(), b.await.unwrap())
/// });
/// assert_eq!(seen, (1, 2));
/// ```
#[macro_export]
macro_rules! task_local {
    () => {};
    ($(#[$attr:meta])* $vis:vis static $name:ident: $ty:ty; $($rest:tt)*) => {
        $crate::__task_local_key!($(#[$attr])* $vis $name, $ty);
        $crate::task_local!($($rest)*);
    };
    ($(#[$attr:meta])* $vis:vis static $name:ident: $ty:ty) => {
        $crate::__task_local_key!($(#[$attr])* $vis $name, $ty);
    };
}

/// One key of [`task_local!`]; not public API.
#[doc(hidden)]
#[macro_export]
macro_rules! __task_local_key {
    ($(#[$attr:meta])* $vis:vis $name:ident, $ty:ty) => {
        $(#[$attr])*
        $vis static $name: $crate::LocalKey<$ty> = {
            ::std::thread_local! {
                static SLOT: ::std::cell::RefCell<::std::option::Option<$ty>> =
                    const { ::std::cell::RefCell::new(::std::option::Option::None) };
            }
            $crate::LocalKey::__new(&SLOT, ::std::stringify!($name))
        };
    };
}

/// A task-local key, declared with [`task_local!`].
///
/// # Examples
///
/// ```
/// loop_core::task_local! { static DEPTH: usize; }
///
/// DEPTH.sync_scope(1, || {
///     assert_eq!(DEPTH.get(), 1);
///     DEPTH.sync_scope(2, || assert_eq!(DEPTH.get(), 2));
///     assert_eq!(DEPTH.get(), 1);
/// });
/// assert!(DEPTH.try_with(|_| ()).is_err());
/// ```
#[doc(alias = "ContextVar")]
pub struct LocalKey<T: 'static> {
    slot: &'static std::thread::LocalKey<RefCell<Option<T>>>,
    name: &'static str,
}

impl<T: 'static> LocalKey<T> {
    /// Used by [`task_local!`]; not public API.
    #[doc(hidden)]
    pub const fn __new(
        slot: &'static std::thread::LocalKey<RefCell<Option<T>>>,
        name: &'static str,
    ) -> LocalKey<T> {
        LocalKey { slot, name }
    }

    /// Runs `future` with the key set to `value` while it is polled (across
    /// its awaits), and gives its output.
    ///
    /// The value is set only while the returned future is polled or dropped,
    /// and the previous value (of an outer scope, or none) is put back after
    /// each poll, also when the poll panics.
    ///
    /// # Panics
    ///
    /// The returned future panics if polled inside a [`with`](LocalKey::with)
    /// closure of the same key.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_core::{Loop, interrupt, task_local};
    ///
    /// task_local! { static USER: String; }
    ///
    /// let name = Loop::new().run_task(USER.scope("ada".to_string(), async {
    ///     interrupt().await;
    ///     USER.with(|user| user.clone())
    /// }));
    /// assert_eq!(name, "ada");
    /// ```
    pub fn scope<F: Future>(&'static self, value: T, future: F) -> TaskLocalFuture<T, F> {
        TaskLocalFuture {
            key: self,
            value: Some(value),
            future: Some(future),
        }
    }

    /// Runs `f` with the key set to `value`, and gives its result; the
    /// previous value is put back afterwards, also if `f` panics.
    ///
    /// # Panics
    ///
    /// If called inside a [`with`](LocalKey::with) closure of the same key,
    /// and if `f` panics.
    ///
    /// # Examples
    ///
    /// ```
    /// loop_core::task_local! { static LEVEL: u8; }
    ///
    /// assert_eq!(LEVEL.sync_scope(3, || LEVEL.get() * 2), 6);
    /// ```
    #[track_caller]
    pub fn sync_scope<R>(&'static self, value: T, f: impl FnOnce() -> R) -> R {
        let mut value = Some(value);
        self.enter(&mut value, f)
    }

    /// Swaps `value` in for the time of `f`, and back out after it.
    #[track_caller]
    fn enter<R>(&'static self, value: &mut Option<T>, f: impl FnOnce() -> R) -> R {
        /// Swaps the value back out, on return or unwind.
        struct Restore<'a, T: 'static> {
            key: &'static LocalKey<T>,
            value: &'a mut Option<T>,
        }
        impl<T: 'static> Drop for Restore<'_, T> {
            fn drop(&mut self) {
                // Cannot fail: `enter` borrowed the cell mutably a moment ago,
                // and every `with` borrow taken since has ended.
                self.key
                    .slot
                    .with(|cell| std::mem::swap(&mut *cell.borrow_mut(), self.value));
            }
        }

        self.slot.with(|cell| match cell.try_borrow_mut() {
            Ok(mut slot) => std::mem::swap(&mut *slot, value),
            Err(_) => panic!(
                "{} (key `{}`)",
                messages::TASK_LOCAL_SCOPE_IN_WITH,
                self.name
            ),
        });
        let _restore = Restore { key: self, value };
        f()
    }

    /// Calls `f` with a reference to the key's value in the current scope.
    ///
    /// # Panics
    ///
    /// Outside a [`scope`](LocalKey::scope) or
    /// [`sync_scope`](LocalKey::sync_scope) of this key; use
    /// [`try_with`](LocalKey::try_with) to get an error instead.
    ///
    /// # Examples
    ///
    /// ```
    /// loop_core::task_local! { static NAMES: Vec<&'static str>; }
    ///
    /// NAMES.sync_scope(vec!["a", "b"], || {
    ///     assert_eq!(NAMES.with(|names| names.len()), 2);
    /// });
    /// ```
    #[track_caller]
    pub fn with<R>(&'static self, f: impl FnOnce(&T) -> R) -> R {
        match self.try_with(f) {
            Ok(r) => r,
            Err(AccessError { .. }) => {
                panic!(
                    "{} (key `{}`)",
                    messages::TASK_LOCAL_OUTSIDE_SCOPE,
                    self.name
                )
            }
        }
    }

    /// Calls `f` with a reference to the key's value, or gives an
    /// [`AccessError`] outside a scope of this key.
    ///
    /// # Errors
    ///
    /// [`AccessError`] if the key has no value here (no scope of it is
    /// running on this thread, or the thread is being torn down).
    ///
    /// # Examples
    ///
    /// ```
    /// loop_core::task_local! { static ID: u64; }
    ///
    /// assert!(ID.try_with(|id| *id).is_err());
    /// assert_eq!(ID.sync_scope(9, || ID.try_with(|id| *id)), Ok(9));
    /// ```
    pub fn try_with<R>(&'static self, f: impl FnOnce(&T) -> R) -> Result<R, AccessError> {
        let mut f = Some(f);
        let mut out = None;
        self.slot
            .try_with(|cell| {
                if let Some(value) = &*cell.borrow() {
                    out = f.take().map(|f| f(value));
                }
            })
            .map_err(|_| AccessError { _private: () })?;
        out.ok_or(AccessError { _private: () })
    }
}

impl<T: Copy + 'static> LocalKey<T> {
    /// A copy of the key's value in the current scope.
    ///
    /// # Panics
    ///
    /// Outside a scope of this key, as [`with`](LocalKey::with).
    ///
    /// # Examples
    ///
    /// ```
    /// loop_core::task_local! { static SHARD: u16; }
    ///
    /// assert_eq!(SHARD.sync_scope(4, || SHARD.get()), 4);
    /// ```
    #[track_caller]
    pub fn get(&'static self) -> T {
        self.with(|value| *value)
    }
}

impl<T: 'static> fmt::Debug for LocalKey<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalKey")
            .field("name", &self.name)
            .finish()
    }
}

/// The future of [`LocalKey::scope`]: the inner future, run with the key set.
///
/// Dropping it drops the inner future with the key still set, so the inner
/// future's destructors see the value too.
#[must_use = "futures do nothing unless polled"]
pub struct TaskLocalFuture<T: 'static, F> {
    key: &'static LocalKey<T>,
    /// The value, here between polls and in the thread-local during them.
    value: Option<T>,
    /// Structurally pinned; `None` once it has been dropped.
    future: Option<F>,
}

impl<T: 'static, F: Future> Future for TaskLocalFuture<T, F> {
    type Output = F::Output;

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `future` is structurally pinned: it is never moved out of
        // `self` (it is dropped in place, in `Drop`, or replaced by `None`
        // through a `Pin`), and `value` and `key` are not pinned.
        let this = unsafe { self.get_unchecked_mut() };
        let key = this.key;
        let future = &mut this.future;
        key.enter(&mut this.value, || {
            let Some(future) = future.as_mut() else {
                unreachable!("the inner future is taken only by `drop`");
            };
            // SAFETY: `future` is structurally pinned (above) and `self` is
            // pinned.
            unsafe { Pin::new_unchecked(future) }.poll(cx)
        })
    }
}

impl<T: 'static, F> Drop for TaskLocalFuture<T, F> {
    fn drop(&mut self) {
        if self.future.is_none() {
            return;
        }
        let future = &mut self.future;
        let can_enter = (self.key.slot)
            .try_with(|cell| cell.try_borrow_mut().is_ok())
            .unwrap_or(false);
        if can_enter {
            self.key.enter(&mut self.value, || {
                // SAFETY: dropping in place through the pin keeps the
                // structural pinning promise of `poll`.
                unsafe { Pin::new_unchecked(future) }.set(None);
            });
        }
        // Otherwise (inside a `with` of this key, or while the thread is torn
        // down) the field's own drop glue drops the inner future in place,
        // without the value.
    }
}

impl<T: 'static, F> fmt::Debug for TaskLocalFuture<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskLocalFuture")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

/// A task-local key was read where no scope of it runs.
///
/// # Examples
///
/// ```
/// loop_core::task_local! { static KEY: u8; }
///
/// let err = KEY.try_with(|_| ()).unwrap_err();
/// assert!(err.to_string().contains("scope"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccessError {
    _private: (),
}

impl fmt::Display for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task-local value read outside a `scope` of its key")
    }
}

impl Error for AccessError {}
