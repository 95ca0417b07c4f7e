#!/usr/bin/env bash
# Runs the network benchmarks of benches/net.rs: goldiloop's echo_server and
# http_hello examples against the same servers on tokio current-thread, smol
# and a raw epoll loop, and the hyper_hello example (hyper on goldiloop)
# against hyper_hello_tokio (the same hyper server on tokio current-thread),
# servers pinned to core 0 and clients to core 1.
# Prints Markdown tables (medians) on stdout, then the range (lowest and
# highest of the rounds) of every figure; progress on stderr.
#
#   bash benches/net.sh                        # 5 s per run, 3 rounds, all sections
#   bash benches/net.sh --secs 3 --rounds 5 --only pingpong,pingpong1000,wrk
#   bash benches/net.sh --only hyper           # hyper on goldiloop vs on tokio
#
# Needs taskset (util-linux); the HTTP table needs wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p goldiloop-examples \
  --example echo_server --example http_hello --example echo_load \
  --example hyper_hello --example hyper_hello_tokio
# The run's length in seconds, for the quiet-round filter below.
secs=5
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  if [[ ${args[i]} == --secs ]]; then secs=${args[i + 1]:-5}; fi
done
rounds=$(mktemp)
trap 'rm -f "$rounds"' EXIT
cargo bench -q -p goldiloop-benches --bench net -- "$@" 2> >(tee "$rounds" >&2)
wait
# The per-round lines: "<section> round <i>/<n> <server>: <v1> <v2> ...".
awk -v secs="$secs" '
  / round [0-9]+\/[0-9]+ / {
    split($0, halves, ": ")
    head = halves[1]; section = $1
    server = head; sub(/^[^ ]+ round [^ ]+ /, "", server)
    n = split(halves[2], v, " ")
    key = section SUBSEP server
    if (!(key in seen)) { seen[key] = 1; order[++count] = key; width[key] = n }
    for (i = 1; i <= n; i++) {
      if (!((key, i) in lo) || v[i] + 0 < lo[key, i]) lo[key, i] = v[i] + 0
      if (!((key, i) in hi) || v[i] + 0 > hi[key, i]) hi[key, i] = v[i] + 0
    }
    # A quiet round: the generator and the server together waited for a
    # CPU at most 1% of the run (columns 8 and 9 of echo_load rounds, 5 and
    # 6 of wrk rounds).
    rounds[key]++
    if (section == "wrk" || section == "hyper") { waited = v[5] + v[6]; cpu = v[4] }
    else if (section ~ /^pingpong/) { waited = v[8] + v[9]; cpu = v[5] }
    else next
    if (waited <= secs * 10) {
      q = ++quiet[key]
      q50[key, q] = v[2] + 0; q99[key, q] = v[3] + 0; qcpu[key, q] = cpu + 0
    }
  }
  function median(a, key, n,    i, j, t, x) {
    for (i = 1; i <= n; i++) x[i] = a[key, i]
    for (i = 2; i <= n; i++) for (j = i; j > 1 && x[j - 1] > x[j]; j--) { t = x[j]; x[j] = x[j - 1]; x[j - 1] = t }
    return n % 2 ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2
  }
  function fmt(x) { return x >= 100 ? sprintf("%.0f", x) : sprintf("%.3g", x) }
  END {
    if (count == 0) exit
    names["pingpong"] = "requests/s, p50 µs, p99 µs, MB/s, server CPU µs/request, p99.9 µs, most replies between two on one connection, ms the generator waited for a CPU, ms the server waited for a CPU"
    names["pingpong1000"] = names["pingpong"]
    names["stream"] = "messages/s, p50 µs, p99 µs, MB/s, server CPU µs/message, p99.9 µs, -, ms the generator waited for a CPU, ms the server waited for a CPU"
    names["wrk"] = "requests/s, p50 µs, p99 µs, server CPU µs/request, ms wrk waited for a CPU, ms the server waited for a CPU"
    names["hyper"] = names["wrk"]
    names["idle"] = "server RSS bytes/connection"
    print "\n### Ranges over the rounds (lowest-highest)"
    last = ""
    for (k = 1; k <= count; k++) {
      split(order[k], parts, SUBSEP)
      if (parts[1] != last) {
        last = parts[1]
        printf "\n%s: %s\n\n", last, names[last]
      }
      line = "- " parts[2] ":"
      for (i = 1; i <= width[order[k]]; i++) {
        line = line " " fmt(lo[order[k], i]) "-" fmt(hi[order[k], i])
        if (i < width[order[k]]) line = line ","
      }
      print line
    }
    relevant = 0
    for (k = 1; k <= count; k++) {
      split(order[k], parts, SUBSEP)
      if (parts[1] == "wrk" || parts[1] == "hyper" || parts[1] ~ /^pingpong/) relevant = 1
    }
    if (!relevant) exit
    print "\n### Quiet rounds only (the generator and the server together waited for a CPU at most 1% of the run)\n"
    print "| section | server | quiet rounds | p50 µs | p99 µs | server CPU µs/request |"
    print "|---|---|---:|---:|---:|---:|"
    for (k = 1; k <= count; k++) {
      split(order[k], parts, SUBSEP)
      if (parts[1] != "wrk" && parts[1] != "hyper" && parts[1] !~ /^pingpong/) continue
      n = quiet[order[k]] + 0
      if (n == 0) { printf "| %s | %s | 0 of %d | | | |\n", parts[1], parts[2], rounds[order[k]]; continue }
      printf "| %s | %s | %d of %d | %.0f | %.0f | %.2f |\n", parts[1], parts[2], n, rounds[order[k]], median(q50, order[k], n), median(q99, order[k], n), median(qcpu, order[k], n)
    }
  }
' "$rounds"
