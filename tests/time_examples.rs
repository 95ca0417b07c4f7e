//! Runs the `sleep` example (the talk's two `print_messages` tasks) and checks
//! its output exactly. It runs on the loop's paused clock (`--paused`), so the
//! interleaving comes from the deadlines alone and the test takes no real
//! time.

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
fn sleep_example_prints_foo_aaa_bbb_bar_ccc_baz() {
    let output = Command::new(example("sleep"))
        .arg("--paused")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "example sleep failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        "foo\naaa\nbbb\nbar\nccc\nbaz\n"
    );
}
