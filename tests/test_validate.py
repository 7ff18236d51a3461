"""The shared argument checks: what they accept, what they refuse, and their messages."""

from __future__ import annotations

import numpy as np
import pytest

from actlab._validate import (
    check_choice,
    check_input_shape,
    check_int,
    check_int_sequence,
    check_range,
    did_you_mean,
)


@pytest.mark.parametrize("value", [3, np.int64(3), np.int32(3), np.uint8(3)])
def test_check_int_accepts_python_and_numpy_integers(value):
    """int and every NumPy integer type pass and come back as a plain int."""
    result = check_int("depth", value, low=1, high=4)
    assert result == 3 and type(result) is int


@pytest.mark.parametrize(
    ("value", "kwargs", "message"),
    [
        (True, {}, "depth must be an integer. Received: depth=True."),
        (np.bool_(True), {}, "depth must be an integer. Received: depth="),
        (2.0, {"low": 1}, "depth must be an integer >= 1. Received: depth=2.0."),
        ("2", {"high": 4}, "depth must be an integer <= 4. Received: depth='2'."),
        (0, {"low": 1, "high": 4}, "depth must be an integer between 1 and 4. Received: depth=0."),
        (5, {"low": 1, "high": 4}, "between 1 and 4. Received: depth=5."),
    ],
)
def test_check_int_refuses_bools_floats_and_out_of_range(value, kwargs, message):
    """Bools, floats (even whole ones), strings and out-of-range values are refused."""
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(".", r"\.")):
        check_int("depth", value, **kwargs)


def test_check_int_appends_the_hint():
    """The hint (what to do) ends the message."""
    with pytest.raises(ValueError, match=r"Received: limit=0\. Pass None to keep all\.$"):
        check_int("limit", 0, low=1, hint="Pass None to keep all.")


@pytest.mark.parametrize(
    ("value", "kwargs", "ok"),
    [
        (0.5, {}, True),
        (np.float32(0.5), {}, True),
        (1, {}, True),
        (0.0, {}, True),
        (1.0, {"high_open": True}, False),
        (0.0, {"low_open": True}, False),
        (1.5, {}, False),
        (float("nan"), {}, False),
        (True, {}, False),
        ("0.5", {}, False),
    ],
)
def test_check_range(value, kwargs, ok):
    """Finite numbers inside the (closed or open) range pass as floats; others are refused."""
    if ok:
        assert check_range("p", value, 0, 1, **kwargs) == float(value)
    else:
        with pytest.raises(ValueError, match=r"p must be a number .*Received: p="):
            check_range("p", value, 0, 1, **kwargs)


def test_check_range_messages_describe_the_interval():
    """Closed, half-open, one-sided and unbounded ranges each read naturally."""
    cases = [
        ((0, 3), {}, "a number between 0 and 3"),
        ((0, 1), {"high_open": True}, r"a number in \[0, 1\)"),
        ((0, None), {"low_open": True}, "a number > 0"),
        ((0, None), {}, "a number >= 0"),
        ((None, None), {}, "a finite number"),
    ]
    for (low, high), kwargs, text in cases:
        with pytest.raises(ValueError, match=f"x must be {text}. Received: x=inf"):
            check_range("x", float("inf"), low, high, **kwargs)


def test_check_choice_lists_options_and_suggests():
    """A near miss gets the list and a suggestion; a non-string gets the list."""
    assert check_choice("init", "he_normal", ["glorot_uniform", "he_normal"]) == "he_normal"
    with pytest.raises(
        ValueError,
        match="init must be one of 'glorot_uniform', 'he_normal'. "
        "Received: init='he_norml'. Did you mean 'he_normal'?",
    ):
        check_choice("init", "he_norml", ["glorot_uniform", "he_normal"])
    with pytest.raises(ValueError, match=r"Received: init=3\.$"):
        check_choice("init", 3, ["glorot_uniform", "he_normal"])


def test_check_choice_takes_numbers_but_not_bools():
    """Numeric options (batch sizes) work; True is not the option 1."""
    assert check_choice("batch_size", np.int64(16), [8, 16, 32]) == 16
    assert check_choice("batch_size", 8, [8, 16, 32]) == 8
    for bad in (True, 12, [8]):
        with pytest.raises(ValueError, match=r"batch_size must be one of 8, 16, 32\. Received"):
            check_choice("batch_size", bad, [8, 16, 32])
    with pytest.raises(ValueError, match="must be one of 1, 2"):
        check_choice("n", True, [1, 2])


def test_did_you_mean():
    """Close options are suggested (at most three); aliases map to their names; else empty."""
    assert did_you_mean("rleu", ["relu", "tanh"]) == "Did you mean 'relu'?"
    assert did_you_mean("xyz", ["relu", "tanh"]) == ""
    assert did_you_mean("swsh", {"swish": "silu", "silu": "silu"}) == "Did you mean 'silu'?"
    assert did_you_mean("a", ["a1", "a2", "a3", "a4"]).count("'") == 6


def test_int_sequences_and_shapes():
    """Sequences of integers >= low pass as tuples; an int is a one-axis shape."""
    assert check_int_sequence("widths", [np.int64(4), 3]) == (4, 3)
    assert check_input_shape(784) == (784,) and check_input_shape((28, 28)) == (28, 28)
    for bad in ([], [4, 0], [3, 2.5], "12", [True]):
        with pytest.raises(ValueError, match="widths must be a non-empty list or tuple"):
            check_int_sequence("widths", bad)
    with pytest.raises(ValueError, match="at least 2 values"):
        check_int_sequence("widths", [4], min_length=2)
    with pytest.raises(ValueError, match="input_shape must be an integer >= 1"):
        check_input_shape(0)
