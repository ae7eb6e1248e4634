#!/usr/bin/env bash
# Regenerates the expected outputs of the golden tests in tests/lit/dl/ from
# a built dlc, after a deliberate change to what `dlc dump` or `dlc inspect`
# prints. Review the result with `git diff tests/lit/dl` before committing.
#
#   scripts/update_goldens.sh [BUILD_DIR]     (default: build)
#
# The commands here are the ones the tests in tests/lit/dl/*.test run: keep
# the two in step.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
dlc="$build/tools/dlc"
[[ -x "$dlc" ]] || { echo "no dlc at $dlc: build first (scripts/build.sh)" >&2; exit 1; }

# Paths in the output (the AST's "Program" line) are relative to the root.
cd "$root"
out=tests/lit/dl/Inputs
for model in mnist_cnn mnist_mlp lenet5 mnist_residual; do
  "$dlc" dump --stage=ast "examples/$model.dl" > "$out/$model.ast"
  "$dlc" dump --stage=ir "examples/$model.dl" > "$out/$model.ir"
done
"$dlc" dump --stage=ir --training examples/mnist_residual.dl > "$out/mnist_residual.training.ir"

# The issue's figures for mnist_cnn are at batch 1000; the others use their
# train section's batch.
"$dlc" inspect --batch=1000 examples/mnist_cnn.dl > "$out/mnist_cnn.inspect"
for model in mnist_mlp lenet5 mnist_residual; do
  "$dlc" inspect "examples/$model.dl" > "$out/$model.inspect"
done
echo "updated the goldens in $out from $dlc"
git -C "$root" status --short -- "$out" || true
