"""Reference weights for resil's `merec`, `gini`, `variance`, `lopcow`, `cilos`, `idocriw` and
`angle` weighting (pymcdm 1.4.0), on a raw 6 x 4 matrix with one cost criterion. Run with the environment of ../shared/bench/setup.sh:
    $(../shared/bench/setup.sh) tests/reference/pymcdm_weights.py > data/reference-cases/pymcdm_weights.json
"""
import json

import numpy as np
from pymcdm import weights as w

matrix = np.array([
    [450.0, 8000.0, 54.0, 145.0],
    [10.0, 9100.0, 2.0, 160.0],
    [100.0, 8200.0, 31.0, 153.0],
    [220.0, 9300.0, 1.0, 162.0],
    [5.0, 8400.0, 23.0, 158.0],
    [80.0, 8700.0, 17.0, 149.0],
])
types = np.array([1, 1, -1, 1])
print(json.dumps({
    "source": "pymcdm 1.4.0 merec, gini, variance, lopcow, cilos, idocriw, angle weights; tests/reference/pymcdm_weights.py",
    "matrix": matrix.tolist(), "types": types.tolist(),
    "merec": w.merec_weights(matrix, types).tolist(),
    "gini": w.gini_weights(matrix).tolist(),
    "variance": w.variance_weights(matrix).tolist(),
    "lopcow": w.lopcow_weights(matrix, types).tolist(),
    "cilos": w.cilos_weights(matrix, types).tolist(),
    "idocriw": w.idocriw_weights(matrix, types).tolist(),
    "angle": w.angle_weights(matrix).tolist(),
}, indent=1))
