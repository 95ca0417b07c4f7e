//! The guards of a [`Mutex`]: borrowed, owned, and their mapped forms.
//!
//! Each guard stands for ownership of the lock's `LOCKED` bit (see
//! `mutex.rs`, # Safety) and gives it back, by `RawMutex::unlock`, when
//! dropped. `map` keeps the lock and narrows the view to a part of the value:
//! the mapped guard holds a pointer to that part, valid while the lock is
//! held and the mutex alive (the borrowed guards borrow the mutex; the owned
//! ones hold an `Arc` of it).

use std::fmt;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};
use std::ptr::{self, NonNull};
use std::sync::Arc;

use crate::mutex::{Mutex, RawMutex};

/// Access to a [`Mutex`]'s value; the lock is released when it is dropped.
///
/// # Examples
///
/// ```
/// use loop_sync::{Mutex, MutexGuard};
///
/// let mutex = Mutex::new(1);
/// let mut guard: MutexGuard<'_, i32> = mutex.try_lock().unwrap();
/// *guard += 1;
/// drop(guard);
/// assert_eq!(mutex.into_inner(), 2);
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct MutexGuard<'a, T: ?Sized> {
    lock: &'a Mutex<T>,
    /// Makes the guard `Sync` only if `T: Sync` (it hands out `&T`), and
    /// `Send` if `T: Send`, as tokio's guard.
    _value: PhantomData<&'a mut T>,
}

impl<'a, T: ?Sized> MutexGuard<'a, T> {
    /// The guard of a lock the caller has just taken.
    pub(crate) fn new(lock: &'a Mutex<T>) -> MutexGuard<'a, T> {
        MutexGuard {
            lock,
            _value: PhantomData,
        }
    }

    /// Keeps the lock but gives access to a part of the value only.
    ///
    /// An associated function (`MutexGuard::map(guard, ...)`), so that it
    /// does not hide a method of `T`. If `f` panics, the lock is released.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::{MappedMutexGuard, Mutex, MutexGuard};
    ///
    /// let mutex = Mutex::new((1, "one"));
    /// let mut first: MappedMutexGuard<'_, i32> =
    ///     MutexGuard::map(mutex.try_lock().unwrap(), |pair| &mut pair.0);
    /// *first += 1;
    /// assert!(mutex.try_lock().is_none());
    /// drop(first);
    /// assert_eq!(mutex.into_inner(), (2, "one"));
    /// ```
    pub fn map<U: ?Sized>(
        mut this: Self,
        f: impl FnOnce(&mut T) -> &mut U,
    ) -> MappedMutexGuard<'a, U> {
        let data = NonNull::from(f(&mut *this));
        let raw = &this.lock.raw;
        std::mem::forget(this);
        MappedMutexGuard {
            raw,
            data,
            _value: PhantomData,
        }
    }

    /// Like [`map`](MutexGuard::map), but `f` may decline, and then the
    /// guard comes back unchanged.
    ///
    /// # Errors
    ///
    /// The original guard, when `f` returns `None`.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::{Mutex, MutexGuard};
    ///
    /// let mutex = Mutex::new(vec![1, 2]);
    /// let guard = mutex.try_lock().unwrap();
    /// let guard = MutexGuard::try_map(guard, |v| v.get_mut(5)).unwrap_err();
    /// let second = MutexGuard::try_map(guard, |v| v.get_mut(1)).unwrap();
    /// assert_eq!(*second, 2);
    /// ```
    pub fn try_map<U: ?Sized>(
        mut this: Self,
        f: impl FnOnce(&mut T) -> Option<&mut U>,
    ) -> Result<MappedMutexGuard<'a, U>, Self> {
        let Some(data) = f(&mut *this).map(NonNull::from) else {
            return Err(this);
        };
        let raw = &this.lock.raw;
        std::mem::forget(this);
        Ok(MappedMutexGuard {
            raw,
            data,
            _value: PhantomData,
        })
    }

    /// The mutex this guard locks.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::{Mutex, MutexGuard};
    ///
    /// let mutex = Mutex::new(1);
    /// let guard = mutex.try_lock().unwrap();
    /// assert!(std::ptr::eq(MutexGuard::mutex(&guard), &mutex));
    /// ```
    pub fn mutex(this: &Self) -> &'a Mutex<T> {
        this.lock
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: this guard owns the lock (mutex.rs, # Safety), so no other
        // reference to the value exists.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`; `&mut self` makes this borrow unique.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        self.lock.raw.unlock();
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

/// A [`MutexGuard`] narrowed by [`MutexGuard::map`] to a part of the value;
/// it holds the lock until dropped.
///
/// # Examples
///
/// ```
/// use loop_sync::{MappedMutexGuard, Mutex, MutexGuard};
///
/// let mutex = Mutex::new([1, 2, 3]);
/// let last: MappedMutexGuard<'_, i32> =
///     MutexGuard::map(mutex.try_lock().unwrap(), |a| &mut a[2]);
/// assert_eq!(*last, 3);
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct MappedMutexGuard<'a, T: ?Sized> {
    raw: &'a RawMutex,
    /// Points into the mutex's value; valid while the lock is held.
    data: NonNull<T>,
    _value: PhantomData<&'a mut T>,
}

