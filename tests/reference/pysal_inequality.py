"""Reference values for resil's inequality analysis: Theil's T with its between/within-group
decomposition and the Gini coefficient, by PySAL's inequality 1.1.2 (TheilD, Gini), on the
Mexican state per-capita GDP 1940-2000 with the Hanson (1998) regions bundled with libpysal 4.14.1
(BSD-3-Clause, PySAL developers), the data of inequality's own documented example. The
docstring's printed values (Theil T, bg, wg; TheilDSim's bg_pvalue) are kept beside the computed ones.
Run with the environment of ../shared/bench/setup.sh plus `pip install inequality==1.1.2`:
    $(../shared/bench/setup.sh) tests/reference/pysal_inequality.py > data/reference-cases/pysal_inequality.json
"""
import json

import libpysal
import numpy as np
from inequality.gini import Gini
from inequality.theil import TheilD

f = libpysal.io.open(libpysal.examples.get_path("mexico.csv"))
years = list(range(1940, 2010, 10))
y = np.array([f.by_col[f"pcgdp{d}"] for d in years]).T
regions = np.array(f.by_col("hanson98"))
d = TheilD(y, regions)
print(json.dumps({
    "source": "PySAL inequality 1.1.2 TheilD and Gini on libpysal 4.14.1's mexico.csv (BSD-3-Clause); tests/reference/pysal_inequality.py",
    "years": years,
    "states": list(f.by_col("State")),
    "pcgdp": y.tolist(),
    "hanson98": regions.tolist(),
    "theil": d.T.tolist(),
    "between": d.bg.tolist(),
    "within": d.wg.tolist(),
    "gini": [float(Gini(y[:, k]).g) for k in range(len(years))],
    "published_docstring": {
        "theil": [0.20894344, 0.15222451, 0.10472941, 0.10194725, 0.09560113, 0.10511256, 0.10660832],
        "between": [0.0345889, 0.02816853, 0.05260921, 0.05931219, 0.03205257, 0.02963731, 0.03635872],
        "within": [0.17435454, 0.12405598, 0.0521202, 0.04263506, 0.06354856, 0.07547525, 0.0702496],
        # TheilDSim(y, regimes, 999) after numpy.random.seed(10)
        "bg_pvalue": [0.4, 0.344, 0.001, 0.001, 0.034, 0.072, 0.032],
    },
}, indent=1))
