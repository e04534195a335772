"""Reference values for resil's benefit-of-the-doubt aggregation (`levels`, function `bod`):
the OECD/JRC Handbook (2008) DEA model, max_w sum_j w_j y_ij s.t. sum_j w_j y_kj <= 1 for every
unit k, w >= 0, with and without share bounds lo <= w_j y_ij / sum_l w_l y_il <= hi, solved by
scipy 1.17.1 linprog (HiGHS). Run with the environment of ../shared/bench/setup.sh:
    $(../shared/bench/setup.sh) tests/reference/scipy_bod.py > data/reference-cases/scipy_bod.json
"""
import json

import numpy as np
from scipy.optimize import linprog

rng = np.random.default_rng(5)
Y = np.round(rng.uniform(0.05, 1.0, size=(8, 3)), 6)


def bod(y, share=None):
    m = len(y)
    a_ub = [row for row in Y]
    b_ub = [1.0] * len(Y)
    if share is not None:
        lo, hi = share
        for j in range(m):
            row_lo = np.array([-(y[l] * ((1.0 if l == j else 0.0) - lo)) for l in range(m)])
            row_hi = np.array([y[l] * ((1.0 if l == j else 0.0) - hi) for l in range(m)])
            a_ub += [row_lo, row_hi]
            b_ub += [0.0, 0.0]
    res = linprog(-np.asarray(y), A_ub=np.array(a_ub), b_ub=np.array(b_ub), bounds=[(0, None)] * m, method="highs")
    assert res.status == 0, res.message
    return float(-res.fun)


print(json.dumps({
    "source": "scipy 1.17.1 optimize.linprog (HiGHS) on the OECD/JRC Handbook benefit-of-the-doubt model; tests/reference/scipy_bod.py",
    "rows": Y.tolist(),
    "bod": [bod(y) for y in Y],
    "share": [0.1, 0.6],
    "bod_share": [bod(y, (0.1, 0.6)) for y in Y],
}, indent=1))
