"""The activation catalogue: every activation the course plots, with its properties.

``ACTIVATIONS`` maps a canonical name to an :class:`Activation` record. The
callables are Keras 3 activations (``keras.activations``), so they accept NumPy
arrays or tensors and run on any Keras backend. The property flags are checked
numerically by ``tests/test_catalog.py``, so the table a notebook prints is
evidence, not folklore.

Definitions used for the flags:

* ``zero_centred``: for standard-normal inputs the mean output is 0
  (``|mean| < 0.05``).
* ``monotonic``: the derivative is never negative.
* ``smooth``: the derivative is continuous everywhere (no kink).
* ``saturating``: the derivative tends to 0 for large inputs of *both* signs,
  so large pre-activations stop gradients whichever way they point.
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from actlab._keras import keras, tf
from actlab._tables import Table
from actlab._validate import did_you_mean

__all__ = [
    "ACTIVATIONS",
    "SELU_ALPHA",
    "SELU_SCALE",
    "Activation",
    "NumpyFn",
    "PropertiesTable",
    "canonical_name",
    "derivative",
    "get",
    "names",
    "numpy_pair",
    "properties_table",
]

INF = math.inf


@dataclass(frozen=True)
class Activation:
    """One activation function and its properties.

    Attributes:
        name: Canonical name, the same as in ``keras.activations`` where Keras
            has it.
        formula: The formula, plain text.
        output_range: ``(low, high)``; ``-inf``/``inf`` for unbounded sides,
            rounded to 3 decimals where the bound is a minimum of the curve.
        zero_centred: Mean output is 0 for standard-normal inputs.
        monotonic: Never decreasing.
        smooth: Continuous derivative everywhere.
        saturating: Derivative goes to 0 on both sides.
        keras_name: The name that ``keras.activations.get`` understands.
        aliases: Other names learners use for it.
        kwargs: Fixed keyword arguments passed to the Keras function (for
            example the negative slope of ``leaky_relu``).

    """

    name: str
    formula: str
    output_range: tuple[float, float]
    zero_centred: bool
    monotonic: bool
    smooth: bool
    saturating: bool
    keras_name: str
    aliases: tuple[str, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def fn(self) -> Callable[[Any], Any]:
        """The activation as a callable on arrays/tensors (a Keras function)."""
        base = getattr(keras().activations, self.keras_name)
        if not self.kwargs:
            return base
        kwargs = dict(self.kwargs)

        def bound(x: Any) -> Any:
            return base(x, **kwargs)

        bound.__name__ = self.name
        return bound

    def __call__(self, x: Any) -> np.ndarray:
        """Apply the activation to ``x`` and return a NumPy array."""
        return keras().ops.convert_to_numpy(self.fn(_as_float(x)))

    @property
    def np_fn(self) -> Callable[[np.ndarray], np.ndarray]:
        """The activation in NumPy, ``np_fn(z)``, with the record's ``kwargs`` (no TensorFlow).

        See :func:`numpy_pair`.
        """
        return numpy_pair(self.name)[0]

    @property
    def np_grad(self) -> Callable[[np.ndarray], np.ndarray]:
        """The derivative in NumPy, ``np_grad(z) = d np_fn(z) / dz`` element-wise.

        See :func:`numpy_pair`.
        """
        return numpy_pair(self.name)[1]

    @property
    def range_text(self) -> str:
        """The output range as text, e.g. ``(0, 1)`` or ``[0, inf)``."""
        low, high = self.output_range
        left = "(-inf" if low == -INF else ("[" if self.name in _CLOSED_LOW else "(") + _fmt(low)
        right = "inf)" if high == INF else _fmt(high) + ("]" if self.name in _CLOSED_HIGH else ")")
        return f"{left}, {right}"


# Activations that reach their lower/upper bound exactly (closed interval ends).
_CLOSED_LOW = {"relu", "relu6", "hard_sigmoid", "gelu", "silu", "mish", "hard_silu"}
_CLOSED_HIGH = {"relu6", "hard_sigmoid"}


def _fmt(v: float) -> str:
    return f"{v:g}"


def _as_float(x: Any) -> Any:
    if isinstance(x, (list, tuple, int, float, np.ndarray, np.generic)):
        return np.asarray(x, dtype="float32")
    return x


_RECORDS = [
    Activation("linear", "linear(x) = x", (-INF, INF), True, True, True, False, "linear",
               ("identity", "none")),
    Activation("relu", "relu(x) = max(0, x)", (0.0, INF), False, True, False, False, "relu"),
    Activation("relu6", "relu6(x) = min(max(0, x), 6)", (0.0, 6.0), False, True, False, True,
               "relu6"),
    Activation("leaky_relu", "leaky_relu(x) = x if x > 0 else negative_slope * x "
               "(negative_slope = 0.2, the keras.activations default)",
               (-INF, INF), False, True, False, False, "leaky_relu", ("leakyrelu", "lrelu"),
               {"negative_slope": 0.2}),
    Activation("elu", "elu(x) = x if x > 0 else alpha * (exp(x) - 1), alpha = 1",
               (-1.0, INF), False, True, True, False, "elu"),
    Activation("selu", "selu(x) = scale * (x if x > 0 else alpha * (exp(x) - 1)), "
               "alpha ~ 1.6733, scale ~ 1.0507",
               (-1.758, INF), True, True, False, False, "selu"),
    Activation("gelu", "gelu(x) = x * Phi(x), Phi = standard normal CDF",
               (-0.17, INF), False, False, True, False, "gelu"),
    Activation("silu", "silu(x) = x * sigmoid(x)", (-0.278, INF), False, False, True, False,
               "silu", ("swish",)),
    Activation("mish", "mish(x) = x * tanh(softplus(x))", (-0.309, INF), False, False, True,
               False, "mish"),
    Activation("softplus", "softplus(x) = log(exp(x) + 1)", (0.0, INF), False, True, True,
               False, "softplus"),
    Activation("softsign", "softsign(x) = x / (abs(x) + 1)", (-1.0, 1.0), True, True, True,
               True, "softsign"),
    Activation("sigmoid", "sigmoid(x) = 1 / (1 + exp(-x))", (0.0, 1.0), False, True, True,
               True, "sigmoid", ("logistic",)),
    Activation("hard_sigmoid", "hard_sigmoid(x) = relu6(x + 3) / 6", (0.0, 1.0), False, True,
               False, True, "hard_sigmoid"),
    Activation("hard_silu", "hard_silu(x) = x * relu6(x + 3) / 6", (-0.375, INF), False, False,
               False, False, "hard_silu", ("hard_swish",)),
    Activation("tanh", "tanh(x) = (exp(x) - exp(-x)) / (exp(x) + exp(-x))", (-1.0, 1.0), True,
               True, True, True, "tanh"),
]

ACTIVATIONS: dict[str, Activation] = {rec.name: rec for rec in _RECORDS}
"""Canonical name -> :class:`Activation` record."""

_ALIASES: dict[str, str] = {
    alias: rec.name for rec in _RECORDS for alias in rec.aliases
}


def names() -> list[str]:
    """Return the canonical activation names, in catalogue order."""
    return list(ACTIVATIONS)


def _normalise(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def canonical_name(name: str, *, allow_keras: bool = False) -> str:
    """Return the canonical catalogue name for ``name`` (the one activation-name resolver).

    Case, hyphens and spaces do not matter, and aliases resolve
    (``"Leaky-ReLU"`` and ``"lrelu"`` give ``"leaky_relu"``, ``"swish"`` gives
    ``"silu"``). Every catalogue name is also the name ``keras.activations``
    uses.

    Args:
        name: An activation name.
        allow_keras: Also accept a name that ``keras.activations.get``
            knows but the catalogue does not (e.g. ``"hard_tanh"``); it is
            returned normalised.

    Returns:
        The canonical name.

    Raises:
        TypeError: If ``name`` is not a string.
        ValueError: If the name is unknown; the message suggests close names.

    """
    if not allow_keras:
        return get(name).name
    try:
        return get(name).name
    except ValueError as catalog_error:
        key = _normalise(name)
        try:
            keras().activations.get(key)
        except (ValueError, TypeError):
            raise catalog_error from None
        return key


def get(name: str) -> Activation:
    """Look an activation up by name (case-insensitive; aliases such as ``swish``).

    Args:
        name: The activation's name, e.g. ``"relu"``, ``"Leaky-ReLU"``, ``"swish"``.

    Returns:
        The :class:`Activation` record.

    Raises:
        TypeError: If ``name`` is not a string.
        ValueError: If the name is unknown. The message repeats what was
            received, suggests the closest names and lists all of them.

    """
    if not isinstance(name, str):
        raise TypeError(
            f"actlab.catalog.get expects an activation name (a string). "
            f"Received: {name!r} of type {type(name).__name__}."
        )
    key = _normalise(name)
    key = _ALIASES.get(key, key)
    if key in ACTIVATIONS:
        return ACTIVATIONS[key]
    spellings = {n: n for n in ACTIVATIONS} | _ALIASES
    hint = did_you_mean(key, spellings)
    raise ValueError(
        f"Unknown activation name: {name!r}. {hint + ' ' if hint else ''}"
        f"Known activations: {', '.join(ACTIVATIONS)}."
    )


def derivative(name: str, x: Any) -> np.ndarray:
    """The derivative of an activation, computed by automatic differentiation.

    ``derivative(name, x)[i] = d activation(x[i]) / d x[i]`` (activations here
    are element-wise, so the gradient of the sum gives every element's
    derivative in one pass).

    Args:
        name: Activation name (see :func:`get`).
        x: Points at which to evaluate, any array-like of numbers.

    Returns:
        A float32 NumPy array of the same shape as ``x``.

    """
    rec = get(name)
    t = tf()
    xt = t.convert_to_tensor(np.asarray(x, dtype="float32"))
    with t.GradientTape() as tape:
        tape.watch(xt)
        y = rec.fn(xt)
        total = t.reduce_sum(y)
    return tape.gradient(total, xt).numpy()


# --------------------------------------------------------------------------- NumPy forms
#
# Each activation's formula and derivative in NumPy, float64-friendly, for code that needs
# speed without TensorFlow (the widgets' backprop, the live playground). The tests check
# them against ``keras.activations`` and against the autodiff :func:`derivative`. At a kink
# each derivative takes the value TensorFlow's gradient takes there (relu'(0) = 0,
# leaky_relu'(0) = negative_slope, elu'(0) = 1, selu'(0) = scale, relu6'(6) = 0).

SELU_ALPHA = 1.6732632423543772
"""SELU's alpha (Klambauer et al. 2017), as in ``keras.activations.selu``."""
SELU_SCALE = 1.0507009873554805
"""SELU's scale (Klambauer et al. 2017), as in ``keras.activations.selu``."""


