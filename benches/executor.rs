//! The executor side by side: goldiloop's `Loop`, tokio's current-thread
//! runtime with a `LocalSet`, and smol's `LocalExecutor`, on the same workloads
//! in one run.
//!
//! Run with `cargo bench -p goldiloop-benches --bench executor`
//! (pin it to one core on a busy machine: `taskset -c 1 cargo bench ...`).

// criterion_group! generates an undocumented pub fn.
#![allow(missing_docs)]

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;

const SPAWNS: usize = 100_000;
const PING_PONG_YIELDS: usize = 100_000;
const MANY_TASKS: usize = 1_000;
const MANY_YIELDS: usize = 1_000;

mod goldi {
    use goldiloop::{Loop, interrupt};

    pub(super) fn spawn_await(n: usize) -> usize {
        let lp = Loop::new();
        lp.run_task(async {
            let handles: Vec<_> = (0..n).map(|i| lp.add_task(async move { i })).collect();
            let mut sum = 0;
            for h in handles {
                sum += h.await.unwrap();
            }
            sum
        })
    }

    pub(super) fn yields(tasks: usize, yields: usize) {
        let lp = Loop::new();
        for _ in 0..tasks {
            drop(lp.add_task(async move {
                for _ in 0..yields {
                    interrupt().await;
                }
            }));
        }
        lp.run();
    }
}

mod tokio_rt {
    use tokio::task::{LocalSet, spawn_local, yield_now};

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
    }

    pub(super) fn spawn_await(n: usize) -> usize {
        LocalSet::new().block_on(&runtime(), async {
            let handles: Vec<_> = (0..n).map(|i| spawn_local(async move { i })).collect();
            let mut sum = 0;
            for h in handles {
                sum += h.await.unwrap();
            }
            sum
        })
    }

    pub(super) fn yields(tasks: usize, yields: usize) {
        LocalSet::new().block_on(&runtime(), async {
            let handles: Vec<_> = (0..tasks)
                .map(|_| {
                    spawn_local(async move {
                        for _ in 0..yields {
                            yield_now().await;
                        }
                    })
                })
                .collect();
            for h in handles {
                h.await.unwrap();
            }
        })
    }
}

mod smol_rt {
    use futures_lite::future::{block_on, yield_now};
    use smol::LocalExecutor;

    pub(super) fn spawn_await(n: usize) -> usize {
        let ex = LocalExecutor::new();
        block_on(ex.run(async {
            let handles: Vec<_> = (0..n).map(|i| ex.spawn(async move { i })).collect();
            let mut sum = 0;
            for h in handles {
                sum += h.await;
            }
            sum
        }))
    }

    pub(super) fn yields(tasks: usize, yields: usize) {
        let ex = LocalExecutor::new();
        block_on(ex.run(async {
            let handles: Vec<_> = (0..tasks)
                .map(|_| {
                    ex.spawn(async move {
                        for _ in 0..yields {
                            yield_now().await;
                        }
                    })
                })
                .collect();
            for h in handles {
                h.await;
            }
        }))
    }
}

fn spawn_await(c: &mut Criterion) {
    let mut g = c.benchmark_group("spawn_await_100k");
    g.sample_size(20).measurement_time(Duration::from_secs(4));
    g.bench_function(BenchmarkId::from_parameter("goldiloop"), |b| {
        b.iter(|| black_box(goldi::spawn_await(SPAWNS)))
    });
    g.bench_function(BenchmarkId::from_parameter("tokio"), |b| {
        b.iter(|| black_box(tokio_rt::spawn_await(SPAWNS)))
    });
    g.bench_function(BenchmarkId::from_parameter("smol"), |b| {
        b.iter(|| black_box(smol_rt::spawn_await(SPAWNS)))
    });
    g.finish();
}

fn ping_pong(c: &mut Criterion) {
    let mut g = c.benchmark_group("ping_pong_2x100k");
    g.sample_size(20).measurement_time(Duration::from_secs(4));
    g.bench_function(BenchmarkId::from_parameter("goldiloop"), |b| {
        b.iter(|| goldi::yields(2, PING_PONG_YIELDS))
    });
    g.bench_function(BenchmarkId::from_parameter("tokio"), |b| {
        b.iter(|| tokio_rt::yields(2, PING_PONG_YIELDS))
    });
    g.bench_function(BenchmarkId::from_parameter("smol"), |b| {
        b.iter(|| smol_rt::yields(2, PING_PONG_YIELDS))
    });
    g.finish();
}

fn many_yields(c: &mut Criterion) {
    let mut g = c.benchmark_group("yield_1000x1000");
    g.sample_size(10).measurement_time(Duration::from_secs(6));
    g.bench_function(BenchmarkId::from_parameter("goldiloop"), |b| {
        b.iter(|| goldi::yields(MANY_TASKS, MANY_YIELDS))
    });
    g.bench_function(BenchmarkId::from_parameter("tokio"), |b| {
        b.iter(|| tokio_rt::yields(MANY_TASKS, MANY_YIELDS))
    });
    g.bench_function(BenchmarkId::from_parameter("smol"), |b| {
        b.iter(|| smol_rt::yields(MANY_TASKS, MANY_YIELDS))
    });
    g.finish();
}

criterion_group!(benches, spawn_await, ping_pong, many_yields);
criterion_main!(benches);
