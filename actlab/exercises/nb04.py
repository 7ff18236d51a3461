"""Exercises for 04_swapping_activations."""

from __future__ import annotations

from typing import Any

import numpy as np

from actlab.exercises import ExerciseSet, Incorrect, Question

MNIST_LIMIT = 4000  # the notebook's load_mnist(limit=4000)

BASE_ARGS = {
    "input_shape": 784,
    "widths": [64, 32],
    "activations": "relu",
    "output_units": 10,
    "output_activation": "softmax",
    "seed": 4,
}
ACCURACY_BAR = 0.85


def _keras() -> Any:
    from actlab._keras import keras

    return keras()


def _base() -> Any:
    from actlab.models import mlp

    return mlp(**BASE_ARGS)


def _sites(model: Any) -> dict[str, str]:
    import actlab

    try:
        return {s.path: s.activation for s in actlab.find_activations(model)}
    except (TypeError, ValueError) as exc:
        raise Incorrect(f"find_activations cannot read your model: {exc}") from None


def _check_keras_model(model: Any) -> None:
    if not isinstance(model, _keras().Model):
        raise Incorrect(f"Give a keras model. Received: {type(model).__name__}.")


# --- q1: write the swap by hand: clone_model + copy the weights ---------------------------------
def _weights_of(model: Any) -> list[np.ndarray]:
    return [np.array(w, copy=True) for w in model.get_weights()]


def _as_if_trained(model: Any, seed: int) -> Any:
    """Move every weight away from its (seeded) initial value, as training would.

    A clone built from the config of a seeded model gets the same initial weights,
    so only weights that differ from the initialiser's reveal a clone that forgot
    to copy them.
    """
    rng = np.random.default_rng(seed)
    model.set_weights([w + rng.normal(0.0, 0.1, w.shape).astype(w.dtype)
                       for w in model.get_weights()])
    return model


def _deeper() -> Any:
    """A second model for the learner's function: three hidden layers, other widths."""
    from actlab.models import mlp

    model = mlp(12, [10, 8, 6], "relu", output_units=3, output_activation="softmax", seed=5)
    return _as_if_trained(model, 5)


def _try_swap(fn: Any, model: Any, name: str, activation: str) -> Any:
    try:
        return fn(model, name, activation)
    except Exception as exc:  # noqa: BLE001 - any error in learner code becomes feedback
        raise Incorrect(
            f"Calling your function on a model raised {type(exc).__name__}: {exc}"
        ) from None


def _check_swap_case(fn: Any, model: Any, name: str, activation: str) -> None:
    before_sites, before_weights = _sites(model), _weights_of(model)
    new = _try_swap(fn, model, name, activation)
    if _sites(model) != before_sites or not all(
        np.array_equal(a, b) for a, b in zip(before_weights, model.get_weights(), strict=True)
    ):
        raise Incorrect(
            "Your function changed the model it was given. Build a new model with "
            "keras.models.clone_model and change the activation in the clone's config, "
            "not in the original layer."
        )
    _check_keras_model(new)
    shared = [lay.name for lay in model.layers if any(lay is other for other in new.layers)]
    if shared:
        raise Incorrect(
            f"The new model shares the layer {shared[0]!r} with the original: training one "
            "would change the other. clone_model makes new layers; use it for every layer."
        )
    expected = {**before_sites, name: activation}
    got = _sites(new)
    wrong = [p for p in expected if got.get(p) != expected[p]]
    if wrong:
        path = wrong[0]
        hint = (f" Only the layer named {name!r} should change: compare layer.name in your "
                "clone_function." if path != name
                else " Set config['activation'] for that layer in your clone_function.")
        raise Incorrect(f"{path} uses {got.get(path)}, it should use {expected[path]}.{hint}")
    for old_layer in model.layers:
        mine = new.get_layer(old_layer.name)
        for w0, w1 in zip(old_layer.get_weights(), mine.get_weights(), strict=True):
            if w0.shape != w1.shape or not np.array_equal(w0, w1):
                raise Incorrect(
                    f"The weights of {old_layer.name} differ from the original's: clone_model "
                    "builds new layers whose weights come from the initialiser, not from the "
                    "original. Copy them: "
                    "new_layer.set_weights(old_layer.get_weights()) for each pair of layers."
                )


def _uses_swap_activations(fn: Any) -> bool:
    """Whether ``fn``'s code uses actlab's ``swap_activations``; comments and strings do not.

    Reads the compiled code (the global and attribute names each code object
    loads, nested functions included), so it works for lambdas too. A name
    counts when it is ``swap_activations`` or when it refers to that function
    under another name (``from actlab import swap_activations as sa``), in the
    function's globals or its closure.
    """
    import types

    from actlab.surgery import swap_activations

    code0 = getattr(fn, "__code__", None)
    scope = dict(getattr(fn, "__globals__", {}) or {})
    free, cells = getattr(code0, "co_freevars", ()), getattr(fn, "__closure__", None) or ()
    for name, cell in zip(free, cells, strict=False):
        try:
            scope[name] = cell.cell_contents
        except ValueError:  # an empty cell
            continue
    stack = [code0]
    while stack:
        code = stack.pop()
        if not isinstance(code, types.CodeType):
            continue
        if "swap_activations" in code.co_names:
            return True
        if any(scope.get(n) is swap_activations for n in (*code.co_names, *code.co_freevars)):
            return True
        stack.extend(const for const in code.co_consts if isinstance(const, types.CodeType))
    return False


