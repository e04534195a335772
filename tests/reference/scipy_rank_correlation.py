"""Reference rank correlations for resil's compare, computed with scipy 1.17.1 (spearmanr,
kendalltau with its default tau-b). Run with the environment of ../shared/bench/setup.sh:
    $(../shared/bench/setup.sh) tests/reference/scipy_rank_correlation.py > data/reference-cases/scipy_rank_correlation.json
"""
import json

from scipy import stats

x = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8]
y = [2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4, 5]
print(json.dumps({
    "source": "scipy 1.17.1 spearmanr / kendalltau (tau-b); tests/reference/scipy_rank_correlation.py",
    "x": x, "y": y,
    "spearman": stats.spearmanr(x, y).statistic,
    "kendall_tau_b": stats.kendalltau(x, y).statistic,
}, indent=1))
