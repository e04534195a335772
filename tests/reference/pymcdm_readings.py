"""Reference values for the readings resil offers where tools differ (pymcdm 1.4.0):
CRITIC with cost columns scaled as they are (`cost = "as-is"`), and the weighted sum and product
after sum normalisation with the reciprocal for cost columns (`cost = "reciprocal"`); and CRITIC
with Spearman's correlation (`correlation = "spearman"`, cost columns flipped), computed here
from its definition with scipy 1.17.1 `spearmanr`.
Run with the environment of ../shared/bench/setup.sh:
    $(../shared/bench/setup.sh) tests/reference/pymcdm_readings.py > data/reference-cases/pymcdm_readings.json
"""
import json

import numpy as np
from scipy import stats
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
weights = np.array([0.4, 0.3, 0.2, 0.1])
critic = pymcdm_weights.critic_weights(matrix)
wsm = methods.WSM(normalization_function=normalizations.sum_normalization)(matrix, weights, types)
wpm = methods.WPM(normalization_function=normalizations.sum_normalization)(matrix, weights, types)
# CRITIC (Diakoulaki et al. 1995) with Spearman's rho: columns scaled worst -> 0, best -> 1.
scaled = np.column_stack([
    (matrix[:, j] - matrix[:, j].min()) / np.ptp(matrix[:, j]) if types[j] > 0
    else (matrix[:, j].max() - matrix[:, j]) / np.ptp(matrix[:, j])
    for j in range(matrix.shape[1])
])
rho = stats.spearmanr(scaled).statistic
info = scaled.std(axis=0) * (1 - rho).sum(axis=0)
critic_spearman = info / info.sum()
print(json.dumps({
    "source": "pymcdm 1.4.0: critic_weights (columns min-max scaled as they are), WSM and WPM with sum_normalization (cost columns: (1/x)/sum(1/x)); tests/reference/pymcdm_readings.py",
    "matrix": matrix.tolist(), "types": types.tolist(), "weights": weights.tolist(),
    "critic_as_is": critic.tolist(), "critic_spearman": critic_spearman.tolist(), "wsm_sum_reciprocal": wsm.tolist(), "wpm_sum_reciprocal": wpm.tolist(),
}, indent=1))
