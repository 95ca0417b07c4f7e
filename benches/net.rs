//! Network benchmarks: goldiloop's `echo_server` and `http_hello` examples
//! side by side with the same servers on tokio current-thread, on smol, and
//! as a hand-written epoll loop (the floor), all in one run.
//!
//! Each server runs as a child process pinned to core 0 (`taskset -c 0`); the
//! load generator runs pinned to core 1. On two cores the client saturates
//! its core before a good server does, so requests/s alone measures the
//! client: beside it the suite reports the server's CPU time per request
//! (utime + stime from `/proc/<pid>/stat`, taken just before and after the
//! load). Each measurement is repeated, servers interleaved, and the median
//! is printed as Markdown tables on stdout (progress goes to stderr):
//!
//! - `pingpong`: the `echo_load` example, 64 connections doing 64-byte
//!   request/response ping-pong;
//! - `pingpong1000`: the same with 1 000 connections, where the order in
//!   which a server serves its ready connections matters more;
//! - `stream`: `echo_load` on one connection streaming 1 MiB messages through
//!   the echo server (MB/s and server CPU per MB);
//! - `wrk`: `wrk -t1 -c64` against each `http_hello` (skipped without `wrk`);
//! - `hyper`: `wrk -t1 -c64` against the `hyper_hello` example (hyper 1.x
//!   through `examples/hyper_rt.rs`) and `hyper_hello_tokio` (the same hyper
//!   server on tokio current-thread); skipped without `wrk`;
//! - `idle`: the server's RSS growth over 10 000 idle connections, each of
//!   which has echoed one 64-byte message.
//!
//! Run: `bash benches/net.sh`, or
//! `cargo bench -p goldiloop-benches --bench net -- --secs 5 --rounds 3 --only pingpong,pingpong1000,stream,wrk,hyper,idle`
//! (those are the defaults). It builds the examples it needs with
//! `cargo build --release -p goldiloop-examples --examples`. Without `--bench`
//! (as `cargo test --benches` runs it) it does nothing. The suite starts the
//! non-goldiloop servers as `net --serve <tokio|smol|epoll> <echo|http> ADDR`.

use std::fmt;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

#[path = "../examples/http_answer.rs"]
mod http;
#[path = "net_compare/on_epoll.rs"]
mod on_epoll;
#[path = "net_compare/on_smol.rs"]
mod on_smol;
#[path = "net_compare/on_tokio.rs"]
mod on_tokio;
#[path = "net_compare/table.rs"]
mod table;

use table::{Sample, interleaved, table};

/// What a server answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Sends back what it receives.
    Echo,
    /// Answers HTTP/1.1 requests with `Hello, World!`.
    Http,
}

/// Bytes an echo server receives (and sends back) at most per call, as in
/// `examples/echo_server.rs`.
pub(crate) const ECHO_BUF: usize = 8 * 1024;

/// Reports how a server's connection ended, unless the client merely left.
pub(crate) fn log(result: io::Result<()>) {
    if let Err(e) = result
        && e.kind() != io::ErrorKind::ConnectionReset
    {
        eprintln!("server: connection ended: {e}");
    }
}

/// The core the servers run on.
const SERVER_CPU: &str = "0";
/// The core the load generators run on.
const CLIENT_CPU: &str = "1";
/// Idle connections opened for the memory measurement.
const IDLE_CONNECTIONS: usize = 10_000;

/// The servers compared, in table order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Runtime {
    Goldiloop,
    Tokio,
    Smol,
    Epoll,
}

const RUNTIMES: [Runtime; 4] = [
    Runtime::Goldiloop,
    Runtime::Tokio,
    Runtime::Smol,
    Runtime::Epoll,
];

impl fmt::Display for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Runtime::Goldiloop => "goldiloop",
            Runtime::Tokio => "tokio",
            Runtime::Smol => "smol",
            Runtime::Epoll => "raw epoll",
        })
    }
}

/// Runs one server in this process: `--serve <tokio|smol|epoll> <echo|http> ADDR`.
fn serve(args: &[String]) -> io::Result<()> {
    let usage = || {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "usage: net --serve <tokio|smol|epoll> <echo|http> ADDR",
        )
    };
    let [runtime, kind, addr] = args else {
        return Err(usage());
    };
    let kind = match kind.as_str() {
        "echo" => Kind::Echo,
        "http" => Kind::Http,
        _ => return Err(usage()),
    };
    let addr: SocketAddr = addr.parse().map_err(|_| usage())?;
    match runtime.as_str() {
        "tokio" => on_tokio::serve(kind, addr),
        "smol" => on_smol::serve(kind, addr),
        "epoll" => on_epoll::serve(kind, addr),
        _ => Err(usage()),
    }
}

