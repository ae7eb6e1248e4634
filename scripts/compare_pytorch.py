#!/usr/bin/python3
"""dlc against PyTorch: training throughput of the same four models, measured in turn.

Run through scripts/compare_pytorch.sh, which installs PyTorch when missing and
sets the environment PyTorch is fastest in. For each round, model and thread
count, `dlc bench --json` (a subprocess) and a PyTorch training loop (this
process) are timed one after the other; the side that goes first alternates
between rounds. Each measurement is the median of timed repeats after a
warm-up; the table shows the median over rounds (over the undisturbed ones
when there are any; see below), and the ratio of the two sides' best thread
counts.

The machine may be shared: a measurement during which other processes kept
more than --bg-max of the cores this one leaves idle busy is "dirty" and is
taken again (up to --retries times; the least disturbed one is kept). The
other load of every kept measurement is printed.
"""
import argparse
import gzip
import json
import os
import statistics
import struct
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_models  # noqa: E402

# Only PyTorch's process needs these; dlc runs without them.
TORCH_ENV = ("ATEN_CPU_CAPABILITY", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_WAIT_POLICY",
             "LD_PRELOAD")


def read_idx(path):
    with gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb") as f:
        data = f.read()
    ndim = struct.unpack(">I", data[:4])[0] & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


CLK_TCK = os.sysconf("SC_CLK_TCK")