// SAFETY: the guard is a unique borrow of a `T` plus a shared borrow of the
// raw lock (which is `Sync`); moving it moves that unique borrow.
unsafe impl<T: ?Sized + Send> Send for MappedMutexGuard<'_, T> {}
// SAFETY: sharing the guard shares `&T`.
unsafe impl<T: ?Sized + Sync> Sync for MappedMutexGuard<'_, T> {}

impl<'a, T: ?Sized> MappedMutexGuard<'a, T> {
    /// Narrows the view further, keeping the lock.
    ///
    /// # Examples
    ///
    /// ```
    /// use loop_sync::{MappedMutexGuard, Mutex, MutexGuard};
    ///
    /// let mutex = Mutex::new(((1, 2), 3));
    /// let inner = MutexGuard::map(mutex.try_lock().unwrap(), |v| &mut v.0);
    /// let two = MappedMutexGuard::map(inner, |v| &mut v.1);
    /// assert_eq!(*two, 2);
    /// ```
    pub fn map<U: ?Sized>(
        mut this: Self,
        f: impl FnOnce(&mut T) -> &mut U,
    ) -> MappedMutexGuard<'a, U> {
        let data = NonNull::from(f(&mut *this));
        let raw = this.raw;
        std::mem::forget(this);
        MappedMutexGuard {
            raw,
            data,
            _value: PhantomData,
        }
    }
}

impl<T: ?Sized> Deref for MappedMutexGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: `data` points into the value of a mutex whose lock this
        // guard owns (mutex.rs, # Safety), borrowed for `'a`.
        unsafe { self.data.as_ref() }
    }
}

impl<T: ?Sized> DerefMut for MappedMutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`; `&mut self` makes this borrow unique.
        unsafe { self.data.as_mut() }
    }
}

impl<T: ?Sized> Drop for MappedMutexGuard<'_, T> {
    fn drop(&mut self) {
        self.raw.unlock();
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MappedMutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// Access to the value of a [`Mutex`] in an `Arc`, holding a clone of the
/// `Arc`; made by [`Mutex::lock_owned`]. The lock is released when dropped.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use loop_sync::{Mutex, OwnedMutexGuard};
///
/// let mutex = Arc::new(Mutex::new(1));
/// let guard: OwnedMutexGuard<i32> = mutex.clone().try_lock_owned().unwrap();
/// let moved = std::thread::spawn(move || *guard + 1).join().unwrap();
/// assert_eq!(moved, 2);
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct OwnedMutexGuard<T: ?Sized> {
    lock: Arc<Mutex<T>>,
}

// SAFETY: the guard owns the lock; moving it moves unique access to the
// value, and the `Arc<Mutex<T>>` it holds is `Send` for `T: Send`.
unsafe impl<T: ?Sized + Send> Send for OwnedMutexGuard<T> {}
// SAFETY: sharing the guard shares `&T`.
unsafe impl<T: ?Sized + Send + Sync> Sync for OwnedMutexGuard<T> {}

impl<T: ?Sized> OwnedMutexGuard<T> {
    /// The guard of a lock the caller has just taken.
    pub(crate) fn new(lock: Arc<Mutex<T>>) -> OwnedMutexGuard<T> {
        OwnedMutexGuard { lock }
    }

    /// Takes the `Arc` out without unlocking.
    fn into_arc(this: Self) -> Arc<Mutex<T>> {
        let this = ManuallyDrop::new(this);
        // SAFETY: `this` is never used or dropped again, so the `Arc` is
        // moved out exactly once.
        unsafe { ptr::read(&this.lock) }
    }

    /// Keeps the lock but gives access to a part of the value only.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use loop_sync::{Mutex, OwnedMappedMutexGuard, OwnedMutexGuard};
    ///
    /// let mutex = Arc::new(Mutex::new((1, 2)));
    /// let guard = mutex.clone().try_lock_owned().unwrap();
    /// let second: OwnedMappedMutexGuard<(i32, i32), i32> =
    ///     OwnedMutexGuard::map(guard, |pair| &mut pair.1);
    /// assert_eq!(*second, 2);
    /// ```
    pub fn map<U: ?Sized>(
        mut this: Self,
        f: impl FnOnce(&mut T) -> &mut U,
    ) -> OwnedMappedMutexGuard<T, U> {
        let data = NonNull::from(f(&mut *this));
        OwnedMappedMutexGuard {
            lock: OwnedMutexGuard::into_arc(this),
            data,
        }
    }

    /// The mutex this guard locks.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use loop_sync::{Mutex, OwnedMutexGuard};
    ///
    /// let mutex = Arc::new(Mutex::new(1));
    /// let guard = mutex.clone().try_lock_owned().unwrap();
    /// assert!(Arc::ptr_eq(OwnedMutexGuard::mutex(&guard), &mutex));
    /// ```
    pub fn mutex(this: &Self) -> &Arc<Mutex<T>> {
        &this.lock
    }
}

