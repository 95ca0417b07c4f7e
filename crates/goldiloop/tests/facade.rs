//! The facade's own behaviour: its `Loop` has the park the layers need, and
//! `run` is `asyncio.run`.

use std::cell::Cell;
use std::rc::Rc;

use goldiloop::{Loop, interrupt, run, spawn};

struct CountDrop(Rc<Cell<u32>>);

impl Drop for CountDrop {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[test]
fn run_returns_the_output_and_drops_leftover_tasks() {
    let dropped = Rc::new(Cell::new(0));
    let guard = CountDrop(dropped.clone());
    let out = run(async move {
        // A task that never ends: run must drop it with the loop.
        let _detached = spawn(async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        });
        interrupt().await;
        7
    });
    assert_eq!(out, 7);
    assert_eq!(dropped.get(), 1, "the pending task's future was dropped");
}

#[test]
fn run_accepts_futures_that_borrow() {
    let words = String::from("ab");
    let n = run(async { words.len() });
    assert_eq!(n, 2);
}

#[test]
#[should_panic(expected = "running")]
fn run_inside_a_running_loop_panics() {
    Loop::new().run_task(async {
        run(async {});
    });
}

#[test]
fn loop_delegates_to_loop_core() {
    let lp = Loop::default();
    assert!(Loop::try_current().is_none());
    let task = lp.add_task(async { Loop::current().add_task(async { 1 }).await.unwrap() + 1 });
    assert_eq!(lp.task_count(), 1);
    lp.run();
    assert_eq!(lp.task_count(), 0);
    assert_eq!(lp.run_task(task).unwrap(), 2);
    let from_thread = lp.spawner();
    let remote = std::thread::spawn(move || from_thread.add_task(async { 3 }))
        .join()
        .unwrap();
    assert_eq!(lp.run_task(remote).unwrap(), 3);
    assert!(format!("{lp:?}").contains("goldiloop::Loop"));
    let core: goldiloop::core::Loop = lp.into();
    assert_eq!(core.run_task(async { 4 }), 4);
}

#[cfg(feature = "time")]
#[test]
fn timers_work_on_the_facade_loop() {
    use std::time::{Duration, Instant};
    let start = Instant::now();
    run(goldiloop::sleep(Duration::from_millis(5)));
    assert!(start.elapsed() >= Duration::from_millis(5));
    let r = run(goldiloop::timeout(
        Duration::from_millis(1),
        std::future::pending::<()>(),
    ));
    assert!(r.is_err());
}

#[cfg(feature = "net")]
#[test]
fn sockets_work_on_the_facade_loop() {
    use goldiloop::net::{AioSocket, Domain, Type};
    let echoed = run(async {
        let listener = AioSocket::new(Domain::IPV4, Type::STREAM).unwrap();
        listener
            .bind("127.0.0.1:0".parse::<std::net::SocketAddr>().unwrap())
            .unwrap();
        listener.listen(8).unwrap();
        let addr = listener.local_addr().unwrap();
        let server = spawn(async move {
            let (conn, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 16];
            let n = conn.recv(&mut buf).await.unwrap();
            conn.send(&buf[..n]).await.unwrap();
        });
        let client = AioSocket::new(Domain::IPV4, Type::STREAM).unwrap();
        client.connect(addr).await.unwrap();
        client.send(b"ping").await.unwrap();
        let mut buf = [0u8; 16];
        let n = client.recv(&mut buf).await.unwrap();
        server.await.unwrap();
        buf[..n].to_vec()
    });
    assert_eq!(echoed, b"ping");
}

#[cfg(feature = "sync")]
#[test]
fn sync_primitives_are_at_the_root() {
    let out = run(async {
        let waiter = goldiloop::Waiter::new(1);
        let (tx, mut rx) = goldiloop::channel(1);
        let w = waiter.clone();
        let _sender = spawn(async move {
            tx.send(5).await.unwrap();
            w.set();
        });
        waiter.wait().await;
        let all = goldiloop::gather((1..=2).map(|i| async move { i })).await;
        (rx.recv().await, all)
    });
    assert_eq!(out, (Some(5), vec![1, 2]));
}

#[test]
fn loop_ids_and_the_cooperative_budget_are_at_the_root() {
    use goldiloop::{
        BUDGET, ConsumeBudget, LoopId, consume_budget, has_budget_remaining, poll_budget,
    };

    let lp = Loop::new();
    assert_eq!(LoopId::current(), None);
    let (id, spent) = lp.run_task(async {
        assert!(has_budget_remaining());
        let consume: ConsumeBudget = consume_budget();
        consume.await;
        for _ in 1..BUDGET {
            std::future::poll_fn(poll_budget).await;
        }
        (LoopId::current(), !has_budget_remaining())
    });
    assert_eq!(id, Some(lp.as_core().id()));
    assert!(spent, "BUDGET ready operations spend the whole budget");
}

#[test]
fn spawn_blocking_is_reachable_from_the_facade_with_any_features() {
    assert_eq!(
        goldiloop::run(async { goldiloop::spawn_blocking(|| 6 * 7).await.unwrap() }),
        42
    );
}

#[cfg(feature = "net")]
#[test]
fn the_os_layer_is_reachable_from_the_facade() {
    use goldiloop::io::AsyncWriteExt;
    let out = goldiloop::run(async {
        let sum = goldiloop::spawn_blocking(|| 2 + 2).await.unwrap();
        let output = goldiloop::process::Command::new("echo")
            .arg(sum.to_string())
            .output()
            .await?;
        let _listener = goldiloop::signal::signal(goldiloop::signal::SignalKind::user_defined2())?;
        let meta = goldiloop::fs::metadata("/").await?;
        assert!(meta.is_dir());
        goldiloop::io::stdout().flush().await?;
        let _stdin = goldiloop::io::stdin();
        let _stderr = goldiloop::io::stderr();
        Ok::<_, std::io::Error>(output.stdout)
    })
    .unwrap();
    assert_eq!(out, b"4\n");
}
