"""Exercises of notebooks 00-05: plausible wrong answers are refused with a specific message.

tests/test_exercises.py runs each question's own list of typical mistakes. Here
the mistakes are written out next to the message they must get, two or more per
question, including the ones a review found accepted (an unlabelled but correct
gallery refused; a leaky ReLU after the output, ``input_shape=``, Keras's own
mish, ``activation="mish"`` without registration accepted).
"""

from __future__ import annotations

import inspect
import warnings

import keras
import numpy as np
import pytest
from matplotlib import pyplot as plt

from actlab import catalog, exercises, plotting
from actlab.exercises import nb00, nb01, nb02, nb03, nb04, nb05
from actlab.surgery import swap_activations as _sa_alias


def _scatter_gallery():
    from matplotlib import pyplot as plt

    fig, axes = plt.subplots(3, 5)
    for name, ax in zip(catalog.names(), axes.ravel(), strict=True):
        ax.scatter(nb01.GALLERY_X, catalog.get(name)(nb01.GALLERY_X), s=2)
    plt.close(fig)
    return fig


def _q(nb: str, qid: str):
    return getattr(exercises.load(nb), qid)


def _leaky_model(*layers):
    return keras.Sequential([keras.Input((8,)), *layers])


def _input_shape_translation():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras warns about input_shape=: the mistake under test
        first = keras.layers.Dense(128, input_shape=(784,))
    rest = [type(lay).from_config(lay.get_config())
            for lay in nb03._translation_reference().layers[1:]]
    return keras.Sequential([first, *rest])


def _swap_one_copying_by_name(model, layer_name, activation):
    """A correct answer written differently from the reference (weights copied by name)."""
    def clone_layer(layer):
        config = layer.get_config()
        if layer.name == layer_name:
            config["activation"] = activation
        return type(layer).from_config(config)

    new = keras.models.clone_model(model, clone_function=clone_layer)
    for layer in model.layers:
        new.get_layer(layer.name).set_weights(layer.get_weights())
    return new


def _swap_one_commented(model, layer_name, activation):
    """Correct, by hand; this comment names swap_activations but the code never calls it."""
    def clone_layer(layer):  # what actlab.swap_activations does for every kind of layer
        config = layer.get_config()
        if layer.name == layer_name:
            config["activation"] = activation
        return type(layer).from_config(config)

    new = keras.models.clone_model(model, clone_function=clone_layer)
    new.set_weights(model.get_weights())  # "swap_activations" copies them the same way
    return new


def _swap_one_aliased_helper(model, layer_name, activation):
    """The helper under another name, imported at module level: still the helper."""
    return _sa_alias(model, {"relu": activation}, layers=[layer_name])


def _swap_one_imported_helper(model, layer_name, activation):
    """The helper imported under its own name inside the function: still the helper."""
    from actlab import swap_activations

    return swap_activations(model, {"relu": activation}, layers=[layer_name])


def _finetune_with_rmsprop(trained):
    """04 q2 written differently: swapped, recompiled with RMSprop, fitted one epoch."""
    from actlab import swap_activations
    from actlab.data import load_mnist

    (x_train, y_train), _ = load_mnist(limit=nb04.MNIST_LIMIT, verbose=False)
    model = swap_activations(trained, {"relu": "gelu"})
    model.compile(optimizer=keras.optimizers.RMSprop(1e-4), loss="sparse_categorical_crossentropy")
    model.fit(x_train.reshape(-1, 784), y_train, epochs=1, batch_size=128, verbose=0)
    return model


def _gelu_mlp_from_scratch():
    """The review's accepted wrong answer: a GELU MLP trained from scratch, never swapped."""
    from actlab.models import mlp

    return nb04._fitted(mlp(784, [64, 32], "gelu", output_units=10, output_activation="softmax"))


def _tanh_exp_cast_first(x):
    """05 q1, correct: casts to float32 first (check_gradient used to fail on it)."""
    x = keras.ops.cast(x, "float32")
    return x * keras.ops.tanh(keras.ops.exp(x))


def _tanh_exp_converted_first(x):
    """05 q1, correct: converts to a float32 tensor first."""
    x = keras.ops.convert_to_tensor(x, dtype="float32")
    return x * keras.ops.tanh(keras.ops.exp(x))


