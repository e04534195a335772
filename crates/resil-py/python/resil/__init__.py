"""resil from Python: composite indices from panels of indicators.

    import resil
    result = resil.run("configs/border-cities.toml")
    result.scores            # a pandas DataFrame: score, rank, grade per unit and period
    s = resil.score(matrix, polarity="++-", method="topsis")
    c = resil.classify(values, method="jenks", k=5)

Every function runs the same Rust code as the `resil` command line, so results equal the CLI's
to the last bit; errors raise `resil.ResilError` (a ValueError) with the CLI's message.
"""
from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np

from ._resil import ResilError, __version__
from ._resil import classify as _classify
from ._resil import methods_json as _methods_json
from ._resil import run as _run
from ._resil import score as _score

__all__ = ["ResilError", "Result", "ScoreResult", "ClassifyResult", "run", "score", "classify", "methods", "__version__"]

_TABLES = ("scores", "weights", "levels", "intermediates", "diagnostics", "regions", "indicators", "correlations",
           "imputed", "capped", "treated", "published")


def _frame(data: bytes, backend: str):
    if backend == "polars":
        import polars as pl

        return pl.read_csv(io.BytesIO(data), infer_schema_length=None)
    if backend != "pandas":
        raise ResilError(f"backend `{backend}`: known are pandas, polars")
    import pandas as pd

    return pd.read_csv(io.BytesIO(data), dtype={"unit": str, "indicator": str}, **_EXACT)


def _exact_floats() -> Dict[str, str]:
    """pandas' reader options that read floats back to the bit resil wrote (shortest round-trip
    form): `round_trip` before pandas 3, whose default is exact (and which deprecates the option)."""
    try:
        import pandas as pd
    except ImportError:
        return {}
    return {"float_precision": "round_trip"} if int(pd.__version__.split(".")[0]) < 3 else {}


_EXACT = _exact_floats()


class Result:
    """A finished run: every output file in memory.

    Tables (DataFrames): ``scores``, ``weights``, ``levels``, ``intermediates``, ``diagnostics``,
    ``regions``, ``indicators``, ``correlations``, ``imputed``, ``capped``, ``treated``,
    ``published`` (when the config has ``[published]``), and ``analyses`` (a dict of each
    ``[[analysis]]`` table by file stem). ``breaks`` and ``manifest`` are dicts; ``files`` holds
    every file as bytes, by name.
    """

    def __init__(self, files: Dict[str, bytes], backend: str = "pandas"):
        self.files = files
        self.backend = backend
        self._cache: Dict[str, Any] = {}

    def table(self, name: str):
        """The table `name` (a CSV file of the run, without `.csv`) as a DataFrame."""
        key = f"{name}.csv"
        if key not in self.files:
            known = ", ".join(sorted(f[:-4] for f in self.files if f.endswith(".csv")))
            raise ResilError(f"the run wrote no table `{name}` (tables: {known})")
        if name not in self._cache:
            self._cache[name] = _frame(self.files[key], self.backend)
        return self._cache[name]

    def __getattr__(self, name: str):
        if name in _TABLES:
            return self.table(name)
        raise AttributeError(name)

    @property
    def analyses(self) -> Dict[str, Any]:
        own = {f"{t}.csv" for t in _TABLES}
        return {f[:-4]: self.table(f[:-4]) for f in sorted(self.files) if f.endswith(".csv") and f not in own}

    @property
    def breaks(self) -> Dict[str, Any]:
        return json.loads(self.files["breaks.json"])

    @property
    def manifest(self) -> Dict[str, Any]:
        return json.loads(self.files["manifest.json"])

    def __repr__(self) -> str:
        study = self.manifest.get("study", {}).get("name", "")
        return f"<resil.Result {study!r}: {len(self.files)} files>"


def run(config, out=None, *, pipeline: Optional[Dict[str, Any]] = None, strict: bool = False,
        plugin_dirs: Sequence[str] = (), backend: str = "pandas") -> Result:
    """Runs the study of `config` (a TOML file) and returns its outputs in memory.

    With `out`, they are also written there, atomically, as `resil run CONFIG --out OUT` writes
    them. `pipeline`: a partial [pipeline] merged over the config's, as a [[compare.variant]]
    (``{"weight": {"method": "critic"}}`` swaps the weighting). `backend` is "pandas" or
    "polars" (when installed).
    """
    files = _run(str(config), None if out is None else str(out), strict, [str(d) for d in plugin_dirs], pipeline)
    return Result(dict(files), backend)


