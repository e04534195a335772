"""Reference values for resil's Moran's I tests, computed with PySAL (esda 2.9.0, libpysal 4.14.1).

Run with the environment of ../shared/bench/setup.sh:
    $(../shared/bench/setup.sh) tests/reference/esda_moran.py > data/reference-cases/esda_moran.json
The inputs are fixed below; the output is committed so the Rust tests need no Python.
"""
import json

import esda
import libpysal
import numpy as np

x = [0.0, 1.3, 2.1, 3.7, 0.4, 1.9, 2.8, 3.1, 0.9, 2.4, 3.9, 1.1]
y = [0.0, 0.2, 0.9, 0.1, 1.6, 1.4, 2.2, 1.2, 2.9, 3.3, 2.6, 3.8]
values = [0.31, 0.35, 0.42, 0.28, 0.33, 0.47, 0.51, 0.30, 0.36, 0.55, 0.49, 0.40]
coords = np.column_stack([x, y])

cases = []
for name, w in [
    ("knn3", libpysal.weights.KNN.from_array(coords, k=3)),
    ("band1.5", libpysal.weights.DistanceBand.from_array(coords, threshold=1.5, binary=True, silence_warnings=True)),
    ("idw2.5", libpysal.weights.DistanceBand.from_array(coords, threshold=2.5, binary=False, alpha=-1.0, silence_warnings=True)),
]:
    w.transform = "r"
    m = esda.Moran(np.array(values), w, permutations=0)
    cases.append({
        "weights": name,
        "i": m.I, "expected_i": m.EI,
        "variance_norm": m.VI_norm, "z_norm": m.z_norm, "p_norm": m.p_norm,
        "variance_rand": m.VI_rand, "z_rand": m.z_rand, "p_rand": m.p_rand,
    })
    lm = esda.Moran_Local(np.array(values), w, permutations=99, seed=1)
    cases[-1]["local_i"] = lm.Is.tolist()
    cases[-1]["local_quadrant"] = lm.q.tolist()

print(json.dumps({
    "source": "esda 2.9.0 / libpysal 4.14.1, row-standardised weights; tests/reference/esda_moran.py",
    "x": x, "y": y, "values": values, "cases": cases,
}, indent=1))
