"""Claims of notebook 10 (choosing activations) and of its quiz feedback, each checked.

The quiz feedback (``actlab.exercises.nb10``) states mechanisms: these tests compute the
loss and its gradient the way Keras does (TensorFlow backend, ``tf.GradientTape``) and
check that each sentence says what really happens, with a control that makes each check
able to fail. The notebook's claims about the JAX and PyTorch backends are read from
Keras's source (those backends are not installed): the tests read the same lines.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import nbformat
import numpy as np
import pytest

from actlab import exercises
from actlab.exercises import Incorrect, nb10

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "10_choosing_activations.ipynb"
KERAS_SRC = Path(keras.__file__).resolve().parent / "src"


def _refusal(qid: str, letter: str) -> str:
    with pytest.raises(Incorrect) as caught:
        getattr(exercises.load("10"), qid).checker(letter)
    return str(caught.value)


def _tensorflow_only():
    if keras.backend.backend() != "tensorflow":
        pytest.skip("these measure the TensorFlow backend")


def _markdown() -> str:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


# --- q1 (c): CategoricalCrossentropy() on one raw output ------------------------------
def _categorical_loss_and_gradient(z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    zt = tf.Variable(z)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras warns about one class: that is the mistake
        with tf.GradientTape() as tape:
            loss = keras.losses.categorical_crossentropy(y, zt)
    return loss.numpy(), tape.gradient(loss, zt).numpy()


def test_q1_c_one_output_gives_a_constant_loss_and_zero_gradient():
    """z / z = 1: the loss is -y log(1 - 1e-7) for any output and the gradient is exactly 0."""
    _tensorflow_only()
    z = np.array([[-3.0], [0.5], [30.0], [-0.2]], dtype="float32")
    y = np.array([[1.0], [1.0], [0.0], [0.0]], dtype="float32")
    loss, grad = _categorical_loss_and_gradient(z, y)
    cap = -np.log(np.float32(1) - np.float32(1e-7))
    assert np.allclose(loss, y[:, 0] * cap, atol=1e-9)
    assert np.all(grad == 0)
    assert nb10.one_unit_categorical(0.5) == pytest.approx((float(cap), 0.0), abs=1e-9)


def test_q1_c_control_two_outputs_do_get_a_gradient():
    """Control: the same loss on two outputs has a gradient, so the test above could fail."""
    _tensorflow_only()
    z = np.array([[0.2, 0.7]], dtype="float32")
    _, grad = _categorical_loss_and_gradient(z, np.array([[1.0, 0.0]], dtype="float32"))
    assert np.abs(grad).max() > 0.1


def test_q1_c_feedback_names_the_division_not_a_softmax():
    """The feedback explains z / z = 1 and the zero gradient; option (c) has no softmax."""
    message = _refusal("q1", "c")
    assert "divides the output by its sum" in message and "z / z = 1" in message
    assert "gradient is 0" in message
    assert "softmax" not in message


# --- q1 (a): BinaryCrossentropy() on a raw logit ---------------------------------------
@pytest.mark.parametrize(("logit", "label"), [(-5.0, 1.0), (5.0, 1.0), (30.0, 0.0), (-0.5, 0.0)])
def test_q1_a_logits_outside_0_1_get_no_gradient(logit, label):
    """A logit outside (0, 1) taken for a probability is clipped: capped loss, gradient 0."""
    loss, grad, right, right_grad = nb10.logit_as_probability(logit, label)
    assert grad == 0.0
    assert loss <= -np.log(1e-7) + 1e-3
    assert right_grad != 0.0 and right == pytest.approx(
        np.logaddexp(0, logit if label == 0 else -logit), rel=1e-4
    )


@pytest.mark.parametrize(("logit", "label", "expected"), [(0.3, 1.0, -1 / 0.3), (0.6, 0.0, 2.5)])
def test_q1_a_control_logits_inside_0_1_move_as_probabilities(logit, label, expected):
    """Control: inside (0, 1) the gradient is that of -log(z) / -log(1 - z), not 0."""
    _, grad, _, _ = nb10.logit_as_probability(logit, label)
    assert grad == pytest.approx(expected, rel=1e-2)


def test_q1_a_feedback_gives_option_a_numbers():
    """(a)'s feedback quotes the logit-as-probability losses, not the sigmoid-probability ones."""
    message = _refusal("q1", "a")
    assert "takes the logit itself for a probability" in message
    assert "costs 16.1 instead of 5.0" in message and "15.9 instead of 30.0" in message
    assert "gradients 0 and 0" in message


