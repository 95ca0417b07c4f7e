//! The talk "Goldilocks and the three tasks", slide by slide: each of its
//! examples, run in order under a heading that names its slide.
//!
//! Every slide is also an example of its own (`cargo run --example <name>`),
//! whose first comment quotes the slide and says what goldiloop does
//! differently: the talk's loop polls every task on every turn; goldiloop's
//! polls a task only when its waker says it can make progress, sleeps in
//! `epoll_wait` (or a thread park) when nothing can, and wakes for the
//! earliest timer or the first ready socket.
//!
//! The timed slides run here at a tenth of the talk's sleep times, so the
//! tour takes about a second; their output does not change, because timers
//! fire in deadline order. `-- --paused` runs them on the paused clock
//! instead, in no real time.
//!
//! Run it with `cargo run --release --example tour`.

#[path = "first_loop.rs"]
mod first_loop;
#[path = "run_tasks.rs"]
mod run_tasks;
#[path = "waiter.rs"]
mod waiter;
// The tour calls `run` with its own pace; the example's `main` is unused here.
#[path = "echo_reverse.rs"]
mod echo_reverse;
#[allow(dead_code)]
#[path = "gather.rs"]
mod gather;
#[allow(dead_code)]
#[path = "loop_current.rs"]
mod loop_current;
#[allow(dead_code)]
#[path = "sleep.rs"]
mod sleep;

/// The tour's pace for the timed slides: a tenth of the talk's sleep times.
const PACE: f64 = 0.1;

fn heading(title: &str) {
    println!("\n== {title} ==");
}

fn main() -> std::io::Result<()> {
    let paused = std::env::args().any(|arg| arg == "--paused");
    println!("Goldilocks and the three tasks: the talk's examples on goldiloop");

    heading("Event loops: first prototype, run_task(simple_print(0))");
    first_loop::main();

    heading(
        "Event loops - execution: run_tasks(simple_print(1), ComplexWork(), simple_print(2), simple_print(3))",
    );
    run_tasks::main();

    heading("Event loops - execution: run_tasks(wait_job(waiter), count_up_to(waiter, 5))");
    waiter::main();

    heading("Asynchronous environment - example: print_messages with sleep");
    sleep::run(paused, PACE);

    heading("Event loops - interactions: Loop.current, and the talk's gather on a Waiter");
    loop_current::run(paused, PACE);

    heading("Event loops - utility functions: gather(print_messages(...), print_messages(...))");
    gather::run(paused, PACE);

    heading("Event loops - network utils: AioSocket, server_coro and client_coro");
    echo_reverse::main()
}
