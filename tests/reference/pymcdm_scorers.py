"""Reference scores for resil's `aras`, `mabac`, `mairca`, `waspas`, `moora`, `ram`, `cocoso`,
`codas`, `marcos`, `ocra`, `probid`, `sprobid`, `spotis` and `aroman` (pymcdm 1.4.0 with its
default normalisations and parameters) on raw random matrices with benefit and cost criteria.
Run with the environment of ../shared/bench/setup.sh:
    $(../shared/bench/setup.sh) tests/reference/pymcdm_scorers.py > data/reference-cases/pymcdm_scorers.json
"""
import json

import numpy as np
from pymcdm import methods

cases = []
rng = np.random.default_rng(17)
for k in range(3):
    n, m = 7 + k, 4 + k
    matrix = np.round(rng.uniform(1.0, 100.0, size=(n, m)), 4)
    types = np.array([1 if j % 3 != 1 else -1 for j in range(m)])
    weights = rng.uniform(0.1, 1.0, size=m)
    weights = weights / weights.sum()
    cases.append({
        "matrix": matrix.tolist(), "types": types.tolist(), "weights": weights.tolist(),
        "aras": methods.ARAS()(matrix, weights, types).tolist(),
        "mabac": methods.MABAC()(matrix, weights, types).tolist(),
        "mairca": methods.MAIRCA()(matrix, weights, types).tolist(),
        "waspas": methods.WASPAS()(matrix, weights, types).tolist(),
        "waspas_lambda_0.2": methods.WASPAS(l=0.2)(matrix, weights, types).tolist(),
        "moora": methods.MOORA()(matrix, weights, types).tolist(),
        "ram": methods.RAM()(matrix, weights, types).tolist(),
        "cocoso": methods.COCOSO()(matrix, weights, types).tolist(),
        "cocoso_lambda_0.3": methods.COCOSO(l=0.3)(matrix, weights, types).tolist(),
        "codas": methods.CODAS()(matrix, weights, types).tolist(),
        "marcos": methods.MARCOS()(matrix, weights, types).tolist(),
        "ocra": methods.OCRA()(matrix, weights, types).tolist(),
        "probid": methods.PROBID()(matrix, weights, types).tolist(),
        "sprobid": methods.SPROBID()(matrix, weights, types).tolist(),
        "spotis": methods.SPOTIS(methods.SPOTIS.make_bounds(matrix))(matrix, weights, types).tolist(),
        "aroman": methods.AROMAN()(matrix, weights, types).tolist(),
        "aroman_beta_0.3_lambda_0.7": methods.AROMAN(beta=0.3, lam=0.7)(matrix, weights, types).tolist(),
        # Bounds given as [0, 150] for every criterion.
        "spotis_bounds_0_150": methods.SPOTIS(np.array([[0.0, 150.0]] * m))(matrix, weights, types).tolist(),
    })
print(json.dumps({"source": "pymcdm 1.4.0 ARAS, MABAC, MAIRCA, WASPAS, MOORA, RAM, COCOSO, CODAS, MARCOS, OCRA, PROBID, SPROBID, SPOTIS, AROMAN (defaults; WASPAS l = 0.2, COCOSO l = 0.3, SPOTIS bounds [0, 150], AROMAN beta 0.3 lam 0.7 too); tests/reference/pymcdm_scorers.py", "cases": cases}, indent=1))
