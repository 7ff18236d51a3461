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
