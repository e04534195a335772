"""Reference values for resil's Markov tests (crates/resil-trend/src/homogeneity.rs), computed
with giddy 2.3.8 on random panels (30 units on random points, 6 periods, numpy seeds 1-3): the
spatial Markov count matrices per lag class (Spatial_Markov, k = m = 4, quantile classes of the
pooled values, kNN k = 4 row-standardised weights) with the Bickenbach-Bode homogeneity tests Q
and LR and the chi-squared test of each lag class against the pooled matrix, and LISA_Markov's
quadrant transitions, expected counts and independence test on the same panel. giddy's null
divides each value by its unit's mean over the periods and steps its two-state chains from unit to
unit (it hands Markov a periods x units array); the per-period reading (each period's mean, steps
over time) is computed below with giddy's own Markov and chi2 on the arrays that reading takes. Run with the
environment of ../shared/bench/setup.sh plus `pip install giddy==2.3.8`:
    $(../shared/bench/setup.sh) tests/reference/giddy_markov_tests.py > data/reference-cases/giddy_markov_tests.json
"""
import json
import warnings

import libpysal
import numpy as np
from giddy.markov import LISA_Markov, Markov, Spatial_Markov, chi2

warnings.filterwarnings("ignore")

cases = []
for seed in [1, 2, 3]:
    rng = np.random.default_rng(seed)
    n, t = 30, 6
    px, py = rng.uniform(0, 10, n), rng.uniform(0, 10, n)
    # A persistent unit effect, a drift and noise: most moves are to the neighbouring class.
    y = rng.normal(1.0, 0.3, (n, 1)) + 0.05 * np.arange(t) + rng.normal(0, 0.12, (n, t))
    w = libpysal.weights.KNN.from_array(np.column_stack([px, py]), k=4)
    w.transform = "r"
    sm = Spatial_Markov(y, w, k=4, m=4, fixed=True)
    lm = LISA_Markov(y, w)
    # The per-period reading, with the same Kronecker construction as LISA_Markov.
    own = (y / y.mean(axis=0)) < 1.0
    lag = np.column_stack([libpysal.weights.lag_spatial(w, y[:, k]) for k in range(t)]) / y.mean(axis=0) < 1.0
    A = np.array([[1, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1], [0, 1, 0, 0]])
    kp = A.dot(np.kron(Markov(own, summary=False).p, Markov(lag, summary=False).p)).dot(A.T)
    expected = np.diag(lm.transitions.sum(axis=1)).dot(kp)
    per_period = chi2(lm.transitions, expected)
    cases.append({
        "seed": seed,
        "x": px.tolist(), "y": py.tolist(),
        "values": y.T.tolist(),
        "T": sm.T.tolist(),
        "transitions": sm.transitions.tolist(),
        "Q": float(sm.Q), "LR": float(sm.LR), "dof_hom": int(sm.dof_hom),
        "Q_p_value": float(sm.Q_p_value), "LR_p_value": float(sm.LR_p_value),
        "chi2": [[float(c[0]), float(c[1]), int(c[2])] for c in sm.chi2],
        "lisa_transitions": lm.transitions.tolist(),
        "lisa_expected": lm.expected_t.tolist(),
        "lisa_chi2": [float(lm.chi_2[0]), float(lm.chi_2[1]), int(lm.chi_2[2])],
        "lisa_expected_per_period": expected.tolist(),
        "lisa_chi2_per_period": [float(per_period[0]), float(per_period[1]), int(per_period[2])],
    })
print(json.dumps({"source": "giddy 2.3.8 markov.Spatial_Markov, markov.chi2, markov.LISA_Markov; "
                  "tests/reference/giddy_markov_tests.py", "cases": cases}, indent=1))
