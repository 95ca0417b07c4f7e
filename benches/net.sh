#!/usr/bin/env bash
# Runs the network benchmarks of benches/net.rs: goldiloop's echo_server and
# http_hello examples against the same servers on tokio current-thread, smol
# and a raw epoll loop, and the hyper_hello example (hyper on goldiloop)
# against hyper_hello_tokio (the same hyper server on tokio current-thread),
# servers pinned to core 0 and clients to core 1.
# Prints Markdown tables (medians) on stdout, progress on stderr.
#
#   bash benches/net.sh                        # 5 s per run, 3 rounds, all sections
#   bash benches/net.sh --secs 3 --rounds 5 --only pingpong,wrk
#   bash benches/net.sh --only hyper           # hyper on goldiloop vs on tokio
#
# Needs taskset (util-linux); the HTTP table needs wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p goldiloop-examples \
  --example echo_server --example http_hello --example echo_load \
  --example hyper_hello --example hyper_hello_tokio
exec cargo bench -q -p goldiloop-benches --bench net -- "$@"
