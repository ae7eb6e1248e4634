#!/usr/bin/env bash
# Set up, build, and run every test (unit, golden, data) with ctest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
ctest --test-dir "$root/build" --output-on-failure -j "${DLC_JOBS:-$(nproc)}"
