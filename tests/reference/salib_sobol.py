"""Reference values for resil's sensitivity analysis (crates/resil-sensitivity), computed with
SALib 1.6.0 and scipy 1.17.1:
- `scipy_sobol_6d`: the first 16 points of scipy.stats.qmc.Sobol(6, scramble=False);
- `salib_design_3`: SALib.sample.sobol.sample for 3 factors on [0, 1], N = 8,
  calc_second_order=False, scramble=False (rows A_j, AB_1j, AB_2j, AB_3j, B_j);
- `ishigami`: the Ishigami function (a = 7, b = 0.1) on SALib's scrambled design (N = 256,
  seed 42), its outputs `y`, and sobol.analyze's S1, ST and their 95 % intervals (100 resamples,
  seed 1);
- `gamma_ppf`: scipy.stats.gamma.ppf(u, a) at quantiles and shapes the Dirichlet weight draws meet.
Run with the environment of ../shared/bench/setup.sh (plus `pip install SALib==1.6.0`):
    $(../shared/bench/setup.sh) tests/reference/salib_sobol.py > data/reference-cases/salib_sobol.json
"""
import json

import numpy as np
from scipy.stats import gamma, qmc
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample
from SALib.test_functions import Ishigami

plain = qmc.Sobol(6, scramble=False).random(16)

unit3 = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[0, 1]] * 3}
design3 = sobol_sample.sample(unit3, 8, calc_second_order=False, scramble=False)

problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
x = sobol_sample.sample(problem, 256, calc_second_order=False, scramble=True, seed=42)
y = Ishigami.evaluate(x)
si = sobol_analyze.analyze(problem, y, calc_second_order=False, num_resamples=100, conf_level=0.95, seed=1)

gamma_ppf = [
    {"u": u, "a": a, "x": float(gamma.ppf(u, a))}
    for a in [0.05, 0.5, 1.0, 3.4, 8.28, 50.0]
    for u in [1e-6, 0.01, 0.3, 0.5, 0.77, 0.99, 1 - 1e-6]
]

print(json.dumps({
    "source": "SALib 1.6.0 (sobol.sample, sobol.analyze), scipy 1.17.1 (qmc.Sobol); tests/reference/salib_sobol.py",
    "scipy_sobol_6d": plain.tolist(),
    "salib_design_3": design3.tolist(),
    "gamma_ppf": gamma_ppf,
    "ishigami": {
        "n": 256, "a": 7.0, "b": 0.1,
        "y": y.tolist(),
        "S1": si["S1"].tolist(), "S1_conf": si["S1_conf"].tolist(),
        "ST": si["ST"].tolist(), "ST_conf": si["ST_conf"].tolist(),
    },
}, indent=1))
