"""Reference bins and classes for resil's `percentiles`, `box-plot`, `maximum-breaks`, `pretty`
and `jenks-caspall` classifiers and the choice of k by GADF (`gadf`), computed with mapclassify 2.10.0 (Percentiles, BoxPlot,
MaximumBreaks, PrettyBreaks, JenksCaspall) with their fit statistics (TSS, ADCM, GADF) on seeded gamma-distributed values and on the same values with outliers added. Run with the
environment of ../shared/bench/setup.sh:
    $(../shared/bench/setup.sh) tests/reference/mapclassify_classifiers.py > data/reference-cases/mapclassify_classifiers.json
"""
import json

import mapclassify
import numpy as np

rng = np.random.default_rng(42)
base = np.round(rng.gamma(2.0, 1.5, 57), 4)
datasets = {"gamma": base, "outliers": np.concatenate([base, [-9.5, 21.0, 30.25]])}
cases = []
for name, y in datasets.items():
    classifiers = [
        ("percentiles", {}, mapclassify.Percentiles(y)),
        ("percentiles", {"pct": [20, 40, 60, 80, 100]}, mapclassify.Percentiles(y, pct=[20, 40, 60, 80, 100])),
        ("box-plot", {}, mapclassify.BoxPlot(y)),
        ("box-plot", {"hinge": 3.0}, mapclassify.BoxPlot(y, hinge=3.0)),
        ("maximum-breaks", {"k": 3}, mapclassify.MaximumBreaks(y, k=3)),
        ("maximum-breaks", {"k": 5}, mapclassify.MaximumBreaks(y, k=5)),
        ("pretty", {"k": 5}, mapclassify.PrettyBreaks(y, k=5)),
        ("pretty", {"k": 8}, mapclassify.PrettyBreaks(y, k=8)),
        ("jenks-caspall", {"k": 3}, mapclassify.JenksCaspall(y, k=3)),
        ("jenks-caspall", {"k": 5}, mapclassify.JenksCaspall(y, k=5)),
    ]
    for method, params, c in classifiers:
        cases.append({"data": name, "method": method, "params": params, "bins": c.bins.tolist(),
                      "classes": (c.yb + 1).tolist(),
                      "tss": float(c.tss), "adcm": float(c.adcm), "gadf": float(c.gadf)})
# Choosing k: mapclassify.classifiers.gadf, the smallest k whose GADF exceeds pct.
auto = []
for name, y in datasets.items():
    for method, resil_name in (("Quantiles", "quantile"), ("FisherJenks", "jenks"), ("MaximumBreaks", "maximum-breaks")):
        for pct in (0.8, 0.9):
            k, cl, g = mapclassify.classifiers.gadf(y, method=method, maxk=15, pct=pct)
            auto.append({"data": name, "method": resil_name, "gadf_threshold": pct, "k": int(k),
                         "bins": cl.bins.tolist(), "gadf": float(g)})
print(json.dumps({"auto_k": auto, "source": "mapclassify 2.10.0 Percentiles, BoxPlot, MaximumBreaks, PrettyBreaks, JenksCaspall; tests/reference/mapclassify_classifiers.py",
                  "data": {k: v.tolist() for k, v in datasets.items()}, "cases": cases}, indent=1))
