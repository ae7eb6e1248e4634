#!/usr/bin/env bash
# Data-parallel training under mpirun (issue #15), on the bundled digits.
# usage: mpi_test.sh DLC SOURCE_DIR CASE
#   parity N   N ranks give the weights of one process after 10 steps (1e-5),
#              and the same bits when run twice
#   resume N   a run saved by N ranks resumes with N ranks (bit-identical to a
#              run that never stopped) and with 1 (within 1e-5)
#   kill       a rank killed mid-run ends the job: non-zero exit, the rank
#              and host named, within the time bound
#   stall      a rank that stops answering: the others give up after
#              --collective-timeout with an error naming it
#   mismatch   ranks given different models refuse to start
#   missing    a rank whose data is missing stops the job, naming itself
set -euo pipefail
dlc=$1 src=$2 case=$3 ranks=${4:-2}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# No network interface probing beyond this machine; quiet about it.
export OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo
mpirun=(mpirun --oversubscribe)
compare=(python3 "$src/tests/mpi/compare_weights.py")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$src/examples"
# 10 steps of 32 (the last one short for 3 ranks: 11 + 11 + 10).
common=(mnist_mlp.dl --threads=1 --quiet --limit=320 --epochs=1)

fail() { echo "FAIL: $*" >&2; exit 1; }
# Runs "$@" with a bound, capturing output; sets $status and $out.
bounded() {
  set +e
  out=$(timeout 60 "$@" 2>&1)
  status=$?
  set -e
  echo "$out"
}

case $case in
parity)
  "$dlc" train "${common[@]}" --save="$work/one.safetensors" >/dev/null
  timeout 120 "${mpirun[@]}" -np "$ranks" "$dlc" train "${common[@]}" \
    --save="$work/many.safetensors" >"$work/out.txt"
  grep -q "Data-parallel on $ranks processes" "$work/out.txt" || fail "not data-parallel"
  "${compare[@]}" "$work/one.safetensors" "$work/many.safetensors" --rtol=1e-5
  timeout 120 "${mpirun[@]}" -np "$ranks" "$dlc" train "${common[@]}" \
    --save="$work/again.safetensors" >/dev/null
  "${compare[@]}" "$work/many.safetensors" "$work/again.safetensors" --exact
  ;;
resume)
  small=(mnist_mlp.dl --threads=1 --quiet --limit=200)
  timeout 120 "${mpirun[@]}" -np "$ranks" "$dlc" train "${small[@]}" --epochs=2 \
    --save="$work/straight.safetensors" >/dev/null
  timeout 120 "${mpirun[@]}" -np "$ranks" "$dlc" train "${small[@]}" --epochs=1 \
    --save="$work/half.safetensors" >/dev/null
  timeout 120 "${mpirun[@]}" -np "$ranks" "$dlc" train mnist_mlp.dl --threads=1 --quiet \
    --resume="$work/half.safetensors" --epochs=2 --save="$work/resumed_n.safetensors" >/dev/null
  "${compare[@]}" "$work/straight.safetensors" "$work/resumed_n.safetensors" --exact
  "$dlc" train mnist_mlp.dl --threads=1 --quiet --resume="$work/half.safetensors" --epochs=2 \
    --save="$work/resumed_1.safetensors" >/dev/null
  "${compare[@]}" "$work/straight.safetensors" "$work/resumed_1.safetensors" --rtol=1e-5
  ;;
kill)
  start=$SECONDS
  DLC_TEST_FAIL_RANK=1 DLC_TEST_FAIL_STEP=3 bounded "${mpirun[@]}" -np 2 "$dlc" train \
    "${common[@]}" --save="$work/killed.safetensors"
  ((status != 0 && status != 124)) || fail "exit status $status"
  ((SECONDS - start < 60)) || fail "took $((SECONDS - start)) s"
  grep -qE "rank 1 .*on node $(hostname)" <<<"$out" || fail "the dead rank and host are not named"
  [[ ! -e "$work/killed.safetensors" ]] || fail "a checkpoint was written"
  ;;
stall)
  DLC_TEST_FAIL_MODE=stall DLC_TEST_FAIL_RANK=1 DLC_TEST_FAIL_STEP=3 bounded "${mpirun[@]}" \
    -np 2 "$dlc" train "${common[@]}" --collective-timeout=2
  ((status != 0 && status != 124)) || fail "exit status $status"
  grep -q "rank 0 on host $(hostname): epoch 1, step 4: waited 2 s in the gradient sum for rank 1 on host $(hostname)" \
    <<<"$out" || fail "the stalled rank is not named"
  ;;
mismatch)
  sed 's/lr=0.001/lr=0.002/' mnist_mlp.dl >"$work/other.dl"
  ln -s "$src/examples/data" "$work/data"
  bounded "${mpirun[@]}" -np 1 "$dlc" train "${common[@]}" : -np 1 "$dlc" train "$work/other.dl" \
    "${common[@]:1}"
  ((status != 0 && status != 124)) || fail "exit status $status"
  grep -q "rank 1 on host $(hostname) has a different training step" <<<"$out" ||
    fail "the mismatch is not reported"
  ;;
missing)
  sed 's/digits-train-images/no-such-images/' mnist_mlp.dl >"$work/missing.dl"
  ln -s "$src/examples/data" "$work/data"
  bounded "${mpirun[@]}" -np 1 "$dlc" train "${common[@]}" : -np 1 "$dlc" train \
    "$work/missing.dl" "${common[@]:1}"
  ((status != 0 && status != 124)) || fail "exit status $status"
  grep -q "rank 1 on host $(hostname): IDX file '$work/data/no-such-images-idx3-ubyte.gz': cannot open" \
    <<<"$out" || fail "the missing data is not reported"
  ;;
*) fail "unknown case $case" ;;
esac
echo "PASS: $case"
