"""Reference values for resil's rank mobility (crates/resil-trend/src/mobility.rs), computed with
giddy 2.3.8 on random data with ties (values rounded to 1 decimal; numpy seeds 1-3): Kendall's
tau-b (rank.Tau) with its p-value and pair counts, the spatial tau over kNN k = 4 neighbour pairs
(rank.SpatialTau, 999 permutations, numpy seed 12345: its pseudo p-value is for a
within-sampling-error check), and theta of a 25-unit, 4-period panel in 3 regimes
(rank.Theta, 999 permutations). Run with the environment of ../shared/bench/setup.sh plus
`pip install giddy==2.3.8`:
    $(../shared/bench/setup.sh) tests/reference/giddy_rank.py > data/reference-cases/giddy_rank.json
"""
import json
import warnings

import libpysal
import numpy as np
from giddy.rank import SpatialTau, Tau, Theta

warnings.filterwarnings("ignore")

cases = []
for seed in [1, 2, 3]:
    rng = np.random.default_rng(seed)
    n = 25
    px, py = rng.uniform(0, 10, n), rng.uniform(0, 10, n)
    x = np.round(rng.normal(5, 1, n), 1)
    y = np.round(x + rng.normal(0, 0.8, n), 1)
    tau = Tau(x, y)
    w = libpysal.weights.KNN.from_array(np.column_stack([px, py]), k=4)
    np.random.seed(12345)
    st = SpatialTau(x, y, w, permutations=999)
    panel = np.column_stack([x, y, y + rng.normal(0, 0.5, n), y + rng.normal(0, 0.7, n)])
    regime = rng.integers(0, 3, n)
    np.random.seed(12345)
    th = Theta(panel, regime, permutations=999)
    cases.append({
        "seed": seed, "px": px.tolist(), "py": py.tolist(),
        "x_values": x.tolist(), "y_values": y.tolist(),
        "tau": float(tau.tau), "tau_p": float(tau.tau_p),
        "concordant": float(tau.concordant), "discordant": float(tau.discordant),
        "extraX": float(tau.extraX), "extraY": float(tau.extraY),
        "tau_spatial": float(st.tau_spatial), "concordant_spatial": int(st.concordant_spatial),
        "discordant_spatial": int(st.discordant_spatial), "tau_spatial_psim": float(st.tau_spatial_psim),
        "panel": panel.T.tolist(), "regime": regime.tolist(),
        "theta": np.ravel(th.theta).tolist(), "theta_p_left": np.ravel(th.pvalue_left).tolist(),
    })
print(json.dumps({"source": "giddy 2.3.8 rank.Tau, rank.SpatialTau, rank.Theta; tests/reference/giddy_rank.py",
                  "cases": cases}, indent=1))
