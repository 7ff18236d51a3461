"""How long each course notebook takes to run top to bottom, as ``make test`` runs it.

Each ``notebooks/*.ipynb`` is executed with nbclient in a fresh kernel started
from this interpreter (like ``nbval --nbval-current-env``), working directory
``notebooks/``, 600 s per cell. The figure is the wall time from starting the
kernel to the last cell's reply. Notebooks take up to a minute, so by default
each is run once; ``--repeat N`` (or ``ACTLAB_BENCH_REPEAT=N``) runs each N
times and reports the median. Targets (DESIGN.md section 6): <= 45 s per
notebook and <= 5 min for the whole course on 2 CPU cores.

Run alone: ``.venv/bin/python bench/bench_notebooks.py [--repeat N] [NOTEBOOK ...]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
PER_NOTEBOOK_S = 45.0
TOTAL_S = 5 * 60.0
CELL_TIMEOUT_S = 600
# The kernel runs this interpreter (as nbval's --nbval-current-env does), not
# whatever "python3" kernelspec a user folder may hold.
CURRENT_ENV_KERNEL = ":actlab-bench-current-env"


@dataclass
class NotebookRun:
    """One execution of one notebook."""

    seconds: float
    kernel_start_s: float = 0.0
    slowest_cell: tuple[int, float] | None = None  # (cell index, seconds)
    error: str | None = None
    cell_seconds: dict[int, float] = field(default_factory=dict)


def find_notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    """The course notebooks in order (``NN_name.ipynb``; checkpoints excluded)."""
    return sorted(p for p in folder.glob("*.ipynb") if p.is_file())


def _kernel_manager() -> Any:
    """A kernel manager whose kernel is ipykernel on this interpreter."""
    import ipykernel.kernelspec
    from jupyter_client import KernelManager
    from jupyter_client.kernelspec import KernelSpecManager

    class CurrentEnvSpecs(KernelSpecManager):
        def get_kernel_spec(self, kernel_name: str) -> Any:
            if kernel_name == CURRENT_ENV_KERNEL:
                return self.kernel_spec_class(
                    resource_dir=ipykernel.kernelspec.RESOURCES,
                    **ipykernel.kernelspec.get_kernel_dict(),
                )
            return super().get_kernel_spec(kernel_name)

    return KernelManager(kernel_name=CURRENT_ENV_KERNEL, kernel_spec_manager=CurrentEnvSpecs())


def execute(path: Path) -> NotebookRun:
    """Run one notebook in a fresh kernel and time it.

    Returns:
        The timing; ``error`` is set (and the time is partial) when a cell raised
        or timed out.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    nb = nbformat.read(path, as_version=4)
    km = _kernel_manager()
    marks: dict[str, float] = {}
    cell_start: dict[int, float] = {}
    cell_seconds: dict[int, float] = {}

    def on_notebook_start(**_: Any) -> None:
        marks["kernel_ready"] = time.perf_counter()

    def on_cell_start(cell_index: int, **_: Any) -> None:
        cell_start[cell_index] = time.perf_counter()

    def on_cell_executed(cell_index: int, **_: Any) -> None:
        cell_seconds[cell_index] = time.perf_counter() - cell_start[cell_index]

    client = NotebookClient(
        nb,
        km=km,
        timeout=CELL_TIMEOUT_S,
        resources={"metadata": {"path": str(path.parent)}},
        on_notebook_start=on_notebook_start,
        on_cell_start=on_cell_start,
        on_cell_executed=on_cell_executed,
    )
    error = None
    start = time.perf_counter()
    try:
        # Kernel's own stderr (start-up notices) to /dev/null, as nbval does;
        # what cells print to stderr still reaches the notebook's outputs.
        client.execute(stderr=subprocess.DEVNULL)
    except CellExecutionError as exc:
        failing = max(cell_start, default=None)
        error = f"cell #{failing} raised {exc.ename}: {exc.evalue}".strip()
    except (CellTimeoutError, DeadKernelError, RuntimeError, TimeoutError) as exc:
        error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc) else ''}"
    finally:
        seconds = time.perf_counter() - start
        if km.has_kernel:
            km.shutdown_kernel(now=True)
    slowest = max(cell_seconds.items(), key=lambda kv: kv[1]) if cell_seconds else None
    return NotebookRun(
        seconds=seconds,
        kernel_start_s=marks.get("kernel_ready", start) - start,
        slowest_cell=slowest,
        error=error,
        cell_seconds=cell_seconds,
    )


