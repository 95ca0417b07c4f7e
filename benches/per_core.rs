//! Every core: goldiloop's `LoopPool` (`run_per_core` + `bind_reuseport`)
//! side by side with a hand-written epoll loop per thread and one tokio
//! current-thread runtime per thread, in one run.
//!
//! - `burn`: an echo server whose handler burns a fixed amount of CPU (about
//!   50 µs of hashing, calibrated once by this process and given to every
//!   server) per 64-byte message, so that the server, not the load
//!   generator, saturates. Each server runs with 1 and with 2 threads, each
//!   thread pinned to its own CPU (0, then 1) with its own `SO_REUSEPORT`
//!   listener; the `echo_load` example (64 connections, 64-byte ping-pong)
//!   runs pinned to CPU 1. Reported: requests/s, server CPU µs per request
//!   (utime + stime from `/proc/<pid>/stat`), and how far 2 threads scale
//!   over 1. tokio's multi-threaded runtime (one listener, 1 or 2 pinned
//!   workers) is shown too.
//! - `handoff`: a ping-pong between two threads pinned to CPUs 0 and 1, ns
//!   per round trip: goldiloop through `Spawner::add_task` (loop A adds a task
//!   to loop B and awaits its `JoinHandle`) and through loop-sync's `channel`;
//!   two tokio current-thread runtimes through tokio's mpsc; plain threads
//!   through `std::sync::mpsc` (the blocking floor).
//!
//! Each measurement is repeated (`--rounds`, servers interleaved) and the
//! median printed as Markdown on stdout. The machine is shared and noisy:
//! compare ratios within one run.
//!
//! Run: `cargo bench -p goldiloop-benches --bench per_core -- --secs 3 --rounds 3 --only burn,handoff`
//! (those are the defaults). Without `--bench` (as `cargo test --benches`
//! runs it) it does nothing. It starts its servers as
//! `per_core --serve <goldiloop|epoll|tokio|tokio-mt> THREADS ITERATIONS ADDR`.

use std::collections::HashMap;
use std::hint::black_box;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener as StdListener, TcpStream as StdStream};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The message size of the echo protocol: one request.
const MESSAGE: usize = 64;
/// CPU burnt per request.
const WORK: Duration = Duration::from_micros(50);
/// Round trips per `handoff` measurement.
const ROUND_TRIPS: u32 = 20_000;

