#!/usr/bin/env bash
# Fuzzes the OSDP frame parser with libFuzzer (+ AddressSanitizer, UBSan) for a bounded time.
#   scripts/fuzz-osdp.sh [SECONDS]        default 60
# Prints libFuzzer's summary (executions, coverage) and exits non-zero on a crash; the crashing
# input is left in build-fuzz/ as crash-*.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
need=()
for p in clang-14 libclang-rt-14-dev; do
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  sudo_cmd=(); [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
  -DCMAKE_C_COMPILER=clang-14 -DLOCKERCTL_FUZZ=ON >/dev/null
cmake --build build-fuzz --target fuzz_osdp_parser -j "$(nproc)" >/dev/null
mkdir -p build-fuzz/corpus
cd build-fuzz
./tests/devices/fuzz_osdp_parser -max_total_time="$seconds" -max_len=2048 -print_final_stats=1 corpus 2>&1 |
  grep -E "^(#|stat::|==|SUMMARY|Done)" | tail -15