/// Options of the suite.
struct Options {
    secs: u32,
    rounds: usize,
    only: Vec<String>,
}

impl Options {
    fn parse(args: &[String]) -> io::Result<Options> {
        let mut options = Options {
            secs: 5,
            rounds: 3,
            only: ["pingpong", "pingpong1000", "stream", "wrk", "hyper", "idle"]
                .map(String::from)
                .to_vec(),
        };
        let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidInput, what.to_string());
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--secs" => {
                    options.secs = args
                        .next()
                        .and_then(|v| v.parse().ok())
                        .ok_or_else(|| bad("--secs takes a whole number of seconds"))?;
                }
                "--rounds" => {
                    options.rounds = args
                        .next()
                        .and_then(|v| v.parse().ok())
                        .filter(|&n| n > 0)
                        .ok_or_else(|| bad("--rounds takes a positive number"))?;
                }
                "--only" => {
                    let list = args.next().ok_or_else(|| bad("--only takes a list"))?;
                    options.only = list.split(',').map(String::from).collect();
                }
                // cargo bench passes `--bench`; filters and others are ignored.
                _ => {}
            }
        }
        Ok(options)
    }

    fn wants(&self, section: &str) -> bool {
        self.only.iter().any(|s| s == section)
    }
}

/// The programs the suite runs.
struct Programs {
    examples: PathBuf,
    me: PathBuf,
}

impl Programs {
    /// Builds the examples (release) next to this bench binary.
    fn build() -> io::Result<Programs> {
        let me = std::env::current_exe()?;
        let profile_dir = me
            .parent()
            .and_then(Path::parent)
            .ok_or_else(|| io::Error::other("bench binary outside a target directory"))?;
        let cargo = option_env!("CARGO").unwrap_or("cargo");
        let status = Command::new(cargo)
            .args(["build", "--release", "-q", "-p", "goldiloop-examples"])
            .args(["--example", "echo_server", "--example", "http_hello"])
            .args(["--example", "echo_load"])
            .args(["--example", "hyper_hello", "--example", "hyper_hello_tokio"])
            .status()?;
        if !status.success() {
            return Err(io::Error::other("building the examples failed"));
        }
        Ok(Programs {
            examples: profile_dir.join("examples"),
            me,
        })
    }

    /// The command that starts `runtime`'s server of `kind` on a free port.
    fn server(&self, runtime: Runtime, kind: Kind) -> Command {
        let mut cmd = pinned(SERVER_CPU);
        let addr = "127.0.0.1:0";
        match (runtime, kind) {
            (Runtime::Goldiloop, Kind::Echo) => cmd.arg(self.examples.join("echo_server")),
            (Runtime::Goldiloop, Kind::Http) => cmd.arg(self.examples.join("http_hello")),
            (runtime, kind) => {
                let name = match runtime {
                    Runtime::Tokio => "tokio",
                    Runtime::Smol => "smol",
                    _ => "epoll",
                };
                let kind = if kind == Kind::Echo { "echo" } else { "http" };
                cmd.arg(&self.me).args(["--serve", name, kind])
            }
        };
        cmd.arg(addr);
        cmd
    }

    /// The command that starts the hyper server on `runtime` (goldiloop's
    /// `hyper_hello` or `hyper_hello_tokio`) on a free port.
    fn hyper_server(&self, runtime: Runtime) -> Command {
        let mut cmd = pinned(SERVER_CPU);
        let name = match runtime {
            Runtime::Tokio => "hyper_hello_tokio",
            _ => "hyper_hello",
        };
        cmd.arg(self.examples.join(name)).arg("127.0.0.1:0");
        cmd
    }

    fn echo_load(&self) -> PathBuf {
        self.examples.join("echo_load")
    }
}

/// `taskset -c cpu`, ready for the program and its arguments.
fn pinned(cpu: &str) -> Command {
    let mut cmd = Command::new("taskset");
    cmd.args(["-c", cpu]);
    cmd
}

/// A running server; killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
    _stdout: BufReader<ChildStdout>,
}

impl Server {
    /// Starts the server and waits for its `... listening on ADDR` line.
    fn start(mut cmd: Command) -> io::Result<Server> {
        let mut child = cmd.stdout(Stdio::piped()).spawn()?;
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let mut line = String::new();
        stdout.read_line(&mut line)?;
        let addr = line
            .split_whitespace()
            .last()
            .and_then(|a| a.parse().ok())
            .ok_or_else(|| io::Error::other(format!("server said {line:?}, not its address")))?;
        Ok(Server {
            child,
            addr,
            _stdout: stdout,
        })
    }

