#!/usr/bin/env bash
# run-fuzz.sh BINARY WORKDIR SECONDS [SEED_DIR]
# Fuzz one target for a bounded time from its seed corpus; fail on any crash.
set -euo pipefail
bin=$1 work=$2 secs=$3 seeds=${4:-}
rm -rf "$work" && mkdir -p "$work"
if [ -n "$seeds" ] && [ -d "$seeds" ]; then cp -r "$seeds"/. "$work"/; fi
exec "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
     -artifact_prefix="$work/../" -print_final_stats=1 "$work"
