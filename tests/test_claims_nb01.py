"""Claims of notebook 01 (activation gallery): each check passes, fails when its claim is broken.

The check cells are run in-process (the cells they need, in order); each mutation is a scratch
change to one cell that makes one claim false, and the test asserts that the check cell then
fails on the assert that backs that claim.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cellrunner import CellRunner

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "01_activation_gallery.ipynb"
ZIGZAG = ["nb01-02", "nb01-18b", "nb01-18b-check"]
# nb01-05 defines sigmoid, nb01-08 imports tf
SILU = ["nb01-02", "nb01-05", "nb01-08", "nb01-20", "nb01-20-check"]
SOFTMAX = ["nb01-02", "nb01-05", "nb01-08", "nb01-22", "nb01-22-check"]


_CELLS = CellRunner(NOTEBOOK)
_sources, _run, _fails_at = _CELLS.sources, _CELLS.run, _CELLS.fails_at


@pytest.mark.parametrize("seed", [42, 0, 1, 7, 142, 187, 189, 231, 324])
def test_zigzag_checks_pass_at_several_seeds(seed):
    """The bands hold at the committed seed, three others and the five review 2 found failing
    (142, 187, 189 with lr 0.1; 231, 324 broke ReLU-between-tanh-and-zigzags at lr 0.1)."""
    _run(ZIGZAG, seed=seed)


def test_silu_and_softmax_checks_pass():
    """The silu/beta and softmax-backend check cells pass unmutated."""
    _run(SILU)
    _run(SOFTMAX)


ZIGZAG_MUTATIONS = {
    "lr 0.5: the unbounded activations diverge": (
        ("nb01-18b", "lr=0.05", "lr=0.5"), "overshoot_steps == 0"),
    "sigmoid called unbounded (diverging at lr 0.5)": (
        ("nb01-18b-check", 'unbounded = ["softplus"', 'unbounded = ["sigmoid", "softplus"'),
        "diverge_at_05[n] > 0"),
    "ELU called never negative": (
        ("nb01-18b-check", '["sigmoid", "softplus", "relu"]',
         '["sigmoid", "softplus", "relu", "elu"]'),
        "np.all(paths[name].inputs >= 0)"),
    "softplus called both-signed": (
        ("nb01-18b-check", "for name in both_signs:", 'for name in [*both_signs, "softplus"]:'),
        "np.sign(paths[name].inputs)"),
    "tanh called not zero-centred": (
        ("nb01-18b-check", 'for name in ["elu", "silu", "gelu"]',
         'for name in ["elu", "silu", "gelu", "tanh"]'),
        "zero_centred"),
    "softplus called one-weight-per-step like ReLU": (
        ("nb01-18b-check", 'paths["relu"].updates != 0', 'paths["softplus"].updates != 0'),
        "< 0.4"),
    "ReLU's steps called along (1, 1)": (
        ("nb01-18b-check", 'min(along_11["sigmoid"], along_11["softplus"])',
         'min(along_11["sigmoid"], along_11["relu"])'), "along_11"),
    "sigmoid's steps called not along (1, 1)": (
        ("nb01-18b-check", 'for n in ["relu", *both_signs]',
         'for n in ["relu", "sigmoid", *both_signs]'),
        "along_11"),
    # review 2: the lean over tanh is tanh's squeeze; the control (identity) must lean further
    "identity called leaning less than tanh": (
        ("nb01-18b-check", 'along_11["tanh"] < along_11["linear"]',
         'along_11["tanh"] > along_11["linear"]'), 'along_11["linear"]'),
    "tanh's opposite-sign steps called less opposite than identity's": (
        ("nb01-18b-check", 'cos_11(paths["tanh"].inputs[opposite]).mean() <',
         'cos_11(paths["tanh"].inputs[opposite]).mean() >'), "cos_11(control.inputs[opposite])"),
    "a control that saturates like tanh": (
        ("nb01-18b-check", 'two_weight_descent("linear"', 'two_weight_descent("tanh"'),
        "cos_11(control.inputs[opposite])"),
    "ELU's small negative side credited with a lean over identity": (
        ("nb01-18b-check", 'min(along_11["silu"], along_11["gelu"]) > along_11["linear"]',
         'min(along_11["silu"], along_11["gelu"], along_11["tanh"]) > along_11["linear"]'),
        'along_11["linear"]'),
    "ELU's path called a zig-zag": (
        ("nb01-18b-check", 'min(ratio["sigmoid"], ratio["softplus"]) > 1.25',
         'min(ratio["sigmoid"], ratio["elu"]) > 1.25'), "1.25 * max(ratio[n]"),
    "sigmoid's path called between tanh's and the zig-zags": (
        ("nb01-18b-check", 'both_signs) < ratio["relu"] <', 'both_signs) < ratio["sigmoid"] <'),
        '< min(ratio["sigmoid"], ratio["softplus"])'),
    # review 2: "walk the shortest paths": ReLU's must be longer than all four both-signed ones
    "ReLU's path called shorter than the both-signed ones": (
        ("nb01-18b-check", 'max(ratio[n] for n in both_signs) < ratio["relu"]',
         'max(ratio[n] for n in [*both_signs, "relu", "sigmoid"]) < ratio["relu"]'),
        'ratio["relu"] <'),
    "sigmoid's split share called roughly half": (
        ("nb01-18b-check", 'np.mean(np.sign(paths["tanh"].inputs[:, 0]) != np.sign(paths["tanh"]',
         'np.mean(np.sign(paths["sigmoid"].inputs[:, 0]) != np.sign(paths["sigmoid"]'),
        "0.35 < split"),
    "ReLU's inputs called as alike as sigmoid's": (
        ("nb01-18b-check", 'curvature["sigmoid"] < curvature["softplus"] / 3',
         'curvature["relu"] < curvature["softplus"] / 3'), "curvature"),
    "a target 5 times nearer, (0.2, -0.2): sigmoid ends within 0.5": (
        ("nb01-18b", "target=(1.0, -1.0)", "target=(0.2, -0.2)"), "final_distance > 0.5"),
    "sigmoid counted among the six that end within 0.1": (
        ("nb01-18b-check", 'others = [n for n in names if n != "sigmoid"]', "others = names"),
        "< 0.1"),
}


@pytest.mark.parametrize("case", list(ZIGZAG_MUTATIONS))
def test_zigzag_checks_fail_when_broken(case):
    """Each assert of the zig-zag check cell fails when its claim is made false."""
    mutate, snippet = ZIGZAG_MUTATIONS[case]
    _fails_at(ZIGZAG, mutate, "nb01-18b-check", snippet)


@pytest.mark.parametrize(("mutate", "snippet"), [
    (("nb01-20-check", "list(inspect.signature(keras.activations.silu)",
      "list(inspect.signature(tf.nn.silu)"), '== ["x"]'),  # a silu that has beta
    (("nb01-20-check", "swish_2, _ = explorer.measure(\"silu\", x, beta=2.0)",
      "swish_2, _ = explorer.measure(\"silu\", x, beta=1.0)"), "not np.allclose(swish_2"),
])
def test_silu_checks_fail_when_broken(mutate, snippet):
    """The silu check fails for a silu with beta, and when beta does not change the curve."""
    _fails_at(SILU, mutate, "nb01-20-check", snippet)


@pytest.mark.parametrize(("mutate", "snippet"), [
    # the TF backend's softmax replaced by one that subtracts the max in Keras's code
    (("nb01-22-check", 'keras_function("backend/tensorflow/nn.py", "softmax")',
      'keras_function("backend/numpy/nn.py", "softmax")'), '"tf.nn.softmax(" in tensorflow_code'),
    (("nb01-22-check", 'keras_function("activations/activations.py", "softmax")',
      'keras_function("backend/numpy/nn.py", "softmax")'), "activation_code"),
    (("nb01-22-check", 'tf.nn.softmax(tf.constant([[1000.0, 0.0]]))',
      'tf.exp(tf.constant([[1000.0, 0.0]]))'),
     "np.isfinite(big_tf)"),
    (("nb01-22-check", 'takes_a_max(keras_function("backend/numpy/nn.py"',
      'takes_a_max(keras_function("backend/jax/nn.py"'), 'backend/jax/nn.py'),
])
def test_softmax_backend_checks_fail_when_broken(mutate, snippet):
    """The softmax-backend check fails when pointed at code that does (not) subtract the max."""
    _fails_at(SOFTMAX, mutate, "nb01-22-check", snippet)


def test_max_finder_tells_softmax_from_max():
    """Control: the check's max finder ignores 'softmax'/'Softmax' and finds np.max / reduce_max."""
    ns = _run(SOFTMAX)
    assert not ns["takes_a_max"]("return Softmax(axis)(x) + tf.nn.softmax(x)")
    assert ns["takes_a_max"]("np.exp(x - np.max(x))") and ns["takes_a_max"]("tf.reduce_max(x)")