    fn proc_file(&self, name: &str) -> io::Result<String> {
        std::fs::read_to_string(format!("/proc/{}/{name}", self.child.id()))
    }

    /// The server's CPU time so far, user plus system, all threads.
    fn cpu(&self) -> io::Result<Duration> {
        let stat = self.proc_file("stat")?;
        // Fields after the command name, which ends at the last ')': state is
        // field 3, utime field 14 and stime field 15.
        let fields: Vec<&str> = stat[stat.rfind(')').unwrap_or(0) + 1..]
            .split_whitespace()
            .collect();
        let ticks: u64 = fields[11].parse::<u64>().unwrap_or(0) + fields[12].parse().unwrap_or(0);
        // SAFETY: sysconf has no preconditions.
        let per_sec = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
        Ok(Duration::from_secs_f64(ticks as f64 / per_sec))
    }

    /// The time the server's threads spent runnable but waiting for a CPU.
    fn cpu_wait(&self) -> Duration {
        cpu_wait(self.child.id())
    }

    /// The server's resident set size in bytes.
    fn rss(&self) -> io::Result<u64> {
        let status = self.proc_file("status")?;
        let kb = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse::<u64>().ok())
            .ok_or_else(|| io::Error::other("no VmRSS in /proc/<pid>/status"))?;
        Ok(kb * 1024)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How long a client may run past its nominal duration before it counts as hung.
const CLIENT_GRACE: Duration = Duration::from_secs(30);

/// The time the threads of process `pid` have spent runnable but waiting
/// for a CPU: the second field of each `/proc/<pid>/task/*/schedstat` (zero
/// where the kernel keeps no schedstat). On a shared machine this is the
/// time other programs took from the benchmark.
fn cpu_wait(pid: u32) -> Duration {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Duration::ZERO;
    };
    let ns: u64 = tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
        .filter_map(|stat| stat.split_whitespace().nth(1)?.parse::<u64>().ok())
        .sum();
    Duration::from_nanos(ns)
}

/// Runs a load generator to completion and returns its stdout and the time
/// it waited for a CPU (as last seen, at most 100 ms before it ended); kills
/// it if it runs `CLIENT_GRACE` past `secs`.
fn run_client(mut cmd: Command, secs: u32) -> io::Result<(String, Duration)> {
    let mut child = cmd.stdout(Stdio::piped()).spawn()?;
    let deadline = Instant::now() + Duration::from_secs(secs.into()) + CLIENT_GRACE;
    let mut waited = Duration::ZERO;
    let status = loop {
        waited = waited.max(cpu_wait(child.id()));
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(io::Error::other(format!("{cmd:?} hung; killed")));
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut output = String::new();
    child
        .stdout
        .take()
        .expect("stdout is piped")
        .read_to_string(&mut output)?;
    if !status.success() {
        return Err(io::Error::other(format!("{cmd:?} failed: {status}")));
    }
    Ok((output, waited))
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

/// Runs `echo_load` with `connections` and `size` against `runtime`'s echo
/// server: requests/s, p50 µs, p99 µs, MB/s, server CPU µs per request,
/// p99.9 µs, the most replies between two on one connection (`echo_load`'s
/// `gap_max`), and the ms the load generator and the server waited for a CPU.
fn echo_run(
    programs: &Programs,
    runtime: Runtime,
    connections: usize,
    size: usize,
    secs: u32,
) -> io::Result<Sample> {
    let server = Server::start(programs.server(runtime, Kind::Echo))?;
    let mut load = pinned(CLIENT_CPU);
    load.arg(programs.echo_load()).args([
        connections.to_string(),
        size.to_string(),
        secs.to_string(),
        server.addr.to_string(),
    ]);
    let before = server.cpu()?;
    let waited_before = server.cpu_wait();
    let (output, _) = run_client(load, secs)?;
    let cpu = server.cpu()? - before;
    let server_waited = server.cpu_wait() - waited_before;
    let requests = field(&output, "requests")?;
    let cpu_per_request = cpu.as_secs_f64() * 1e6 / requests;
    Ok(vec![
        field(&output, "requests_per_s")?,
        field(&output, "p50_us")?,
        field(&output, "p99_us")?,
        field(&output, "mb_per_s")?,
        cpu_per_request,
        // Not in the tables; in the per-round lines (and net.sh's ranges).
        field(&output, "p999_us")?,
        field(&output, "gap_max")?,
        field(&output, "client_cpu_wait_ms")?,
        server_waited.as_secs_f64() * 1e3,
    ])
}

/// Runs `wrk -t1 -c64` against the HTTP server `server` starts: requests/s,
/// p50 µs, p99 µs, server CPU µs per request, and the ms wrk and the server
/// waited for a CPU.
fn wrk_run(server: Command, secs: u32) -> io::Result<Sample> {
    let server = Server::start(server)?;
    let mut wrk = pinned(CLIENT_CPU);
    wrk.args(["wrk", "-t1", "-c64", "--latency"])
        .arg(format!("-d{secs}s"))
        .arg(format!("http://{}/", server.addr));
    let before = server.cpu()?;
    let waited_before = server.cpu_wait();
    let (output, wrk_waited) = run_client(wrk, secs)?;
    let cpu = server.cpu()? - before;
    let server_waited = server.cpu_wait() - waited_before;
    let parse_err = || io::Error::other(format!("unexpected wrk output {output:?}"));
    let mut requests = None;
    let mut rps = None;
    let mut p50 = None;
    let mut p99 = None;
    for line in output.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [n, "requests", "in", ..] => requests = n.parse::<f64>().ok(),
            ["Requests/sec:", n] => rps = n.parse::<f64>().ok(),
            ["50%", t] => p50 = wrk_micros(t),
            ["99%", t] => p99 = wrk_micros(t),
            _ => {}
        }
    }
    let requests = requests.ok_or_else(parse_err)?;
    Ok(vec![
        rps.ok_or_else(parse_err)?,
        p50.ok_or_else(parse_err)?,
        p99.ok_or_else(parse_err)?,
        cpu.as_secs_f64() * 1e6 / requests,
        // Not in the table; in the per-round lines (and net.sh's ranges).
        wrk_waited.as_secs_f64() * 1e3,
        server_waited.as_secs_f64() * 1e3,
    ])
}

