"""Overhead of heapsleuth's Python agent: the same workload with the agent off and on.

usage: python3 bench/python-overhead/run.py [--rounds 5] [--seconds 3] [--interval 1s]

Each round runs every variant once, in turn (interleaved, so that a slower machine
moment hits every variant alike); the table shows the median throughput of each
variant, its ratio to "off", and the median tick cost from the recordings.
"""
import argparse
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
AGENT = os.path.join(HERE, "..", "..", "agents", "python")
# as `heapsleuth run` starts it: the sitecustomize preload, so the stacks are the app's own
PRELOAD = os.path.join(AGENT, "preload")
WORKLOAD = os.path.join(HERE, "workload.py")

VARIANTS = [
    ("off", []),
    ("tracemalloc alone, 8 frames", ["-X", "tracemalloc=8"]),
    ("agent, 1 frame", [], {"PYTHONPATH": PRELOAD, "HEAPSLEUTH_STACK_DEPTH": "1"}),
    ("agent, 8 frames (default)", [], {"PYTHONPATH": PRELOAD}),
    ("agent, 32 frames", [], {"PYTHONPATH": PRELOAD, "HEAPSLEUTH_STACK_DEPTH": "32"}),
]


def run_once(kind, seconds, interval, variant, out_dir):
    name, flags = variant[0], variant[1]
    extra_env = variant[2] if len(variant) > 2 else {}
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEAPSLEUTH_")}
    env.pop("PYTHONPATH", None)
    env.update(HEAPSLEUTH_OUT=out_dir, HEAPSLEUTH_INTERVAL=interval, HEAPSLEUTH_LOG="off", HEAPSLEUTH_SIGNAL="off")
    env.update(extra_env)
    output = subprocess.run([sys.executable, *flags, WORKLOAD, kind, str(seconds)], env=env, check=True, capture_output=True, text=True).stdout
    result = json.loads(output.strip().splitlines()[-1])
    return result["ops"] / result["seconds"]


def tick_costs(out_dir):
    costs = []
    for path in glob.glob(os.path.join(out_dir, "*.ndjson")):
        with open(path) as file:
            for line in file:
                if line.startswith('{"type":"sample"'):
                    sample = json.loads(line)
                    if sample["seq"] > 0:  # the first tick at start sees an empty heap
                        costs.append(sample["tickMs"])
    return costs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--interval", default="1s")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {args.rounds} rounds of {args.seconds:g} s, agent interval {args.interval}")
    for kind in ("alloc", "service", "cpu"):
        throughput = {variant[0]: [] for variant in VARIANTS}
        out_dirs = {variant[0]: tempfile.mkdtemp(prefix="hs-bench-") for variant in VARIANTS}
        for _ in range(args.rounds):
            for variant in VARIANTS:
                throughput[variant[0]].append(run_once(kind, args.seconds, args.interval, variant, out_dirs[variant[0]]))
        base = statistics.median(throughput["off"])
        print(f"\nworkload: {kind}")
        print(f"| {'variant':<28} | {'median ops/s':>12} | {'vs off':>7} | {'median tick ms':>14} |")
        print(f"|{'-' * 30}|{'-' * 14}|{'-' * 9}|{'-' * 16}|")
        for variant in VARIANTS:
            name = variant[0]
            median = statistics.median(throughput[name])
            costs = tick_costs(out_dirs[name])
            tick = f"{statistics.median(costs):.1f}" if costs else "-"
            print(f"| {name:<28} | {median:>12,.0f} | {median / base:>7.2f} | {tick:>14} |")
            shutil.rmtree(out_dirs[name], ignore_errors=True)


if __name__ == "__main__":
    main()
