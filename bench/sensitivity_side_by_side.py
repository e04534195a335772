"""Side by side: resil's sensitivity analysis of the flagship against the same evaluations in
vectorised numpy (plus scipy's gamma quantiles), in one run, answers checked equal first.

    cargo build --release -p resil-cli && cargo xtask plugins
    $(../shared/bench/setup.sh) bench/sensitivity_side_by_side.py [--runs 3]

resil runs `resil sensitivity bench/sensitivity.toml --save-evaluations` (10,002 whole-pipeline
evaluations of the flagship: 41 units x 3 periods x 29 indicators, four factors: normalisation
chain, weighting, TOPSIS ideal scope, Dirichlet noise on the weights; Jenks k = 5 refitted each
time). evaluations.csv gives every evaluation's factor settings and weight coordinates; this
script recomputes each evaluation from the run's imputed panel (intermediates.csv) with numpy:
z-score + min-max (floor 0.01) or min-max alone, entropy / equal / the paper's weights (each
computed once per normalisation, as resil does), Dirichlet weights by scipy.stats.gamma.ppf,
TOPSIS with pooled or per-period ideals, ranks within periods (ties: min), exact Jenks by
Fisher's dynamic programme vectorised over evaluations (and, as a second peer, jenkspy per
evaluation). It checks the mean absolute rank shift and the grade changes of every evaluation
against resil's (1e-9), then times both: resil's evaluation phase as it reports it, resil's
whole command, and numpy's computation (CSV reading and imports excluded). Quote the ratios.
"""
import argparse
import csv
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
from scipy.stats import gamma

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESIL = os.path.join(ROOT, "target", "release", "resil")
CONFIG = os.path.join(ROOT, "bench", "sensitivity.toml")
PAPER = os.path.join(ROOT, "configs", "paper-weights.toml")


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def load_panel(run_dir):
    """Imputed raw values (rows period-major as resil orders them), polarities, nominal ranks and grades."""
    scores = read_csv(os.path.join(run_dir, "scores.csv"))
    units = list(dict.fromkeys(r["unit"] for r in scores))
    periods = sorted({int(r["period"]) for r in scores})
    weights = read_csv(os.path.join(run_dir, "weights.csv"))
    indicators = [w["indicator"] for w in weights]
    cost = np.array([w["polarity"] == "-" for w in weights])
    row = {(u, p): i * len(units) + units.index(u) for i, p in enumerate(periods) for u in units}
    raw = np.zeros((len(periods) * len(units), len(indicators)))
    for r in read_csv(os.path.join(run_dir, "intermediates.csv")):
        raw[row[(r["unit"], int(r["period"]))], indicators.index(r["indicator"])] = float(r["value"])
    nominal_rank = np.zeros(len(scores))
    nominal_grade = np.zeros(len(scores), dtype=int)
    for r in scores:
        i = row[(r["unit"], int(r["period"]))]
        nominal_rank[i], nominal_grade[i] = float(r["rank"]), int(r["grade"])
    return raw, cost, indicators, len(units), len(periods), nominal_rank, nominal_grade


def minmax(x, cost, floor=0.01):
    lo, hi = x.min(axis=0), x.max(axis=0)
    unit = np.where(cost, (hi - x) / (hi - lo), (x - lo) / (hi - lo))
    return (1.0 - floor) * unit + floor


def zscore_minmax(raw, cost):
    z = (raw - raw.mean(axis=0)) / raw.std(axis=0, ddof=1)
    z = np.where(cost, -z, z)
    return minmax(z, np.zeros_like(cost))


def entropy(r):
    p = r / r.sum(axis=0)
    e = -(p * np.log(p)).sum(axis=0) / np.log(r.shape[0])
    d = 1.0 - e
    return d / d.sum()


def paper_weights(indicators):
    text = open(PAPER).read()
    w = dict(re.findall(r"^(X\d+) = ([0-9.]+)$", text, re.M))
    v = np.array([float(w[i]) for i in indicators])
    return v / v.sum()


