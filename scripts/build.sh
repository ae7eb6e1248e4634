#!/usr/bin/env bash
# Configures (once) and builds dlc into build/. Extra arguments go to ninja.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build"
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S "$root" -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE="${DLC_BUILD_TYPE:-Release}" \
    -DCMAKE_CXX_COMPILER=clang++-19 -DCMAKE_C_COMPILER=clang-19
fi
jobs=${DLC_JOBS:-$(nproc)}
cmake --build "$build" -j "$jobs" -- "$@"
