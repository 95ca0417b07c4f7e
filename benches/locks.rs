//! loop-sync's locks and oneshot side by side with tokio's, async-lock's
//! and futures-channel's, every one driven by the same goldiloop loop (so
//! the rows compare the primitives, not the executors; tokio's cooperative
//! budget is not active outside a tokio runtime, goldiloop's is):
//!
//! - `mutex_uncontended`: one task, 1 000 × (lock, touch, unlock);
//! - `mutex_contended`: 100 tasks × 1 000 locks of one mutex, each holding
//!   it across a yield every 8th time, so others queue behind it;
//! - `rwlock_90_10`: 100 tasks × 1 000 operations, 9 reads to 1 write,
//!   holding across a yield every 8th time;
//! - `oneshot`: one task, 1 000 × (create, send, receive).
//!
//! Run with `cargo bench -p goldiloop-benches --bench locks`
//! (pin it to one core on a busy machine: `taskset -c 1 cargo bench ...`).

// criterion_group! generates an undocumented pub fn.
#![allow(missing_docs)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use goldiloop::{Loop, interrupt};

const OPS: u64 = 1_000;
const TASKS: u64 = 100;
/// A task holds the lock across a yield once every this many operations.
const HOLD_EVERY: u64 = 8;

/// One lock under test: how to lock it for writing and for reading.
trait Lockable: Send + Sync + 'static {
    fn new() -> Self;
    async fn with_write(&self, f: impl FnOnce(&mut u64), hold: bool);
    async fn with_read(&self, f: impl FnOnce(&u64), hold: bool);
}

impl Lockable for loop_sync::Mutex<u64> {
    fn new() -> Self {
        loop_sync::Mutex::new(0)
    }
    async fn with_write(&self, f: impl FnOnce(&mut u64), hold: bool) {
        let mut guard = self.lock().await;
        f(&mut guard);
        if hold {
            interrupt().await;
        }
    }
    async fn with_read(&self, f: impl FnOnce(&u64), hold: bool) {
        self.with_write(|v| f(v), hold).await;
    }
}

impl Lockable for tokio::sync::Mutex<u64> {
    fn new() -> Self {
        tokio::sync::Mutex::new(0)
    }
    async fn with_write(&self, f: impl FnOnce(&mut u64), hold: bool) {
        let mut guard = self.lock().await;
        f(&mut guard);
        if hold {
            interrupt().await;
        }
    }
    async fn with_read(&self, f: impl FnOnce(&u64), hold: bool) {
        self.with_write(|v| f(v), hold).await;
    }
}

impl Lockable for async_lock::Mutex<u64> {
    fn new() -> Self {
        async_lock::Mutex::new(0)
    }
    async fn with_write(&self, f: impl FnOnce(&mut u64), hold: bool) {
        let mut guard = self.lock().await;
        f(&mut guard);
        if hold {
            interrupt().await;
        }
    }
    async fn with_read(&self, f: impl FnOnce(&u64), hold: bool) {
        self.with_write(|v| f(v), hold).await;
    }
}

impl Lockable for loop_sync::RwLock<u64> {
    fn new() -> Self {
        loop_sync::RwLock::new(0)
    }
    async fn with_write(&self, f: impl FnOnce(&mut u64), hold: bool) {
        let mut guard = self.write().await;
        f(&mut guard);
        if hold {
            interrupt().await;
        }
    }
    async fn with_read(&self, f: impl FnOnce(&u64), hold: bool) {
        let guard = self.read().await;
        f(&guard);
        if hold {
            interrupt().await;
        }
    }
}

impl Lockable for tokio::sync::RwLock<u64> {
    fn new() -> Self {
        tokio::sync::RwLock::new(0)
    }
    async fn with_write(&self, f: impl FnOnce(&mut u64), hold: bool) {
        let mut guard = self.write().await;
        f(&mut guard);
        if hold {
            interrupt().await;
        }
    }
    async fn with_read(&self, f: impl FnOnce(&u64), hold: bool) {
        let guard = self.read().await;
        f(&guard);
        if hold {
            interrupt().await;
        }
    }
}

impl Lockable for async_lock::RwLock<u64> {
    fn new() -> Self {
        async_lock::RwLock::new(0)
    }
    async fn with_write(&self, f: impl FnOnce(&mut u64), hold: bool) {
        let mut guard = self.write().await;
        f(&mut guard);
        if hold {
            interrupt().await;
        }
    }
    async fn with_read(&self, f: impl FnOnce(&u64), hold: bool) {
        let guard = self.read().await;
        f(&guard);
        if hold {
            interrupt().await;
        }
    }
}

