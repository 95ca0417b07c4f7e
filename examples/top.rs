//! `top` for a goldiloop program: an echo server under its own load
//! generator, watched from a third thread that prints, every second, the
//! server loop's counters and its busiest tasks, the way `top` lists
//! processes. The watchdog asks through a `Spawner`, so it needs nothing
//! from the server's code, and it would still answer (naming the task and
//! its spawn site) if the server blocked inside one poll; the server blocks
//! on purpose once, to show it.
//!
//! Run: `cargo run --release -p goldiloop-examples --example top -- 3`
//! (the number of seconds to run, 3 by default).

use std::io;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use goldiloop::net::{TcpListener, TcpStream};
use goldiloop::{Loop, SnapshotError, Spawner, TaskInfo, spawn};

/// Client connections of the load generator.
const CLIENTS: usize = 16;
/// Bytes of each request.
const REQUEST: usize = 64;

/// Echoes what the client sends until it closes.
async fn echo(conn: TcpStream) -> io::Result<()> {
    let mut buf = [0; 4096];
    loop {
        let n = conn.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        let mut sent = 0;
        while sent < n {
            sent += conn.write(&buf[sent..n]).await?;
        }
    }
}

/// The server's loop: accepts connections, one named task each, and once
/// blocks for 1.5 s inside a poll, the bug the watchdog is there to catch.
fn server(ready: mpsc::Sender<(Spawner, std::net::SocketAddr)>) -> io::Result<()> {
    let lp = Loop::builder().time_polls(true).build();
    let spawner = lp.spawner();
    lp.run_task(async move {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        ready
            .send((spawner, listener.local_addr()?))
            .expect("main waits for the address");
        drop(Loop::current().add_task_named("blocker", async {
            goldiloop::sleep(Duration::from_millis(1500)).await;
            thread::sleep(Duration::from_millis(1500)); // the blocking bug
        }));
        let mut n = 0;
        while let Ok((conn, _)) = listener.accept().await {
            n += 1;
            drop(Loop::current().add_task_named(format!("conn {n}"), echo(conn)));
        }
        io::Result::Ok(())
    })
}

/// The load generator's loop: `CLIENTS` connections in request/response.
fn clients(addr: std::net::SocketAddr, until: Instant) {
    let lp = Loop::new();
    lp.run_task(async move {
        let mut handles = Vec::new();
        for _ in 0..CLIENTS {
            handles.push(spawn(async move {
                let conn = TcpStream::connect(addr).await?;
                let mut buf = [0u8; REQUEST];
                while Instant::now() < until {
                    let mut sent = 0;
                    while sent < REQUEST {
                        sent += conn.write(&buf[sent..]).await?;
                    }
                    let mut got = 0;
                    while got < REQUEST {
                        got += conn.read(&mut buf[got..]).await?;
                    }
                }
                io::Result::Ok(())
            }));
        }
        for handle in handles {
            handle
                .await
                .expect("a client task")
                .expect("a client's I/O");
        }
    });
}

/// One screen: the counters, then the five busiest tasks.
fn print_screen(second: u64, spawner: &Spawner) {
    println!("--- {second} s");
    match spawner.snapshot(Duration::from_millis(200)) {
        Ok(snapshot) => {
            println!("{}", snapshot.stats);
            let mut tasks: Vec<TaskInfo> = snapshot.tasks.into_vec();
            tasks.sort_by_key(|t| std::cmp::Reverse(t.busy));
            let top = goldiloop::TaskDump::from(tasks.into_iter().take(5).collect::<Vec<_>>());
            print!("{top}");
        }
        Err(SnapshotError::Stuck(stuck)) => println!("STUCK: {stuck}"),
        Err(other) => println!("{other}"),
    }
}

fn main() -> io::Result<()> {
    let seconds: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let until = Instant::now() + Duration::from_secs(seconds);
    let (ready, address) = mpsc::channel();
    thread::spawn(move || server(ready));
    let (spawner, addr) = address.recv().expect("the server starts");
    let load = thread::spawn(move || clients(addr, until));
    for second in 1..=seconds {
        thread::sleep(Duration::from_secs(1)); // the watchdog's period
        print_screen(second, &spawner);
    }
    load.join().expect("the load generator");
    Ok(())
}
