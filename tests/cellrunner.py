"""Run a notebook's code cells in-process, with one cell mutated, for claim tests.

Used by ``tests/test_claims_nb*.py``: a check cell must pass as committed and fail,
on the assert that backs a claim, when a scratch change to one cell breaks that claim.
"""

from __future__ import annotations

import re
import traceback
from pathlib import Path

import nbformat
import pytest
from matplotlib import pyplot as plt


class CellRunner:
    """The code cells of one notebook, run by id in one namespace."""

    def __init__(self, notebook: Path) -> None:
        self.notebook = notebook

    def sources(self) -> dict[str, str]:
        """Code cell id -> source."""
        nb = nbformat.read(self.notebook, as_version=4)
        return {c.id: c.source for c in nb.cells if c.cell_type == "code"}

    def run(self, ids, *, seed=42, mutate=None, executed=None):
        """Execute the code cells ``ids`` in order in one namespace, at ``SEED = seed``.

        ``mutate`` is ``(cell id, old text, new text)``: a scratch change that breaks one
        claim. ``executed`` (a dict) receives the code each cell ran, by id.
        """
        sources, namespace = self.sources(), {}
        executed = {} if executed is None else executed
        try:
            for cid in ids:
                code = sources[cid]
                if cid == ids[0]:
                    code = re.sub(r"^SEED = \d+", f"SEED = {seed}", code, count=1,
                                  flags=re.MULTILINE)
                if mutate is not None and mutate[0] == cid:
                    assert mutate[1] in code, f"mutation target not found in {cid}: {mutate[1]!r}"
                    code = code.replace(mutate[1], mutate[2])
                executed[cid] = code
                exec(compile(code, cid, "exec"), namespace)  # noqa: S102 - the notebook's cells
        finally:
            plt.close("all")
        return namespace

    def fails_at(self, ids, mutate, check_id, snippet, errors=(AssertionError,)):
        """Running ``ids`` with ``mutate`` fails in ``check_id``, on the line with ``snippet``."""
        executed = {}
        with pytest.raises(errors) as info:
            self.run(ids, mutate=mutate, executed=executed)
        frames = [f for f in traceback.extract_tb(info.tb) if f.filename == check_id]
        assert frames, f"failed elsewhere: {info.value!r}"
        line = executed[check_id].splitlines()[frames[-1].lineno - 1]
        assert snippet in line, f"failed at {line!r}, not at {snippet!r}"