/// The request handler's work: `iterations` rounds of hashing the message.
fn burn(message: &[u8], iterations: u64) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325_u64;
    for _ in 0..iterations {
        for &byte in black_box(message) {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    black_box(hash)
}

/// How many `burn` iterations take `WORK` on this machine (the fastest of a
/// few tries, so a preempted try does not inflate the work).
fn calibrate() -> u64 {
    let message = [7u8; MESSAGE];
    let trial = 20_000;
    let best = (0..5)
        .map(|_| {
            let start = Instant::now();
            burn(&message, trial);
            start.elapsed()
        })
        .min()
        .unwrap();
    (trial as f64 * WORK.as_secs_f64() / best.as_secs_f64()).max(1.0) as u64
}

/// The CPUs this process may use.
fn allowed_cpus() -> Vec<usize> {
    // SAFETY: an all-zero cpu_set_t is an empty set.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: `set` is a valid cpu_set_t of the size passed; 0 is this thread.
    let rc = unsafe { libc::sched_getaffinity(0, size_of::<libc::cpu_set_t>(), &mut set) };
    assert_eq!(rc, 0, "sched_getaffinity: {}", io::Error::last_os_error());
    (0..libc::CPU_SETSIZE as usize)
        // SAFETY: `cpu` is below CPU_SETSIZE.
        .filter(|&cpu| unsafe { libc::CPU_ISSET(cpu, &set) })
        .collect()
}

/// Pins the calling thread to `cpu`.
fn pin_thread(cpu: usize) {
    // SAFETY: an all-zero cpu_set_t is an empty set.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: `cpu` is below CPU_SETSIZE, and `set` is a valid cpu_set_t.
    unsafe { libc::CPU_SET(cpu, &mut set) };
    // SAFETY: `set` is a valid cpu_set_t of the size passed; 0 is this thread.
    let rc = unsafe { libc::sched_setaffinity(0, size_of::<libc::cpu_set_t>(), &set) };
    assert_eq!(rc, 0, "sched_setaffinity: {}", io::Error::last_os_error());
}

// ---------------------------------------------------------------- servers

/// Runs one server in this process; prints `listening on ADDR` once every
/// thread has bound its listener.
fn serve(args: &[String]) -> io::Result<()> {
    let usage = || {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "usage: per_core --serve <goldiloop|epoll|tokio|tokio-mt> THREADS ITERATIONS ADDR",
        )
    };
    let [runtime, threads, iterations, addr] = args else {
        return Err(usage());
    };
    let threads: usize = threads.parse().map_err(|_| usage())?;
    let iterations: u64 = iterations.parse().map_err(|_| usage())?;
    let addr: SocketAddr = addr.parse().map_err(|_| usage())?;
    let (ready_tx, ready_rx) = mpsc::channel::<()>();
    let server = match runtime.as_str() {
        "goldiloop" => {
            std::thread::spawn(move || goldiloop_server(threads, iterations, addr, ready_tx))
        }
        "epoll" => std::thread::spawn(move || {
            threads_server(threads, iterations, addr, ready_tx, epoll_thread)
        }),
        "tokio" => std::thread::spawn(move || {
            threads_server(threads, iterations, addr, ready_tx, tokio_thread)
        }),
        "tokio-mt" => std::thread::spawn(move || {
            let listener = reuseport_listener(addr)?;
            for _ in 0..threads {
                ready_tx.send(()).ok();
            }
            tokio_multi_thread(listener, threads, iterations)
        }),
        _ => return Err(usage()),
    };
    for _ in 0..threads {
        if ready_rx.recv().is_err() {
            break;
        }
    }
    println!("listening on {addr}");
    io::stdout().flush()?;
    server.join().expect("the server thread panicked")
}

/// Echoes `n` received bytes, burning `iterations` per completed message.
/// Returns the new count of bytes into the current message.
fn account(pending: usize, buf: &[u8], iterations: u64) -> usize {
    let mut pending = pending + buf.len();
    while pending >= MESSAGE {
        burn(&buf[..buf.len().min(MESSAGE)], iterations);
        pending -= MESSAGE;
    }
    pending
}

/// goldiloop: a `LoopPool` of pinned loops, each with its own
/// `bind_reuseport` listener and a task per connection.
fn goldiloop_server(
    threads: usize,
    iterations: u64,
    addr: SocketAddr,
    ready: mpsc::Sender<()>,
) -> io::Result<()> {
    let ready = std::sync::Mutex::new(ready);
    let pool = goldiloop::LoopPool::builder()
        .loops(threads)
        .pin_to_cores(true)
        .build()?;
    let ended = pool.run(move |_| {
        let ready = ready.lock().unwrap().clone();
        async move {
            let listener = goldiloop::net::TcpListener::bind_reuseport(addr)?;
            ready.send(()).ok();
            loop {
                let (conn, _) = listener.accept().await?;
                conn.set_nodelay(true)?;
                drop(goldiloop::spawn(async move {
                    let mut buf = [0; 8 * 1024];
                    let mut pending = 0;
                    loop {
                        let n = match conn.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => n,
                        };
                        pending = account(pending, &buf[..n], iterations);
                        if conn.as_socket().send_all(&buf[..n]).await.is_err() {
                            return;
                        }
                    }
                }));
            }
        }
    });
    ended.into_iter().collect::<io::Result<Vec<()>>>().map(drop)
}

