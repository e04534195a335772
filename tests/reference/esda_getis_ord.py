"""Reference values for resil's Getis-Ord statistics, computed with PySAL (esda 2.9.0, libpysal
4.14.1) on the points and values of esda_moran.py: the global G (binary weights, as esda
transforms them) with its normal-approximation z and p and the permutation p-value from 9999
permutations (numpy seed 12345), and the local G and G* (row-standardised weights; G* with the
self-weight esda assigns) with z, p_norm and the conditional-permutation p-values from 9999
permutations (seed 12345), for within-sampling-error checks. Weights: kNN k = 3, binary band 1.5,
inverse distance within 2.5. Run with the environment of ../shared/bench/setup.sh:
    $(../shared/bench/setup.sh) tests/reference/esda_getis_ord.py > data/reference-cases/esda_getis_ord.json
"""
import json
import warnings

import esda
import libpysal
import numpy as np

warnings.filterwarnings("ignore")

x = [0.0, 1.3, 2.1, 3.7, 0.4, 1.9, 2.8, 3.1, 0.9, 2.4, 3.9, 1.1]
y = [0.0, 0.2, 0.9, 0.1, 1.6, 1.4, 2.2, 1.2, 2.9, 3.3, 2.6, 3.8]
values = [0.31, 0.35, 0.42, 0.28, 0.33, 0.47, 0.51, 0.30, 0.36, 0.55, 0.49, 0.40]
coords = np.column_stack([x, y])


def weights(name):
    if name == "knn3":
        return libpysal.weights.KNN.from_array(coords, k=3)
    if name == "band1.5":
        return libpysal.weights.DistanceBand.from_array(coords, threshold=1.5, binary=True, silence_warnings=True)
    return libpysal.weights.DistanceBand.from_array(coords, threshold=2.5, binary=False, alpha=-1.0, silence_warnings=True)


cases = []
for name in ["knn3", "band1.5", "idw2.5"]:
    g = esda.G(np.array(values), weights(name), permutations=0)
    np.random.seed(12345)
    gp = esda.G(np.array(values), weights(name), permutations=9999)
    local = {}
    for star in [False, True]:
        lg = esda.G_Local(np.array(values), weights(name), transform="R", star=star, permutations=9999, seed=12345)
        local["star" if star else "plain"] = {
            "g": lg.Gs.tolist(), "expected": lg.EGs.tolist(), "variance": lg.VGs.tolist(),
            "z": lg.Zs.tolist(), "p_norm": lg.p_norm.tolist(), "p_sim_9999": lg.p_sim.tolist(),
        }
    cases.append({
        "weights": name, "g": g.G, "expected_g": g.EG, "variance_norm": g.VG,
        "z_norm": g.z_norm, "p_norm": g.p_norm, "p_sim_9999": gp.p_sim, "local": local,
    })
print(json.dumps({
    "source": "esda 2.9.0 G and G_Local / libpysal 4.14.1; tests/reference/esda_getis_ord.py",
    "x": x, "y": y, "values": values, "cases": cases,
}, indent=1))
