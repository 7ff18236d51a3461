"""Exercises for 04_swapping_activations."""

from __future__ import annotations

from typing import Any

import numpy as np

from actlab._seed import current_seed
from actlab.exercises import ExerciseSet, Incorrect, Question

MNIST_LIMIT = 4000  # the notebook's load_mnist(limit=4000)

BASE_ARGS = {
    "input_shape": 784,
    "widths": [64, 32],
    "activations": "relu",
    "output_units": 10,
    "output_activation": "softmax",
}
BASE_SEED_OFFSET = 4  # the notebook's base: mlp(..., seed=SEED + 4)
ACCURACY_BAR = 0.85


def _keras() -> Any:
    from actlab._keras import keras

    return keras()


def _base() -> Any:
    """The notebook's ``base``: the same network, at the notebook's ``SEED + 4``."""
    from actlab.models import mlp

    return mlp(**BASE_ARGS, seed=current_seed() + BASE_SEED_OFFSET)


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

    seed = current_seed() + 5
    model = mlp(12, [10, 8, 6], "relu", output_units=3, output_activation="softmax", seed=seed)
    return _as_if_trained(model, seed)


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
            "on a copy of base and on a second model."
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
    _check_swap_case(fn, _as_if_trained(_base(), current_seed() + BASE_SEED_OFFSET),
                     "hidden_2", "elu")
    _check_swap_case(fn, _deeper(), "hidden_3", "tanh")
    return ("Only the named layer changed, every weight was copied, and the original "
            "model is untouched (checked on a copy of base, its weights moved as if trained, "
            "and on a 3-hidden-layer model).")


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
TRAINED_SEED_OFFSET = 9  # the checker's trained model: a seed no line of the notebook uses
PROVENANCE_BAR = 0.9  # correlation of the answer's kernels with the trained model's (see below)
_TRAINED: dict[tuple[int, str], list[np.ndarray]] = {}  # trained weights, per (SEED, data source)


def _mnist() -> Any:
    from actlab.data import load_mnist

    return load_mnist(limit=MNIST_LIMIT, verbose=False)


def _test_accuracy(model: Any) -> float:
    _, (x_test, y_test) = _mnist()
    probs = model.predict(x_test.reshape(len(x_test), -1), verbose=0)
    return float(np.mean(probs.argmax(axis=1) == y_test))


def _fitted(model: Any, epochs: int = 6) -> Any:
    """``model`` compiled with Adam and fitted on the flattened MNIST subset."""
    (x_train, y_train), _ = _mnist()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x_train.reshape(len(x_train), -1), y_train, epochs=epochs, batch_size=64,
              verbose=0)
    return model


def _trained_relu() -> Any:
    """A trained ReLU model like the notebook's ``model`` (section 1), compiled like it.

    Built at the notebook's SEED (``SEED + 9``, which no notebook line uses, so an
    answer cannot start from the same initial weights by accident) and trained 6
    epochs; trained once per SEED and data source, then copied for each check.
    """
    from actlab.models import mlp

    seed = current_seed() + TRAINED_SEED_OFFSET
    model = mlp(**{**BASE_ARGS, "seed": seed})
    key = (seed, _mnist().source)
    if key not in _TRAINED:
        _TRAINED[key] = _weights_of(_fitted(model))
    model.set_weights(_TRAINED[key])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _kernels(weights: list[np.ndarray]) -> np.ndarray:
    return np.concatenate([w.ravel() for w in weights if w.ndim >= 2])


def _provenance(answer: Any, trained_weights: list[np.ndarray]) -> float:
    """Correlation of the answer's kernels with the trained model's, or nan if shapes differ.

    A swap copies every weight and a short fine-tuning moves them a little, so
    the correlation stays close to 1; a network initialised afresh and trained
    from scratch has kernels unrelated to the trained ones (close to 0).
    """
    mine = answer.get_weights()
    if [w.shape for w in mine] != [w.shape for w in trained_weights]:
        return float("nan")
    return float(np.corrcoef(_kernels(mine), _kernels(trained_weights))[0, 1])


def _call_finetune(fn: Any, trained: Any) -> Any:
    try:
        return fn(trained)
    except Exception as exc:  # noqa: BLE001 - any error in learner code becomes feedback
        raise Incorrect(
            f"Calling your function on a trained model raised {type(exc).__name__}: {exc}"
        ) from None


