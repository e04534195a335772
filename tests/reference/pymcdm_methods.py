"""Reference scores for resil's EDAS and TOPSIS distance variants (pymcdm 1.4.0) and for the
std-mean and head/tail classes (mapclassify 2.10.0). Run with the environment of
../shared/bench/setup.sh:
    $(../shared/bench/setup.sh) tests/reference/pymcdm_methods.py > data/reference-cases/pymcdm_methods.json
"""
import json

import mapclassify
import numpy as np
from pymcdm import methods, normalizations
from pymcdm import weights as pymcdm_weights

matrix = np.array([
    [250.0, 16.0, 12.0, 5.0],
    [200.0, 16.0, 8.0, 3.0],
    [300.0, 32.0, 16.0, 4.0],
    [275.0, 32.0, 8.0, 4.0],
    [225.0, 16.0, 16.0, 2.0],
])
types = np.array([-1, 1, 1, 1])
weights = np.array([0.25, 0.25, 0.25, 0.25])
edas = methods.EDAS()(matrix, weights, types)
# TOPSIS on min-max normalised values with pymcdm's own normalisation (cost columns reversed).
topsis = methods.TOPSIS(normalization_function=normalizations.minmax_normalization)(matrix, weights, types)
wsm = methods.WSM(normalization_function=normalizations.minmax_normalization)(matrix, weights, types)
# Benefit-only matrix for the direction-keeping normalisations: WPM on sum-normalised values,
# standard-deviation weights and equal weights.
benefit = matrix[:, 1:]
btypes = np.array([1, 1, 1])
bweights = np.array([0.5, 0.3, 0.2])
wpm = methods.WPM(normalization_function=normalizations.sum_normalization)(benefit, bweights, btypes)
std_w = pymcdm_weights.standard_deviation_weights(benefit)

rng = np.random.default_rng(7)
values = np.round(rng.lognormal(0.0, 1.0, 60), 4)
sm = mapclassify.StdMean(values)
ht = mapclassify.HeadTailBreaks(values)
print(json.dumps({
    "source": "pymcdm 1.4.0 (EDAS; TOPSIS and WSM with minmax_normalization; WPM with sum_normalization and standard_deviation_weights on the benefit columns), mapclassify 2.10.0 (StdMean, HeadTailBreaks); tests/reference/pymcdm_methods.py",
    "matrix": matrix.tolist(), "types": types.tolist(), "weights": weights.tolist(),
    "edas": edas.tolist(), "topsis_minmax": topsis.tolist(), "wsm_minmax": wsm.tolist(),
    "benefit_weights": bweights.tolist(), "wpm_sum": wpm.tolist(), "std_weights_benefit": std_w.tolist(),
    "values": values.tolist(),
    "std_mean_bins": sm.bins.tolist(), "std_mean_classes": (sm.yb + 1).tolist(),
    "head_tail_bins": ht.bins.tolist(), "head_tail_classes": (ht.yb + 1).tolist(),
}, indent=1))
