#!/usr/bin/env bash
# demo.sh MTLOAD [mtload run options...]
# The main job: start the bundled reference server on an ephemeral loopback
# port, load-test it with `mtload run` for a short while, print the report,
# stop the server. Options after MTLOAD replace the default load shape below
# (target and key are always set here).
set -euo pipefail
bin=$1; shift
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

threads=$(nproc)
"$bin" server --listen 127.0.0.1:0 --threads "$threads" --rsa-key "$work/server.pem" -q \
  >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
port=""
for _ in $(seq 1 200); do   # up to 10 s: the first start generates an RSA key
  port=$(sed -n 's/^mtload server: listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/server.out")
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.err" >&2; exit 1; }
  sleep 0.05
done
[ -n "$port" ] || { echo "demo: the server did not start" >&2; cat "$work/server.err" >&2; exit 1; }
echo "demo: mtload server on 127.0.0.1:$port ($threads threads); load test follows" >&2

if [ $# -eq 0 ]; then
  set -- --sessions 32 --threads "$threads" --depth 64 --warmup 1s --duration 5s \
         --workload ping:4,echo:realistic:1
fi
"$bin" run --target "127.0.0.1:$port" --rsa-key "$work/server.pem.pub" "$@"
