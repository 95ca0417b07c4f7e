//! The guards of an [`RwLock`]: read and write, borrowed and owned, mapped.
//!
//! A read guard stands for one reader counted in the lock's state word, a
//! write guard for its `WRITER` bit (see `rwlock.rs`, # Safety); dropping a
//! guard gives that back (`RawRwLock::unlock_read` / `unlock_write`), which
//! lets in whoever waits next. Mapped guards hold a pointer into the value,
//! valid while the lock is held and the `RwLock` alive (borrowed for `'a`, or
//! kept alive by an `Arc`).

use std::fmt;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};
use std::ptr::{self, NonNull};
use std::sync::Arc;

use crate::rwlock::{RawRwLock, RwLock};

/// Shared access to an [`RwLock`]'s value; the reader leaves when dropped.
///
/// # Examples
///
/// ```
/// use loop_sync::{RwLock, RwLockReadGuard};
///
/// let lock = RwLock::new(1);
/// let a: RwLockReadGuard<'_, i32> = lock.try_read().unwrap();
/// let b = lock.try_read().unwrap();
/// assert_eq!(*a + *b, 2);
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RwLockReadGuard<'a, T: ?Sized> {
    raw: &'a RawRwLock,
    /// Points into the lock's value; valid while this reader is counted.
    data: NonNull<T>,
    _value: PhantomData<&'a T>,
}

// SAFETY: the guard is a shared borrow of a `T` (and of the `Sync` raw
// lock): moving or sharing it shares `&T` across threads, which needs `Sync`.
unsafe impl<T: ?Sized + Sync> Send for RwLockReadGuard<'_, T> {}
// SAFETY: as above.
unsafe impl<T: ?Sized + Sync> Sync for RwLockReadGuard<'_, T> {}

impl<'a, T: ?Sized> RwLockReadGuard<'a, T> {
    /// The guard of a reader the caller has just counted.
    pub(crate) fn new(lock: &'a RwLock<T>) -> RwLockReadGuard<'a, T> {
        RwLockReadGuard {
            raw: &lock.raw,
            // SAFETY: a pointer from `UnsafeCell::get` on a live cell is not null.
            data: unsafe { NonNull::new_unchecked(lock.data.get()) },
            _value: PhantomData,
        }
    }

    /// Keeps reading but gives access to a part of the value only.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::{RwLock, RwLockReadGuard};
    ///
    /// let lock = RwLock::new((1, "one"));
    /// let name = RwLockReadGuard::map(lock.try_read().unwrap(), |pair| &pair.1);
    /// assert_eq!(*name, "one");
    /// ```
    pub fn map<U: ?Sized>(this: Self, f: impl FnOnce(&T) -> &U) -> RwLockReadGuard<'a, U> {
        let data = NonNull::from(f(&*this));
        let raw = this.raw;
        std::mem::forget(this);
        RwLockReadGuard {
            raw,
            data,
            _value: PhantomData,
        }
    }
}

impl<T: ?Sized> Deref for RwLockReadGuard<'_, T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: this guard is a counted reader (rwlock.rs, # Safety), so no
        // `&mut` to the value exists; `data` points into it, borrowed for `'a`.
        unsafe { self.data.as_ref() }
    }
}

impl<T: ?Sized> Drop for RwLockReadGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        self.raw.unlock_read();
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// Unique access to an [`RwLock`]'s value; the writer leaves when dropped.
///
/// # Examples
///
/// ```
/// use loop_sync::{RwLock, RwLockWriteGuard};
///
/// let lock = RwLock::new(1);
/// let mut w: RwLockWriteGuard<'_, i32> = lock.try_write().unwrap();
/// *w = 5;
/// drop(w);
/// assert_eq!(lock.into_inner(), 5);
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RwLockWriteGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
    _value: PhantomData<&'a mut T>,
}

impl<'a, T: ?Sized> RwLockWriteGuard<'a, T> {
    /// The guard of the writer the caller has just become.
    pub(crate) fn new(lock: &'a RwLock<T>) -> RwLockWriteGuard<'a, T> {
        RwLockWriteGuard {
            lock,
            _value: PhantomData,
        }
    }

    /// Keeps writing but gives access to a part of the value only.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::{RwLock, RwLockWriteGuard};
    ///
    /// let lock = RwLock::new((1, 2));
    /// let mut second = RwLockWriteGuard::map(lock.try_write().unwrap(), |p| &mut p.1);
    /// *second = 3;
    /// drop(second);
    /// assert_eq!(lock.into_inner(), (1, 3));
    /// ```
    pub fn map<U: ?Sized>(
        mut this: Self,
        f: impl FnOnce(&mut T) -> &mut U,
    ) -> RwLockMappedWriteGuard<'a, U> {
        let data = NonNull::from(f(&mut *this));
        let raw = &this.lock.raw;
        std::mem::forget(this);
        RwLockMappedWriteGuard {
            raw,
            data,
            _value: PhantomData,
        }
    }
}

