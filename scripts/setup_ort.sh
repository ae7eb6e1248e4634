#!/usr/bin/env bash
# Installs ONNX Runtime for Node.js (the npm package onnxruntime-node, pinned
# in tests/onnx/ort/package-lock.json) into tests/onnx/ort/node_modules/
# (not committed), where the ONNX export tests run it to check dlc's numbers.
# Idempotent: when the pinned version is there it only checks and returns.
#
# --ignore-scripts: the package's install script would download GPU
# binaries from a host these machines cannot reach; the CPU runtime ships
# inside the package itself (about 290 MB).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/tests/onnx/ort"
want=$(node -p "require('$dir/package.json').dependencies['onnxruntime-node']")
have=$(node -p "require('$dir/node_modules/onnxruntime-node/package.json').version" \
  2>/dev/null || true)
if [[ "$have" == "$want" ]]; then
  echo "setup_ort: onnxruntime-node $have present"
  exit 0
fi
echo "setup_ort: installing onnxruntime-node $want into $dir/node_modules"
cd "$dir"
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
