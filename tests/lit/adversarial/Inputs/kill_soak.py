#!/usr/bin/env python3
"""Soak test for `dlc train --checkpoint-every=1` under SIGKILL (issue #12).

Usage: kill_soak.py DLC MODEL.dl WORKDIR

Trains MODEL once without interruption (the reference), then again with the
same settings, killing the process with SIGKILL at pseudo-random moments
(a fixed seed, so a failure can be replayed) and resuming from the
checkpoint each time, until a run completes. After every kill the
checkpoint is either absent (no epoch had finished yet) or a complete
safetensors file no older than the one before the kill: never truncated,
never gone once written. Temporaries a killed writer left must not stop the
next run, and none remain once a run completes by itself (a kill after the
last epoch's checkpoint also ends the run). The final tensors must equal the
reference's, bit for bit.

Prints one line per kill and "soak: ok" at the end; any failure raises.
"""
import glob
import json
import os
import random
import signal
import struct
import subprocess
import sys
import time

EPOCHS = 40
MAX_KILLS = 8


def train_command(dlc, model, save, resume):
    command = [dlc, "train", model, f"--epochs={EPOCHS}", "--checkpoint-every=1",
               f"--save={save}", "--threads=1", "--quiet"]
    if resume:
        command.append(f"--resume={save}")
    return command


def read_checkpoint(path):
    """Parses a safetensors file strictly: (metadata, {name: bytes})."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise AssertionError(f"{path}: {len(data)} bytes, truncated")
    (length,) = struct.unpack("<Q", data[:8])
    if 8 + length > len(data):
        raise AssertionError(f"{path}: header of {length} bytes runs past the end")
    header = json.loads(data[8:8 + length])
    metadata = header.pop("__metadata__", {})
    end = max((entry["data_offsets"][1] for entry in header.values()), default=0)
    if 8 + length + end != len(data):
        raise AssertionError(f"{path}: {len(data)} bytes, but the header describes "
                             f"{8 + length + end}: truncated or padded")
    start = 8 + length
    tensors = {name: data[start + e["data_offsets"][0]:start + e["data_offsets"][1]]
               for name, e in header.items()}
    return metadata, tensors


def epochs_done(metadata):
    return int(metadata["epochs"])


def main():
    dlc, model, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    for old in glob.glob(os.path.join(work, "*.st*")):
        os.remove(old)
    reference = os.path.join(work, "reference.st")
    # Twice: the first run warms the caches, the second is timed.
    for _ in range(2):
        started = time.monotonic()
        subprocess.run(train_command(dlc, model, reference, False), check=True,
                       stdout=subprocess.DEVNULL)
        duration = time.monotonic() - started
    _, expected = read_checkpoint(reference)

    checkpoint = os.path.join(work, "run.st")
    rng = random.Random(12)
    last_epoch = None  # epochs in the checkpoint; None while there is none
    kills = 0
    clean_exit = False
    while last_epoch != EPOCHS:
        run = subprocess.Popen(train_command(dlc, model, checkpoint, last_epoch is not None),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if kills < MAX_KILLS:
            # Anywhere from start-up to about the end of what is left of the
            # run (set-up and compilation take about a third of the whole):
            # in compilation, an epoch, or the middle of a checkpoint's write.
            left = 1 - (last_epoch or 0) / EPOCHS
            try:
                run.wait(timeout=rng.uniform(0.05, 1.0) * duration * (0.35 + 0.65 * left))
            except subprocess.TimeoutExpired:
                run.send_signal(signal.SIGKILL)
        _, err = run.communicate()
        if run.returncode == 0:
            clean_exit = True
            break
        if run.returncode != -signal.SIGKILL:
            raise AssertionError(f"dlc train exited {run.returncode} after {kills} kills:\n"
                                 f"{err.decode()}")
        kills += 1
        if not os.path.exists(checkpoint):
            if last_epoch is not None:
                raise AssertionError(f"kill {kills}: the checkpoint of epoch {last_epoch} is gone")
            print(f"kill {kills}: before the first checkpoint")
            continue
        metadata, _ = read_checkpoint(checkpoint)
        epoch = epochs_done(metadata)
        if last_epoch is not None and epoch < last_epoch:
            raise AssertionError(f"kill {kills}: the checkpoint went back from epoch "
                                 f"{last_epoch} to {epoch}")
        temps = len(glob.glob(checkpoint + ".tmp.*"))
        print(f"kill {kills}: checkpoint complete at epoch {epoch}"
              f"{f', {temps} temporary file(s) left' if temps else ''}")
        # A kill after the last epoch's checkpoint (while testing or exiting)
        # ends the run as well: there is nothing left to resume.
        last_epoch = epoch

    metadata, tensors = read_checkpoint(checkpoint)
    if epochs_done(metadata) != EPOCHS:
        raise AssertionError(f"the completed run's checkpoint has {metadata['epochs']} epochs")
    if tensors != expected:
        differ = sorted(name for name in expected if tensors.get(name) != expected[name])
        raise AssertionError(f"after {kills} kills the result differs from an uninterrupted run "
                             f"in {differ or sorted(set(tensors) ^ set(expected))}")
    # Only a run that ends by itself has saved after the last kill (a killed
    # one may leave the temporary of its last save: the next save removes it).
    left = glob.glob(checkpoint + ".tmp.*")
    if left and clean_exit:
        raise AssertionError(f"temporary files left after the completed run: {left}")
    print(f"soak: ok after {kills} kills")


if __name__ == "__main__":
    main()
