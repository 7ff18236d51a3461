"""Reproducibility: one call seeds every random number generator we use."""

from __future__ import annotations

import os
import random

import numpy as np

from actlab._validate import check_int

DEFAULT_SEED = 42
"""The course's committed ``SEED`` (every notebook's Setup cell)."""
_CURRENT: list[int] = []  # the last seed actlab.seed() set in this process


def current_seed(default: int = DEFAULT_SEED) -> int:
    """The seed the last ``actlab.seed(n)`` call set in this process (the notebook's ``SEED``).

    Exercise checks that rebuild what the notebook built (a playground, a lab, a
    data set) read the notebook's seed here, so they judge at any ``SEED``.

    Args:
        default: What to return when ``actlab.seed`` was never called.

    Returns:
        The seed.
    """
    return _CURRENT[-1] if _CURRENT else int(default)


def seed(n: int = 42, *, deterministic: bool = True) -> int:
    """Seed Python, NumPy and Keras (and through it TensorFlow).

    Args:
        n: The seed, a non-negative integer.
        deterministic: Also ask TensorFlow for deterministic kernels where it
            has them (``tf.config.experimental.enable_op_determinism``). Results
            are then repeatable run to run on the same machine, at a small cost
            in speed.

    Returns:
        The seed that was set, so a notebook can print it.

    Raises:
        ValueError: If ``n`` is not a non-negative integer.

    """
    n = check_int("n", n, low=0, hint="actlab.seed(42) is the course's default.")
    _CURRENT[:] = [n]
    os.environ["PYTHONHASHSEED"] = str(n)
    random.seed(n)
    np.random.seed(n)
    from actlab._keras import keras, tf

    keras().utils.set_random_seed(n)
    if deterministic:
        tf().config.experimental.enable_op_determinism()
    return n
