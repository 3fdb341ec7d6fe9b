#!/usr/bin/env bash
# Fuzzes the OSDP frame parser and the Secure Channel sessions with libFuzzer (+ AddressSanitizer,
# UBSan) for a bounded time.
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
# Seeds with a security block (a challenge, a client cryptogram, sealed commands and a sealed
# reply), so the fuzzer starts inside the Secure Channel's paths instead of having to find a CRC.
printf '\x53\x00\x13\x00\x0c\x03\x11\x01\x76\x00\x01\x02\x03\x04\x05\x06\x07\x54\x77' > build-fuzz/corpus/seed-chlng
printf '\x53\x80\x2b\x00\x0c\x03\x12\x01\x76\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x0f\xa2' > build-fuzz/corpus/seed-ccrypt
printf '\x53\x00\x1e\x00\x0d\x02\x17\x68\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x01\x02\x03\x04\x8c\x62' > build-fuzz/corpus/seed-sealed-out
printf '\x53\x80\x1e\x00\x0d\x02\x18\x45\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x05\x06\x07\x08\xb5\x54' > build-fuzz/corpus/seed-sealed-reply
printf '\x53\x00\x0e\x00\x0e\x02\x15\x60\x09\x09\x09\x09\xed\x87' > build-fuzz/corpus/seed-mac-poll
cd build-fuzz
./tests/devices/fuzz_osdp_parser -max_total_time="$seconds" -max_len=2048 -print_final_stats=1 corpus 2>&1 |
  grep -E "^(#|stat::|==|SUMMARY|Done)" | tail -15