impl<T: ?Sized> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: this guard owns `WRITER` (rwlock.rs, # Safety): no other
        // reference to the value exists.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> DerefMut for RwLockWriteGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`; `&mut self` makes this borrow unique.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized> Drop for RwLockWriteGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        self.lock.raw.unlock_write();
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// A [`RwLockWriteGuard`] narrowed by [`RwLockWriteGuard::map`] to a part of
/// the value; it holds the lock until dropped.
///
/// # Examples
///
/// ```
/// use loop_sync::{RwLock, RwLockMappedWriteGuard, RwLockWriteGuard};
///
/// let lock = RwLock::new([1, 2]);
/// let first: RwLockMappedWriteGuard<'_, i32> =
///     RwLockWriteGuard::map(lock.try_write().unwrap(), |a| &mut a[0]);
/// assert_eq!(*first, 1);
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RwLockMappedWriteGuard<'a, T: ?Sized> {
    raw: &'a RawRwLock,
    /// Points into the lock's value; valid while `WRITER` is held.
    data: NonNull<T>,
    _value: PhantomData<&'a mut T>,
}

// SAFETY: a unique borrow of `T` plus a shared borrow of the `Sync` raw lock.
unsafe impl<T: ?Sized + Send> Send for RwLockMappedWriteGuard<'_, T> {}
// SAFETY: sharing the guard shares `&T`.
unsafe impl<T: ?Sized + Sync> Sync for RwLockMappedWriteGuard<'_, T> {}

impl<T: ?Sized> Deref for RwLockMappedWriteGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: this guard owns `WRITER` (rwlock.rs, # Safety), and `data`
        // points into the value, borrowed for `'a`.
        unsafe { self.data.as_ref() }
    }
}

impl<T: ?Sized> DerefMut for RwLockMappedWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`; `&mut self` makes this borrow unique.
        unsafe { self.data.as_mut() }
    }
}

impl<T: ?Sized> Drop for RwLockMappedWriteGuard<'_, T> {
    fn drop(&mut self) {
        self.raw.unlock_write();
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockMappedWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// Shared access to the value `T` of an [`RwLock`] in an `Arc` (or to a part
/// `U` of it, after [`map`](OwnedRwLockReadGuard::map)); holds a clone of the
/// `Arc`. Made by [`RwLock::read_owned`].
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use loop_sync::{OwnedRwLockReadGuard, RwLock};
///
/// let lock = Arc::new(RwLock::new(1));
/// let guard: OwnedRwLockReadGuard<i32> = lock.try_read_owned().unwrap();
/// assert_eq!(*guard, 1);
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct OwnedRwLockReadGuard<T: ?Sized, U: ?Sized = T> {
    lock: Arc<RwLock<T>>,
    /// Points into the lock's value; valid while this reader is counted.
    data: NonNull<U>,
}

// SAFETY: the guard shares `&U` and holds an `Arc<RwLock<T>>`, which is
// `Send + Sync` for `T: Send + Sync`.
unsafe impl<T: ?Sized + Send + Sync, U: ?Sized + Sync> Send for OwnedRwLockReadGuard<T, U> {}
// SAFETY: as above.
unsafe impl<T: ?Sized + Send + Sync, U: ?Sized + Sync> Sync for OwnedRwLockReadGuard<T, U> {}

impl<T: ?Sized> OwnedRwLockReadGuard<T> {
    /// The guard of a reader the caller has just counted.
    pub(crate) fn new(lock: Arc<RwLock<T>>) -> OwnedRwLockReadGuard<T> {
        // SAFETY: a pointer from `UnsafeCell::get` on a live cell is not null.
        let data = unsafe { NonNull::new_unchecked(lock.data.get()) };
        OwnedRwLockReadGuard { lock, data }
    }
}

impl<T: ?Sized, U: ?Sized> OwnedRwLockReadGuard<T, U> {
    /// Keeps reading but gives access to a part of the value only.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use loop_sync::{OwnedRwLockReadGuard, RwLock};
    ///
    /// let lock = Arc::new(RwLock::new((1, 2)));
    /// let second: OwnedRwLockReadGuard<(i32, i32), i32> =
    ///     OwnedRwLockReadGuard::map(lock.try_read_owned().unwrap(), |p| &p.1);
    /// assert_eq!(*second, 2);
    /// ```
    pub fn map<V: ?Sized>(this: Self, f: impl FnOnce(&U) -> &V) -> OwnedRwLockReadGuard<T, V> {
        let data = NonNull::from(f(&*this));
        let this = ManuallyDrop::new(this);
        // SAFETY: `this` is never used or dropped again, so the `Arc` is
        // moved out exactly once.
        let lock = unsafe { ptr::read(&this.lock) };
        OwnedRwLockReadGuard { lock, data }
    }
}

impl<T: ?Sized, U: ?Sized> Deref for OwnedRwLockReadGuard<T, U> {
    type Target = U;

    fn deref(&self) -> &U {
        // SAFETY: this guard is a counted reader of the lock it keeps alive
        // (rwlock.rs, # Safety); `data` points into its value.
        unsafe { self.data.as_ref() }
    }
}