def notebook_row(name: str, runs: Sequence[NotebookRun], *, cores: int | None) -> dict[str, Any]:
    """The row for one notebook: median of its runs against the 45 s target."""
    failed = [r for r in runs if r.error]
    if failed:
        return {
            "name": f"notebook {name}",
            "value": float("nan"),
            "unit": "s",
            "target": f"<= {PER_NOTEBOOK_S:.0f} s",
            "ok": False,
            "detail": f"FAILED after {failed[0].seconds:.1f} s: {failed[0].error}"[:300],
        }
    seconds = [r.seconds for r in runs]
    med = statistics.median(seconds)
    typical = min(runs, key=lambda r: abs(r.seconds - med))
    how = (
        "1 run (no warm-up; a notebook takes up to a minute)"
        if len(runs) == 1
        else (f"median of {len(runs)} runs ({', '.join(f'{s:.1f}' for s in seconds)} s)")
    )
    parts = [how, f"fresh kernel, of which kernel start {typical.kernel_start_s:.1f} s"]
    if typical.slowest_cell:
        index, cell_s = typical.slowest_cell
        parts.append(f"slowest cell #{index} {cell_s:.1f} s")
    if cores is not None and cores != 2:
        parts.append(f"target is for 2 cores, measured on {cores}")
    return {
        "name": f"notebook {name}",
        "value": med,
        "unit": "s",
        "target": f"<= {PER_NOTEBOOK_S:.0f} s",
        "ok": med <= PER_NOTEBOOK_S,
        "detail": "; ".join(parts),
    }


def total_row(rows: Sequence[dict[str, Any]], expected: int) -> dict[str, Any]:
    """The whole course: the sum of the notebook medians against 5 min."""
    done = [r for r in rows if r["value"] == r["value"]]  # NaN marks a failed notebook
    total = sum(r["value"] for r in done)
    failed = expected - len(done)
    detail = f"sum over {len(done)} notebook(s), run one after the other"
    if failed:
        detail += f"; {failed} failed and are not counted (the course total is incomplete)"
    return {
        "name": "notebooks: whole course",
        "value": total,
        "unit": "s",
        "target": f"<= {TOTAL_S:.0f} s (5 min)",
        "ok": total <= TOTAL_S and not failed,
        "detail": detail,
    }


def run(repeat: int | None = None, notebooks: Sequence[Path] | None = None) -> list[dict[str, Any]]:
    """The notebook figures (bench plugin entry point).

    Args:
        repeat: Runs per notebook (default: ``ACTLAB_BENCH_REPEAT`` or 1).
        notebooks: Notebooks to time (default: every ``notebooks/*.ipynb``).
    """
    repeat = repeat or int(os.environ.get("ACTLAB_BENCH_REPEAT", "1"))
    paths = list(notebooks) if notebooks is not None else find_notebooks()
    if not paths:
        return [
            {
                "name": "notebooks: whole course",
                "value": 0.0,
                "unit": "s",
                "target": f"<= {TOTAL_S:.0f} s (5 min)",
                "ok": None,
                "detail": f"no notebooks found in {NOTEBOOKS}",
            }
        ]
    cores = os.cpu_count()
    rows = []
    for path in paths:
        runs = []
        for i in range(repeat):
            result = execute(path)
            runs.append(result)
            state = f"FAILED ({result.error})" if result.error else "ok"
            print(f"{path.name} run {i + 1}/{repeat}: {result.seconds:.1f} s {state}", flush=True)
            if result.error:
                break
        rows.append(notebook_row(path.stem, runs, cores=cores))
    rows.append(total_row(rows, len(paths)))
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    """Time the notebooks and print the rows as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per notebook (median)")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error(f"--repeat must be at least 1; received {args.repeat}.")
    rows = run(args.repeat, [p.resolve() for p in args.notebooks] or None)
    print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    sys.exit(main())
