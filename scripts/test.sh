#!/usr/bin/env bash
# Set up, build, and run every test (unit, golden, data, fuzz) with ctest;
# then the whole suite again, built with AddressSanitizer, LeakSanitizer and
# UBSan into build-asan/ (scripts/test_sanitized.sh). DLC_SANITIZED=0 skips
# the second round (for quick local runs; CI runs both).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/setup_ort.sh"
"$root/scripts/build.sh"
ctest --test-dir "$root/build" --output-on-failure -j "${DLC_JOBS:-$(nproc)}"
if [[ "${DLC_SANITIZED:-1}" != 0 ]]; then
  "$root/scripts/test_sanitized.sh"
fi
