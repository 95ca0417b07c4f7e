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
//! Ping-pong also reports the order in which the connections were served:
//! between two replies on one connection, how many replies (its own
//! included) arrived on all of them. Served in turn, that is the number of
//! connections every time; a larger figure means another connection got
//! ahead of this one. It tells a tail that comes from the order of service
//! (a scheduler's) from one that comes from time lost by everyone at once
//! (a stall). The time this generator's thread spent runnable but waiting
//! for a CPU (`/proc/thread-self/schedstat`) is reported too: on a shared
//! machine it is where most of the tail comes from.
//!
//! Run: `cargo run --release -p goldiloop-examples --example echo_load -- 64 64 5 127.0.0.1:7878`
//! (arguments: connections, message bytes, seconds, address; these are the
//! defaults). The last line is `key=value` pairs, for scripts.

use std::cell::{Cell, RefCell};
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

/// Receives the `len` bytes of one reply into `buf`, which is longer: a
/// reply then always ends in a short read, after which the socket waits for
/// the Reactor's next edge. (Read into exactly `len` bytes, the full read
/// would leave the readiness cached, and every next request would first make
/// a `recv` that can only fail with `EAGAIN`: a system call per request
/// spent by the generator, which is the saturated side.)
async fn recv_reply(conn: &AioSocket, buf: &mut [u8], len: usize) -> io::Result<()> {
    debug_assert!(buf.len() > len);
    let mut filled = 0;
    while filled < len {
        match conn.recv(&mut buf[filled..]).await? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => filled += n,
        }
    }
    if filled > len {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "the server sent back more than one message",
        ));
    }
    Ok(())
}

/// What one ping-pong connection measured.
#[derive(Default)]
struct Measured {
    /// The round trip of every request completed before the end.
    latencies: Vec<Duration>,
    /// For each of them after the first: the replies received on all the
    /// connections since this connection's previous one, this one included.
    gaps: Vec<u64>,
}

thread_local! {
    /// Replies received so far on all the connections of this loop.
    static REPLIES: Cell<u64> = const { Cell::new(0) };
}

/// Ping-pong until `end`.
async fn ping_pong(conn: AioSocket, size: usize, end: Instant) -> io::Result<Measured> {
    let message = vec![b'x'; size];
    let mut reply = vec![0; size + 1];
    let mut measured = Measured::default();
    let mut previous = None;
    loop {
        let start = Instant::now();
        if start >= end {
            return Ok(measured);
        }
        conn.send_all(&message).await?;
        recv_reply(&conn, &mut reply, size).await?;
        let done = Instant::now();
        let count = REPLIES.get() + 1;
        REPLIES.set(count);
        if done <= end {
            measured.latencies.push(done - start);
            if let Some(previous) = previous {
                measured.gaps.push(count - previous);
            }
        }
        previous = Some(count);
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
    quantile(samples, q).map_or(f64::NAN, |d| d.as_secs_f64() * 1e6)
}

/// The `q` quantile of sorted `samples`.
fn quantile<T: Copy>(samples: &[T], q: f64) -> Option<T> {
    let last = samples.len().checked_sub(1)?;
    Some(samples[(last as f64 * q).round() as usize])
}

/// The calling thread's time spent waiting for a CPU while runnable, in ms
/// (the second field of `/proc/thread-self/schedstat`; 0 where missing).
fn cpu_wait_ms() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e6)
}

fn main() -> io::Result<()> {
    let args = Args::parse()?;
    let lp = Loop::try_new()?;
    let waited_before = cpu_wait_ms();
    let (mut latencies, mut gaps) = lp.run_task(async {
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
                    spawn(async move {
                        let latencies = stream(conn, args.size, end).await?;
                        Ok(Measured {
                            latencies,
                            gaps: Vec::new(),
                        })
                    })
                } else {
                    spawn(ping_pong(conn, args.size, end))
                }
            })
            .collect();
        let mut all = Measured::default();
        for task in tasks {
            let measured: Measured = task.await.expect("connection task panicked")?;
            all.latencies.extend(measured.latencies);
            all.gaps.extend(measured.gaps);
        }
        Ok::<_, io::Error>((all.latencies, all.gaps))
    })?;
    let waited_ms = cpu_wait_ms() - waited_before;
    latencies.sort_unstable();
    gaps.sort_unstable();
    let secs = args.duration.as_secs_f64();
    let requests = latencies.len();
    let rps = requests as f64 / secs;
    let mbps = (requests * args.size) as f64 / secs / 1e6;
    let [p50, p99, p999, max] = [0.5, 0.99, 0.999, 1.0].map(|q| quantile_us(&latencies, q));
    let [gap50, gap99, gap_max] = [0.5, 0.99, 1.0].map(|q| quantile(&gaps, q).unwrap_or(0));
    println!(
        "{} connections x {} B for {secs} s against {}: {rps:.0} requests/s, {mbps:.1} MB/s, \
         p50 {p50:.0} µs, p99 {p99:.0} µs, p99.9 {p999:.0} µs, max {max:.0} µs; replies between \
         two on one connection: p50 {gap50}, p99 {gap99}, max {gap_max}; this thread waited \
         {waited_ms:.0} ms for a CPU",
        args.connections, args.size, args.addr
    );
    println!(
        "requests={requests} requests_per_s={rps:.1} mb_per_s={mbps:.2} p50_us={p50:.1} \
         p99_us={p99:.1} p999_us={p999:.1} max_us={max:.1} gap_p50={gap50} gap_p99={gap99} \
         gap_max={gap_max} client_cpu_wait_ms={waited_ms:.1}"
    );
    Ok(())
}