# --- q3 (a) and c11: the cache is a safety net, not what makes it train ----------------
def test_q3_a_confidently_wrong_softmax_example():
    """Below 1e-7 the probability loss is capped at 16.1 with gradient 0; logits give 20 and -1."""
    probs, probs_grad, logits, logits_grad = nb10.confidently_wrong_softmax()
    assert probs == pytest.approx(-np.log(1e-7), abs=1e-3) and probs_grad == 0.0
    assert logits == pytest.approx(20.0, abs=1e-3) and logits_grad == pytest.approx(-1.0, abs=1e-3)
    # Control: with a small gap nothing is clipped and both losses agree.
    small = nb10.confidently_wrong_softmax(gap=3.0)
    assert small[0] == pytest.approx(small[2], rel=1e-4) and small[1] != 0.0
    message = _refusal("q3", "a")
    assert "it trains, on every backend" in message and "only because" not in message


def test_c11_cache_is_used_in_a_graph_and_missing_on_a_hand_written_softmax():
    """In a tf.function (as in fit) Keras's softmax output gives 20, a hand-written one 16.1."""
    _tensorflow_only()

    def my_softmax(x):
        e = keras.ops.exp(x - keras.ops.max(x, axis=-1, keepdims=True))
        return e / keras.ops.sum(e, axis=-1, keepdims=True)

    @tf.function
    def losses(z):
        label = np.array([0])
        return (
            keras.losses.sparse_categorical_crossentropy(label, keras.activations.softmax(z)),
            keras.losses.sparse_categorical_crossentropy(label, my_softmax(z)),
        )

    cached, plain = (float(v[0]) for v in losses(tf.constant([[0.0, 20.0, 0.0]])))
    assert cached == pytest.approx(20.0, abs=1e-3)
    assert plain == pytest.approx(-np.log(1e-7), abs=1e-3)


def test_c11_text_does_not_say_it_trains_only_because_of_the_cache():
    text = _markdown()
    assert "only because" not in text
    assert "The cache is *not* what makes" in text


