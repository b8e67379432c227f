#!/usr/bin/env bash
# ./test.sh: build mtload and pass every test: unit tests under CTest (every
# crypto tier), pytest end-to-end and interop tests, the unit tests again
# under ASan+UBSan, the threaded tests under TSan, every fuzz target for a
# few seconds (clang/libFuzzer), and a benchmark smoke run.
# MT_FUZZ_SECONDS=N fuzzes longer; MT_SOAK=1 adds the long soak tests.
set -euo pipefail
cd "$(dirname "$0")"
source harness/deps.sh
jobs=$(nproc)
werror=OFF; [ -n "${CI:-}" ] && werror=ON
step() { printf '\n=== %s ===\n' "$*"; }

step "release build"
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DMT_TESTS=ON -DMT_BENCH=ON -DMT_WERROR=$werror >/dev/null
cmake --build build/release -j"$jobs"

step "unit tests (release, every crypto tier)"
ctest --test-dir build/release -L unit --output-on-failure -j"$jobs"

if [ -d harness/e2e ] && ls harness/e2e/test_*.py >/dev/null 2>&1; then
  step "end-to-end and interop tests (pytest)"
  if [ -f harness/e2e/interop/package-lock.json ]; then
    (cd harness/e2e/interop && npm ci --no-audit --no-fund --loglevel=error)
  fi
  MTLOAD_BIN="$PWD/build/release/mtload" MTLOAD_BUILD="$PWD/build/release" \
    "$MT_PYTEST" -q harness/e2e
fi

step "unit tests under ASan+UBSan"
cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DMT_SANITIZE=address -DMT_BENCH=OFF -DMT_WERROR=$werror >/dev/null
cmake --build build/asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1 ctest --test-dir build/asan -L unit -LE tier --output-on-failure -j"$jobs"

step "threaded tests under TSan"
cmake -S . -B build/tsan -DCMAKE_BUILD_TYPE=Debug -DMT_SANITIZE=thread -DMT_BENCH=OFF -DMT_WERROR=$werror >/dev/null
cmake --build build/tsan -j"$jobs"
ctest --test-dir build/tsan -L threads --output-on-failure -j"$jobs" --no-tests=ignore
harness/tsan_smoke.sh build/tsan/mtload

step "fuzz targets (${MT_FUZZ_SECONDS:-5} s each)"
CC=clang CXX=clang++ cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=Debug -DMT_FUZZ=ON -DMT_TESTS=OFF -DMT_BENCH=OFF \
  -DMT_SANITIZE=address -DMT_WERROR=$werror -DMT_FUZZ_SECONDS="${MT_FUZZ_SECONDS:-5}" >/dev/null
cmake --build build/fuzz -j"$jobs"
ctest --test-dir build/fuzz -L fuzz --output-on-failure -j"$jobs" --no-tests=ignore
