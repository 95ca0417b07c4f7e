//! Runs the `waiter` and `gather` examples (the talk's `Waiter` and `gather`
//! slides) and checks their output exactly. `gather` runs on the loop's
//! paused clock (`--paused`), so its interleaving comes from the deadlines
//! alone and the test takes no real time.

use std::path::PathBuf;
use std::process::Command;

/// The path of a built example, building it if `cargo test` did not.
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let path = profile_dir.join("examples").join(name);
    if !path.exists() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "-q", "-p", "goldiloop-examples", "--example", name])
            .status()
            .unwrap();
        assert!(status.success(), "building example {name} failed");
    }
    path
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

#[test]
fn waiter_example_runs_the_job_only_after_counting_to_five() {
    assert_eq!(
        run("waiter", &[]),
        "\
wait_job: waiting
count_up_to: 1
count_up_to: 2
count_up_to: 3
count_up_to: 4
count_up_to: 5
wait_job: the waiter is done, running the job
"
    );
}

#[test]
fn gather_example_prints_foo_aaa_bbb_bar_ccc_baz() {
    assert_eq!(
        run("gather", &["--paused"]),
        "foo\naaa\nbbb\nbar\nccc\nbaz\n"
    );
}
