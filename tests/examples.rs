//! Runs the example programs and checks their output exactly: the talk's
//! interleavings are deterministic.

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

/// Runs an example and returns its standard output.
fn run(name: &str) -> String {
    let output = Command::new(example(name)).output().unwrap();
    assert!(
        output.status.success(),
        "example {name} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn run_tasks_interleaves_the_four_tasks_round_robin() {
    assert_eq!(
        run("run_tasks"),
        "\
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
"
    );
}
