#!/usr/bin/env bash
# The main job: set up, build, and train the seed CNN on the bundled digits
# (1,000 training digits, 5 epochs, batch 32, Adam 0.001), then report its
# accuracy on the 2,000 held-out digits; the loss and accuracy curves go to
# build/mnist_cnn_training.svg. Extra arguments go to `dlc train`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh" dlc
cd "$root"
./build/tools/dlc train examples/mnist_cnn.dl --plot=build/mnist_cnn_training.svg "$@"
