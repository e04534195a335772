"""Reference AHP weights for resil: the principal eigenvector of a Saaty-style comparison matrix
by numpy.linalg.eig, lambda_max, CI and CR (random index 0.90 for n = 4). Run with the
environment of ../shared/bench/setup.sh:
    $(../shared/bench/setup.sh) tests/reference/numpy_ahp.py > data/reference-cases/numpy_ahp.json
"""
import json

import numpy as np

A = np.array([[1, 3, 5, 7], [1/3, 1, 3, 5], [1/5, 1/3, 1, 3], [1/7, 1/5, 1/3, 1]], dtype=float)
vals, vecs = np.linalg.eig(A)
k = np.argmax(vals.real)
w = np.abs(vecs[:, k].real)
w = w / w.sum()
lam = vals[k].real
n = A.shape[0]
ci = (lam - n) / (n - 1)
print(json.dumps({"source": "numpy 2.4.6 numpy.linalg.eig, principal eigenvector; Saaty's random index 0.90 for n = 4",
                  "matrix": A.tolist(), "weights": w.tolist(), "lambda_max": lam, "ci": ci, "cr": ci / 0.90}, indent=1))
