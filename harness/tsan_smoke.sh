#!/usr/bin/env bash
# tsan_smoke.sh MTLOAD (a -DMT_SANITIZE=thread build)
# Both programs, threads and all (workers, reporter, Prometheus, delayed
# replies, shutdown on SIGTERM), against each other for two seconds on
# loopback. ThreadSanitizer makes a process that saw a race exit 66.
set -euo pipefail
bin=$1
work=$(mktemp -d)
trap 'kill -TERM "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
export TSAN_OPTIONS="halt_on_error=0 exitcode=66 ${TSAN_OPTIONS:-}"
"$bin" server --listen 127.0.0.1:0 --threads 2 --rsa-key "$work/key.pem" --prometheus 127.0.0.1:0 \
  --fault-delay 1ms --json "$work/server.json" >"$work/server.out" 2>"$work/server.err" &
pid=$!
port=""
for _ in $(seq 1 400); do
  port=$(sed -n 's/^mtload server: listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/server.out")
  [ -n "$port" ] && break
  sleep 0.05
done
[ -n "$port" ] || { cat "$work/server.err" >&2; echo "tsan smoke: server did not start" >&2; exit 1; }
rc=0
"$bin" run --target "127.0.0.1:$port" --rsa-key "$work/key.pem.pub" --sessions 8 --threads 2 \
  --depth 8 --warmup 300ms --duration 2s --workload ping:1,echo:64:1 --prometheus 127.0.0.1:0 \
  --csv "$work/run.csv" -q >"$work/run.out" 2>"$work/run.err" || rc=$?
kill -TERM "$pid"
srv=0
wait "$pid" || srv=$?
if [ "$rc" -ne 0 ] || [ "$srv" -ne 0 ]; then
  echo "tsan smoke: run exit $rc, server exit $srv" >&2
  cat "$work/run.err" "$work/server.err" >&2
  exit 1
fi
echo "tsan smoke: mtload run and mtload server clean under ThreadSanitizer"
