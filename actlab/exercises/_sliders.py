"""Helpers for slider exercises: the positions a control can take, and its neighbours.

A slider exercise often asks for the *first* position where something
happens ("the smallest learning rate at which..."); its checker evaluates the
learner's position and the one next to it, so it needs the slider's grid.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np


def positions(control: Any) -> list[Any]:
    """Every value a slider or dropdown can take, in order.

    Args:
        control: An ipywidgets ``IntSlider``, ``FloatSlider``, ``FloatLogSlider``
            or ``Dropdown``.

    Returns:
        The values, smallest first for sliders; the options for a dropdown.
    """
    options = getattr(control, "options", None)
    if options is not None:
        return [o[1] if isinstance(o, tuple) else o for o in options]
    low, high, step = control.min, control.max, control.step
    count = int(round((high - low) / step)) + 1
    grid = [low + k * step for k in range(count)]
    if type(control).__name__ == "FloatLogSlider":
        return [float(control.base**e) for e in grid]
    if type(control).__name__ == "IntSlider":
        return [int(v) for v in grid]
    return [round(float(v), 10) for v in grid]


def index(control: Any, value: Any) -> int:
    """The position of ``value`` on the control's grid (the nearest one for numbers)."""
    grid = positions(control)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if type(control).__name__ == "FloatLogSlider":
            distance = [abs(math.log(v) - math.log(value)) for v in grid]
        else:
            distance = [abs(v - value) for v in grid]
        return int(np.argmin(distance))
    return grid.index(value)


def neighbour(control: Any, value: Any, direction: int) -> Any | None:
    """The next slider position below (``direction=-1``) or above (``+1``), or None at an end."""
    grid = positions(control)
    i = index(control, value) + direction
    return grid[i] if 0 <= i < len(grid) else None


def same(a: Any, b: Any) -> bool:
    """Equal, with floats compared to 1e-6 relative (a slider moved back may not be exact)."""
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-9)
    return a == b


def moved(make: Any, **values: Any) -> Any:
    """A factory for tests: the widget ``make()`` returns, with controls moved to ``values``."""

    def factory() -> Any:
        return make().apply(**values)

    return factory


_CACHES: list[Any] = []


def cached(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``functools.lru_cache`` for a deterministic computation of a checker.

    :func:`clear_caches` empties every such cache (the bench times a check
    as the first one after a slider move).
    """
    wrapped = functools.lru_cache(maxsize=512)(fn)
    _CACHES.append(wrapped)
    return wrapped


def clear_caches() -> None:
    """Forget every result remembered by :func:`cached` functions."""
    for cache in _CACHES:
        cache.cache_clear()
