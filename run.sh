#!/usr/bin/env bash
# ./run.sh: build mtload and run its main job, a short load test of the
# bundled reference server on loopback, and print the report.
# Extra arguments go to `mtload run` (e.g. ./run.sh --duration 30s).
set -euo pipefail
cd "$(dirname "$0")"
source harness/deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DMT_BENCH=OFF -DMT_TESTS=OFF >/dev/null
cmake --build build/release -j"$(nproc)" --target mtload
exec harness/demo.sh build/release/mtload "$@"
