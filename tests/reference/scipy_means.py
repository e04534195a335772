"""Reference values for resil's level aggregations (`levels`): weighted geometric, harmonic and
power means by scipy 1.17.1 (scipy.stats.gmean, hmean, pmean with weights), and the weighted
arithmetic mean by numpy.average. Run with the environment of ../shared/bench/setup.sh:
    $(../shared/bench/setup.sh) tests/reference/scipy_means.py > data/reference-cases/scipy_means.json
"""
import json

import numpy as np
from scipy import stats

rng = np.random.default_rng(11)
rows = np.round(rng.uniform(0.05, 1.0, size=(6, 4)), 6)
weights = np.array([1.0, 2.0, 3.0, 4.0])
out = {
    "source": "scipy 1.17.1 stats.gmean / hmean / pmean (weights), numpy 2.4.6 average; tests/reference/scipy_means.py",
    "rows": rows.tolist(),
    "weights": weights.tolist(),
    "arithmetic": [float(np.average(r, weights=weights)) for r in rows],
    "geometric": [float(stats.gmean(r, weights=weights)) for r in rows],
    "harmonic": [float(stats.hmean(r, weights=weights)) for r in rows],
    "power_3": [float(stats.pmean(r, 3.0, weights=weights)) for r in rows],
    "power_minus_half": [float(stats.pmean(r, -0.5, weights=weights)) for r in rows],
    "minimum": [float(np.min(r)) for r in rows],
}
print(json.dumps(out, indent=1))
