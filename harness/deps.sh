#!/usr/bin/env bash
# Installs what building and testing mtload needs, and only what is missing.
# Sourced by run.sh and test.sh; Debian 12, as root (or with sudo).
set -euo pipefail
MT_DEBS=(build-essential cmake pkg-config git libssl-dev zlib1g-dev libcmocka-dev
         libbenchmark-dev libmicrohttpd-dev libjansson-dev python3-pytest clang libclang-rt-14-dev
         prometheus ca-certificates default-jre-headless libhdrhistogram-java)
mt_missing=()
for p in "${MT_DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || mt_missing+=("$p")
done
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || mt_missing+=(nodejs npm)
if [ ${#mt_missing[@]} -gt 0 ]; then
  echo "deps: installing ${mt_missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${mt_missing[@]}" >&2
fi
# pytest from Debian, whatever python3 comes first on PATH
MT_PYTEST=/usr/bin/pytest-3; [ -x "$MT_PYTEST" ] || MT_PYTEST=$(command -v pytest)
export MT_PYTEST
