#!/bin/sh
# Usage: expect_exit.sh CODE COMMAND...  Runs COMMAND (its output passes
# through) and succeeds only if it exits with exactly CODE.
want=$1
shift
"$@"
got=$?
if [ "$got" -ne "$want" ]; then
  echo "expected exit code $want, got $got: $*" >&2
  exit 1
fi