# --- c13: softmax output + from_logits=True, per backend ----------------------------
def test_c13_tensorflow_uses_the_cached_logits_and_np_asarray_detaches_them():
    """TF: 0.4170 (the logits' loss) with a warning; after np.asarray: 0.8021 (double softmax)."""
    _tensorflow_only()
    logits = np.array([[2.0, 1.0, 0.1]], dtype="float32")
    probs = keras.activations.softmax(logits)
    label = np.array([0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cached = float(
            keras.losses.sparse_categorical_crossentropy(label, probs, from_logits=True)[0]
        )
    detached = np.asarray(probs)
    twice = float(
        keras.losses.sparse_categorical_crossentropy(label, detached, from_logits=True)[0]
    )
    assert any("does not represent logits" in str(w.message) for w in caught)
    assert cached == pytest.approx(-np.log(np.exp(2.0) / np.exp(logits).sum()), abs=1e-5)
    assert cached == pytest.approx(0.4170, abs=1e-4)
    assert twice == pytest.approx(
        -np.log(np.exp(detached[0, 0]) / np.exp(detached).sum()), abs=1e-5
    )
    assert twice == pytest.approx(0.8021, abs=1e-4)


def _lines(relative: str) -> list[str]:
    return (KERAS_SRC / relative).read_text().splitlines()


def test_c13_cited_keras_source_lines_say_what_the_notebook_says():
    """The lines the notebook cites (Keras 3.15.1) are where it says; elsewhere: by content."""
    text = _markdown()
    tf_nn, jax_nn, torch_nn = (_lines(f"backend/{b}/nn.py") for b in ("tensorflow", "jax", "torch"))
    activations = _lines("activations/activations.py")
    if keras.__version__ == "3.15.1":  # the version whose line numbers the notebook quotes
        assert tf_nn[1261].startswith("def _get_logits") and "_keras_logits" in tf_nn[1268]
        assert "warnings.warn" in tf_nn[1287]
        assert (
            "output._keras_logits = x" in activations[160] and "_keras_logits" in activations[499]
        )
        assert "log_softmax(output" in jax_nn[980] and "log_softmax(output" in jax_nn[1007]
        assert "log_softmax(output" in torch_nn[866] and "cross_entropy(output" in torch_nn[911]
        assert tf_nn[1294].strip() == "return output_, from_logits_"  # the end of _get_logits
        assert (
            tf_nn[1271].strip() == "from_expected_op_type = ("
            and "op.type == op_type" in tf_nn[1274]
        )
        assert tf_nn[1283].strip() == "output_ = output.op.inputs[0]" and "True" in tf_nn[1284]
        assert "lines 1262-1295" in text and "lines 980-981 and 1007-1008" in text
        assert "lines 1272-1285" in text and "lines 1287-1294 warn" in text
        assert "lines 1262-1296" not in text
    # Whatever the version: only the TensorFlow backend reads the cache.
    readers = sorted(
        p.parent.name
        for p in (KERAS_SRC / "backend").glob("*/nn.py")
        if "_keras_logits" in p.read_text()
    )
    assert readers == ["tensorflow"]
    assert not any("_keras_logits" in line for line in jax_nn + torch_nn)


# --- c19 and q5 (c): what ReLU's derivative of 1 does and does not do -------------------
def test_relu_mechanism_is_worded_as_measured():
    """No 'does not shrink' for ReLU; the text names Glorot's 1/sqrt(2) and He's fix."""
    text = _markdown()
    assert not re.search(r"so it does not shrink", text)
    assert "1/√2 per layer" in text and "He initialisation makes up for it" in text
    message = _refusal("q5", "c")
    assert "no shrinking" not in message and "1/sqrt(2) per layer" in message


def test_cheat_sheet_selu_row_follows_the_paper():
    """Klambauer et al.: derived for lecun_normal; AlphaDropout keeps it under dropout."""
    text = _markdown()
    row = next(line for line in text.splitlines() if line.startswith("| hidden, self-normalising"))
    assert "only with" not in row
    assert "lecun_normal" in row and "AlphaDropout" in row and "Klambauer" in row


def test_c13_only_the_tensorflow_backend_reads_the_cache():
    """`_keras_logits` appears in three files: two set it, only the TensorFlow backend reads it."""
    files = sorted(
        str(p.relative_to(KERAS_SRC))
        for p in KERAS_SRC.rglob("*.py")
        if "_keras_logits" in p.read_text(errors="ignore")
    )
    assert files == ["activations/activations.py", "backend/tensorflow/nn.py", "legacy/backend.py"]
    for setter in ("activations/activations.py", "legacy/backend.py"):
        uses = [line for line in _lines(setter) if "_keras_logits" in line]
        assert all("._keras_logits = " in line for line in uses), uses


# --- review 10, finding 1 and 8: the order of clip and division, per backend --------------
def _function_body(lines: list[str], name: str) -> list[str]:
    start = next(i for i, line in enumerate(lines) if line.startswith(f"def {name}("))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("def "))
    return lines[start:end]


def _index(body: list[str], fragment: str) -> int:
    return next(i for i, line in enumerate(body) if fragment in line)


def test_q3_d_tensorflow_clips_then_renormalises_raw_logits():
    """TF: logits [2, -1, 0.5] cost 0.4055 = clip, then renormalise; divide-then-clip is 1.2e-7."""
    _tensorflow_only()
    raw = nb10.raw_logits_as_probabilities()
    assert raw["loss"] == pytest.approx(raw["clip_then_renormalise"], abs=1e-5)
    assert raw["loss"] == pytest.approx(np.log(1.5), abs=1e-5)  # [1 - 1e-7, 1e-7, 0.5]: 1 / 1.5
    # Control: the other order gives another number, so the assertion above can fail.
    assert raw["divide_then_clip"] < 1e-6 and abs(raw["loss"] - raw["divide_then_clip"]) > 0.4
    # 2 and -1 are outside (0, 1): clipped, gradient 0; 0.5 inside: it moves.
    assert raw["gradient"][0] == 0 and raw["gradient"][1] == 0 and raw["gradient"][2] > 0.5


def test_q3_d_control_logits_inside_0_1_all_get_a_gradient():
    """Control: raw values all inside (0, 1) are not clipped, every gradient is non-zero."""
    _tensorflow_only()
    raw = nb10.raw_logits_as_probabilities((0.2, 0.3, 0.5))
    assert np.all(raw["gradient"] != 0)


def test_keras_source_orders_clip_and_division_as_the_feedback_says():
    """TF: clip, log, softmax cross-entropy (no division); JAX and PyTorch: divide, then clip."""
    tf_body = _function_body(_lines("backend/tensorflow/nn.py"), "sparse_categorical_crossentropy")
    assert not any("/ tf.reduce_sum" in line for line in tf_body)
    assert _index(tf_body, "tf.clip_by_value(") < _index(tf_body, "tf.math.log(output)")
    assert _index(tf_body, "tf.math.log(output)") < _index(tf_body, "sparse_softmax_cross_entropy")
    for backend, total, clip in [
        ("jax", "/ jnp.sum(", "jnp.clip("),
        ("torch", "/ torch.sum(", "torch.clip("),
    ]:
        body = _function_body(_lines(f"backend/{backend}/nn.py"), "sparse_categorical_crossentropy")
        assert _index(body, total) < _index(body, clip), backend


def test_q3_d_and_c_feedback_state_the_right_order():
    """(d): TF clips then renormalises, JAX/PyTorch divide first; (c): divide, then clip."""
    d = _refusal("q3", "d")
    assert "On TensorFlow each raw output is clipped into [1e-7, 1 - 1e-7]" in d
    assert "then renormalised" in d and "JAX and PyTorch divide by the sum first" in d
    assert "cost 0.4055" in d and "2 of the 3 gradients are 0" in d
    assert "divides them by their sum (which" not in d
    c = _refusal("q3", "c")
    assert "divides the sigmoids by their sum, then clips" in c
    assert "clips the sigmoids and renormalises" not in c


# --- finding 2: from_logits uses the rearranged form -------------------------------------
def test_c07_from_logits_is_the_rearranged_form_not_log1p_exp():
    """z = 100 on a 'no': Keras gives 100, the rearranged form too; log(1 + e^z) is inf."""
    z = np.array([[100.0], [-100.0]], dtype="float32")
    y = np.array([[0.0], [1.0]], dtype="float32")
    loss = keras.ops.convert_to_numpy(keras.losses.binary_crossentropy(y, z, from_logits=True))
    zz, yy = z[:, 0], y[:, 0]
    rearranged = np.maximum(zz, 0) - zz * yy + np.log1p(np.exp(-np.abs(zz)))
    with np.errstate(over="ignore"):
        as_written = np.log1p(np.exp(zz)) - zz * yy
    assert np.allclose(loss, 100.0) and np.allclose(rearranged, loss)
    assert np.isinf(as_written[0])  # control: the formula the text no longer claims fails here
    text = _markdown()
    assert "max(z, 0) - z·y + log(1 + e^(-|z|))" in text
    assert "computed as `log(1 + e^z)` directly" not in text
    if keras.__version__ == "3.15.1":
        assert "sigmoid_cross_entropy_with_logits" in _lines("backend/tensorflow/nn.py")[1478]
        assert "line 1479" in text


# --- finding 3: where the cache comes from -------------------------------------------------
def test_c11_keras_ops_set_the_cache_and_graphs_recognise_softmax_ops():
    """keras.ops.softmax carries the cache; tf.nn.softmax: 16.1 eagerly, 20.0 in a graph."""
    _tensorflow_only()
    z = tf.constant([[0.0, 20.0, 0.0]])
    label = np.array([0])

    def loss(p):
        return float(keras.losses.sparse_categorical_crossentropy(label, p)[0])

    assert hasattr(keras.ops.softmax(z), "_keras_logits") and hasattr(
        keras.ops.sigmoid(z), "_keras_logits"
    )
    assert loss(keras.ops.softmax(z)) == pytest.approx(20.0, abs=1e-3)
    assert loss(tf.nn.softmax(z)) == pytest.approx(-np.log(1e-7), abs=1e-3)  # eager: no rescue

    @tf.function
    def in_graph(v):
        return keras.losses.sparse_categorical_crossentropy(label, tf.nn.softmax(v))

    assert float(in_graph(z)[0]) == pytest.approx(20.0, abs=1e-3)
    tf_nn = _lines("backend/tensorflow/nn.py")
    if keras.__version__ == "3.15.1":
        assert "_keras_logits = logits" in tf_nn[43] and "_keras_logits = logits" in tf_nn[171]


def test_c11_c13_text_names_the_custom_activations_without_a_cache():
    text = _markdown()
    assert "A custom activation computed without Keras's or TensorFlow's sigmoid/softmax" in text
    assert "A custom activation (like `my_sigmoid`)" not in text
    assert "`keras.ops.sigmoid`/`softmax` too" in text and "`Softmax` or `Sigmoid` op" in text
    assert "a TensorFlow `Softmax` op (`tf.nn.softmax`, for the categorical losses)" in text


# --- finding 5: the clip is two-sided --------------------------------------------------------
def test_q3_a_confidently_right_example_is_clipped_too_by_about_1e_7():
    """Logits [20, 0, 0], label 0: from probabilities 2.4e-7 with gradient 0; exact 4.1e-9."""
    loss, grad, exact = nb10.confidently_right_softmax()
    assert grad == 0.0 and loss == pytest.approx(2.38e-7, rel=0.01)
    assert exact == pytest.approx(4.12e-9, rel=0.01)
    # Control: a small lead clips nothing, the gradient is back.
    small, small_grad, small_exact = nb10.confidently_right_softmax(lead=3.0)
    assert small_grad < -0.05 and small == pytest.approx(small_exact, rel=1e-4)


def test_q3_a_and_c11_say_the_clip_has_two_ends():
    message = _refusal("q3", "a")
    assert "changes any probability below 1e-7 or above 1 - 1e-7" in message
    assert "costs 2.4e-07 instead of 4.1e-09 with gradient 0" in message
    assert "clipped only below" not in message
    text = _markdown()
    assert "The clip changes any probability below `1e-7` or above `1 - 1e-7`" in text
    assert "The clip changes only probabilities below" not in text


# --- finding 6: the double softmax band --------------------------------------------------------
def test_c14_double_softmax_loss_lies_in_0_55_to_1_55_for_any_probabilities():
    """log(Σ e^(p_j - p_0)) for 3 probabilities: between log(1 + 2/e) and log(2 + e)."""
    lo, hi = np.log(1 + 2 / np.e), np.log(2 + np.e)
    q = np.random.default_rng(1).dirichlet([0.3] * 3, size=2000).astype("float32")
    label = np.zeros(len(q), dtype="int32")
    band = keras.ops.convert_to_numpy(
        keras.losses.sparse_categorical_crossentropy(label, q, from_logits=True)
    )
    assert band.min() >= lo - 1e-6 and band.max() <= hi + 1e-6
    # Control: the same values read as logits scaled by 10 leave the band.
    wide = keras.ops.convert_to_numpy(
        keras.losses.sparse_categorical_crossentropy(label, 10 * q, from_logits=True)
    )
    assert wide.max() > hi + 1
    text = _markdown()
    assert "`log(1 + 2/e) = 0.55` and `log(2 + e) = 1.55`" in text and "0.02 and 4.61" in text
    assert "get almost the same loss" not in text


# --- finding 7 and 12: q5 (a) and q2 (d) ---------------------------------------------------
def test_q5_a_tanh_shrinks_below_1_everywhere_except_0():
    """tanh'(0.5) = 0.79, tanh'(1) = 0.42: quoted in the feedback; no 'only where it saturates'."""
    message = _refusal("q5", "a")
    for x in (0.5, 1.0):
        assert f"{1 - np.tanh(x) ** 2:.2f} at {x:g}" in message
    assert 1 - np.tanh(0.5) ** 2 < 0.8  # control: a real shrink well before saturation
    assert "below 1 everywhere except at 0" in message and "only where it saturates" not in message


def test_q2_d_relu_is_zero_for_negative_inputs_not_for_half():
    """ReLU is 0 exactly where x <= 0: on inputs centred at 2, 2 % zeros, not half."""
    x = np.random.default_rng(0).normal(2.0, 1.0, size=10_000).astype("float32")
    out = keras.ops.convert_to_numpy(keras.activations.relu(x))
    assert np.array_equal(out == 0, x <= 0)
    assert np.mean(out == 0) < 0.05
    message = _refusal("q2", "d")
    assert "exactly 0 for negative inputs" in message and "half" not in message


# --- finding 9: c19, c21 and the cheat sheet quote what 07 checks -------------------------
def _code_of(notebook: str) -> str:
    path = NOTEBOOK.parent / notebook
    cells = nbformat.read(path, as_version=4).cells
    return "\n".join(c.source for c in cells if c.cell_type == "code")


def test_c19_c21_claims_are_the_ones_notebook_07_checks():
    code07 = _code_of("07_comparing_on_mnist.ipynb")
    assert re.search(r"assert acc\[\"sigmoid\"\] < min\(acc\[k\] for k in others\)", code07)
    assert re.search(r"assert all\(best - acc\[k\] < 0.025 for k in others\)", code07)
    assert re.search(r"best = max\(acc.values\(\)\)", code07)
    assert re.search(r"assert both\[\"gelu\"\] > 1.5", code07)
    assert re.search(r"assert all\(0.25 < fwd\[n\] < 4 for n in simple\)", code07)
    assert re.search(r"\[\"forward_min_ms\"\] > 2 \* worst", code07)
    text = _markdown()
    assert "well ahead of sigmoid" not in text and "ahead of sigmoid (07 checks both)" in text
    assert "within 2.5 points of the best of six activations" in text
    # c19 item 4: 07's sigmoid lags for what it sends forward, not for its derivative (Adam)
    assert "with Adam, a gradient 4x larger everywhere learns the same curve" in code07
    assert "not because of its small derivative (Adam makes up for" in text
    assert "In 07 it learned slowest; in 09" not in text
    assert "among the cheapest" not in text and "which one comes out cheapest changes" in text
    assert "(07 checks within 4x of ReLU on a quiet machine)" in text
    assert "Per value they cost more than ReLU" not in text
    assert "Exact GELU needs an `erf` per value and costs more than ReLU (07 checks it" in text
    row = next(line for line in text.splitlines() if line.startswith("| hidden, transformers"))
    assert "exact GELU costs a little more compute" in row


# --- finding 10: a forgotten from_logits, right-side logits --------------------------------
def test_c12d_right_side_logits_get_the_floor_not_the_cap():
    """5 on a 'yes' costs -log(1 - 1.19e-7) = 1.2e-7 with gradient 0; -5 on a 'yes' 16.1."""
    loss, grad, _, _ = nb10.logit_as_probability(5.0, 1.0)
    assert grad == 0.0 and loss == pytest.approx(2.0**-23, rel=0.01)
    wrong_side, _, _, _ = nb10.logit_as_probability(-5.0, 1.0)
    assert wrong_side == pytest.approx(-np.log(1e-7), abs=1e-3)  # control: the cap, not the floor
    text = _markdown()
    assert "a loss fixed at its clip value (16.1 or 15.9 if it is on the wrong side" in text
    assert "gets a capped loss" not in text
    assert "gets a loss fixed at its clip value" in _refusal("q1", "a")


# --- note on c12c: the training comparison is an identity ---------------------------------
def test_c11_says_the_training_runs_agree_by_identity():
    text = _markdown()
    assert "That shows an identity rather than the cache at work" in text
    assert "no training example's true class is below `1e-7` (checked on the hand-written" in text


# --- finding 13: the options the checker accepts are the notebook's -------------------------
def test_quiz_options_are_the_notebooks_option_lines():
    """A line pasted from the notebook is option text the checker knows, letter for letter."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for qid, options in nb10.OPTIONS.items():
        cell = next(c.source for c in nb.cells if c.source.startswith(f"**{qid}.**"))
        lines = [line[2:] for line in cell.splitlines() if line.startswith("- (")]
        assert lines == [f"({k}) {v}" for k, v in options.items()], qid
        for letter, line in zip(options, lines, strict=True):
            question = getattr(exercises.load("10"), qid)
            if letter == {"q4": "a"}.get(qid, "b"):
                assert question.checker(line) and question.checker(f"- {line}")
            else:
                assert _refusal(qid, line).startswith(f"({letter}) is not it")


def test_sigmoid_varies_up_to_4x_less_than_tanh():
    """c19: sigmoid varies up to 4x less than tanh (slopes 1/4 vs 1 at 0), ~3x at variance 1."""
    rng = np.random.default_rng(0)
    ratios = {}
    for s in (0.01, 1.0, 2.0):
        z = rng.normal(0.0, s, 200_000)
        ratios[s] = np.std(np.tanh(z)) / np.std(1 / (1 + np.exp(-z)))
    assert 3.95 < ratios[0.01] <= 4.0 + 1e-3  # the slope ratio at 0
    assert 2.8 < ratios[1.0] < 3.2 and ratios[2.0] < ratios[1.0] < ratios[0.01]
    # control: a sigmoid scaled to tanh's range varies as much as tanh
    z = rng.normal(0.0, 1.0, 200_000)
    assert abs(np.std(np.tanh(z)) / np.std(2 / (1 + np.exp(-2 * z)) - 1) - 1) < 1e-9