def _check_gelu(fn: Any) -> str:
    if isinstance(fn, _keras().Model):
        raise Incorrect(
            "Give the function itself (answer_q2 = finetune), not a model: the check applies "
            "it to a trained ReLU model of its own, built and trained like model."
        )
    if not callable(fn):
        raise Incorrect(f"Give a function finetune(trained) that returns a model. "
                        f"Received: {type(fn).__name__}.")
    trained = _trained_relu()
    trained_weights = _weights_of(trained)
    model = _call_finetune(fn, trained)
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
    if model.optimizer is None or int(model.optimizer.iterations) == 0:
        raise Incorrect(
            "No training step recorded on the model you return: after the swap, fit it "
            "for an epoch or two (swap_activations returns a compiled copy)."
        )
    acc = _test_accuracy(model)
    if acc < ACCURACY_BAR:
        raise Incorrect(
            f"Test accuracy is {acc:.3f} < {ACCURACY_BAR}: the fine-tuning lost what the "
            "trained model knew. Fit an epoch or two with the optimizer the copy comes with "
            "(Adam); a large learning rate undoes the training."
        )
    corr = _provenance(model, trained_weights)
    if not corr >= PROVENANCE_BAR:  # nan (other shapes) fails too
        raise Incorrect(
            "Your model's weights are not the trained model's (correlation of the kernels "
            f"{corr:.2f}): it was built and trained afresh, not swapped. Start from the model "
            "your function receives: swap_activations(trained, {'relu': 'gelu'}) keeps every "
            "trained weight; then fit the copy."
        )
    return (f"GELU hidden layers, started from the trained weights (kernel correlation "
            f"{corr:.2f}), fine-tuned: test accuracy {acc:.3f}.")


def _x_train() -> tuple[np.ndarray, np.ndarray]:
    (x_train, y_train), _ = _mnist()
    return x_train.reshape(len(x_train), -1), y_train


def _finetune_reference(trained: Any) -> Any:
    import actlab

    new = actlab.swap_activations(trained, {"relu": "gelu"})
    new.fit(*_x_train(), epochs=2, batch_size=64, verbose=0)
    return new


def _gelu_reference() -> Any:
    return _finetune_reference


def _finetune_skipped(trained: Any) -> Any:
    """The mistake: swap to GELU, skip the fine-tuning."""
    import actlab

    return actlab.swap_activations(trained, {"relu": "gelu"})


def _finetune_from_scratch(trained: Any) -> Any:
    """The mistake the review found accepted: a GELU network trained from scratch."""
    from actlab.models import mlp

    return _fitted(mlp(784, [64, 32], "gelu", output_units=10, output_activation="softmax"))


def _finetune_untrained_swap(trained: Any) -> Any:
    """Swap an untrained network, then train it: GELU and trained, but not from the weights."""
    import actlab

    return _fitted(actlab.swap_activations(_base(), {"relu": "gelu"}))


def _finetune_too_hard(trained: Any) -> Any:
    """Fine-tuning with a learning rate so large that it undoes the training."""
    import actlab

    keras = _keras()
    new = actlab.swap_activations(trained, {"relu": "gelu"})
    new.compile(optimizer=keras.optimizers.SGD(learning_rate=20.0),
                loss="sparse_categorical_crossentropy")
    new.fit(*_x_train(), epochs=1, batch_size=64, verbose=0)
    return new


def _finetune_everywhere(trained: Any) -> Any:
    import actlab

    return actlab.swap_activations(trained, {"relu": "gelu", "softmax": "gelu"})


def _finetune_no_swap(trained: Any) -> Any:
    trained.fit(*_x_train(), epochs=1, batch_size=64, verbose=0)
    return trained


_Q2_SOLUTION = """\
def finetune(trained):
    new = actlab.swap_activations(trained, {"relu": "gelu"})
    new.fit(x_train, y_train, epochs=2, batch_size=64, verbose=0)
    return new


answer_q2 = finetune"""


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
                "Write finetune(trained): swap every ReLU of the trained model it receives for "
                "GELU (keep the softmax output), fine-tune the copy, and return it; the check "
                "applies it to a trained ReLU model like `model` and wants test accuracy >= "
                f"{ACCURACY_BAR}, from the trained weights."
            ),
            checker=_check_gelu,
            hint_text=(
                "swap_activations(trained, {'relu': 'gelu'}) returns a compiled copy with every "
                "trained weight; fit it for an epoch or two and return it. Give the function: "
                "answer_q2 = finetune."
            ),
            solution_text=(
                "The swap keeps every weight, so the network starts close to where it was "
                "(section 6: a ReLU -> Leaky ReLU swap moved accuracy by little), and a short "
                "fine-tuning brings it back to the bar. Section 6's control shows that the same "
                "epochs without a swap do about as much, so this is ordinary training, not proof "
                "of an adaptation to GELU. The check runs your function on a trained model of "
                "its own and checks that the answer's kernels still correlate with the trained "
                "ones (a GELU network trained from scratch reaches the bar too, but from other "
                "weights)."
            ),
            solution_code=_Q2_SOLUTION,
            reference=_gelu_reference,
            wrong_answers=[
                (lambda: _finetune_skipped, "No training step recorded"),
                (lambda: _finetune_from_scratch, "not the trained model's"),
                (lambda: _finetune_untrained_swap, "not the trained model's"),
                (lambda: _finetune_too_hard, "Test accuracy"),
                (lambda: _finetune_no_swap, "still use(s) relu"),
                (lambda: _finetune_everywhere, "Keep the softmax"),
                (_trained_relu, "Give the function itself"),
                (lambda: 0.95, "Give a function finetune"),
            ],
        ),
    ],
)