def _check_one_layer(fn: Any) -> str:
    if isinstance(fn, _keras().Model):
        raise Incorrect(
            "Give the function itself (answer_q1 = swap_one), not a model: the check calls it "
            "on base and on a second model."
        )
    if not callable(fn):
        raise Incorrect(f"Give a function swap_one(model, layer_name, activation). "
                        f"Received: {type(fn).__name__}.")
    if _uses_swap_activations(fn):
        raise Incorrect(
            "Your function calls actlab.swap_activations: this exercise asks for the lines "
            "it rests on. Use keras.models.clone_model(model, clone_function=...) and copy "
            "the weights yourself."
        )
    _check_swap_case(fn, _as_if_trained(_base(), 4), "hidden_2", "elu")
    _check_swap_case(fn, _deeper(), "hidden_3", "tanh")
    return ("Only the named layer changed, every weight was copied, and the original "
            "model is untouched (checked on base and on a 3-hidden-layer model).")


def _swap_one_reference(model: Any, layer_name: str, activation: str) -> Any:
    keras = _keras()

    def clone_layer(layer: Any) -> Any:
        config = layer.get_config()
        if layer.name == layer_name:
            config["activation"] = activation
        return layer.__class__.from_config(config)

    new = keras.models.clone_model(model, clone_function=clone_layer)
    for old_layer, new_layer in zip(model.layers, new.layers, strict=True):
        new_layer.set_weights(old_layer.get_weights())
    return new


def _one_layer_reference() -> Any:
    return _swap_one_reference


def _swap_every_layer(model: Any, layer_name: str, activation: str) -> Any:
    keras = _keras()

    def clone_layer(layer: Any) -> Any:
        config = layer.get_config()
        if config.get("activation") == "relu":
            config["activation"] = activation
        return layer.__class__.from_config(config)

    new = keras.models.clone_model(model, clone_function=clone_layer)
    for old_layer, new_layer in zip(model.layers, new.layers, strict=True):
        new_layer.set_weights(old_layer.get_weights())
    return new


def _swap_without_weights(model: Any, layer_name: str, activation: str) -> Any:
    keras = _keras()

    def clone_layer(layer: Any) -> Any:
        config = layer.get_config()
        if layer.name == layer_name:
            config["activation"] = activation
        return layer.__class__.from_config(config)

    return keras.models.clone_model(model, clone_function=clone_layer)


def _swap_in_place(model: Any, layer_name: str, activation: str) -> Any:
    keras = _keras()
    model.get_layer(layer_name).activation = keras.activations.get(activation)
    return model


def _swap_sharing_layers(model: Any, layer_name: str, activation: str) -> Any:
    keras = _keras()
    inputs = keras.Input(model.input_shape[1:])
    x = inputs
    for layer in model.layers:  # reuses the original layers: the mistake under test
        x = layer(x)
        if layer.name == layer_name:
            x = keras.layers.Activation(activation)(x)
    return keras.Model(inputs, x)


def _swap_with_helper(model: Any, layer_name: str, activation: str) -> Any:
    import actlab

    return actlab.swap_activations(model, {"relu": activation}, layers=[layer_name])


_Q1_SOLUTION = """\
def swap_one(model, layer_name, activation):
    def clone_layer(layer):
        config = layer.get_config()
        if layer.name == layer_name:
            config["activation"] = activation
        return layer.__class__.from_config(config)

    new = keras.models.clone_model(model, clone_function=clone_layer)
    for old_layer, new_layer in zip(model.layers, new.layers, strict=True):
        new_layer.set_weights(old_layer.get_weights())
    return new


answer_q1 = swap_one"""


# --- q2: GELU and fine-tuning --------------------------------------------------------------
def _test_accuracy(model: Any) -> float:
    from actlab.data import load_mnist

    _, (x_test, y_test) = load_mnist(limit=MNIST_LIMIT, verbose=False)
    probs = model.predict(x_test.reshape(len(x_test), -1), verbose=0)
    return float(np.mean(probs.argmax(axis=1) == y_test))


