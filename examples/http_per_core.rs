//! Every core: the HTTP server of `http_hello`, on one loop per CPU, each
//! with its own `SO_REUSEPORT` listener on the same address, so the kernel
//! spreads connections among loops that share nothing
//! (`goldiloop::run_per_core`). Every connection is a task of the loop that
//! accepted it and stays there.
//!
//! Run: `cargo run --release -p goldiloop-examples --example http_per_core -- 127.0.0.1:8080`
//! (the address defaults to `127.0.0.1:8080`; add `--loops N` for N unpinned
//! loops), then e.g. `wrk -t2 -c64 -d5s http://127.0.0.1:8080/`.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use goldiloop::spawn;

#[path = "http_answer.rs"]
mod http;

#[path = "every_core.rs"]
mod every_core;

#[path = "http_conn.rs"]
mod conn;

use conn::serve;

fn main() -> io::Result<()> {
    let args = every_core::args("127.0.0.1:8080")?;
    let listeners = Arc::new(every_core::Listeners::bind(args.addr)?);
    println!("http_per_core listening on {}", listeners.addr);
    let ended = every_core::run(args.loops, move |index| {
        let listeners = listeners.clone();
        async move {
            let listener = listeners.for_loop(index)?;
            loop {
                match listener.accept().await {
                    Ok((conn, _)) => {
                        conn.set_nodelay(true)?;
                        // Dropping the handle detaches the task.
                        drop(spawn(async move {
                            if let Err(e) = serve(conn.into_inner()).await
                                && e.kind() != io::ErrorKind::ConnectionReset
                            {
                                eprintln!("http_per_core: loop {index}: {e}");
                            }
                        }));
                    }
                    // Out of fds (EMFILE) and the like: wait instead of spinning.
                    Err(e) => {
                        eprintln!("http_per_core: loop {index}: accept: {e}");
                        goldiloop::sleep(Duration::from_millis(10)).await;
                    }
                }
            }
        }
    })?;
    ended.into_iter().collect::<io::Result<Vec<()>>>().map(drop)
}