impl<T: ?Sized, U: ?Sized> Drop for OwnedRwLockReadGuard<T, U> {
    fn drop(&mut self) {
        self.lock.raw.unlock_read();
    }
}

impl<T: ?Sized, U: ?Sized + fmt::Debug> fmt::Debug for OwnedRwLockReadGuard<T, U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// Unique access to the value of an [`RwLock`] in an `Arc`; holds a clone of
/// the `Arc`. Made by [`RwLock::write_owned`].
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use loop_sync::{OwnedRwLockWriteGuard, RwLock};
///
/// let lock = Arc::new(RwLock::new(1));
/// let mut guard: OwnedRwLockWriteGuard<i32> = lock.clone().try_write_owned().unwrap();
/// *guard = 2;
/// drop(guard);
/// assert_eq!(*lock.try_read().unwrap(), 2);
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct OwnedRwLockWriteGuard<T: ?Sized> {
    lock: Arc<RwLock<T>>,
}

impl<T: ?Sized> OwnedRwLockWriteGuard<T> {
    /// The guard of the writer the caller has just become.
    pub(crate) fn new(lock: Arc<RwLock<T>>) -> OwnedRwLockWriteGuard<T> {
        OwnedRwLockWriteGuard { lock }
    }

    /// Keeps writing but gives access to a part of the value only.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use loop_sync::{OwnedRwLockWriteGuard, RwLock};
    ///
    /// let lock = Arc::new(RwLock::new((1, 2)));
    /// let guard = lock.clone().try_write_owned().unwrap();
    /// let mut first = OwnedRwLockWriteGuard::map(guard, |p| &mut p.0);
    /// *first = 7;
    /// drop(first);
    /// assert_eq!(*lock.try_read().unwrap(), (7, 2));
    /// ```
    pub fn map<U: ?Sized>(
        mut this: Self,
        f: impl FnOnce(&mut T) -> &mut U,
    ) -> OwnedRwLockMappedWriteGuard<T, U> {
        let data = NonNull::from(f(&mut *this));
        let this = ManuallyDrop::new(this);
        // SAFETY: `this` is never used or dropped again, so the `Arc` is
        // moved out exactly once.
        let lock = unsafe { ptr::read(&this.lock) };
        OwnedRwLockMappedWriteGuard { lock, data }
    }
}

impl<T: ?Sized> Deref for OwnedRwLockWriteGuard<T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: this guard owns `WRITER` (rwlock.rs, # Safety).
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> DerefMut for OwnedRwLockWriteGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`; `&mut self` makes this borrow unique.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized> Drop for OwnedRwLockWriteGuard<T> {
    fn drop(&mut self) {
        self.lock.raw.unlock_write();
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for OwnedRwLockWriteGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// An [`OwnedRwLockWriteGuard`] narrowed by [`OwnedRwLockWriteGuard::map`]
/// to a part `U` of the value `T`.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use loop_sync::{OwnedRwLockMappedWriteGuard, OwnedRwLockWriteGuard, RwLock};
///
/// let lock = Arc::new(RwLock::new(vec![1]));
/// let first: OwnedRwLockMappedWriteGuard<Vec<i32>, i32> =
///     OwnedRwLockWriteGuard::map(lock.try_write_owned().unwrap(), |v| &mut v[0]);
/// assert_eq!(*first, 1);
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct OwnedRwLockMappedWriteGuard<T: ?Sized, U: ?Sized = T> {
    lock: Arc<RwLock<T>>,
    /// Points into the lock's value; valid while `WRITER` is held.
    data: NonNull<U>,
}

// SAFETY: unique access to `U`, and an `Arc<RwLock<T>>` (`Send + Sync` for
// `T: Send + Sync`).
unsafe impl<T: ?Sized + Send + Sync, U: ?Sized + Send> Send for OwnedRwLockMappedWriteGuard<T, U> {}
// SAFETY: sharing the guard shares `&U`.
unsafe impl<T: ?Sized + Send + Sync, U: ?Sized + Sync> Sync for OwnedRwLockMappedWriteGuard<T, U> {}

impl<T: ?Sized, U: ?Sized> Deref for OwnedRwLockMappedWriteGuard<T, U> {
    type Target = U;

    fn deref(&self) -> &U {
        // SAFETY: this guard owns `WRITER` of the lock it keeps alive
        // (rwlock.rs, # Safety); `data` points into its value.
        unsafe { self.data.as_ref() }
    }
}

impl<T: ?Sized, U: ?Sized> DerefMut for OwnedRwLockMappedWriteGuard<T, U> {
    fn deref_mut(&mut self) -> &mut U {
        // SAFETY: as in `deref`; `&mut self` makes this borrow unique.
        unsafe { self.data.as_mut() }
    }
}

impl<T: ?Sized, U: ?Sized> Drop for OwnedRwLockMappedWriteGuard<T, U> {
    fn drop(&mut self) {
        self.lock.raw.unlock_write();
    }
}

impl<T: ?Sized, U: ?Sized + fmt::Debug> fmt::Debug for OwnedRwLockMappedWriteGuard<T, U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
