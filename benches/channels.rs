//! loop-sync's channels side by side with the crates users would pick
//! instead, each on its own executor's single-thread runtime:
//!
//! - `unbounded_1m`: 1 000 000 messages from one producer task to one
//!   consumer task on one loop: goldiloop's `unbounded` against tokio's
//!   `mpsc::unbounded_channel` (current-thread runtime) and async-channel's
//!   `unbounded` (smol's `LocalExecutor`);
//! - `broadcast_100x10k`: one sender task, 100 receiver tasks, 10 000
//!   messages each receiver must all see (capacity 1024, the sender yields
//!   every 64 messages, no receiver lags: each run asserts it): goldiloop's
//!   `broadcast` against tokio's `broadcast` and async-broadcast (on smol);
//! - `watch_100k_10rx`: 100 000 updates, the sender yielding after each, and
//!   10 receiver tasks waiting for changes: goldiloop's `watch` against
//!   tokio's `watch` (async-channel and async-broadcast have none).
//!
//! Run with `taskset -c 1 cargo bench -p goldiloop-benches --bench channels`
//! (pinned to one core: the machine is shared and noisy).

// criterion_group! generates an undocumented pub fn.
#![allow(missing_docs)]

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;

const MESSAGES: u64 = 1_000_000;
const RECEIVERS: usize = 100;
const BROADCASTS: u64 = 10_000;
const BROADCAST_CAPACITY: usize = 1024;
/// The broadcast sender yields after this many messages.
const BURST: u64 = 64;
const UPDATES: u64 = 100_000;
const WATCHERS: usize = 10;

mod goldi {
    use super::*;
    use goldiloop::{Loop, interrupt};
    use loop_sync::broadcast::RecvError;
    use loop_sync::{broadcast, unbounded, watch};

    pub(super) fn unbounded_messages(messages: u64) -> u64 {
        let lp = Loop::new();
        let (tx, mut rx) = unbounded();
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

    pub(super) fn broadcast_fan_out(receivers: usize, messages: u64) -> u64 {
        let lp = Loop::new();
        let (tx, rx) = broadcast(BROADCAST_CAPACITY);
        let handles: Vec<_> = (0..receivers)
            .map(|_| {
                let mut rx = rx.resubscribe();
                lp.add_task(async move {
                    let mut count = 0u64;
                    loop {
                        match rx.recv().await {
                            Ok(i) => count += u64::from(black_box(i) < messages),
                            Err(RecvError::Closed) => return count,
                            Err(RecvError::Lagged(n)) => panic!("lagged by {n}"),
                        }
                    }
                })
            })
            .collect();
        drop(rx);
        drop(lp.add_task(async move {
            for i in 0..messages {
                tx.send(i).unwrap();
                if i % BURST == BURST - 1 {
                    interrupt().await;
                }
            }
        }));
        lp.run_task(async move {
            let mut total = 0;
            for handle in handles {
                let count = handle.await.unwrap();
                assert_eq!(count, messages);
                total += count;
            }
            total
        })
    }

    pub(super) fn watch_updates(watchers: usize, updates: u64) -> u64 {
        let lp = Loop::new();
        let (tx, rx) = watch(0u64);
        let handles: Vec<_> = (0..watchers)
            .map(|_| {
                let mut rx = rx.clone();
                lp.add_task(async move {
                    let mut wakes = 0u64;
                    while rx.changed().await.is_ok() {
                        black_box(*rx.borrow_and_update());
                        wakes += 1;
                    }
                    assert_eq!(*rx.borrow(), updates);
                    wakes
                })
            })
            .collect();
        drop(rx);
        drop(lp.add_task(async move {
            for i in 1..=updates {
                tx.send(i).unwrap();
                interrupt().await;
            }
        }));
        lp.run_task(async move {
            let mut total = 0;
            for handle in handles {
                total += handle.await.unwrap();
            }
            total
        })
    }
}

mod tokio_rt {
    use super::*;
    use tokio::sync::{broadcast, mpsc, watch};
    use tokio::task::yield_now;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
    }

    pub(super) fn unbounded_messages(messages: u64) -> u64 {
        runtime().block_on(async {
            let (tx, mut rx) = mpsc::unbounded_channel();
            tokio::spawn(async move {
                for i in 0..messages {
                    tx.send(i).unwrap();
                }
            });
            let mut sum = 0;
            while let Some(i) = rx.recv().await {
                sum += i;
            }
            sum
        })
    }

