"""Reference values for resil's Markov steady state and mean first passage times
(crates/resil-trend/src/ergodic.rs), computed with giddy 2.3.8 (giddy.ergodic.steady_state and
mfpt): an ergodic 5-grade transition matrix, and a reducible 4-grade one with one recurrent class
(its mean first passage times are not finite: left out). Run with the environment of
../shared/bench/setup.sh plus `pip install giddy==2.3.8`:
    $(../shared/bench/setup.sh) tests/reference/giddy_ergodic.py > data/reference-cases/giddy_ergodic.json
"""
import json

import numpy as np
from giddy.ergodic import mfpt, steady_state

ergodic = np.array([
    [0.60, 0.25, 0.10, 0.05, 0.00],
    [0.20, 0.50, 0.20, 0.05, 0.05],
    [0.05, 0.20, 0.50, 0.20, 0.05],
    [0.00, 0.10, 0.25, 0.50, 0.15],
    [0.00, 0.05, 0.10, 0.25, 0.60],
])
reducible = np.array([
    [0.5, 0.5, 0.0, 0.0],
    [0.2, 0.6, 0.1, 0.1],
    [0.0, 0.0, 0.3, 0.7],
    [0.0, 0.0, 0.6, 0.4],
])
cases = [
    {"name": "ergodic", "p": ergodic.tolist(), "steady_state": steady_state(ergodic).tolist(),
     "mfpt": mfpt(ergodic).tolist()},
    # giddy returns one row per recurrent class for a reducible chain: one here.
    {"name": "one recurrent class", "p": reducible.tolist(),
     "steady_state": np.asarray(steady_state(reducible)).ravel().tolist()},
]
print(json.dumps({"source": "giddy 2.3.8 ergodic.steady_state, ergodic.mfpt; tests/reference/giddy_ergodic.py",
                  "cases": cases}, indent=1))
