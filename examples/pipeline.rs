//! Child processes and pipes on the loop.
//!
//! `pipeline` runs `sh -c 'seq 1 100000'`, reads its output in a goldiloop
//! task that counts and sums the lines, and passes every byte on to a
//! second child, `wc -l`, whose answer it reads back: three processes and
//! two pipes, none of which blocks the loop.
//!
//! `pipeline cat` is a line-numbering `cat` over stdin (a pipe or a tty is
//! read through the Reactor, a redirected file on the blocking pool).
//!
//! Run: `cargo run -p goldiloop-examples --example pipeline`, or
//! `printf 'a\nb\n' | cargo run -p goldiloop-examples --example pipeline -- cat`.

use std::io;
use std::process::Stdio;

use goldiloop::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use goldiloop::process::Command;
use goldiloop::spawn;

/// seq | (count here) | wc -l
async fn pipeline() -> io::Result<()> {
    let mut seq = Command::new("sh")
        .args(["-c", "seq 1 100000"])
        .stdout(Stdio::piped())
        .spawn()?;
    let mut wc = Command::new("wc")
        .arg("-l")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut from_seq = BufReader::new(seq.stdout.take().expect("piped"));
    let mut to_wc = wc.stdin.take().expect("piped");
    let mut from_wc = wc.stdout.take().expect("piped");

    // wc's answer is read by its own task while this one feeds it.
    let answer = spawn(async move {
        let mut text = String::new();
        from_wc.read_to_string(&mut text).await.map(|_| text)
    });
    let (mut lines, mut sum) = (0u64, 0u64);
    let mut line = String::new();
    while from_seq.read_line(&mut line).await? > 0 {
        lines += 1;
        sum += line.trim_end().parse::<u64>().unwrap_or(0);
        to_wc.write_all(line.as_bytes()).await?;
        line.clear();
    }
    to_wc.close().await?; // wc sees end of input
    let wc_says = answer.await.expect("the reader task")?;
    let seq_status = seq.wait().await?;
    let wc_status = wc.wait().await?;
    assert!(seq_status.success() && wc_status.success());
    let mut out = goldiloop::io::stdout();
    out.write_all(
        format!(
            "counted {lines} lines, sum {sum}; wc -l says {}\n",
            wc_says.trim()
        )
        .as_bytes(),
    )
    .await?;
    out.flush().await
}

/// A line-numbering cat over stdin.
async fn cat() -> io::Result<()> {
    let mut input = BufReader::new(goldiloop::io::stdin());
    let mut out = goldiloop::io::stdout();
    let mut line = String::new();
    let mut n = 0;
    while input.read_line(&mut line).await? > 0 {
        n += 1;
        let text = line.strip_suffix('\n').unwrap_or(&line);
        out.write_all(format!("{n:6}\t{text}\n").as_bytes()).await?;
        line.clear();
    }
    out.flush().await
}

fn main() -> io::Result<()> {
    match std::env::args().nth(1).as_deref() {
        Some("cat") => goldiloop::run(cat()),
        _ => goldiloop::run(pipeline()),
    }
}
