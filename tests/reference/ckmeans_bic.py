"""Reference BIC values for resil's `k = "auto"` with `select = "bic"`
(crates/resil-classify/src/auto_k.rs): Ckmeans.1d.dp 4.3.5's `select_levels` (src/select_levels.cpp,
its default estimate.k = "BIC") transcribed to numpy, on the exact k-means (= Jenks) classes found
by a plain O(k n^2) dynamic programme. No R is available here. Cases: three clumped samples and a
sample with repeated values (numpy seeds 31-34); k = 2..8. Run with the environment of
../shared/bench/setup.sh:
    $(../shared/bench/setup.sh) tests/reference/ckmeans_bic.py > data/reference-cases/ckmeans_bic.json
"""
import json
import math

import numpy as np


def kmeans_1d(x, k):
    """Exact minimal within-class sum of squares of sorted x into k classes: class sizes."""
    n = len(x)
    s1, s2 = np.concatenate([[0], np.cumsum(x)]), np.concatenate([[0], np.cumsum(x * x)])
    cost = lambda i, j: s2[j + 1] - s2[i] - (s1[j + 1] - s1[i]) ** 2 / (j - i + 1)
    d = np.full((k, n), np.inf)
    back = np.zeros((k, n), dtype=int)
    for j in range(n):
        d[0, j] = cost(0, j)
    for c in range(1, k):
        for j in range(c, n):
            for i in range(c, j + 1):
                v = d[c - 1, i - 1] + cost(i, j)
                if v < d[c, j]:
                    d[c, j], back[c, j] = v, i
    sizes, j = [], n - 1
    for c in range(k - 1, -1, -1):
        i = back[c, j] if c > 0 else 0
        sizes.append(j - i + 1)
        j = i - 1
    return sizes[::-1]


def select_levels_bic(x, sizes):
    n = len(x)
    left, comps = 0, []
    for size in sizes:
        right = left + size - 1
        seg = x[left:right + 1]
        mu = seg.mean()
        var = seg.var(ddof=1) if size > 1 else 0.0
        if var == 0 or size == 1:
            if left > 0 and right < n - 1:
                dmin = min(x[left] - x[left - 1], x[right + 1] - x[right])
            elif left > 0:
                dmin = x[left] - x[left - 1]
            else:
                dmin = x[right + 1] - x[right]
            if var == 0:
                var = dmin * dmin / 4.0 / 9.0
            if size == 1:
                var = dmin * dmin
        comps.append((size / n / math.sqrt(2 * math.pi * var), mu, var))
        left = right + 1
    ll = sum(math.log(sum(c * math.exp(-(xi - mu) ** 2 / (2 * v)) for c, mu, v in comps)) for xi in x)
    return 2 * ll - (3 * len(sizes) - 1) * math.log(n)


cases = []
for seed, centres in [(31, [0, 5, 12]), (32, [0, 3, 6, 9]), (33, [0, 10]), (34, None)]:
    rng = np.random.default_rng(seed)
    if centres is None:
        x = np.round(rng.gamma(2.0, 1.5, 40), 1)  # many repeated values
    else:
        x = np.concatenate([rng.normal(c, 0.8, 15) for c in centres])
    x = np.sort(x)
    bic = [select_levels_bic(x, kmeans_1d(x, k)) for k in range(2, 9)]
    cases.append({"seed": seed, "x": x.tolist(), "bic": bic, "k": 2 + int(np.argmax(bic))})
print(json.dumps({"source": "numpy transcription of Ckmeans.1d.dp 4.3.5 select_levels on exact 1-D k-means; "
                  "tests/reference/ckmeans_bic.py", "cases": cases}, indent=1))