def busy_seconds():
    """CPU seconds every process on the machine has used (from /proc/stat)."""
    with open("/proc/stat") as f:
        user, nice, system, idle, iowait, irq, softirq, steal = map(int, f.readline().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / CLK_TCK


def own_seconds():
    """CPU seconds of this process and its finished children (dlc bench)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def measure(run, threads, bg_max, retries):
    """run() -> images/s, retried while other processes disturbed it. Returns
    (images/s, other load in cores, clean) of the least disturbed attempt."""
    limit = bg_max + max(0, os.cpu_count() - threads)
    best = None
    for _ in range(retries + 1):
        b0, c0, t0 = busy_seconds(), own_seconds(), time.perf_counter()
        ips = run()
        wall = time.perf_counter() - t0
        other = max(0.0, ((busy_seconds() - b0) - (own_seconds() - c0)) / wall)
        if best is None or other < best[1]:
            best = (ips, other)
        if other <= limit:
            break
    return best[0], best[1], best[1] <= limit


def torch_images_per_second(name, batch, threads, images, labels, repeats, min_time):
    """PyTorch: fresh model and Adam, 8 batches of real digits cycled (built
    before timing), warm-up of at least 10 steps and 0.5 s, then `repeats`
    runs of k steps (k: enough for min_time). Median images/s."""
    torch_models.set_threads(threads)
    torch.manual_seed(0)
    model = torch_models.build(name)
    optimizer = torch_models.adam(model)
    rng = np.random.default_rng(123)
    batches = []
    for _ in range(8):
        pick = rng.choice(len(images), size=batch, replace=False)
        batches.append((torch_models.images_to_nhwc(images[pick]).contiguous(),
                        torch.from_numpy(labels[pick].astype(np.int64))))

    def step(i):
        x, y = batches[i % len(batches)]
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()

    start, i = time.perf_counter(), 0
    while i < 10 or time.perf_counter() - start < 0.5:
        step(i)
        i += 1
    per_step = (time.perf_counter() - start) / i
    k = max(1, int(np.ceil(min_time / per_step)))
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        for j in range(k):
            step(j)
        rates.append(k * batch / (time.perf_counter() - start))
    return statistics.median(rates)


def dlc_images_per_second(dlc, name, batch, threads, repeats):
    env = {k: v for k, v in os.environ.items() if k not in TORCH_ENV}
    out = subprocess.run([dlc, "bench", torch_models.DL_FILES[name], f"--batch={batch}",
                          f"--threads={threads}", f"--repeats={repeats}", "--no-predict", "--json"],
                         env=env, check=True, capture_output=True, text=True).stdout
    result = json.loads(out)
    return result["train"]["images_per_second"]["median"], result


def torch_training_rss_child(name, batch, steps, data):
    """In a fresh process: `steps` PyTorch training steps of `name` on real
    digits; prints the process's peak RSS in KiB."""
    import resource
    torch_models.set_threads(1)
    torch.manual_seed(0)
    images = read_idx(os.path.join(data, "digits-train-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(data, "digits-train-labels-idx1-ubyte.gz"))
    model = torch_models.build(name)
    optimizer = torch_models.adam(model)
    for i in range(steps):
        pick = slice((i * batch) % (len(images) - batch), (i * batch) % (len(images) - batch) + batch)
        x = torch_models.images_to_nhwc(images[pick]).contiguous()
        y = torch.from_numpy(labels[pick].astype(np.int64))
        optimizer.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        optimizer.step()
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def peak_rss_kib(dlc, name, batch, data):
    """Peak RSS (KiB) of one epoch of `dlc train` over the bundled digits
    (1,000 images) and of the same number of PyTorch steps, each in a
    process of its own, one thread."""
    env = {k: v for k, v in os.environ.items() if k not in TORCH_ENV}
    timed = subprocess.run(["/usr/bin/time", "-f", "%M", dlc, "train", torch_models.DL_FILES[name],
                            f"--batch={batch}", "--epochs=1", "--threads=1", "--quiet"],
                           env=env, check=True, capture_output=True, text=True)
    dlc_kib = int(timed.stderr.strip().splitlines()[-1])
    steps = max(1, 1000 // batch)
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--rss-child", name,
                          f"--batch={batch}", f"--rss-steps={steps}", f"--data={data}"],
                         check=True, capture_output=True, text=True).stdout
    return dlc_kib, int(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dlc", default="build/tools/dlc")
    ap.add_argument("--models", default="mlp,cnn,convnet,lenet5")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved measurements per cell")
    ap.add_argument("--repeats", type=int, default=5, help="timed repeats per measurement")
    ap.add_argument("--min-time", type=float, default=0.25,
                    help="seconds per timed PyTorch repeat (dlc bench's default)")
    ap.add_argument("--data", default="examples/data")
    ap.add_argument("--bg-max", type=float, default=0.10,
                    help="other processes' load (cores) above which a measurement is retried")
    ap.add_argument("--retries", type=int, default=2)
    ap.add_argument("--rss", action="store_true",
                    help="also compare the peak memory (RSS) of training each model")
    ap.add_argument("--rss-child", help=argparse.SUPPRESS)
    ap.add_argument("--rss-steps", type=int, default=8, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.rss_child:
        torch_training_rss_child(args.rss_child, args.batch, args.rss_steps, args.data)
        return
    models = args.models.split(",")
    for m in models:
        if m not in torch_models.SPECS:
            ap.error(f"unknown model {m!r} (choose from {', '.join(torch_models.SPECS)})")
    threads = [int(t) for t in args.threads.split(",")]
    images = read_idx(os.path.join(args.data, "digits-train-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(args.data, "digits-train-labels-idx1-ubyte.gz"))

    capability = [l.strip() for l in torch.__config__.show().splitlines() if "CPU capability" in l]
    print(f"# PyTorch {torch.__version__}, {capability[0] if capability else '?'}, "
          f"{torch_models.openblas_core()}")
    print("# PyTorch env: " + " ".join(f"{v}={os.environ.get(v, '-')}" for v in TORCH_ENV))
    print(f"# batch {args.batch}, threads {args.threads}, {args.rounds} interleaved rounds of "
          f"{args.repeats} timed repeats each; loadavg {open('/proc/loadavg').read().split()[0]}",
          flush=True)

    results = {}  # (side, model, threads) -> [images/s per round]
    for r in range(args.rounds):
        for name in models:
            for t in threads:
                sides = ["dlc", "torch"] if r % 2 == 0 else ["torch", "dlc"]
                for side in sides:
                    if side == "dlc":
                        run = lambda: dlc_images_per_second(args.dlc, name, args.batch, t,
                                                            args.repeats)[0]
                    else:
                        run = lambda: torch_images_per_second(name, args.batch, t, images, labels,
                                                              args.repeats, args.min_time)
                    ips, other, clean = measure(run, t, args.bg_max, args.retries)
                    results.setdefault((side, name, t), []).append((ips, clean))
                    print(f"#   round {r + 1} {name:8s} {t} thread{'s' if t > 1 else ' '} "
                          f"{side:5s} {ips:10.0f} images/s  (other load {other:.2f} cores"
                          f"{'' if clean else ', disturbed'})", flush=True)

    print(f"\n# loadavg at the end {open('/proc/loadavg').read().split()[0]}")
    def median(side, name, t):
        """Median over the undisturbed rounds, or over all when none was."""
        runs = results[(side, name, t)]
        clean = [ips for ips, ok in runs if ok]
        return statistics.median(clean or [ips for ips, _ in runs]), len(clean)

    print(f"\nTraining throughput, batch {args.batch}, images/s: median of the undisturbed "
          f"rounds (of {args.rounds})\n")
    print(f"{'model':8s} {'threads':>7s} {'dlc':>10s} {'rounds':>6s} {'PyTorch':>10s} "
          f"{'rounds':>6s} {'dlc/PyTorch':>12s}")
    for name in models:
        for t in threads:
            d, dn = median("dlc", name, t)
            p, pn = median("torch", name, t)
            print(f"{name:8s} {t:7d} {d:10,.0f} {dn:6d} {p:10,.0f} {pn:6d} {d / p:11.2f}x")
    print(f"\nBest thread count for each side ({'/'.join(map(str, threads))}):\n")
    print(f"| model | dlc model | dlc images/s | PyTorch images/s | dlc / PyTorch |")
    print(f"|---|---|---|---|---|")
    for name in models:
        d, dt = max((median("dlc", name, t)[0], t) for t in threads)
        p, pt = max((median("torch", name, t)[0], t) for t in threads)
        print(f"| {name} | `{torch_models.DL_FILES[name]}` | {d:,.0f} ({dt} thr) | "
              f"{p:,.0f} ({pt} thr) | {d / p:.2f}x |")
    if args.rss:
        print(f"\nPeak memory (RSS) of training, batch {args.batch}, 1 thread: one epoch of "
              f"`dlc train` over the bundled digits, the same number of PyTorch steps\n")
        print("| model | dlc MiB | PyTorch MiB | dlc / PyTorch |")
        print("|---|---|---|---|")
        for name in models:
            d, p = peak_rss_kib(args.dlc, name, args.batch, args.data)
            print(f"| {name} | {d / 1024:.0f} | {p / 1024:.0f} | {d / p:.2f} |", flush=True)


if __name__ == "__main__":
    main()
