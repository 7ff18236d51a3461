"""actlab: the support package of the activation-functions course.

Every notebook imports its helpers from here. Importing ``actlab`` is cheap:
TensorFlow / Keras are only imported when a helper that needs them is first
used (public names are resolved lazily through :func:`__getattr__`).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from typing import TYPE_CHECKING, Any

# Quiet, repeatable TensorFlow unless the user chose otherwise. Set before any
# TensorFlow import: notebooks import actlab first, then keras.
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # no C++ start-up notices
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # no oneDNN notice; repeatable sums

__version__ = "0.1.0"

# TensorFlow is not a hard requirement of the package (pyproject.toml says why):
# an environment brings its own, or `pip install "actlab[cpu]"` / `make setup` adds one.
_TENSORFLOW_RANGE = ">=2.16.1,<3"


def _require_tensorflow() -> None:
    """Fail at import, with the fix, when this Python has no TensorFlow (cheap: no import)."""
    if importlib.util.find_spec("tensorflow") is not None:
        return
    import sys

    raise ImportError(
        f"actlab needs TensorFlow ({_TENSORFLOW_RANGE}), and this Python ({sys.executable}) "
        "has none. From the course folder run `make setup` (or `make clean setup`); in "
        f"your own environment run `pip install \"tensorflow{_TENSORFLOW_RANGE}\"` (or "
        "`pip install -e \".[cpu]\"` from the course folder for the CPU-only wheel). "
        "Install one TensorFlow only: tensorflow or tensorflow-cpu, not both. "
        "Then restart the kernel."
    )


_require_tensorflow()

# public name -> module that defines it
_LAZY_ATTRS: dict[str, str] = {
    "seed": "actlab._seed",
    "doctor": "actlab.diagnostics",
    "progress": "actlab._progress",
    "find_activations": "actlab.sites",
    "swap_activations": "actlab.surgery",
    "ActivationSite": "actlab.sites",
    "get_activations": "actlab.probes",
    "gradient_norms": "actlab.probes",
    "dead_units": "actlab.probes",
    "DeadUnitsTracker": "actlab.deadunits",
    "compare_activations": "actlab.comparison",
    "Comparison": "actlab.comparison",
}
_SUBMODULES = (
    "catalog", "data", "plotting", "widgets", "exercises", "models", "custom", "deepnets",
    "comparison", "cost", "deadunits", "zigzag",
)

__all__ = sorted([*_LAZY_ATTRS, *_SUBMODULES, "__version__"])

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    # ruff: noqa: F401 (re-exports resolved lazily by __getattr__)
    from actlab import (
        catalog,
        comparison,
        cost,
        custom,
        data,
        deadunits,
        deepnets,
        exercises,
        models,
        plotting,
        widgets,
        zigzag,
    )
    from actlab._progress import progress
    from actlab._seed import seed
    from actlab.comparison import Comparison, compare_activations
    from actlab.deadunits import DeadUnitsTracker
    from actlab.diagnostics import doctor
    from actlab.probes import dead_units, get_activations, gradient_norms
    from actlab.sites import ActivationSite, find_activations
    from actlab.surgery import swap_activations


def __getattr__(name: str) -> Any:
    """Import public names on first use so that ``import actlab`` stays fast."""
    if name in _SUBMODULES:
        module = importlib.import_module(f"actlab.{name}")
        globals()[name] = module
        return module
    if name in _LAZY_ATTRS:
        value = getattr(importlib.import_module(_LAZY_ATTRS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(
        f"module 'actlab' has no attribute {name!r}. Public names: {', '.join(__all__)}"
    )


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
