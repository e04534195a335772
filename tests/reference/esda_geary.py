"""Reference values for resil's Geary's C, computed with PySAL (esda 2.9.0, libpysal 4.14.1) on
the points and values of esda_moran.py, row-standardised weights (kNN k = 3, binary band 1.5,
inverse distance within 2.5), and esda's permutation p-value from 9999 permutations (numpy seed
12345) for a within-sampling-error check. Run with the environment of ../shared/bench/setup.sh:
    $(../shared/bench/setup.sh) tests/reference/esda_geary.py > data/reference-cases/esda_geary.json
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
    g = esda.Geary(np.array(values), w, transformation="r", permutations=0)
    np.random.seed(12345)
    gp = esda.Geary(np.array(values), w, transformation="r", permutations=9999)
    cases.append({
        "weights": name, "c": g.C, "expected_c": g.EC,
        "variance_norm": g.VC_norm, "z_norm": g.z_norm, "p_norm": g.p_norm,
        "variance_rand": g.VC_rand, "z_rand": g.z_rand, "p_rand": g.p_rand,
        "p_sim_9999": gp.p_sim,
    })
print(json.dumps({
    "source": "esda 2.9.0 Geary / libpysal 4.14.1, row-standardised weights; tests/reference/esda_geary.py",
    "x": x, "y": y, "values": values, "cases": cases,
}, indent=1))
