#!/usr/bin/env bash
# Installs every system package dlc needs. Idempotent: when everything is
# already installed it only checks and returns (no apt-get update).
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache python3
  clang-19 lld-19 libclang-rt-19-dev llvm-19-dev
  zlib1g-dev libzstd-dev libabsl-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libonnx-dev libprotobuf-dev
  libopenmpi-dev openmpi-bin
  dataset-fashion-mnist
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

# Node.js runs ONNX Runtime for the ONNX export tests (scripts/setup_ort.sh).
# A machine that has node and npm already (from any source) keeps them.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo_cmd=()
[[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