impl<T: ?Sized> Deref for OwnedMutexGuard<T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: this guard owns the lock (mutex.rs, # Safety).
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> DerefMut for OwnedMutexGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`; `&mut self` makes this borrow unique.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized> Drop for OwnedMutexGuard<T> {
    fn drop(&mut self) {
        self.lock.raw.unlock();
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for OwnedMutexGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// An [`OwnedMutexGuard`] narrowed by [`OwnedMutexGuard::map`] to a part
/// `U` of the value `T`; it holds the lock (and the `Arc`) until dropped.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use loop_sync::{Mutex, OwnedMappedMutexGuard, OwnedMutexGuard};
///
/// let mutex = Arc::new(Mutex::new(vec![1, 2]));
/// let guard = mutex.try_lock_owned().unwrap();
/// let first: OwnedMappedMutexGuard<Vec<i32>, i32> =
///     OwnedMutexGuard::map(guard, |v| &mut v[0]);
/// assert_eq!(*first, 1);
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct OwnedMappedMutexGuard<T: ?Sized, U: ?Sized = T> {
    lock: Arc<Mutex<T>>,
    /// Points into the mutex's value; valid while the lock is held.
    data: NonNull<U>,
}

// SAFETY: as for `OwnedMutexGuard`, plus unique access to the `U` part.
unsafe impl<T: ?Sized + Send, U: ?Sized + Send> Send for OwnedMappedMutexGuard<T, U> {}
// SAFETY: sharing the guard shares `&U` (and the `Arc`, `Sync` for `T: Send`).
unsafe impl<T: ?Sized + Send, U: ?Sized + Send + Sync> Sync for OwnedMappedMutexGuard<T, U> {}

impl<T: ?Sized, U: ?Sized> OwnedMappedMutexGuard<T, U> {
    /// Narrows the view further, keeping the lock.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use loop_sync::{Mutex, OwnedMappedMutexGuard, OwnedMutexGuard};
    ///
    /// let mutex = Arc::new(Mutex::new(((1, 2), 3)));
    /// let inner = OwnedMutexGuard::map(mutex.try_lock_owned().unwrap(), |v| &mut v.0);
    /// let one = OwnedMappedMutexGuard::map(inner, |v| &mut v.0);
    /// assert_eq!(*one, 1);
    /// ```
    pub fn map<V: ?Sized>(
        mut this: Self,
        f: impl FnOnce(&mut U) -> &mut V,
    ) -> OwnedMappedMutexGuard<T, V> {
        let data = NonNull::from(f(&mut *this));
        let this = ManuallyDrop::new(this);
        // SAFETY: `this` is never used or dropped again, so the `Arc` is
        // moved out exactly once.
        let lock = unsafe { ptr::read(&this.lock) };
        OwnedMappedMutexGuard { lock, data }
    }
}

impl<T: ?Sized, U: ?Sized> Deref for OwnedMappedMutexGuard<T, U> {
    type Target = U;

    fn deref(&self) -> &U {
        // SAFETY: `data` points into the value of the mutex this guard keeps
        // alive and whose lock it owns (mutex.rs, # Safety).
        unsafe { self.data.as_ref() }
    }
}

impl<T: ?Sized, U: ?Sized> DerefMut for OwnedMappedMutexGuard<T, U> {
    fn deref_mut(&mut self) -> &mut U {
        // SAFETY: as in `deref`; `&mut self` makes this borrow unique.
        unsafe { self.data.as_mut() }
    }
}

impl<T: ?Sized, U: ?Sized> Drop for OwnedMappedMutexGuard<T, U> {
    fn drop(&mut self) {
        self.lock.raw.unlock();
    }
}

impl<T: ?Sized, U: ?Sized + fmt::Debug> fmt::Debug for OwnedMappedMutexGuard<T, U> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
