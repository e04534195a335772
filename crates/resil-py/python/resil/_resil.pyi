"""Type stubs of the extension module resil._resil (the Rust side of the `resil` package)."""
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import numpy.typing as npt

__version__: str

class ResilError(ValueError):
    """A resil error, with the message the command line prints."""

def run(
    config: str,
    out: Optional[str] = ...,
    strict: bool = ...,
    plugin_dirs: Sequence[str] = ...,
    pipeline: Optional[Dict[str, Any]] = ...,
) -> Dict[str, bytes]:
    """Runs the study of `config` (with `pipeline` merged over its [pipeline]); every output file
    as {name: bytes}; written to `out` when given."""

def score(
    matrix: npt.NDArray[np.float64],
    polarity: List[str],
    criteria: List[str],
    normalize: str,
    weight: str,
    method: str,
    weights: Optional[List[float]] = ...,
    params: Optional[Dict[str, Any]] = ...,
) -> Dict[str, Any]:
    """Normalises, weighs, scores and ranks `matrix` as `resil score`."""

def classify(values: npt.NDArray[np.float64], method: str, params: Optional[Dict[str, Any]] = ...) -> Dict[str, Any]:
    """Classifies `values` as `resil classify`."""

def methods_json() -> str:
    """The method catalogue as JSON, as `resil methods --json`."""
