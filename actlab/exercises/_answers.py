"""Typed answers read as numbers: one place for what counts as "a number" or "a whole number".

Internal to :mod:`actlab.exercises`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from actlab.exercises._core import Incorrect

__all__ = ["one_number", "typed_whole", "whole"]


def one_number(answer: Any) -> float | None:
    """A typed answer as a float if it is one number (a size-1 array or tensor counts).

    Returns None for anything else (a string, several numbers, an object).
    """
    if isinstance(answer, (str, bytes)):
        return None
    try:
        arr = np.asarray(answer, dtype="float64")
    except (TypeError, ValueError):
        return None
    return float(arr.reshape(-1)[0]) if arr.size == 1 else None


def whole(answer: Any) -> int | None:
    """A typed answer as a whole number: ``4``, ``np.int64(4)``, ``4.0`` or ``np.float32(4)``.

    Returns:
        The int, or None when ``answer`` is not a number with an integer value
        (a bool, ``4.5``, ``"4"``, NaN).
    """
    if isinstance(answer, bool | np.bool_):
        return None
    if isinstance(answer, int | np.integer):
        return int(answer)
    if isinstance(answer, float | np.floating) and float(answer).is_integer():
        return int(answer)
    return None


def typed_whole(answer: Any, *, control: str, unit: str, widget: str, low: int, high: int) -> int:
    """A slider value typed instead of set on the widget: a whole number in ``[low, high]``.

    Args:
        answer: What the learner typed.
        control: The control's name in messages, e.g. ``"depth"``.
        unit: What it counts, e.g. ``"hidden layers"``.
        widget: The widget in messages, e.g. ``"lab"``.
        low: Smallest allowed value.
        high: Largest allowed value.

    Returns:
        The whole number.

    Raises:
        Incorrect: Not a whole number, or outside the slider's range.
    """
    value = whole(answer)
    if value is None:
        raise Incorrect(
            f"Give the {control} as a whole number of {unit}, or the {widget} itself. "
            f"Received: {answer!r}."
        )
    if not low <= value <= high:
        raise Incorrect(
            f"The {widget}'s {control} goes from {low} to {high} {unit}. Received: {answer!r}."
        )
    return value
