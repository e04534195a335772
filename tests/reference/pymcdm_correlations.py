"""Reference rank-agreement and weight-similarity coefficients for resil's compare and diff,
computed with pymcdm 1.4.0's correlations (rw, ws, goodman_kruskal_gamma, wsc2) on seeded random
rankings (some with ties) and weight vectors. Run with the environment of ../shared/bench/setup.sh:
    $(../shared/bench/setup.sh) tests/reference/pymcdm_correlations.py > data/reference-cases/pymcdm_correlations.json
"""
import json

import numpy as np
from pymcdm import correlations as corr

rng = np.random.default_rng(17)
rankings = []
for n in (5, 8, 12, 20):
    x = rng.permutation(n) + 1.0
    y = rng.permutation(n) + 1.0
    rankings.append((x, y))
# Ties (average ranks), as a study's equal scores give.
rankings.append((np.array([1, 2.5, 2.5, 4, 5, 6.5, 6.5, 8]), np.array([2, 1, 3, 5, 4, 8, 6.5, 6.5])))
rankings.append((np.arange(1, 11.0), np.arange(10, 0, -1.0)))
weights = [rng.dirichlet(np.ones(k)) for k in (3, 6, 29)]
weights = [(w, rng.dirichlet(np.ones(len(w)))) for w in weights]
print(json.dumps({
    "source": "pymcdm 1.4.0 correlations.rw / ws / goodman_kruskal_gamma / wsc2; tests/reference/pymcdm_correlations.py",
    "rankings": [{"x": x.tolist(), "y": y.tolist(), "rw": corr.rw(x, y), "ws": corr.ws(x, y),
                  "gamma": corr.goodman_kruskal_gamma(x, y)} for x, y in rankings],
    "weights": [{"w0": a.tolist(), "w1": b.tolist(), "wsc2": corr.wsc2(a, b)} for a, b in weights],
}, indent=1))
