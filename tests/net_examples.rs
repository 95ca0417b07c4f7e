//! Runs the `echo_reverse` example (the talk's `server_coro`/`client_coro`)
//! and checks its output exactly.

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

#[test]
fn echo_reverse_example_prints_the_message_then_its_reverse() {
    let output = Command::new(example("echo_reverse")).output().unwrap();
    assert!(
        output.status.success(),
        "example echo_reverse failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "Received from client \"Hello World!\"\nReceived from server \"!dlroW olleH\"\n"
    );
}