/// Starts `threads` threads, thread `i` pinned to the `i`-th allowed CPU,
/// each running `body` on its own `SO_REUSEPORT` listener.
fn threads_server(
    threads: usize,
    iterations: u64,
    addr: SocketAddr,
    ready: mpsc::Sender<()>,
    body: fn(StdListener, u64) -> io::Result<()>,
) -> io::Result<()> {
    let cpus = allowed_cpus();
    let handles: Vec<_> = (0..threads)
        .map(|i| {
            let ready = ready.clone();
            let cpu = cpus[i % cpus.len()];
            std::thread::spawn(move || {
                pin_thread(cpu);
                let listener = reuseport_listener(addr)?;
                ready.send(()).ok();
                body(listener, iterations)
            })
        })
        .collect();
    for handle in handles {
        handle.join().expect("a server thread panicked")?;
    }
    Ok(())
}

/// A non-blocking listener with `SO_REUSEPORT`, as std's type.
fn reuseport_listener(addr: SocketAddr) -> io::Result<StdListener> {
    let SocketAddr::V4(v4) = addr else {
        return Err(io::Error::other("IPv4 only"));
    };
    // SAFETY: plain socket(2); the fd is owned at once below.
    let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` is a new socket nobody else owns.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    let one: libc::c_int = 1;
    for option in [libc::SO_REUSEADDR, libc::SO_REUSEPORT] {
        // SAFETY: `one` is a readable c_int of the size passed.
        let rc = unsafe {
            libc::setsockopt(
                fd.as_raw_fd(),
                libc::SOL_SOCKET,
                option,
                (&raw const one).cast(),
                size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    let sin = libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: v4.port().to_be(),
        sin_addr: libc::in_addr {
            s_addr: u32::from(*v4.ip()).to_be(),
        },
        sin_zero: [0; 8],
    };
    // SAFETY: `sin` is a valid sockaddr_in of the size passed.
    let rc = unsafe {
        libc::bind(
            fd.as_raw_fd(),
            (&raw const sin).cast(),
            size_of::<libc::sockaddr_in>() as libc::socklen_t,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: listen on a bound socket we own.
    if unsafe { libc::listen(fd.as_raw_fd(), 1024) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let listener = StdListener::from(fd);
    listener.set_nonblocking(true)?;
    Ok(listener)
}

/// Raw epoll: one epoll instance per thread, edge-triggered connections.
fn epoll_thread(listener: StdListener, iterations: u64) -> io::Result<()> {
    // SAFETY: plain epoll_create1; the fd is owned at once.
    let epfd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
    if epfd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a new fd nobody else owns.
    let epoll = unsafe { OwnedFd::from_raw_fd(epfd) };
    let add = |fd: RawFd, events: u32| -> io::Result<()> {
        let mut event = libc::epoll_event {
            events,
            u64: fd as u64,
        };
        // SAFETY: `event` is a valid epoll_event; both fds are open.
        if unsafe { libc::epoll_ctl(epoll.as_raw_fd(), libc::EPOLL_CTL_ADD, fd, &mut event) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    };
    let lfd = listener.as_raw_fd();
    add(lfd, libc::EPOLLIN as u32)?;
    let mut conns: HashMap<RawFd, (StdStream, usize)> = HashMap::new();
    let mut events = vec![libc::epoll_event { events: 0, u64: 0 }; 256];
    let mut buf = [0u8; 8 * 1024];
    loop {
        // SAFETY: `events` has room for the count passed.
        let n = unsafe { libc::epoll_wait(epoll.as_raw_fd(), events.as_mut_ptr(), 256, -1) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        for event in &events[..n as usize] {
            let fd = event.u64 as RawFd;
            if fd == lfd {
                while let Ok((conn, _)) = listener.accept() {
                    conn.set_nonblocking(true)?;
                    conn.set_nodelay(true)?;
                    add(
                        conn.as_raw_fd(),
                        (libc::EPOLLIN | libc::EPOLLRDHUP | libc::EPOLLET) as u32,
                    )?;
                    conns.insert(conn.as_raw_fd(), (conn, 0));
                }
                continue;
            }
            let mut close = false;
            if let Some((conn, pending)) = conns.get_mut(&fd) {
                loop {
                    match conn.read(&mut buf) {
                        Ok(0) => {
                            close = true;
                            break;
                        }
                        Ok(n) => {
                            *pending = account(*pending, &buf[..n], iterations);
                            // 64-byte echoes never fill the send buffer: a
                            // blocking-style write_all on a non-blocking
                            // socket is enough for this benchmark.
                            if conn.write_all(&buf[..n]).is_err() {
                                close = true;
                                break;
                            }
                        }
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                        Err(_) => {
                            close = true;
                            break;
                        }
                    }
                }
            }
            if close {
                conns.remove(&fd); // closing the fd removes it from epoll
            }
        }
    }
}

/// tokio: one current-thread runtime per thread, a task per connection.
fn tokio_thread(listener: StdListener, iterations: u64) -> io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    tokio_accept(runtime, listener, iterations)
}

/// tokio's multi-threaded runtime with `workers` workers, worker `i` pinned
/// to the `i`-th allowed CPU, one listener.
fn tokio_multi_thread(listener: StdListener, workers: usize, iterations: u64) -> io::Result<()> {
    let cpus = allowed_cpus();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .on_thread_start(move || {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            pin_thread(cpus[i % cpus.len()]);
        })
        .enable_all()
        .build()?;
    tokio_accept(runtime, listener, iterations)
}

/// Accepts on `listener` in `runtime`, a task per connection.
fn tokio_accept(
    runtime: tokio::runtime::Runtime,
    listener: StdListener,
    iterations: u64,
) -> io::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        loop {
            let (mut conn, _) = listener.accept().await?;
            conn.set_nodelay(true)?;
            tokio::spawn(async move {
                let mut buf = [0; 8 * 1024];
                let mut pending = 0;
                loop {
                    let n = match conn.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    pending = account(pending, &buf[..n], iterations);
                    if conn.write_all(&buf[..n]).await.is_err() {
                        return;
                    }
                }
            });
        }
    })
}

// ---------------------------------------------------------------- the suite

/// A running server; killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
    _stdout: BufReader<ChildStdout>,
}

impl Server {
    fn start(me: &Path, runtime: &str, threads: usize, iterations: u64) -> io::Result<Server> {
        // A free port: bound, read, released (every server thread then binds
        // it with SO_REUSEPORT).
        let addr = StdListener::bind("127.0.0.1:0")?.local_addr()?;
        let mut child = Command::new(me)
            .args(["--serve", runtime])
            .args([
                threads.to_string(),
                iterations.to_string(),
                addr.to_string(),
            ])
            .stdout(Stdio::piped())
            .spawn()?;
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let mut line = String::new();
        stdout.read_line(&mut line)?;
        if !line.starts_with("listening on") {
            let _ = child.kill();
            return Err(io::Error::other(format!("{runtime} server said {line:?}")));
        }
        Ok(Server {
            child,
            addr,
            _stdout: stdout,
        })
    }

    /// The server's CPU time so far, user plus system, all threads.
    fn cpu(&self) -> io::Result<Duration> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id()))?;
        let fields: Vec<&str> = stat[stat.rfind(')').unwrap_or(0) + 1..]
            .split_whitespace()
            .collect();
        let ticks: u64 = fields[11].parse::<u64>().unwrap_or(0) + fields[12].parse().unwrap_or(0);
        // SAFETY: sysconf has no preconditions.
        let per_sec = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
        Ok(Duration::from_secs_f64(ticks as f64 / per_sec))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value of `key=` in `echo_load`'s last line.
fn field(output: &str, key: &str) -> io::Result<f64> {
    output
        .lines()
        .last()
        .unwrap_or("")
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| io::Error::other(format!("no {key} in echo_load's output {output:?}")))
}

/// One `burn` measurement: requests/s and server CPU µs per request.
fn burn_run(
    me: &Path,
    echo_load: &Path,
    runtime: &str,
    threads: usize,
    iterations: u64,
    secs: u32,
) -> io::Result<[f64; 2]> {
    let server = Server::start(me, runtime, threads, iterations)?;
    let before = server.cpu()?;
    let output = Command::new("taskset")
        .args(["-c", "1"])
        .arg(echo_load)
        .args(["64", &MESSAGE.to_string(), &secs.to_string()])
        .arg(server.addr.to_string())
        .stderr(Stdio::inherit())
        .output()?;
    let cpu = server.cpu()? - before;
    let output = String::from_utf8_lossy(&output.stdout);
    let requests = field(&output, "requests")?;
    Ok([
        field(&output, "requests_per_s")?,
        cpu.as_secs_f64() * 1e6 / requests,
    ])
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

fn burn_section(secs: u32, rounds: usize) -> io::Result<()> {
    let me = std::env::current_exe()?;
    let profile_dir = me
        .parent()
        .and_then(Path::parent)
        .ok_or_else(|| io::Error::other("bench binary outside a target directory"))?;
    let cargo = option_env!("CARGO").unwrap_or("cargo");
    let status = Command::new(cargo)
        .args([
            "build",
            "--release",
            "-q",
            "-p",
            "goldiloop-examples",
            "--example",
            "echo_load",
        ])
        .status()?;
    if !status.success() {
        return Err(io::Error::other("building echo_load failed"));
    }
    let echo_load: PathBuf = profile_dir.join("examples").join("echo_load");
    let iterations = calibrate();
    let rows: Vec<(&str, usize)> = ["goldiloop", "epoll", "tokio", "tokio-mt"]
        .into_iter()
        .flat_map(|rt| [(rt, 1), (rt, 2)])
        .collect();
    let mut samples: Vec<Vec<[f64; 2]>> = vec![Vec::new(); rows.len()];
    for round in 1..=rounds {
        for (i, &(runtime, threads)) in rows.iter().enumerate() {
            let sample = burn_run(&me, &echo_load, runtime, threads, iterations, secs)?;
            eprintln!(
                "burn round {round}/{rounds} {runtime} x{threads}: {:.0} req/s, {:.1} µs CPU/req",
                sample[0], sample[1]
            );
            samples[i].push(sample);
        }
    }
    let medians: Vec<[f64; 2]> = samples
        .iter()
        .map(|s| [0, 1].map(|c| median(s.iter().map(|v| v[c]).collect())))
        .collect();
    println!(
        "\n### Burn: echo with {} µs of hashing per 64-byte request ({iterations} rounds), \
         echo_load 64 connections on CPU 1\n",
        WORK.as_micros()
    );
    println!("| server | threads | requests/s | server CPU µs/request | 2 threads / 1 thread |");
    println!("|---|---:|---:|---:|---:|");
    let names = |rt: &str| match rt {
        "goldiloop" => "goldiloop LoopPool + bind_reuseport",
        "epoll" => "raw epoll, SO_REUSEPORT per thread",
        "tokio" => "tokio current-thread, one per thread",
        _ => "tokio multi-thread, one worker per thread",
    };
    for (i, &(runtime, threads)) in rows.iter().enumerate() {
        let scale = if threads == 2 {
            format!("{:.2}x", medians[i][0] / medians[i - 1][0])
        } else {
            String::new()
        };
        println!(
            "| {} | {threads} | {:.0} | {:.1} | {scale} |",
            names(runtime),
            medians[i][0],
            medians[i][1]
        );
    }
    let find = |rt: &str, t: usize| medians[rows.iter().position(|r| *r == (rt, t)).unwrap()];
    for other in ["epoll", "tokio", "tokio-mt"] {
        for threads in [1, 2] {
            let (g, o) = (find("goldiloop", threads), find(other, threads));
            println!(
                "| goldiloop / {other} | {threads} | {:.2} | {:.2} | |",
                g[0] / o[0],
                g[1] / o[1]
            );
        }
    }
    Ok(())
}

/// Runs `a` and `b` on two threads pinned to the first two allowed CPUs;
/// returns `a`'s output.
fn on_two_cpus<A, B, T>(a: A, b: B) -> T
where
    A: FnOnce() -> T + Send + 'static,
    B: FnOnce() + Send + 'static,
    T: Send + 'static,
{
    let cpus = allowed_cpus();
    let (ca, cb) = (cpus[0], cpus[1 % cpus.len()]);
    let tb = std::thread::spawn(move || {
        pin_thread(cb);
        b()
    });
    let ta = std::thread::spawn(move || {
        pin_thread(ca);
        a()
    });
    let out = ta.join().unwrap();
    tb.join().unwrap();
    out
}

/// ns per round trip through `Spawner::add_task`: loop A adds an empty task
/// to loop B and awaits its handle.
fn handoff_spawner() -> f64 {
    let pool = goldiloop::LoopPool::builder()
        .loops(2)
        .pin_to_cores(true)
        .build()
        .unwrap();
    spawner_round_trips(pool.spawner(0), pool.spawner(1))
}

/// ns per round trip: a task on `a`'s loop adds an empty task to `b`'s loop
/// and awaits its handle, `ROUND_TRIPS` times.
fn spawner_round_trips(a: goldiloop::Spawner, b: goldiloop::Spawner) -> f64 {
    let elapsed = a.add_task(async move {
        let start = Instant::now();
        for i in 0..ROUND_TRIPS {
            black_box(b.add_task(async move { i }).await.unwrap());
        }
        start.elapsed()
    });
    let elapsed = goldiloop::core::Loop::new().run_task(elapsed).unwrap();
    elapsed.as_nanos() as f64 / f64::from(ROUND_TRIPS)
}

/// ns per round trip through `Spawner::add_task` between two loops of a
/// loop-core `LoopPool`, whose loops park on a futex (the `ThreadParker`):
/// the like-for-like peer of tokio's current-thread runtime built without
/// its I/O driver.
fn handoff_spawner_futex() -> f64 {
    let pool = goldiloop::core::LoopPool::builder()
        .loops(2)
        .pin_to_cores(true)
        .build()
        .unwrap();
    spawner_round_trips(pool.spawner(0), pool.spawner(1))
}

/// ns per round trip through two loop-sync channels between two loops.
fn handoff_channel() -> f64 {
    let pool = goldiloop::LoopPool::builder()
        .loops(2)
        .pin_to_cores(true)
        .build()
        .unwrap();
    let (ping_tx, mut ping_rx) = goldiloop::channel::<u32>(1);
    let (pong_tx, mut pong_rx) = goldiloop::channel::<u32>(1);
    let echo = pool.spawner(1).add_task(async move {
        while let Some(i) = ping_rx.recv().await {
            if pong_tx.send(i).await.is_err() {
                break;
            }
        }
    });
    let elapsed = pool.spawner(0).add_task(async move {
        let start = Instant::now();
        for i in 0..ROUND_TRIPS {
            ping_tx.send(i).await.unwrap();
            black_box(pong_rx.recv().await.unwrap());
        }
        start.elapsed()
    });
    let lp = goldiloop::Loop::new();
    let elapsed = lp.run_task(elapsed).unwrap();
    lp.run_task(echo).unwrap();
    elapsed.as_nanos() as f64 / f64::from(ROUND_TRIPS)
}

/// ns per round trip between two tokio current-thread runtimes over mpsc,
/// built without an I/O driver (they park on a futex).
fn handoff_tokio() -> f64 {
    handoff_tokio_with(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
    })
}

/// As [`handoff_tokio`], with the I/O and time drivers on (`enable_all`, as
/// a server needs): they park in epoll and are woken through an eventfd,
/// like goldiloop's Reactor loops.
fn handoff_tokio_io() -> f64 {
    handoff_tokio_with(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    })
}

fn handoff_tokio_with(runtime: fn() -> tokio::runtime::Runtime) -> f64 {
    let (ping_tx, mut ping_rx) = tokio::sync::mpsc::channel::<u32>(1);
    let (pong_tx, mut pong_rx) = tokio::sync::mpsc::channel::<u32>(1);
    let elapsed = on_two_cpus(
        move || {
            runtime().block_on(async move {
                let start = Instant::now();
                for i in 0..ROUND_TRIPS {
                    ping_tx.send(i).await.unwrap();
                    black_box(pong_rx.recv().await.unwrap());
                }
                start.elapsed()
            })
        },
        move || {
            runtime().block_on(async move {
                while let Some(i) = ping_rx.recv().await {
                    if pong_tx.send(i).await.is_err() {
                        break;
                    }
                }
            })
        },
    );
    elapsed.as_nanos() as f64 / f64::from(ROUND_TRIPS)
}

/// ns per round trip between two plain threads over `std::sync::mpsc`.
fn handoff_std() -> f64 {
    let (ping_tx, ping_rx) = mpsc::channel::<u32>();
    let (pong_tx, pong_rx) = mpsc::channel::<u32>();
    let elapsed = on_two_cpus(
        move || {
            let start = Instant::now();
            for i in 0..ROUND_TRIPS {
                ping_tx.send(i).unwrap();
                black_box(pong_rx.recv().unwrap());
            }
            start.elapsed()
        },
        move || {
            while let Ok(i) = ping_rx.recv() {
                if pong_tx.send(i).is_err() {
                    break;
                }
            }
        },
    );
    elapsed.as_nanos() as f64 / f64::from(ROUND_TRIPS)
}

/// One hand-off measurement: ns per round trip.
type Measure = fn() -> f64;

fn handoff_section(rounds: usize) {
    let rows: [(&str, Measure); 6] = [
        (
            "goldiloop `Spawner::add_task` + `JoinHandle` (Reactor loops, epoll)",
            handoff_spawner,
        ),
        (
            "goldiloop `channel` (loop-sync; Reactor loops, epoll)",
            handoff_channel,
        ),
        (
            "tokio current-thread x2 + `enable_all` (epoll), `tokio::sync::mpsc`",
            handoff_tokio_io,
        ),
        (
            "loop-core `Spawner::add_task` (`ThreadParker` loops, futex)",
            handoff_spawner_futex,
        ),
        (
            "tokio current-thread x2, no I/O driver (futex), `tokio::sync::mpsc`",
            handoff_tokio,
        ),
        ("threads, `std::sync::mpsc`", handoff_std),
    ];
    let mut samples = vec![Vec::new(); rows.len()];
    for round in 1..=rounds {
        for (i, (name, run)) in rows.iter().enumerate() {
            let ns = run();
            eprintln!("handoff round {round}/{rounds} {name}: {ns:.0} ns");
            samples[i].push(ns);
        }
    }
    let medians: Vec<f64> = samples.into_iter().map(median).collect();
    println!(
        "\n### Hand-off: ping-pong between two threads pinned to two CPUs, \
         {ROUND_TRIPS} round trips\n"
    );
    // Each goldiloop row is compared with the tokio runtime that parks the
    // same way: epoll rows with tokio's epoll row, futex rows with its futex row.
    let like_tokio = [2, 2, 2, 4, 4, 4];
    println!("| between | ns/round trip | / tokio parking the same way | / std |");
    println!("|---|---:|---:|---:|");
    for (i, (name, _)) in rows.iter().enumerate() {
        println!(
            "| {name} | {:.0} | {:.2} | {:.2} |",
            medians[i],
            medians[i] / medians[like_tokio[i]],
            medians[i] / medians[5]
        );
    }
}

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--serve") {
        return serve(&args[1..]);
    }
    if !args.iter().any(|a| a == "--bench") {
        eprintln!("per_core: nothing to do without --bench");
        return Ok(());
    }
    let mut secs = 3;
    let mut rounds = 3;
    let mut only = vec!["burn".to_owned(), "handoff".to_owned()];
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--secs" => secs = it.next().and_then(|v| v.parse().ok()).unwrap_or(secs),
            "--rounds" => rounds = it.next().and_then(|v| v.parse().ok()).unwrap_or(rounds),
            "--only" => {
                if let Some(list) = it.next() {
                    only = list.split(',').map(String::from).collect();
                }
            }
            _ => {}
        }
    }
    if allowed_cpus().len() < 2 {
        return Err(io::Error::other("per_core needs two CPUs"));
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "## Every core: median of {rounds} rounds, load average at start {}. \
         Shared, noisy machine: compare ratios within one run.",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    if only.iter().any(|s| s == "burn") {
        burn_section(secs, rounds)?;
    }
    if only.iter().any(|s| s == "handoff") {
        handoff_section(rounds.max(5));
    }
    Ok(())
}