def _check_gelu(model: Any) -> str:
    _check_keras_model(model)
    if tuple(model.input_shape) != (None, 784):
        raise Incorrect(
            f"The model should take flattened images, input shape (None, 784). "
            f"Received {model.input_shape}."
        )
    sites = _sites(model)
    hidden = {p: a for p, a in sites.items() if p != "output"}
    left = [p for p, a in hidden.items() if a == "relu"]
    if left:
        raise Incorrect(f"{', '.join(left)} still use(s) relu. Map 'relu' to 'gelu'.")
    if sites.get("output") != "softmax":
        raise Incorrect(
            f"Keep the softmax output: the output layer uses {sites.get('output')}. "
            "Swap only 'relu'."
        )
    if not hidden or any(a != "gelu" for a in hidden.values()):
        raise Incorrect(f"Every hidden layer should use gelu; found {hidden}.")
    acc = _test_accuracy(model)
    if acc < ACCURACY_BAR:
        raise Incorrect(
            f"Test accuracy is {acc:.3f} < {ACCURACY_BAR}: fine-tune it (fit a few "
            "epochs) after the swap."
        )
    if model.optimizer is None or int(model.optimizer.iterations) == 0:
        raise Incorrect(
            "No training step recorded: compile and fit the swapped model for an epoch or two."
        )
    return f"GELU hidden layers, test accuracy {acc:.3f}."


def _fitted(model: Any) -> Any:
    """``model`` compiled with Adam and fitted 6 epochs on the flattened MNIST subset."""
    from actlab.data import load_mnist

    (x_train, y_train), _ = load_mnist(limit=MNIST_LIMIT, verbose=False)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x_train.reshape(len(x_train), -1), y_train, epochs=6, batch_size=64, verbose=0)
    return model


def _gelu_reference() -> Any:
    import actlab

    return _fitted(actlab.swap_activations(_base(), {"relu": "gelu"}))


def _gelu_not_finetuned() -> Any:
    """The mistake: train the ReLU model, swap to GELU, skip the fine-tuning."""
    import actlab

    return actlab.swap_activations(_fitted(_base()), {"relu": "gelu"})


def _gelu_untrained() -> Any:
    import actlab

    return actlab.swap_activations(_base(), {"relu": "gelu"})


def _gelu_everywhere() -> Any:
    import actlab

    return actlab.swap_activations(_base(), {"relu": "gelu", "softmax": "gelu"})


EXERCISES = ExerciseSet(
    "04",
    "Swapping activations",
    [
        Question(
            qid="q1",
            prompt=(
                "Write swap_one(model, layer_name, activation): a new model in which only the "
                "layer named layer_name uses activation, every weight is copied, and model is "
                "untouched. Use keras.models.clone_model(..., clone_function=...), not "
                "actlab.swap_activations."
            ),
            checker=_check_one_layer,
            hint_text=(
                "clone_function receives each layer: return layer.__class__.from_config(config) "
                "with config = layer.get_config(), changing config['activation'] for the named "
                "layer. clone_model does not copy weights: set_weights layer by layer afterwards."
            ),
            solution_text=(
                "clone_model rebuilds the graph from configs, so the clone has new layers "
                "(nothing shared) whose weights come from the initialiser; copying get_weights() "
                "layer by layer restores them. actlab.swap_activations does the same for nested "
                "and multi-branch models."
            ),
            solution_code=_Q1_SOLUTION,
            reference=_one_layer_reference,
            wrong_answers=[
                (lambda: _swap_every_layer, "hidden_1 uses elu"),
                (lambda: _swap_without_weights, "weights of hidden_1 differ"),
                (lambda: _swap_in_place, "changed the model it was given"),
                (lambda: _swap_sharing_layers, "shares the layer"),
                (lambda: _swap_with_helper, "calls actlab.swap_activations"),
                (_base, "Give the function itself"),
                (lambda: "base", "Give a function"),
            ],
        ),
        Question(
            qid="q2",
            prompt=(
                "Swap every ReLU of the trained `model` for GELU (keep the softmax output), "
                "fine-tune, "
                f"and give a model with test accuracy >= {ACCURACY_BAR}."
            ),
            checker=_check_gelu,
            hint_text=(
                "swap_activations(model, {'relu': 'gelu'}) returns a compiled copy when model was "
                "compiled; then fit it for an epoch or two."
            ),
            solution_text=(
                "The swap keeps every weight, so the network starts close to where it was "
                "(section 6: a ReLU -> Leaky ReLU swap moved accuracy by little), and a short "
                "fine-tuning brings it back to the bar. Section 6's control shows that the same "
                "epochs without a swap do about as much, so this is ordinary training, not proof "
                "of an adaptation to GELU."
            ),
            solution_code='answer_q2 = actlab.swap_activations(model, {"relu": "gelu"})\n'
            "answer_q2.fit(x_train, y_train, epochs=2, batch_size=64, verbose=0)",
            reference=_gelu_reference,
            wrong_answers=[
                (_gelu_untrained, "Test accuracy"),
                (_gelu_not_finetuned, "No training step recorded"),
                (_base, "still use(s) relu"),
                (_gelu_everywhere, "Keep the softmax"),
                (lambda: 0.95, "keras model"),
            ],
        ),
    ],
)
