//! Runs every example program of the talk and checks its output exactly: the
//! talk's interleavings are deterministic. The timed slides run with
//! `--paused`, on the loop's paused clock, so their order comes from the
//! deadlines alone and the tests take no real time.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The path of a built example, building it if `cargo test` did not (it does
/// not under `--tests`, as the ASan step runs it).
///
/// The example sits beside this test binary: `<target-dir>/[<triple>/]<profile>/examples/`,
/// while the binary is in `<profile>/deps/`. So the example is found, and built
/// if missing, with the same target dir, `--target` and profile as the tests,
/// whichever of those the run chose (RUSTFLAGS pass through the environment).
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).unwrap();
    let profile_dir = profile_dir.canonicalize().unwrap();
    let path = profile_dir.join("examples").join(name);
    // One build at a time: the tests run on parallel threads, and cargo
    // builds racing in one target dir have failed here.
    static BUILDING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one = BUILDING.lock().unwrap_or_else(|e| e.into_inner());
    if !path.exists() {
        // The cargo running the tests, else the one that built them.
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| env!("CARGO").into());
        let status = Command::new(cargo)
            .args(["build", "-q", "-p", "goldiloop-examples", "--example", name])
            .args(build_args(&profile_dir))
            .status()
            .unwrap();
        assert!(status.success(), "building example {name} failed");
        assert!(
            path.exists(),
            "example {name} was built, but not at {path:?}"
        );
    }
    path
}

/// The `cargo build` arguments that put an example into `profile_dir`.
fn build_args(profile_dir: &Path) -> Vec<String> {
    // cargo sets this for integration tests: `<target-dir>/tmp`.
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap();
    let target_dir = target_dir.canonicalize().unwrap();
    let mut args = vec!["--target-dir".to_string(), target_dir.display().to_string()];
    let above_profile = profile_dir.parent().unwrap();
    if above_profile != target_dir {
        // `<target-dir>/<triple>/<profile>`: built with an explicit `--target`.
        let triple = above_profile.file_name().unwrap().to_str().unwrap();
        args.extend(["--target".to_string(), triple.to_string()]);
    }
    let profile = match profile_dir.file_name().unwrap().to_str().unwrap() {
        "debug" => "dev",
        other => other,
    };
    args.extend(["--profile".to_string(), profile.to_string()]);
    args
}