def topsis(r, w, periods, units, per_period):
    """Closeness of every row for each weight vector in w (B x m): B x n."""
    v = r[None, :, :] * w[:, None, :]
    if per_period:
        blocks = v.reshape(w.shape[0], periods, units, -1)
        best, worst = blocks.max(axis=2, keepdims=True), blocks.min(axis=2, keepdims=True)
        dp = np.sqrt(((blocks - best) ** 2).sum(axis=3)).reshape(w.shape[0], -1)
        dm = np.sqrt(((blocks - worst) ** 2).sum(axis=3)).reshape(w.shape[0], -1)
    else:
        best, worst = v.max(axis=1, keepdims=True), v.min(axis=1, keepdims=True)
        dp = np.sqrt(((v - best) ** 2).sum(axis=2))
        dm = np.sqrt(((v - worst) ** 2).sum(axis=2))
    return dm / (dp + dm)


def ranks_within(scores, periods, units):
    """Rank 1 = highest score within each period; ties take the best (min) rank."""
    s = scores.reshape(scores.shape[0], periods, units)
    greater = (s[:, :, None, :] > s[:, :, :, None]).sum(axis=3)
    return (greater + 1).reshape(scores.shape[0], -1).astype(float)


def jenks_grades(scores, k=5):
    """Exact Jenks (Fisher's DP, vectorised over the rows of scores): each value's 1-based class."""
    b, n = scores.shape
    x = np.sort(scores, axis=1)
    s1 = np.concatenate([np.zeros((b, 1)), np.cumsum(x, axis=1)], axis=1)
    s2 = np.concatenate([np.zeros((b, 1)), np.cumsum(x * x, axis=1)], axis=1)
    i = np.arange(n + 1)[:, None]
    j = np.arange(n + 1)[None, :]
    count = np.where(j > i, j - i, 1)
    ssd = s2[:, None, :] - s2[:, :, None] - (s1[:, None, :] - s1[:, :, None]) ** 2 / count
    ssd = np.where(j > i, ssd, np.inf)  # ssd[b, i, j]: the class x[i:j]
    cost = ssd[:, 0, :]  # one class: x[0:j]
    back = []
    for _ in range(1, k):
        total = cost[:, :, None] + ssd  # end the previous classes at i, the new class x[i:j]
        back.append(total.argmin(axis=1))
        cost = total.min(axis=1)
    # Walk back from j = n: the class ends (exclusive) of each class.
    ends = np.zeros((b, k), dtype=int)
    ends[:, k - 1] = n
    cur = np.full(b, n)
    for c in range(k - 1, 0, -1):
        cur = back[c - 1][np.arange(b), cur]
        ends[:, c - 1] = cur
    cuts = x[np.arange(b)[:, None], ends[:, : k - 1] - 1]  # the largest value of each lower class
    return np.array([np.searchsorted(cuts[r], scores[r], side="left") + 1 for r in range(b)])


def jenkspy_grades(scores, k=5):
    import jenkspy

    out = np.zeros(scores.shape, dtype=int)
    for r in range(scores.shape[0]):
        breaks = jenkspy.jenks_breaks(scores[r], n_classes=k)
        out[r] = np.searchsorted(np.array(breaks[1:-1]), scores[r], side="left") + 1
    return out


