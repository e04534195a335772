"""Reference weights for resil's `pca` weighting: the OECD/JRC Handbook (2008, section 6.1;
Nicoletti et al. 2000) by numpy 2.4.6, written independently of resil:
  1. the correlation matrix of the indicators (population standardisation);
  2. its eigen-decomposition; the factors with eigenvalue > 1 are kept;
  3. loadings = eigenvectors * sqrt(eigenvalues), rotated by varimax (Kaiser normalisation,
     Kaiser 1958, the iteration of R's stats::varimax, run until the rotation stops changing:
     R's default stop, a criterion gain under eps = 1e-5, leaves the rotation off by about
     sqrt(eps));
  4. squared loadings scaled to unity within each factor; each indicator is assigned to the
     factor on which its scaled squared loading is largest;
  5. each factor weighs by its share of the variance the kept factors explain after rotation;
     an indicator's weight = factor weight x its scaled squared loading, normalised to sum 1.
Run with the environment of ../shared/bench/setup.sh:
    $(../shared/bench/setup.sh) tests/reference/numpy_pca_weights.py > data/reference-cases/numpy_pca_weights.json
"""
import json

import numpy as np

rng = np.random.default_rng(3)
n = 40
f1 = rng.normal(size=n)
f2 = rng.normal(size=n)
cols = [
    f1 + 0.3 * rng.normal(size=n),
    f1 + 0.5 * rng.normal(size=n),
    0.8 * f1 + 0.6 * rng.normal(size=n),
    f2 + 0.4 * rng.normal(size=n),
    f2 + 0.3 * rng.normal(size=n),
    0.5 * f2 + 0.5 * f1 + 0.7 * rng.normal(size=n),
]
X = np.round(np.column_stack(cols), 6)


def varimax(loadings, max_iter=5000):
    # R stats::varimax with normalize = TRUE, iterated to its fixed point.
    p, k = loadings.shape
    sc = np.sqrt((loadings ** 2).sum(axis=1))
    x = loadings / sc[:, None]
    rot = np.eye(k)
    for _ in range(max_iter):
        z = x @ rot
        b = x.T @ (z ** 3 - z @ np.diag((z ** 2).sum(axis=0)) / p)
        u, s, vt = np.linalg.svd(b)
        new = u @ vt
        step = np.abs(new - rot).max()
        rot = new
        if step < 1e-14:
            break
    return (x @ rot) * sc[:, None]


R = np.corrcoef(X, rowvar=False)
vals, vecs = np.linalg.eigh(R)
order = np.argsort(vals)[::-1]
vals, vecs = vals[order], vecs[:, order]
keep = vals > 1.0
loadings = vecs[:, keep] * np.sqrt(vals[keep])
rotated = varimax(loadings)
sq = rotated ** 2
explained = sq.sum(axis=0)
scaled = sq / explained
factor_of = scaled.argmax(axis=1)
factor_weight = explained / explained.sum()
w = np.array([factor_weight[factor_of[i]] * scaled[i, factor_of[i]] for i in range(X.shape[1])])
w = w / w.sum()
print(json.dumps({
    "source": "numpy 2.4.6, the OECD/JRC Handbook's PCA weights written independently (tests/reference/numpy_pca_weights.py)",
    "matrix": X.tolist(),
    "eigenvalues": vals.tolist(),
    "factors_kept": int(keep.sum()),
    "weights": w.tolist(),
}, indent=1))
