//! loop-sync side by side: `gather` against futures-util's `join_all` on the
//! same goldiloop loop and tokio's `JoinSet`; a `Waiter` releasing 10 000
//! waiting tasks; a bounded channel carrying 1 000 000 messages against
//! tokio's `mpsc` on its current-thread runtime and smol's channel.
//!
//! Run with `cargo bench -p goldiloop-benches --bench sync`
//! (pin it to one core on a busy machine: `taskset -c 1 cargo bench ...`).

// criterion_group! generates an undocumented pub fn.
#![allow(missing_docs)]

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;

const GATHERED: usize = 100_000;
const WAITERS: usize = 10_000;
const MESSAGES: u64 = 1_000_000;
const CAPACITY: usize = 1024;

mod goldi {
    use goldiloop::{Loop, interrupt};
    use loop_sync::{Waiter, channel, gather};

    pub(super) fn gather_yield_once(n: usize) -> usize {
        let lp = Loop::new();
        lp.run_task(async {
            let futures = (0..n).map(|i| async move {
                interrupt().await;
                i
            });
            gather(futures).await.len()
        })
    }

    pub(super) fn join_all_yield_once(n: usize) -> usize {
        let lp = Loop::new();
        lp.run_task(async {
            let futures = (0..n).map(|i| async move {
                interrupt().await;
                i
            });
            futures_util::future::join_all(futures).await.len()
        })
    }

    pub(super) fn waiter_release(n: usize) {
        let lp = Loop::new();
        let waiter = Waiter::new(1);
        for _ in 0..n {
            drop(lp.add_task(waiter.clone().wait()));
        }
        // Every task runs once and waits; then one `set` releases them all.
        lp.run_task(interrupt());
        waiter.set();
        lp.run();
    }

    pub(super) fn channel_messages(messages: u64, capacity: usize) -> u64 {
        let lp = Loop::new();
        let (tx, mut rx) = channel(capacity);
        drop(lp.add_task(async move {
            for i in 0..messages {
                tx.send(i).await.unwrap();
            }
        }));
        lp.run_task(async move {
            let mut sum = 0;
            while let Some(i) = rx.recv().await {
                sum += i;
            }
            sum
        })
    }
}

mod tokio_rt {
    use std::pin::pin;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::sync::{Notify, mpsc};
    use tokio::task::{JoinSet, yield_now};

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
    }

    pub(super) fn join_set_yield_once(n: usize) -> usize {
        runtime().block_on(async {
            let mut set = JoinSet::new();
            for i in 0..n {
                set.spawn(async move {
                    yield_now().await;
                    i
                });
            }
            let mut count = 0;
            while let Some(done) = set.join_next().await {
                done.unwrap();
                count += 1;
            }
            count
        })
    }

    pub(super) fn notify_release(n: usize) {
        runtime().block_on(async {
            let notify = Arc::new(Notify::new());
            let waiting = Arc::new(AtomicUsize::new(0));
            let mut set = JoinSet::new();
            for _ in 0..n {
                let (notify, waiting) = (notify.clone(), waiting.clone());
                set.spawn(async move {
                    let mut notified = pin!(notify.notified());
                    notified.as_mut().enable();
                    waiting.fetch_add(1, Ordering::Relaxed);
                    notified.await
                });
            }
            // Every task runs and waits; then one call releases them all.
            while waiting.load(Ordering::Relaxed) < n {
                yield_now().await;
            }
            notify.notify_waiters();
            while let Some(done) = set.join_next().await {
                done.unwrap();
            }
        })
    }

    pub(super) fn channel_messages(messages: u64, capacity: usize) -> u64 {
        runtime().block_on(async {
            let (tx, mut rx) = mpsc::channel(capacity);
            tokio::spawn(async move {
                for i in 0..messages {
                    tx.send(i).await.unwrap();
                }
            });
            let mut sum = 0;
            while let Some(i) = rx.recv().await {
                sum += i;
            }
            sum
        })
    }
}

mod smol_rt {
    use futures_lite::future::block_on;
    use smol::LocalExecutor;

    pub(super) fn channel_messages(messages: u64, capacity: usize) -> u64 {
        let ex = LocalExecutor::new();
        block_on(ex.run(async {
            let (tx, rx) = smol::channel::bounded(capacity);
            ex.spawn(async move {
                for i in 0..messages {
                    tx.send(i).await.unwrap();
                }
            })
            .detach();
            let mut sum = 0;
            while let Ok(i) = rx.recv().await {
                sum += i;
            }
            sum
        }))
    }
}

fn gather(c: &mut Criterion) {
    let mut g = c.benchmark_group("gather_100k_yield_once");
    g.sample_size(20).measurement_time(Duration::from_secs(4));
    g.bench_function(BenchmarkId::from_parameter("goldiloop"), |b| {
        b.iter(|| black_box(goldi::gather_yield_once(GATHERED)))
    });
    g.bench_function(BenchmarkId::from_parameter("join_all_on_goldiloop"), |b| {
        b.iter(|| black_box(goldi::join_all_yield_once(GATHERED)))
    });
    g.bench_function(BenchmarkId::from_parameter("tokio"), |b| {
        b.iter(|| black_box(tokio_rt::join_set_yield_once(GATHERED)))
    });
    g.finish();
}

fn waiter(c: &mut Criterion) {
    let mut g = c.benchmark_group("waiter_release_10k");
    g.sample_size(20).measurement_time(Duration::from_secs(4));
    g.bench_function(BenchmarkId::from_parameter("goldiloop"), |b| {
        b.iter(|| goldi::waiter_release(WAITERS))
    });
    g.bench_function(BenchmarkId::from_parameter("tokio"), |b| {
        b.iter(|| tokio_rt::notify_release(WAITERS))
    });
    g.finish();
}

fn channel(c: &mut Criterion) {
    let mut g = c.benchmark_group("channel_1m_messages");
    g.sample_size(10).measurement_time(Duration::from_secs(6));
    g.bench_function(BenchmarkId::from_parameter("goldiloop"), |b| {
        b.iter(|| black_box(goldi::channel_messages(MESSAGES, CAPACITY)))
    });
    g.bench_function(BenchmarkId::from_parameter("tokio"), |b| {
        b.iter(|| black_box(tokio_rt::channel_messages(MESSAGES, CAPACITY)))
    });
    g.bench_function(BenchmarkId::from_parameter("smol"), |b| {
        b.iter(|| black_box(smol_rt::channel_messages(MESSAGES, CAPACITY)))
    });
    g.finish();
}

criterion_group!(benches, gather, waiter, channel);
criterion_main!(benches);
