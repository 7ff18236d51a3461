import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from actlab import catalog

X = np.linspace(-6.0, 6.0, 241, dtype="float32")


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


_ALPHA, _SCALE = 1.6732632423543772, 1.0507009873554805

# Small NumPy references, written from the formulas (not from Keras).
NUMPY_REFERENCE = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0),
    "relu6": lambda x: np.clip(x, 0, 6),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),
    "elu": lambda x: np.where(x > 0, x, np.exp(x) - 1),
    "selu": lambda x: _SCALE * np.where(x > 0, x, _ALPHA * (np.exp(x) - 1)),
    "gelu": lambda x: x * 0.5 * (1 + np.vectorize(math.erf)(x / math.sqrt(2))),
    "silu": lambda x: x * _sigmoid(x),
    "mish": lambda x: x * np.tanh(np.log1p(np.exp(x))),
    "softplus": lambda x: np.log1p(np.exp(x)),
    "softsign": lambda x: x / (np.abs(x) + 1),
    "sigmoid": _sigmoid,
    "hard_sigmoid": lambda x: np.clip(x + 3, 0, 6) / 6,
    "hard_silu": lambda x: x * np.clip(x + 3, 0, 6) / 6,
    "tanh": np.tanh,
}


def test_every_activation_has_a_numpy_reference():
    """The reference table covers the whole catalogue (a new entry must add one)."""
    assert set(NUMPY_REFERENCE) == set(catalog.ACTIVATIONS)