/// Runs an example with `args` and returns its standard output.
fn run(name: &str, args: &[&str]) -> String {
    let output = Command::new(example(name)).args(args).output().unwrap();
    assert!(
        output.status.success(),
        "example {name} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

const FIRST_LOOP: &str = "\
simple_print(0): start
simple_print(0): end
run_task returned 0
";

const RUN_TASKS: &str = "\
simple_print(1): start
ComplexWork: step 0
simple_print(2): start
simple_print(3): start
simple_print(1): end
ComplexWork: step 1
simple_print(2): end
simple_print(3): end
ComplexWork: step 2
ComplexWork: done
";

const WAITER: &str = "\
wait_job: waiting
count_up_to: 1
count_up_to: 2
count_up_to: 3
count_up_to: 4
count_up_to: 5
wait_job: the waiter is done, running the job
";

/// The talk's two `print_messages`, 1 s and 0.7 s apart.
const PRINT_MESSAGES: &str = "foo\naaa\nbbb\nbar\nccc\nbaz\n";

const ECHO_REVERSE: &str = "\
Received from client \"Hello World!\"
Received from server \"!dlroW olleH\"
";

#[test]
fn first_loop_runs_one_task_to_completion() {
    assert_eq!(run("first_loop", &[]), FIRST_LOOP);
}

#[test]
fn run_tasks_interleaves_the_four_tasks_round_robin() {
    assert_eq!(run("run_tasks", &[]), RUN_TASKS);
}

#[test]
fn waiter_example_runs_the_job_only_after_counting_to_five() {
    assert_eq!(run("waiter", &[]), WAITER);
}

#[test]
fn sleep_example_prints_foo_aaa_bbb_bar_ccc_baz() {
    assert_eq!(run("sleep", &["--paused"]), PRINT_MESSAGES);
}

#[test]
fn loop_current_example_gathers_with_a_waiter() {
    assert_eq!(run("loop_current", &["--paused"]), PRINT_MESSAGES);
}

#[test]
fn gather_example_prints_foo_aaa_bbb_bar_ccc_baz() {
    assert_eq!(run("gather", &["--paused"]), PRINT_MESSAGES);
}

#[test]
fn echo_reverse_example_prints_the_message_then_its_reverse() {
    assert_eq!(run("echo_reverse", &[]), ECHO_REVERSE);
}

#[test]
fn top_prints_a_screen_per_second_naming_the_servers_tasks_by_spawn_site() {
    let out = run("top", &["2"]);
    let screens: Vec<&str> = out.lines().filter(|l| l.starts_with("--- ")).collect();
    assert_eq!(screens, ["--- 1 s", "--- 2 s"], "{out}");
    // Each screen names tasks by spawn site: the dump's rows, or the task the
    // loop is stuck in (the example blocks once on purpose).
    assert!(out.contains("examples/top.rs:"), "{out}");
}

/// The tour runs every slide in order, each under its heading.
fn expected_tour() -> String {
    let slides = [
        (
            "Event loops: first prototype, run_task(simple_print(0))",
            FIRST_LOOP,
        ),
        (
            "Event loops - execution: run_tasks(simple_print(1), ComplexWork(), simple_print(2), simple_print(3))",
            RUN_TASKS,
        ),
        (
            "Event loops - execution: run_tasks(wait_job(waiter), count_up_to(waiter, 5))",
            WAITER,
        ),
        (
            "Asynchronous environment - example: print_messages with sleep",
            PRINT_MESSAGES,
        ),
        (
            "Event loops - interactions: Loop.current, and the talk's gather on a Waiter",
            PRINT_MESSAGES,
        ),
        (
            "Event loops - utility functions: gather(print_messages(...), print_messages(...))",
            PRINT_MESSAGES,
        ),
        (
            "Event loops - network utils: AioSocket, server_coro and client_coro",
            ECHO_REVERSE,
        ),
    ];
    let mut out =
        String::from("Goldilocks and the three tasks: the talk's examples on goldiloop\n");
    for (title, body) in slides {
        out.push_str(&format!("\n== {title} ==\n{body}"));
    }
    out
}

#[test]
fn tour_runs_every_slide_in_order_on_the_paused_clock() {
    assert_eq!(run("tour", &["--paused"]), expected_tour());
}

#[test]
fn tour_runs_every_slide_in_order_in_real_time() {
    // At a tenth of the talk's sleep times: the order comes from the
    // deadlines, not from how fast the machine is.
    assert_eq!(run("tour", &[]), expected_tour());
}

/// A server example running in the background, killed when dropped.
struct Server {
    child: std::process::Child,
    addr: String,
}

impl Server {
    /// Starts `name` on a free port and reads the address it prints.
    fn start(name: &str) -> Server {
        Server::start_with(name, &[])
    }

    /// As [`Server::start`], with more arguments after the address.
    fn start_with(name: &str, args: &[&str]) -> Server {
        use std::io::BufRead;
        let mut child = Command::new(example(name))
            .arg("127.0.0.1:0")
            .args(args)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let prefix = format!("{name} listening on ");
        let addr = line
            .trim()
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("{name} printed {line:?}"))
            .to_string();
        Server { child, addr }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn echo_load_measures_echo_server() {
    let server = Server::start("echo_server");
    let out = run("echo_load", &["8", "64", "1", &server.addr]);
    let stats = out.lines().last().unwrap();
    let requests: u64 = stats
        .strip_prefix("requests=")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("echo_load printed {out:?}"));
    assert!(requests > 0, "no request was echoed: {out}");
    for key in ["requests_per_s=", "p50_us=", "p99_us="] {
        assert!(stats.contains(key), "{key} missing from {stats:?}");
    }
}

/// A connection to `addr` whose reads give up after 10 s (a hang fails the
/// test instead of stalling it).
fn connect(addr: &str) -> std::net::TcpStream {
    let conn = std::net::TcpStream::connect(addr).unwrap();
    conn.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    conn
}

/// Sends two requests in one write to the HTTP server at `addr`, the second
/// asking to close, and returns everything it answers until it closes.
fn two_pipelined_gets(addr: &str) -> String {
    use std::io::{Read, Write};
    let mut conn = connect(addr);
    conn.write_all(
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /again HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn http_hello_answers_pipelined_requests_and_honours_connection_close() {
    let server = Server::start("http_hello");
    let answer = two_pipelined_gets(&server.addr);
    assert_eq!(answer.matches("HTTP/1.1 200 OK\r\n").count(), 2, "{answer}");
    assert_eq!(
        answer.matches("\r\n\r\nHello, World!").count(),
        2,
        "{answer}"
    );
}

#[test]
fn echo_per_core_echoes_on_every_connection() {
    use std::io::{Read, Write};
    let server = Server::start_with("echo_per_core", &["--loops", "2"]);
    for i in 0..32u8 {
        let mut conn = connect(&server.addr);
        let message = [b'e', i, b'\n'];
        conn.write_all(&message).unwrap();
        let mut echoed = [0; 3];
        conn.read_exact(&mut echoed).unwrap();
        assert_eq!(echoed, message, "connection {i}");
    }
}

#[test]
fn http_per_core_answers_pipelined_requests_on_every_loop() {
    let server = Server::start_with("http_per_core", &["--loops", "2"]);
    for _ in 0..16 {
        let answer = two_pipelined_gets(&server.addr);
        assert_eq!(answer.matches("HTTP/1.1 200 OK\r\n").count(), 2, "{answer}");
        assert_eq!(
            answer.matches("\r\n\r\nHello, World!").count(),
            2,
            "{answer}"
        );
    }
}

#[test]
fn pipeline_counts_seq_through_a_task_and_wc() {
    assert_eq!(
        run("pipeline", &[]),
        "counted 100000 lines, sum 5000050000; wc -l says 100000\n"
    );
}

#[test]
fn pipeline_cat_numbers_lines_from_a_pipe_and_leaves_it_blocking() {
    use std::io::Write;
    use std::os::fd::AsRawFd;
    let (reader, mut writer) = std::io::pipe().unwrap();
    // A second descriptor of the same pipe end: it shares O_NONBLOCK.
    let watch = reader.try_clone().unwrap();
    let child = Command::new(example("pipeline"))
        .arg("cat")
        .stdin(reader)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    writer.write_all(b"first\nsecond\nno newline").unwrap();
    drop(writer);
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "     1\tfirst\n     2\tsecond\n     3\tno newline\n"
    );
    // SAFETY: F_GETFL takes no argument.
    let flags = unsafe { libc::fcntl(watch.as_raw_fd(), libc::F_GETFL) };
    assert_eq!(flags & libc::O_NONBLOCK, 0, "stdin left non-blocking");
}

#[test]
fn pipeline_cat_reads_a_redirected_file_on_the_blocking_pool() {
    let path = std::env::temp_dir().join(format!("goldiloop-cat-{}", std::process::id()));
    std::fs::write(&path, "x\ny\n").unwrap();
    let output = Command::new(example("pipeline"))
        .arg("cat")
        .stdin(std::fs::File::open(&path).unwrap())
        .output()
        .unwrap();
    std::fs::remove_file(&path).unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "     1\tx\n     2\ty\n"
    );
}

#[test]
fn graceful_finishes_the_request_in_flight_on_sigterm_and_exits_0() {
    use std::io::{BufRead, BufReader, Write};
    let mut child = Command::new(example("graceful"))
        .arg("127.0.0.1:0")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_owned();

    let conn = std::net::TcpStream::connect(&addr).unwrap();
    conn.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let mut reader = BufReader::new(&conn);
    let mut greeting = String::new();
    reader.read_line(&mut greeting).unwrap();
    assert_eq!(greeting, "hello\n", "the connection was accepted");
    (&conn).write_all(b"in flight\n").unwrap();
    // SAFETY: signalling our own child, which is still ours (not reaped).
    let sent = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    assert_eq!(sent, 0);
    let mut answer = String::new();
    reader.read_line(&mut answer).unwrap();
    assert_eq!(answer, "done: in flight\n");

    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
    assert_eq!(
        rest,
        "stopping: 1 connection(s) open\nstopped: 1 finished\n"
    );
    assert!(
        std::net::TcpStream::connect(&addr).is_err(),
        "nothing listens after the stop"
    );
}

/// Sends `GET path` (asking to close) to `addr`; returns the response's
/// head (status line and headers) and body.
fn http_get(addr: &str, path: &str) -> (String, String) {
    use std::io::{Read, Write};
    let mut conn = connect(addr);
    write!(
        conn,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    let (head, body) = answer
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no end of head in {answer:?}"));
    (head.to_string(), body.to_string())
}

#[test]
fn hyper_hello_answers_pipelined_requests_and_honours_connection_close() {
    let server = Server::start("hyper_hello");
    let answer = two_pipelined_gets(&server.addr);
    assert_eq!(answer.matches("HTTP/1.1 200 OK\r\n").count(), 2, "{answer}");
    assert_eq!(
        answer.matches("content-length: 13\r\n").count(),
        2,
        "{answer}"
    );
    assert!(answer.ends_with("\r\n\r\nHello, World!"), "{answer}");
    assert_eq!(answer.matches("Hello, World!").count(), 2, "{answer}");
}

#[test]
fn hyper_client_fetches_three_times_over_one_pooled_connection() {
    let server = Server::start("hyper_hello");
    let url = format!("http://{}/", server.addr);
    let expected =
        format!("GET {url}: 200 OK Hello, World!\n").repeat(3) + "connections opened: 1\n";
    assert_eq!(run("hyper_client", &[&url]), expected);
}

#[test]
fn axum_hello_answers_its_routes_with_exact_bodies() {
    let server = Server::start("axum_hello");
    let (head, body) = http_get(&server.addr, "/");
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert_eq!(body, "Hello from axum!");

    let (head, body) = http_get(&server.addr, "/slow");
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert_eq!(body, "slept 50 ms: true");

    let (head, body) = http_get(&server.addr, "/json");
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(
        head.contains("content-type: application/json\r\n"),
        "{head}"
    );
    assert_eq!(
        body,
        r#"{"ok":true,"runtime":"goldiloop","server":"axum on hyper"}"#
    );

    let (head, body) = http_get(&server.addr, "/missing");
    assert!(head.starts_with("HTTP/1.1 404 Not Found\r\n"), "{head}");
    assert_eq!(body, "");
}