@dataclass
class ScoreResult:
    """What `resil score` prints: weights (column order), scores and ranks (row order, 1 = best),
    the direction of the scores, the method's extras (TOPSIS d_plus and d_minus, VIKOR S, R, Q),
    the notes, and all of it as a DataFrame (`table`)."""

    weights: np.ndarray
    scores: np.ndarray
    ranks: np.ndarray
    direction: str
    extras: Dict[str, np.ndarray]
    notes: List[str]
    criteria: List[str]
    alternatives: List[Any]
    table: Any = field(repr=False, default=None)


def _polarity(polarity, m: int) -> List[str]:
    if polarity is None:
        return ["+"] * m
    if isinstance(polarity, str) and all(c in "+-" for c in polarity) and len(polarity) == m:
        return list(polarity)
    if isinstance(polarity, str):
        return [p.strip() for p in polarity.split(",")]
    return [str(p) for p in polarity]


def score(matrix, polarity=None, normalize: str = "minmax", weight: Optional[str] = None, method: str = "topsis",
          weights: Optional[Sequence[float]] = None, **params) -> ScoreResult:
    """Normalises, weighs, scores and ranks a decision matrix (rows = alternatives), as
    `resil score`.

    `matrix`: a 2-D float array or a DataFrame (its columns name the criteria, its index the
    alternatives). `polarity`: "+-+" or a list of "+"/"-" (default all benefit). `weights`:
    fixed weights in column order (instead of `weight`, which is "entropy" unless given).
    `**params`: method parameters,
    `anti_ideal` for `anti-ideal`, `weight__tolerance` to name the stage.
    """
    criteria = None
    alternatives = None
    if hasattr(matrix, "columns") and hasattr(matrix, "to_numpy"):
        criteria = [str(c) for c in matrix.columns]
        alternatives = list(matrix.index)
        matrix = matrix.to_numpy(dtype=np.float64)
    arr = np.ascontiguousarray(np.asarray(matrix, dtype=np.float64))
    if arr.ndim != 2:
        raise ResilError(f"matrix: need 2 dimensions (alternatives x criteria), got {arr.ndim}")
    m = arr.shape[1]
    criteria = criteria or [f"C{j + 1}" for j in range(m)]
    alternatives = alternatives if alternatives is not None else list(range(arr.shape[0]))
    first_row = {}
    for row, alternative in enumerate(alternatives):
        if alternative in first_row:
            raise ResilError(f"matrix: alternative `{alternative}` is on rows {first_row[alternative]} and {row} of the "
                             "index; every alternative needs an id of its own")
        first_row[alternative] = row
    if weights is not None and weight not in (None, "fixed"):
        raise ResilError(f"weights: fixed weights replace the weighting method, but weight=\"{weight}\" asks for "
                         "another; give one")
    weight = weight or ("fixed" if weights is not None else "entropy")
    weights_list = None if weights is None else [float(w) for w in weights]
    out = _score(arr, _polarity(polarity, m), criteria, normalize, weight, method, weights_list, params or None)
    result = ScoreResult(out["weights"], out["scores"], out["ranks"], out["direction"], dict(out["extras"]),
                         list(out["notes"]), criteria, alternatives)
    try:
        import pandas as pd

        cols = {"score": result.scores, "rank": result.ranks}
        cols.update(result.extras)
        result.table = pd.DataFrame(cols, index=alternatives)
    except ImportError:
        result.table = None
    return result


@dataclass
class ClassifyResult:
    """What `resil classify` prints: each class's upper bound (`breaks`), the fit statistics, the
    1-based class of each value, the cut rule and the notes."""

    breaks: np.ndarray
    classes: np.ndarray
    gvf: float
    tss: float
    adcm: float
    gadf: float
    cut_rule: str
    notes: List[str]


def classify(values, method: str = "jenks", k: Optional[Union[int, str]] = None, **params) -> ClassifyResult:
    """Classifies a column of values (a 1-D array or a Series), as `resil classify`.

    `k`: the number of classes (or "auto") for the methods that take one.
    """
    arr = np.ascontiguousarray(np.asarray(values, dtype=np.float64))
    if arr.ndim != 1:
        raise ResilError(f"values: need 1 dimension, got {arr.ndim}")
    if k is not None:
        params["k"] = k
    out = _classify(arr, method, params or None)
    return ClassifyResult(out["breaks"], out["classes"], out["gvf"], out["tss"], out["adcm"], out["gadf"],
                          out["cut_rule"], list(out["notes"]))


def methods(stage: Optional[str] = None) -> List[Dict[str, Any]]:
    """Every method (of one `stage`) with its doc, parameters and defaults, as `resil methods`."""
    catalog = json.loads(_methods_json())
    if stage is None:
        return catalog
    chosen = [m for m in catalog if m["stage"] == stage]
    if not chosen:
        stages = sorted({m["stage"] for m in catalog})
        raise ResilError(f"unknown stage `{stage}` (known: {', '.join(stages)})")
    return chosen
