//! The operating-system layer side by side with tokio's: a `spawn_blocking`
//! round trip, spawning and waiting for 1 000 `true` processes, and signal
//! delivery latency (`kill` of the own process to the listener's wake-up).
//! tokio runs its current-thread runtime (with its own blocking pool).
//!
//! Run with `cargo bench -p goldiloop-benches --bench os`
//! (pin it to one core on a busy machine: `taskset -c 1 cargo bench ...`).

// criterion_group! generates an undocumented pub fn.
#![allow(missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;

const PROCESSES: usize = 1000;

fn tokio_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn kill_self(signum: i32) {
    // SAFETY: the process handles `signum` (a listener was made first).
    unsafe { libc::kill(libc::getpid(), signum) };
}

fn spawn_blocking(c: &mut Criterion) {
    let mut group = c.benchmark_group("spawn_blocking round trip");
    let lp = goldiloop::Loop::new();
    group.bench_function("goldiloop", |b| {
        b.iter(|| {
            lp.run_task(async { goldiloop::spawn_blocking(|| black_box(1)).await })
                .unwrap()
        })
    });
    let rt = tokio_rt();
    group.bench_function("tokio", |b| {
        b.iter(|| {
            rt.block_on(async { tokio::task::spawn_blocking(|| black_box(1)).await })
                .unwrap()
        })
    });
    group.finish();
}

fn processes(c: &mut Criterion) {
    let mut group = c.benchmark_group("spawn and wait 1000 true processes");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    let lp = goldiloop::Loop::new();
    group.bench_function("goldiloop", |b| {
        b.iter(|| {
            lp.run_task(async {
                let mut children = Vec::with_capacity(PROCESSES);
                for _ in 0..PROCESSES {
                    children.push(goldiloop::process::Command::new("true").spawn().unwrap());
                }
                for child in &mut children {
                    assert!(child.wait().await.unwrap().success());
                }
            })
        })
    });
    let rt = tokio_rt();
    group.bench_function("tokio", |b| {
        b.iter(|| {
            rt.block_on(async {
                let mut children = Vec::with_capacity(PROCESSES);
                for _ in 0..PROCESSES {
                    children.push(tokio::process::Command::new("true").spawn().unwrap());
                }
                for child in &mut children {
                    assert!(child.wait().await.unwrap().success());
                }
            })
        })
    });
    group.finish();
}

fn signals(c: &mut Criterion) {
    let mut group = c.benchmark_group("signal kill to listener wake");
    let lp = goldiloop::Loop::new();
    // Each runtime its own signal: both install a process-wide handler.
    let mut usr1 =
        goldiloop::signal::signal(goldiloop::signal::SignalKind::user_defined1()).unwrap();
    group.bench_function("goldiloop", |b| {
        b.iter(|| {
            lp.run_task(async {
                kill_self(libc::SIGUSR1);
                usr1.recv().await
            })
        })
    });
    let rt = tokio_rt();
    let mut usr2 = rt.block_on(async {
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::user_defined2()).unwrap()
    });
    group.bench_function("tokio", |b| {
        b.iter(|| {
            rt.block_on(async {
                kill_self(libc::SIGUSR2);
                usr2.recv().await
            })
        })
    });
    group.finish();
}

/// The file the read benchmark reads: 256 MiB, made once.
fn big_file() -> std::path::PathBuf {
    let path = std::env::temp_dir().join("goldiloop-bench-256m");
    if std::fs::metadata(&path).map(|m| m.len()).ok() != Some(FILE_BYTES as u64) {
        let chunk = vec![0x5a; 1 << 20];
        let mut file = std::fs::File::create(&path).unwrap();
        for _ in 0..FILE_BYTES >> 20 {
            std::io::Write::write_all(&mut file, &chunk).unwrap();
        }
    }
    path
}

const FILE_BYTES: usize = 256 << 20;
const READ_CHUNK: usize = 64 << 10;

fn files(c: &mut Criterion) {
    let path = big_file();
    let mut group = c.benchmark_group("read 256 MiB in 64 KiB chunks");
    group.sample_size(10);
    group.throughput(criterion::Throughput::Bytes(FILE_BYTES as u64));
    let lp = goldiloop::Loop::new();
    group.bench_function("goldiloop", |b| {
        b.iter(|| {
            lp.run_task(async {
                use goldiloop::io::AsyncReadExt;
                let mut file = goldiloop::fs::File::open(&path).await.unwrap();
                let mut buf = vec![0; READ_CHUNK];
                let mut total = 0;
                loop {
                    let n = file.read(&mut buf).await.unwrap();
                    if n == 0 {
                        break total;
                    }
                    total += n;
                }
            })
        })
    });
    let rt = tokio_rt();
    group.bench_function("tokio", |b| {
        b.iter(|| {
            rt.block_on(async {
                use tokio::io::AsyncReadExt;
                let mut file = tokio::fs::File::open(&path).await.unwrap();
                let mut buf = vec![0; READ_CHUNK];
                let mut total = 0;
                loop {
                    let n = file.read(&mut buf).await.unwrap();
                    if n == 0 {
                        break total;
                    }
                    total += n;
                }
            })
        })
    });
    group.finish();
}

criterion_group!(benches, spawn_blocking, processes, signals, files);
criterion_main!(benches);