/// Prints the table of `wrk_run` rows: its first four figures (the CPU
/// waits stay in the per-round lines).
fn wrk_table(title: &str, rows: Vec<(Runtime, Sample)>) {
    let rows: Vec<(Runtime, Sample)> = rows
        .into_iter()
        .map(|(rt, s)| (rt, s[..4].to_vec()))
        .collect();
    table(
        title,
        &[
            ("requests/s", 0),
            ("p50 µs", 0),
            ("p99 µs", 0),
            ("server CPU µs/request", 2),
        ],
        &rows,
    );
}

/// A wrk duration such as `169.00us`, `1.20ms` or `2.00s`, in µs.
fn wrk_micros(text: &str) -> Option<f64> {
    let (number, scale) = if let Some(n) = text.strip_suffix("us") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix("ms") {
        (n, 1e3)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1e6)
    } else {
        return None;
    };
    number.parse::<f64>().ok().map(|n| n * scale)
}

/// Opens `count` connections to `runtime`'s echo server, echoes one 64-byte
/// message on each, and returns the server's RSS growth per connection
/// (bytes) with them all open and idle.
fn idle_run(programs: &Programs, runtime: Runtime, count: usize) -> io::Result<Sample> {
    let server = Server::start(programs.server(runtime, Kind::Echo))?;
    let before = server.rss()?;
    let mut conns = Vec::with_capacity(count);
    let message = [b'x'; 64];
    let mut reply = [0; 64];
    for _ in 0..count {
        let mut conn = TcpStream::connect(server.addr)?;
        conn.set_nodelay(true)?;
        conn.write_all(&message)?;
        conn.read_exact(&mut reply)?;
        conns.push(conn);
    }
    let after = server.rss()?;
    // Kill the server first: its side then holds the TIME_WAIT sockets.
    drop(server);
    drop(conns);
    Ok(vec![(after as f64 - before as f64) / count as f64])
}

/// Raises this process's soft fd limit to the hard one (children inherit
/// it) and returns the new limit.
fn raise_fd_limit() -> io::Result<libc::rlim_t> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid rlimit to fill.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == -1 {
        return Err(io::Error::last_os_error());
    }
    limit.rlim_cur = limit.rlim_max;
    // SAFETY: `limit` is a valid rlimit; raising the soft limit up to the
    // hard one needs no privilege.
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) } == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(limit.rlim_cur)
}

