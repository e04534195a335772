"""Reference breaks for resil's quantile and equal-interval classifiers, computed with mapclassify
2.10.0 (and jenkspy 0.4.1 for natural breaks). Run with the environment of ../shared/bench/setup.sh:
    $(../shared/bench/setup.sh) tests/reference/mapclassify_breaks.py > data/reference-cases/mapclassify_breaks.json
"""
import json

import jenkspy
import mapclassify
import numpy as np

rng = np.random.default_rng(42)
values = np.round(rng.gamma(2.0, 1.5, 57), 4).tolist()
out = {"source": "mapclassify 2.10.0, jenkspy 0.4.1; tests/reference/mapclassify_breaks.py", "values": values, "cases": []}
for k in (3, 5, 7):
    q = mapclassify.Quantiles(np.array(values), k=k)
    e = mapclassify.EqualInterval(np.array(values), k=k)
    out["cases"].append({
        "k": k,
        "quantile_bins": q.bins.tolist(), "quantile_classes": (q.yb + 1).tolist(),
        "equal_interval_bins": e.bins.tolist(), "equal_interval_classes": (e.yb + 1).tolist(),
        "jenks_breaks": jenkspy.jenks_breaks(values, n_classes=k)[1:],
    })
print(json.dumps(out, indent=1))
