#!/usr/bin/env bash
# Runs the network benchmarks of benches/net.rs: goldiloop's echo_server and
# http_hello examples against the same servers on tokio current-thread, smol
# and a raw epoll loop, servers pinned to core 0 and clients to core 1.
# Prints Markdown tables (medians) on stdout, progress on stderr.
#
#   bash benches/net.sh                        # 5 s per run, 3 rounds, all sections
#   bash benches/net.sh --secs 3 --rounds 5 --only pingpong,wrk
#
# Needs taskset (util-linux); the HTTP table needs wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p goldiloop-examples \
  --example echo_server --example http_hello --example echo_load
exec cargo bench -q -p goldiloop-benches --bench net -- "$@"
