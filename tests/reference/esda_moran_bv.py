"""Reference values for resil's bivariate Moran (esda 2.9.0 Moran_BV, libpysal 4.14.1) on the
points and values of esda_moran.py (x) and a second variable (y), row-standardised weights
(kNN k = 3, binary band 1.5, inverse distance within 2.5): the statistic, and the permutation
p-value and moments from 9999 permutations (numpy seed 12345) for within-sampling-error checks.
Run with the environment of ../shared/bench/setup.sh:
    $(../shared/bench/setup.sh) tests/reference/esda_moran_bv.py > data/reference-cases/esda_moran_bv.json
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
other = [12.0, 15.5, 14.1, 9.8, 13.3, 17.9, 18.4, 11.0, 12.7, 19.6, 16.2, 13.9]
coords = np.column_stack([x, y])


def weights(name):
    if name == "knn3":
        return libpysal.weights.KNN.from_array(coords, k=3)
    if name == "band1.5":
        return libpysal.weights.DistanceBand.from_array(coords, threshold=1.5, binary=True, silence_warnings=True)
    return libpysal.weights.DistanceBand.from_array(coords, threshold=2.5, binary=False, alpha=-1.0, silence_warnings=True)


cases = []
for name in ["knn3", "band1.5", "idw2.5"]:
    np.random.seed(12345)
    m = esda.Moran_BV(np.array(values), np.array(other), weights(name), permutations=9999)
    cases.append({"weights": name, "i": m.I, "p_sim_9999": m.p_sim, "ei_sim_9999": m.EI_sim,
                  "se_i_sim_9999": m.seI_sim})
print(json.dumps({
    "source": "esda 2.9.0 Moran_BV / libpysal 4.14.1, row-standardised weights; tests/reference/esda_moran_bv.py",
    "x": x, "y": y, "values": values, "other": other, "cases": cases,
}, indent=1))
