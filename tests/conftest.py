"""Shared test setup: quiet TensorFlow, a non-interactive matplotlib backend.

Progress recorded by correct exercise checks (here and in the notebook kernels
the tests start, which inherit the environment) goes to a throw-away file,
never to the learner's ``~/.actlab/progress.json``.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("MPLBACKEND", "Agg")

_PROGRESS_DIR = tempfile.mkdtemp(prefix="actlab-test-progress-")
os.environ["ACTLAB_PROGRESS_FILE"] = str(Path(_PROGRESS_DIR) / "progress.json")
atexit.register(shutil.rmtree, _PROGRESS_DIR, ignore_errors=True)

# The workshop kit's end-to-end runs (offline install from the wheelhouse, the
# book build) take minutes and need `make wheelhouse` first: `make test-workshop`
# runs them with ACTLAB_WORKSHOP_TESTS=1; `make test` leaves them out.
collect_ignore = [] if os.environ.get("ACTLAB_WORKSHOP_TESTS") == "1" else ["workshop"]


@pytest.fixture(scope="session")
def toy_split() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """A tiny 6-feature, 2-class problem: ``((x_train, y_train), (x_test, y_test))``."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(160, 6)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("int64")
    return (x[:128], y[:128]), (x[128:], y[128:])