@pytest.mark.parametrize(("mutate", "snippet"), [
    (("nb01-06a", 'catalog.derivative("sigmoid", pre)', 'catalog.derivative("tanh", pre)'),
     "products.max() <= 0.25**10"),
    (("nb01-08", 'catalog.get("selu")(z)', 'catalog.get("elu")(z)'), "abs(selu_z.mean()) < 0.01"),
])
def test_reseeded_checks_fail_when_broken(mutate, snippet):
    """The two cells whose seeds now derive from SEED still fail for the wrong activation."""
    cells = ["nb01-02", "nb01-05", mutate[0]]
    _fails_at(cells, mutate, mutate[0], snippet)


@pytest.mark.parametrize(("mutate", "snippet"), [
    # ELU goes below zero but keeps falling: it has no minimum followed by a rise
    (("nb01-11", 'for name in ["gelu", "silu", "mish"]:',
      'for name in ["gelu", "silu", "mish", "elu"]:'),
     "y[0] > y[low]"),
    # a curve that only falls below zero and never turns (leaky ReLU) is monotonic
    (("nb01-11", 'for name in ["gelu", "silu", "mish"]:', 'for name in ["gelu", "leaky_relu"]:'),
     "y[0] > y[low]"),
    # mish, which dips and rises again, is not monotonic: the second loop refuses it
    (("nb01-11", '["elu", "selu", "leaky_relu", "tanh"]',
      '["elu", "selu", "leaky_relu", "tanh", "mish"]'),
     "catalog.derivative(name, x).min()"),
])
def test_non_monotonic_check_fails_when_broken(mutate, snippet):
    """Non-monotonic means falling to a minimum and rising again, not merely going below zero."""
    _fails_at(["nb01-02", "nb01-05", "nb01-11"], mutate, "nb01-11", snippet)


