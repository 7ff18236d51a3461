"""Describe the machine and software the figures were measured on, and its load.

Not pyperf: its metadata (``python -m pyperf metadata``) knows nothing of
TensorFlow, Keras or GPUs, which are what the figures depend on, and its
statistics would replace three lines of :mod:`statistics` (median, p90) at the
cost of a new dependency. The plugins keep their own timing loops.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from bench.runner import ROOT, Row

_MACHINE = r"""
import json, os, platform, sys
info = {
    "python": platform.python_version(),
    "platform": platform.platform(),
    "cpu_count": os.cpu_count(),
    "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
}
try:
    with open("/proc/cpuinfo", encoding="utf-8") as handle:
        names = [l.split(":", 1)[1].strip() for l in handle if l.startswith("model name")]
    info["cpu_model"] = names[0] if names else None
except OSError:
    info["cpu_model"] = platform.processor() or None
try:
    import numpy, tensorflow as tf, keras
    info["numpy"] = numpy.__version__
    info["tensorflow"] = tf.__version__
    info["keras"] = keras.__version__
    info["gpus"] = [d.name for d in tf.config.list_physical_devices("GPU")]
except Exception as exc:
    info["error"] = f"{type(exc).__name__}: {exc}"
print(json.dumps(info))
"""


def machine_info(*, env: dict[str, str] | None = None, python: str = sys.executable) -> Row:
    """Describe the machine and software the figures were measured with.

    TensorFlow is imported in a subprocess so that the runner stays light.

    Returns:
        A dict with python, platform, cpu_count, usable_cpus, cpu_model,
        numpy, tensorflow, keras, gpus (device names; empty when none was
        available, so none was used), gpu_used, and the git commit.
    """
    try:
        proc = subprocess.run(
            [python, "-c", _MACHINE],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        info: Row = json.loads(proc.stdout.strip().splitlines()[-1])
    except (subprocess.SubprocessError, ValueError, IndexError) as exc:
        info = {"error": f"could not describe the machine: {exc}"}
    info["gpu_used"] = bool(info.get("gpus"))
    info["git_commit"] = _git_commit()
    return info


def _git(*args: str) -> str:
    """The output of a git command in the repository, stripped."""
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True, timeout=10
    ).stdout.strip()


def _git_commit() -> str | None:
    """The checked-out commit, with "+dirty" when the tree has changes."""
    try:
        head = _git("rev-parse", "--short", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ("+dirty" if dirty else "")


def describe_machine(info: Row) -> str:
    """One line naming the machine, e.g. for the table header and the README."""
    cpus = info.get("cpu_count")
    usable = info.get("usable_cpus")
    cores = f"{cpus} CPUs" if usable in (None, cpus) else f"{usable} of {cpus} CPUs usable"
    parts = [cores]
    if info.get("cpu_model"):
        parts.append(str(info["cpu_model"]))
    parts.append("GPU: " + (", ".join(info["gpus"]) if info.get("gpus") else "none"))
    parts.append(f"Python {info.get('python', '?')}")
    parts.append(f"TensorFlow {info.get('tensorflow', '?')}")
    parts.append(f"Keras {info.get('keras', '?')}")
    if info.get("error"):
        parts.append(f"({info['error']})")
    return ", ".join(parts)


def load_average() -> float | None:
    """The 1-minute load average (None where the OS has none).

    Recorded before and after the plugins run: figures measured while other
    work keeps the CPUs busy are slower and noisier than the machine can do.
    """
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def describe_load(info: Row) -> str | None:
    """A sentence on the machine's load during the run, or None if unknown."""
    before, after = info.get("load_before"), info.get("load_after")
    if before is None and after is None:
        return None
    cpus = info.get("usable_cpus") or info.get("cpu_count")
    text = f"1-min load average {before} before the run, {after} after"
    busiest = max(v for v in (before, after) if v is not None)
    if cpus and busiest > cpus:
        text += f" (more than the {cpus} CPUs: other work was running, so figures are pessimistic)"
    return text + "."
