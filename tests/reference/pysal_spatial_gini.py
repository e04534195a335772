"""Reference values for resil's spatial Gini (crates/resil-trend/src/inequality.rs), computed
with PySAL inequality 1.1.2 (Gini_Spatial) on the points and values of esda_moran.py with binary
kNN k = 3 weights and binary band 1.5 weights: the Gini, the sums of absolute differences between
neighbours (wg) and between the other pairs (wcg), its share, the polarization, and the
permutation moments and p-values from 9999 permutations (numpy seed 12345) for within-sampling-
error checks. Run with the environment of ../shared/bench/setup.sh:
    $(../shared/bench/setup.sh) tests/reference/pysal_spatial_gini.py > data/reference-cases/pysal_spatial_gini.json
"""
import json
import warnings

import libpysal
import numpy as np
from inequality.gini import Gini_Spatial

warnings.filterwarnings("ignore")

x = [0.0, 1.3, 2.1, 3.7, 0.4, 1.9, 2.8, 3.1, 0.9, 2.4, 3.9, 1.1]
y = [0.0, 0.2, 0.9, 0.1, 1.6, 1.4, 2.2, 1.2, 2.9, 3.3, 2.6, 3.8]
values = [0.31, 0.35, 0.42, 0.28, 0.33, 0.47, 0.51, 0.30, 0.36, 0.55, 0.49, 0.40]
coords = np.column_stack([x, y])

cases = []
for name, w in [
    ("knn3", libpysal.weights.KNN.from_array(coords, k=3)),
    ("band1.5", libpysal.weights.DistanceBand.from_array(coords, threshold=1.5, binary=True, silence_warnings=True)),
]:
    w.transform = "B"
    np.random.seed(12345)
    g = Gini_Spatial(np.array(values), w, permutations=9999)
    cases.append({"weights": name, "gini": g.g, "wg": g.wg, "wcg": g.wcg, "wcg_share": g.wcg_share,
                  "polarization": g.polarization, "p_sim_9999": g.p_sim, "e_wcg_9999": g.e_wcg,
                  "s_wcg_9999": g.s_wcg, "polarization_p_sim_9999": g.polarization_p_sim})
print(json.dumps({"source": "PySAL inequality 1.1.2 Gini_Spatial / libpysal 4.14.1; tests/reference/pysal_spatial_gini.py",
                  "x": x, "y": y, "values": values, "cases": cases}, indent=1))