@pytest.mark.parametrize(("cells", "mutate", "snippet"), [
    # the zero-centred column is about N(0, 1) inputs: inputs of mean 1 break it
    (["nb01-02", "nb01-18"], ("nb01-18", "normal(size=200_000)", "normal(loc=1.0, size=200_000)"),
     "rec.zero_centred"),
    # review 2: softsign and relu6 formulas checked over x (softsign had no assert)
    (["nb01-02", "nb01-14"],
     ("nb01-14", 'catalog.get("softsign")(wide)', 'catalog.get("tanh")(wide)'),
     "wide / (1 + np.abs(wide))"),
    (["nb01-02", "nb01-14"],
     ("nb01-14", 'catalog.get("relu6")(wide)', 'catalog.get("relu")(wide)'),
     "np.minimum(np.maximum(wide, 0), 6)"),
    # scaling the logits is not a shift: softmax changes
    (["nb01-02", "nb01-22"], ("nb01-22", "softmax(logits + 100.0)", "softmax(logits * 2.0)"),
     "np.allclose(shifted, probs"),
    (["nb01-02", "nb01-22", "nb01-25"],
     ("nb01-25", "softmax(logits[:1] / 0.05)", "softmax(logits[:1] / 1.0)"),
     "cold[0] > 0.99"),
])
def test_other_checks_fail_when_broken(cells, mutate, snippet):
    """Checks this notebook already had: the table's zero-centred flag, shift invariance, T -> 0."""
    _fails_at(cells, mutate, mutate[0], snippet)
