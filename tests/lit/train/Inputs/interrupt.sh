#!/bin/sh
# Usage: interrupt.sh DLC MODEL DIR [TRAIN FLAGS...]
# Starts `DLC train MODEL --save=DIR/run.st FLAGS` in the background, sends
# it SIGINT (Ctrl-C; DLC_SIGNAL=TERM sends SIGTERM) once it has reported its
# first epoch, and prints its
# exit code, standard output and standard error, in that order.
set -u
dlc=$1 model=$2 dir=$3
shift 3
rm -rf "$dir" && mkdir -p "$dir"
"$dlc" train "$model" --save="$dir/run.st" "$@" > "$dir/out" 2> "$dir/err" &
pid=$!
tries=0
until grep -q '^1 ' "$dir/out"; do
  tries=$((tries + 1))
  if [ "$tries" -gt 1200 ]; then
    echo "interrupt.sh: no epoch reported in 120 s" >&2
    kill -9 "$pid"
    exit 1
  fi
  sleep 0.1
done
kill -"${DLC_SIGNAL:-INT}" "$pid"
wait "$pid"
echo "exit code $?"
cat "$dir/out" "$dir/err"
