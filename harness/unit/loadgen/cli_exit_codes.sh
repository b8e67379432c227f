#!/usr/bin/env bash
# The mtload binary's front end: exit codes, messages, --print-config round
# trip. Usage: cli_exit_codes.sh PATH/TO/mtload
set -uo pipefail
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

# expect CODE PATTERN-IN-OUTPUT ARGS...
expect() {
    local want=$1 pattern=$2; shift 2
    "$bin" "$@" >"$tmp/out" 2>&1
    local got=$?
    if [ "$got" != "$want" ]; then
        echo "FAIL: mtload $* -> exit $got, want $want"; cat "$tmp/out"; fails=$((fails + 1)); return
    fi
    if [ -n "$pattern" ] && ! grep -qF -- "$pattern" "$tmp/out"; then
        echo "FAIL: mtload $* -> output lacks '$pattern'"; cat "$tmp/out"; fails=$((fails + 1)); return
    fi
    echo "ok: mtload $*"
}

expect 2 "usage: mtload COMMAND"
expect 0 "commands:" --help
expect 0 "commands:" help
expect 0 "usage: mtload run" help run
expect 2 "unknown command 'bogus'" bogus
expect 0 "crypto:" version
expect 0 "mtload " --version
expect 2 "takes no arguments" version extra
expect 0 "--stages-of" run --help
expect 0 "--fault-stall" server --help
expect 2 "--target is required" run
expect 2 "did you mean --duration?" run --target 127.0.0.1:1 --rsa-key k --duraton 5s
expect 2 "--rate: rate must be above 0" run --target h:1 --rsa-key k --rate 0 --depth 2
expect 0 "depth = 2" run --target 127.0.0.1:1 --rsa-key k --rate 1k --depth 2 --print-config
expect 0 "target = 127.0.0.1:1" run --target 127.0.0.1:1 --rsa-key k --print-config
expect 0 "listen = 127.0.0.1:4430" server --print-config
expect 2 "--fault-drop: '200%' is above 100%" server --fault-drop 200%

# the printed configuration is a config file that resolves to itself
"$bin" run --target 127.0.0.1:1 --rsa-key k.pem --rate 5k --workload ping:3,echo:realistic \
    --stages 5s:1k,5s:0 --rate 1 --print-config >"$tmp/bad.conf" 2>/dev/null && { echo "FAIL: duplicate --rate accepted"; fails=$((fails + 1)); }
"$bin" run --target 127.0.0.1:1 --rsa-key k.pem --workload ping:3,echo:realistic --stages 5s:1k,5s:0 \
    --threshold 'p99<5ms' --print-config >"$tmp/a.conf" || { echo "FAIL: print-config"; fails=$((fails + 1)); }
"$bin" run --config "$tmp/a.conf" --print-config >"$tmp/b.conf" || { echo "FAIL: --config of printed"; fails=$((fails + 1)); }
if cmp -s "$tmp/a.conf" "$tmp/b.conf"; then echo "ok: print-config round trip"; else
    echo "FAIL: print-config round trip"; diff "$tmp/a.conf" "$tmp/b.conf"; fails=$((fails + 1)); fi
"$bin" server --fault-delay normal:5ms,1ms --fault-stall 10s:1s --print-config >"$tmp/s.conf" &&
"$bin" server --config "$tmp/s.conf" --print-config >"$tmp/s2.conf" && cmp -s "$tmp/s.conf" "$tmp/s2.conf" &&
    echo "ok: server print-config round trip" || { echo "FAIL: server round trip"; fails=$((fails + 1)); }

[ "$fails" = 0 ] && echo "all passed" || echo "$fails failed"
[ "$fails" = 0 ]
