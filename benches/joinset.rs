//! `JoinSet` side by side: goldiloop's on its `Loop`, and tokio's on a
//! current-thread runtime with a `LocalSet`, in one run: spawn 100 000
//! trivial tasks into a set, then `join_next` them all.
//!
//! Run with `taskset -c 1 cargo bench -p goldiloop-benches --bench joinset`
//! (pinned to one core, as on a busy machine the unpinned figures wander).

// criterion_group! generates an undocumented pub fn.
#![allow(missing_docs)]

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;

const TASKS: usize = 100_000;

async fn goldi_spawn_join(n: usize) -> usize {
    let mut set = goldiloop::JoinSet::new();
    for i in 0..n {
        set.spawn(async move { i });
    }
    let mut sum = 0;
    while let Some(out) = set.join_next().await {
        sum += out.unwrap();
    }
    sum
}

async fn tokio_spawn_join(n: usize) -> usize {
    let mut set = tokio::task::JoinSet::new();
    for i in 0..n {
        set.spawn_local(async move { i });
    }
    let mut sum = 0;
    while let Some(out) = set.join_next().await {
        sum += out.unwrap();
    }
    sum
}

fn spawn_join_next(c: &mut Criterion) {
    let mut g = c.benchmark_group("joinset_spawn_join_next_100k");
    g.sample_size(20).measurement_time(Duration::from_secs(4));
    g.bench_function(BenchmarkId::from_parameter("goldiloop"), |b| {
        let lp = goldiloop::Loop::new();
        b.iter(|| black_box(lp.run_task(goldi_spawn_join(TASKS))))
    });
    g.bench_function(BenchmarkId::from_parameter("tokio"), |b| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let local = tokio::task::LocalSet::new();
        b.iter(|| black_box(local.block_on(&rt, tokio_spawn_join(TASKS))))
    });
    g.finish();
}

criterion_group!(benches, spawn_join_next);
criterion_main!(benches);
