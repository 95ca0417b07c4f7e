//! `Mutex`, `RwLock`, `oneshot` and `Barrier` need only std wakers: they
//! work under tokio's multi-threaded runtime, with tasks on several threads.

use std::sync::Arc;

use loop_sync::{Barrier, Mutex, RwLock, oneshot};
use tokio::task::yield_now;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap()
}

#[test]
fn a_mutex_serialises_tokio_tasks_that_yield_while_holding_it() {
    runtime().block_on(async {
        let mutex = Arc::new(Mutex::new((0u64, false)));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let mutex = mutex.clone();
                tokio::spawn(async move {
                    for i in 0..500 {
                        let mut guard = mutex.clone().lock_owned().await;
                        assert!(!guard.1, "two holders at once");
                        guard.1 = true;
                        if i % 4 == 0 {
                            yield_now().await;
                        }
                        guard.0 += 1;
                        guard.1 = false;
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(mutex.lock().await.0, 4_000);
    });
}

#[test]
fn an_rwlock_keeps_readers_from_seeing_half_a_write_under_tokio() {
    runtime().block_on(async {
        let lock = Arc::new(RwLock::new((0u64, 0u64)));
        let tasks: Vec<_> = (0..8u64)
            .map(|t| {
                let lock = lock.clone();
                tokio::spawn(async move {
                    for i in 0..500u64 {
                        if (i + t) % 10 == 0 {
                            let mut w = lock.clone().write_owned().await;
                            w.0 += 1;
                            yield_now().await;
                            w.1 += 1;
                        } else {
                            let r = lock.read().await;
                            assert_eq!(r.0, r.1);
                            if i % 3 == 0 {
                                yield_now().await;
                            }
                        }
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(*lock.read_owned().await, (400, 400));
    });
}

#[test]
fn oneshots_carry_values_and_closes_between_tokio_tasks() {
    runtime().block_on(async {
        let mut total = 0;
        for i in 0..1_000u64 {
            let (tx, rx) = oneshot::channel();
            tokio::spawn(async move {
                yield_now().await;
                tx.send(i).unwrap();
            });
            total += rx.await.unwrap();
        }
        assert_eq!(total, 999 * 1_000 / 2);
        let (mut tx, rx) = oneshot::channel::<u8>();
        let closed = tokio::spawn(async move {
            tx.closed().await;
            tx.send(1)
        });
        yield_now().await;
        drop(rx);
        assert_eq!(closed.await.unwrap(), Err(1));
        let (tx, rx) = oneshot::channel::<u8>();
        tokio::spawn(async move { drop(tx) });
        assert_eq!(rx.await, Err(oneshot::RecvError));
    });
}

#[test]
fn a_barrier_releases_tokio_tasks_round_after_round() {
    runtime().block_on(async {
        let barrier = Arc::new(Barrier::new(4));
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let barrier = barrier.clone();
                tokio::spawn(async move {
                    let mut leads = 0;
                    for _ in 0..50 {
                        leads += barrier.wait().await.is_leader() as usize;
                    }
                    leads
                })
            })
            .collect();
        let mut leaders = 0;
        for task in tasks {
            leaders += task.await.unwrap();
        }
        assert_eq!(leaders, 50);
    });
}