def _tanh_exp_tf_math(x):
    """05 q1, wrong: the values and the gradient are right, but it calls tf.math, not keras.ops."""
    import tensorflow as tf

    return x * tf.math.tanh(tf.math.exp(x))


def _tanh_as_layers():
    """02 q2's reference function, tanh as separate layers (Activation, keras.ops, tf.nn)."""
    import tensorflow as tf

    layers = keras.layers
    model = keras.Sequential([keras.Input((2,)), layers.Dense(16), layers.Activation("tanh"),
                              layers.Dense(16, activation=tf.nn.tanh), layers.Dense(1),
                              layers.Activation(keras.ops.sigmoid)])
    model.set_weights(nb02._tanh_reference().get_weights())
    return model


WRONG = [
    # 00
    ("00", "q1", lambda: 784, "size of one image"),
    ("00", "q1", lambda: nb00._train_count() // 4, "*test* images"),
    ("00", "q1", lambda: np.zeros(3), "You passed an array"),
    ("00", "q1", lambda: nb00._train_count() - 1, "is not the number of training images"),
    ("00", "q1", lambda: float(nb00._train_count()) + 0.5, "Give a whole number"),
    ("00", "q2", lambda: 0.0, "relu(0)"),
    ("00", "q2", lambda: 1.0, "denominator is 1 + 1"),
    ("00", "q2", lambda: 0.25, "is not sigmoid(0)"),
    ("00", "q2", lambda: np.array([0.5, 0.5]), "Give a number"),
    # 01
    ("01", "q1", nb01._three_only, "has the values of"),
    ("01", "q1", nb01._all_in_one, "one panel each"),
    ("01", "q1", nb01._mislabelled, "labelled 'elu' is not elu(x)"),
    ("01", "q1", nb01._relu_in_relu6_panel, "fits both relu and relu6"),
    ("01", "q2", lambda: 1.0, "raise T"),
    ("01", "q2", lambda: 50.0, "to the left"),
    ("01", "q3", lambda: {"tanh"}, "You missed"),
    ("01", "q3", lambda: nb01._zero_centred() | {"sigmoid"}, "never negative"),
    ("01", "q3", lambda: nb01._zero_centred() | {"elu"}, "mean output"),
    # review 2: "move negative_slope into (0, 1)" though 0.005 is in (0, 1)
    ("01", "q4", lambda: 0.005, "equals it only at x = ln(0.005) = -5.30, left of the x range"),
    ("01", "q4", lambda: 1.5, "do not cross for x < 0"),
    # 02
    ("02", "q1", nb02._transposed, "transposed"),
    ("02", "q1", nb02._last_bias_only, "earlier biases"),
    ("02", "q1", nb02._forgot_b2, "W is right but b is not"),
    ("02", "q1", lambda: (nb02._merged_reference()[0], nb02._merged_reference()[1][:, None]),
     "b should have shape (3,)"),
    ("02", "q2", lambda: nb02._untrained("relu"), "uses relu"),
    ("02", "q2", lambda: nb02._untrained(None), "is linear"),
    ("02", "q2", lambda: nb02._untrained("tanh"), "Test accuracy"),
    # review: Dense(16, tanh) -> Dense(16) -> Dense(1, sigmoid) was accepted ("q2: correct!")
    ("02", "q2", lambda: keras.Sequential([
        keras.Input((2,)), keras.layers.Dense(16, "tanh"), keras.layers.Dense(16),
        keras.layers.Dense(1, "sigmoid")]), "has no activation"),
    # 03
    ("03", "q1", nb03._leaky_default, "layer's default"),
    ("03", "q1", nb03._leaky_string, "negative_slope 0.2"),
    ("03", "q1", lambda: _leaky_model(keras.layers.Dense(16), keras.layers.Dense(1),
                                      keras.layers.LeakyReLU(negative_slope=0.1)),
     "Dense(1) output layer"),
    ("03", "q1", lambda: _leaky_model(
        keras.layers.Dense(16),
        keras.layers.Dense(1, activation=keras.layers.LeakyReLU(negative_slope=0.1))),
     "Dense(1) output layer"),
    ("03", "q1", lambda: _leaky_model(keras.layers.LeakyReLU(negative_slope=0.1),
                                      keras.layers.Dense(16), keras.layers.Dense(1)),
     "acts on the 8 inputs"),
    ("03", "q1", lambda: _leaky_model(keras.layers.Dense(16, activation="relu"),
                                      keras.layers.LeakyReLU(negative_slope=0.1),
                                      keras.layers.Dense(1)),
     "already applies relu"),
    ("03", "q1", lambda: _leaky_model(keras.layers.Dense(16),
                                      keras.layers.ReLU(negative_slope=0.25),
                                      keras.layers.Dense(1)),
     "negative slope 0.25 (it maps -1 to -0.25)"),
    ("03", "q1", lambda: _leaky_model(keras.layers.Dense(16, activation="tanh"),
                                      keras.layers.Dense(1)),
     "not a leaky ReLU"),
    ("03", "q1", lambda: _leaky_model(keras.layers.Dense(16), keras.layers.Dense(1)),
     "the hidden layer is linear"),
    ("03", "q1", lambda: _leaky_model(keras.layers.Dense(16), keras.layers.ReLU(),
                                      keras.layers.Dense(1)),
     "a plain ReLU"),
    ("03", "q1", lambda: _leaky_model(keras.layers.Dense(16, activation="elu"),
                                      keras.layers.Dense(1)),
     "negative side is not a straight line through 0 (-1 becomes -0.632"),
    ("03", "q1", lambda: _leaky_model(keras.layers.Dense(16), keras.layers.Activation("relu"),
                                      keras.layers.LeakyReLU(negative_slope=0.1),
                                      keras.layers.Dense(1)),
     "already applies relu"),
    ("03", "q1", lambda: _leaky_model(
        keras.layers.Dense(16),
        keras.layers.Dense(1, activation=keras.layers.LeakyReLU(negative_slope=0.1))),
     "the Dense(1) output layer, bends the output"),
    ("03", "q2", _input_shape_translation, "created with input_shape="),
    ("03", "q2", lambda: nb03._translation_with(keras.layers.ReLU(max_value=1.0)), "caps outputs"),
    ("03", "q2", lambda: nb03._translation_with(keras.layers.ReLU()), "threshold=1.0"),
    # review: accepted though ReLU(threshold=1, negative_slope=0.3) gives 0.3(x - 1) below 1
    ("03", "q2", lambda: nb03._translation_with(
        keras.layers.ReLU(threshold=1.0, negative_slope=0.3)),
     "gives 0.3·(x − 1) below 1; ThresholdedReLU(theta=1.0) gives 0 there"),
    # review: accepted though these slopes start at 1 (linear), Keras 2's PReLU() at 0
    ("03", "q2", lambda: nb03._translation_with(keras.layers.PReLU(alpha_initializer="ones"), 3),
     "PReLU's slopes start at 1"),
    ("03", "q2", lambda: nb03._translation_with(keras.layers.PReLU(shared_axes=[1]), 3),
     "drop shared_axes"),
    ("03", "q2", nb03._translation_without_softmax, "The output has no softmax"),
    ("03", "q2", lambda: nb03._translation_softmax_layer(keras.layers.Softmax(axis=0)),
     "not a softmax over its 10 scores"),
    ("03", "q1", nb03._leaky_sigmoid_output,
     "applies sigmoid. The task asks for a plain Dense(1) output"),
    # review 2: "correct!" though Dense(128, activation="relu") / Dense(16, "sigmoid") compute more
    ("03", "q2", lambda: nb03._translation_with(keras.layers.Dense(128, activation="relu"), 0),
     "applies relu itself, and 'leaky_re_lu"),
    ("03", "q2", lambda: nb03._translation_with(keras.layers.Dense(16, activation="sigmoid"), 6),
     "applies sigmoid itself"),
    ("03", "q2", lambda: nb03._translation_with(keras.layers.Activation("leaky_relu"), 1),
     "maps -2, -1, 0.5, 2 to -0.2, -0.1, 0.5, 2; yours maps them to -0.4, -0.2, 0.5, 2"),
    ("03", "q2", lambda: nb03._translation_with(keras.layers.ReLU(), 3), "PReLU() alone"),
    # review 2: "...bends the output, so the hidden layer stays linear" for a relu hidden layer
    ("03", "q1", lambda: _leaky_model(keras.layers.Dense(16, activation="relu"),
                                      keras.layers.Dense(1, activation="sigmoid")),
     "and the hidden layer applies relu, not a leaky ReLU"),
    ("03", "q1", lambda: _leaky_model(keras.layers.Dense(16, activation="relu"),
                                      keras.layers.Dense(1),
                                      keras.layers.LeakyReLU(negative_slope=0.1)),
     "the hidden layer applies relu, not a leaky ReLU"),
    ("03", "q1", lambda: _leaky_model(keras.layers.Dense(16), keras.layers.LeakyReLU(0.3),
                                      keras.layers.Dense(1, activation="sigmoid")),
     "a leaky ReLU with negative slope 0.3, not"),
    # review 2: accepted as "a leaky ReLU with negative slope 0.1"; its slope is learned
    ("03", "q1", lambda: _leaky_model(keras.layers.Dense(16), keras.layers.PReLU(
        alpha_initializer=keras.initializers.Constant(0.1)), keras.layers.Dense(1)),
     "learns its slope during training; the task asks for a fixed one"),
    # review 2: "it changes positive values (1 becomes 1)": BN gives 0.9995
    ("03", "q1", lambda: _leaky_model(keras.layers.Dense(16), keras.layers.BatchNormalization(),
                                      keras.layers.LeakyReLU(negative_slope=0.1),
                                      keras.layers.Dense(1)),
     "(between them: 'batch_normalization') is not a leaky ReLU: it changes positive values "
     "(1 becomes 0.9995)"),
    ("03", "q3", lambda: (-0.4, -0.6), "Swapped"),
    ("03", "q3", lambda: (-0.02, -0.02), "not 0.01 (PyTorch's default; tf.nn.leaky_relu's is 0.2)"),
    ("03", "q3", lambda: (-0.3, -0.2), "minus the two default slopes (the values at -1)"),
    ("03", "q3", lambda: (-0.6, -0.2), "the function value -0.2 is off"),
    ("03", "q3", lambda: (0.6, 0.4), "both values are negative"),
    # 04
    ("04", "q1", lambda: nb04._swap_every_layer, "hidden_1 uses elu"),
    ("04", "q1", lambda: nb04._swap_without_weights, "weights of hidden_1 differ"),
    ("04", "q1", lambda: nb04._swap_in_place, "changed the model it was given"),
    ("04", "q1", lambda: nb04._swap_sharing_layers, "shares the layer 'hidden_1'"),
    ("04", "q1", lambda: nb04._swap_with_helper, "calls actlab.swap_activations"),
    ("04", "q1", lambda: _swap_one_imported_helper, "calls actlab.swap_activations"),
    ("04", "q1", lambda: _swap_one_aliased_helper, "calls actlab.swap_activations"),
    ("04", "q1", nb04._base, "Give the function itself"),
    ("04", "q2", lambda: nb04._finetune_skipped, "No training step recorded"),
    ("04", "q2", lambda: nb04._finetune_too_hard, "Test accuracy"),
    ("04", "q2", lambda: nb04._finetune_no_swap, "still use(s) relu"),
    ("04", "q2", lambda: nb04._finetune_everywhere, "Keep the softmax"),
    # review: a GELU MLP trained from scratch was accepted ("correct! ... 0.956")
    ("04", "q2", lambda: nb04._finetune_from_scratch, "not the trained model's"),
    ("04", "q2", lambda: nb04._finetune_untrained_swap, "not the trained model's"),
    ("04", "q2", _gelu_mlp_from_scratch, "Give the function itself"),
    # 05
    ("05", "q1", lambda: keras.activations.mish, "mish, which Keras already ships"),
    ("05", "q1", lambda: nb05._tanh_exp_numpy, "invisible to automatic differentiation"),
    ("05", "q1", lambda: lambda x: x * keras.ops.sigmoid(x), "SiLU"),
    # review: accepted although the question asks for keras.ops
    ("05", "q1", lambda: _tanh_exp_tf_math,
     "(tf.math.exp, tf.math.tanh): the question asks for keras.ops"),
    ("05", "q2", lambda: lambda x: nb05._np_sigmoid(x) * (1 - nb05._np_sigmoid(x))
     * (1 - np.tanh(x) ** 2), "product rule"),
    ("05", "q2", lambda: lambda x: nb05._np_sigmoid(x) * (1 - nb05._np_sigmoid(x)) * np.tanh(x),
     "One term of the product rule is missing"),
    ("05", "q3", nb05._unregistered_model, "Register it"),
    ("05", "q3", nb05._lambda_model, "Python lambda (in a Lambda layer)"),
    ("05", "q3", nb05._lambda_activation_model, "Python lambda as its activation"),
    ("05", "q3", nb05._named_lambda_layer_model, "no layer applies tanh_exp"),
    ("05", "q3", nb05._builtin_mish_model, "applies mish, which Keras ships"),
]


@pytest.mark.parametrize(("nb", "qid", "make", "fragment"), WRONG,
                         ids=[f"{nb}-{qid}-{frag[:24]}" for nb, qid, _, frag in WRONG])
def test_plausible_wrong_answer_is_refused_with_its_message(nb, qid, make, fragment, capsys):
    """The check returns False and names the mistake."""
    assert _q(nb, qid).check(make()).passed is False
    out = capsys.readouterr().out
    assert "not quite" in out and fragment in out, out


def test_every_question_of_00_to_05_has_two_plausible_wrong_answers_here():
    """Each existing question of notebooks 00-05 is covered by at least two cases above."""
    mine = {"00": ["q1", "q2"], "01": ["q1", "q2", "q3"], "02": ["q1", "q2"],
            "03": ["q1", "q2", "q3"], "04": ["q1", "q2"], "05": ["q1", "q2", "q3"]}
    for nb, qids in mine.items():
        for qid in qids:
            assert sum(1 for n, q, _, _ in WRONG if (n, q) == (nb, qid)) >= 2, (nb, qid)


def test_gallery_is_recognised_by_its_data_not_its_labels(capsys):
    """01 q1: a correct grid without labels, on another x range past 6, passes."""
    x = np.linspace(-7, 7, 57, dtype="float32")
    fig, axes = plt.subplots(3, 5)
    for name, ax in zip(catalog.names(), axes.ravel(), strict=True):
        ax.plot(x, catalog.get(name)(x))  # no label=
    plt.close(fig)
    assert _q("01", "q1").check(fig).passed is True
    assert "one panel each" in capsys.readouterr().out


def test_gallery_with_derivative_panels_passes():
    """01 q1: derivatives overlaid in each panel (softplus' equals sigmoid) still pass."""
    fig, axes = plt.subplots(3, 5)
    for name, ax in zip(catalog.names(), axes.ravel(), strict=True):
        plotting.plot_activations(name, x=nb01.GALLERY_X, ax=ax, derivatives=True)
    plt.close(fig)
    assert _q("01", "q1").check(fig).passed is True


def test_gallery_relu6_panel_needs_x_past_6(capsys):
    """01 q1: on [-6, 6] a correct relu6 curve is relu's too, so the figure cannot show it."""
    x = np.linspace(-6, 6, 121, dtype="float32")
    fig, axes = plt.subplots(3, 5)
    for name, ax in zip(catalog.names(), axes.ravel(), strict=True):
        ax.plot(x, catalog.get(name)(x))
    plt.close(fig)
    assert np.array_equal(catalog.get("relu")(x), catalog.get("relu6")(x))  # why it is refused
    assert _q("01", "q1").check(fig).passed is False
    assert "x range past 6" in capsys.readouterr().out


RIGHT = [
    # written differently from the reference solution, each must pass
    ("00", "q1", lambda: float(nb00._train_count())),
    ("00", "q1", lambda: np.array([nb00._train_count()])),
    ("00", "q2", lambda: catalog.get("sigmoid")(np.zeros(1))),
    ("00", "q2", lambda: np.float32(0.5)),
    ("02", "q1", lambda: (nb02._merged_reference()[0], nb02._merged_reference()[1][None, :])),
    ("02", "q2", lambda: _tanh_as_layers()),  # review: Activation("tanh") after a linear Dense
    ("03", "q1", lambda: _leaky_model(keras.layers.Dense(16), keras.layers.ReLU(negative_slope=0.1),
                                      keras.layers.Dense(1))),
    ("03", "q1", lambda: _leaky_model(
        keras.layers.Dense(16, activation=lambda x: keras.activations.leaky_relu(
            x, negative_slope=0.1)),
        keras.layers.Dense(1))),
    ("03", "q1", lambda: _leaky_model(
        keras.layers.Dense(16, activation=keras.layers.LeakyReLU(negative_slope=0.1)),
        keras.layers.Dense(1))),
    ("03", "q1", lambda: _leaky_model(keras.layers.Dense(16), keras.layers.Activation(
        lambda x: keras.activations.relu(x, negative_slope=0.1)), keras.layers.Dense(1))),
    # review: refused with "Keep the advanced activation *layers*" / "Expected the layers"
    ("03", "q2", lambda: nb03._translation_softmax_layer(keras.layers.Activation("softmax"))),
    ("03", "q2", lambda: nb03._translation_softmax_layer(keras.layers.Softmax())),
    ("03", "q2", lambda: nb03._translation_with(
        keras.layers.PReLU(alpha_initializer=keras.initializers.Constant(0.0)), 3)),
    # review 2: Activation("elu") / Dense(32, activation="elu") are ELU(alpha=1.0) exactly
    ("03", "q2", lambda: nb03._translation_with(keras.layers.Activation("elu"), 5)),
    ("03", "q2", lambda: keras.Sequential([keras.Input((784,)), *[
        type(lay).from_config(lay.get_config()) for lay in nb03._translation_reference().layers
        if not isinstance(lay, keras.layers.ELU)
        and not (isinstance(lay, keras.layers.Dense) and lay.units == 32)][:4],
        keras.layers.Dense(32, activation="elu"), *[
        type(lay).from_config(lay.get_config())
        for lay in nb03._translation_reference().layers[6:]]])),
    ("03", "q3", lambda: (np.float32(-0.6), np.array(-0.4))),
    # review 2: refused with "Unknown activation name: '<function tanh at 0x...>'"
    ("01", "q3", lambda: [keras.activations.get(n) for n in nb01._zero_centred()]),
    # review 2: a grid drawn with ax.scatter was told "No curve ... has the values of" all 15
    ("01", "q1", lambda: _scatter_gallery()),
    # review: refused with "did you use NumPy?" (check_gradient's dtype error taken for NumPy)
    ("05", "q1", lambda: _tanh_exp_cast_first),
    ("05", "q1", lambda: _tanh_exp_converted_first),
]


@pytest.mark.parametrize(("nb", "qid", "make"), RIGHT,
                         ids=[f"{nb}-{qid}-{i}" for i, (nb, qid, _) in enumerate(RIGHT)])
def test_right_answer_written_differently_passes(nb, qid, make):
    """A correct answer in another type, shape or spelling is accepted."""
    assert _q(nb, qid).check(make()).passed is True


def test_swap_one_written_differently_passes():
    """04 q1: copying the weights by layer name is as good as zipping the layer lists."""
    assert _q("04", "q1").check(_swap_one_copying_by_name).passed is True


def test_swap_one_whose_comments_name_the_helper_passes():
    """04 q1: a comment or string naming swap_activations is not a call to it."""
    assert _q("04", "q1").check(_swap_one_commented).passed is True


def test_gelu_fine_tuned_another_way_passes():
    """04 q2: any optimizer and any number of steps count as fine-tuning."""
    assert _q("04", "q2").check(_finetune_with_rmsprop).passed is True


def test_gelu_from_scratch_reaches_the_bar_so_only_the_provenance_refuses_it():
    """04 q2: the from-scratch GELU MLP clears the accuracy bar; its kernels do not match the
    trained model's, so the weight comparison, not the bar, is what refuses it."""
    trained = nb04._trained_relu()
    scratch = nb04._finetune_from_scratch(trained)
    assert nb04._test_accuracy(scratch) >= nb04.ACCURACY_BAR
    assert nb04._provenance(scratch, trained.get_weights()) < 0.2
    fine_tuned = nb04._finetune_reference(nb04._trained_relu())
    assert nb04._provenance(fine_tuned, trained.get_weights()) > 0.95


def test_tf_math_answer_is_right_but_for_the_keras_ops_requirement():
    """05 q1: without the keras.ops requirement the tf.math answer would pass every other test."""
    from actlab.custom import check_gradient

    x = nb05.GRID
    assert np.allclose(keras.ops.convert_to_numpy(_tanh_exp_tf_math(x)), nb05._np_tanh_exp(x))
    assert check_gradient(_tanh_exp_tf_math, x).max_abs_error < 1e-6
    assert nb05._tensorflow_calls(_tanh_exp_tf_math) == ["tf.math.exp", "tf.math.tanh"]
    assert nb05._tensorflow_calls(nb05._tanh_exp_reference()) == []


def test_swap_one_reference_leaves_the_model_alone():
    """04 q1's reference returns new layers and copies every weight."""
    base = nb04._as_if_trained(nb04._base(), 1)
    new = nb04._swap_one_reference(base, "hidden_2", "elu")
    assert all(a is not b for a, b in zip(base.layers, new.layers, strict=True))
    assert all(np.array_equal(a, b)
               for a, b in zip(base.get_weights(), new.get_weights(), strict=True))
    assert base.get_layer("hidden_2").get_config()["activation"] == "relu"


def test_tf_nn_leaky_relu_default_is_the_one_the_feedback_quotes():
    """03 q3's message says tf.nn.leaky_relu defaults to 0.2 (PyTorch's is 0.01): check TF's."""
    import tensorflow as tf

    assert inspect.signature(tf.nn.leaky_relu).parameters["alpha"].default == 0.2


def test_tanh_exp_is_not_shipped_by_keras():
    """05 asks for an activation Keras does not have, so a built-in cannot answer it."""
    names = {n.lower() for n in dir(keras.activations)}
    assert not {"tanh_exp", "tanhexp"} & names
    with pytest.raises(ValueError):
        keras.activations.get("tanh_exp")


def test_03_q2_keras2_alpha_passes_with_a_word_about_negative_slope(capsys):
    """alpha= cannot be seen once the layer is built (Keras pops it): the prompt and the verdict
    say so, and no message claims the old spelling was refused."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        old = keras.layers.LeakyReLU(alpha=0.1)
    assert _q("03", "q2").check(nb03._translation_with(old, 1)).passed is True
    assert "write negative_slope=0.1" in capsys.readouterr().out
    assert "not alpha=" in _q("03", "q2").prompt


def test_03_q1_messages_say_only_what_is_true_of_the_answer(capsys):
    """tanh then leaky: no word about ReLU; ELU: no claim that positive values change."""
    tanh_then_leaky = _leaky_model(keras.layers.Dense(16, activation="tanh"),
                                   keras.layers.LeakyReLU(negative_slope=0.1),
                                   keras.layers.Dense(1))
    assert _q("03", "q1").check(tanh_then_leaky).passed is False
    out = capsys.readouterr().out
    assert "already applies tanh" in out and "ReLU it only sees" not in out, out
    elu = _leaky_model(keras.layers.Dense(16, activation="elu"), keras.layers.Dense(1))
    assert _q("03", "q1").check(elu).passed is False
    out = capsys.readouterr().out
    assert "changes positive values" not in out, out


@pytest.mark.parametrize(
    "make",
    [
        lambda: (keras.layers.LeakyReLU()(np.array([-2.0])),
                 keras.activations.leaky_relu(np.array([-2.0]))),  # what the hint suggests
        lambda: [np.array([-0.6]), np.array([-0.4])],
        lambda: np.array([-0.6, -0.4]),
        lambda: (np.float32(-0.6), -0.4),
    ],
)
def test_03_q3_accepts_the_values_however_they_are_held(make):
    """Size-1 arrays or tensors, or one array of two values, are the same answer."""
    assert _q("03", "q3").check(make()).passed is True