@pytest.mark.parametrize("name", catalog.names())
def test_matches_numpy_reference(name):
    """Each activation equals its NumPy formula."""
    np.testing.assert_allclose(catalog.get(name)(X), NUMPY_REFERENCE[name](X.astype("float64")),
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", catalog.names())
def test_matches_keras_activation(name):
    """Each record wraps keras.activations (same numbers as keras.activations.get)."""
    rec = catalog.get(name)
    expected = keras.ops.convert_to_numpy(
        keras.activations.get(rec.keras_name)(X, **rec.kwargs)
    )
    np.testing.assert_allclose(rec(X), expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", catalog.names())
def test_shape_dtype_and_finite_gradient(name):
    """Output keeps shape and float32 dtype; the derivative is finite everywhere."""
    x = np.random.default_rng(0).normal(size=(4, 5)).astype("float32") * 10
    y = catalog.get(name)(x)
    assert y.shape == x.shape and y.dtype == np.float32
    d = catalog.derivative(name, x)
    assert d.shape == x.shape and np.all(np.isfinite(d))


@pytest.mark.parametrize("name", catalog.names())
def test_derivative_matches_finite_differences(name):
    """Autodiff derivative equals a central finite difference (away from kinks)."""
    x = X[np.abs(X) > 0.05]  # kinks at 0 (and -3, 3, 6 for the hard ones)
    x = x[np.min(np.abs(x[:, None] - np.array([-3.0, 3.0, 6.0])), axis=1) > 0.05]
    h = 1e-3
    ref = NUMPY_REFERENCE[name]
    x64 = x.astype("float64")
    fd = (ref(x64 + h) - ref(x64 - h)) / (2 * h)
    np.testing.assert_allclose(catalog.derivative(name, x), fd, rtol=2e-3, atol=2e-3)


# Points including every kink (0; -3 and 3 for the hard ones; 6 for relu6).
X_KINKS = np.concatenate([X, [0.0, -3.0, 3.0, 6.0, -40.0, 40.0]]).astype("float32")


@pytest.mark.parametrize("name", catalog.names())
def test_numpy_form_matches_keras_activation(name):
    """The NumPy formula (``np_fn``) gives the numbers of ``keras.activations``."""
    rec = catalog.get(name)
    expected = keras.ops.convert_to_numpy(
        keras.activations.get(rec.keras_name)(X_KINKS, **rec.kwargs)
    )
    got = rec.np_fn(X_KINKS.astype("float64"))
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=2e-6)


@pytest.mark.parametrize("name", catalog.names())
def test_numpy_derivative_matches_autodiff_also_at_kinks(name):
    """``np_grad`` equals the autodiff derivative everywhere, kinks included."""
    rec = catalog.get(name)
    got = rec.np_grad(X_KINKS.astype("float64"))
    np.testing.assert_allclose(got, catalog.derivative(name, X_KINKS), rtol=1e-5, atol=5e-6)


@pytest.mark.parametrize("name", catalog.names())
def test_numpy_form_has_no_overflow_warnings(name):
    """Huge inputs give finite values and derivatives, with no NumPy warning."""
    f, df = catalog.numpy_pair(name)
    z = np.array([-1e6, -800.0, 800.0, 1e6])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is fine
        assert np.all(np.isfinite(f(z))) and np.all(np.isfinite(df(z)))


@pytest.mark.parametrize(
    ("name", "params", "keras_kwargs"),
    [("leaky_relu", {"negative_slope": 0.05}, {"negative_slope": 0.05}),
     ("elu", {"alpha": 0.5}, {"alpha": 0.5}),
     ("Leaky-ReLU", {}, {"negative_slope": 0.2})],
)
def test_numpy_pair_parameters(name, params, keras_kwargs):
    """Parameters override the record's defaults, as the Keras keyword arguments do."""
    f, df = catalog.numpy_pair(name, **params)
    rec = catalog.get(name)
    fn = getattr(keras.activations, rec.keras_name)
    x = X[np.abs(X) > 0.05]
    np.testing.assert_allclose(f(x), keras.ops.convert_to_numpy(fn(x, **keras_kwargs)),
                               rtol=1e-5, atol=1e-6)
    xt = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = tf.reduce_sum(fn(xt, **keras_kwargs))
    np.testing.assert_allclose(df(x), tape.gradient(y, xt).numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    ("name", "params", "fragment"),
    [("relu", {"alpha": 1.0}, "relu takes no parameters. Received: alpha=1.0"),
     ("elu", {"negative_slope": 0.1}, "elu takes alpha. Received: negative_slope=0.1"),
     ("leaky_relu", {"negative_slope": float("nan")}, "must be a finite number"),
     ("leaky_relu", {"negative_slope": "0.1"}, "must be a finite number"),
     ("rleu", {}, "Did you mean 'relu'")],
)
def test_numpy_pair_bad_arguments(name, params, fragment):
    """Unknown names, unknown or non-numeric parameters are refused with a clear message."""
    with pytest.raises(ValueError, match=fragment):
        catalog.numpy_pair(name, **params)


@pytest.mark.parametrize("name", catalog.names())
def test_monotonic_flag(name):
    """`monotonic` is True exactly when the derivative is never negative."""
    d = catalog.derivative(name, np.linspace(-8, 8, 4001, dtype="float32"))
    assert catalog.get(name).monotonic == bool(np.all(d >= -1e-6))


@pytest.mark.parametrize("name", catalog.names())
def test_smooth_flag(name):
    """`smooth` is True exactly when the derivative has no jump (kink)."""
    x = np.linspace(-8, 8, 16001, dtype="float32")
    jumps = np.max(np.abs(np.diff(catalog.derivative(name, x))))
    assert catalog.get(name).smooth == bool(jumps < 0.01)


@pytest.mark.parametrize("name", catalog.names())
def test_saturating_flag(name):
    """`saturating` is True exactly when the derivative vanishes on both sides."""
    d = catalog.derivative(name, np.array([-100.0, 100.0], dtype="float32"))
    assert catalog.get(name).saturating == bool(np.all(np.abs(d) < 1e-3))


@pytest.mark.parametrize("name", catalog.names())
def test_zero_centred_flag(name):
    """`zero_centred` is True exactly when standard-normal inputs give mean output ~0."""
    z = np.random.default_rng(1).normal(size=400_000).astype("float32")
    mean = float(np.mean(catalog.get(name)(z)))
    assert catalog.get(name).zero_centred == (abs(mean) < 0.05), mean


@pytest.mark.parametrize("name", catalog.names())
def test_output_range(name):
    """Outputs stay inside the stated range, and come close to its finite ends."""
    low, high = catalog.get(name).output_range
    x = np.concatenate([np.linspace(-40, 40, 80001), [-1e4, 1e4]]).astype("float32")
    y = catalog.get(name)(x)
    assert y.min() >= low - 1e-3 and y.max() <= high + 1e-3
    if math.isfinite(low):
        assert y.min() == pytest.approx(low, abs=2e-3)
    if math.isfinite(high):
        assert y.max() == pytest.approx(high, abs=2e-3)


@pytest.mark.parametrize(
    ("given", "expected"),
    [("ReLU", "relu"), ("swish", "silu"), ("Leaky-ReLU", "leaky_relu"),
     ("hard swish", "hard_silu"), ("  tanh ", "tanh")],
)
def test_get_normalises_names_and_aliases(given, expected):
    """Case, dashes, spaces and aliases resolve to the canonical name."""
    assert catalog.get(given).name == expected


def test_unknown_name_suggests_close_matches():
    """A typo gets a ValueError repeating the input and suggesting relu."""
    with pytest.raises(ValueError, match=r"'rleu'.*Did you mean 'relu'") as info:
        catalog.get("rleu")
    assert "Known activations:" in str(info.value)


def test_non_string_name_is_a_type_error():
    """Passing a function instead of a name says what was received."""
    with pytest.raises(TypeError, match="Received: .*function"):
        catalog.get(lambda x: x)


def test_canonical_name_accepts_keras_only_names_on_request():
    """A name only Keras knows resolves with allow_keras=True and is refused without it."""
    assert catalog.canonical_name("Hard-Tanh", allow_keras=True) == "hard_tanh"
    assert catalog.canonical_name("swish", allow_keras=True) == "silu"
    with pytest.raises(ValueError, match="Unknown activation name: 'hard_tanh'"):
        catalog.canonical_name("hard_tanh")
    with pytest.raises(ValueError, match="Did you mean 'relu'"):
        catalog.canonical_name("rleu", allow_keras=True)


def test_catalog_module_declares_its_public_names():
    """__all__ lists what exists; the module is not iterable (use names())."""
    assert set(catalog.__all__) <= set(dir(catalog))
    assert {"get", "canonical_name", "names", "properties_table"} <= set(catalog.__all__)
    with pytest.raises(TypeError):
        iter(catalog)


def test_properties_table_renders_every_activation():
    """The table has one row per activation and renders as text, Markdown and HTML."""
    table = catalog.properties_table()
    assert [r["name"] for r in table.rows] == catalog.names()
    md = table._repr_markdown_()
    assert md.count("\n") == len(catalog.names()) + 1
    html = table._repr_html_()
    assert html.count("<tr>") == len(catalog.names()) + 1 and "<td>[0, inf)</td>" in html
    assert "[0, inf)" in str(table)
    assert [r["name"] for r in catalog.properties_table(["tanh", "relu"]).rows] == [
        "tanh", "relu"]