/// Pins this process (the idle connections' client) to `cpu`, away from the
/// servers' core.
fn pin_self(cpu: usize) -> io::Result<()> {
    // SAFETY: an all-zero cpu_set_t is an empty set.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: `cpu` is below CPU_SETSIZE, and `set` is a valid cpu_set_t.
    unsafe { libc::CPU_SET(cpu, &mut set) };
    // SAFETY: `set` is a valid cpu_set_t of the size passed; 0 is this thread.
    if unsafe { libc::sched_setaffinity(0, size_of::<libc::cpu_set_t>(), &set) } == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Whether `program` can be started.
fn available(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

fn suite(options: &Options) -> io::Result<()> {
    if !available("taskset", "-V") {
        return Err(io::Error::other(
            "taskset (util-linux) is needed to pin processes",
        ));
    }
    let fd_limit = raise_fd_limit()?;
    pin_self(CLIENT_CPU.parse().expect("a core number"))?;
    let programs = Programs::build()?;
    // SAFETY: sysconf has no preconditions. (Not available_parallelism:
    // this process is pinned to one core by now.)
    let cpus = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) };
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "## Network benchmarks: servers pinned to core {SERVER_CPU}, clients to core {CLIENT_CPU}"
    );
    println!(
        "\n{cpus} CPUs, Linux {}, load average at start {}; median of {} rounds of {} s, \
         servers interleaved. Shared, noisy machine: compare ratios within one run.",
        kernel.trim(),
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" "),
        options.rounds,
        options.secs
    );
    for (section, connections) in [("pingpong", 64), ("pingpong1000", 1000)] {
        if !options.wants(section) {
            continue;
        }
        let rows = interleaved(section, &RUNTIMES, options.rounds, |rt| {
            echo_run(&programs, rt, connections, 64, options.secs)
        })?;
        let rows: Vec<(Runtime, Sample)> = rows
            .into_iter()
            .map(|(rt, s)| (rt, vec![s[0], s[1], s[2], s[4]]))
            .collect();
        table(
            &format!("Echo: {connections} connections, 64-byte ping-pong (echo_load)"),
            &[
                ("requests/s", 0),
                ("p50 µs", 0),
                ("p99 µs", 0),
                ("server CPU µs/request", 2),
            ],
            &rows,
        );
    }
    if options.wants("stream") {
        let rows = interleaved("stream", &RUNTIMES, options.rounds, |rt| {
            echo_run(&programs, rt, 1, 1 << 20, options.secs)
        })?;
        // CPU per request is per MiB message; per MB (10^6 bytes) below.
        let mb_per_message = (1 << 20) as f64 / 1e6;
        let rows: Vec<(Runtime, Sample)> = rows
            .into_iter()
            .map(|(rt, s)| (rt, vec![s[3], s[1], s[4] / mb_per_message]))
            .collect();
        table(
            "Echo: one connection streaming 1 MiB messages (echo_load)",
            &[("MB/s", 0), ("p50 µs/MiB", 0), ("server CPU µs/MB", 1)],
            &rows,
        );
    }
    if options.wants("wrk") {
        if available("wrk", "--version") {
            let rows = interleaved("wrk", &RUNTIMES, options.rounds, |rt| {
                wrk_run(programs.server(rt, Kind::Http), options.secs)
            })?;
            wrk_table("HTTP: wrk -t1 -c64 against http_hello", rows);
        } else {
            println!("\n(wrk not found: the HTTP table is skipped; `apt-get install wrk`)");
        }
    }
    if options.wants("hyper") {
        if available("wrk", "--version") {
            let runtimes = [Runtime::Goldiloop, Runtime::Tokio];
            let rows = interleaved("hyper", &runtimes, options.rounds, |rt| {
                wrk_run(programs.hyper_server(rt), options.secs)
            })?;
            wrk_table(
                "HTTP through hyper 1.x: wrk -t1 -c64 against hyper_hello \
                 (goldiloop via examples/hyper_rt.rs) and hyper_hello_tokio",
                rows,
            );
        } else {
            println!("\n(wrk not found: the hyper table is skipped; `apt-get install wrk`)");
        }
    }
    if options.wants("idle") {
        // This process and the server each hold one fd per connection.
        let count = IDLE_CONNECTIONS.min((fd_limit as usize).saturating_sub(64));
        let rows = interleaved("idle", &RUNTIMES, options.rounds, |rt| {
            idle_run(&programs, rt, count)
        })?;
        table(
            &format!(
                "Memory: server RSS growth over {count} idle echo connections \
                 (each server holds an 8 KiB buffer per connection)"
            ),
            &[("bytes/connection", 0)],
            &rows,
        );
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "\nLoad average at end: {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    Ok(())
}

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--serve") {
        return serve(&args[1..]);
    }
    if !args.iter().any(|a| a == "--bench") {
        eprintln!("net: nothing to do without --bench; run `bash benches/net.sh`");
        return Ok(());
    }
    suite(&Options::parse(&args)?)
}
