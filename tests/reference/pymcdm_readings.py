"""Reference values for the readings resil offers where tools differ (pymcdm 1.4.0):
CRITIC with cost columns scaled as they are (`cost = "as-is"`), and the weighted sum and product
after sum normalisation with the reciprocal for cost columns (`cost = "reciprocal"`).
Run with the environment of ../shared/bench/setup.sh:
    $(../shared/bench/setup.sh) tests/reference/pymcdm_readings.py > data/reference-cases/pymcdm_readings.json
"""
import json

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
weights = np.array([0.4, 0.3, 0.2, 0.1])
critic = pymcdm_weights.critic_weights(matrix)
wsm = methods.WSM(normalization_function=normalizations.sum_normalization)(matrix, weights, types)
wpm = methods.WPM(normalization_function=normalizations.sum_normalization)(matrix, weights, types)
print(json.dumps({
    "source": "pymcdm 1.4.0: critic_weights (columns min-max scaled as they are), WSM and WPM with sum_normalization (cost columns: (1/x)/sum(1/x)); tests/reference/pymcdm_readings.py",
    "matrix": matrix.tolist(), "types": types.tolist(), "weights": weights.tolist(),
    "critic_as_is": critic.tolist(), "wsm_sum_reciprocal": wsm.tolist(), "wpm_sum_reciprocal": wpm.tolist(),
}, indent=1))
