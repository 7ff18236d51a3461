"""What ``check`` returns: a pass/fail that a notebook does not echo under its feedback box."""

from __future__ import annotations

from typing import Any

__all__ = ["Verdict"]


class Verdict:
    """The result of ``ex.qN.check(answer)``: true when the answer is correct.

    It behaves as a bool (``if ex.q1.check(x):``, ``assert ex.q1.check(x)``,
    ``ex.q1.check(x) == True``), prints as ``True``/``False`` in a terminal,
    and shows nothing as the last line of a notebook cell, where the feedback
    box has already said "Correct" or "Not quite" (a bare ``True`` under it
    would only repeat that, less clearly).

    Attributes:
        passed: True when the answer is correct.
    """

    __slots__ = ("passed",)

    def __init__(self, passed: bool) -> None:
        self.passed = bool(passed)

    def __bool__(self) -> bool:
        return self.passed

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, Verdict):
            return self.passed == other.passed
        if isinstance(other, bool):
            return self.passed == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.passed)

    def __repr__(self) -> str:
        return repr(self.passed)

    def _ipython_display_(self) -> None:
        """Show nothing in IPython: the feedback box was the output."""