    pub(super) fn broadcast_fan_out(receivers: usize, messages: u64) -> u64 {
        runtime().block_on(async {
            let (tx, rx) = broadcast::channel(BROADCAST_CAPACITY);
            let handles: Vec<_> = (0..receivers)
                .map(|_| {
                    let mut rx = rx.resubscribe();
                    tokio::spawn(async move {
                        let mut count = 0u64;
                        loop {
                            match rx.recv().await {
                                Ok(i) => count += u64::from(black_box(i) < messages),
                                Err(broadcast::error::RecvError::Closed) => return count,
                                Err(broadcast::error::RecvError::Lagged(n)) => {
                                    panic!("lagged by {n}")
                                }
                            }
                        }
                    })
                })
                .collect();
            drop(rx);
            tokio::spawn(async move {
                for i in 0..messages {
                    tx.send(i).unwrap();
                    if i % BURST == BURST - 1 {
                        yield_now().await;
                    }
                }
            });
            let mut total = 0;
            for handle in handles {
                let count = handle.await.unwrap();
                assert_eq!(count, messages);
                total += count;
            }
            total
        })
    }

    pub(super) fn watch_updates(watchers: usize, updates: u64) -> u64 {
        runtime().block_on(async {
            let (tx, rx) = watch::channel(0u64);
            let handles: Vec<_> = (0..watchers)
                .map(|_| {
                    let mut rx = rx.clone();
                    tokio::spawn(async move {
                        let mut wakes = 0u64;
                        while rx.changed().await.is_ok() {
                            black_box(*rx.borrow_and_update());
                            wakes += 1;
                        }
                        assert_eq!(*rx.borrow(), updates);
                        wakes
                    })
                })
                .collect();
            drop(rx);
            tokio::spawn(async move {
                for i in 1..=updates {
                    tx.send(i).unwrap();
                    yield_now().await;
                }
            });
            let mut total = 0;
            for handle in handles {
                total += handle.await.unwrap();
            }
            total
        })
    }
}

mod smol_rt {
    use super::*;
    use futures_lite::future::{block_on, yield_now};
    use smol::LocalExecutor;

    pub(super) fn unbounded_messages(messages: u64) -> u64 {
        let ex = LocalExecutor::new();
        block_on(ex.run(async {
            let (tx, rx) = async_channel::unbounded();
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

    pub(super) fn broadcast_fan_out(receivers: usize, messages: u64) -> u64 {
        let ex = LocalExecutor::new();
        block_on(ex.run(async {
            let (tx, rx) = async_broadcast::broadcast(BROADCAST_CAPACITY);
            let handles: Vec<_> = (0..receivers)
                .map(|_| {
                    let mut rx = rx.new_receiver();
                    ex.spawn(async move {
                        let mut count = 0u64;
                        loop {
                            match rx.recv().await {
                                Ok(i) => count += u64::from(black_box(i) < messages),
                                Err(async_broadcast::RecvError::Closed) => return count,
                                Err(async_broadcast::RecvError::Overflowed(n)) => {
                                    panic!("lagged by {n}")
                                }
                            }
                        }
                    })
                })
                .collect();
            drop(rx);
            ex.spawn(async move {
                for i in 0..messages {
                    tx.broadcast(i).await.unwrap();
                    if i % BURST == BURST - 1 {
                        yield_now().await;
                    }
                }
            })
            .detach();
            let mut total = 0;
            for handle in handles {
                let count = handle.await;
                assert_eq!(count, messages);
                total += count;
            }
            total
        }))
    }
}

fn unbounded(c: &mut Criterion) {
    let mut g = c.benchmark_group("unbounded_1m");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    g.bench_function(BenchmarkId::from_parameter("goldiloop"), |b| {
        b.iter(|| black_box(goldi::unbounded_messages(MESSAGES)))
    });
    g.bench_function(BenchmarkId::from_parameter("tokio"), |b| {
        b.iter(|| black_box(tokio_rt::unbounded_messages(MESSAGES)))
    });
    g.bench_function(BenchmarkId::from_parameter("async_channel_smol"), |b| {
        b.iter(|| black_box(smol_rt::unbounded_messages(MESSAGES)))
    });
    g.finish();
}

fn broadcast(c: &mut Criterion) {
    let mut g = c.benchmark_group("broadcast_100x10k");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    g.bench_function(BenchmarkId::from_parameter("goldiloop"), |b| {
        b.iter(|| black_box(goldi::broadcast_fan_out(RECEIVERS, BROADCASTS)))
    });
    g.bench_function(BenchmarkId::from_parameter("tokio"), |b| {
        b.iter(|| black_box(tokio_rt::broadcast_fan_out(RECEIVERS, BROADCASTS)))
    });
    g.bench_function(BenchmarkId::from_parameter("async_broadcast_smol"), |b| {
        b.iter(|| black_box(smol_rt::broadcast_fan_out(RECEIVERS, BROADCASTS)))
    });
    g.finish();
}

fn watch(c: &mut Criterion) {
    let mut g = c.benchmark_group("watch_100k_10rx");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    g.bench_function(BenchmarkId::from_parameter("goldiloop"), |b| {
        b.iter(|| black_box(goldi::watch_updates(WATCHERS, UPDATES)))
    });
    g.bench_function(BenchmarkId::from_parameter("tokio"), |b| {
        b.iter(|| black_box(tokio_rt::watch_updates(WATCHERS, UPDATES)))
    });
    g.finish();
}

criterion_group!(benches, unbounded, broadcast, watch);
criterion_main!(benches);
