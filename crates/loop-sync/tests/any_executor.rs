//! The primitives need only std wakers: they work under tokio too, on its
//! multi-threaded runtime, with tasks on several threads.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use loop_sync::{Event, Semaphore, Waiter, channel, gather, try_gather};
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
