"""Side by side from Parquet: `resil score X.parquet` (built with --features parquet) against
pandas' read_parquet (pyarrow) + numpy, entropy + TOPSIS on N x 30, whole process against whole
process, alternately, in one run; answers checked equal (1e-9) first. With `--arrow`, the same
from an Arrow IPC (Feather v2, uncompressed) file against pandas' read_feather. The numpy computation is
the one of ../shared/bench/side_by_side.py's `topsis` task (min-max with polarity, 20 benefit
and 10 cost criteria, entropy weights with 0 ln 0 = 0, TOPSIS), on the same seeded matrix.

    cargo build --release -p resil-cli --features parquet
    $(../shared/bench/setup.sh) -m pip install -q pyarrow     # once: pandas' Parquet engine
    $(../shared/bench/setup.sh) bench/parquet_side_by_side.py 1000000 [--runs 3] [--arrow]

The Parquet file (row groups of 65,536 rows, Snappy) is written once under
$TMPDIR/resil-bench. Quote the ratio: the machines are shared and noisy.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
M = 30
POLARITY = ",".join(["+"] * 20 + ["-"] * 10)

PEER = """
import sys, json, numpy as np, pandas as pd
path = sys.argv[1]
X = (pd.read_feather(path) if path.endswith(".arrow") else pd.read_parquet(path)).iloc[:, 1:].to_numpy(float)
types = np.array([1]*20 + [-1]*10)
mn, mx = X.min(0), X.max(0); N = np.where(types == 1, (X-mn)/(mx-mn), (mx-X)/(mx-mn))
P = N / N.sum(0); PL = np.where(P > 0, P*np.log(np.where(P > 0, P, 1)), 0.0)
E = -PL.sum(0)/np.log(len(X)); d = 1-E; w = d/d.sum(); V = N*w
dp = np.sqrt(((V-V.max(0))**2).sum(1)); dm = np.sqrt(((V-V.min(0))**2).sum(1)); C = dm/(dm+dp)
print(json.dumps({"weights": w.tolist(), "scores": C.tolist()}) if len(sys.argv) > 2 else C[:3])
"""


def generate(n, folder, arrow):
    path = os.path.join(folder, f"topsis-{n}.{'arrow' if arrow else 'parquet'}")
    if not os.path.exists(path):
        rng = np.random.default_rng(42)
        X = rng.uniform(1, 100, size=(n, M))
        columns = {"id": pa.array([f"a{i}" for i in range(n)])}
        columns.update({f"c{j}": pa.array(X[:, j]) for j in range(M)})
        if arrow:
            feather.write_feather(pa.table(columns), path, compression="uncompressed", chunksize=65536)
        else:
            pq.write_table(pa.table(columns), path, row_group_size=65536, compression="snappy")
    return path


def timed(cmd):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def peak_kb(cmd):
    """Peak resident memory of one run, by GNU time."""
    done = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, check=True, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    return int(done.stderr.strip().splitlines()[-1])


def main():
    a = argparse.ArgumentParser()
    a.add_argument("n", type=int)
    a.add_argument("--runs", type=int, default=3)
    a.add_argument("--arrow", action="store_true", help="Arrow IPC (Feather v2) instead of Parquet")
    a.add_argument("--resil", default=os.path.join(ROOT, "target", "release", "resil"))
    o = a.parse_args()
    folder = os.path.join(os.environ.get("TMPDIR", tempfile.gettempdir()), "resil-bench")
    os.makedirs(folder, exist_ok=True)
    path = generate(o.n, folder, o.arrow)
    peer = [sys.executable, "-c", PEER, path]
    ours = [o.resil, "score", path, f"--polarity={POLARITY}", "--normalize", "minmax", "--weight", "entropy",
            "--method", "topsis", "--format", "csv"]
    theirs = json.loads(subprocess.run(peer + ["--json"], capture_output=True, text=True, check=True).stdout)
    mine = json.loads(subprocess.run(ours[:-1] + ["json"], capture_output=True, text=True, check=True).stdout)
    diff = max(abs(x - y) for k in theirs for x, y in zip(theirs[k], mine[k]))
    if diff > 1e-9:
        sys.exit(f"resil and numpy disagree (max abs difference {diff:.3g}): fix that first")
    peer_times, our_times = [], []
    for _ in range(o.runs):
        peer_times.append(timed(peer))
        our_times.append(timed(ours))
    ratios = [p / r for p, r in zip(peer_times, our_times)]
    print(json.dumps({
        "task": "topsis-arrow" if o.arrow else "topsis-parquet", "n": o.n, "peer_median_s": statistics.median(peer_times),
        "resil_median_s": statistics.median(our_times), "ratio_peer_over_resil_median": statistics.median(ratios),
        "peer_peak_kb": peak_kb(peer), "resil_peak_kb": peak_kb(ours), "max_abs_difference": diff, "input": path,
    }, indent=1))


if __name__ == "__main__":
    main()
