#!/usr/bin/env bash
# The main job: set up, build, and run the seed CNN on bundled digits.
# Until training lands, that is the CNN's forward pass (loss, predictions,
# accuracy) on the first 32 held-out digits, evaluated by the reference
# interpreter with freshly initialised weights.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh" dlc
cd "$root"
./build/tools/dlc run examples/ir/mnist_cnn.ir \
  --input=x=examples/data/digits-test-images-idx3-ubyte.gz,labels=examples/data/digits-test-labels-idx1-ubyte.gz \
  --seed=0