/// One task, `OPS` uncontended lock + unlock.
fn uncontended<L: Lockable>(lp: &Loop, lock: &L) {
    lp.run_task(async {
        for _ in 0..OPS {
            lock.with_write(|v| *black_box(v) += 1, false).await;
        }
    });
}

/// `TASKS` tasks, `OPS` operations each: `reads_in_ten` of every ten read,
/// the rest write; every `HOLD_EVERY`-th holds the lock across a yield.
/// Returns the number of writes, read back at the end.
fn contended<L: Lockable>(lp: &Loop, reads_in_ten: u64) -> u64 {
    let lock = Arc::new(L::new());
    for t in 0..TASKS {
        let lock = lock.clone();
        drop(lp.add_task(async move {
            for i in 0..OPS {
                let hold = (i + t) % HOLD_EVERY == 0;
                if (i + t) % 10 < reads_in_ten {
                    lock.with_read(
                        |v| {
                            black_box(*v);
                        },
                        hold,
                    )
                    .await;
                } else {
                    lock.with_write(|v| *v += 1, hold).await;
                }
            }
        }));
    }
    lp.run();
    let mut total = 0;
    lp.run_task(lock.with_read(|v| total = *v, false));
    total
}

fn mutex_uncontended(c: &mut Criterion) {
    let lp = Loop::new();
    let mut group = c.benchmark_group("mutex_uncontended_1000");
    group.bench_function("goldiloop", |b| {
        let lock = <loop_sync::Mutex<u64> as Lockable>::new();
        b.iter(|| uncontended(&lp, &lock));
    });
    group.bench_function("tokio", |b| {
        let lock = <tokio::sync::Mutex<u64> as Lockable>::new();
        b.iter(|| uncontended(&lp, &lock));
    });
    group.bench_function("async_lock", |b| {
        let lock = <async_lock::Mutex<u64> as Lockable>::new();
        b.iter(|| uncontended(&lp, &lock));
    });
    group.finish();
}

fn mutex_contended(c: &mut Criterion) {
    let lp = Loop::new();
    let mut group = c.benchmark_group("mutex_contended_100x1000");
    group.sample_size(20);
    let writes = TASKS * OPS;
    group.bench_function("goldiloop", |b| {
        b.iter(|| assert_eq!(contended::<loop_sync::Mutex<u64>>(&lp, 0), writes));
    });
    group.bench_function("tokio", |b| {
        b.iter(|| assert_eq!(contended::<tokio::sync::Mutex<u64>>(&lp, 0), writes));
    });
    group.bench_function("async_lock", |b| {
        b.iter(|| assert_eq!(contended::<async_lock::Mutex<u64>>(&lp, 0), writes));
    });
    group.finish();
}

fn rwlock_90_10(c: &mut Criterion) {
    let lp = Loop::new();
    let mut group = c.benchmark_group("rwlock_90_10_100x1000");
    group.sample_size(20);
    let writes = TASKS * OPS / 10;
    group.bench_function("goldiloop", |b| {
        b.iter(|| assert_eq!(contended::<loop_sync::RwLock<u64>>(&lp, 9), writes));
    });
    group.bench_function("tokio", |b| {
        b.iter(|| assert_eq!(contended::<tokio::sync::RwLock<u64>>(&lp, 9), writes));
    });
    group.bench_function("async_lock", |b| {
        b.iter(|| assert_eq!(contended::<async_lock::RwLock<u64>>(&lp, 9), writes));
    });
    group.finish();
}

fn oneshot(c: &mut Criterion) {
    let lp = Loop::new();
    let mut group = c.benchmark_group("oneshot_1000");
    group.bench_function("goldiloop", |b| {
        b.iter(|| {
            lp.run_task(async {
                for i in 0..OPS {
                    let (tx, rx) = loop_sync::oneshot::channel();
                    tx.send(black_box(i)).unwrap();
                    black_box(rx.await.unwrap());
                }
            })
        });
    });
    group.bench_function("tokio", |b| {
        b.iter(|| {
            lp.run_task(async {
                for i in 0..OPS {
                    let (tx, rx) = tokio::sync::oneshot::channel();
                    tx.send(black_box(i)).unwrap();
                    black_box(rx.await.unwrap());
                }
            })
        });
    });
    group.bench_function("futures_channel", |b| {
        b.iter(|| {
            lp.run_task(async {
                for i in 0..OPS {
                    let (tx, rx) = futures_channel::oneshot::channel();
                    tx.send(black_box(i)).unwrap();
                    black_box(rx.await.unwrap());
                }
            })
        });
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = mutex_uncontended, mutex_contended, rwlock_90_10, oneshot
}
criterion_main!(benches);
