//! Timers side by side: goldiloop's loop-time, tokio's current-thread runtime
//! (`tokio::time`) and smol (`async_io::Timer` with the `or` idiom from its
//! docs), on the same workloads in one run. Prints a Markdown table of
//! medians over several rounds (the runtimes take turns within each round,
//! so a noisy neighbour hurts all three alike):
//!
//! - `timeout register+cancel`: 1 000 000 timeouts around a pending future,
//!   each polled once (so its timer is registered), then all dropped; time
//!   per timeout.
//! - `timeout ready`: 1 000 000 timeouts around an already-ready future,
//!   awaited one after the other; time per timeout.
//! - `100k sleeps CPU`: 100 000 tasks each sleeping a pseudo-random duration
//!   below 100 ms; process CPU time (user + system, `getrusage`) for the run.
//! - `lateness`: 500 sequential sleeps of 0-2 ms; how late each one wakes,
//!   median and p99.
//!
//! Run with `cargo bench -p goldiloop-benches --bench time`
//! (pin it to one core on a busy machine: `taskset -c 1 cargo bench ...`).

use std::future::{Future, pending, poll_fn, ready};
use std::hint::black_box;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

const TIMEOUTS: usize = 1_000_000;
const SLEEPERS: usize = 100_000;
const SPREAD_US: u64 = 100_000;
const LATENESS_SLEEPS: usize = 500;
const ROUNDS: usize = 7;
const LIMIT: Duration = Duration::from_secs(60);

/// A small deterministic pseudo-random sequence (an LCG).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

/// Polls every future once, in place; each must be pending.
fn poll_each_once<F: Future>(futures: &mut [F], cx: &mut Context<'_>) {
    for future in futures.iter_mut() {
        // SAFETY: the futures live in a vector that is neither resized nor
        // moved from here until its elements are dropped in place.
        let future = unsafe { Pin::new_unchecked(future) };
        assert!(future.poll(cx).is_pending());
    }
}

/// Process CPU time so far (user + system, every thread).
fn cpu_time() -> Duration {
    // SAFETY: `getrusage` fills the zeroed struct we pass and keeps no pointer.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        assert_eq!(libc::getrusage(libc::RUSAGE_SELF, &mut usage), 0);
        usage
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// The durations of the lateness workload, the same for every runtime.
fn lateness_durations() -> Vec<Duration> {
    let mut rng = Lcg(7);
    (0..LATENESS_SLEEPS)
        .map(|_| Duration::from_micros(rng.next() % 2_000))
        .collect()
}

/// The sleepers' durations, the same for every runtime.
fn sleeper_durations() -> Vec<Duration> {
    let mut rng = Lcg(42);
    (0..SLEEPERS)
        .map(|_| Duration::from_micros(rng.next() % SPREAD_US))
        .collect()
}

mod goldi {
    use super::*;
    use goldiloop::Loop;
    use loop_time::{sleep, sleep_until, timeout};

    pub(super) fn register_cancel(n: usize) -> Duration {
        Loop::new().run_task(async {
            let start = Instant::now();
            let mut timeouts: Vec<_> = (0..n).map(|_| timeout(LIMIT, pending::<()>())).collect();
            poll_fn(|cx| {
                poll_each_once(&mut timeouts, cx);
                Poll::Ready(())
            })
            .await;
            drop(timeouts);
            assert_eq!(loop_time::timer_count(), 0);
            start.elapsed()
        })
    }

    pub(super) fn ready_timeouts(n: usize) -> Duration {
        Loop::new().run_task(async {
            let start = Instant::now();
            for i in 0..n {
                black_box(timeout(black_box(LIMIT), ready(i)).await.unwrap());
            }
            start.elapsed()
        })
    }

    pub(super) fn sleepers(durations: &[Duration]) -> Duration {
        let lp = Loop::new();
        let start = cpu_time();
        for &d in durations {
            drop(lp.add_task(sleep(d)));
        }
        lp.run();
        cpu_time() - start
    }

    pub(super) fn lateness(durations: &[Duration]) -> Vec<Duration> {
        Loop::new().run_task(async {
            let mut late = Vec::with_capacity(durations.len());
            for &d in durations {
                let deadline = Instant::now() + d;
                sleep_until(deadline).await;
                late.push(Instant::now() - deadline);
            }
            late
        })
    }
}

mod tokio_rt {
    use super::*;
    use tokio::time::{sleep, sleep_until, timeout};

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
    }

    pub(super) fn register_cancel(n: usize) -> Duration {
        runtime().block_on(async {
            let start = Instant::now();
            let mut timeouts: Vec<_> = (0..n).map(|_| timeout(LIMIT, pending::<()>())).collect();
            poll_fn(|cx| {
                poll_each_once(&mut timeouts, cx);
                Poll::Ready(())
            })
            .await;
            drop(timeouts);
            start.elapsed()
        })
    }

    pub(super) fn ready_timeouts(n: usize) -> Duration {
        runtime().block_on(async {
            let start = Instant::now();
            for i in 0..n {
                black_box(timeout(black_box(LIMIT), ready(i)).await.unwrap());
            }
            start.elapsed()
        })
    }

    pub(super) fn sleepers(durations: &[Duration]) -> Duration {
        let rt = runtime();
        let start = cpu_time();
        rt.block_on(async {
            let handles: Vec<_> = durations.iter().map(|&d| tokio::spawn(sleep(d))).collect();
            for h in handles {
                h.await.unwrap();
            }
        });
        cpu_time() - start
    }

    pub(super) fn lateness(durations: &[Duration]) -> Vec<Duration> {
        runtime().block_on(async {
            let mut late = Vec::with_capacity(durations.len());
            for &d in durations {
                let deadline = Instant::now() + d;
                sleep_until(deadline.into()).await;
                late.push(Instant::now() - deadline);
            }
            late
        })
    }
}

