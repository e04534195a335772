"""Reference PROMETHEE II net flows for resil's `promethee2`: pymcdm 1.4.0's PROMETHEE_II with
the usual, U-shape, V-shape, level and linear (pymcdm's `vshape_2`) preference functions, and for
the Gaussian function (not in pymcdm) a direct numpy computation of Brans' definition
P(d) = 1 - exp(-d^2 / (2 s^2)), on seeded raw matrices with benefit and cost criteria and
per-criterion thresholds. Run with the environment of ../shared/bench/setup.sh:
    $(../shared/bench/setup.sh) tests/reference/pymcdm_promethee.py > data/reference-cases/pymcdm_promethee.json
"""
import json

import numpy as np
from pymcdm import methods


def gaussian_net_flow(matrix, weights, types, s):
    n = matrix.shape[0]
    pi = np.zeros((n, n))
    for j in range(matrix.shape[1]):
        d = matrix[:, j][:, None] - matrix[:, j][None, :]
        if types[j] == -1:
            d = -d
        pi += weights[j] * np.where(d > 0, 1 - np.exp(-d ** 2 / (2 * s[j] ** 2)), 0.0)
    return (pi.sum(axis=1) - pi.sum(axis=0)) / (n - 1)


cases = []
rng = np.random.default_rng(23)
for k in range(3):
    n, m = 6 + 2 * k, 3 + k
    matrix = np.round(rng.uniform(1.0, 100.0, size=(n, m)), 2)
    types = np.array([1 if j % 3 != 1 else -1 for j in range(m)])
    weights = rng.uniform(0.1, 1.0, size=m)
    weights = weights / weights.sum()
    spread = matrix.max(axis=0) - matrix.min(axis=0)
    q, p, s = np.round(0.1 * spread, 3), np.round(0.45 * spread, 3), np.round(0.25 * spread, 3)
    cases.append({
        "matrix": matrix.tolist(), "types": types.tolist(), "weights": weights.tolist(),
        "q": q.tolist(), "p": p.tolist(), "s": s.tolist(),
        "usual": methods.PROMETHEE_II("usual")(matrix, weights, types).tolist(),
        "u-shape": methods.PROMETHEE_II("ushape", q=q)(matrix, weights, types).tolist(),
        "v-shape": methods.PROMETHEE_II("vshape", p=p)(matrix, weights, types).tolist(),
        "level": methods.PROMETHEE_II("level", p=p, q=q)(matrix, weights, types).tolist(),
        "linear": methods.PROMETHEE_II("vshape_2", p=p, q=q)(matrix, weights, types).tolist(),
        "gaussian": gaussian_net_flow(matrix, weights, types, s).tolist(),
    })
print(json.dumps({"source": "pymcdm 1.4.0 PROMETHEE_II (usual, ushape, vshape, level, vshape_2); Gaussian by numpy from Brans' definition; tests/reference/pymcdm_promethee.py", "cases": cases}, indent=1))
