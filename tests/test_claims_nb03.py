"""Claims of notebook 03 (activations in Keras): reloading custom activations and PReLU's slopes.

The cells are run in-process; each mutation is a scratch change to one cell that makes one claim
false, and the test asserts that the check cell then fails on the assert that backs it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cellrunner import CellRunner

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "03_activations_in_keras.ipynb"
RELOAD = ["nb03-cell-02", "nb03-cell-13a", "nb03-cell-13b"]
PRELU = ["nb03-cell-02", "nb03-cell-14", "nb03-cell-17", "nb03-cell-17a"]
SUMMARY = ["nb03-cell-02", "nb03-cell-04", "nb03-cell-06", "nb03-cell-10b"]


_CELLS = CellRunner(NOTEBOOK)
_sources, _run, _fails_at = _CELLS.sources, _CELLS.run, _CELLS.fails_at


@pytest.mark.parametrize("seed", [42, 0, 1, 7])
def test_reload_and_prelu_checks_pass(seed):
    """Both check cells pass at the committed seed and three others."""
    _run(RELOAD, seed=seed)
    _run(PRELU, seed=seed)


@pytest.mark.parametrize(("mutate", "check", "snippet", "errors"), [
    # if Keras found an unregistered function by itself, "loading fails" would be false
    (("nb03-cell-13a", "    keras.saving.load_model(path)\n",
      '    keras.saving.load_model(path, custom_objects={"doubled_tanh": doubled_tanh})\n'),
     "nb03-cell-13b", "assert failed_without_help", (AssertionError,)),
    # custom_objects mapping the name to another function: not the function, other predictions
    (("nb03-cell-13a", 'custom_objects={"doubled_tanh": doubled_tanh})  # way 1',
      'custom_objects={"doubled_tanh": keras.activations.tanh})  # way 1'),
     "nb03-cell-13b", "activation is doubled_tanh", (AssertionError,)),
    # custom_object_scope mapping the name to another function
    (("nb03-cell-13a", 'custom_object_scope({"doubled_tanh": doubled_tanh}):  # way 2',
      'custom_object_scope({"doubled_tanh": keras.activations.tanh}):  # way 2'),
     "nb03-cell-13b", "with_scope.layers[0].activation is doubled_tanh", (AssertionError,)),
    # without the registration, load_model(path) alone does not find registered_tanh
    (("nb03-cell-13a", '@keras.saving.register_keras_serializable(package="nb03")  # way 3\n', ""),
     "nb03-cell-13a", "with_registration = keras.saving.load_model(path)", (TypeError,)),
    # "looked up when loading": if the registration were not removed, the file would load
    (("nb03-cell-13b", 'keras.saving.get_custom_objects().pop("nb03>registered_tanh")', "pass"),
     "nb03-cell-13b", "assert not found_unregistered", (AssertionError,)),
    # not registered again before loading: the load fails
    (("nb03-cell-13b", 'keras.saving.register_keras_serializable(package="nb03")(registered_tanh)',
      "pass"), "nb03-cell-13b", "assert not found_unregistered", (TypeError,)),
])
def test_reload_checks_fail_when_broken(mutate, check, snippet, errors):
    """Each way of reloading is needed: take it away and the cell fails."""
    import keras

    # A registration left by an earlier test in this process would find the function anyway.
    keras.saving.get_custom_objects().pop("nb03>registered_tanh", None)
    _fails_at(RELOAD, mutate, check, snippet, errors)


@pytest.mark.parametrize(("mutate", "snippet"), [
    (("nb03-cell-17", "np.full(prelu.alpha.shape, 0.25,", "np.full(prelu.alpha.shape, 0.5,"),
     "0.25 * z"),
    # "one slope per unit" (per last axis) would give (3,), not (4, 3)
    (("nb03-cell-17", "per_element = layers.PReLU()",
      "per_element = layers.PReLU(shared_axes=[1])"),
     "per_element.alpha.shape == (4, 3)"),
    (("nb03-cell-17", "shared = layers.PReLU(shared_axes=[1])", "shared = layers.PReLU()"),
     "per_element.alpha.shape == (4, 3)"),
    (("nb03-cell-17a", "layers.PReLU(shared_axes=[1, 2])", "layers.PReLU(shared_axes=[1])"),
     "count_params() == 2352"),
    (("nb03-cell-17a", "np.array([[0.1, 0.2, 0.3]]", "np.array([[0.3, 0.2, 0.1]]"),
     "np.broadcast_to"),
])
def test_prelu_checks_fail_when_broken(mutate, snippet):
    """PReLU's shapes and slopes: each assert fails when its claim is made false."""
    _fails_at(PRELU, mutate, "nb03-cell-17a", snippet)


def test_summary_check_passes():
    """The summary check passes unmutated, and compares whole summaries, layer rows included."""
    ns = _run(SUMMARY)
    assert sum("(Dense)" in line for line in ns["text"].splitlines()) == 3


@pytest.mark.parametrize(("mutate", "snippet"), [
    # a summary that showed the tanh activations would differ between relu and tanh
    (("nb03-cell-10b", '    return "\\n".join(lines)\n',
      '    return "\\n".join(lines) + "".join(f" {layer.activation.__name__}" '
      'for layer in model.layers if getattr(layer.activation, "__name__", "") == "tanh")\n'),
     'summary_text(tanh_twin) == text'),
    # a layer row that differs (another width) is caught: the rows are compared, not filtered out
    (("nb03-cell-10b", 'layers.Dense(d.units, activation=',
      'layers.Dense(d.units + (d.units == 64), activation='),
     'summary_text(tanh_twin) == text'),
    # the twin must really use tanh
    (("nb03-cell-10b", '"softmax" if d.units == 10 else "tanh"',
      '"softmax" if d.units == 10 else "relu"'),
     '["tanh", "tanh", "softmax"]'),
])
def test_summary_check_fails_when_broken(mutate, snippet):
    """relu or tanh, the same summary: fails for a summary that shows tanh or a differing row."""
    _fails_at(SUMMARY, mutate, "nb03-cell-10b", snippet)


@pytest.mark.parametrize(("cells", "mutate", "snippet"), [
    # rows that sum to 1 without being a softmax (the review's x / x.sum()): the formula check fails
    (["nb03-cell-02", "nb03-cell-14"],
     ("nb03-cell-14", "probs = apply(layers.Softmax(axis=-1), scores)",
      "probs = np.abs(scores) / np.abs(scores).sum(axis=-1, keepdims=True)"),
     "np.exp(scores)"),
    # without the copied weights the three models differ: the assert is about the same function
    (["nb03-cell-02", "nb03-cell-04", "nb03-cell-06", "nb03-cell-08", "nb03-cell-10"],
     ("nb03-cell-10", "m.set_weights(model_argument.get_weights())", "pass"),
     "np.allclose(p, predictions[0]"),
    (["nb03-cell-02", "nb03-cell-14", "nb03-cell-27"],
     ("nb03-cell-27", "apply(layers.LeakyReLU(), minus_one)",
      "apply(layers.LeakyReLU(negative_slope=0.2), minus_one)"), "np.isclose(layer_default, -0.3)"),
])
def test_other_checks_fail_when_broken(cells, mutate, snippet):
    """Checks this notebook already had: three ways agree only with shared weights; 0.3 vs 0.2."""
    _fails_at(cells, mutate, mutate[0], snippet)
