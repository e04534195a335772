"""Reference weights for resil's best-worst method (crates/resil-weight/src/bwm.rs): Rezaei's
(2016) linear model, min xi subject to |w_B - a_Bj w_j| <= xi, |w_j - a_jW w_W| <= xi, sum w = 1,
w >= 0, solved with scipy 1.17.1 linprog (HiGHS), and the input-based consistency ratio of Liang,
Brunelli & Rezaei (2020). Cases: Rezaei's (2015) car-buying comparisons as commonly restated
(quality, price, comfort, safety, style; best price, worst style) and two random inconsistent
sets on Saaty's 1-9 scale (numpy seeds 5 and 6). Run with the environment of
../shared/bench/setup.sh:
    $(../shared/bench/setup.sh) tests/reference/scipy_bwm.py > data/reference-cases/scipy_bwm.json
"""
import json

import numpy as np
from scipy.optimize import linprog


def solve(best, worst, bo, ow):
    n = len(bo)
    rows, rhs = [], []
    for j in range(n):
        for (i, ci), (k, ck) in [((best, 1.0), (j, bo[j])), ((j, 1.0), (worst, ow[j]))]:
            for sign in (1.0, -1.0):
                row = np.zeros(n + 1)
                row[i] += sign * ci
                row[k] -= sign * ck
                row[n] = -1.0
                rows.append(row)
                rhs.append(0.0)
    eq = np.append(np.ones(n), 0.0).reshape(1, -1)
    c = np.zeros(n + 1)
    c[n] = 1.0
    res = linprog(c, A_ub=np.array(rows), b_ub=np.array(rhs), A_eq=eq, b_eq=[1.0], bounds=[(0, None)] * (n + 1),
                  method="highs")
    a_bw = bo[worst]
    cr = max(abs(bo[j] * ow[j] - a_bw) for j in range(n)) / (a_bw * a_bw - a_bw) if a_bw > 1 else 0.0
    return {"best": best, "worst": worst, "best_to_others": list(map(float, bo)),
            "others_to_worst": list(map(float, ow)), "weights": res.x[:n].tolist(), "xi": float(res.x[n]),
            "cr": float(cr)}


cases = [solve(1, 4, [2, 1, 4, 2, 8], [4, 8, 4, 2, 1])]
for seed in (5, 6):
    rng = np.random.default_rng(seed)
    n = 6
    bo = rng.integers(2, 9, n).astype(float)
    ow = rng.integers(2, 9, n).astype(float)
    best, worst = 0, n - 1
    bo[best], ow[worst] = 1.0, 1.0
    ow[best] = bo[worst] = 9.0
    cases.append(solve(best, worst, bo, ow))
print(json.dumps({"source": "scipy 1.17.1 linprog (HiGHS) on Rezaei's (2016) linear BWM; tests/reference/scipy_bwm.py",
                  "cases": cases}, indent=1))