def evaluate(panel, evals, jenks):
    raw, cost, indicators, units, periods, nominal_rank, nominal_grade = panel
    norms = {"baseline": zscore_minmax(raw, cost), "min-max only": minmax(raw, cost)}
    weights = {}
    for name, r in norms.items():
        weights[(name, "baseline")] = entropy(r)
        weights[(name, "equal-weights")] = np.full(len(indicators), 1.0 / len(indicators))
        weights[(name, "paper-weights")] = paper_weights(indicators)
    u = evals["u"]
    shift = np.zeros(len(u))
    changes = np.zeros(len(u), dtype=int)
    for (norm, weighting, scope), idx in evals["groups"].items():
        w0 = weights[(norm, weighting)]
        x = gamma.ppf(u[idx], 100.0 * w0[None, :])
        w = x / x.sum(axis=1, keepdims=True)
        w = w / w.sum(axis=1, keepdims=True)
        scores = topsis(norms[norm], w, periods, units, scope == "per-period-ideals")
        ranks = ranks_within(scores, periods, units)
        grades = jenks(scores)
        shift[idx] = np.abs(ranks - nominal_rank[None, :]).mean(axis=1)
        changes[idx] = (grades != nominal_grade[None, :]).sum(axis=1)
    return shift, changes


def read_evaluations(path):
    rows = read_csv(path)
    ucols = [c for c in rows[0] if c.startswith("u:weight noise:")]
    u = np.array([[float(r[c]) for c in ucols] for r in rows])
    groups = {}
    for e, r in enumerate(rows):
        groups.setdefault((r["normalisation"], r["weighting"], r["ideal scope"]), []).append(e)
    groups = {k: np.array(v) for k, v in groups.items()}
    shift = np.array([float(r["mean_abs_rank_shift"]) for r in rows])
    changes = np.array([int(r["grade_changes"]) for r in rows])
    return {"u": u, "groups": groups, "shift": shift, "changes": changes}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0, help="resil's worker threads (0: every core)")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="resil-sens-bench-")
    run_dir, sens_dir = os.path.join(tmp, "run"), os.path.join(tmp, "sens")
    subprocess.run([RESIL, "run", CONFIG, "--out", run_dir], check=True, capture_output=True)
    threads = ["--threads", str(args.threads)] if args.threads else []
    cmd = [RESIL, "sensitivity", CONFIG, "--save-evaluations", "--out", sens_dir] + threads
    subprocess.run(cmd, check=True, capture_output=True)
    panel = load_panel(run_dir)
    evals = read_evaluations(os.path.join(sens_dir, "evaluations.csv"))
    n = len(evals["shift"])
    for name, jenks in [("numpy", jenks_grades), ("numpy+jenkspy", jenkspy_grades)]:
        shift, changes = evaluate(panel, evals, jenks)
        bad = np.flatnonzero(np.abs(shift - evals["shift"]) > 1e-9)
        assert bad.size == 0, f"{name}: mean rank shift differs at evaluations {bad[:10]}"
        bad = np.flatnonzero(changes != evals["changes"])
        assert bad.size == 0, f"{name}: grade changes differ at evaluations {bad[:10]}"
    print(f"{n} evaluations: answers equal (mean absolute rank shift to 1e-9, grade changes exactly)")
    timings = {"resil evaluate": [], "resil whole command": [], "numpy": [], "numpy+jenkspy": []}
    for _ in range(args.runs):
        t0 = time.perf_counter()
        out = subprocess.run(cmd, check=True, capture_output=True, text=True)
        timings["resil whole command"].append(time.perf_counter() - t0)
        timings["resil evaluate"].append(float(re.search(r"evaluate ([0-9.]+) s", out.stderr).group(1)))
        for name, jenks in [("numpy", jenks_grades), ("numpy+jenkspy", jenkspy_grades)]:
            t0 = time.perf_counter()
            evaluate(panel, evals, jenks)
            timings[name].append(time.perf_counter() - t0)
    med = {k: float(np.median(v)) for k, v in timings.items()}
    for k, v in med.items():
        print(f"{k:>22}: median {v:.3f} s over {args.runs} runs")
    for peer in ["numpy", "numpy+jenkspy"]:
        print(f"ratio {peer} / resil evaluate: {med[peer] / med['resil evaluate']:.1f}x; "
              f"{peer} / resil whole command: {med[peer] / med['resil whole command']:.1f}x")


if __name__ == "__main__":
    sys.exit(main())
