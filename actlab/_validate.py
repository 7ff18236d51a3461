"""Argument checks shared by every public function (one message style for all).

Every check raises ``ValueError`` with the same three parts: what was wrong
(``depth must be an integer between 1 and 4``), what was received
(``Received: depth=2.5``) and, where the requirement alone does not say it,
what to do. Integers are Python ``int`` or NumPy integers (``np.int64`` from
an array is fine); ``bool`` is refused although it is an ``int`` subclass.
Numbers are ``int``/``float`` or NumPy numbers, finite, and never ``bool``.

``did_you_mean`` is the one builder of the "Did you mean ...?" hint.
"""

from __future__ import annotations

import contextlib
import difflib
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = [
    "check_choice",
    "check_input_shape",
    "check_int",
    "check_int_sequence",
    "check_range",
    "did_you_mean",
    "is_int",
]


def is_int(value: Any) -> bool:
    """True for ``int`` and NumPy integers, False for ``bool`` and everything else."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


def _fail(name: str, requirement: str, value: Any, hint: str | None) -> ValueError:
    extra = f" {hint}" if hint else ""
    return ValueError(f"{name} must be {requirement}. Received: {name}={value!r}.{extra}")


def _bounds_text(low: float | None, high: float | None, fmt: str) -> str:
    if low is not None and high is not None:
        return f" between {low:{fmt}} and {high:{fmt}}"
    if low is not None:
        return f" >= {low:{fmt}}"
    if high is not None:
        return f" <= {high:{fmt}}"
    return ""


def check_int(
    name: str,
    value: Any,
    *,
    low: int | None = None,
    high: int | None = None,
    hint: str | None = None,
) -> int:
    """Return ``value`` as an ``int`` if it is an integer in ``[low, high]``.

    Args:
        name: The argument's name, as the caller spells it.
        value: What the caller passed.
        low: Smallest allowed value (None: no lower bound).
        high: Largest allowed value (None: no upper bound).
        hint: Optional text appended to the message (what to do).

    Returns:
        ``int(value)``.

    Raises:
        ValueError: If ``value`` is a bool, not an integer (a float such as
            ``2.0`` included), or outside the bounds.

    """
    requirement = "an integer" + _bounds_text(low, high, "d")
    if not is_int(value):
        raise _fail(name, requirement, value, hint)
    if (low is not None and value < low) or (high is not None and value > high):
        raise _fail(name, requirement, value, hint)
    return int(value)


def check_int_sequence(
    name: str,
    values: Any,
    *,
    low: int = 1,
    min_length: int = 1,
    example: str = "(64, 32)",
) -> tuple[int, ...]:
    """Return ``values`` as a tuple of ints if it is a list/tuple of integers >= ``low``.

    Args:
        name: The argument's name.
        values: What the caller passed.
        low: Smallest allowed element.
        min_length: Fewest elements allowed.
        example: A valid value, shown in the message.

    Returns:
        The elements as a tuple of ``int``.

    Raises:
        ValueError: If ``values`` is not a list/tuple/array, is too short, or
            has an element that is not an integer >= ``low``.

    """
    ok = isinstance(values, (list, tuple, np.ndarray)) and len(values) >= min_length
    if ok:
        ok = all(is_int(v) and v >= low for v in values)
    if not ok:
        count = "a non-empty" if min_length == 1 else f"at least {min_length} values in a"
        raise _fail(
            name,
            f"{count} list or tuple of integers >= {low}, e.g. {example}",
            values if not isinstance(values, np.ndarray) else values.tolist(),
            None,
        )
    return tuple(int(v) for v in values)


def check_input_shape(input_shape: Any) -> tuple[int, ...]:
    """``input_shape`` as a tuple: a number of features (``784``) or a shape (``(28, 28)``).

    Raises:
        ValueError: If it is not an integer >= 1 or a non-empty list/tuple of them.

    """
    if is_int(input_shape):
        return (check_int("input_shape", input_shape, low=1),)
    return check_int_sequence("input_shape", input_shape, example="784 or (28, 28)")


def check_range(
    name: str,
    value: Any,
    low: float | None,
    high: float | None,
    *,
    low_open: bool = False,
    high_open: bool = False,
    hint: str | None = None,
) -> float:
    """Return ``value`` as a ``float`` if it is a finite number in the range.

    Args:
        name: The argument's name.
        value: What the caller passed.
        low: Lower bound (None: unbounded).
        high: Upper bound (None: unbounded).
        low_open: Exclude ``low`` itself (``value > low``).
        high_open: Exclude ``high`` itself (``value < high``).
        hint: Optional text appended to the message (what to do).

    Returns:
        ``float(value)``.

    Raises:
        ValueError: If ``value`` is a bool, not a number, not finite, or out of range.

    """
    if not (low_open or high_open):
        requirement = "a finite number" if low is None and high is None else "a number"
        requirement += _bounds_text(low, high, "g")
    elif low is not None and high is not None:
        left, right = "(" if low_open else "[", ")" if high_open else "]"
        requirement = f"a number in {left}{low:g}, {high:g}{right}"
    elif low is not None:
        requirement = f"a number > {low:g}"
    else:
        requirement = f"a number < {high:g}"
    if not _is_number(value) or not math.isfinite(value):
        raise _fail(name, requirement, value, hint)
    v = float(value)
    too_low = low is not None and (v <= low if low_open else v < low)
    too_high = high is not None and (v >= high if high_open else v > high)
    if too_low or too_high:
        raise _fail(name, requirement, value, hint)
    return v


def did_you_mean(value: Any, options: Sequence[str] | Mapping[str, str]) -> str:
    """The one "Did you mean ...?" hint: up to three close options, or ``""``.

    Args:
        value: What was received (compared as text).
        options: The valid names. A mapping ``{spelling: name}`` (aliases to
            canonical names) suggests the names its close spellings stand for.

    Returns:
        ``"Did you mean 'relu' or 'relu6'?"``, or an empty string when nothing is close.

    """
    spellings = [o for o in options if isinstance(o, str)]
    close = difflib.get_close_matches(str(value), spellings, n=3, cutoff=0.5)
    if isinstance(options, Mapping):
        close = [options[c] for c in close]
    close = list(dict.fromkeys(close))
    return f"Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


def check_choice(
    name: str, value: Any, options: Sequence[Any], *, hint: str | None = None
) -> Any:
    """Return ``value`` if it is one of ``options`` (names, or numbers such as batch sizes).

    Args:
        name: The argument's name.
        value: What the caller passed.
        options: The allowed values, in the order the message lists them.
        hint: Optional text appended to the message.

    Returns:
        ``value``.

    Raises:
        ValueError: If ``value`` is not one of ``options`` (a bool never is); the
            message lists them and, for a string, suggests close ones.

    """
    options = list(options)
    if not isinstance(value, (bool, np.bool_)):
        with contextlib.suppress(TypeError):  # unhashable or incomparable: not an option
            if value in options:
                return value
    suggestion = did_you_mean(value, options) if isinstance(value, str) else ""
    extra = " ".join(t for t in (suggestion, hint) if t)
    raise _fail(name, f"one of {', '.join(map(repr, options))}", value, extra or None)