mod smol_rt {
    use super::*;
    use futures_lite::FutureExt;
    use futures_lite::future::block_on;
    use smol::{LocalExecutor, Timer};

    /// async-io's documented timeout idiom.
    async fn timeout<F: Future>(limit: Duration, future: F) -> Result<F::Output, ()> {
        async { Ok(future.await) }
            .or(async {
                Timer::after(limit).await;
                Err(())
            })
            .await
    }

    pub(super) fn register_cancel(n: usize) -> Duration {
        block_on(async {
            let start = Instant::now();
            let mut timeouts: Vec<_> = (0..n).map(|_| timeout(LIMIT, pending::<()>())).collect();
            poll_fn(|cx| {
                poll_each_once(&mut timeouts, cx);
                Poll::Ready(())
            })
            .await;
            drop(timeouts);
            start.elapsed()
        })
    }

    pub(super) fn ready_timeouts(n: usize) -> Duration {
        block_on(async {
            let start = Instant::now();
            for i in 0..n {
                black_box(timeout(black_box(LIMIT), ready(i)).await.unwrap());
            }
            start.elapsed()
        })
    }

    pub(super) fn sleepers(durations: &[Duration]) -> Duration {
        let ex = LocalExecutor::new();
        let start = cpu_time();
        block_on(ex.run(async {
            let handles: Vec<_> = durations
                .iter()
                .map(|&d| {
                    ex.spawn(async move {
                        Timer::after(d).await;
                    })
                })
                .collect();
            for h in handles {
                h.await;
            }
        }));
        cpu_time() - start
    }

    pub(super) fn lateness(durations: &[Duration]) -> Vec<Duration> {
        block_on(async {
            let mut late = Vec::with_capacity(durations.len());
            for &d in durations {
                let deadline = Instant::now() + d;
                Timer::at(deadline).await;
                late.push(Instant::now() - deadline);
            }
            late
        })
    }
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i]
}

/// One row: a workload measured `ROUNDS` times on each runtime, in turns.
fn row(name: &str, unit: &str, per: f64, fs: [&dyn Fn() -> Duration; 3]) {
    let mut samples = [Vec::new(), Vec::new(), Vec::new()];
    for f in fs {
        f(); // warm-up
    }
    for _ in 0..ROUNDS {
        for (f, s) in fs.iter().zip(&mut samples) {
            s.push(f());
        }
    }
    let [g, t, s] = samples.map(|s| median(s).as_secs_f64() / per);
    let scale = if unit == "ns" { 1e9 } else { 1e3 };
    println!(
        "| {name} | {:.1} {unit} | {:.1} {unit} | {:.1} {unit} | {:.2}x |",
        g * scale,
        t * scale,
        s * scale,
        g / t.min(s)
    );
}

fn main() {
    // `cargo bench` passes `--bench`; a filter or `--test` run does nothing.
    if std::env::args().any(|a| a == "--test") {
        return;
    }
    println!("| workload | goldiloop | tokio | smol | goldiloop / fastest other |");
    println!("|---|---:|---:|---:|---:|");
    let n = TIMEOUTS as f64;
    row(
        "1M timeouts registered, then cancelled (per op)",
        "ns",
        n,
        [
            &|| goldi::register_cancel(TIMEOUTS),
            &|| tokio_rt::register_cancel(TIMEOUTS),
            &|| smol_rt::register_cancel(TIMEOUTS),
        ],
    );
    row(
        "1M timeouts around a ready future (per op)",
        "ns",
        n,
        [
            &|| goldi::ready_timeouts(TIMEOUTS),
            &|| tokio_rt::ready_timeouts(TIMEOUTS),
            &|| smol_rt::ready_timeouts(TIMEOUTS),
        ],
    );
    let durations = sleeper_durations();
    row(
        "100k sleeps over 100 ms (process CPU time)",
        "ms",
        1.0,
        [
            &|| goldi::sleepers(&durations),
            &|| tokio_rt::sleepers(&durations),
            &|| smol_rt::sleepers(&durations),
        ],
    );
    let durations = lateness_durations();
    let late = [
        goldi::lateness(&durations),
        tokio_rt::lateness(&durations),
        smol_rt::lateness(&durations),
    ]
    .map(|mut l| {
        l.sort();
        l
    });
    for (name, p) in [("median", 0.5), ("p99", 0.99)] {
        let [g, t, s] = late
            .each_ref()
            .map(|l| percentile(l, p).as_secs_f64() * 1e6);
        println!(
            "| lateness of 500 sleeps of 0-2 ms, {name} | {g:.0} µs | {t:.0} µs | {s:.0} µs | {:.2}x |",
            g / t.min(s)
        );
    }
}
