//! Beyond the talk's slides, on its "network utils" idea ("go back to the
//! event loop when unavailable"): the client side, many connections on one
//! loop, each a task that parks while its socket is not ready.
//!
//! A load generator for echo servers, itself on one goldiloop loop: N
//! connections each send a fixed-size message, wait for all of it to come
//! back, and send the next, for a fixed time. Prints requests/s, MB/s echoed,
//! and the p50/p99 round-trip latency in µs.
//!
//! Messages larger than 64 KiB are streamed instead: on each connection a
//! writer task sends them back to back, with at most two in flight, while the
//! reader counts them back, so the pipe never drains; a message's latency
//! then runs from the start of its send to the arrival of its last byte.
//!
//! Run: `cargo run --release -p goldiloop-examples --example echo_load -- 64 64 5 127.0.0.1:7878`
//! (arguments: connections, message bytes, seconds, address; these are the
//! defaults). The last line is `key=value` pairs, for scripts.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;
use std::str::FromStr;
use std::time::{Duration, Instant};

use goldiloop::net::{AioSocket, Domain, Type};
use goldiloop::sync::Permit;
use goldiloop::{Loop, Semaphore, spawn};

/// Messages above this size are streamed rather than ping-ponged.
const PING_PONG_MAX: usize = 64 * 1024;
/// Streamed messages in flight per connection at most. Unbounded, the
/// writer only fills kernel buffers until the receiving side prunes its
/// queue and TCP retransmits, with stalls of 200 ms (the minimum RTO).
const IN_FLIGHT: usize = 2;
/// Bytes received at most per system call.
const RECV_BUF: usize = 64 * 1024;

/// The command line: `[connections] [message bytes] [seconds] [address]`.
struct Args {
    connections: usize,
    size: usize,
    duration: Duration,
    addr: SocketAddr,
}

fn arg<T: FromStr>(args: &[String], i: usize, default: T) -> io::Result<T>
where
    T::Err: std::fmt::Display,
{
    match args.get(i) {
        None => Ok(default),
        Some(text) => text.parse().map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("argument {i} ({text}): {e}; usage: echo_load [connections] [bytes] [seconds] [address]"),
            )
        }),
    }
}

impl Args {
    fn parse() -> io::Result<Args> {
        let args: Vec<String> = std::env::args().collect();
        let args = Args {
            connections: arg(&args, 1, 64)?,
            size: arg(&args, 2, 64)?,
            duration: Duration::from_secs_f64(arg(&args, 3, 5.0)?),
            addr: arg(&args, 4, "127.0.0.1:7878".parse().unwrap())?,
        };
        if args.connections == 0 || args.size == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "connections and message bytes must be at least 1",
            ));
        }
        Ok(args)
    }
}

/// Receives exactly `buf.len()` bytes.
async fn recv_exact(conn: &AioSocket, buf: &mut [u8]) -> io::Result<()> {
    let mut filled = 0;
    while filled < buf.len() {
        match conn.recv(&mut buf[filled..]).await? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => filled += n,
        }
    }
    Ok(())
}

/// Ping-pong until `end`; returns the latency of every completed request.
async fn ping_pong(conn: AioSocket, size: usize, end: Instant) -> io::Result<Vec<Duration>> {
    let message = vec![b'x'; size];
    let mut reply = vec![0; size];
    let mut latencies = Vec::new();
    loop {
        let start = Instant::now();
        if start >= end {
            return Ok(latencies);
        }
        conn.send_all(&message).await?;
        recv_exact(&conn, &mut reply).await?;
        let done = Instant::now();
        if done <= end {
            latencies.push(done - start);
        }
    }
}

/// Streams `size`-byte messages until `end`; returns the latency of every
/// message that came back whole before `end`.
async fn stream(conn: AioSocket, size: usize, end: Instant) -> io::Result<Vec<Duration>> {
    let conn = Rc::new(conn);
    // Each message in flight: when it started to be sent, and its permit.
    let sent: Rc<RefCell<VecDeque<(Instant, Permit)>>> = Rc::default();
    let in_flight = Semaphore::new(IN_FLIGHT);
    let writer = spawn({
        let (conn, sent) = (conn.clone(), sent.clone());
        async move {
            let message = vec![b'x'; size];
            while Instant::now() < end {
                let permit = in_flight.acquire().await;
                sent.borrow_mut().push_back((Instant::now(), permit));
                conn.send_all(&message).await?;
            }
            // The server closes after echoing the rest: the reader sees EOF.
            conn.shutdown(std::net::Shutdown::Write)
        }
    });
    let mut buf = vec![0; RECV_BUF];
    let mut latencies = Vec::new();
    let mut received = 0;
    loop {
        let n = conn.recv(&mut buf).await?;
        if n == 0 {
            break;
        }
        received += n;
        while received >= size {
            received -= size;
            let (start, permit) = sent
                .borrow_mut()
                .pop_front()
                .expect("more echoed than sent");
            drop(permit);
            let done = Instant::now();
            if done <= end {
                latencies.push(done - start);
            }
        }
    }
    writer.await.expect("writer task panicked")?;
    Ok(latencies)
}

/// The `q` quantile of sorted `samples`, in µs.
fn quantile_us(samples: &[Duration], q: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    let i = ((samples.len() - 1) as f64 * q).round() as usize;
    samples[i].as_secs_f64() * 1e6
}

fn main() -> io::Result<()> {
    let args = Args::parse()?;
    let lp = Loop::try_new()?;
    let mut latencies = lp.run_task(async {
        let domain = if args.addr.is_ipv4() {
            Domain::IPV4
        } else {
            Domain::IPV6
        };
        let mut conns = Vec::with_capacity(args.connections);
        for _ in 0..args.connections {
            let conn = AioSocket::new(domain, Type::STREAM)?;
            conn.connect(args.addr).await?;
            conn.set_nodelay(true)?;
            conns.push(conn);
        }
        let end = Instant::now() + args.duration;
        let tasks: Vec<_> = conns
            .into_iter()
            .map(|conn| {
                if args.size > PING_PONG_MAX {
                    spawn(stream(conn, args.size, end))
                } else {
                    spawn(ping_pong(conn, args.size, end))
                }
            })
            .collect();
        let mut all = Vec::new();
        for task in tasks {
            all.extend(task.await.expect("connection task panicked")?);
        }
        Ok::<_, io::Error>(all)
    })?;
    latencies.sort_unstable();
    let secs = args.duration.as_secs_f64();
    let requests = latencies.len();
    let rps = requests as f64 / secs;
    let mbps = (requests * args.size) as f64 / secs / 1e6;
    let (p50, p99) = (quantile_us(&latencies, 0.50), quantile_us(&latencies, 0.99));
    println!(
        "{} connections x {} B for {secs} s against {}: {rps:.0} requests/s, {mbps:.1} MB/s, p50 {p50:.0} µs, p99 {p99:.0} µs",
        args.connections, args.size, args.addr
    );
    println!(
        "requests={requests} requests_per_s={rps:.1} mb_per_s={mbps:.2} p50_us={p50:.1} p99_us={p99:.1}"
    );
    Ok(())
}
