"""Reference values for resil's Mazziotta-Pareto index (crates/resil-rank/src/mpi.rs). No R is
available here, so the R package Compind's code (3.x: normalise_ci with method = 1, z.mean = 100,
z.std = 10, then ci_mpi with penalty "POS" / "NEG") is transcribed line by line to numpy (R's sd
and var divide by n - 1), beside the defining paper's population formula (Mazziotta & Pareto
2016: sd over n, MPI-/+ = M_z -/+ S_z cv). Random raw matrices with benefit and cost columns
(numpy seed 23). Run with the environment of ../shared/bench/setup.sh:
    $(../shared/bench/setup.sh) tests/reference/numpy_mpi.py > data/reference-cases/numpy_mpi.json
"""
import json

import numpy as np


def compind(x, types, penalty):
    # normalise_ci(method = 1): z.mean + / - ((x - Ma) / Sqm) * z.std, sd() over n - 1.
    ma, sqm = x.mean(axis=0), x.std(axis=0, ddof=1)
    z = 100 + types * (x - ma) / sqm * 10
    # ci_mpi: Ma_z * (1 -/+ cv^2), var() over n - 1 across the indicators of a row.
    ma_z, sqm_z = z.mean(axis=1), z.var(axis=1, ddof=1) ** 0.5
    cv = sqm_z / ma_z
    return ma_z * (1 - cv ** 2) if penalty == "POS" else ma_z * (1 + cv ** 2)


def population(x, types, sign):
    z = 100 + types * (x - x.mean(axis=0)) / x.std(axis=0) * 10
    m, s = z.mean(axis=1), z.std(axis=1)
    return m + sign * s * (s / m)


rng = np.random.default_rng(23)
cases = []
for k in range(3):
    n, m = 8 + k, 3 + k
    x = np.round(rng.uniform(1.0, 100.0, size=(n, m)), 3)
    types = np.array([1 if j % 3 != 1 else -1 for j in range(m)])
    cases.append({
        "matrix": x.tolist(), "types": types.tolist(),
        "compind_pos": compind(x, types, "POS").tolist(), "compind_neg": compind(x, types, "NEG").tolist(),
        "population_minus": population(x, types, -1).tolist(), "population_plus": population(x, types, 1).tolist(),
    })
print(json.dumps({"source": "numpy transcription of Compind's normalise_ci + ci_mpi, and Mazziotta & Pareto's "
                  "population formula; tests/reference/numpy_mpi.py", "cases": cases}, indent=1))
