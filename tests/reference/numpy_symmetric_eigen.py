"""Reference eigen-decompositions and polar factors for resil's PCA linear algebra
(crates/resil-weight/src/symmetric.rs), by numpy 2.4.6 (LAPACK's syevd and gesdd):
  - two 3 x 3 correlation matrices equal to rounding, with eigenvalues 1.1315 and 1.1301 (a
    random panel of resil's chunked property test), where nalgebra's vectors were 8e-9 off;
  - a rank-deficient correlation matrix (4 rows, 6 indicators) and seeded random symmetric
    matrices with a near-double eigenvalue;
  - the orthogonal polar factor U V' of seeded random square matrices.
Run with the environment of ../shared/bench/setup.sh:
    $(../shared/bench/setup.sh) tests/reference/numpy_symmetric_eigen.py > data/reference-cases/numpy_symmetric_eigen.json
"""
import json

import numpy as np

rng = np.random.default_rng(11)
matrices = [
    np.array([[1.0, 0.1303201162014701, 0.13146649659858484], [0.1303201162014701, 1.0, -0.13060605673835307],
              [0.13146649659858484, -0.13060605673835307, 1.0]]),
    np.array([[1.0, 0.13032011620147016, 0.13146649659858484], [0.13032011620147016, 1.0, -0.13060605673835302],
              [0.13146649659858484, -0.13060605673835302, 1.0]]),
    np.corrcoef(np.round(rng.normal(size=(4, 6)), 6), rowvar=False),
]
for n in (4, 7):
    q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    values = np.round(rng.uniform(-3, 3, size=n), 6)
    values[1] = values[0] + 1e-6
    m = q @ np.diag(values) @ q.T
    matrices.append((m + m.T) / 2)


def eigen(m):
    values, vectors = np.linalg.eigh(m)
    # Only the eigenvalues that stand apart are checked with their vectors: a zero eigenvalue of
    # multiplicity 3 has no vector of its own.
    gaps = [min([abs(values[i] - values[j]) for j in range(len(values)) if j != i]) for i in range(len(values))]
    keep = [i for i in range(len(values)) if gaps[i] > 1e-9]
    return {"matrix": m.tolist(), "eigenvalues": values[keep].tolist(),
            "eigenvectors": [vectors[:, i].tolist() for i in keep]}


def polar(m):
    u, _, vt = np.linalg.svd(m)
    return {"matrix": m.tolist(), "factor": (u @ vt).tolist()}


print(json.dumps({
    "source": "numpy 2.4.6 eigh and svd (LAPACK), tests/reference/numpy_symmetric_eigen.py",
    "matrices": [eigen(m) for m in matrices],
    "polar": [polar(rng.normal(size=(n, n))) for n in (2, 3, 5)],
}, indent=1))
