//! The primitives need only std wakers: they work under tokio too, on its
//! multi-threaded runtime, with tasks on several threads.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use loop_sync::{
    Event, Semaphore, Waiter, broadcast, channel, gather, try_gather, unbounded, watch,
};
use tokio::task::yield_now;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap()
}

#[test]
fn waiter_releases_tokio_tasks_counted_down_by_other_tokio_tasks() {
    runtime().block_on(async {
        let waiter = Waiter::new(8);
        let released = Arc::new(AtomicUsize::new(0));
        let waiting: Vec<_> = (0..8)
            .map(|_| {
                let (waiter, released) = (waiter.clone(), released.clone());
                tokio::spawn(async move {
                    waiter.await;
                    released.fetch_add(1, Ordering::SeqCst);
                })
            })
            .collect();
        for _ in 0..8 {
            let waiter = waiter.clone();
            tokio::spawn(async move {
                yield_now().await;
                waiter.set();
            });
        }
        for task in waiting {
            task.await.unwrap();
        }
        assert_eq!(released.load(Ordering::SeqCst), 8);
        assert_eq!(waiter.count(), 0);
    });
}

#[test]
fn gather_and_try_gather_run_under_tokio() {
    runtime().block_on(async {
        let out = gather((0..1000u32).map(|i| async move {
            yield_now().await;
            i
        }))
        .await;
        assert_eq!(out, (0..1000).collect::<Vec<_>>());
        let (a, b) = loop_sync::gather!(async { 1 }, tokio::spawn(async { 2 })).await;
        assert_eq!((a, b.unwrap()), (1, 2));
        let failed = try_gather([Ok(1), Err("no")].map(std::future::ready)).await;
        assert_eq!(failed, Err("no"));
    });
}

#[test]
fn channel_carries_messages_between_tokio_worker_threads() {
    runtime().block_on(async {
        let (tx, mut rx) = channel(8);
        for p in 0..4u64 {
            let tx = tx.clone();
            tokio::spawn(async move {
                for i in 0..1000u64 {
                    tx.send(p * 1000 + i).await.unwrap();
                }
            });
        }
        drop(tx);
        let mut sum = 0;
        while let Some(i) = rx.recv().await {
            sum += i;
        }
        assert_eq!(sum, (0..4000).sum::<u64>());
    });
}

#[test]
fn semaphore_and_event_coordinate_tokio_tasks() {
    runtime().block_on(async {
        let semaphore = Semaphore::new(2);
        let start = Event::new();
        let inside = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let (semaphore, start, inside) = (semaphore.clone(), start.clone(), inside.clone());
                tokio::spawn(async move {
                    start.wait().await;
                    let _permit = semaphore.acquire().await;
                    assert!(inside.fetch_add(1, Ordering::SeqCst) < 2);
                    yield_now().await;
                    inside.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        start.set();
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(semaphore.available_permits(), 2);
    });
}

#[test]
fn unbounded_channel_carries_messages_between_tokio_worker_threads() {
    runtime().block_on(async {
        let (tx, mut rx) = unbounded();
        for p in 0..4u64 {
            let tx = tx.clone();
            tokio::spawn(async move {
                for i in 0..1000u64 {
                    tx.send(p * 1000 + i).await.unwrap();
                    if i % 100 == 0 {
                        yield_now().await;
                    }
                }
            });
        }
        drop(tx);
        let mut sum = 0;
        while let Some(i) = rx.recv().await {
            sum += i;
        }
        assert_eq!(sum, (0..4000).sum::<u64>());
    });
}

#[test]
fn blocking_methods_work_from_tokio_blocking_threads() {
    runtime().block_on(async {
        let (tx, mut rx) = channel(4);
        let producer = tokio::task::spawn_blocking(move || {
            for i in 0..1000u64 {
                tx.blocking_send(i).unwrap();
            }
        });
        let consumer = tokio::task::spawn_blocking(move || {
            let mut sum = 0;
            while let Some(i) = rx.blocking_recv() {
                sum += i;
            }
            sum
        });
        producer.await.unwrap();
        assert_eq!(consumer.await.unwrap(), 499_500);
    });
}

#[test]
fn broadcast_reaches_every_tokio_task_in_order() {
    runtime().block_on(async {
        let (tx, rx) = broadcast(2048);
        let receivers: Vec<_> = (0..8)
            .map(|_| {
                let mut rx = rx.resubscribe();
                tokio::spawn(async move {
                    let mut next = 0u64;
                    while let Ok(i) = rx.recv().await {
                        assert_eq!(i, next);
                        next += 1;
                    }
                    next
                })
            })
            .collect();
        drop(rx);
        tokio::spawn(async move {
            for i in 0..2000u64 {
                tx.send(i).unwrap();
                if i % 64 == 0 {
                    yield_now().await;
                }
            }
        });
        for receiver in receivers {
            assert_eq!(receiver.await.unwrap(), 2000);
        }
    });
}

#[test]
fn watch_receivers_on_tokio_workers_reach_the_last_value_and_the_sender_sees_them_go() {
    runtime().block_on(async {
        let (tx, rx) = watch(0u64);
        let receivers: Vec<_> = (0..8)
            .map(|_| {
                let mut rx = rx.clone();
                tokio::spawn(async move {
                    // Each wakes as often as it likes, and ends on the last
                    // value (then drops its receiver).
                    while *rx.borrow_and_update() != 10_000 {
                        rx.changed().await.unwrap();
                    }
                    *rx.borrow()
                })
            })
            .collect();
        drop(rx);
        let sender = tokio::spawn(async move {
            for i in 1..=10_000u64 {
                tx.send(i).unwrap();
                if i % 100 == 0 {
                    yield_now().await;
                }
            }
            tx.closed().await;
        });
        for receiver in receivers {
            assert_eq!(receiver.await.unwrap(), 10_000);
        }
        sender.await.unwrap();
    });
}
