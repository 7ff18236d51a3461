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


def _gelu_finetuned_with_rmsprop():
    """04 q2 written differently: a trained model, swapped, recompiled with RMSprop, fitted."""
    from actlab.data import load_mnist

    (x_train, y_train), _ = load_mnist(limit=nb04.MNIST_LIMIT, verbose=False)
    model = nb04._gelu_not_finetuned()
    model.compile(optimizer=keras.optimizers.RMSprop(1e-4), loss="sparse_categorical_crossentropy")
    model.fit(x_train.reshape(-1, 784), y_train, epochs=1, batch_size=128, verbose=0)
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
    # 02
    ("02", "q1", nb02._transposed, "transposed"),
    ("02", "q1", nb02._last_bias_only, "earlier biases"),
    ("02", "q1", nb02._forgot_b2, "W is right but b is not"),
    ("02", "q1", lambda: (nb02._merged_reference()[0], nb02._merged_reference()[1][:, None]),
     "b should have shape (3,)"),
    ("02", "q2", lambda: nb02._untrained("relu"), "uses relu"),
    ("02", "q2", lambda: nb02._untrained(None), "is linear"),
    ("02", "q2", lambda: nb02._untrained("tanh"), "Test accuracy"),
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
    ("04", "q2", nb04._gelu_untrained, "Test accuracy"),
    ("04", "q2", nb04._gelu_not_finetuned, "No training step recorded"),
    ("04", "q2", nb04._base, "still use(s) relu"),
    ("04", "q2", nb04._gelu_everywhere, "Keep the softmax"),
    # 05
    ("05", "q1", lambda: keras.activations.mish, "mish, which Keras already ships"),
    ("05", "q1", lambda: nb05._tanh_exp_numpy, "invisible to automatic differentiation"),
    ("05", "q1", lambda: lambda x: x * keras.ops.sigmoid(x), "SiLU"),
    ("05", "q2", lambda: lambda x: nb05._np_sigmoid(x) * (1 - nb05._np_sigmoid(x))
     * (1 - np.tanh(x) ** 2), "product rule"),
    ("05", "q2", lambda: lambda x: nb05._np_sigmoid(x) * (1 - nb05._np_sigmoid(x)) * np.tanh(x),
     "One term of the product rule is missing"),
    ("05", "q3", nb05._unregistered_model, "Register it"),
    ("05", "q3", nb05._lambda_model, "Lambda layer"),
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
    ("03", "q3", lambda: (np.float32(-0.6), np.array(-0.4))),
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
    model = _gelu_finetuned_with_rmsprop()
    assert int(model.optimizer.iterations) > 0
    assert _q("04", "q2").check(model).passed is True


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