def _np_sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # no overflow for large |z|


def _np_neg_exp(z: np.ndarray) -> np.ndarray:
    return np.exp(np.minimum(z, 0.0))  # exp on the negative side only: no overflow


def _np_linear(z: np.ndarray) -> np.ndarray:
    return z


def _np_linear_grad(z: np.ndarray) -> np.ndarray:
    return np.ones_like(z)


def _np_relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0)


def _np_relu_grad(z: np.ndarray) -> np.ndarray:
    return (z > 0).astype(z.dtype)


def _np_relu6(z: np.ndarray) -> np.ndarray:
    return np.clip(z, 0.0, 6.0)


def _np_relu6_grad(z: np.ndarray) -> np.ndarray:
    return ((z > 0) & (z < 6)).astype(z.dtype)


def _np_leaky_relu(z: np.ndarray, negative_slope: float = 0.2) -> np.ndarray:
    return np.where(z > 0, z, negative_slope * z)


def _np_leaky_relu_grad(z: np.ndarray, negative_slope: float = 0.2) -> np.ndarray:
    return np.where(z > 0, 1.0, negative_slope)


def _np_elu(z: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0)))


def _np_elu_grad(z: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    return np.where(z < 0, alpha * _np_neg_exp(z), 1.0)


def _np_selu(z: np.ndarray) -> np.ndarray:
    return SELU_SCALE * _np_elu(z, SELU_ALPHA)


def _np_selu_grad(z: np.ndarray) -> np.ndarray:
    return SELU_SCALE * _np_elu_grad(z, SELU_ALPHA)


def _np_normal_cdf_pdf(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(Phi(z), phi(z))``: the standard normal CDF and density."""
    from scipy.special import erf

    cdf = 0.5 * (1.0 + erf(z / np.sqrt(2.0)))
    pdf = np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)
    return cdf, pdf


def _np_gelu(z: np.ndarray) -> np.ndarray:
    return z * _np_normal_cdf_pdf(z)[0]


def _np_gelu_grad(z: np.ndarray) -> np.ndarray:
    cdf, pdf = _np_normal_cdf_pdf(z)
    return cdf + z * pdf


def _np_silu(z: np.ndarray) -> np.ndarray:
    return z * _np_sigmoid(z)


def _np_silu_grad(z: np.ndarray) -> np.ndarray:
    s = _np_sigmoid(z)
    return s * (1.0 + z * (1.0 - s))


def _np_softplus(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))  # stable for large |z|


def _np_mish(z: np.ndarray) -> np.ndarray:
    return z * np.tanh(_np_softplus(z))


def _np_mish_grad(z: np.ndarray) -> np.ndarray:
    t = np.tanh(_np_softplus(z))
    return t + z * _np_sigmoid(z) * (1.0 - t * t)


def _np_softsign(z: np.ndarray) -> np.ndarray:
    return z / (np.abs(z) + 1.0)


def _np_softsign_grad(z: np.ndarray) -> np.ndarray:
    return 1.0 / (np.abs(z) + 1.0) ** 2


def _np_sigmoid_grad(z: np.ndarray) -> np.ndarray:
    s = _np_sigmoid(z)
    return s * (1.0 - s)


def _np_hard_sigmoid(z: np.ndarray) -> np.ndarray:
    return _np_relu6(z + 3.0) / 6.0


def _np_hard_sigmoid_grad(z: np.ndarray) -> np.ndarray:
    return _np_relu6_grad(z + 3.0) / 6.0


def _np_hard_silu(z: np.ndarray) -> np.ndarray:
    return z * _np_hard_sigmoid(z)


def _np_hard_silu_grad(z: np.ndarray) -> np.ndarray:
    return _np_hard_sigmoid(z) + z * _np_hard_sigmoid_grad(z)


def _np_tanh(z: np.ndarray) -> np.ndarray:
    # A function, not the ufunc: before NumPy 2, inspect.signature(np.tanh) raises.
    return np.tanh(z)


def _np_tanh_grad(z: np.ndarray) -> np.ndarray:
    return 1.0 - np.tanh(z) ** 2


NumpyFn = Callable[..., np.ndarray]

# name -> (f(z, **params), f'(z, **params)); the params are the keyword arguments of the
# matching keras.activations function that the record's ``kwargs`` may set.
_NUMPY: dict[str, tuple[NumpyFn, NumpyFn]] = {
    "linear": (_np_linear, _np_linear_grad),
    "relu": (_np_relu, _np_relu_grad),
    "relu6": (_np_relu6, _np_relu6_grad),
    "leaky_relu": (_np_leaky_relu, _np_leaky_relu_grad),
    "elu": (_np_elu, _np_elu_grad),
    "selu": (_np_selu, _np_selu_grad),
    "gelu": (_np_gelu, _np_gelu_grad),
    "silu": (_np_silu, _np_silu_grad),
    "mish": (_np_mish, _np_mish_grad),
    "softplus": (_np_softplus, _np_sigmoid),
    "softsign": (_np_softsign, _np_softsign_grad),
    "sigmoid": (_np_sigmoid, _np_sigmoid_grad),
    "hard_sigmoid": (_np_hard_sigmoid, _np_hard_sigmoid_grad),
    "hard_silu": (_np_hard_silu, _np_hard_silu_grad),
    "tanh": (_np_tanh, _np_tanh_grad),
}


def numpy_pair(name: str, **params: float) -> tuple[NumpyFn, NumpyFn]:
    """An activation and its derivative as NumPy functions: ``(f, df)``.

    The same formulas as ``keras.activations`` (the tests compare them, and ``df``
    with the autodiff :func:`derivative`), evaluated in NumPy: no TensorFlow call,
    any float dtype, no overflow warnings for large ``|z|``. For code that runs
    many small steps (the widgets' backprop, the live playground).

    Args:
        name: Activation name (see :func:`get`).
        **params: Keyword parameters of the Keras function, overriding the
            record's ``kwargs``: ``negative_slope`` for ``leaky_relu``
            (``f(z) = z if z > 0 else negative_slope * z``), ``alpha`` for ``elu``
            (``f(z) = z if z > 0 else alpha * (exp(z) - 1)``).

    Returns:
        ``(f, df)``: element-wise functions of one array.

    Raises:
        ValueError: An unknown activation (with suggestions), a parameter the
            activation does not have, or a parameter that is not a finite number.
    """
    rec = get(name)
    f, df = _NUMPY[rec.name]
    allowed = list(inspect.signature(f).parameters)[1:]
    for key, value in params.items():
        if key not in allowed:
            takes = f"takes {', '.join(allowed)}" if allowed else "takes no parameters"
            raise ValueError(f"numpy_pair: {rec.name} {takes}. Received: {key}={value!r}.")
        ok = isinstance(value, int | float | np.number) and not isinstance(value, bool)
        if not ok or not math.isfinite(float(value)):
            raise ValueError(
                f"numpy_pair: {key} must be a finite number. Received: {key}={value!r}."
            )
    kwargs = {**rec.kwargs, **{k: float(v) for k, v in params.items()}}
    if not kwargs:
        return f, df
    return functools.partial(f, **kwargs), functools.partial(df, **kwargs)


@dataclass(frozen=True)
class PropertiesTable(Table):
    """A table of activation properties: prints as text, renders as HTML/Markdown in Jupyter."""

    rows: list[dict[str, Any]]

    _COLUMNS = ("name", "range", "zero_centred", "monotonic", "smooth", "saturating")

    def _columns(self) -> tuple[str, ...]:
        return self._COLUMNS

    def _cells(self) -> list[list[str]]:
        return [
            [row[c] if isinstance(row[c], str) else ("yes" if row[c] else "no")
             for c in self._COLUMNS]
            for row in self.rows
        ]


def properties_table(selected: list[str] | None = None) -> PropertiesTable:
    """The properties table (range, zero-centred, monotonic, smooth, saturating).

    Args:
        selected: Names to include, in order; all activations when None.

    Returns:
        A :class:`PropertiesTable`; it prints as text and renders as a
        table in Jupyter (HTML, with a Markdown fallback).

    """
    recs = [get(n) for n in selected] if selected is not None else list(_RECORDS)
    return PropertiesTable([
        {
            "name": r.name,
            "range": r.range_text,
            "zero_centred": r.zero_centred,
            "monotonic": r.monotonic,
            "smooth": r.smooth,
            "saturating": r.saturating,
        }
        for r in recs
    ])
